"""One test on this machine's CPU and under the host's model: `run_hw(test, runs, target, scheme)`.

The bytes run natively are the loaded Program's (`pipeline.program_for`); the model's verdict is
the one pipeline's (`pipeline.run_test`, exhaustive, the target's own model: tso on x86-64, arm on
AArch64). A compiled test is reported in source terms on both sides.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass

from fencelab.errors import FencelabError
from fencelab.hw.native import HOST_TARGETS, NativeRuns, host_arch, run_native
from fencelab.isa.registry import get_target
from fencelab.isa.target import Target
from fencelab.limits import DEFAULT_LIMITS, Limits
from fencelab.litmus.ast import LitmusTest
from fencelab.litmus.conditions import Outcome, holds
from fencelab.lowering.schemes import DEFAULT_SCHEME, Scheme
from fencelab.machine.machine import DEFAULT_BUDGET
from fencelab.models.registry import ModelSpec
from fencelab.pipeline import RunOptions, plan, program_for, run_test
from fencelab.program.layout import Program
from fencelab.result import FinalState, TestResult, filtered


@dataclass
class HwResult:
    test: LitmusTest  # as the user wrote it (the source test of a compiled one)
    program: Program  # what ran
    runs: int
    counts: dict[Outcome, int]  # final state -> runs that ended in it
    native: NativeRuns
    model: TestResult  # the host's model, exhaustive
    filtered: int = 0  # runs whose final state the test's `filter` drops (not in `counts`)

    # litmus7's bookkeeping: `cond` is the proposition for exists / ~exists and its negation
    # for forall (litmus7's final_ok), `p_true` the runs where it held.
    def cond(self, outcome: Outcome) -> bool:
        satisfied = holds(self.test.condition.prop, outcome)
        return not satisfied if self.test.condition.quantifier == "forall" else satisfied

    @property
    def p_true(self) -> int:
        return sum(n for o, n in self.counts.items() if self.cond(o))

    @property
    def p_false(self) -> int:
        return self.runs - self.filtered - self.p_true

    @property
    def ok(self) -> bool:
        if self.test.condition.quantifier == "exists":
            return self.p_true > 0
        return self.p_true == 0

    @property
    def runs_per_second(self) -> float:
        return self.runs / self.native.seconds if self.native.seconds else 0.0

    @property
    def model_complete(self) -> bool:
        """Did the model's exploration reach every outcome? Not when it stopped at a limit
        (partial) or cut executions at the step budget: then a state outside its set is
        unknown to it, not forbidden."""
        return not self.model.partial and not self.model.budget_exhausted

    def _outside(self) -> list[tuple[Outcome, int]]:
        allowed = self.model.outcome_set()
        return [(o, n) for o, n in self.counts.items() if o not in allowed]

    def forbidden(self) -> list[tuple[Outcome, int]]:
        """States the CPU produced that the model does not allow (should be none)."""
        return self._outside() if self.model_complete else []

    def unreached(self) -> list[tuple[Outcome, int]]:
        """States the CPU produced that a cut exploration of the model did not reach."""
        return [] if self.model_complete else self._outside()


def host_target(test: LitmusTest, targets: tuple[Target, ...] | None) -> Target | None:
    """The target to run on this host, or a one-line refusal naming both architectures."""
    arch = host_arch()
    if targets is not None and len(targets) > 1:
        raise FencelabError("--target: hw runs on this machine's CPU only; name one target")
    target = targets[0] if targets else None
    if test.is_source:
        chosen = target or (get_target(HOST_TARGETS[arch]) if arch in HOST_TARGETS else None)
        if chosen is None:
            raise FencelabError(f"{test.file}: fencelab hw cannot run on this {arch} host "
                                "(x86-64 and AArch64 only)")  # fmt: skip
        if chosen.arch.name != arch:
            raise FencelabError(f"{test.file}: target {chosen.name} ({chosen.arch.name}) cannot "
                                f"run natively on this {platform.machine()} host")  # fmt: skip
        return chosen
    from fencelab.program.load import target_for

    own = target_for(test, target)
    if own.arch.name != arch:
        raise FencelabError(f"{test.file}: an {test.arch} test cannot run natively on this "
                            f"{platform.machine()} host")  # fmt: skip
    return target


def run_hw(test: LitmusTest, runs: int, targets: tuple[Target, ...] | None = None,
           scheme: Scheme = DEFAULT_SCHEME, model: ModelSpec | None = None,
           limits: Limits = DEFAULT_LIMITS, budget: int = DEFAULT_BUDGET) -> HwResult:  # fmt: skip
    """`model`: as `fencelab run --model` (default: the target's own, tso or arm); a source
    model (c11, rc11, sc-source) judges the source test itself. `limits` bound the model's
    exploration (at a limit its verdict is partial, and forbids nothing); `budget` is its step
    budget (an execution cut there leaves the CPU's states beyond it unreached, not forbidden)."""
    target = host_target(test, targets)
    if not test.is_source:  # a model that cannot judge its code: refused before the CPU runs
        plan(test, RunOptions(model=model))
    program = program_for(test, target, scheme)
    native = run_native(program, runs)
    info = program.test.origin if test.is_source else None
    counts: dict[Outcome, int] = {}
    ran = [FinalState(tuple((obs, program.value_of(obs, raw))
                            for obs, raw in zip(program.observables, raws)), count=n)
           for raws, n in native.counts.items()]  # fmt: skip
    states, dropped = filtered(program.test, ran)  # (litmus7 counts no run the filter fails)
    for state in states:
        outcome = info.source_outcome(state.outcome) if info is not None else state.outcome
        counts[outcome] = counts.get(outcome, 0) + state.count
    judged_on = None if model is not None and model.is_source else target
    verdict = run_test(test, RunOptions(target=judged_on, scheme=scheme, model=model,
                                        budget=budget, limits=limits))  # fmt: skip
    return HwResult(test, program, runs, counts, native, verdict, dropped)
