"""The units of work `run`, `check` and `hunt` hand to a `Runner` (fencelab/parallel).

Each is a module-level function of picklable arguments (a `RunOptions` crosses processes as
the names it was made from; targets as their names) returning picklable results. A bad input
is returned as a `Failure` (its one line), not raised, so that the results of the other tests
still arrive in order; a task stopped by Ctrl-C returns a partial result, or `Stopped`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fencelab.errors import FencelabError
from fencelab.litmus.ast import LitmusTest
from fencelab.parallel import Stopped
from fencelab.pipeline import RunOptions, compiled
from fencelab.result import INTERRUPTED, FinalState, TestResult


@dataclass(frozen=True)
class Failure:
    """A task that met bad input: the one line to report."""

    message: str


@dataclass(frozen=True)
class Shown:
    """One result of `run` and what `run` prints of it, made where the result is (a worker), so
    that the one process that prints only prints: herd's text or (`--json`) the JSON record,
    (not with `--json`) its row of the summary table, and whether Ctrl-C cut it short. The
    result itself is kept only for a caller that draws it or sets it beside others (`run_one`);
    `run_file` leaves it out (None): the process that prints does not need it, and a worker's
    result costs that process 0.2-0.5 ms to unpickle (its final states and witnesses)."""

    result: TestResult | None
    text: str | dict
    row: tuple[str, ...] = ()
    interrupted: bool = False


def run_one(test: LitmusTest, options: RunOptions, file: str, as_json: bool,
            progress=None) -> Shown | Failure:  # fmt: skip
    """`fencelab run` of one test under one of its plans (`pipeline.plan`): the result and what
    `run` prints of it."""
    from fencelab.pipeline import run_test

    try:
        return shown(run_test(test, options, progress=progress), file, as_json)
    except FencelabError as e:
        return Failure(str(e))


def run_file(source, options: RunOptions, file: str, as_json: bool,
             progress=None) -> Shown | Failure:  # fmt: skip
    """`fencelab run` of one test given by its path (or already read: standard input) with no
    --target, so that it runs once (`pipeline.plan`): read, planned and run where the task runs
    (a worker), so that the process that prints neither reads nor parses. A test that cannot
    be read or planned is its one line, as `run_one`'s errors are. What is printed only: no
    `result` (`Shown`)."""
    from fencelab.litmus.parser import read_test
    from fencelab.pipeline import plan

    try:
        test = read_test(source) if isinstance(source, str) else source
        (here,), _ = plan(test, options)
    except FencelabError as e:
        return Failure(str(e))
    got = run_one(test, here, file, as_json, progress)
    return replace(got, result=None) if isinstance(got, Shown) else got


def shown(result: TestResult, file: str, as_json: bool) -> Shown:
    from fencelab.report.herd import format_herd
    from fencelab.report.run import result_record, summary_row

    if as_json:
        return Shown(result, result_record(result, file), interrupted=result.interrupted)
    return Shown(result, format_herd(result), summary_row(result), result.interrupted)


def run_split(runner, test: LitmusTest, options: RunOptions, file: str,
              as_json: bool) -> Shown | Failure | Stopped:  # fmt: skip
    """`run_one` with the test's exhaustive exploration split across the runner's workers by
    its first transitions (`split_parts`), the parts merged (`merge_parts`). Ctrl-C: the parts
    found so far, merged, partial."""
    import time

    try:
        started = time.perf_counter()
        starts = split_parts(test, options, 4 * max(runner.jobs, 2))
        parts, partial = [], ""
        try:
            for part in runner.map(run_part, ((test, options, s) for s in starts)):
                if isinstance(part, Failure):
                    return part
                if isinstance(part, Stopped):
                    raise KeyboardInterrupt
                parts.append(part)
                if part.interrupted:
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            partial = INTERRUPTED
            if not parts:
                return Stopped()
        merged = merge_parts(parts, time.perf_counter() - started)
        merged.partial = merged.partial or partial
        return shown(merged, file, as_json)
    except FencelabError as e:
        return Failure(str(e))


def run_part(test: LitmusTest, options: RunOptions,
             start: tuple[str, ...]) -> TestResult | Failure:  # fmt: skip
    """One part of a split test (`split_parts`): what follows the schedule `start`."""
    from fencelab.pipeline import run_test

    try:
        return run_test(test, replace(options, start=start))
    except FencelabError as e:
        return Failure(str(e))


def split_parts(test: LitmusTest, run: RunOptions, width: int) -> list[tuple[str, ...]]:
    """Schedules that split the exhaustive exploration of `test` into about `width` parts (by
    its first transitions), or [()] when it cannot be split (not exhaustive, not a machine)."""
    from fencelab.machine.explore import frontier
    from fencelab.models.registry import OPERATIONAL
    from fencelab.pipeline import machine_for, model_for

    if run.mode != "exhaustive" or width < 2 or (run.model is not None and run.model.is_source):
        return [()]
    asm, target = compiled(test, run.target, run.scheme)
    if model_for(asm.arch, target, run.model).kind != OPERATIONAL:
        return [()]
    return [tuple(keys) for keys in frontier(machine_for(test, run), width)]


def merge_parts(parts: list[TestResult], seconds: float) -> TestResult:
    """The parts of a split test as one result: every outcome (the first part's witness for
    each), explored states, transitions and budget hits summed (parts may overlap)."""
    first = parts[0]
    witnesses: dict = {}
    for part in parts:
        for state in part.states:
            witnesses.setdefault(state.outcome, state.witness)
    merged = replace(first, states=[FinalState(o, w) for o, w in witnesses.items()])
    merged.explored_states = sum(p.explored_states for p in parts)
    merged.transitions = sum(p.transitions for p in parts)
    merged.budget_exhausted = sum(p.budget_exhausted for p in parts)
    merged.partial = next((p.partial for p in parts if p.partial), "")
    merged.seconds = seconds
    return merged


def compute(test: LitmusTest, options: RunOptions) -> TestResult | Failure:
    """One result a caching pipeline would file (`Pipeline.work`): for `check_all`."""
    from fencelab.pipeline import Pipeline

    try:
        _, work = Pipeline(cache=True).work(test, options)
        return work()
    except FencelabError as e:
        return Failure(str(e))


def check_all(checker, items, runner):
    """`checker.check(test, target, scheme)` for each item, in order, with every distinct
    result they need (each source test under the source model, each distinct compiled program
    under the hardware model) computed once by the runner's workers and filed in the checker's
    pipeline, which then finds them all (so `hunt` still explores each distinct program once,
    and counts it once). Ctrl-C: the check awaited is made of what its results found (partial),
    then KeyboardInterrupt."""
    pipeline = checker.pipeline
    jobs: dict = {}  # key -> (test, options), in the order first needed
    needs = []
    for test, target, scheme in items:
        keys = []
        for options in (checker.source_options(checker.source_model),
                        checker.hardware_options(target, scheme)):  # fmt: skip
            try:
                key, _ = pipeline.work(test, options)
            except FencelabError:
                continue  # checker.check reports it
            if not pipeline.cached(key):
                jobs.setdefault(key, (test, options))
            keys.append(key)
        needs.append(keys)
    results = zip(jobs, runner.map(compute, jobs.values()))
    done: set = set()
    for item, keys in zip(items, needs):
        for key in keys:
            while key not in done and not pipeline.cached(key):
                got, result = next(results)
                done.add(got)
                if isinstance(result, Stopped):
                    raise KeyboardInterrupt  # Ctrl-C before it found anything
                if not isinstance(result, Failure):
                    pipeline.remember(got, result)  # a partial one too: its check says so
        yield checker.check(*item)
