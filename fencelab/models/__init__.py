"""Memory models: operational (sc, tso, arm) for the machine, axiomatic (x86tso-mixed.cat,
aarch64.cat, arm.cat) over candidate executions, and source-level (c11, rc11, sc-source).
`registry.py` lists them."""
