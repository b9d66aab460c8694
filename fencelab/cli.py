"""The `fencelab` command line.

Every command reports bad input as one line on stderr and exits with status 2 (click's own usage
errors exit with 2 too). Commands live in this file as thin wrappers; the work is done in the
package named after the concept (`lowering`, `litmus`, `machine`, `models`, `tui`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps

import click
from rich.console import Console

from fencelab.errors import FencelabError

console = Console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def user_errors(fn: Callable) -> Callable:
    """Turn a FencelabError into one line on stderr and exit status 2."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FencelabError as e:
            err_console.print(f"fencelab: error: {e}", markup=False)
            sys.exit(2)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fencelab")
def main() -> None:
    """fencelab: memory ordering you can run and watch.

    Map atomic operations to real instructions (x86-64, ARMv7, ARMv8, ARMv8.1 LSE, ARMv8.3
    RCpc), run litmus tests on Unicorn cores under faithful memory models, and step through
    them in a terminal UI.
    """


# Commands are registered below, one block each.


# --- run ---------------------------------------------------------------------------------------


def _litmus_files(paths: tuple[str, ...]) -> list[str]:
    """Files named, and every *.litmus below each directory named (sorted)."""
    from pathlib import Path

    files: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files.extend(str(f) for f in sorted(path.rglob("*.litmus")))
        elif path.exists():
            files.append(str(path))
        else:
            raise FencelabError(f"{p}: no such file or directory")
    if not files:
        raise FencelabError("no litmus tests found in " + ", ".join(paths))
    return files


def _result_json(result) -> dict:
    from fencelab.result import _obs_text, holds, value_text

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
        "condition": _condition_text(result.condition),
        "states": [
            {
                "outcome": {_obs_text(o): value_text(v) for o, v in s.outcome},
                "satisfies": holds(result.condition.prop, s.outcome),
                "witness": s.witness,
                "count": s.count,
            }
            for s in result.states
        ],
        "explored_states": result.explored_states,
        "transitions": result.transitions,
        "budget_exhausted": result.budget_exhausted,
        "seconds": round(result.seconds, 6),
    }


def _condition_text(condition) -> str:
    from fencelab.litmus.printer import format_condition

    return format_condition(condition)


@main.command()
@click.argument("tests", nargs=-1, required=True, type=click.Path())
@click.option("--target", "-t", default=None,
              help="ISA for source tests (default x86_64), or 'all'; asm tests run on their own.")
@click.option("--scheme", "-s", default="default", show_default=True,
              help="Lowering scheme used to compile source tests.")
@click.option("--model", "-m", default=None,
              help="Memory model: sc, tso, arm (default: the target's own: x86_64 tso, ARM arm).")
@click.option("--mode", type=click.Choice(["exhaustive", "random", "replay"]),
              default="exhaustive", show_default=True)
@click.option("--runs", default=1000, show_default=True, help="Runs in random mode.")
@click.option("--seed", default=0, show_default=True, help="Seed in random mode.")
@click.option("--schedule", default="", help="Transition keys to follow in replay mode (a,b,c).")
@click.option("--budget", default=40, show_default=True,
              help="Memory instructions per core before an execution counts as unbounded.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per test (JSON lines).")
@user_errors
def run(tests, target, scheme, model, mode, runs, seed, schedule, budget, as_json):
    """Run litmus tests (files or directories) and print herd7-style results."""
    import json

    from rich.progress import Progress as RichProgress

    from fencelab.litmus.parser import parse_file
    from fencelab.machine.run import RunOptions, run_test, targets_for
    from fencelab.result import format_herd

    options = RunOptions(target, scheme, model, mode, runs, seed, schedule, budget)
    files = _litmus_files(tests)
    results = []
    show_progress = len(files) > 1 and not as_json and console.is_terminal
    with RichProgress(console=err_console, transient=True, disable=not show_progress) as bar:
        task = bar.add_task("running", total=len(files))
        for path in files:
            test = parse_file(path)
            for tgt in targets_for(test, target):
                bar.update(task, description=f"{test.name} {tgt or ''}".strip())
                result = run_test(test, options, tgt)
                results.append(result)
                if as_json:
                    click.echo(json.dumps(_result_json(result)))
                else:
                    console.print(format_herd(result), markup=False, highlight=False)
                    console.print()
            bar.advance(task)
    if len(results) > 1 and not as_json:
        console.print(_summary_table(results))


def _summary_table(results):
    from rich.table import Table

    table = Table(title="Summary")
    for col in ("test", "target", "model", "verdict", "observation", "states", "explored", "time"):
        table.add_column(col, justify="right" if col in ("states", "explored", "time") else "left")
    for r in results:
        table.add_row(
            r.test.name, r.target, r.engine, r.verdict, f"{r.observation} {r.positive} {r.negative}",
            str(len(r.states)), str(r.explored_states), f"{r.seconds * 1000:.0f} ms",
        )  # fmt: skip
    return table
