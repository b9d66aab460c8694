"""x86-TSO (Owens, Sarkar, Sewell): a FIFO store buffer per core in front of one memory.

- a store goes into its core's buffer;
- a load reads the newest buffered store of its own core to that location, else memory; with
  mixed-size accesses (a byte, half-word or word inside a location), each byte it reads from
  the newest buffered store of its core covering that byte, else from memory;
- a drain step (an internal transition) moves a core's oldest buffered store to memory;
- MFENCE waits until its core's buffer is empty;
- LOCK-prefixed instructions and XCHG with memory wait for an empty buffer, then read and write
  memory atomically;
- LFENCE and SFENCE do nothing for ordinary memory.
Execution may end only when every buffer has drained.
"""

from __future__ import annotations

from dataclasses import dataclass

from fencelab import reduce
from fencelab.isa.insn import Barrier, InsnInfo, Kind
from fencelab.machine.model import (
    MEMORY,
    MachineState,
    MemoryModel,
    Provenance,
    Reason,
    Transition,
    refuse,
    what_it_does,
)
from fencelab.models.operational.sc import initial_values, shown_memory
from fencelab.values import get_bytes, put_bytes


@dataclass(frozen=True)
class TsoMemory:
    values: tuple[int, ...]  # by location index: its bytes, little-endian, as one unsigned int
    buffers: tuple[tuple[Entry, ...], ...]  # per core, oldest first


@dataclass(frozen=True)
class Entry:
    """A buffered store: `size` bytes at byte `offset` of location `loc`."""

    loc: int
    value: int
    offset: int = 0
    size: int = 8

    def place(self, program) -> str:
        """Where it writes, as herd's mixed-size tests name it: `x`, `t[1]`, or `x+1` inside x."""
        return program.part_name(program.locations[self.loc], self.offset, self.size)

    def text(self, program) -> str:
        return f"{self.place(program)}={self.value}"


class TSO(MemoryModel):
    name = "tso"
    byte_addressed = True

    def __init__(self, local_first: bool = False) -> None:
        self.local_first = local_first
        self._future: dict[tuple, frozenset[int] | None] = {}

    def for_exhaustive(self) -> TSO:
        return TSO(local_first=reduce.enabled("tso-local-first"))

    def select(self, program, state: MachineState, enabled: list[Transition]) -> list[Transition]:
        """Partial-order reduction (the `tso-local-first` reduction): follow only the moves of
        one core, when they commute with everything the other cores can still do.

        1. A store into a core's own buffer, or a fence with its buffer empty, touches nothing
           another core sees (its buffer's tail, its registers) and commutes with every other
           move: other cores' steps and drains, and its own core's drains (a drain takes the
           buffer's head, the store appends to its tail; a fence with an empty buffer has
           nothing to drain). It is followed alone.
        2. Else, a core whose every enabled move (its next instruction, the drain of its
           buffer's head) touches only locations that no other core can still touch — in its
           buffer or in an instruction it has yet to run, with addresses no register forms —
           has moves that commute with everything the others may do before them: its moves
           alone are followed.
        In both cases the followed moves form a persistent set: every execution from here is
        equivalent to one starting with one of them, so every final state stays reachable. The
        machine asks only for loop-free programs that cannot hit the step budget, so the state
        graph has no cycle and no execution is cut short."""
        if not self.local_first:
            return enabled
        buffers = state.memory.buffers
        mine: dict[int, list[Transition]] = {}
        for t in enabled:
            if t.executes:
                info = program.threads[t.tid].core.info(state.threads[t.tid])
                if info.kind is Kind.STORE or (info.kind is Kind.FENCE and not buffers[t.tid]):
                    return [t]
            mine.setdefault(t.tid, []).append(t)
        if len(mine) < 2:
            return enabled
        footprints = [self._footprint(program, state, tid) for tid in range(len(buffers))]
        for tid, moves in mine.items():
            touched = set()
            for t in moves:
                if t.executes:
                    loc = self._location(program, tid, state.threads[tid])
                    if loc is None:
                        break
                    touched.add(loc)
                else:
                    touched.add(buffers[tid][0].loc)
            else:
                if all(f is not None and not (f & touched)
                       for other, f in enumerate(footprints) if other != tid):  # fmt: skip
                    return moves
        return enabled

    def alone(self, program, state: MachineState) -> int | None:
        """Rule 1 of `select`, told before any move is made: the first core whose next
        instruction is a store, or a fence with its buffer empty (`select` would keep its move
        alone; the machine then makes no other core's move, nor any drain)."""
        if not self.local_first:
            return None
        buffers = state.memory.buffers
        for tid, thread in enumerate(program.threads):
            info = thread.core.info(state.threads[tid])
            if info is not None and (info.kind is Kind.STORE
                                     or info.kind is Kind.FENCE and not buffers[tid]):  # fmt: skip
                return tid
        return None

    def _location(self, program, tid: int, tstate) -> int | None:
        """The location the thread's next instruction accesses, if no register forms it."""
        info = program.threads[tid].core.info(tstate)
        loc = program.by_addr.get(info.static_addr) if info.static_addr is not None else None
        return None if loc is None else loc.index

    def _footprint(self, program, state: MachineState, tid: int) -> frozenset[int] | None:
        """Every location core `tid` may still touch (None: it cannot be told)."""
        core = program.threads[tid].core
        key = (id(program), tid, core.pc(state.threads[tid]))
        future = self._future.get(key, ())
        if future == ():
            future = self._future[key] = _future_locations(program, tid, key[2])
        if future is None:
            return None
        return future | {e.loc for e in state.memory.buffers[tid]}

    def initial_memory(self, program):
        return TsoMemory(initial_values(program), ((),) * len(program.threads))

    def core_transitions(self, program, state: MachineState, tid: int, info: InsnInfo):
        mem: TsoMemory = state.memory
        buffer = mem.buffers[tid]
        if info.kind in (Kind.LOAD_EXCL, Kind.STORE_EXCL):
            raise refuse(self.name, info, "exclusives are not x86 instructions")
        atomic = info.kind is Kind.RMW
        if atomic and not info.locked:
            raise refuse(self.name, info, "an unlocked read-modify-write is not atomic")
        if (atomic or info.barrier is Barrier.FULL) and buffer:
            return  # waits for the buffer to drain

        sources = []  # for execution graphs: the buffer entry or memory each read took

        def read(loc, offset, size, index):
            whole, newest = mem.values[loc.index], None
            for i, e in enumerate(() if atomic else buffer):  # oldest first: newer ones win
                if e.loc == loc.index and e.offset < offset + size and offset < e.offset + e.size:
                    whole, newest = put_bytes(whole, e.offset, e.size, e.value), i
            sources.append(MEMORY if newest is None else ("buf", newest))
            return get_bytes(whole, offset, size)

        step, _ = self.execute(program, state, tid, read)
        values = list(mem.values)
        new_buffer = list(buffer)
        for w in step.writes:
            loc, offset = program.place(w.addr, w.size, "write")
            if atomic:
                values[loc.index] = put_bytes(values[loc.index], offset, w.size, w.value)
            else:
                new_buffer.append(Entry(loc.index, w.value, offset, w.size))
        buffers = list(mem.buffers)
        buffers[tid] = tuple(new_buffer)
        new = TsoMemory(tuple(values), tuple(buffers))
        goes = (MEMORY if atomic else ("buf",),) * len(step.writes)
        yield Transition(str(tid), tid, self.label(tid, info),
                         state.with_thread(tid, step.state, new), step=step,
                         provenance=Provenance(tuple(sources), goes))  # fmt: skip

    def internal_transitions(self, program, state: MachineState):
        mem: TsoMemory = state.memory
        for tid, buffer in enumerate(mem.buffers):
            if buffer:
                e, rest = buffer[0], buffer[1:]
                values = list(mem.values)
                values[e.loc] = put_bytes(values[e.loc], e.offset, e.size, e.value)
                buffers = list(mem.buffers)
                buffers[tid] = rest
                yield Transition(
                    f"d{tid}", tid, f"P{tid}: drain {e.text(program)} to memory",
                    state.with_memory(TsoMemory(tuple(values), tuple(buffers))), executes=False,
                    provenance=Provenance(drain=True),
                )  # fmt: skip

    def explain(self, program, state: MachineState, tid: int) -> list[Reason]:
        mem: TsoMemory = state.memory
        buffer = mem.buffers[tid]
        held = ", ".join(e.text(program) for e in buffer)
        info = program.threads[tid].core.info(state.threads[tid])
        out = [Reason(tid, f"store buffer holds {held} (oldest first; other cores cannot see "
                           "these yet)" if buffer else "store buffer is empty")]  # fmt: skip
        if info is None:
            out.insert(0, Reason(tid, "finished"))
        elif info.kind is Kind.RMW or info.barrier is Barrier.FULL:
            what = "MFENCE" if info.barrier is Barrier.FULL else f"{info.mnemonic} (locked)"
            if buffer:
                out.append(Reason(tid, f"{what} waits for the store buffer to drain: drain "
                                       f"d{tid} first", False))  # fmt: skip
            elif info.kind is Kind.RMW:
                out.append(Reason(tid, "a locked instruction reads and writes memory itself, "
                                       "atomically, with the buffer empty"))  # fmt: skip
        elif info.barrier in (Barrier.LFENCE, Barrier.SFENCE):
            out.append(Reason(tid, f"{info.mnemonic} does not order ordinary memory under "
                                   "x86-TSO"))  # fmt: skip
        for t in self.moves_of(program, state, tid, info):
            text = what_it_does(program, t)
            if not t.executes:
                text += " (the oldest entry first; then every core sees it)"
            elif t.provenance is not None:
                text += _where_reads_went(t, info, buffer, program)
            out.append(Reason(tid, text, True, t.key))
        return out

    def is_final(self, program, memory: TsoMemory):
        return not any(memory.buffers)

    def final_memory(self, program, memory: TsoMemory):
        return program.final_memory(dict(enumerate(memory.values)))

    def describe(self, program, memory: TsoMemory):
        return {
            "memory": shown_memory(program, memory.values),
            "store buffers": [[(e.place(program), e.value) for e in buf]
                              for buf in memory.buffers],
        }


def _future_locations(program, tid: int, pc: int) -> frozenset[int] | None:
    """The locations a loop-free thread may access from `pc` on (None: an address is formed
    by registers, or is no location)."""
    out = set()
    for addr, info in program.threads[tid].core.infos.items():
        if addr < pc or not info.kind.touches_memory:
            continue
        loc = program.by_addr.get(info.static_addr) if info.static_addr is not None else None
        if loc is None:
            return None
        out.add(loc.index)
    return frozenset(out)


def _where_reads_went(t: Transition, info: InsnInfo, buffer, program) -> str:
    """What a TSO step did with the buffer, in words: forwarded, read memory past buffered
    stores, or buffered a store."""
    notes = []
    for source in t.provenance.reads:
        if source[0] == "buf":
            notes.append(f"forwards {buffer[source[1]].text(program)} from its own store buffer")
        elif buffer and info.kind is not Kind.RMW:
            notes.append("reads memory: loads may pass its buffered stores to other locations")
    if t.provenance.writes and t.provenance.writes[0] == ("buf",):
        notes.append("the store waits in its buffer, unseen by other cores")
    return f" — {'; '.join(notes)}" if notes else ""
