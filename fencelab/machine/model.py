"""The interface between the scheduler and a memory model.

The machine's state is `MachineState`: every core's registers (a `ThreadState` tuple), how many
memory steps each core has taken, and the model's own state (`memory`, any hashable value:
a memory array, store buffers, a message list with views and promises...).

In every state the model lists the enabled `Transition`s. A transition either belongs to a core
executing its next memory instruction (then the model decides what each of its reads returns,
calling `Core.run(state, reads)` to let Unicorn execute it), or is internal to the memory
subsystem (a store-buffer entry drains, a promise is made) — internal ones may still name the
core they belong to. Each transition has a short `key`, unique in its state; a schedule is the
keys of a path joined by commas, and replays exactly.

Models see instructions through `InsnInfo` (fencelab/isa/insn.py) and locations through
`Program.location_at` (fencelab/program/layout.py).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fencelab.errors import CodeError, FencelabError
from fencelab.isa.core import NeedRead, Step, ThreadState
from fencelab.isa.insn import InsnInfo, Kind

if TYPE_CHECKING:
    from fencelab.limits import SideStates
    from fencelab.program.layout import Program


class ModelRestart(Exception):
    """Raised by a model that has just learnt something about the program that changes how it
    represents states (the ARM model: a location accessed with mixed sizes, which it then keeps
    byte-wise): states made before are not valid. `Machine.transitions` asks again; an
    exploration that saw it (`MemoryModel.restart_epoch` changed) starts again."""


@dataclass(frozen=True)
class MachineState:
    threads: tuple[ThreadState, ...]
    steps: tuple[int, ...]  # memory instructions executed per core (for the step budget)
    memory: Hashable

    def __init__(self, threads: tuple[ThreadState, ...], steps: tuple[int, ...],
                 memory: Hashable) -> None:  # fmt: skip
        # (states are made at every step: the instance's dict written directly costs half of
        # the frozen dataclass's own __init__, an object.__setattr__ call for each field)
        fields = self.__dict__
        fields["threads"] = threads
        fields["steps"] = steps
        fields["memory"] = memory

    def with_thread(self, tid: int, state: ThreadState, memory: Hashable) -> MachineState:
        threads = list(self.threads)
        threads[tid] = state
        steps = list(self.steps)
        steps[tid] += 1
        return MachineState(tuple(threads), tuple(steps), memory)

    def with_memory(self, memory: Hashable) -> MachineState:
        return MachineState(self.threads, self.steps, memory)


@dataclass(frozen=True)
class Provenance:
    """Where a transition's reads took their values and where its writes went, in the model's
    own terms, so an execution graph can name the write each read read from and the coherence
    order (fencelab/graph/trace.py), exactly and without matching values. One entry per read
    of `step.reads` and per write of `step.writes`, in order:

    - `("mem",)`: the location's current write in memory (a read); into memory now, coherence-
      after every write there (a write);
    - `("buf", i)`: the core's own store-buffer entry i, oldest first (a read); `("buf",)`:
      appended to the core's store buffer (a write);
    - `("msg", ts)`: the message with timestamp ts, 0 for the initial write (a read); the
      message at ts, which the write fulfils (a write; coherence is timestamp order).

    `drain`: the transition moves the core's oldest buffered store into memory."""

    reads: tuple[tuple, ...] = ()
    writes: tuple[tuple, ...] = ()
    drain: bool = False


MEMORY = ("mem",)


@dataclass(frozen=True)
class Transition:
    key: str  # "0" (core 0 steps), "0.r2" (core 0 reads message 2), "d1" (drain core 1)...
    tid: int | None  # the core this transition belongs to
    label: str  # "P0: execute str w0, [x1]", "P1: drain x=1 to memory"
    target: MachineState
    executes: bool = True  # does the core execute an instruction (vs. a memory-internal move)?
    step: Step | None = None  # what Unicorn did, when the core executed
    provenance: Provenance | None = None  # for execution graphs (see Provenance)

    def __init__(self, key: str, tid: int | None, label: str, target: MachineState,
                 executes: bool = True, step: Step | None = None,
                 provenance: Provenance | None = None) -> None:  # fmt: skip
        fields = self.__dict__  # (as `MachineState.__init__`: one is made at every step)
        fields["key"] = key
        fields["tid"] = tid
        fields["label"] = label
        fields["target"] = target
        fields["executes"] = executes
        fields["step"] = step
        fields["provenance"] = provenance


@dataclass(frozen=True)
class Reason:
    """One line of why a core can or cannot move now, in words a learner reads (the TUI's
    reasons pane renders these; `MemoryModel.explain` makes them).

    `can` is True for something the core may do now (`key` is that transition's key), False
    for what holds it back, None for a fact about its state that the other lines rely on
    (its store buffer, its views)."""

    tid: int | None
    text: str
    can: bool | None = None
    key: str = ""


class MemoryModel:
    """Base class of the operational models (sc, tso, arm). Subclasses implement the four
    methods below, and `explain` in their own words; fencelab/models/registry.py names each
    one and the code it covers."""

    name = ""
    # does it keep memory as bytes, so that accesses of any size to parts of a location
    # (mixed-size) run? Then the machine gives it each array as one location
    # (`Program.whole_arrays`), as herd's memory has it
    byte_addressed = False

    def initial_memory(self, program: Program) -> Hashable:
        raise NotImplementedError

    def for_exhaustive(self) -> MemoryModel:
        """The model exhaustive exploration should use: the same outcome set, maybe fewer
        interleavings (a model may drop orders that provably lead to the same states)."""
        return self

    def count_side(self, side: SideStates | None) -> None:
        """Count the states of the model's own searches (ARMv7's solo runs) in `side`, whose
        `check` stops them at the exploration's limits (`LimitReached`); None: stop counting
        (a step in the TUI, a replay). A model with no searches of its own ignores it."""

    def cautions(self) -> tuple[str, ...]:
        """What the runs so far met that this model may judge otherwise than the cat file it
        follows (a known difference, each one line): a result says so. None by default."""
        return ()

    def for_random(self) -> MemoryModel:
        """The model random runs draw their steps from (`random_runs`): this one, every
        interleaving as it comes, unless its runs lead mostly to states it cannot go on from
        and its reductions (`for_exhaustive`) find the way far sooner."""
        return self

    def state_key(self, program: Program, state: MachineState) -> Hashable:
        """What exhaustive exploration knows a state by: states with the same key reach the
        same outcomes, and only the first one reached is explored. The state itself, unless a
        model returned by `for_exhaustive` knows better."""
        return state

    def key_epoch(self, program: Program) -> int:
        """Changes when what `state_key` rests on has changed (exploration then starts again
        if it merged states before the change)."""
        return 0

    def restart_epoch(self, program: Program) -> int:
        """Changes when the model raised `ModelRestart` for this program: what was explored
        before is to be explored again."""
        return 0

    # does `runs_apart` give nothing (no final state, no budget hit, no state or transition
    # counted) from a state with no internal transition where no core can move (a stuck
    # state, `Machine.status`), so that the machine need not make a move to tell?
    apart_tells_stuck = False

    # do the states after different first transitions mostly lead to different states, so
    # that the parts of a search split by them (fencelab/machine/parts.py) overlap little?
    # (armv7: a test's commits come first, and different commits lead apart; x86 under sc:
    # moves commute, and two parts of a 4-thread test took 18 s of CPU against 6 s whole)
    splits_apart = False

    def threads_apart(self, program: Program, state: MachineState) -> bool:
        """Do the threads' moves from here on never affect one another (memory is fixed)? Then
        exhaustive exploration asks `runs_apart(machine, state)` for the final states the
        threads' executions reach (with their schedules from here, the budget hits, states
        visited and transitions taken), and follows only the other (internal) transitions."""
        return False

    def select(self, program: Program, state: MachineState,
               enabled: list[Transition]) -> list[Transition]:  # fmt: skip
        """The transitions exhaustive exploration follows from `state` (a model returned by
        `for_exhaustive` may keep only some, when the others provably reach no final state the
        kept ones miss). The machine asks only when no execution can hit the step budget."""
        return enabled

    def alone(self, program: Program, state: MachineState) -> int | None:
        """A core whose first move `select` would follow alone, told before any move is made
        (None: make every move, then `select`). Only a model returned by `for_exhaustive` may
        answer, and only when `select` would keep exactly that core's first move: the machine
        then makes no other move (a cheaper way to the same states)."""
        return None

    def persistent(self, program: Program,
                   state: MachineState) -> tuple[frozenset[int], frozenset[int]] | None:  # fmt: skip
        """The moves exploration follows from `state`, told before any move is made: the cores
        whose next instruction and the cores whose memory-internal moves (None: make every
        move, then `select`; two empty sets: no move is enabled at all). Only a model returned
        by `for_exhaustive` may answer, with moves that `select` would keep alone (a persistent
        set: every final state stays reachable); the machine asks only where no execution can
        hit the step budget."""
        return None

    def successors(self, program: Program,
                   state: MachineState) -> list[tuple[str, MachineState]] | None:  # fmt: skip
        """A fused step (`Machine.successors`): the key and target of each transition the
        machine would make from `state` (`transitions`, in its order), made without
        `Transition` objects; None: not here, make the transitions. Only a model returned by
        `for_exhaustive` may answer; the machine asks only where no execution can hit the
        step budget (x86-TSO: `TSO.successors`)."""
        return None

    def interned(self, machine):
        """The model's search over interned states for `machine` (`Machine.interned`: an
        object with `number(state)`, the tuple exhaustive search knows a state by, one to
        one with `Machine.key`; `state(numbers)`, a state with that tuple; `successors(numbers)`,
        as `successors` gives them, the targets as tuples, or None), or None: search over
        `MachineState`s. Only a model that makes a fused step answers (x86-TSO:
        `TSO.interned`)."""
        return None

    def core_transitions(
        self, program: Program, state: MachineState, tid: int, info: InsnInfo
    ) -> Iterable[Transition]:
        """What core `tid`, whose next instruction is `info`, may do now."""
        raise NotImplementedError

    def internal_transitions(self, program: Program, state: MachineState) -> Iterable[Transition]:
        return ()

    def internal_of(self, program: Program, state: MachineState,
                    tids: Collection[int]) -> Iterable[Transition]:  # fmt: skip
        """The internal transitions that belong to these cores, in `internal_transitions`'
        order (a model may make only those)."""
        return [t for t in self.internal_transitions(program, state) if t.tid in tids]

    def is_final(self, program: Program, memory: Hashable) -> bool:
        """May execution stop here once every core has finished? (buffers drained...)"""
        return True

    def final_memory(self, program: Program, memory: Hashable) -> dict[int, int]:
        """Address -> value of every location at the end."""
        raise NotImplementedError

    def describe(self, program: Program, memory: Hashable) -> dict[str, object]:
        """The model's state for display (TUI): plain data, names not addresses."""
        return {}

    def explain(self, program: Program, state: MachineState, tid: int) -> list[Reason]:
        """Why core `tid` can or cannot move now: plain data for the TUI's reasons pane.

        This default names what each of the core's enabled transitions does; a model says
        more in its own terms (TSO its store buffer, ARM its promises and views). The machine
        has already answered for finished cores and the step budget (`Machine.explain`)."""
        info = program.threads[tid].core.info(state.threads[tid])
        if info is None:
            return [Reason(tid, "finished")]
        moves = self.moves_of(program, state, tid, info)
        if not moves:
            return [Reason(tid, f"{info.text} cannot run now: {self.name} enables nothing for "
                                "this core", False)]  # fmt: skip
        return [Reason(tid, what_it_does(program, t), True, t.key) for t in moves]

    def moves_of(self, program: Program, state: MachineState, tid: int,
                 info: InsnInfo | None) -> list[Transition]:  # fmt: skip
        """Core `tid`'s enabled transitions: its own steps, then its memory-internal ones."""
        own = list(self.core_transitions(program, state, tid, info)) if info is not None else []
        return own + [t for t in self.internal_transitions(program, state) if t.tid == tid]

    # -- helpers for subclasses -------------------------------------------------------------
    def execute(
        self, program: Program, state: MachineState, tid: int, read_value
    ) -> tuple[Step, list]:
        """Run core `tid`'s next instruction, asking `read_value(loc, offset, size, index)` for
        reads (`offset`: the byte of the location the access starts at, for a byte/half-word/
        word access inside it; see `Program.place`).

        Returns Unicorn's Step and the list of (location, value) each read got. Writes are in
        `step.writes` (addresses); map them with `program.place`.
        """
        core = program.threads[tid].core
        tstate = state.threads[tid]
        reads: list[int] = []
        got: list = []
        result = core.first(tstate)
        while True:
            if isinstance(result, Step):
                return result, got
            assert isinstance(result, NeedRead)
            loc, offset = program.place(result.addr, result.size, "read")
            value = read_value(loc, offset, result.size, result.index)
            reads.append(value)
            got.append((loc, value))
            result = core.run(tstate, tuple(reads))

    @staticmethod
    def label(tid: int, info: InsnInfo, extra: str = "") -> str:
        text = f"P{tid}: execute {info.text}"
        return f"{text} ({extra})" if extra else text


def what_it_does(program: Program, t: Transition) -> str:
    """A transition in words: its label without the `P0: ` prefix, and what it read and
    wrote (`reads x=0; writes y=1`) when the core executed."""
    text = t.label.split(": ", 1)[-1]
    if t.step is None:
        return text
    parts = []
    for verb, accesses in (("reads", t.step.reads), ("writes", t.step.writes)):
        named = ", ".join(shown_access(program, a.addr, a.size, a.value) for a in accesses)
        if named:
            parts.append(f"{verb} {named}")
    return f"{text}: {'; '.join(parts)}" if parts else text


def shown_access(program: Program, addr: int, size: int, value: int) -> str:
    """An access as the panes show it: its place as herd's mixed-size tests write it (`x`,
    or `x+1` inside x) and its value in the location's type, or `&x` for an address."""
    loc, offset = program.place(addr, size)
    target = program.by_addr.get(value)
    shown = f"&{target.name}" if target is not None else program.typed(loc, value, 8 * size)
    return f"{program.part_name(loc, offset, size)}={shown}"


def refuse(model: str, info: InsnInfo, why: str) -> FencelabError:
    return CodeError(info.address, info.text, f"model {model} cannot run it: {why}")


def check_reads_done(model: str, info: InsnInfo, done: int, finished: bool) -> None:
    """An instruction of several reads (a load pair, an A32 LDM: one a register) must make one
    read a register: refused if it finished with fewer or asks for more."""
    if finished and done != len(info.pair_order):
        raise refuse(model, info, f"a load of {len(info.pair_order)} registers that performed "
                                  f"{done} reads")  # fmt: skip
    if not finished and done == len(info.pair_order):
        raise refuse(model, info, f"an instruction making more than {done} reads")


# A store-exclusive to another address than its load-exclusive's is CONSTRAINED UNPREDICTABLE
# (Arm ARM: it may succeed or fail). herd7's AArch64 semantics let it succeed whenever its thread
# holds a reservation (herdtools7 PR #1896; its L020 gives `[y]=3`), the pair in `rmw` like any
# other, whose atomicity, about one location, then constrains nothing; herd's ARM semantics
# (ARMSem.ml: STREX writes only where its address equals RESADDR) make an A32 one fail. Either
# way the store-exclusive ends the reservation.
def succeeds_elsewhere(program: Program) -> bool:
    """May a store-exclusive of this program's code succeed at another address than its
    load-exclusive's (AArch64), or does it fail there (A32)?"""
    return program.target.family == "aarch64"


def elsewhere_uncovered(info: InsnInfo, read_size: int, mixed: bool) -> str | None:
    """Why an AArch64 store-exclusive to another address than its load-exclusive's is not run
    succeeding there (refused rather than made to fail, which would lose herd's outcomes)."""
    if info.atomic_pair or len(info.data_regs) > 1:
        what = "a store-exclusive pair (STXP)"
    elif info.width != read_size:
        what = f"a store-exclusive of {info.width} bytes after a load-exclusive of {read_size}"
    elif mixed:  # (the operational arm model's byte-wise locations)
        return ("a store-exclusive to another address than its load-exclusive's, a location "
                "accessed with mixed sizes (herd lets it succeed or fail; this model does not "
                "make it succeed there: arm-axiomatic and sc do)")  # fmt: skip
    else:
        return None
    return (f"{what} to another address than its load-exclusive's (herd lets it succeed or "
            "fail; fencelab makes only a one-register store of the load's size succeed there)")  # fmt: skip


# the model's monitor and QEMU's disagree on the store-exclusive's address (a CPU context saved
# for these registers by a run whose load-exclusive read elsewhere): not expected to happen
MONITOR_MISMATCH = "the emulator's exclusive monitor holds another address than the model's"


def check_kind_supported(model: str, info: InsnInfo, kinds: Iterable[Kind]) -> None:
    if info.kind not in kinds:
        raise refuse(model, info, f"{info.kind.value} instructions are not covered")
