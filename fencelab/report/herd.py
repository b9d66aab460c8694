"""A `TestResult` in herd7's output form, line for line (our additions prefixed with `#`)."""

from __future__ import annotations

from fencelab.litmus.printer import format_condition, format_outcome
from fencelab.result import TestResult


def format_herd(result: TestResult, extras: bool = True) -> str:
    """The result in herd7's output form, line for line; our additions prefixed with `#`.

    As in herd7, the first line gives the test's kind (from its quantifier), `Ok`/`No` whether
    the condition holds, and `Loop` marks a result some executions of which were cut short (our
    step budget, herd's loop unrolling). herd's `Hash=` line is not printed."""
    lines = [f"Test {result.test.name} {result.kind}", f"States {len(result.states)}"]
    for state in sorted(result.states, key=lambda s: format_outcome(s.outcome)):
        line = format_outcome(state.outcome)
        if result.mode == "random":
            line = f"{state.count:<8}:>{line}"
        lines.append(line)
    cut = result.budget_exhausted or result.partial  # herd's Loop: not every execution ended
    lines.append(("Loop " if cut else "") + ("Ok" if result.ok else "No"))
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
        what = "execution" if result.mode == "axiomatic" else "schedule"
        for state in sorted(result.states, key=lambda s: format_outcome(s.outcome)):
            if state.witness:
                lines.append(f"# Witness {format_outcome(state.outcome)} {what} {state.witness}")
        if result.mode == "axiomatic":
            lines.append(f"# Checked {result.explored_states} candidate executions")
        elif result.explored_states or result.transitions:
            lines.append(
                f"# Explored {result.explored_states} states, {result.transitions} transitions"
            )
        if result.budget_exhausted:
            lines.append(f"# Budget: {result.budget_exhausted} executions hit the step budget")
    if result.partial:
        lines.append(f"# Partial: {result.partial}; the outcomes above are those found before")
    return "\n".join(lines)
