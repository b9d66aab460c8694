"""The units of work `run`, `check` and `hunt` hand to a `Runner` (fencelab/parallel).

Each is a module-level function of picklable arguments (a `RunOptions` crosses processes as
the names it was made from; targets as their names) returning picklable results. A bad input
is returned as a `Failure` (its one line), not raised, so that the results of the other tests
still arrive in order; a task stopped by Ctrl-C returns a partial result, or `Stopped`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from itertools import chain, islice

from fencelab.errors import FencelabError, in_file
from fencelab.litmus.ast import LitmusTest
from fencelab.parallel import Early, Failed, Lost, Stopped
from fencelab.pipeline import RunOptions, compiled
from fencelab.result import INTERRUPTED, FinalState, TestResult


@dataclass(frozen=True)
class Failure:
    """A task that met bad input: the one line to report, and the test's name once it was
    read (`run --json`'s error record names it)."""

    message: str
    test: str | None = None


def failure(error: FencelabError, test: LitmusTest) -> Failure:
    """`error`, met once `test` was read, as its line: naming the test's file (`in_file`)."""
    return Failure(in_file(str(error), test.file), test.name)


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
            progress=None, keep: bool = True) -> Shown | Failure:  # fmt: skip
    """`fencelab run` of one test under one of its plans (`pipeline.plan`): the result (not
    kept without `keep`) and what `run` prints of it."""
    from fencelab.pipeline import run_test

    try:
        return shown(run_test(test, options, progress=progress), file, as_json, keep)
    except FencelabError as e:
        return failure(e, test)


def run_file(source, options: RunOptions, file: str, as_json: bool,
             part: tuple[int, int] | None = None, progress=None):  # fmt: skip
    """`fencelab run` of one test given by its path (or already read: standard input) with no
    --target, so that it runs once (`pipeline.plan`): read, planned and run where the task runs
    (a worker), so that the process that prints neither reads nor parses. A test that cannot
    be read or planned is its one line, as `run_one`'s errors are. What is printed only: no
    `result` (`Shown`). `part` (index, parts): one part of the test split (`split_tasks`): a
    `Found`, or when the test cannot be split, part 0 runs it whole and the others give None."""
    from fencelab.litmus.parser import read_test
    from fencelab.pipeline import plan

    try:
        test = read_test(source) if isinstance(source, str) else source
    except FencelabError as e:
        return Failure(str(e)) if part is None or part[0] == 0 else None
    try:
        (here,), _ = plan(test, options)
    except FencelabError as e:
        return failure(e, test) if part is None or part[0] == 0 else None
    if part is not None:
        found = explore_part(test, here, *part)
        if found is not None or part[0] != 0:
            return found
    return run_one(test, here, file, as_json, progress, keep=False)


def shown(result: TestResult, file: str, as_json: bool, keep: bool = True) -> Shown:
    """What `run` prints of `result`, and (`keep`) the result itself."""
    from fencelab.report.herd import format_herd
    from fencelab.report.run import result_record, summary_row

    kept = result if keep else None
    if as_json:
        return Shown(kept, result_record(result, file), interrupted=result.interrupted)
    return Shown(kept, format_herd(result), summary_row(result), result.interrupted)


def run_split(runner, test: LitmusTest, options: RunOptions, file: str,
              as_json: bool) -> Shown | Failure | Stopped | Lost | Failed:  # fmt: skip
    """`run_one` with the test's exhaustive exploration split across the runner's workers by
    its first transitions (`split_parts`), the parts merged (`merge_parts`). Ctrl-C: the parts
    found so far, merged, partial. A cluster's part that gave no result is the test's
    (`Lost`, `Failed`)."""
    import time

    from fencelab.pipeline import split_model

    try:
        if split_model(test, options) is not None:
            return _run_split_exactly(runner, test, options, file, as_json)
        started = time.perf_counter()
        above = split_parts(test, options, 4 * max(runner.jobs, 2))
        parts, partial = [], ""
        try:
            for part in runner.map(run_part, ((test, options, s) for s in above.starts)):
                if isinstance(part, (Failure, Lost, Failed)):
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
        merged = merge_parts(parts, above, time.perf_counter() - started)
        merged.partial = merged.partial or partial
        return shown(merged, file, as_json)
    except FencelabError as e:
        return failure(e, test)


def _run_split_exactly(runner, test: LitmusTest, options: RunOptions, file: str,
                       as_json: bool) -> Shown | Failure | Stopped | Lost | Failed:  # fmt: skip
    """`run_split` where the parts' graphs merge as one search (`explore_part`, `merge_found`):
    the output of the run not split. Ctrl-C: what the parts found, partial."""
    parts = PARTS_PER_JOB * max(runner.jobs, 2)
    got: list = []
    try:
        for found in runner.map(explore_part, [(test, options, i, parts) for i in range(parts)]):
            if isinstance(found, (Lost, Failed)):
                return found
            got.append(found)
            if isinstance(found, Found) and found.part.partial == INTERRUPTED:
                break  # (running here: the later parts are not started)
    except KeyboardInterrupt:
        return merge_found(got, file, as_json, options.limits, INTERRUPTED, keep=True)
    return merge_found(got, file, as_json, options.limits, keep=True)


def run_part(test: LitmusTest, options: RunOptions,
             start: tuple[str, ...]) -> TestResult | Failure:  # fmt: skip
    """One part of a split test (`split_parts`): what follows the schedule `start`."""
    from fencelab.pipeline import run_test

    try:
        return run_test(test, replace(options, start=start))
    except FencelabError as e:
        return failure(e, test)


def split_parts(test: LitmusTest, run: RunOptions, width: int):
    """Where the exhaustive exploration of `test` splits into about `width` parts (by its
    first transitions): an `explore.Frontier` of schedules (tuples) and the states above
    them, or one part, (), when it cannot be split (not exhaustive, not a machine)."""
    from fencelab.machine.explore import Frontier, frontier
    from fencelab.pipeline import machine_for

    if width < 2 or not can_split(test, run):
        return Frontier([()])
    above = frontier(machine_for(test, run), width)
    return replace(above, starts=[tuple(keys) for keys in above.starts])


def can_split(test: LitmusTest, run: RunOptions) -> bool:
    """Does `run_split` divide `run` of `test`: an operational model's exhaustive run (a
    language model judges the source test, an axiomatic model candidate executions: neither
    explores by transitions)."""
    from fencelab.models.registry import OPERATIONAL

    return run.mode == "exhaustive" and judge(test, run).kind == OPERATIONAL


def judge(test: LitmusTest, run: RunOptions):
    """The model that judges `run` of `test` (a ModelSpec): a source model it names, else the
    model of the code it runs (`pipeline.model_for`)."""
    from fencelab.pipeline import model_for

    if run.model is not None and run.model.is_source:
        return run.model
    asm, target = compiled(test, run.target, run.scheme)
    return model_for(asm.arch, target, run.model)


def merge_parts(parts: list[TestResult], above, seconds: float) -> TestResult:
    """The parts of a split test as one result: every outcome (the first part's witness for
    each); explored states, transitions and budget hits summed, with the states above the
    parts (`above`, an `explore.Frontier`) and their transitions: the whole search's counts,
    but that a state two parts reach is counted in each."""
    first = parts[0]
    witnesses: dict = {}
    for part in parts:
        for state in part.states:
            witnesses.setdefault(state.outcome, state.witness)
    merged = replace(first, states=[FinalState(o, w) for o, w in witnesses.items()])
    merged.explored_states = above.states + sum(p.explored_states for p in parts)
    merged.transitions = above.transitions + sum(p.transitions for p in parts)
    merged.budget_exhausted = sum(p.budget_exhausted for p in parts)
    merged.parts = len(parts)
    merged.cautions = tuple(dict.fromkeys(c for part in parts for c in part.cautions))
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
        return failure(e, test)


def compute_many(jobs: list[tuple[LitmusTest, RunOptions]]) -> list[TestResult | Failure]:
    """`compute` of each job, in order; after a result cut short by Ctrl-C, no more (the
    caller takes the missing ones as stopped)."""
    results = []
    for test, options in jobs:
        results.append(compute(test, options))
        if getattr(results[-1], "partial", "") == INTERRUPTED:
            break
    return results


JOBS_PER_TASK = 16  # results a worker computes per task in check_all, at most, and
TASKS_PER_WORKER = 32  # at least so many tasks a worker (one result a task when fewer). A
# hunt's results take about 2 ms each, and the process that prints, compiling the next tests,
# hands one on a few ms late (the GIL: its threads that feed the workers wait for it), so one
# a task left the workers idle (a hunt of 4 targets and schemes, 4,271 results: -j 2 10.9 s,
# slower than -j 1; 7.5 s in tasks of 16). A check's results may take 100 ms: tasks of 16 of
# them end unevenly (the C and Rust examples on 4 targets and schemes: 5.9 s; 8: 5.2 s)


def check_all(checker, items, runner):
    """`checker.check(test, target, scheme)` for each item, in order, with every distinct
    result they need (each source test under the source model, each distinct compiled program
    under the hardware model) computed once by the runner's workers and filed in the checker's
    pipeline, which then finds them all (so `hunt` still explores each distinct program once,
    and counts it once). Each is handed to the workers as soon as an item needing it is
    compiled, while this process compiles the next (compiling was most of `hunt`'s time, and
    the workers waited for all of it). Ctrl-C: the check awaited is made of what its results
    found (partial), then KeyboardInterrupt. A result a cluster's task ended without (`Failed`)
    makes each check needing it an error, with its line."""
    pipeline = checker.pipeline
    items = list(items)
    jobs: list = []  # the keys computed by the workers, in the order first needed
    needs = []

    def work():
        wanted: set = set()  # (jobs as a set)
        for test, target, scheme in items:
            keys = []
            for options in (checker.source_options(checker.source_model),
                            checker.hardware_options(target, scheme)):  # fmt: skip
                try:
                    key, _ = pipeline.work(test, options)
                except FencelabError:
                    continue  # checker.check reports it
                if not pipeline.cached(key) and key not in wanted:
                    wanted.add(key)
                    jobs.append(key)
                    yield test, options
                keys.append(key)
            needs.append(keys)

    sizes: list[int] = []  # the jobs of each task
    per_task = max(1, min(JOBS_PER_TASK, len(items) // (TASKS_PER_WORKER * runner.jobs)))

    def batches():
        drawn = work()
        while batch := list(islice(drawn, per_task)):
            sizes.append(len(batch))
            yield (batch,)

    mapped = runner.map(compute_many, batches())
    first = list(islice(mapped, 1))  # (every item compiled, each result handed over as found)
    results = zip(jobs, chain.from_iterable(_padded(got, size) for got, size
                                            in zip(chain(first, mapped), sizes)))  # fmt: skip
    done: set = set()
    failed: dict = {}  # key -> the line of the cluster's task that ended without it
    for item, keys in zip(items, needs):
        for key in keys:
            while key not in done and not pipeline.cached(key):
                got, result = next(results)
                done.add(got)
                if isinstance(result, Stopped):
                    raise KeyboardInterrupt  # Ctrl-C before it found anything
                if isinstance(result, Lost):  # (the checks made are printed, then this line)
                    raise FencelabError(f"{result.message} before the checks were done")
                if isinstance(result, Failed):
                    failed[got] = result.message
                elif not isinstance(result, Failure):
                    pipeline.remember(got, result)  # a partial one too: its check says so
        error = next((failed[key] for key in keys if key in failed), None)
        yield checker.check(*item) if error is None else checker.failed(*item, error)


def _padded(got, size: int) -> list:
    """A task's `size` results, `Stopped()` for those it did not compute (Ctrl-C); each
    `Lost` (`Failed`) when the task was."""
    if isinstance(got, (Lost, Failed)):
        return [got] * size
    got = [] if isinstance(got, Stopped) else got
    return [*got, *[Stopped()] * (size - len(got))]


# -- one costly test split across the workers of `run -j N` ----------------------------------

SPLIT_SHARE = 4  # split a test guessed to cost at least 1/(SPLIT_SHARE * N) of the catalogue
SPLIT_FLOOR = 1e3  # and at least this (cost.py's units): a smaller test is over in milliseconds
PARTS_PER_JOB = 1  # its parts a worker (GEN-ARM-546-0 on 2 workers: 1, 2 and 3 tried, 1 best)
LEAVES_PER_PART = 4  # frontier states a part starts from (2 and 8 were worse; RESULTS.md)


merged_runs: list[str] = []  # the files whose parts this process merged (for tests)


@dataclass(frozen=True)
class Found:
    """One part of a split test (`explore_part`): a result naming the test's run, and the
    part's graph (fencelab/machine/parts.py)."""

    result: TestResult
    part: object  # parts.Part


def explore_part(test: LitmusTest, options: RunOptions, index: int,
                 parts: int) -> Found | Failure | None:  # fmt: skip
    from fencelab import pipeline

    try:
        got = pipeline.explore_part(test, options, index, parts, LEAVES_PER_PART * parts)
    except FencelabError as e:
        return failure(e, test) if index == 0 else None
    return None if got is None else Found(*got)


def split_tasks(costs: list[float], jobs: int) -> list[int]:
    """How many parts each test of a catalogue run with `-j jobs` is split into (1: not
    split). The guesses (cost.py) are rough, off by up to 4 times between tests (the generated
    catalogue's GEN-ARM-546-0 is guessed 25% of the work, and is 57%): a test is split when it
    could, within that error, be more than the even share of a worker (the total over `jobs`),
    which no order of the tasks can then hide: its guess at least the total over SPLIT_SHARE *
    jobs, and at least SPLIT_FLOOR. Its parts then go first (costliest first) and keep the
    workers busy together."""
    total = sum(costs)
    if jobs < 2 or len(costs) < 2:
        return [1] * len(costs)
    bar = max(total / (SPLIT_SHARE * jobs), SPLIT_FLOOR)
    return [PARTS_PER_JOB * jobs if cost >= bar else 1 for cost in costs]


def splits(path: str, options: RunOptions) -> bool:
    """Can `run_file`'s run of the test in `path` be split (`pipeline.split_model`)? Told from
    the file's first word (the architecture: source tests are not split) and the model, without
    reading the test (a worker does). The model is made here, so that its modules are imported
    in the process that forks the workers: they share them, and this process needs them to read
    the parts' graphs (ARM's under armv7: 18 modules, once rather than three times)."""
    from fencelab.isa.arch import ARCHES
    from fencelab.isa.registry import own_target
    from fencelab.machine.parts import splittable
    from fencelab.models.registry import OPERATIONAL, get_model

    try:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            words = f.read(256).split(None, 1)
    except OSError:
        return False
    arch = next((a for name, a in ARCHES.items() if words and name.upper() == words[0].upper()),
                None)  # fmt: skip
    if arch is None or options.mode != "exhaustive":
        return False
    spec = options.model or get_model(own_target(arch).default_model)
    if spec.kind != OPERATIONAL or spec.is_source or arch.name not in spec.arches:
        return False
    return splittable(spec.new())


class SplitRuns:
    """The runs of a catalogue, some split in parts (`sizes`: how many calls each run was split
    into; `files`: each run's file): each split run's parts merged into its result
    (`merge_found`) as soon as all of them are in (`early`, for `Runner.map`: the process that
    prints merges them while the workers run the other tests), or else in its turn (`joined`)."""

    def __init__(self, sizes: list[int], files: list[str], as_json: bool, limits):
        self.sizes, self.files, self.as_json, self.limits = sizes, files, as_json, limits
        self._run: dict[int, tuple[int, int, str]] = {}  # a part's call -> (first call, size, file)
        start = 0
        for size, file in zip(sizes, files):
            for i in range(start, start + size) if size > 1 else ():
                self._run[i] = (start, size, file)
            start += size
        self._parts: dict[int, dict[int, object]] = {}  # a run's first call -> parts in so far
        self._merged: dict[int, object] = {}  # a run's first call -> its result, merged early
        self.early = Early(sorted(self._run), self._take)

    def _take(self, index: int, part) -> None:
        start, size, file = self._run[index]
        got = self._parts.setdefault(start, {})
        got[index] = part
        if len(got) == size:
            del self._parts[start]
            # (a defect raised here is raised again where `joined` merges the parts, in its turn)
            with contextlib.suppress(Exception):
                self._merged[start] = merge_found([got[i] for i in range(start, start + size)],
                                                  file, self.as_json, self.limits)  # fmt: skip

    def joined(self, results):
        """The results of the calls (`Runner.map`'s), one a run, in order."""
        start = 0
        for size, file in zip(self.sizes, self.files):
            if size == 1:
                start += 1
                yield next(results)
                continue
            got = []
            try:
                for _ in range(size):
                    got.append(next(results))
            except KeyboardInterrupt:
                yield merge_found(got, file, self.as_json, self.limits, INTERRUPTED)
                raise
            merged = self._merged.pop(start, None)
            start += size
            yield merged if merged is not None else merge_found(got, file, self.as_json,
                                                                self.limits)  # fmt: skip


def merge_found(got: list, file: str, as_json: bool, limits, stopped: str = "",
                keep: bool = False):  # fmt: skip
    """The one result of a split test's parts (in part order): part 0's error or whole run
    where it could not be split, else the parts' graphs merged as one search
    (`parts.merge`); Ctrl-C: what the parts found, partial. `keep`: the `Shown` keeps the
    result (`run_one`'s), else only what is printed (`run_file`'s)."""
    from fencelab.machine.parts import merge

    if got and not isinstance(got[0], Found) and not isinstance(got[0], Stopped):
        return got[0]  # a Failure, or the whole run's Shown (not split)
    failure = next((g for g in got if isinstance(g, Failure)), None)
    if failure is not None:
        return failure
    found = [g for g in got if isinstance(g, Found)]
    if not found or not isinstance(got[0], Found):
        return Stopped()
    if len(found) < len(got) or stopped:
        stopped = INTERRUPTED
    first = found[0].result
    result = replace(first, seconds=sum(f.result.seconds for f in found))
    merged = merge(result, [f.part for f in found], limits)
    merged_runs.append(file)
    merged.partial = merged.partial or stopped
    return shown(merged, file, as_json, keep)
