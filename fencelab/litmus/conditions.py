"""What a test's final condition means: the observables a final state records, and `holds`.

An `Outcome` is one final state: the value of every observable (`locations [...]` first, then
the condition's), in test order. Values are ints, or `LocRef` when a register holds a
location's address.
"""

from __future__ import annotations

from collections.abc import Callable

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


def filter_observables(test: LitmusTest) -> tuple[Observable, ...]:
    """What the test's `filter P` names that its final states do not record (`observables`):
    a hardware model observes these too, after the others, to apply the filter
    (`filter_of`); herd does not print them."""
    if test.filter is None:
        return ()
    shown = observables(test)
    return tuple(o for o in dict.fromkeys(prop_observables(test.filter)) if o not in shown)


def filter_of(test: LitmusTest) -> Callable[[Outcome], Outcome | None] | None:
    """None for a test without a `filter P`; else a function from a final state of the
    observables `observables` and then `filter_observables` list to the state as it is shown
    (the first ones), or None when P fails in it: herd drops that execution (not shown, not
    counted)."""
    if test.filter is None:
        return None
    prop, shown = test.filter, len(observables(test))
    return lambda outcome: outcome[:shown] if holds(prop, outcome) else None


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
