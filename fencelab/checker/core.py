"""Is a lowering scheme sound? Compare a compiled test's hardware outcomes with the source model's.

A mapping (scheme x target) is sound on a source test when every outcome the hardware model
allows for the compiled code is an outcome the source model (c11 or rc11) allows for the test:
compiling must not add behaviour. Both sides are stated in source terms (`0:r0=1`), the
hardware side through `CompileInfo.source_outcome`. An outcome the hardware reaches and the
source forbids is an *extra* outcome, reported with the hardware witness schedule that replays
to it in the TUI. Executions that hit the step budget are counted apart on both sides and never
counted as outcomes.

The `Checker` caches: source results per (test, model), and hardware results per compiled code
(many ordering assignments compile to the same instructions, e.g. every x86 load is a `mov`),
so `hunt` explores each distinct program once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from fencelab.errors import FencelabError
from fencelab.isa.registry import get_target
from fencelab.litmus.ast import LitmusTest
from fencelab.litmus.conditions import Outcome
from fencelab.lowering.table import get_scheme
from fencelab.machine.machine import DEFAULT_BUDGET
from fencelab.models.registry import SOURCE, get_model, model_names
from fencelab.result import FinalState, TestResult

DEFAULT_SOURCE_MODEL = "c11"

THIN_AIR_NOTE = (
    "RC11's no-thin-air axiom (acyclic po ∪ rf) forbids this outcome, which c11 allows: it "
    "needs a cycle of program order and reads-from (a load reading a store that depends, "
    "through the other thread, on the load itself). ARM hardware allows that cycle for plain "
    "LDR/STR (load buffering: a load may be satisfied after a later independent store is "
    "visible), so RC11's own mapping adds a fake dependency or branch after Relaxed loads. "
    "The c11 reading (C++20 / Rust) allows the outcome: against c11 this mapping is sound here."
)


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
    error: str = ""  # the test could not be checked here (e.g. 64-bit locations on armv7)
    seconds: float = 0.0

    @property
    def sound(self) -> bool:
        return not self.error and not self.extra

    @property
    def verdict(self) -> str:
        if self.error:
            return "error"
        return "UNSOUND" if self.extra else "sound"

    @property
    def budget_exhausted(self) -> tuple[int, int]:
        """(hardware, source) executions that hit the step / loop budget."""
        hw = self.hardware.budget_exhausted if self.hardware else 0
        src = self.source.budget_exhausted if self.source else 0
        return hw, src


def check_source_model(name: str) -> str:
    if not get_model(name).is_source:
        raise FencelabError(f"{name} is not a source model; valid: "
                            f"{', '.join(model_names(SOURCE))}")  # fmt: skip
    return name


@dataclass
class Checker:
    """Checks source tests against compiled code; caches both sides (see the module doc)."""

    source_model: str = DEFAULT_SOURCE_MODEL
    hardware_model: str | None = None  # None: each target's own (tso, arm)
    budget: int = DEFAULT_BUDGET
    _source: dict = field(default_factory=dict)
    _hardware: dict = field(default_factory=dict)
    hardware_runs: int = 0  # distinct compiled programs explored
    cache_hits: int = 0

    def __post_init__(self) -> None:
        check_source_model(self.source_model)

    def source_result(self, test: LitmusTest, model: str) -> TestResult:
        key = (_test_key(test), model)
        if key not in self._source:
            self._source[key] = get_model(model).new()(test, self.budget)
        return self._source[key]

    def hardware_result(self, test: LitmusTest, target: str, scheme: str) -> TestResult:
        """Every outcome of `test` compiled with `scheme` for `target`, in source terms."""
        from fencelab.compiler.compile import compile_test
        from fencelab.machine.explore import exhaustive
        from fencelab.machine.machine import Machine
        from fencelab.pipeline import model_for
        from fencelab.program.load import load

        asm = compile_test(test, target, scheme)
        key = (_code_key(asm), target, self.hardware_model)
        raw = self._hardware.get(key)
        if raw is None:
            program = load(asm, target)
            raw = exhaustive(Machine(program, model_for(program, self.hardware_model),
                                     self.budget))  # fmt: skip
            self._hardware[key] = raw
            self.hardware_runs += 1
        else:
            self.cache_hits += 1
        info = asm.origin
        return TestResult(
            test=test, engine=raw.engine, target=raw.target, scheme=scheme, mode=raw.mode,
            states=[FinalState(info.source_outcome(s.outcome), s.witness) for s in raw.states],
            explored_states=raw.explored_states, transitions=raw.transitions,
            budget_exhausted=raw.budget_exhausted, seconds=raw.seconds,
        )  # fmt: skip

    def check(self, test: LitmusTest, target: str, scheme: str) -> Check:
        """One verdict; a test that cannot be compiled for `target` is an error row, not a crash."""
        target = get_target(target).name
        get_scheme(scheme)
        if not test.is_source:
            raise FencelabError(f"{test.file}: {test.name} is an {test.arch} test; "
                                "check compiles C and Rust tests only")  # fmt: skip
        started = time.perf_counter()
        hw_model = self.hardware_model or get_target(target).default_model
        try:
            source = self.source_result(test, self.source_model)
            hardware = self.hardware_result(test, target, scheme)
        except FencelabError as e:
            return Check(test, target, scheme, self.source_model, hw_model, error=str(e),
                         seconds=time.perf_counter() - started)  # fmt: skip
        allowed = source.outcome_set()
        looser = None
        extras = []
        for state in sorted(hardware.states, key=lambda s: repr(s.outcome)):
            if state.outcome in allowed:
                continue
            c11_allows = False
            if self.source_model == "rc11":
                if looser is None:
                    looser = self.source_result(test, "c11").outcome_set()
                c11_allows = state.outcome in looser
            extras.append(Extra(state.outcome, state.witness, c11_allows))
        return Check(test, target, scheme, self.source_model, hardware.engine, hardware, source,
                     tuple(extras), seconds=time.perf_counter() - started)  # fmt: skip


def _test_key(test: LitmusTest):
    """Source tests are compared by content (positions and file names aside)."""
    from fencelab.litmus.printer import strip_positions

    return (test.arch, strip_positions(test.threads), test.locations, test.reg_inits,
            test.condition, test.observed, test.filter)  # fmt: skip


def _code_key(asm: LitmusTest):
    """What the machine sees of a compiled test: its rows, initial state and observables."""
    rows = tuple(tuple(line.text for line in t.asm) for t in asm.threads)
    return (asm.arch, rows, asm.locations, asm.reg_inits, asm.condition, asm.observed, asm.filter)
