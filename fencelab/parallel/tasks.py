"""The units of work `run`, `check` and `hunt` hand to a `Runner` (fencelab/parallel).

Each is a module-level function of picklable arguments (a `RunOptions` crosses processes as
the names it was made from; targets as their names) returning picklable results. A bad input is returned as a `Failure`, not raised, so that the results of the other
tests still arrive in order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fencelab.errors import FencelabError
from fencelab.litmus.ast import LitmusTest
from fencelab.pipeline import RunOptions, compiled, targets_for
from fencelab.result import FinalState, TestResult


@dataclass(frozen=True)
class Failure:
    """A task that met bad input: the one line to report."""

    message: str


def run_file(path: str, options: RunOptions, targets: tuple[str, ...] | None, render=None,
             keep: bool = True, progress=None) -> list[tuple] | Failure:  # fmt: skip
    """`fencelab run` on one file: for each target it runs on, (its result, or None unless
    `keep`; `render(result)`, or None): what the one process that prints needs, rendered
    here, in the worker. `render` is a module-level function (pickled by name)."""
    from fencelab.litmus.parser import parse_file
    from fencelab.pipeline import run_test

    try:
        test = parse_file(path)
        out = []
        for tgt in targets_for(test, _targets(targets)):
            callback = progress(test, tgt) if progress is not None else None
            result = run_test(test, replace(options, target=tgt), progress=callback)
            out.append((result if keep else None, render(result) if render else None))
        return out
    except FencelabError as e:
        return Failure(str(e))


def _targets(names: tuple[str, ...] | None):
    from fencelab.isa.registry import get_target

    return tuple(get_target(t) for t in names) if names is not None else None


def run_split(runner, path: str, options: RunOptions, targets: tuple[str, ...] | None,
              render=None) -> list[tuple] | Failure:  # fmt: skip
    """`fencelab run --split` on one file: each target's exploration split across the runner's
    workers by its first transitions (`split_parts`), the parts merged (`merge_parts`); what
    it returns is `run_file`'s."""
    import time

    from fencelab.litmus.parser import parse_file

    try:
        test = parse_file(path)
        out = []
        for tgt in targets_for(test, _targets(targets)):
            here = replace(options, target=tgt)
            started = time.perf_counter()
            starts = split_parts(test, here, 4 * max(runner.jobs, 2))
            parts = list(runner.map(run_part, ((test, here, s) for s in starts)))
            failed = [p for p in parts if isinstance(p, Failure)]
            if failed:
                return failed[0]
            result = merge_parts(parts, time.perf_counter() - started)
            out.append((result, render(result) if render else None))
        return out
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
    and counts it once)."""
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
                if not isinstance(result, Failure):
                    pipeline.remember(got, result)
        yield checker.check(*item)
