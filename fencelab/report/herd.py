"""A `TestResult` in herd7's output form, line for line (our additions prefixed with `#`)."""

from __future__ import annotations

from fencelab.litmus.conditions import holds
from fencelab.litmus.printer import format_condition
from fencelab.report.words import plural
from fencelab.result import TestResult, herd_states


def format_herd(result: TestResult, extras: bool = True) -> str:
    """The result in herd7's output form, line for line; our additions prefixed with `#`.
    Each final state lists its registers and locations in herd's order, registers spelled as
    herd prints them (`format_state`: `0:rax`, `0:X0`).

    As in herd7, the first line gives the test's kind (from its quantifier), `Ok`/`No` whether
    the condition holds (`Undef` when an execution has a data race, with `Flag *undef*` after
    the witness counts; the race itself is one of our `#` lines), and `Loop` marks a result some executions of which were cut short (our
    step budget, herd's loop unrolling) or that is partial (a limit, Ctrl-C). herd's `Hash=` line is not printed."""
    arch = result.test.arch
    lines = [f"Test {result.test.name} {result.kind}", f"States {len(result.states)}"]
    states = herd_states(result)
    for line, state in states:
        if result.mode == "random":  # litmus7's histogram: `*>` marks what satisfies the condition
            mark = "*>" if holds(result.condition.prop, state.outcome) else ":>"
            line = f"{state.count:<8}{mark}{line}"
        lines.append(line)
    lines.append(result.result_line)
    lines.append("Witnesses")
    lines.append("Positive: {} Negative: {}".format(*result.witnesses))
    lines.extend(f"Flag {flag}" for flag in result.flags)
    lines.append(f"Condition {format_condition(result.condition, arch)}")
    lines.append(
        f"Observation {result.test.name} {result.observation} {result.positive} {result.negative}"
    )
    lines.append(f"Time {result.test.name} {result.seconds:.2f}")
    if extras:
        if result.partial:
            lines.append(f"# Partial: {result.partial}; the states above are those found so "
                         "far, the result may change")  # fmt: skip
        lines.extend(f"# Caution: {caution}" for caution in result.cautions)
        engine = result.engine + (f" on {result.target}" if result.target else "")
        if result.scheme:
            engine += f" (scheme {result.scheme})"
        elif result.test.is_source and not result.target:
            engine += " (the language model; a --target runs the compiled test)"
        lines.append(f"# Engine {engine}, mode {result.mode}")
        if result.race:
            lines.append(f"# Data race (undefined behaviour): {result.race}")
        what = "execution" if result.mode == "axiomatic" else "schedule"
        for line, state in states:
            if state.witness:
                lines.append(f"# Witness {line} {what} {state.witness}")
        lines.append(f"# {_effort(result)}")
        if result.budget_exhausted:
            lines.append(f"# Budget: {plural(result.budget_exhausted, 'execution')} hit the "
                         "step budget")  # fmt: skip
        if result.stuck:
            lines.append(f"# Stuck: {plural(result.stuck, 'run')} found no way to finish, "
                         "stepping back from states the model could not go on from; not "
                         "counted above")  # fmt: skip
        if result.filtered:
            lines.append(f"# Filtered: {plural(result.filtered, 'run')} ended in a final state "
                         "the test's filter fails; not counted above, as litmus7")  # fmt: skip
    return "\n".join(lines)


def _effort(result: TestResult) -> str:
    """What the engine did: states explored, runs made, a schedule replayed."""
    if result.mode == "axiomatic":
        return f"Checked {plural(result.explored_states, 'candidate execution')}"
    if result.mode == "random":
        by = "Ctrl-C" if result.interrupted else "the limit"
        cut = f" (and {result.cut_short} cut short by {by})" if result.cut_short else ""
        return (f"Ran {plural(result.runs, 'run')}{cut}, "
                f"{plural(result.transitions, 'transition')}")  # fmt: skip
    if result.mode == "replay":
        return f"Replayed {plural(result.transitions, 'transition')}"
    apart = (f" in {result.parts} parts, what two parts reach counted in each"
             if result.parts > 1 else "")  # (`run --split`)
    return (f"Explored {plural(result.explored_states, 'state')}, "
            f"{plural(result.transitions, 'transition')}{apart}")  # fmt: skip

