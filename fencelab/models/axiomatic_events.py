"""Events of candidate executions, read off the real machine code.

An axiomatic model judges candidate executions: a set of events per thread (reads, writes,
fences) with their program order and dependencies, plus a choice of reads-from and coherence.
Here the per-thread part comes from running each thread's Unicorn core alone with *chosen*
read values (`Core.run(state, reads)` asks for each read's value through `NeedRead`): every
sequence of choices that runs the thread to its end is a `ThreadPath`.

Read values range over what can be stored in the location: its initial value and the values
that stores of any path write there. Written values can depend on values read, so the set is
grown to a fixpoint (`enumerate_paths`).

Dependencies come from register dataflow over every executed instruction (`InsnInfo.reads`,
`.writes`, `.addr_regs`, `.data_regs`, `.dest_regs`): a register's *taint* is the set of read
events whose value flowed into it (herd's `dd = (rf-reg | intrinsic)+`). Then

- addr: a read's taint reaches the address registers of a later access (herd's `addr`);
- data: it reaches the data registers of a later write (`data`); a CAS's compare registers
  decide whether it writes, which herd counts as a non-data ("address-like") dependency;
- ctrl: it reaches a branch that is executed before a later event (`ctrl = [R]; dd; [BCC]; po`);
- a loaded register's taint is the load's read plus its address taint (herd's intrinsic order
  runs from the address through the read to the destination);
- a store-exclusive's status register carries no taint (`rf-reg-no-stxr` in aarch64deps.cat:
  the success bit is no dependency in Arm's model).

The exclusive pair relation `rmw` links a load-exclusive to the successful store-exclusive it
pairs with; LSE single-instruction RMWs (and a successful CAS) relate their read to their write
(`amo`). A store-exclusive is explored both ways: succeeding (supply the monitor's value, see
fencelab/isa/core.py) when the thread's last load-exclusive, with no CLREX or store-exclusive
since, was to the same location; and failing. A failure while the monitor is valid is free when
the thread may fail spuriously (`Program.may_fail_spuriously`, as in the sc model); otherwise
the path records that the load-exclusive's monitor must have been broken (`must_break`): the
candidate needs a write coherence-after the one the load-exclusive read.

Out of scope (refused or unmodelled, as said where it happens): mixed-size accesses (the loader
refuses them), pick dependencies through CSEL (treated as ordinary dependencies), and the
tag / MTE / virtual-memory / instruction-fetch parts of herd's model.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from fencelab.errors import FencelabError
from fencelab.isa.core import NeedRead, Step, ThreadState
from fencelab.isa.insn import Barrier, InsnInfo, Kind

MAX_VALUES = 64  # distinct values one location may take before we give up


@dataclass(frozen=True)
class Event:
    """One memory event. `tid` is -1 for a location's initial write."""

    tid: int
    po: int  # position among its thread's events
    kind: str  # "R", "W" or "F"
    loc: int | None = None  # location index (None for fences)
    size: int = 8  # bytes accessed
    value: int = 0  # value read or written (raw, as Unicorn saw it)
    info: InsnInfo | None = None
    acquire: bool = False  # herd's A (LDAR, LDAXR, SWPA...)
    acquire_pc: bool = False  # herd's Q (LDAPR)
    release: bool = False  # herd's L (STLR, STLXR, SWPL...)
    noret: bool = False  # herd's NoRet: the read of an ST<op> (LD<op> into the zero register)
    amo: bool = False  # part of a single-instruction RMW (LSE)
    barrier: Barrier | None = None

    def matches(self, write: Event) -> bool:
        """Could this read have read `write`'s value?"""
        mask = (1 << (8 * self.size)) - 1
        return (write.value & mask) == (self.value & mask)

    def label(self, names: list[str]) -> str:
        where = f"P{self.tid}" if self.tid >= 0 else "init"
        if self.kind == "F":
            return f"{where}:{self.info.text if self.info else 'fence'}"
        text = f" ({self.info.text})" if self.info else ""
        return f"{where}:{self.kind} {names[self.loc]}={self.value}{text}"


@dataclass(frozen=True)
class ThreadPath:
    """One way a thread can run to its end: its events, final registers and dependencies.

    Relations are pairs of positions in `events` (po order is the position order)."""

    tid: int
    events: tuple[Event, ...]
    final: ThreadState
    addr: frozenset[tuple[int, int]] = frozenset()
    data: frozenset[tuple[int, int]] = frozenset()
    ctrl: frozenset[tuple[int, int]] = frozenset()
    rmw: frozenset[tuple[int, int]] = frozenset()  # exclusive pairs and single-instruction RMWs
    must_break: tuple[int, ...] = ()  # load-exclusives whose monitor must have been broken


@dataclass
class _Builder:
    """A path under construction (copied at every choice)."""

    events: list[Event] = field(default_factory=list)
    taint: dict[str, frozenset[int]] = field(default_factory=dict)
    ctrl_src: frozenset[int] = frozenset()
    addr: set[tuple[int, int]] = field(default_factory=set)
    data: set[tuple[int, int]] = field(default_factory=set)
    ctrl: set[tuple[int, int]] = field(default_factory=set)
    rmw: set[tuple[int, int]] = field(default_factory=set)
    monitor: tuple[int, int, int] | None = None  # (load-exclusive event, location, value)
    must_break: tuple[int, ...] = ()
    steps: int = 0
    pair_with: int | None = None  # the load-exclusive a succeeding store-exclusive pairs with

    def copy(self) -> _Builder:
        return _Builder(list(self.events), dict(self.taint), self.ctrl_src, set(self.addr),
                        set(self.data), set(self.ctrl), set(self.rmw), self.monitor,
                        self.must_break, self.steps, self.pair_with)  # fmt: skip

    def src(self, regs) -> frozenset[int]:
        out: frozenset[int] = frozenset()
        for r in regs:
            out |= self.taint.get(r, frozenset())
        return out

    def add(self, event: Event) -> int:
        index = len(self.events)
        self.events.append(event)
        self.ctrl.update((s, index) for s in self.ctrl_src)
        return index

    def local(self, core, executed) -> None:
        """Register dataflow through register-only instructions and branches."""
        for addr in executed:
            info = core.infos[addr]
            src = self.src(info.reads)
            for reg in info.writes:
                self.taint[reg] = src
            if info.kind is Kind.BRANCH:
                self.ctrl_src |= src


class PathExplorer:
    """Enumerates a program's thread paths for given per-location value sets."""

    def __init__(self, program, budget: int):
        self.program = program
        self.budget = budget
        self.budget_hits = 0

    def thread_paths(self, tid: int, values: dict[int, set[int]]) -> list[ThreadPath]:
        thread = self.program.threads[tid]
        core = thread.core
        first = core.initial_state(thread.init_regs)
        if first.hung:
            self.budget_hits += 1
            return []
        builder = _Builder()
        builder.local(core, first.executed)
        out: list[ThreadPath] = []
        self._explore(tid, core, first.state, builder, values, out)
        return out

    def _explore(self, tid, core, state, b: _Builder, values, out) -> None:
        info = core.info(state)
        if info is None:
            out.append(ThreadPath(tid, tuple(b.events), state, frozenset(b.addr),
                                  frozenset(b.data), frozenset(b.ctrl), frozenset(b.rmw),
                                  b.must_break))  # fmt: skip
            return
        if b.steps >= self.budget:
            self.budget_hits += 1
            return
        if info.kind is Kind.STORE_EXCL:
            options = self._store_exclusive(tid, core, state, b, info)
        elif info.kind is Kind.FENCE:
            options = [(self._finish(core, state, ()), b.copy())]
        else:
            options = [(step, b.copy()) for step in self._with_reads(core, state, (), values)]
        for step, nb in options:
            if step.hung:
                self.budget_hits += 1
                continue
            nb.steps += 1
            self._events(tid, nb, info, step)
            nb.local(core, step.executed[1:])
            self._explore(tid, core, step.state, nb, values, out)

    # -- running one instruction ----------------------------------------------------------
    def _finish(self, core, state, reads) -> Step:
        result = core.run(state, reads)
        if isinstance(result, NeedRead):
            info = core.info(state)
            raise FencelabError(f"{info.text!r}: unexpected memory read at {result.addr:#x}")
        return result

    def _with_reads(self, core, state, reads: tuple[int, ...], values):
        """Every Step the instruction can take, one per choice of its read values."""
        result = core.run(state, reads)
        if isinstance(result, Step):
            yield result
            return
        loc = self.program.location_at(result.addr, result.size, "read")
        mask = (1 << (8 * result.size)) - 1
        for v in sorted({v & mask for v in values[loc.index]}):
            yield from self._with_reads(core, state, (*reads, v), values)

    def _store_exclusive(self, tid, core, state, b: _Builder, info):
        """Success (when the monitor is for this location) and failure, as Steps."""
        first = core.run(state, ())
        if isinstance(first, Step):  # Unicorn's monitor is not even armed: it fails
            nb = b.copy()
            nb.monitor = None
            return [(first, nb)]
        loc = self.program.location_at(first.addr, first.size, "store-exclusive")
        mask = (1 << (8 * first.size)) - 1
        mon = b.monitor
        options = []
        valid = mon is not None and mon[1] == loc.index
        if valid:
            ok = self._finish(core, state, (mon[2] & mask,))
            if ok.writes:
                nb = b.copy()
                nb.monitor = None
                nb.pair_with = mon[0]
                options.append((ok, nb))
        fail = self._finish(core, state, (((mon[2] if mon else 0) ^ 1) & mask,))
        if fail.writes:
            raise FencelabError(f"{info.text!r}: store-exclusive did not fail when told to")
        nb = b.copy()
        nb.monitor = None
        if valid and not self.program.may_fail_spuriously(tid):
            nb.must_break = (*b.must_break, mon[0])
        options.append((fail, nb))
        return options

    # -- events and dependencies -----------------------------------------------------------
    def _events(self, tid: int, b: _Builder, info: InsnInfo, step: Step) -> None:
        if info.kind is Kind.FENCE:
            if info.barrier is None:  # CLREX: clears the monitor, orders nothing
                b.monitor = None
                return
            b.add(Event(tid, len(b.events), "F", info=info, barrier=info.barrier))
            return
        addr_src = b.src(info.addr_regs)
        data_src = b.src(info.data_regs)
        compare_src = b.src(info.compare_regs)
        amo = info.kind is Kind.RMW
        reads = () if info.kind is Kind.STORE_EXCL else step.reads
        read_ids = []
        for access in reads:
            loc = self.program.location_at(access.addr, access.size, "read")
            noret = amo and not info.cas and not info.dest_regs and not info.mnemonic.lower(
            ).startswith("swp")
            e = b.add(Event(tid, len(b.events), "R", loc.index, access.size, access.value, info,
                            acquire=info.acquire, acquire_pc=info.acquire_pc, noret=noret,
                            amo=amo))  # fmt: skip
            read_ids.append(e)
            b.addr.update((s, e) for s in addr_src)
        write_ids = []
        for access in step.writes:
            loc = self.program.location_at(access.addr, access.size, "write")
            e = b.add(Event(tid, len(b.events), "W", loc.index, access.size, access.value, info,
                            release=info.release, amo=amo))  # fmt: skip
            write_ids.append(e)
            b.addr.update((s, e) for s in addr_src | compare_src)
            b.data.update((s, e) for s in data_src)
        if amo and read_ids and write_ids:
            b.rmw.add((read_ids[0], write_ids[0]))
        if info.kind is Kind.STORE_EXCL and write_ids and b.pair_with is not None:
            b.rmw.add((b.pair_with, write_ids[0]))  # lxsx: LDXR -> successful STXR
        b.pair_with = None
        dest_taint = frozenset(read_ids) | addr_src
        for reg in info.dest_regs:
            b.taint[reg] = dest_taint
        for reg in info.status_regs:
            b.taint[reg] = frozenset()
        if info.kind is Kind.LOAD_EXCL and read_ids:
            first = b.events[read_ids[0]]
            b.monitor = (read_ids[0], first.loc, first.value)


def enumerate_paths(program, budget: int) -> tuple[list[list[ThreadPath]], int]:
    """Every thread's paths, with read values grown to a fixpoint; and the budget hits.

    Round i+1 reads the values that paths of round i wrote. The fixpoint need not exist
    (an LDADD reading its own increment, round after round), but it need not be reached
    either: in a consistent execution every write's value derives, through rf and registers,
    from writes before it in an acyclic chain (no value comes out of thin air — ARM's `ob`
    and SC both forbid the cycle), so a chain is at most as long as the execution has writes.
    After that many rounds every value a consistent execution can read is in the set; the
    extra values only make paths whose reads no write matches, which rf then discards.
    """
    values: dict[int, set[int]] = {loc.index: {loc.init} for loc in program.locations}
    for rounds in itertools.count(1):
        explorer = PathExplorer(program, budget)
        paths = [explorer.thread_paths(t.tid, values) for t in program.threads]
        grown = {k: set(v) for k, v in values.items()}
        for thread_paths in paths:
            for path in thread_paths:
                for e in path.events:
                    if e.kind == "W":
                        grown[e.loc].add(e.value)
        if grown == values:
            return paths, explorer.budget_hits
        max_writes = sum(
            max((sum(e.kind == "W" for e in p.events) for p in tp), default=0) for tp in paths
        )
        if rounds > max_writes + 1:
            return paths, explorer.budget_hits
        for index, vals in grown.items():
            if len(vals) > MAX_VALUES:
                name = program.locations[index].name
                raise FencelabError(
                    f"{program.test.name}: location {name} may hold more than {MAX_VALUES} "
                    "values; the axiomatic checker enumerates them and gives up"
                )
        values = grown
    raise AssertionError("unreachable")
