"""Sequential consistency: every core's instructions interleave over one shared memory.

The baseline every other model is compared with. It runs any target's code: loads read memory,
stores write it at once, fences do nothing. Exclusives (LDXR/STXR, LDREX/STREX) keep a monitor
per core: a store-exclusive succeeds only if no write to its location came after the
load-exclusive; it may also fail spuriously when its thread has no loop (in a retry loop a
spurious failure only repeats work, so it is not explored there).
"""

from __future__ import annotations

from dataclasses import dataclass

from fencelab.isa.insn import InsnInfo, Kind
from fencelab.machine.model import (
    MEMORY,
    MachineState,
    MemoryModel,
    Provenance,
    Reason,
    Transition,
    what_it_does,
)

SC_RULE = "SC: one memory, no buffers; any core may take its next step at any time"


@dataclass(frozen=True)
class ScMemory:
    values: tuple[int, ...]  # by location index
    versions: tuple[int, ...]  # writes so far, by location index (for exclusive monitors)
    monitors: tuple[tuple[int, int, int] | None, ...]  # per core: (location, version, value)


class SC(MemoryModel):
    name = "sc"

    def initial_memory(self, program):
        n = len(program.locations)
        return ScMemory(
            tuple(loc.init for loc in program.locations), (0,) * n, (None,) * len(program.threads)
        )

    def core_transitions(self, program, state: MachineState, tid: int, info: InsnInfo):
        mem: ScMemory = state.memory
        if info.kind is Kind.STORE_EXCL:
            yield from self._store_exclusive(program, state, tid, info)
            return
        step, got = self.execute(program, state, tid, lambda loc, size, i: mem.values[loc.index])
        monitor = mem.monitors[tid]
        if info.kind is Kind.LOAD_EXCL and got:
            loc, value = got[0]
            monitor = (loc.index, mem.versions[loc.index], value)
        elif info.kind is Kind.FENCE and info.mnemonic.startswith("clrex"):
            monitor = None
        new = _written(program, mem, step, tid, monitor)
        yield Transition(str(tid), tid, self.label(tid, info), state.with_thread(tid, step.state, new),
                         step=step, provenance=_in_memory(step))

    def _store_exclusive(self, program, state, tid, info):
        mem: ScMemory = state.memory
        monitor = mem.monitors[tid]
        options = []
        valid = monitor is not None and mem.versions[monitor[0]] == monitor[1]
        if valid:
            options.append(("", monitor[2], "succeeds"))
        if not valid or program.may_fail_spuriously(tid):
            options.append((".fail", (monitor[2] ^ 1) if monitor else 1, "fails"))
        for suffix, supply, what in options:
            step, _ = self.execute(program, state, tid, lambda loc, size, i, v=supply: v)
            new = _written(program, mem, step, tid, None)
            yield Transition(
                f"{tid}{suffix}", tid, self.label(tid, info, what),
                state.with_thread(tid, step.state, new), step=step, provenance=_in_memory(step),
            )

    def explain(self, program, state: MachineState, tid: int) -> list[Reason]:
        info = program.threads[tid].core.info(state.threads[tid])
        if info is None:
            return [Reason(tid, "finished")]
        mem: ScMemory = state.memory
        out = [Reason(tid, SC_RULE)]
        for t in self.moves_of(program, state, tid, info):
            text = what_it_does(program, t)
            if info.kind is Kind.FENCE:
                text += ": no effect under SC, every access is already in order"
            elif info.kind is Kind.STORE and t.step is not None and t.step.writes:
                text += " (every core sees it at once)"
            elif info.kind is Kind.STORE_EXCL:
                monitor = mem.monitors[tid]
                kept = monitor is not None and mem.versions[monitor[0]] == monitor[1]
                why = ("no write to its location since its load-exclusive" if kept else
                       "its load-exclusive's reservation is lost (written since, or none)")
                if kept and t.key.endswith(".fail"):
                    why = "a store-exclusive may fail spuriously (no retry loop here)"
                text += f" — {why}"
            out.append(Reason(tid, text, True, t.key))
        return out

    def final_memory(self, program, memory: ScMemory):
        return program.final_memory({loc.index: memory.values[loc.index]
                                     for loc in program.locations
                                     if memory.values[loc.index] != loc.init})  # fmt: skip

    def describe(self, program, memory: ScMemory):
        return {"memory": {loc.name: memory.values[loc.index] for loc in program.locations}}


def _in_memory(step) -> Provenance:
    """Every read reads memory, every write goes there at once."""
    return Provenance((MEMORY,) * len(step.reads), (MEMORY,) * len(step.writes))


def _written(program, mem: ScMemory, step, tid: int, monitor) -> ScMemory:
    """Memory after `step`'s writes, with core `tid`'s exclusive monitor set to `monitor`."""
    values, versions = list(mem.values), list(mem.versions)
    for w in step.writes:
        loc = program.location_at(w.addr, w.size, "write")
        values[loc.index] = w.value
        versions[loc.index] += 1
    monitors = list(mem.monitors)
    monitors[tid] = monitor
    return ScMemory(tuple(values), tuple(versions), tuple(monitors))
