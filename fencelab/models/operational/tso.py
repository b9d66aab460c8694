"""x86-TSO (Owens, Sarkar, Sewell): a FIFO store buffer per core in front of one memory.

- a store goes into its core's buffer;
- a load reads the newest buffered store of its own core to that location, else memory;
- a drain step (an internal transition) moves a core's oldest buffered store to memory;
- MFENCE waits until its core's buffer is empty;
- LOCK-prefixed instructions and XCHG with memory wait for an empty buffer, then read and write
  memory atomically;
- LFENCE and SFENCE do nothing for ordinary memory.
Execution may end only when every buffer has drained.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class TsoMemory:
    values: tuple[int, ...]  # by location index
    buffers: tuple[tuple[tuple[int, int], ...], ...]  # per core, oldest first: (location, value)


class TSO(MemoryModel):
    name = "tso"

    def initial_memory(self, program):
        return TsoMemory(tuple(loc.init for loc in program.locations),
                         ((),) * len(program.threads))  # fmt: skip

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

        def read(loc, size, index):
            if not atomic:
                for i in range(len(buffer) - 1, -1, -1):
                    where, value = buffer[i]
                    if where == loc.index:
                        sources.append(("buf", i))
                        return value
            sources.append(MEMORY)
            return mem.values[loc.index]

        step, _ = self.execute(program, state, tid, read)
        values = list(mem.values)
        new_buffer = list(buffer)
        for w in step.writes:
            loc = program.location_at(w.addr, w.size, "write")
            if atomic:
                values[loc.index] = w.value
            else:
                new_buffer.append((loc.index, w.value))
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
                (where, value), rest = buffer[0], buffer[1:]
                values = list(mem.values)
                values[where] = value
                buffers = list(mem.buffers)
                buffers[tid] = rest
                name = program.locations[where].name
                yield Transition(
                    f"d{tid}", tid, f"P{tid}: drain {name}={value} to memory",
                    state.with_memory(TsoMemory(tuple(values), tuple(buffers))), executes=False,
                    provenance=Provenance(drain=True),
                )  # fmt: skip

    def explain(self, program, state: MachineState, tid: int) -> list[Reason]:
        mem: TsoMemory = state.memory
        names = [loc.name for loc in program.locations]
        buffer = mem.buffers[tid]
        held = ", ".join(f"{names[w]}={v}" for w, v in buffer)
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
                text += _where_reads_went(t, info, buffer, names)
            out.append(Reason(tid, text, True, t.key))
        return out

    def is_final(self, program, memory: TsoMemory):
        return not any(memory.buffers)

    def final_memory(self, program, memory: TsoMemory):
        return {loc.addr: memory.values[loc.index] for loc in program.locations}

    def describe(self, program, memory: TsoMemory):
        names = [loc.name for loc in program.locations]
        return {
            "memory": dict(zip(names, memory.values)),
            "store buffers": [[(names[w], v) for w, v in buf] for buf in memory.buffers],
        }


def _where_reads_went(t: Transition, info: InsnInfo, buffer, names: list[str]) -> str:
    """What a TSO step did with the buffer, in words: forwarded, read memory past buffered
    stores, or buffered a store."""
    notes = []
    for source in t.provenance.reads:
        if source[0] == "buf":
            loc, value = buffer[source[1]]
            notes.append(f"forwards {names[loc]}={value} from its own store buffer")
        elif buffer and info.kind is not Kind.RMW:
            notes.append("reads memory: loads may pass its buffered stores to other locations")
    if t.provenance.writes and t.provenance.writes[0] == ("buf",):
        notes.append("the store waits in its buffer, unseen by other cores")
    return f" — {'; '.join(notes)}" if notes else ""
