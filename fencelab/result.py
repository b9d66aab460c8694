"""Results of running a litmus test: final states, the condition's verdict, herd7-style output.

Every engine — the operational machine under sc / tso / arm, and the axiomatic source models —
reports a `TestResult`, so the CLI, the checker and the TUI read one form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fencelab.litmus.ast import (
    And,
    Condition,
    Eq,
    LitmusTest,
    LocRef,
    Not,
    Observable,
    Or,
    Prop,
    RegObs,
    TrueProp,
    Value,
)

# A final state: the value of every observable (condition + `locations [...]`), in test order.
# Values are ints, or LocRef when a register holds a location's address.
Outcome = tuple[tuple[Observable, Value], ...]


def observables(test: LitmusTest) -> tuple[Observable, ...]:
    """What a final state records: `locations [...]` first, then the condition's, no repeats."""
    seen: list[Observable] = []
    for obs in (*test.observed, *_prop_observables(test.condition.prop)):
        if obs not in seen:
            seen.append(obs)
    return tuple(seen)


def _prop_observables(prop: Prop) -> list[Observable]:
    if isinstance(prop, Eq):
        return [prop.obs]
    if isinstance(prop, Not):
        return _prop_observables(prop.prop)
    if isinstance(prop, (And, Or)):
        return [o for p in prop.parts for o in _prop_observables(p)]
    return []


def holds(prop: Prop, outcome: Outcome) -> bool:
    values = dict(outcome)
    return _eval(prop, values)


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


@dataclass(frozen=True)
class FinalState:
    outcome: Outcome
    witness: str = ""  # a schedule that replays to this state ("" for axiomatic engines)
    count: int = 1  # random mode: how many runs ended here


@dataclass
class TestResult:
    """The verdict on one test under one engine."""

    test: LitmusTest
    engine: str  # "tso", "arm", "sc", "c11", "rc11"
    target: str = ""  # the ISA the test ran on ("" for source models)
    scheme: str = ""
    mode: str = "exhaustive"
    states: list[FinalState] = field(default_factory=list)
    explored_states: int = 0
    transitions: int = 0
    budget_exhausted: int = 0  # executions that hit the step budget (not in `states`)
    runs: int = 0  # random mode
    seconds: float = 0.0

    @property
    def condition(self) -> Condition:
        return self.test.condition

    def satisfying(self) -> list[FinalState]:
        return [s for s in self.states if holds(self.condition.prop, s.outcome)]

    @property
    def positive(self) -> int:
        """herd's Positive: how many final states (or runs) make the proposition true."""
        if self.mode == "random":
            return sum(s.count for s in self.satisfying())
        return len(self.satisfying())

    @property
    def negative(self) -> int:
        total = sum(s.count for s in self.states) if self.mode == "random" else len(self.states)
        return total - self.positive

    @property
    def ok(self) -> bool:
        """herd's Ok/No: does the condition hold of this test's outcome set?"""
        q = self.condition.quantifier
        if q == "exists":
            return self.positive > 0
        if q == "~exists":
            return self.positive == 0
        return self.negative == 0  # forall

    @property
    def observation(self) -> str:
        """herd's Always / Sometimes / Never for the proposition."""
        if self.positive == 0:
            return "Never"
        if self.negative == 0:
            return "Always"
        return "Sometimes"

    @property
    def verdict(self) -> str:
        """herd's first-line word: Allowed / Forbidden (exists, ~exists) or Required (forall)."""
        q = self.condition.quantifier
        if q == "forall":
            return "Required" if self.ok else "No"
        if q == "exists":
            return "Allowed" if self.ok else "Forbidden"
        return "Forbidden" if self.ok else "Allowed"

    @property
    def kind(self) -> str:
        """What herd7 prints on its first line: the test's kind, from its quantifier alone
        (herd's `dump_as_kind`: exists Allowed, ~exists Forbidden, forall Required); the
        result is the Ok / No line."""
        return {"forall": "Required", "exists": "Allowed"}.get(
            self.condition.quantifier, "Forbidden"
        )

    def outcome_set(self) -> frozenset[Outcome]:
        return frozenset(s.outcome for s in self.states)


def value_text(value: Value) -> str:
    return value.name if isinstance(value, LocRef) else str(value)


def _obs_text(obs: Observable) -> str:
    if isinstance(obs, RegObs):
        return f"{obs.tid}:{obs.reg}"
    return obs.name if "[" in obs.name else f"[{obs.name}]"  # herd: `v[1]=2;`, `[x]=1;`


def format_outcome(outcome: Outcome) -> str:
    """herd7's spelling of a final state: `0:X0=1; 1:X2=0; [x]=2;`."""
    return " ".join(f"{_obs_text(o)}={value_text(v)};" for o, v in outcome)


def format_herd(result: TestResult, extras: bool = True) -> str:
    """The result in herd7's output form, line for line; our additions prefixed with `#`.

    As in herd7, the first line gives the test's kind (from its quantifier), `Ok`/`No` whether
    the condition holds, and `Loop` marks a result some executions of which were cut short (our
    step budget, herd's loop unrolling). herd's `Hash=` line is not printed."""
    from fencelab.litmus.printer import format_condition

    lines = [f"Test {result.test.name} {result.kind}", f"States {len(result.states)}"]
    for state in sorted(result.states, key=lambda s: format_outcome(s.outcome)):
        line = format_outcome(state.outcome)
        if result.mode == "random":
            line = f"{state.count:<8}:>{line}"
        lines.append(line)
    lines.append(("Loop " if result.budget_exhausted else "") + ("Ok" if result.ok else "No"))
    lines.append("Witnesses")
    lines.append(f"Positive: {result.positive} Negative: {result.negative}")
    lines.append(f"Condition {format_condition(result.condition)}")
    lines.append(
        f"Observation {result.test.name} {result.observation} {result.positive} {result.negative}"
    )
    lines.append(f"Time {result.test.name} {result.seconds:.2f}")
    if extras:
        engine = result.engine + (f" on {result.target}" if result.target else "")
        if result.scheme:
            engine += f" (scheme {result.scheme})"
        lines.append(f"# Engine {engine}, mode {result.mode}")
        for state in sorted(result.states, key=lambda s: format_outcome(s.outcome)):
            if state.witness:
                lines.append(f"# Witness {format_outcome(state.outcome)} schedule {state.witness}")
        if result.mode == "axiomatic":
            lines.append(f"# Checked {result.explored_states} candidate executions")
        elif result.explored_states or result.transitions:
            lines.append(
                f"# Explored {result.explored_states} states, {result.transitions} transitions"
            )
        if result.budget_exhausted:
            lines.append(f"# Budget: {result.budget_exhausted} executions hit the step budget")
    return "\n".join(lines)
