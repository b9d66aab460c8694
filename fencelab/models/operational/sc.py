"""Sequential consistency: every core's instructions interleave over one shared memory.

The baseline every other model is compared with. It runs any target's code: loads read memory,
stores write it at once, fences do nothing. Exclusives (LDXR/STXR, LDREX/STREX) keep a monitor
per core: a store-exclusive succeeds only if no write to its location came after the
load-exclusive; it may also fail spuriously when its thread has no loop (in a retry loop a
spurious failure only repeats work, so it is not explored there).
"""

from __future__ import annotations

from dataclasses import dataclass

from fencelab.isa.core import NeedRead
from fencelab.isa.insn import InsnInfo, Kind
from fencelab.machine.model import (
    MEMORY,
    MONITOR_MISMATCH,
    MachineState,
    MemoryModel,
    Provenance,
    Reason,
    Transition,
    elsewhere_uncovered,
    refuse,
    succeeds_elsewhere,
    what_it_does,
)
from fencelab.values import get_bytes, put_bytes, unsigned

SC_RULE = "SC: one memory, no buffers; any core may take its next step at any time"


@dataclass(frozen=True)
class ScMemory:
    values: tuple[int, ...]  # by location index: its bytes, little-endian, as one unsigned int
    versions: tuple[int, ...]  # writes so far, by location index (for exclusive monitors)
    monitors: tuple[tuple | None, ...]  # per core: (location, version, value, address, size)


class SC(MemoryModel):
    name = "sc"
    byte_addressed = True

    def initial_memory(self, program):
        n = len(program.locations)
        return ScMemory(
            initial_values(program), (0,) * n, (None,) * len(program.threads)
        )

    def core_transitions(self, program, state: MachineState, tid: int, info: InsnInfo):
        mem: ScMemory = state.memory
        if info.kind is Kind.STORE_EXCL:
            yield from self._store_exclusive(program, state, tid, info)
            return
        step, got = self.execute(program, state, tid, lambda loc, offset, size, i:
                                 get_bytes(mem.values[loc.index], offset, size))  # fmt: skip
        monitor = mem.monitors[tid]
        if info.kind is Kind.LOAD_EXCL and got:
            loc, value = got[0]
            first = step.reads[0]
            monitor = (loc.index, mem.versions[loc.index], value, first.addr, first.size)
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
        core = program.threads[tid].core
        need = core.run(state.threads[tid], ())
        if monitor is not None and not isinstance(need, NeedRead):  # for another address
            yield from self._store_elsewhere(program, state, tid, info)
            return
        if monitor is not None and need.addr != monitor[3]:
            raise refuse(self.name, info, MONITOR_MISMATCH)
        if valid and need.size != monitor[4]:
            valid = False  # a pair of other sizes fails (CONSTRAINED UNPREDICTABLE)
        if valid:
            options.append(("", monitor[2], "succeeds"))
        if not valid or program.may_fail_spuriously(tid):
            options.append((".fail", (monitor[2] ^ 1) if monitor else 1, "fails"))
        for suffix, supply, what in options:
            step, _ = self.execute(program, state, tid, lambda loc, offset, size, i, v=supply: v)
            new = _written(program, mem, step, tid, None)
            yield Transition(
                f"{tid}{suffix}", tid, self.label(tid, info, what),
                state.with_thread(tid, step.state, new), step=step, provenance=_in_memory(step),
            )

    def _store_elsewhere(self, program, state, tid, info):
        """A store-exclusive to another address than its thread's load-exclusive's: AArch64's
        succeeds there (its atomicity is about the read's location, which it does not write)
        or fails spuriously, where its thread has no loop; A32's fails (machine/model.py
        `succeeds_elsewhere`)."""
        mem: ScMemory = state.memory
        core = program.threads[tid].core
        options = []
        if succeeds_elsewhere(program):
            monitor = mem.monitors[tid]
            why = elsewhere_uncovered(info, monitor[4], mixed=False)
            if why is not None:
                raise refuse(self.name, info, why)
            ok = core.run_succeeding_elsewhere(state.threads[tid])
            if ok.writes[0].addr == monitor[3]:
                raise refuse(self.name, info, MONITOR_MISMATCH)
            options.append(("", ok, "succeeds"))
        if not options or program.may_fail_spuriously(tid):
            options.append((".fail", core.run(state.threads[tid], ()), "fails"))
        for suffix, step, what in options:
            yield Transition(
                f"{tid}{suffix}", tid, self.label(tid, info, what),
                state.with_thread(tid, step.state, _written(program, mem, step, tid, None)),
                step=step, provenance=_in_memory(step),
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
                elsewhere = monitor is not None and not isinstance(
                    program.threads[tid].core.run(state.threads[tid], ()), NeedRead)
                if elsewhere:
                    why = ("to another address than its load-exclusive's: an AArch64 one may "
                           "succeed there, an A32 one fails (herd7's choices)")
                spurious = kept or (elsewhere and succeeds_elsewhere(program))
                if spurious and t.key.endswith(".fail"):
                    why = "a store-exclusive may fail spuriously (no retry loop here)"
                text += f" — {why}"
            out.append(Reason(tid, text, True, t.key))
        return out

    def final_memory(self, program, memory: ScMemory):
        return program.final_memory(dict(enumerate(memory.values)))

    def describe(self, program, memory: ScMemory):
        return {"memory": shown_memory(program, memory.values)}


def initial_values(program) -> tuple[int, ...]:
    """Every location's initial bytes as one unsigned value (a byte-addressed memory: an
    access of any size at any offset inside a location reads or writes just its bytes)."""
    return tuple(unsigned(loc.init, 8 * loc.size) for loc in program.locations)


def shown_memory(program, values) -> dict[str, int]:
    """Every location's value as the panes show it, in its type (an array held whole, element
    by element; an address as is)."""
    return dict(program.cells(values))


def _in_memory(step) -> Provenance:
    """Every read reads memory, every write goes there at once."""
    return Provenance((MEMORY,) * len(step.reads), (MEMORY,) * len(step.writes))


def _written(program, mem: ScMemory, step, tid: int, monitor) -> ScMemory:
    """Memory after `step`'s writes, with core `tid`'s exclusive monitor set to `monitor`."""
    values, versions = list(mem.values), list(mem.versions)
    for w in step.writes:
        loc, offset = program.place(w.addr, w.size, "write")
        values[loc.index] = put_bytes(values[loc.index], offset, w.size, w.value)
        versions[loc.index] += 1
    monitors = list(mem.monitors)
    monitors[tid] = monitor
    return ScMemory(tuple(values), tuple(versions), tuple(monitors))
