"""What a test's final condition means: the observables a final state records, and `holds`.

An `Outcome` is one final state: the value of every observable (`locations [...]` first, then
the condition's), in test order. Values are ints, or `LocRef` when a register holds a
location's address.
"""

from __future__ import annotations

from fencelab.litmus.ast import (
    And,
    Condition,
    Eq,
    LitmusTest,
    Not,
    Observable,
    Or,
    Prop,
    TrueProp,
    Value,
)

Outcome = tuple[tuple[Observable, Value], ...]


def observables(test: LitmusTest) -> tuple[Observable, ...]:
    """What a final state records: `locations [...]` first, then the condition's, no repeats."""
    seen: list[Observable] = []
    for obs in (*test.observed, *prop_observables(test.condition.prop)):
        if obs not in seen:
            seen.append(obs)
    return tuple(seen)


def prop_atoms(prop: Prop | None) -> list[Eq]:
    """Every `obs=value` of a proposition, in order (repeats kept)."""
    if isinstance(prop, Eq):
        return [prop]
    if isinstance(prop, Not):
        return prop_atoms(prop.prop)
    if isinstance(prop, (And, Or)):
        return [e for p in prop.parts for e in prop_atoms(p)]
    return []


def prop_observables(prop: Prop) -> list[Observable]:
    """Every observable a proposition names, in order (repeats kept)."""
    return [e.obs for e in prop_atoms(prop)]


def holds(prop: Prop, outcome: Outcome) -> bool:
    """Does the proposition hold of this final state?"""
    return _eval(prop, dict(outcome))


def satisfies(condition: Condition, outcome: Outcome) -> bool:
    """Does this final state satisfy the condition: make its proposition true (`exists`,
    `forall`), or false (`~exists P`, which no state may make true)? These are the states herd
    counts as witnesses (`TestResult.witnesses`), and the TUI's ✓ marks."""
    return holds(condition.prop, outcome) != (condition.quantifier == "~exists")


def _eval(prop: Prop, values: dict[Observable, Value]) -> bool:
    if isinstance(prop, TrueProp):
        return True
    if isinstance(prop, Eq):
        return values.get(prop.obs) == prop.value
    if isinstance(prop, Not):
        return not _eval(prop.prop, values)
    if isinstance(prop, And):
        return all(_eval(p, values) for p in prop.parts)
    if isinstance(prop, Or):
        return any(_eval(p, values) for p in prop.parts)
    raise TypeError(prop)
