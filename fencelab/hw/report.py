"""A hardware run as text: litmus7's histogram, then the model side by side (our lines: `#`).

litmus7's lines, as its generated harness prints them: `Test NAME KIND`, `Histogram (N states)`,
one `count*>state` (the run's `cond` held) or `count:>state` line per final state, `Ok`/`No`, a
blank line, `Witnesses`, `Positive: p, Negative: n` (for ~exists and forall litmus7 swaps them),
`Condition ... is [NOT ]validated`, `Observation NAME Never|Sometimes|Always t f`, `Time NAME s`.
A state the CPU produced that the model forbids is shouted on a line of its own starting `!!!`.
"""

from __future__ import annotations

from operator import itemgetter

from fencelab.hw.run import HwResult
from fencelab.litmus.printer import format_condition, format_state


def format_litmus7(result: HwResult) -> str:
    name = result.test.name
    quantifier = result.test.condition.quantifier
    p_true, p_false = result.p_true, result.p_false
    positive, negative = (p_true, p_false) if quantifier == "exists" else (p_false, p_true)
    cond_true, cond_false = (p_false, p_true) if quantifier == "forall" else (p_true, p_false)
    observation = "Never" if not cond_true else "Always" if not cond_false else "Sometimes"
    lines = [f"Test {name} {result.model.kind}", f"Histogram ({len(result.counts)} states)"]
    for line, outcome, count in _sorted(result.counts, result.test.arch):
        mark = "*" if result.cond(outcome) else ":"
        lines.append(f"{count:<6}{mark}>{line}")
    lines += [
        "Ok" if result.ok else "No",
        "",
        "Witnesses",
        f"Positive: {positive}, Negative: {negative}",
        f"Condition {format_condition(result.test.condition)} is "
        f"{'' if result.ok else 'NOT '}validated",
        f"Observation {name} {observation} {cond_true} {cond_false}",
        f"Time {name} {result.native.seconds:.2f}",  # (litmus7: `Time SB 0.11`)
    ]
    if result.filtered:
        lines.append(f"# Filtered: {result.filtered} runs ended in a final state the test's "
                     "filter fails; not counted above, as litmus7")  # fmt: skip
    return "\n".join(lines)


def format_side_by_side(result: HwResult, cpu: str = "") -> str:
    """Our lines: where it ran, the model's verdict, every state on either side, the shouts."""
    model = result.model
    native = result.native
    threads = len(result.program.threads)
    if native.cpus:
        placed = ", ".join(f"P{t} on CPU {c}" for t, c in enumerate(native.cpus))
    else:
        placed = f"{threads} threads not pinned (fewer CPUs than threads)"
    lines = [
        f"# Hardware {result.program.target.name}{f' ({cpu})' if cpu else ''}: "
        f"{result.runs} runs, {placed}, {result.runs_per_second:,.0f} runs/s",
        f"# Model {model.engine}"
        + (f" on {model.target}" if model.target else "")
        + (f" (scheme {model.scheme})" if model.scheme else "")
        + f", {model.mode}: {'Ok' if model.ok else 'No'}, "
        f"Observation {model.observation} {model.positive} {model.negative}"
        + (f", {model.budget_exhausted} executions cut by the step budget"
           if model.budget_exhausted else "")
        + (f", partial: {model.partial}" if model.partial else ""),  # fmt: skip
        f"# {'runs':>10}  {model.engine + ' says':<10}  final state",
    ]
    allowed = model.outcome_set()
    every = dict.fromkeys(allowed, 0) | result.counts
    outside = "FORBIDDEN" if result.model_complete else "unreached"
    arch = result.test.arch
    for line, outcome, count in _sorted(every, arch):
        verdict = "allowed" if outcome in allowed else outside
        lines.append(f"# {count:>10}  {verdict:<10}  {line}")
    forbidden = result.forbidden()
    origin = result.program.test.origin
    for outcome, count in forbidden:
        if model.engine == result.program.target.default_model:
            why = f"which {model.engine} forbids: a model bug or a hardware erratum"
        elif origin is not None and not model.target:  # a language model judged the source
            why = (f"which {model.engine} forbids: the code scheme {origin.scheme} compiled lets "
                   f"this CPU do what the {result.test.arch.title()} test may not (an unsound "
                   "scheme? fencelab check)")  # fmt: skip
        else:
            why = f"which {model.engine} forbids: this CPU is weaker than {model.engine}"
        lines.append(f"!!! {result.test.name}: THE CPU PRODUCED A STATE THE MODEL FORBIDS: "
                     f"{count} runs ended in {format_state(outcome, arch)} {why}")  # fmt: skip
    unreached = result.unreached()
    if unreached:
        cut = (f"stopped early: {model.partial}" if model.partial
               else "cut executions at the step budget (raise with --budget N)")  # fmt: skip
        lines.append(f"# {len(unreached)} state(s) this CPU produced are not among the outcomes "
                     f"{model.engine} reached, which neither allows nor forbids them: its "
                     f"exploration {cut}")  # fmt: skip
    elif not forbidden:
        lines.append(f"# Every state this CPU produced is allowed by {model.engine}.")
    return "\n".join(lines)


SUMMARY = ("test", "run on", "runs", "states", "result", "model", "CPU vs model")
SUMMARY_RIGHT = ("runs", "states")


def summary_row(result: HwResult) -> tuple[str, ...]:
    """One test's cells in the summary of several, after its name: where it ran, the runs,
    the states the CPU produced, litmus7's result, the model and what it says of those states."""
    model = result.model
    forbidden, unreached = result.forbidden(), result.unreached()
    if forbidden:
        verdict = f"{len(forbidden)} FORBIDDEN"
    elif unreached:
        verdict = f"{len(unreached)} unreached (model partial)"
    else:
        verdict = "all allowed"
    where = f"{model.target} " if model.target else ""
    return (f"{result.program.target.name} CPU", str(result.runs), str(len(result.counts)),
            "Ok" if result.ok else "No", f"{where}{model.engine}", verdict)  # fmt: skip


def summary_table(rows: list[tuple[str, tuple[str, ...]]]):
    """Several tests, one row each: the test as given (`cli.options.Input.label`) and its
    `summary_row`."""
    from rich.table import Table

    table = Table(title="Summary")
    for col in SUMMARY:
        table.add_column(col, justify="right" if col in SUMMARY_RIGHT else "left",
                         no_wrap=col == "test")  # fmt: skip
    for label, cells in rows:
        table.add_row(label, *cells)
    return table


def _sorted(counts: dict, arch: str) -> list[tuple[str, object, int]]:
    """(line, state, count) of each state, by their lines, as `run` lists them (`herd_states`):
    each line made once."""
    return sorted(((format_state(o, arch), o, n) for o, n in counts.items()), key=itemgetter(0))
