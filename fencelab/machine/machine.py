"""The multi-core machine: a Program's cores, a memory model, and the enabled transitions.

The machine is the scheduler's view of a test: in every `MachineState` it lists what may happen
next (`transitions`), tells when an execution has ended (`status`) and reads off the final
outcome. Exploration strategies (fencelab/machine/explore.py) and the TUI drive it.
"""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass
from operator import itemgetter

from fencelab import reduce
from fencelab.errors import AccessError
from fencelab.litmus.ast import RegObs
from fencelab.litmus.conditions import Outcome
from fencelab.machine.model import MachineState, MemoryModel, ModelRestart, Reason, Transition
from fencelab.program.layout import Program

_UNSEEN = object()
DEFAULT_BUDGET = 40  # memory instructions per core before an execution counts as unbounded


class Status(enum.Enum):
    RUNNING = "running"
    FINAL = "final"  # every core finished and the model agrees it may stop
    BUDGET = "budget"  # some core hit the step budget (or spun in a register-only loop)
    STUCK = "stuck"  # nothing enabled but not final: the model cannot complete this path


# (read once: under Python 3.11 each `Status.X` is a Python-level lookup, EnumType's __getattr__)
_RUNNING, _FINAL, _BUDGET, _STUCK = Status.RUNNING, Status.FINAL, Status.BUDGET, Status.STUCK


def _picker(indices: tuple[int, ...]):
    """A function giving a thread state's values at these indices, as a tuple (in C: one
    `itemgetter`, made to answer a tuple of one or none too)."""
    if len(indices) > 1:
        return itemgetter(*indices)
    if indices:
        (index,) = indices
        return lambda tstate: (tstate[index],)
    return lambda tstate: ()


@dataclass
class Machine:
    program: Program
    model: MemoryModel
    budget: int = DEFAULT_BUDGET
    reductions: bool = True  # may exhaustive exploration use `key`'s finished-threads?

    def __post_init__(self) -> None:
        if self.model.byte_addressed:
            self.program = self.program.whole_arrays()
        self._hung: set[tuple[int, tuple]] = set()
        self._outcomes: dict[tuple, Outcome] = {}  # (`outcome`)
        # no execution can reach the step budget: every thread is loop-free and shorter
        self._bounded = all(
            not self.program.has_loop(t.tid)
            and sum(i.is_memory_event for i in t.core.infos.values()) < self.budget
            for t in self.program.threads
        )
        self._finished_key = self.reductions and reduce.enabled("finished-threads")
        self._model_key = _keys_states(self.model)
        self._fused = _fused(self.model, self._bounded)
        observed = [
            tuple(o.reg for o in self.program.observables
                  if isinstance(o, RegObs) and o.tid == t.tid)
            for t in self.program.threads
        ]  # fmt: skip
        self._observed_at = [  # where those registers are in the thread's state (the zero
            # register, which a condition may name, is in none: it is always 0)
            tuple(t.core.reg_index[c] for c in map(t.core.target.canonical_reg, regs)
                  if c in t.core.reg_index)
            for t, regs in zip(self.program.threads, observed)
        ]  # fmt: skip
        self._cores = [t.core for t in self.program.threads]
        self._pc_at = [(c.pc_index, c.base, c.end, _picker(at))  # (for `key`)
                       for c, at in zip(self._cores, self._observed_at)]  # fmt: skip
        self._reg_at = [  # where the outcome's registers are in their thread's state
            (obs, (obs.tid, c.reg_index.get(c.target.canonical_reg(obs.reg)))
             if isinstance(obs, RegObs) else None)
            for obs in self.program.observables
            for c in [self._cores[obs.tid] if isinstance(obs, RegObs) else None]
        ]  # fmt: skip
        self._keyed_regs = [reg for _, reg in self._reg_at  # (`outcome`'s key)
                            if reg is not None and reg[1] is not None]  # fmt: skip
        self._shown: dict[tuple, object] = {}  # (observable's index, raw value) -> value
        self._reads_memory = any(reg is None for _, reg in self._reg_at)
        # where each observable is in `outcome_from`'s pairs (thread 0's registers, thread
        # 1's..., then the locations)
        grouped = [i for tid in range(len(self._cores)) for i, (_, reg) in
                   enumerate(self._reg_at) if reg is not None and reg[0] == tid]  # fmt: skip
        grouped += [i for i, (_, reg) in enumerate(self._reg_at) if reg is None]
        order = sorted(range(len(grouped)), key=grouped.__getitem__)
        self._reordered = (itemgetter(*order) if len(order) > 1
                           else (lambda pairs: tuple(pairs)))  # fmt: skip
        self._in_memory: dict[tuple, dict] = {}  # (model's memory, epoch) -> `_locations_shown`

    @property
    def bounded(self) -> bool:
        """Is every thread loop-free and shorter than the step budget (no execution can be
        stopped by it)?"""
        return self._bounded

    def with_model(self, model: MemoryModel, reductions: bool) -> Machine:
        """This machine's program and budget under another model (what rests on the
        program alone is not worked out again)."""
        if model.byte_addressed != self.model.byte_addressed:
            return Machine(self.program, model, self.budget, reductions)
        other = copy.copy(self)
        other.model, other.reductions = model, reductions
        other._model_key = _keys_states(model)
        other._hung = set()
        other._outcomes = {}
        other._in_memory = {}
        other._finished_key = reductions and reduce.enabled("finished-threads")
        other._fused = _fused(model, self._bounded)
        return other

    def key(self, state: MachineState):
        """What exhaustive exploration knows `state` by: the model's key (`state_key`), and with
        the `finished-threads` reduction, a thread that has finished known only by the
        registers the outcome reads. A finished thread never runs again and nothing reads its
        other registers, so states that differ only there reach the same outcomes."""
        if self._model_key:
            key = self.model.state_key(self.program, state)
            if key is not state:
                return key
        if not self._finished_key:
            return state
        threads, steps = state.threads, state.steps
        known = None  # the threads as the key knows them, once one has finished
        for tid, (pc_index, base, end, observed) in enumerate(self._pc_at):
            tstate = threads[tid]
            if not base <= tstate[pc_index] < end:  # (`Core.halted`)
                if known is None:
                    known, steps = list(threads), list(steps)
                known[tid] = observed(tstate)  # (`observed_values`)
                steps[tid] = -1
        if known is None:
            return (threads, steps, state.memory)
        return (tuple(known), tuple(steps), state.memory)

    def thread_key(self, tid: int, tstate, steps: int):
        """What `key` knows thread `tid` by, with its step count (for a model that keys states
        its own way, `state_key`, no such part: `interned` is then None)."""
        if self._finished_key:
            pc_index, base, end, observed = self._pc_at[tid]
            if not base <= tstate[pc_index] < end:
                return observed(tstate), -1
        return tstate, steps

    def interned(self):
        """The model's search over interned states (`MemoryModel.interned`), where the
        machine asks its fused step (`fused`) and knows states by `Machine.key`'s own parts
        (the model has no `state_key`); else None."""
        if not self._fused or self._model_key:
            return None
        return self.model.interned(self)

    def observed_values(self, tid: int, tstate) -> tuple[int, ...]:
        """The values in `tstate` of the registers the outcome reads (the zero register,
        which a condition may name, has no place in a thread's state and is left out)."""
        return self._pc_at[tid][3](tstate)

    def stopped(self, tid: int, tstate, steps: int) -> bool:
        """Has this (unfinished) thread hit the step budget, or spun in a register-only loop?"""
        return steps >= self.budget or bool(self._hung) and (tid, tstate) in self._hung

    def mark_hung(self, tid: int, tstate) -> None:
        self._hung.add((tid, tstate))

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
        return _asked(self._transitions, state)

    @property
    def fused(self) -> bool:
        """Does `successors` answer (the model makes a fused step and the machine is
        bounded)? Else it is always None."""
        return self._fused

    def successors(self, state: MachineState) -> list[tuple[str, MachineState]] | None:
        """The key and target of each transition `transitions` would give, in its order, made
        by the model's fused step (`MemoryModel.successors`, the `tso-step` reduction) where
        it makes them; None: ask `transitions`. Only for a bounded machine: no thread can be
        stopped by the budget, so no step is checked against it."""
        if not self._fused:
            return None
        return self.model.successors(self.program, state)

    def threads_apart(self, state: MachineState) -> bool:
        """Does the model run the threads apart from `state` (`MemoryModel.threads_apart`)?
        Then exhaustive exploration takes their runs from `runs_apart` and follows only the
        internal transitions (`internal_transitions`): the cores' moves are the runs' first
        steps, made only if needed to tell a running state from a stuck one (`status`)."""
        return _asked(self.model.threads_apart, self.program, state)

    def internal_transitions(self, state: MachineState) -> list[Transition]:
        """The model's internal transitions alone (a state whose threads run apart)."""
        return _asked(lambda: list(self.model.internal_transitions(self.program, state)))

    def _moves_any(self, state: MachineState) -> bool:
        return _asked(lambda: any(self._moves(state, tid) for tid in range(len(state.threads))))

    def stopped_any(self, state: MachineState) -> bool:
        """Has some unfinished thread hit the step budget (`status`'s BUDGET)?"""
        return any(self._cores[tid].info(tstate) is not None
                   and self.stopped(tid, tstate, state.steps[tid])
                   for tid, tstate in enumerate(state.threads))  # fmt: skip

    def _transitions(self, state: MachineState) -> list[Transition]:
        if self._bounded:
            tid = self.model.alone(self.program, state)
            if tid is not None:  # (bounded: no thread can be stopped)
                first = next(iter(self._moves(state, tid)), None)
                if first is not None:
                    return [first]
            chosen = self.model.persistent(self.program, state)
            if chosen is not None:
                cores, internal = chosen
                if not cores and not internal:
                    return []  # nothing is enabled (`MemoryModel.persistent`)
                out = [t for tid in sorted(cores) for t in self._moves(state, tid)]
                if internal:
                    out.extend(self.model.internal_of(self.program, state, sorted(internal)))
                if out:
                    return out
        out: list[Transition] = []
        for tid in range(len(state.threads)):
            out.extend(self._moves(state, tid))
        out.extend(self.model.internal_transitions(self.program, state))
        if self._bounded and len(out) > 1:
            return self.model.select(self.program, state, out)
        return out

    def _moves(self, state: MachineState, tid: int) -> list[Transition]:
        """Core `tid`'s moves (none when it has finished or stopped)."""
        tstate = state.threads[tid]
        info = self._cores[tid].info(tstate)
        if info is None or not self._bounded and self.stopped(tid, tstate, state.steps[tid]):
            return []
        out = []
        try:
            for t in self.model.core_transitions(self.program, state, tid, info):
                if t.step is not None and t.step.hung:
                    self._hung.add((tid, t.step.state))
                out.append(t)
        except AccessError as e:  # named at the instruction (`Program.locate`)
            raise e.at(info.address, info.text) from None
        return out

    def status(self, state: MachineState, enabled: list[Transition] | None = None,
               internal: bool = False) -> Status:  # fmt: skip
        """`internal`: `enabled` are the internal transitions only (the threads run apart,
        `threads_apart`); whether a core can move is asked only when some thread has not ended
        and no internal transition shows the state is running: of the model's `runs_apart`
        where it tells (`MemoryModel.apart_tells_stuck`: then RUNNING here), else by making
        the cores' moves until one is found."""
        if not self._bounded and self.stopped_any(state):  # (bounded: none can be stopped)
            return _BUDGET
        if enabled is None:
            enabled = self.transitions(state)
        if enabled:
            return _RUNNING
        all_done = all(self._cores[t].info(s) is None for t, s in enumerate(state.threads))
        if internal and not all_done and (self.model.apart_tells_stuck or self._moves_any(state)):
            return _RUNNING
        if all_done and self.model.is_final(self.program, state.memory):
            return _FINAL
        return _STUCK

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
        return _asked(self.model.explain, self.program, state, tid)

    def outcome(self, state: MachineState) -> Outcome:
        """The final values the test observes (remembered by the observed registers' values
        and the model's memory, which is all they are read from, in the model's current way
        of keeping memory: `restart_epoch`)."""
        threads = state.threads
        epoch = self.model.restart_epoch(self.program)
        key = (tuple([threads[tid][index] for tid, index in self._keyed_regs]), state.memory,
               epoch)  # fmt: skip
        found = self._outcomes.get(key)
        if found is None:
            found = self._outcomes[key] = self._outcome(state, epoch)
        return found

    def _outcome(self, state: MachineState, epoch) -> Outcome:
        in_memory = self.locations_shown(state.memory, epoch) if self._reads_memory else None
        out = []
        for i, (obs, reg) in enumerate(self._reg_at):
            if reg is None:
                out.append((obs, in_memory[i]))
                continue
            tid, index = reg  # a register's value (the zero register, in no state: 0)
            raw = 0 if index is None else state.threads[tid][index]
            out.append((obs, self._shown_value(i, obs, raw)))
        return tuple(out)

    def registers_part(self, tid: int, tstate) -> tuple:
        """The (observable, shown value) pairs of the outcome that are thread `tid`'s
        registers (in the outcome's order), from its state `tstate`."""
        return tuple([(obs, self._shown_value(i, obs, 0 if reg[1] is None else tstate[reg[1]]))
                      for i, (obs, reg) in enumerate(self._reg_at)
                      if reg is not None and reg[0] == tid])  # fmt: skip

    def locations_part(self, memory, epoch) -> tuple:
        """The (observable, shown value) pairs of the outcome that are locations (in the
        outcome's order), from the model's final memory (`locations_shown`)."""
        shown = self.locations_shown(memory, epoch) if self._reads_memory else {}
        return tuple([(obs, shown[i]) for i, (obs, reg) in enumerate(self._reg_at)
                      if reg is None])  # fmt: skip

    def outcome_from(self, pairs: tuple) -> Outcome:
        """The outcome whose `registers_part`s (thread 0's, thread 1's...) and then
        `locations_part` are `pairs`, one after the other: `outcome` of that state."""
        return self._reordered(pairs)

    def _shown_value(self, i: int, obs, raw):
        """`Program.value_of` of observable `i`, which rests on the observable and the raw
        value alone: each is worked out once a machine."""
        value = self._shown.get((i, raw), _UNSEEN)
        if value is _UNSEEN:
            value = self._shown[i, raw] = self.program.value_of(obs, raw)
        return value

    def locations_shown(self, memory, epoch) -> dict[int, object]:
        """The shown value of each observable that is no register (a location, an array),
        by its index, from the model's final memory (`memory`, kept as the model keeps it in
        `epoch`, `MemoryModel.restart_epoch`): all that a final state's outcome reads of its
        memory. (They rest on the memory alone, shared by many final states: worked out
        once for each.)"""
        found = self._in_memory.get((memory, epoch))
        if found is None:
            program = self.program
            final = self.model.final_memory(program, memory)
            found = self._in_memory[memory, epoch] = {
                i: self._shown_value(i, obs, program.raw_value(obs, (), final))
                for i, (obs, reg) in enumerate(self._reg_at) if reg is None}  # fmt: skip
        return found

    def memory_view(self, state: MachineState) -> dict[str, object]:
        return self.model.describe(self.program, state.memory)


def _fused(model: MemoryModel, bounded: bool) -> bool:
    """Does the machine ask the model's fused step (`Machine.successors`)?"""
    return (bounded and reduce.enabled("tso-step")
            and type(model).successors is not MemoryModel.successors)  # fmt: skip


def _keys_states(model: MemoryModel) -> bool:
    """Does the model key states its own way (`MemoryModel.state_key` overridden)? If not,
    `Machine.key` skips the call."""
    return type(model).state_key is not MemoryModel.state_key


def _asked(question, *args):
    """`question(*args)` of the model, asked again whenever the model changes how it keeps
    states while answering (`ModelRestart`)."""
    while True:
        try:
            return question(*args)
        except ModelRestart:
            continue
