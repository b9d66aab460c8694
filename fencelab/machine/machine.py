"""The multi-core machine: a Program's cores, a memory model, and the enabled transitions.

The machine is the scheduler's view of a test: in every `MachineState` it lists what may happen
next (`transitions`), tells when an execution has ended (`status`) and reads off the final
outcome. Exploration strategies (fencelab/machine/explore.py) and the TUI drive it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from fencelab.litmus.conditions import Outcome
from fencelab.litmus.printer import format_outcome
from fencelab.machine.model import MachineState, MemoryModel, Reason, Transition
from fencelab.program.layout import Program

DEFAULT_BUDGET = 40  # memory instructions per core before an execution counts as unbounded


class Status(enum.Enum):
    RUNNING = "running"
    FINAL = "final"  # every core finished and the model agrees it may stop
    BUDGET = "budget"  # some core hit the step budget (or spun in a register-only loop)
    STUCK = "stuck"  # nothing enabled but not final: the model cannot complete this path


@dataclass
class Machine:
    program: Program
    model: MemoryModel
    budget: int = DEFAULT_BUDGET

    def __post_init__(self) -> None:
        self._hung: set[tuple[int, tuple]] = set()

    def initial(self) -> MachineState:
        threads = []
        for thread in self.program.threads:
            step = thread.core.initial_state(thread.init_regs)
            if step.hung:
                self._hung.add((thread.tid, step.state))
            threads.append(step.state)
        return MachineState(
            tuple(threads), (0,) * len(threads), self.model.initial_memory(self.program)
        )

    def transitions(self, state: MachineState) -> list[Transition]:
        out: list[Transition] = []
        for tid, tstate in enumerate(state.threads):
            core = self.program.threads[tid].core
            info = core.info(tstate)
            if info is None or state.steps[tid] >= self.budget or (tid, tstate) in self._hung:
                continue
            for t in self.model.core_transitions(self.program, state, tid, info):
                if t.step is not None and t.step.hung:
                    self._hung.add((tid, t.step.state))
                out.append(t)
        out.extend(self.model.internal_transitions(self.program, state))
        return out

    def status(self, state: MachineState, enabled: list[Transition] | None = None) -> Status:
        for tid, tstate in enumerate(state.threads):
            core = self.program.threads[tid].core
            if core.info(tstate) is not None and (
                state.steps[tid] >= self.budget or (tid, tstate) in self._hung
            ):
                return Status.BUDGET
        if enabled is None:
            enabled = self.transitions(state)
        if enabled:
            return Status.RUNNING
        all_done = all(
            self.program.threads[t].core.info(s) is None for t, s in enumerate(state.threads)
        )
        if all_done and self.model.is_final(self.program, state.memory):
            return Status.FINAL
        return Status.STUCK

    def explain(self, state: MachineState, tid: int) -> list[Reason]:
        """Why core `tid` can or cannot move now: the step budget is the machine's to explain,
        everything else the model's (`MemoryModel.explain`)."""
        core = self.program.threads[tid].core
        tstate = state.threads[tid]
        if core.info(tstate) is not None and state.steps[tid] >= self.budget:
            return [Reason(tid, f"stopped: it has taken {self.budget} memory steps, the step "
                                "budget (an endless loop?)", False)]  # fmt: skip
        if core.info(tstate) is not None and (tid, tstate) in self._hung:
            return [Reason(tid, "stopped: it spins in a loop that touches no memory", False)]
        return self.model.explain(self.program, state, tid)

    def outcome(self, state: MachineState) -> Outcome:
        memory = self.model.final_memory(self.program, state.memory)
        return tuple(
            (obs, self.program.value_of(obs, self.program.raw_value(obs, state.threads, memory)))
            for obs in self.program.observables
        )

    def memory_view(self, state: MachineState) -> dict[str, object]:
        return self.model.describe(self.program, state.memory)

    def describe_outcome(self, state: MachineState) -> str:
        return format_outcome(self.outcome(state))

