"""How `run` prints beyond herd's text (fencelab/report/herd.py): JSON records, the side-by-side
table of one test on several targets, and the summary of many results."""

from __future__ import annotations

from rich.table import Table

from fencelab.litmus.conditions import holds
from fencelab.litmus.printer import (
    format_condition,
    format_observable,
    format_outcome,
    format_value,
)
from fencelab.result import TestResult


def result_record(result: TestResult) -> dict:
    """One result as a JSON object (`run --json`, one per line)."""
    return {
        "test": result.test.name,
        "arch": result.test.arch,
        "target": result.target,
        "scheme": result.scheme,
        "model": result.engine,
        "mode": result.mode,
        "verdict": result.verdict,
        "ok": result.ok,
        "observation": result.observation,
        "positive": result.positive,
        "negative": result.negative,
        "condition": format_condition(result.condition),
        "states": [
            {
                "outcome": {format_observable(o): v if isinstance(v, int) else format_value(v)
                            for o, v in s.outcome},  # fmt: skip
                "satisfies": holds(result.condition.prop, s.outcome),
                "witness": s.witness,
                "count": s.count,
            }
            for s in result.states
        ],
        "explored_states": result.explored_states,
        "transitions": result.transitions,
        "budget_exhausted": result.budget_exhausted,
        "partial": result.partial,
        "seconds": round(result.seconds, 6),
    }


def side_by_side(results: list[TestResult]) -> Table:
    """One test on several targets: which outcome each one can reach."""
    test = results[0].test
    table = Table(title=f"{test.name}: outcomes by target")
    table.add_column("outcome")
    table.add_column("cond", justify="center")
    for r in results:
        table.add_column(f"{r.target}\n{r.engine}", justify="center")
    outcomes = sorted({s.outcome for r in results for s in r.states}, key=format_outcome)
    for outcome in outcomes:
        marks = ["yes" if outcome in r.outcome_set() else "-" for r in results]
        table.add_row(format_outcome(outcome), "*" if holds(test.condition.prop, outcome) else "",
                      *marks)  # fmt: skip
    return table


def summary_table(results: list[TestResult]) -> Table:
    table = Table(title="Summary")
    for col in ("test", "run on", "verdict", "states", "explored", "time"):
        table.add_column(col, justify="right" if col in ("states", "explored", "time") else "left",
                         no_wrap=col != "test", overflow="fold")  # fmt: skip
    for r in results:
        table.add_row(
            r.test.name, f"{r.target} {r.engine}".strip(),
            f"{r.verdict}, {r.observation} {r.positive} {r.negative}",
            str(len(r.states)), str(r.explored_states), f"{r.seconds * 1000:.0f} ms",
        )  # fmt: skip
    return table
