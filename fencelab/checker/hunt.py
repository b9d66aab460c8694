"""`hunt`: generate the classic shapes under every ordering assignment, keep the counterexamples.

The smallest counterexamples come first: fewest threads, then fewest non-Relaxed accesses
(fences count), then fewest accesses. Variants that compile to the same instructions are explored once
(the checker's pipeline caches results by compiled code).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fencelab.checker.core import Check, Checker
from fencelab.gen.shapes import VARIANTS, Shape, Variant, variants
from fencelab.interrupts import stop_if_interrupted
from fencelab.isa.target import Target
from fencelab.lowering.schemes import Scheme
from fencelab.result import INTERRUPTED


@dataclass(frozen=True)
class Found:
    variant: Variant
    check: Check

    @property
    def rank(self) -> tuple[int, int, int, int, str]:
        v = self.variant
        return (v.threads, v.strong, v.rmws, v.size, v.test.name)


@dataclass
class HuntReport:
    target: str
    scheme: str
    source_model: str
    generated: dict[str, int] = field(default_factory=dict)  # per shape
    skipped_shapes: list[str] = field(default_factory=list)  # over --max-threads
    checked: int = 0
    errors: list[Check] = field(default_factory=list)
    incomplete: list[Check] = field(default_factory=list)  # cut short, no extra outcome found
    racy: list[Check] = field(default_factory=list)  # the source model flags a data race
    cautioned: list[Check] = field(default_factory=list)  # the hardware run met a caution
    found: list[Found] = field(default_factory=list)  # every unsound variant, smallest first
    programs: int = 0  # distinct compiled programs its tests compiled to
    programs_shared: int = 0  # of those, explored already by an earlier hunt (another scheme)
    seconds: float = 0.0
    partial: str = ""  # "" = every variant checked; else why the hunt stopped early

    def smallest(self, limit: int) -> list[Found]:
        """Up to `limit` counterexamples, smallest first, one per shape while shapes remain."""
        picked: list[Found] = []
        shapes_seen: set[str] = set()
        for f in self.found:
            if f.variant.shape not in shapes_seen:
                picked.append(f)
                shapes_seen.add(f.variant.shape)
        for f in self.found:
            if f not in picked:
                picked.append(f)
        return sorted(picked[:limit], key=lambda f: f.rank)


def plan(shapes: tuple[Shape, ...], max_threads: int,
         kinds: tuple[str, ...] = VARIANTS) -> tuple[list[Variant], list[str]]:  # fmt: skip
    """The variants to check, and the shapes skipped for having too many threads."""
    chosen: list[Variant] = []
    skipped: list[str] = []
    for shape in shapes:
        if len(shape.threads) > max_threads:
            skipped.append(shape.name)
            continue
        chosen.extend(variants(shape, kinds))
    return chosen, skipped


def hunt(
    checker: Checker,
    target: Target,
    scheme: Scheme,
    shapes: tuple[Shape, ...],
    max_threads: int = 3,
    kinds: tuple[str, ...] = VARIANTS,
    advance: Callable[[Variant], None] | None = None,
    todo: list[Variant] | None = None,
    run_checks: Callable[[list[Variant]], Iterable[Check]] | None = None,
) -> HuntReport:
    """Check every variant: with `checker`, one after another, or with `run_checks` (which
    uses `checker` too, its results computed by worker processes: fencelab/parallel)."""
    import time

    started = time.perf_counter()
    report = HuntReport(target.name, scheme.name, checker.source_model.name)
    if todo is None:
        todo, report.skipped_shapes = plan(shapes, max_threads, kinds)
    else:
        report.skipped_shapes = [s.name for s in shapes if len(s.threads) > max_threads]
    for v in todo:
        report.generated[v.shape] = report.generated.get(v.shape, 0) + 1
    if run_checks is None:
        checks = (checker.check(v.test, target, scheme) for v in todo)
    else:
        checks = run_checks(todo)
    mine: set = set()  # the programs this hunt's tests compiled to
    try:
        for v, c in zip(todo, checks):
            stop_if_interrupted()
            report.checked += 1
            if not c.error:
                _count_program(checker, report, mine, checker.program_key(v.test, target, scheme))
            if c.error:
                report.errors.append(c)
            elif c.undefined:
                report.racy.append(c)
            elif c.extra:
                report.found.append(Found(v, c))
            elif c.partial:
                report.incomplete.append(c)
            if c.cautions:
                report.cautioned.append(c)
            if c.partial == INTERRUPTED:
                report.partial = INTERRUPTED
                break
            if advance is not None:
                advance(v)
    except KeyboardInterrupt:  # Ctrl-C: keep what was found
        report.partial = INTERRUPTED
    report.found.sort(key=lambda f: f.rank)
    report.seconds = time.perf_counter() - started
    return report


def _count_program(checker: Checker, report: HuntReport, mine: set, key) -> None:
    """Count a program this hunt checked once, and apart when an earlier hunt on the same
    checker had explored it (its result found in the pipeline's cache, not explored again):
    `hunt -s tutorial,default` said "0 distinct compiled programs explored" of `default`,
    whose programs `tutorial`'s hunt had explored, which read as "nothing checked"."""
    if key in mine:
        return
    mine.add(key)
    report.programs += 1
    if key in checker.programs_checked and checker.pipeline.cached(key):
        report.programs_shared += 1
    checker.programs_checked.add(key)
