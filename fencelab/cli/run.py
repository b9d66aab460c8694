"""`fencelab run`: litmus tests (files, directories, `-`) through the pipeline, herd7-style output.

A catalogue run loses nothing to one bad test: a test that cannot be read or run is one line on
stderr (`file:line:col: ...`), the others run, the summary is printed, and the exit status is 2
at the end. Ctrl-C stops the run: the result in progress is printed marked partial, then the
summary, exit status 130.

With `-j N` (or `--cluster`) the runs of the plan (`pipeline.plan`: one per test and target)
go to worker processes (fencelab/parallel), which compute each result and the text printed of
it; this process prints them through cli/output.py in the order of the inputs, exactly as it
prints the results it computes itself with `-j 1`: a test's error is its one line at its place,
and Ctrl-C stops the workers and prints the result awaited, partial, then the summary.
"""

from __future__ import annotations

import json
import sys

import click

from fencelab.cli import output
from fencelab.cli.graph import graph_options, run_graph_writer
from fencelab.cli.options import (
    EXIT_INTERRUPTED,
    budget_option,
    exploration_options,
    given,
    limits_options,
    litmus_files,
    model_option,
    model_targets,
    parallel_options,
    refuse,
    refuse_idle_reductions,
    refuse_idle_scheme,
    scheme_option,
    scheme_targets,
    split_option,
    target_option,
)
from fencelab.errors import FencelabError, in_file
from fencelab.limits import DEFAULT_LIMITS
from fencelab.litmus.parser import header_arch, read_once, read_test


@click.command()
@click.argument("tests", nargs=-1, required=True, type=click.Path())
@target_option(help="Run C and Rust tests compiled for these targets: T, T,T,... or all (all "
               "adds the language model's column). Default: the language model judges them, "
               "as herd7 does. Asm tests run on their own architecture.")  # fmt: skip
@scheme_option()
@model_option()
@exploration_options
@budget_option()
@limits_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object per test (JSON lines).")
@graph_options("Write a picture of every outcome's execution (and of why the condition's "
               "outcome is forbidden, if it is) to this directory.")
@split_option()
@parallel_options
def run(tests, target, scheme, model, mode, runs, seed, schedule, budget, limits, as_json,
        graph_dir, graph_format, split, runner):  # fmt: skip
    """Run litmus tests (files, directories, or - for stdin) and print herd7-style results.

    Exit status: 0 when every test ran (whatever its condition's result, as herd7), 2 when a
    test could not be read or run, 130 when interrupted.
    """
    from fencelab.parallel import Failed, Lost, Stopped, tasks
    from fencelab.parallel.cost import estimate
    from fencelab.pipeline import RunOptions
    from fencelab.report.run import error_record, side_by_side, summary_lines, summary_table
    from fencelab.report.words import interrupted as interrupted_words
    from fencelab.report.words import plural

    if split and mode != "exhaustive":
        raise refuse("--split", f"divides exhaustive exploration; --mode {mode} has none")
    if split and runner.local:
        raise refuse("--split", "divides a test's exploration among worker processes; -j 1 "
                     "starts none" + ("" if given("jobs") else " (the default: one core here)"))
    options = RunOptions(None, scheme, model, mode, runs, seed, schedule, budget, limits)
    targets = model_targets(scheme_targets(target, scheme) if target else None, model)
    drawn = graph_dir is not None  # (its directory made once --graph is known to act)
    inputs = litmus_files(tests)
    refuse_idle_scheme(scheme, bool(targets))
    # read and planned here: a test that may run on many targets, one whose pictures are drawn
    # here, one split here, and every test of a cluster (whose workers may not see our files)
    if targets or drawn or split or runner.cluster is not None:
        parsed = [_read(item.path) for item in inputs]  # a test, or the error reading it
        sources = any(getattr(t, "is_source", False) for t in parsed)
        refuse_idle_scheme(scheme, sources)
        if targets and targets.every and sources and mode != "exhaustive":
            _refuse_language_column(model, mode, targets)
        planned = [_plan(test, options, targets) for test in parsed]  # (runs, note), or an error
        task = tasks.run_one
        if split:
            _refuse_idle_split(parsed, planned)
        if drawn:
            _refuse_idle_graph(model, _runs(parsed, planned))
    else:  # one run a test: read and planned where it runs (a local worker); stdin (and
        # what else can be read once only: a pipe, a FIFO) here
        parsed = [_read(item.path) if read_once(item.path) else item.path for item in inputs]
        planned = [entry if isinstance(entry, FencelabError) else ([options], "")
                   for entry in parsed]  # fmt: skip
        task = tasks.run_file
    refuse_idle_reductions(_runs(parsed, planned))
    pictures = run_graph_writer(graph_dir, graph_format)
    calls, cost, files = [], [], []
    for item, test, entry in zip(inputs, parsed, planned):
        if not isinstance(entry, FencelabError):
            calls += [(test, here, item.path, as_json) for here in entry[0]]
            cost += [0.0 if runner.local or not isinstance(test, str) else estimate(test)
                     ] * len(entry[0])  # (a test read here is not read again, nor split)
            files += [item.path] * len(entry[0])
    if not split:  # (split: one test's parts are the tasks)
        runner = runner.at_most(len(calls))
    # a test that would hold the other workers back runs in parts (tasks.split_tasks); not
    # under limits of the user's (parts stopped at a limit need not merge as one search would
    # have stopped)
    sizes = ([1] * len(calls) if task is not tasks.run_file or runner.local or mode != "exhaustive"
             or limits != DEFAULT_LIMITS else tasks.split_tasks(cost, runner.jobs))  # fmt: skip
    sizes = [size if size == 1 or tasks.splits(file, options) else 1
             for size, file in zip(sizes, files)]  # fmt: skip
    if any(size > 1 for size in sizes):
        calls, cost = ([c for call, size in zip(calls, sizes) for c in _parts(call, size)],
                       [c for c, size in zip(cost, sizes) for _ in range(size)])  # fmt: skip
    out = output.stdout()
    rows = []
    failed = 0
    interrupted = partial = False  # (partial: the last result printed was cut short)

    def fail(message: str, item, test=None, here=None, name: str | None = None) -> None:
        """A test (on `here`'s target) that could not be read or run: its line on stderr and,
        with --json, its error record on stdout, in its turn."""
        nonlocal failed
        failed += 1
        with bar.paused():
            output.error(message)
            if as_json:
                name = name or getattr(test, "name", None)
                target = here.target.name if here is not None and here.target else None
                output.data(out, json.dumps(error_record(message, item.path, name, target)))

    with runner, output.Progress("running", len(inputs)) as bar:
        what = ""  # the run in progress (its exploration reports here when it runs here)
        meter = limits.meter("run" if mode == "random" else "state")

        def explored(n: int) -> None:
            bar.describe(f"{what}: {meter.progress(n)}")

        if split:
            results = (tasks.run_split(runner, *call) for call in calls)
        elif any(size > 1 for size in sizes):
            runs = tasks.SplitRuns(sizes, files, as_json, limits)
            results = runs.joined(runner.map(task, calls, cost, runs.early))
        else:
            results = runner.map(task, calls, cost, progress=explored)
        for item, test, entry in zip(inputs, parsed, planned):
            if isinstance(entry, FencelabError):
                fail(str(entry), item, test)
                bar.advance()
                continue
            configs, note = entry
            if note:
                with bar.paused():
                    output.note(note)
            per_test = []
            for here in configs:
                what = f"{item.label} {here.target.name if here.target else ''}".strip()
                bar.describe(what)
                meter = limits.meter("run" if mode == "random" else "state")
                got = None
                try:
                    got = next(results)
                    if isinstance(got, Stopped):
                        raise KeyboardInterrupt
                    if isinstance(got, tasks.Failure):
                        raise FencelabError(got.message)
                    if isinstance(got, Lost):
                        raise FencelabError(f"{what}: {got.message} before it was done")
                    if isinstance(got, Failed):
                        raise FencelabError(f"{what}: {got.message}")
                    result, shown = got.result, got.text
                    written, problems = pictures(test, here, result) if pictures else ([], [])
                except FencelabError as e:
                    fail(str(e), item, test, here, getattr(got, "test", None))
                    continue
                except KeyboardInterrupt:
                    interrupted = True
                    break
                per_test.append(got)
                with bar.paused():
                    if as_json:
                        if pictures:
                            shown["graphs"] = [str(p) for p in written]
                            shown["graph_problems"] = problems
                        output.data(out, json.dumps(shown))
                    else:
                        text = shown + "".join(f"\n# Graph {p}" for p in (*written, *problems))
                        output.data(out, text + "\n")
                if got.interrupted:
                    interrupted = partial = True
                    break
            if len(per_test) > 1 and not as_json:
                with bar.paused():
                    output.table(out, side_by_side([done.result for done in per_test]))
            rows.extend((item.label, done.row) for done in per_test)
            bar.advance()
            if interrupted:
                break
    if not as_json and (len(inputs) > 1 or len(rows) > 1 or interrupted):
        lines = summary_lines(out, rows) if rows and isinstance(out, output.Plain) else None
        if lines is not None:  # a plain table on a pipe, without rich
            output.data(out, "\n".join(lines))
        elif rows:
            output.table(out, summary_table(rows))
        tail = [plural(len(rows), "result")]
        if failed:
            tail.append(f"{failed} could not run (errors above)")
        if interrupted:
            tail.append(interrupted_words("result", len(rows), partial, "later tests"))
        output.data(out, "; ".join(tail))
    if interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if failed:
        sys.exit(2)


def _refuse_idle_graph(model, runs) -> None:
    """`--graph DIR` draws what a machine ran (each witness replayed, and the forbidding cycle
    beside it): where every run is judged by an axiomatic `--model`, which runs none, it draws
    nothing and is refused, as `graph --model` refuses one (a C or Rust test's language column
    of `--target all` is drawn)."""
    from fencelab.models.registry import AXIOMATIC

    judged = [run for run in runs if run is not None]
    if judged and all(m.kind == AXIOMATIC for m, _ in judged):
        raise refuse("--graph", f"draws the executions a machine runs; --model {model.name} is "
                     "axiomatic and runs none (--graph with an operational or language model)")


def _runs(parsed: list, planned: list):
    """The model and code of each run (`pipeline.judged_by`); a test read where it runs is
    known by its header's architecture (`header_arch`), as `plan` would plan it."""
    from fencelab.pipeline import judged_by

    for test, entry in zip(parsed, planned):
        if isinstance(entry, FencelabError):
            continue
        arch = header_arch(test) if isinstance(test, str) else test.arch
        if arch is not None:
            yield from (judged_by(arch, here) for here in entry[0])


def _read(path: str):
    try:
        return read_test(path)
    except FencelabError as e:
        return e


def _refuse_language_column(model, mode: str, targets) -> None:
    """`--target all` sets the language model's column beside the targets' for a C or Rust
    test (`pipeline.plan`); that model is axiomatic, so `--mode random|replay`, which runs a
    machine, cannot give it: refused before any test runs, not after the targets' results."""
    from fencelab.models.registry import get_model
    from fencelab.pipeline import LANGUAGE_MODEL

    language = model if model is not None and model.is_source else get_model(LANGUAGE_MODEL)
    raise refuse("--target all", f"sets the language model, {language.name}, beside the "
                 f"targets; it is axiomatic, with no --mode {mode} (that runs a machine): name "
                 f"the targets instead (--target {','.join(t.name for t in targets.items)})")


def _refuse_idle_split(parsed, planned) -> None:
    """`--split` divides an operational model's exhaustive exploration: refused when no run
    here has one (each run it cannot divide runs whole, `tasks.split_parts`)."""
    from fencelab.models.registry import OPERATIONAL
    from fencelab.parallel.tasks import judge

    judges = []
    for test, entry in zip(parsed, planned):
        for here in () if isinstance(entry, FencelabError) else entry[0]:
            try:
                judges.append(judge(test, here))
            except FencelabError:  # its error is its line, in its turn
                continue
    if judges and all(spec.kind != OPERATIONAL for spec in judges):
        names = ", ".join(dict.fromkeys(
            f"{s.name} ({'a language' if s.is_source else f'an {s.kind}'} model)" for s in judges))
        raise refuse("--split", "divides an operational model's exhaustive exploration among "
                     f"the workers; no model here is one: {names}")  # fmt: skip


def _plan(test, options, targets):
    """Where one test runs and the note to print first (`pipeline.plan`), or why it cannot."""
    from fencelab.pipeline import plan

    if isinstance(test, FencelabError):
        return test
    try:
        return plan(test, options, targets.items if targets else None,
                    targets.every if targets else False)  # fmt: skip
    except FencelabError as e:
        return FencelabError(in_file(str(e), test.file))


def _parts(call: tuple, size: int) -> list[tuple]:
    """`call` (of `tasks.run_file`), or its `size` parts."""
    return [call] if size == 1 else [(*call, (i, size)) for i in range(size)]
