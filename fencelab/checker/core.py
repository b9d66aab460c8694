"""Is a lowering scheme sound? Compare a compiled test's hardware outcomes with the source model's.

A mapping (scheme x target) is sound on a source test when every outcome the hardware model
allows for the compiled code is an outcome the source model (c11 or rc11) allows for the test:
compiling must not add behaviour. Both sides are stated in source terms (`0:r0=1`), the
hardware side through `CompileInfo.source_outcome`. An outcome the hardware reaches and the
source forbids is an *extra* outcome, reported with the hardware witness schedule that replays
to it in the TUI. Executions that hit the step budget are counted apart on both sides and never
counted as outcomes; while some source execution was cut at a bound (not at a spin), a hardware
outcome the source did not reach is not extra but `unjudged`: the cut execution may end there.

Both sides run through the one pipeline (fencelab/pipeline.py) with its cache on: source results
per (test, model), hardware results per compiled code (many ordering assignments compile to the
same instructions, e.g. every x86 load is a `mov`), so `hunt` explores each distinct program
once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from fencelab.errors import FencelabError
from fencelab.isa.target import Target
from fencelab.limits import Limits
from fencelab.litmus.ast import (
    Cas,
    LitmusTest,
    Loop,
    Rmw,
    While,
    walk_expressions,
    walk_statements,
)
from fencelab.litmus.conditions import Outcome
from fencelab.lowering.schemes import Scheme
from fencelab.machine.machine import DEFAULT_BUDGET
from fencelab.models.registry import LANGUAGE_MODEL, SOURCE, ModelSpec, get_model, model_names
from fencelab.models.source.paths import DEFAULT_UNROLL
from fencelab.pipeline import Pipeline, RunOptions
from fencelab.result import TestResult

DEFAULT_SOURCE_MODEL = LANGUAGE_MODEL

THIN_AIR_NOTE = (
    "RC11's no-thin-air axiom (acyclic po ∪ rf) forbids this outcome, which c11 allows: it "
    "needs a cycle of program order and reads-from (a load reading a store that depends, "
    "through the other thread, on the load itself). ARM hardware allows that cycle for plain "
    "LDR/STR (load buffering: a load may be satisfied after a later independent store is "
    "visible), so RC11's own mapping adds a fake dependency or branch after Relaxed loads. "
    "The c11 reading (C++20 / Rust) allows the outcome: against c11 this mapping is sound here."
)


# the bounds that cut a source execution short where it may go on to end elsewhere
# (models/source/paths.py, `TestResult.cut_by`), in the words that say what to do about them
BOUND_WORDS = {"budget": "the step budget (raise with --budget N)",
               "unroll": f"{DEFAULT_UNROLL} iterations of a loop (the source model unrolls no further)"}


def bounds_words(source: TestResult) -> str:
    """The bounds that cut some of `source`'s executions short, as `BOUND_WORDS` says them."""
    return " and ".join(BOUND_WORDS[b] for b in source.cut_by) or "a bound"


def straight_line(test: LitmusTest) -> bool:
    """A source test with no loop and no read-modify-write (a compare_exchange or an RMW may
    compile to a retry loop): its code never branches back, so a hardware execution the step
    budget cut is no spin but one the budget stopped short of its end, which may be anywhere.
    `check dekker+sc -s tutorial -t x86_64 --budget 6` said `sound` (exit 0) with 26 hardware
    executions cut: `--budget 10` finds it UNSOUND."""
    return not any(isinstance(s, (While, Loop)) for t in test.threads
                   for s in walk_statements(t.body)) and not any(
        isinstance(e, (Rmw, Cas)) for t in test.threads for e in walk_expressions(t.body))  # fmt: skip


@dataclass(frozen=True)
class Extra:
    """A hardware outcome the source model forbids, with a schedule that replays to it."""

    outcome: Outcome
    witness: str
    c11_allows: bool = False  # rc11 only: the looser c11 reading allows it (thin air)

    @property
    def note(self) -> str:
        return THIN_AIR_NOTE if self.c11_allows else ""


@dataclass(frozen=True)
class Check:
    """The verdict on one source test, one target, one scheme, one source model."""

    test: LitmusTest
    target: str
    scheme: str
    source_model: str
    hardware_model: str = ""
    hardware: TestResult | None = None
    source: TestResult | None = None
    extra: tuple[Extra, ...] = ()
    # hardware outcomes the source model did not reach while a bound cut some of its
    # executions (`TestResult.cut_unexplored`), which may end there: judged neither way
    unjudged: tuple[Extra, ...] = ()
    error: str = ""  # the test could not be checked here (e.g. 64-bit locations on armv7)
    seconds: float = 0.0
    own_model: bool = True  # the hardware model is the target's own (a replay needs no --model)

    @property
    def partial(self) -> str:
        """Why the check reached no verdict short of a counterexample ("" when it can have
        one): a side cut short (a limit, Ctrl-C), or nothing compared (`uncompared`). With the
        hardware side cut, an extra outcome found is still a counterexample, but "sound" cannot
        be concluded; with the source side cut, no outcome is known to be extra (none is
        reported): no verdict either way; likewise when a bound cut some source executions
        and a hardware outcome is one the source did not reach (`unjudged`): a cut execution
        may end there."""
        for side in (self.hardware, self.source):
            if side is not None and side.partial:
                return side.partial
        return self.uncompared

    @property
    def uncompared(self) -> str:
        """Why the two sides had nothing to compare, or not all ("" when they had): the
        hardware side ended in no final state (every execution hit the step budget, or its
        model reached none), or every source execution hit the budget (no outcome is known
        allowed, so none is known extra), or hardware outcomes were left `unjudged`. "sound"
        said of nothing compared was vacuous: `check --budget 1` printed `sound ... 0 hardware
        outcomes` and exit 0, and `hunt --budget 1` called the `tutorial` scheme sound on all
        its tests."""
        if self.hardware is None or self.source is None:
            return ""
        if not self.hardware.states:
            if self.hardware.budget_exhausted:
                return ("every hardware execution hit the step budget, nothing compared "
                        "(raise with --budget N)")  # fmt: skip
            if self.test.filter is not None:  # (it reached some: "no final state" was untrue)
                return ("the hardware model reached no final state the test's filter keeps, "
                        "nothing compared")  # fmt: skip
            return "the hardware model reached no final state, nothing compared"
        if self.source.none_ended:
            return (f"every {self.source_model} execution hit the step budget, no outcome "
                    "known allowed (raise with --budget N)")  # fmt: skip
        if self.hardware.budget_exhausted and straight_line(self.test):
            n = self.hardware.budget_exhausted
            return (f"{n} hardware execution{'s' if n != 1 else ''} hit the step budget "
                    "in a test with no loop and no read-modify-write, where no execution spins: "
                    "they may end in outcomes not compared (raise with --budget N)")  # fmt: skip
        if self.unjudged:
            return (f"hardware outcomes {self.source_model} did not reach, which may be where "
                    f"its executions cut at {bounds_words(self.source)} would end: not "
                    "judged")  # fmt: skip
        return ""

    @property
    def undefined(self) -> bool:
        """The source model flags a data race (herd's Undef): the test's behaviour is undefined,
        so no hardware outcome is wrong and none is reported extra: no verdict."""
        return self.source is not None and self.source.undefined

    @property
    def sound(self) -> bool:
        return not self.error and not self.extra and not self.partial and not self.undefined

    @property
    def verdict(self) -> str:
        if self.error:
            return "error"
        if self.undefined:
            return "racy"
        return "UNSOUND" if self.extra else "partial" if self.partial else "sound"

    @property
    def cautions(self) -> tuple[str, ...]:
        """What the hardware run met that its model may judge otherwise than the cat file it
        follows (`TestResult.cautions`): a verdict given under it may be wrong, so it is said
        beside the verdict, never left out."""
        return tuple(self.hardware.cautions) if self.hardware is not None else ()

    @property
    def budget_exhausted(self) -> tuple[int, int]:
        """(hardware, source) executions that hit the step / loop budget."""
        hw = self.hardware.budget_exhausted if self.hardware else 0
        src = self.source.budget_exhausted if self.source else 0
        return hw, src


@dataclass
class Checker:
    """Checks source tests against compiled code, through one caching pipeline (module doc)."""

    source_model: ModelSpec = field(default_factory=lambda: get_model(DEFAULT_SOURCE_MODEL))
    hardware_model: ModelSpec | None = None  # None: each target's own (tso, arm)
    budget: int = DEFAULT_BUDGET
    limits: Limits = Limits()
    pipeline: Pipeline = field(default_factory=lambda: Pipeline(cache=True))
    # the compiled programs hunts on this checker have checked (their pipeline keys): a
    # later hunt that meets one again under another scheme finds its result, not explored
    programs_checked: set = field(default_factory=set)

    def __post_init__(self) -> None:
        if not self.source_model.is_source:
            raise FencelabError(f"{self.source_model.name} is not a source model; valid: "
                                f"{', '.join(model_names(SOURCE))}")  # fmt: skip

    @property
    def hardware_runs(self) -> int:
        """Distinct compiled programs explored so far."""
        return self.pipeline.explored["code"]

    def source_options(self, model: ModelSpec) -> RunOptions:
        """How a source test is judged under `model`."""
        return RunOptions(model=model, budget=self.budget, limits=self.limits, counts=False)

    def hardware_options(self, target: Target, scheme: Scheme) -> RunOptions:
        """How a source test compiled with `scheme` runs on `target`."""
        return RunOptions(target, scheme, self.hardware_model, budget=self.budget,
                          limits=self.limits, counts=False)  # fmt: skip

    def program_key(self, test: LitmusTest, target: Target, scheme: Scheme):
        """The key the pipeline files `test` compiled with `scheme` for `target` under (its
        compiled code: two schemes that compile it alike share it)."""
        return self.pipeline.work(test, self.hardware_options(target, scheme))[0]

    def source_result(self, test: LitmusTest, model: ModelSpec) -> TestResult:
        return self.pipeline.run(test, self.source_options(model))

    def hardware_result(self, test: LitmusTest, target: Target, scheme: Scheme) -> TestResult:
        """Every outcome of `test` compiled with `scheme` for `target`, in source terms."""
        return self.pipeline.run(test, self.hardware_options(target, scheme))

    def failed(self, test: LitmusTest, target: Target, scheme: Scheme, error: str,
               seconds: float = 0.0) -> Check:  # fmt: skip
        """The check that could not be made: its error row."""
        hw_model = (self.hardware_model or get_model(target.default_model)).name
        return Check(test, target.name, scheme.name, self.source_model.name, hw_model,
                     error=error, seconds=seconds, own_model=hw_model == target.default_model)

    def check(self, test: LitmusTest, target: Target, scheme: Scheme) -> Check:
        """One verdict; a test that cannot be compiled for `target` is an error row, not a crash."""
        if not test.is_source:
            raise FencelabError(f"{test.file}: {test.name} is an {test.arch} test; "
                                "check compiles C and Rust tests only")  # fmt: skip
        started = time.perf_counter()
        hw_model = (self.hardware_model or get_model(target.default_model)).name
        own = hw_model == target.default_model
        source_name = self.source_model.name
        try:
            source = self.source_result(test, self.source_model)
            hardware = self.hardware_result(test, target, scheme)
        except FencelabError as e:
            return self.failed(test, target, scheme, str(e), time.perf_counter() - started)
        allowed = source.outcome_set()
        looser = None
        extras = []
        for state in sorted(hardware.states, key=lambda s: repr(s.outcome)):
            if state.outcome in allowed:
                continue
            c11_allows = False
            if source_name == "rc11":
                if looser is None:
                    looser = self.source_result(test, get_model("c11")).outcome_set()
                c11_allows = state.outcome in looser
            extras.append(Extra(state.outcome, state.witness, c11_allows))
        unjudged: list[Extra] = []
        if source.partial or source.undefined or source.none_ended:  # an outcome is
            extras = []  # extra only against every outcome the source allows, and a racy
            # test allows any outcome
        elif source.cut_unexplored:  # where the executions a bound cut end is not known:
            unjudged, extras = extras, []  # an outcome not reached may be one (`unjudged`)
        return Check(test, target.name, scheme.name, source_name, hardware.engine, hardware,
                     source, tuple(extras), tuple(unjudged),
                     seconds=time.perf_counter() - started, own_model=own)  # fmt: skip
