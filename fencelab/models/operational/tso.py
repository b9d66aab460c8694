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
    Transition,
    refuse,
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
