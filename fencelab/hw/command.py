"""`fencelab hw`: each test on this CPU, then the model beside it; one bad test loses no other.

Exit status: 0; 1 when the CPU produced a state its model forbids; 2 when a test could not run
(one line on stderr, naming it). Progress goes to stderr, and only on a terminal.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field

import click
from rich.console import Console

from fencelab.errors import FencelabError, in_file
from fencelab.isa.target import Target
from fencelab.limits import DEFAULT_LIMITS, Limits
from fencelab.litmus.ast import LitmusTest
from fencelab.machine.machine import DEFAULT_BUDGET


@dataclass
class HwRuns:
    """What `hw_command` did: the exit status; for each test that ran, its name and its row of
    the summary (`report.summary_row`); how many could not run (each its error line); and,
    when Ctrl-C stopped it, "partial" (the last result's model run was cut short: printed,
    marked partial) or "stopped" (the CPU's runs were: no result), else ""."""

    status: int = 0
    rows: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    failed: int = 0
    interrupted: str = ""


def hw_command(tests: list[tuple[str, LitmusTest | FencelabError]], runs: int,
               target: Target | None, scheme, model=None,
               limits: Limits = DEFAULT_LIMITS, status: bool = True,
               budget: int = DEFAULT_BUDGET) -> HwRuns:  # fmt: skip
    """`tests`: each test's name in the summary (its path as the user's input spells it) and
    the test read, or the error reading it; `target`, `scheme`, `model`: resolved by the CLI's
    shared options. An asm test runs on its own architecture whatever `target` says (a note when
    it does not fit, as `fencelab run` says it). Ctrl-C stops it after the test it cut
    short. `status`: a line on stderr says what runs, where stderr is a terminal (the CLI
    says whether it is one someone watches, `output.watched`). `budget`: the model's step
    budget, as `run --budget`."""
    from fencelab.hw.native import cpu_name
    from fencelab.hw.report import format_litmus7, format_side_by_side, summary_row
    from fencelab.hw.run import run_hw
    from fencelab.pipeline import RunOptions, plan

    if runs < 1:
        raise FencelabError(f"--runs must be at least 1 (got {runs})")
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    done = HwRuns()
    cpu = cpu_name()
    for label, test in tests:
        try:
            if isinstance(test, FencelabError):
                raise test
            here = target
            if target is not None and not test.is_source:
                configs, note = plan(test, RunOptions(), (target,))
                if note:
                    err.print(f"fencelab: note: {note}", markup=False)
                here = configs[0].target
            status_line = f"{label}: {runs} runs on the CPU, then the model"
            with err.status(status_line) if status and err.is_terminal else nullcontext():
                result = run_hw(test, runs, (here,) if here else None, scheme, model, limits,
                                budget)
        except FencelabError as e:  # (once read, the test's file named, as run's errors)
            why = str(e) if isinstance(test, FencelabError) else in_file(str(e), test.file)
            err.print(f"fencelab: error: {why}", markup=False)
            done.status, done.failed = 2, done.failed + 1
            continue
        except KeyboardInterrupt:  # (the CPU's runs stopped: nothing to show of them)
            done.interrupted = "stopped"
            break
        threads = len(result.program.threads)
        if threads > 1 and not result.native.cpus:
            err.print(f"fencelab: note: {test.file} has {threads} threads and fencelab may use "
                      "fewer CPUs: it ran anyway, threads not pinned (weak outcomes are rarer)",
                      markup=False)  # fmt: skip
        click.echo(format_litmus7(result))
        click.echo(format_side_by_side(result, cpu))
        click.echo()
        done.rows.append((label, summary_row(result)))
        forbidden = result.forbidden()
        if forbidden:
            err.print(f"fencelab: warning: {test.file}: the CPU produced {len(forbidden)} "
                      f"state(s) that {result.model.engine} forbids (see the !!! lines)",
                      markup=False)  # fmt: skip
            done.status = max(done.status, 1)
        if result.model.interrupted:  # the model's run, cut short by Ctrl-C: no more tests
            done.interrupted = "partial"
            break
    return done
