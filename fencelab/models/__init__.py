"""Memory models: operational (sc, tso, arm) for the machine, axiomatic (ARMv8's aarch64.cat)
over candidate executions, and source-level (c11, rc11, sc-source). `registry.py` lists them."""
