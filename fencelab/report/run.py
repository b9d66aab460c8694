"""How `run` prints beyond herd's text (fencelab/report/herd.py): JSON records, the side-by-side
table of one test on several targets, and the summary of many results."""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING

from fencelab.litmus.conditions import holds
from fencelab.litmus.printer import (
    format_condition,
    format_observable,
    format_state,
    format_value,
    herd_order,
)
from fencelab.report.tables import literal
from fencelab.result import TestResult, herd_states

if TYPE_CHECKING:
    from rich.table import Table


def result_record(result: TestResult, file: str | None = None) -> dict:
    """One result as a JSON object (`run --json`, one per line). `kind` and `result` are
    herd's words (first line; the text's line after the states, `TestResult.result_line`: Ok /
    No, or Undef when an execution has a data race, after `Loop ` when executions were cut, as
    herd's own JSON), `verdict` ours (what the model says of the condition's outcome; null
    where it says nothing: `TestResult.judged`); `flags` herd's `Flag` lines
    (`*undef*`), `race` one data race found; a field that does not apply is null."""
    random = result.mode == "random"
    arch = result.test.arch  # registers spelled as herd's text prints them: `0:rax`, `1:X2`
    return {
        "test": result.test.name,
        "file": file,
        "arch": result.test.arch,
        "target": result.target or None,
        "scheme": result.scheme or None,
        "model": result.engine,
        "mode": result.mode,
        "kind": result.kind,
        "result": result.result_line,
        "verdict": result.verdict if result.judged else None,  # cut short: none (as the TUI)
        "observation": result.observation,
        "positive": result.positive,
        "negative": result.negative,
        "condition": format_condition(result.condition, arch),
        "states": [
            {
                "outcome": dict(_json_binding(o, v, arch) for o, v in herd_order(s.outcome, arch)),
                "satisfies": holds(result.condition.prop, s.outcome),
                "witness": s.witness or None,
                "count": s.count if random else None,
            }
            for _, s in herd_states(result)  # (the text's order)
        ],
        "explored_states": result.explored_states if result.mode in ("exhaustive", "axiomatic")
        else None,
        "transitions": result.transitions if result.mode != "axiomatic" else None,
        "parts": result.parts or None,
        "runs": result.runs if random else None,
        "budget_exhausted": result.budget_exhausted,
        "stuck": result.stuck if random else None,
        "cut_short": result.cut_short if random else None,
        "filtered": result.filtered if result.mode in ("random", "replay") else None,
        "partial": result.partial or None,
        "cautions": list(result.cautions),
        "flags": list(result.flags),
        "race": result.race or None,
        "seconds": round(result.seconds, 6),
    }


def error_record(message: str, file: str, test: str | None, target: str | None) -> dict:
    """A test, or a test on one target, that could not be read or run, as a JSON object (`run
    --json`, in its turn among the results): its name once read, its file as given, the target,
    and the line its error prints on stderr. A program reading the records meets every input,
    not only those that ran."""
    return {"test": test, "file": file, "target": target, "error": message}


def where(result: TestResult) -> str:
    """Where a result was found: `x86_64 tso`, `armv8 arm, scheme rcpc`, `c11 (language)`."""
    if not result.target:
        return f"{result.engine} (language)" if result.test.is_source else result.engine
    text = f"{result.target} {result.engine}"
    return text + (f", scheme {result.scheme}" if result.scheme else "")


def side_by_side(results: list[TestResult]) -> Table:
    """One test on several targets (and its language model): which outcome each can reach."""
    test = results[0].test
    table = _table(f"{test.name}: outcomes by target")
    table.add_column("outcome", no_wrap=True)
    table.add_column("cond", justify="center", no_wrap=True)
    for r in results:
        head = f"{r.engine}\nlanguage" if not r.target else f"{r.target}\n{r.engine}"
        head += "\nUndef (race)" if r.undefined else ""
        table.add_column(head, justify="center", no_wrap=True)
    lines = {s.outcome: format_state(s.outcome, test.arch) for r in results for s in r.states}
    for outcome, line in sorted(lines.items(), key=itemgetter(1)):  # (as `run` lists them)
        marks = ["yes" if outcome in r.outcome_set() else "-" for r in results]
        table.add_row(literal(line),
                      "*" if holds(test.condition.prop, outcome) else "", *marks)  # fmt: skip
    return table


def summary_row(result: TestResult) -> tuple[str, ...]:
    """One result's cells in the summary, after the test's name: where it ran, herd's kind and
    result, the observation, final states, time (made where the result is: a worker)."""
    verdict = result.result_line + (" (partial)" if result.partial else "")
    return (where(result), result.kind, verdict,
            f"{result.observation} {result.positive} {result.negative}", str(len(result.states)),
            f"{result.seconds * 1000:.0f} ms")  # fmt: skip


SUMMARY = ("test", "run on", "kind", "result", "observation", "states", "time")
_SUMMARY_RIGHT = ("states", "time")


def summary_table(rows: list[tuple[str, tuple[str, ...]]]) -> Table:
    """Many results, one row each: the test as given (its path relative to the folder named)
    and its `summary_row`."""
    table = _table("Summary")
    for col in SUMMARY:
        table.add_column(col, justify="right" if col in _SUMMARY_RIGHT else "left",
                         no_wrap=True)  # fmt: skip
    for label, cells in rows:
        table.add_row(literal(label), *cells)
    return table


def summary_lines(console, rows: list[tuple[str, tuple[str, ...]]]) -> list[str] | None:
    """`summary_table` as rich prints it on a pipe (`console`), made without rich (which a
    piped run then never imports), or None when rich must draw it (`grid_lines`, and a stream
    not in UTF: `unicode_boxes`)."""
    from fencelab.report.tables import grid_lines, unicode_boxes

    if not unicode_boxes(console):
        return None
    return grid_lines("Summary", SUMMARY, [c in _SUMMARY_RIGHT for c in SUMMARY],
                      [(label, *cells) for label, cells in rows])  # fmt: skip


def _table(title: str) -> Table:
    from rich.table import Table  # imported when a table is made: a one-test run makes none

    return Table(title=literal(title))


def _json_binding(obs, value, arch: str) -> tuple[str, object]:
    """One observable of a final state in JSON: `"0:X0": 1`, `"[x]": 2`, `"v[1]": 2`, a pointer
    `"[p]": "x"`, a whole array by its name with a list: `"v": [1, 2]`, `"v": ["x", 0]`."""
    if isinstance(value, tuple):
        return obs.name, [_json_value(v) for v in value]
    return format_observable(obs, arch), _json_value(value)


def _json_value(value) -> object:
    """A number as a JSON number, an address as its location's name: `1`, `"x"`."""
    return value if isinstance(value, int) else format_value(value)
