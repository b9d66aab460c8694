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
- a store-exclusive's status register carries no taint (`[~range(lxsx)]; rf-reg` in
  aarch64deps.cat: the success bit is no dependency in Arm's model);
- a read po-after a write to its location with no write between (herd's `lrs`) takes that
  write's input taint: aarch64deps.cat's `let rec dtrm = [~range(lxsx)]; rf-reg | lrs |
  iico_data | dtrm; dtrm` carries dependencies through memory.

Pick dependencies (aarch64deps.cat: `let pick-dtrm = (dtrm|iico_ctrl)+`, `pick-basic-dep =
[Exp & R | Rreg]; pick-dtrm?`, `pick-addr-dep`, `pick-data-dep`, `pick-ctrl-dep`) are a second
taint, `pick`, a superset of the first: it also flows through herd's intrinsic *control* edges,
which herd puts in three places we model (AArch64Sem.ml the first two, ARMSem.ml the third):

- a conditional select (CSEL, CSINC, CSINV, CSNEG and their aliases CSET, CINC...): the
  flags choose an operand (iico_ctrl), and only the chosen operand's value flows as data. The
  chosen operand is found by replaying the thread's segment on its Unicorn core up to the
  select and reading NZCV (`_conditions`), only when the two operands' taints differ;
- a CAS (event.ml `aarch64_cas_ok`/`aarch64_cas_no`): the compare register and the value read
  decide whether the write happens (`Cs1`/`Cs2`: iico_ctrl to the write), so the compare
  register is a pick dependency of the CAS's write, not an address or data one. What a
  successful CAS returns in Rs is, in herd, two alternative event structures
  (eventsMonad.ml: `altT (do_ `DataFromRRs) (do_ `DataFromRx)`): the returned value's data
  comes from the compare register (and the read only picks it) or from the read. Both are
  explored, as two paths. A failed CAS returns the read value (`Df1`); its compare register
  reaches the result only by an optional control edge (`altT (do_ true) (do_ false)`), which
  can only forbid more, so it is left out. herd counts the two as two executions: a path
through a failed CAS whose compare register depends on no read (so the two are alike) weighs
2 in the execution counts (`ThreadPath.weight`); one whose compare register does is counted
once, a count herd may make twice.
- an A32 predicated instruction (LDREQ, STRNE, MOVEQ) whose condition held, under aarch32.cat
  (ARMSem.ml `checkZ`: the flags' read, then `>>*=`, iico_ctrl, to the instruction's first
  events): the flags are a pick dependency of its access (pick-addr-dep, pick-data-dep) and of
  what it writes, and no address, data or control one (`isa.insn.held_condition`). So a
  predicated store is ordered after the read that set its flags (`pob`), a predicated load
  is not.

The exclusive pair relation `rmw` links a load-exclusive to the successful store-exclusive it
pairs with; LSE single-instruction RMWs (and a successful CAS) relate their read to their write
(`amo`). A store-exclusive is explored both ways: succeeding (supply the monitor's value, see
fencelab/isa/core.py) when the thread's last load-exclusive, with no CLREX or store-exclusive
since, was to the same location; and failing. A failure while the monitor is valid is free when
the thread may fail spuriously (`Program.may_fail_spuriously`, as in the sc model); otherwise
the path records that the load-exclusive's monitor must have been broken (`must_break`): the
candidate needs a write coherence-after the one the load-exclusive read.

An atomic whose result register is XZR/WZR (ST<op>, SWP/CAS into the zero register) reads with
herd's `NoRet` annotation instead of its acquire one (AArch64Sem.ml `swp`, `cas`, `ldop`: `if
noret then do_read_mem_ret sz Annot.NoRet ... else rmw_amo_read sz rmw ...`): such a read is
neither A nor ordered by DMB LD (`[R \\ NoRet]; po; [dmb.ld]; po` in bob).

Mixed-size accesses (herd's -variant mixed: a byte, half-word or word inside a location) are
events with a byte offset; a read may take its bytes from different writes, so its candidate
values are built byte by byte where the writes that may reach it cover it differently
(`read_values`); reads-from and coherence per byte are chosen in candidates.py.

Out of scope (refused or unmodelled, as said where it happens): unaligned accesses and
accesses spanning two locations (the loader refuses them), and the tag / MTE /
virtual-memory / instruction-fetch parts of herd's model. A predicated (conditionally
executed) A32 instruction whose condition failed did nothing (herd's `checkZ`: no event, its
destination keeps its earlier value and dependencies, the exclusive monitor is kept), under
aarch32.cat as under arm.cat, whose reading is below (`register_deps`).

Dead reads (`axiomatic-dead-reads` in fencelab/reduce.py; `--no-reduce axiomatic-dead-reads`
turns it off). A thread branches on every value each read may return, so a loop that rereads
a location into a register nothing reads (herd's A184: an LDXR/STXR retry loop, W1 never read)
doubles its paths each iteration. Instead, a single-register load (LDR, LDXR, their acquire
forms; not a pair, an RMW, a load into PC, or one whose other written registers are not its
address's write-back) is run with its first value only, its event marked `any_value`
(`PathExplorer._speculate`). Every end of that subtree (`_leaf`: a path's end, the step budget,
a fault) checks the read's taint: if it is the source of no addr/data/ctrl/pick relation,
reaches no branch (`ctrl_src`, even one with no event after it), no predicated instruction's
condition (`cond_src`: under arm.cat no dependency, but it decided whether the instruction ran)
and no observed register,
nothing the run did on the way to that end depended on the value. Taint over-approximates
register dataflow, so with any other value every instruction on that way sees the same inputs
except registers nothing reads: the same branches, addresses, written values and events, the
same observed registers: the same end, with only that read's value changed. Such an end keeps
the mark and stands for every value's. An end that uses the read loses the mark, and then the
other values are explored too, keeping only the ends that use the read (the others are those
the first value's stand for): below a point where the read's value has left every register,
relation, branch and forwarded write (`_gone`), no end can use it, and that subtree is cut
(`_covered`). So a retry loop whose LDXR register is observed when the loop is left, and
overwritten when it retries, has a few paths per iteration, not a factor per iteration. So:

- every final state is kept: rf lets an `any_value` read take any write to its location
  (`Event.matches`; `_needs` asks no write to explain it), exactly the writes the per-value
  paths matched between them (every written value is in the value set at the fixpoint), and a
  state depends only on the paths' observed registers and the final memory, which agree;
- the counts are kept: a per-value path combined with the writes of its value, summed over
  the values, is the one path combined with every write; the candidates differ in nothing but
  that read's value, which no axiom looks at (Positive/Negative and Observation stay herd's,
  so counting runs keep the reduction). Budget hits are multiplied back by the values;
- a read of a location with mixed-size accesses takes its bytes from several writes, and its
  values are narrowed by `read_values`: such a location is not reduced (`enumerate_paths`
  finds its paths again). Drawings (fencelab/graph) show every value, without it.

A dead read may not read a write po-after it (`per_location_choices`: rf; po-loc is a cycle
that every model's `internal` forbids), so its rf choices stay few.

`register_deps=True` builds the dependencies of herd's older models (arm.cat, ppc.cat: `dd =
(rf-reg | iico_data)+`, through registers only, no `lrs` through memory — arm.cat orders what
flows through memory by `rfi`, `rdw` and `detour` instead) and reads a predicated A32
instruction as herd's current ARM semantics and arm.cat do: its condition is no dependency of
it nor of anything after it, it reads only its operands where the condition held
(`isa.insn.as_executed`: ARMSem.ml's `checkZ` reaches the instruction by iico_ctrl alone,
which arm.cat's addr, data and ctrl do not follow), and where the condition failed it did
nothing (`Step.skipped`: no event, no register changed, the exclusive monitor kept).
Since that condition orders nothing, a value may justify itself through it (LB whose stores
are STREQs of 1 made after reading 1): the rounds that grow the read values guess such
conditions both ways (`_enumerate`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

from fencelab import reduce
from fencelab.errors import AccessError, CodeError, FencelabError, MemoryFault, NarrowAddress
from fencelab.isa.core import NeedRead, Step, ThreadState
from fencelab.isa.insn import (
    Barrier,
    InsnInfo,
    Kind,
    condition_holds,
    held_condition,
)
from fencelab.limits import LimitReached, Meter
from fencelab.machine.model import MONITOR_MISMATCH, elsewhere_uncovered, succeeds_elsewhere
from fencelab.values import get_bytes, unsigned

MAX_VALUES = 64  # distinct values one location may take before we give up
Piece = tuple  # (offset, size, value) written to a location; (None, None, value): a seed


@dataclass(frozen=True)
class _Faulted:
    """An instruction that read a location's address into fewer bytes than an address
    (`NarrowAddress`, deferred: `PathExplorer._with_reads`): `step` holds its reads only."""

    step: Step
    error: NarrowAddress


def _cannot(info: InsnInfo, why: str) -> CodeError:
    return CodeError(info.address, info.text, f"the axiomatic checker cannot run it: {why}")


def read_values(pieces: set[Piece], offset: int, size: int) -> set[int]:
    """The values a read of `size` bytes at byte `offset` may return, given the pieces written
    to its location: each piece's bytes where every piece that overlaps the read covers all of
    it (accesses of one size), else every combination of the bytes the pieces give each byte
    (a read over writes of other sizes takes each byte from the write it reads it from)."""
    out = {unsigned(v, 8 * size) for off, _, v in pieces if off is None}
    over = [(off, sz, v) for off, sz, v in pieces
            if off is not None and off < offset + size and offset < off + sz]  # fmt: skip
    if all(off <= offset and offset + size <= off + sz for off, sz, _ in over):
        return out | {get_bytes(v, offset - off, size) for off, _, v in over}
    per_byte = [{get_bytes(v, byte - off, 1) for off, sz, v in over if off <= byte < off + sz}
                for byte in range(offset, offset + size)]  # fmt: skip
    count = 1
    for options in per_byte:
        count *= len(options)
    if count > MAX_VALUES * MAX_VALUES:
        raise FencelabError(f"a {size}-byte read over writes of other sizes may return {count:,} "
                            "values; the axiomatic checker enumerates them and gives up")
    for combo in itertools.product(*per_byte):
        out.add(sum(b << (8 * i) for i, b in enumerate(combo)))
    return out


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
    offset: int = 0  # the byte of the location the access starts at (mixed-size accesses)
    # a dead read (`axiomatic-dead-reads`): its value is whatever the write it reads from
    # wrote; `value` is only the one its path was run with
    any_value: bool = False

    def covers(self, byte: int) -> bool:
        return self.offset <= byte < self.offset + self.size

    def overlaps(self, other: Event) -> bool:
        return self.offset < other.offset + other.size and other.offset < self.offset + self.size

    def byte(self, byte: int) -> int:
        """The value of location byte `byte` this access reads or writes."""
        return get_bytes(self.value, byte - self.offset, 1)

    def matches(self, write: Event) -> bool:
        """Could this read have read `write`'s value?"""
        if self.any_value:
            return True
        mask = (1 << (8 * self.size)) - 1
        return (write.value & mask) == (self.value & mask)

    def label(self, names: list[str]) -> str:
        where = f"P{self.tid}" if self.tid >= 0 else "init"
        if self.kind == "F":
            return f"{where}:{self.info.text if self.info else 'fence'}"
        text = f" ({self.info.text})" if self.info else ""
        value = "*" if self.any_value else self.value
        return f"{where}:{self.kind} {names[self.loc]}={value}{text}"


@dataclass(frozen=True)
class ThreadPath:
    """One way a thread can run to its end: its events, final registers and dependencies.

    Relations are pairs of positions in `events` (po order is the position order). The pick
    relations include the ordinary ones (herd's pick-dtrm contains dtrm)."""

    tid: int
    events: tuple[Event, ...]
    final: ThreadState
    addr: frozenset[tuple[int, int]] = frozenset()
    data: frozenset[tuple[int, int]] = frozenset()
    ctrl: frozenset[tuple[int, int]] = frozenset()
    rmw: frozenset[tuple[int, int]] = frozenset()  # exclusive pairs and single-instruction RMWs
    must_break: tuple[int, ...] = ()  # load-exclusives whose monitor must have been broken
    pick_addr: frozenset[tuple[int, int]] = frozenset()  # pick-addr-dep
    pick_dep: frozenset[tuple[int, int]] = frozenset()  # pick-basic-dep to an access
    pick_ctrl: frozenset[tuple[int, int]] = frozenset()  # pick-ctrl-dep
    # the access that stopped the thread here (`defer_faults`): an address that is no
    # location, or a narrow read of a value that is a location's address (`_Faulted`)
    fault: MemoryFault | NarrowAddress | None = None
    # how many of herd's event structures this path stands for (the executions it makes are
    # counted that many times, as herd7 counts them): 2 per failed CAS whose compare register
    # depends on no read (`_events`)
    weight: int = 1


# Conditional selects: the flags pick one of two operands (the first when the condition holds).
_SELECTS = frozenset({"csel", "csinc", "csinv", "csneg"})
_SELECT_ALIASES = frozenset({"cset", "csetm", "cinc", "cinv", "cneg"})  # one source at most
_FLAGS = "nzcv"
_CONDITION = ("cpsr",)  # what an A32 predicated instruction's condition reads: the flags
Taint = frozenset[int]
NO_TAINT: Taint = frozenset()


def _select_operands(core, info: InsnInfo) -> tuple[str, str, str] | None:
    """(first source, second source, condition) of a CSEL-family instruction, canonical names
    ('' for the zero register); None for the other instructions."""
    if info.mnemonic.lower() not in _SELECTS:
        return None
    parts = [p.strip().lower() for p in info.op_str.split(",")]
    if len(parts) != 4:
        return None
    regs = [core.target.canonical_reg(p) if p not in ("xzr", "wzr") else "" for p in parts[1:3]]
    return regs[0], regs[1], parts[3]


@dataclass
class _Builder:
    """A path under construction (copied at every choice)."""

    events: list[Event] = field(default_factory=list)
    taint: dict[str, Taint] = field(default_factory=dict)  # dtrm: address/data dependencies
    pick: dict[str, Taint] = field(default_factory=dict)  # pick-dtrm (absent: same as taint)
    ctrl_src: Taint = NO_TAINT
    pick_ctrl_src: Taint = NO_TAINT
    # the reads whose values reached a predicated instruction's condition (held or not): no
    # dependency under arm.cat, but they decided what the path did
    cond_src: Taint = NO_TAINT
    addr: set[tuple[int, int]] = field(default_factory=set)
    data: set[tuple[int, int]] = field(default_factory=set)
    ctrl: set[tuple[int, int]] = field(default_factory=set)
    rmw: set[tuple[int, int]] = field(default_factory=set)
    pick_addr: set[tuple[int, int]] = field(default_factory=set)
    pick_dep: set[tuple[int, int]] = field(default_factory=set)
    pick_ctrl: set[tuple[int, int]] = field(default_factory=set)
    written: dict[int, tuple[Taint, Taint]] = field(default_factory=dict)  # loc -> last write's
    monitor: tuple[int, int, int] | None = None  # (load-exclusive event, location, value)
    must_break: tuple[int, ...] = ()
    steps: int = 0
    pair_with: int | None = None  # the load-exclusive a succeeding store-exclusive pairs with
    weight: int = 1  # ThreadPath.weight
    # a predicated condition was guessed on the way here (`PathExplorer.guess`): the path
    # only tells which values may be written
    guessed: bool = False

    def copy(self) -> _Builder:
        return _Builder(list(self.events), dict(self.taint), dict(self.pick), self.ctrl_src,
                        self.pick_ctrl_src, self.cond_src, set(self.addr), set(self.data),
                        set(self.ctrl), set(self.rmw), set(self.pick_addr), set(self.pick_dep),
                        set(self.pick_ctrl), dict(self.written), self.monitor,
                        self.must_break, self.steps, self.pair_with, self.weight,
                        self.guessed)  # fmt: skip

    def path(self, tid: int, final: ThreadState) -> ThreadPath:
        """The path built so far, ending in registers `final`."""
        return ThreadPath(tid, tuple(self.events), final, frozenset(self.addr),
                          frozenset(self.data), frozenset(self.ctrl), frozenset(self.rmw),
                          self.must_break, frozenset(self.pick_addr), frozenset(self.pick_dep),
                          frozenset(self.pick_ctrl), weight=self.weight)  # fmt: skip

    def src(self, regs) -> Taint:
        out: Taint = NO_TAINT
        for r in regs:
            out |= self.taint.get(r, NO_TAINT)
        return out

    def pick_src(self, regs) -> Taint:
        out: Taint = NO_TAINT
        for r in regs:
            out |= self.pick.get(r, self.taint.get(r, NO_TAINT))
        return out

    def set_reg(self, reg: str, taint: Taint, pick: Taint) -> None:
        self.taint[reg] = taint
        if pick == taint:
            self.pick.pop(reg, None)
        else:
            self.pick[reg] = pick | taint

    def add(self, event: Event) -> int:
        index = len(self.events)
        self.events.append(event)
        self.ctrl.update((s, index) for s in self.ctrl_src)
        self.pick_ctrl.update((s, index) for s in self.pick_ctrl_src)
        return index

    def local(self, core, executed, conditions: dict[int, bool], skipped=(),
              predicates_carry: bool = True) -> list[int]:  # fmt: skip
        """Register dataflow through register-only instructions and branches; `conditions`
        gives, by position in `executed`, whether a conditional select's condition held;
        `skipped`, the A32 predicated instructions whose condition failed, which did nothing;
        where one held, it reads its operands, and its condition is a pick dependency of what
        it writes if `predicates_carry` (aarch32.cat), none otherwise (arm.cat):
        `held_condition`. The positions of the predicated instructions whose condition a read
        decided."""
        decided = []
        for position, addr in enumerate(executed):
            info = core.infos[addr]
            if info.predicate and (flags := self.src(_CONDITION)):
                self.cond_src |= flags
                decided.append(position)
            if info.predicate and position in skipped:
                continue
            info, condition = held_condition(info, predicates_carry)
            reads = info.reads
            name = info.mnemonic.lower()
            flags_pick: Taint = self.pick_src(condition)
            if name in _SELECTS or name in _SELECT_ALIASES:
                flags_pick = self.pick_src((_FLAGS,))
                reads = reads - {_FLAGS}
                select = _select_operands(core, info)
                if select is not None and position in conditions:
                    first, second, _ = select
                    chosen = first if conditions[position] else second
                    reads = frozenset({chosen} - {""})
            src, pick = self.src(reads), self.pick_src(reads) | flags_pick
            for reg in info.writes:
                self.set_reg(reg, src, pick)
            if info.kind is Kind.BRANCH:
                self.ctrl_src |= src
                self.pick_ctrl_src |= pick
        return decided

    def needs_conditions(self, core, executed) -> bool:
        """Is there a conditional select whose operands' taints differ (so the choice matters)?"""
        for addr in executed:
            select = _select_operands(core, core.infos[addr])
            if select is None:
                continue
            first, second = (frozenset({r} - {""}) for r in select[:2])
            if (self.src(first), self.pick_src(first)) != (self.src(second),
                                                           self.pick_src(second)):  # fmt: skip
                return True
        return False


def _conditions(core, executed, start: ThreadState, reads) -> dict[int, bool]:
    """Whether each conditional select of a segment found its condition true.

    Replays the segment (its memory instruction, with read values `reads`, then the
    register-only ones) from `start` on the thread's Unicorn core one instruction at a time
    and reads NZCV before each select. The core restores its own context before every run, so
    the replay leaves nothing behind. (This uses the core's internals: `Core.run` memoises
    whole segments and keeps no per-instruction register values.)"""
    uc = core.uc
    uc.context_restore(core._contexts[start])
    core._supply, core._reads, core._writes, core._need = reads or (), [], [], None
    flags_id = core.reg_ids[core.reg_index[_FLAGS]]
    out: dict[int, bool] = {}
    for position, addr in enumerate(executed):
        select = _select_operands(core, core.infos[addr])
        if select is not None:
            out[position] = condition_holds(select[2], uc.reg_read(flags_id))
        info = core.infos[addr]
        core._pair, core._half = position == 0 and info.atomic_pair and info.width == 16, None
        try:
            core._step_one(addr)
        finally:
            core._pair = False
        if position == 0 and reads is None:  # a store-exclusive succeeding elsewhere
            core.succeed_elsewhere(info, start)
    return out


@dataclass
class _Speculation:
    """A read being explored as possibly dead (`PathExplorer._speculate`)."""

    position: int  # its event's position in the path
    values: int  # how many values it may read
    used: bool = False  # does some end explored so far use it?
    others: bool = False  # exploring its other values: ends that do not use it are dropped


def _gone(b: _Builder, position: int) -> bool:
    """Has the value of read `position` left every place from which what follows could use
    it: registers (its taint), branches passed, relations made, writes a later read may
    forward from (`written`)?"""
    if position in b.ctrl_src or position in b.pick_ctrl_src or position in b.cond_src:
        return False
    for taints in (b.taint.values(), b.pick.values()):
        if any(position in t for t in taints):
            return False
    if any(position in t or position in p for t, p in b.written.values()):
        return False
    return not any(source == position
                   for rel in (b.addr, b.data, b.ctrl, b.pick_addr, b.pick_dep, b.pick_ctrl)
                   for source, _ in rel)  # fmt: skip


class PathExplorer:
    """Enumerates a program's thread paths for given per-location value sets."""

    def __init__(self, program, budget: int, register_deps: bool = False,
                 meter: Meter | None = None, defer_faults: bool = False,
                 dead_reads: bool = False, live_locations: frozenset[int] = frozenset(),
                 guess: bool = False):  # fmt: skip
        self.program = program
        # also run each predicated instruction whose condition a read decides the other way
        # (`Core.run`'s flips), for the values such paths write (`guessed_writes`), not kept
        # as paths (`_enumerate` says why)
        self.guess = guess
        self.guessed_writes: set[tuple[int, int, int, int]] = set()  # (loc, offset, size, value)
        self.guessed_most = 0  # the most writes one guessed path made
        # `axiomatic-dead-reads` (module docstring), except for reads of `live_locations`
        self.dead_reads = dead_reads
        self.live_locations = live_locations
        self._open: list[_Speculation] = []  # the reads being explored as possibly dead
        self._observed: dict[int, frozenset[str]] = {}  # per thread: the registers observed
        # a path that faults (an access outside the test's locations) ends there, marked, for
        # the checker to report only if an execution the model allows takes it (herd's A260:
        # the access is "avoided because of model"); else the fault is raised at once
        self.defer_faults = defer_faults
        self.budget = budget
        self.register_deps = register_deps
        self.budget_hits = 0
        self.meter = meter  # counts instructions explored; `LimitReached` at its limits
        self.steps = 0

    def thread_paths(self, tid: int, values: dict[int, set[int]]) -> list[ThreadPath]:
        thread = self.program.threads[tid]
        core = thread.core
        first = core.initial_state(thread.init_regs)
        if first.hung:
            self.budget_hits += 1
            return []
        builder = _Builder()
        # no read yet: no taint for a select to pick
        builder.local(core, first.executed, {}, first.skipped, not self.register_deps)
        out: list[ThreadPath] = []
        self._explore(tid, core, first.state, builder, values, out)
        return out

    def _local(self, core, b: _Builder, step: Step, start: ThreadState, reads) -> list[int]:
        """Dataflow through the register-only instructions of a segment (`step.executed`
        minus the memory instruction that began it, run from `start` with `reads`); the
        positions in `step.executed` of the predicated ones whose condition a read decided."""
        executed = step.executed
        conditions: dict[int, bool] = {}
        if b.needs_conditions(core, executed[1:]):
            found = _conditions(core, executed, start, reads)
            conditions = {p - 1: held for p, held in found.items() if p >= 1}
        skipped = tuple(p - 1 for p in step.skipped if p >= 1)
        decided = b.local(core, executed[1:], conditions, skipped, not self.register_deps)
        return [p + 1 for p in decided]

    def _explore(self, tid, core, state, b: _Builder, values, out) -> None:
        if self._open and self._covered(b):
            return
        info = core.info(state)
        if info is None:
            self._append(out, tid, b, b.path(tid, state))
            return
        if b.steps >= self.budget:
            if (leaf := self._leaf(tid, b)) is not None and not b.guessed:
                self.budget_hits += leaf[0]
            return
        self.steps += 1
        if self.meter is not None and (why := self.meter.over(self.steps)):
            raise LimitReached(why)
        try:
            try:
                options = list(self._options(tid, core, state, b, info, values))
            except MemoryFault as e:
                if b.guessed:
                    return  # (a guess may lead anywhere: what it writes before counts)
                if not self.defer_faults:
                    raise
                self._append(out, tid, b, replace(b.path(tid, state), fault=e), everything=True)
                return
            if self.guess and info.predicate and b.src(_CONDITION):
                self._guess(tid, core, state, b, info, values, out)
            if (len(options) > 1 and not any(isinstance(o[0], _Faulted) for o in options)
                    and self._may_be_dead(info, options)):  # fmt: skip
                self._speculate(tid, core, state, info, options, values, out)
                return
            for step, nb, reads in options:
                self._go(tid, core, state, info, step, nb, reads, values, out)
        except FencelabError as e:
            if b.guessed:
                return  # (a guess may lead anywhere: what it writes before counts)
            if isinstance(e, AccessError):  # named at the instruction (`Program.locate`)
                raise e.at(info.address, info.text) from None
            raise

    def _go(self, tid, core, state, info, step, nb: _Builder, reads, values, out,
            dead: int | None = None, flips: frozenset[int] = frozenset()) -> None:  # fmt: skip
        """Take one way the instruction executes (`dead`: the position its read's event
        takes, to be marked `any_value`; `flips`: the predicated instructions `step` ran
        the other way, `Core.run`) and explore on. Guessing (`guess`), each predicated
        instruction after those whose condition a read decided is also run the other way."""
        if isinstance(step, _Faulted):  # the path ends at this instruction, its reads made
            for variant in self._events(tid, nb, info, step.step):
                self._append(out, tid, variant, replace(variant.path(tid, state),
                                                        fault=step.error), everything=True)  # fmt: skip
            return
        if step.hung:
            if (leaf := self._leaf(tid, nb, everything=True)) is not None and not nb.guessed:
                self.budget_hits += leaf[0]
            return
        before = nb.copy() if self.guess and len(step.executed) > 1 else None
        nb.steps += 1
        decided: set[int] = set()
        for variant in self._events(tid, nb, info, step):
            if dead is not None:
                variant.events[dead] = replace(variant.events[dead], any_value=True)
            decided.update(self._local(core, variant, step, state, reads))
            self._explore(tid, core, step.state, variant, values, out)
        if before is None or not decided:
            return
        ordinals = list(itertools.accumulate(
            (bool(core.infos[a].predicate) for a in step.executed), initial=0))  # fmt: skip
        # (a predicated memory instruction is the first, which `_guess` runs the other way)
        frontier = max(flips) if flips else ordinals[1] - 1
        for k in sorted(o for o in {ordinals[p] for p in decided} if o > frontier):
            try:
                other = core.run(state, reads, flips | {k})
                if isinstance(other, Step):
                    guessed = before.copy()
                    guessed.guessed = True
                    self._go(tid, core, state, info, other, guessed, reads, values, out, dead,
                             flips | {k})  # fmt: skip
            except FencelabError:
                pass  # (a guess may lead anywhere: what it writes before counts)

    def _guess(self, tid, core, state, b: _Builder, info: InsnInfo, values, out) -> None:
        """The predicated memory instruction at `state`, whose condition a read decided, run
        the other way (`guess`), with every value it may read then; a store-exclusive
        (STREXEQ) succeeding where the path's monitor pairs it with its load-exclusive, and
        failing. Only the values the guessed path writes are kept (`_enumerate`), so the
        pairing a guess takes never stands in an execution: each is checked on real paths."""
        flip = frozenset({0})
        try:
            if info.kind is Kind.STORE_EXCL:  # (paired with the path's own load-exclusive)
                options = self._store_exclusive(tid, core, state, b, info, flip)
            else:
                options = [(step, b.copy(), reads)
                           for step, reads in self._with_reads(core, state, (), values, flip)]
            for step, guessed, reads in options:
                guessed.guessed = True
                self._go(tid, core, state, info, step, guessed, reads, values, out,
                         flips=flip)  # fmt: skip
        except FencelabError:
            pass  # (a guess may lead anywhere: what it writes before counts)

    # -- axiomatic-dead-reads (module docstring) ---------------------------------------------
    def _may_be_dead(self, info: InsnInfo, options) -> bool:
        """Is this a read whose value only its loaded registers receive, of a location that
        may take the reduction?"""
        if (not self.dead_reads or info.kind not in (Kind.LOAD, Kind.LOAD_EXCL)
                or not info.dest_regs or info.pair_order
                or not info.writes - info.dest_regs <= info.addr_regs  # writeback: the base
                or {"pc", "r15"} & info.writes):  # fmt: skip
            return False
        step, _, _ = options[0]
        if len(step.reads) != 1 or any(len(r) != 1 for _, _, r in options):
            return False
        access = step.reads[0]
        loc, _ = self.program.place(access.addr, access.size, "read", info)
        return loc.index not in self.live_locations

    def _speculate(self, tid, core, state, info, options, values, out) -> None:
        """Explore the first value, its read marked `any_value`: a path whose end does not use
        the read (`_leaf`) keeps the mark and stands for every value's. If some end used it,
        the other values are explored too, keeping only the paths that use it (`_covered`
        cuts their subtrees where the read's value is gone)."""
        frame = _Speculation(len(options[0][1].events), len(options))  # the instruction's 1st
        self._open.append(frame)
        try:
            self._go(tid, core, state, info, *options[0], values, out, dead=frame.position)
            if frame.used:
                frame.others = True
                for option in options[1:]:
                    self._go(tid, core, state, info, *option, values, out)
        finally:
            self._open.pop()

    def _append(self, out, tid: int, b: _Builder, path: ThreadPath,
                everything: bool = False) -> None:  # fmt: skip
        """Add a path at its end (`_leaf`): without the marks of the reads it uses."""
        leaf = self._leaf(tid, b, everything)
        if leaf is None:
            return
        if b.guessed:
            writes = [(e.loc, e.offset, e.size, e.value) for e in path.events if e.kind == "W"]
            self.guessed_writes.update(writes)
            self.guessed_most = max(self.guessed_most, len(writes))
            return
        if leaf[1]:
            events = list(path.events)
            for position in leaf[1]:
                events[position] = replace(events[position], any_value=False)
            path = replace(path, events=tuple(events))
        out.append(path)

    def _leaf(self, tid: int, b: _Builder,
              everything: bool = False) -> tuple[int, tuple[int, ...]] | None:  # fmt: skip
        """An end of exploration (a path's end, the step budget, a fault): which open
        speculations' reads it uses (their value reached a dependency, a branch or an observed
        register; `everything`: any read still live, `_gone`), marking them `used`. None when
        the end is one a first value's path stands for (a read it does not use, explored with
        another value); else how many ends it stands for (the values of the reads it does not
        use) and the positions of the reads it uses."""
        if not self._open:
            return 1, ()
        used: set[int] = set()
        if not everything:
            used = set(b.ctrl_src) | b.pick_ctrl_src | b.cond_src
            for rel in (b.addr, b.data, b.ctrl, b.pick_addr, b.pick_dep, b.pick_ctrl):
                used.update(source for source, _ in rel)
            for reg in self._observed_regs(tid):
                used |= b.taint.get(reg, NO_TAINT) | b.pick.get(reg, NO_TAINT)
        weight, uses, covered = 1, [], False
        for frame in self._open:
            if (not _gone(b, frame.position)) if everything else frame.position in used:
                frame.used = True
                uses.append(frame.position)
            elif frame.others:
                covered = True
            else:
                weight *= frame.values
        return None if covered else (weight, tuple(uses))

    def _covered(self, b: _Builder) -> bool:
        """Is every end below here one that a first value's path stands for: a read explored
        with another value whose value is gone (`_gone`: no end below can use it)? The
        speculations opened after it that are still live are marked `used` (their other
        values are explored: an end below might have used them)."""
        for k, frame in enumerate(self._open):
            if frame.others and _gone(b, frame.position):
                for later in self._open[k + 1:]:
                    if not later.others and not _gone(b, later.position):
                        later.used = True
                return True
        return False

    def _observed_regs(self, tid: int) -> frozenset[str]:
        found = self._observed.get(tid)
        if found is None:
            canonical = self.program.target.canonical_reg
            found = self._observed[tid] = frozenset(
                canonical(obs.reg) for obs in self.program.observables
                if getattr(obs, "tid", None) == tid)  # fmt: skip
        return found

    def _options(self, tid, core, state, b: _Builder, info: InsnInfo, values):
        """(Step, builder, reads) for every way the instruction may execute."""
        if info.kind is Kind.STORE_EXCL:
            return self._store_exclusive(tid, core, state, b, info)
        if info.kind is Kind.FENCE:
            return [(self._finish(core, state, ()), b.copy(), ())]
        return [(step, b.copy(), reads)
                for step, reads in self._with_reads(core, state, (), values)]  # fmt: skip

    # -- running one instruction ----------------------------------------------------------
    def _finish(self, core, state, reads, flips: frozenset[int] = frozenset()) -> Step:
        result = core.run(state, reads, flips)
        if isinstance(result, NeedRead):
            info = core.info(state)
            raise FencelabError(f"{info.text!r}: unexpected memory read at {result.addr:#x}")
        return result

    def _with_reads(self, core, state, reads: tuple[int, ...], values,
                    flips: frozenset[int] = frozenset()):  # fmt: skip
        """Every Step the instruction can take with the read values that led to it (`flips`:
        `Core.run`'s); a narrow read of a value that is a location's address, with
        `defer_faults`, as a `_Faulted` step: the value may be one no execution writes
        (`read_values` takes every value the location's writes may hold, and more: the bytes
        of its writes in every combination), so the checker reports it only if an execution
        the model allows reads it (herd's addresses are symbols, which no sum makes)."""
        try:
            result = core.run(state, reads, flips)
        except NarrowAddress as e:
            if not self.defer_faults:
                raise
            yield _Faulted(Step(state, e.reads, (), (core.info(state).address,)), e), reads
            return
        if isinstance(result, Step):
            yield result, reads
            return
        loc, offset = self.program.place(result.addr, result.size, "read", core.info(state))
        for v in sorted(read_values(values[loc.index], offset, result.size)):
            yield from self._with_reads(core, state, (*reads, v), values, flips)

    def _store_exclusive(self, tid, core, state, b: _Builder, info,
                         flips: frozenset[int] = frozenset()):  # fmt: skip
        """Success (when the monitor is for this location) and failure, as Steps (`flips`:
        `Core.run`'s, a guessed STREXEQ: `_guess`)."""
        first = core.run(state, (), flips)
        mon = b.monitor
        if isinstance(first, Step) and first.access_skipped:
            return [(first, b.copy(), ())]  # its condition failed: it did nothing
        if isinstance(first, Step):  # Unicorn's monitor is not armed for this address: it fails
            nb = b.copy()
            nb.monitor = None
            if mon is None or not succeeds_elsewhere(self.program):
                return [(first, nb, ())]
            return self._store_elsewhere(tid, core, state, b, info, (first, nb, ()))
        loc, offset = self.program.place(first.addr, first.size, "store-exclusive", info)
        mask = (1 << (8 * first.size)) - 1
        options = []
        if mon is not None and (mon[1], b.events[mon[0]].offset) != (loc.index, offset):
            raise _cannot(info, MONITOR_MISMATCH)
        # a pair of other sizes fails (CONSTRAINED UNPREDICTABLE)
        valid = mon is not None and b.events[mon[0]].size == first.size
        if valid:
            ok_reads = (mon[2] & mask,)
            ok = self._finish(core, state, ok_reads, flips)
            if ok.writes:
                nb = b.copy()
                nb.monitor = None
                nb.pair_with = mon[0]
                options.append((ok, nb, ok_reads))
        fail_reads = (((mon[2] if mon else 0) ^ 1) & mask,)
        fail = self._finish(core, state, fail_reads, flips)
        if fail.writes:
            raise FencelabError(f"{info.text!r}: store-exclusive did not fail when told to")
        nb = b.copy()
        nb.monitor = None
        if valid and not self.program.may_fail_spuriously(tid):
            nb.must_break = (*b.must_break, mon[0])
        options.append((fail, nb, fail_reads))
        return options

    def _store_elsewhere(self, tid, core, state, b: _Builder, info, fail):
        """An AArch64 store-exclusive to another address than its load-exclusive's (the
        monitor `b.monitor`): it succeeds there, paired with that read (whose atomicity, about
        the read's location, constrains nothing), or fails (`fail`), spuriously: only where
        its thread has no loop, as for one to the same address. Its success replays as a
        read of nothing (`_conditions`: reads None)."""
        read = b.events[b.monitor[0]]
        why = elsewhere_uncovered(info, read.size, mixed=False)
        if why is not None:
            raise _cannot(info, why)
        ok = core.run_succeeding_elsewhere(state)
        (write,) = ok.writes
        loc, offset = self.program.place(write.addr, write.size, "store-exclusive", info)
        if (read.loc, read.offset) == (loc.index, offset):
            raise _cannot(info, MONITOR_MISMATCH)
        nb = b.copy()
        nb.monitor = None
        nb.pair_with = b.monitor[0]
        options = [(ok, nb, None)]
        if self.program.may_fail_spuriously(tid):
            options.append(fail)
        return options

    # -- events and dependencies -----------------------------------------------------------
    def _events(self, tid: int, b: _Builder, info: InsnInfo, step: Step) -> list[_Builder]:
        """Add the instruction's events and dependencies to `b`; the builders to go on with
        (two for a successful CAS: herd's two data provenances of the returned value)."""
        if info.kind is Kind.FENCE:
            if info.barrier is None:  # CLREX: clears the monitor, orders nothing
                b.monitor = None
                return [b]
            b.add(Event(tid, len(b.events), "F", info=info, barrier=info.barrier))
            return [b]
        if info.predicate:
            b.cond_src |= b.src(_CONDITION)
        if step.access_skipped:
            return [b]  # a predicated access whose condition failed did nothing (herd's
        # `checkZ`: `unitT ()`; where it held, its condition is a pick dependency under
        # aarch32.cat, iico_ctrl to the reads of its address and data registers, so
        # pick-addr-dep and pick-data-dep of the access: `held_condition`; none under arm.cat)
        info, condition = held_condition(info, not self.register_deps)
        addr_regs = info.addr_regs
        addr_src, addr_pick = b.src(addr_regs), b.pick_src(addr_regs) | b.pick_src(condition)
        data_src, data_pick = b.src(info.data_regs), b.pick_src(info.data_regs)
        compare_src, compare_pick = b.src(info.compare_regs), b.pick_src(info.compare_regs)
        amo = info.kind is Kind.RMW
        # AArch64Sem.ml: `let noret = match r2 with | AArch64.ZR -> true` (swp), `match rs`
        # (cas), `match rt` (ldop): the result register is the zero register
        noret = amo and not info.dest_regs
        reads = () if info.kind is Kind.STORE_EXCL else step.reads
        read_ids = []
        forwarded, forwarded_pick = NO_TAINT, NO_TAINT  # dtrm's lrs: through memory
        own: list[tuple[Taint, Taint]] = []  # each read's own taint (an LDP's two registers)
        for access in reads:
            loc, offset = self.program.place(access.addr, access.size, "read", info)
            e = b.add(Event(tid, len(b.events), "R", loc.index, access.size, access.value, info,
                            acquire=info.acquire and not noret,
                            acquire_pc=info.acquire_pc and not noret, noret=noret,
                            amo=amo, offset=offset))  # fmt: skip
            read_ids.append(e)
            b.addr.update((s, e) for s in addr_src)
            b.pick_addr.update((s, e) for s in addr_pick)
            b.pick_dep.update((s, e) for s in addr_pick)
            taint, pick = NO_TAINT, NO_TAINT
            if loc.index in b.written and not self.register_deps:  # lrs: the po-last write
                taint, pick = b.written[loc.index]
                forwarded, forwarded_pick = forwarded | taint, forwarded_pick | pick
                b.pick_dep.update((s, e) for s in pick)
            own.append((frozenset({e}) | addr_src | taint, frozenset({e}) | addr_pick | pick))
        read_taint = frozenset(read_ids) | addr_src | forwarded
        read_pick = frozenset(read_ids) | addr_pick | forwarded_pick
        # LD<op>/ST<op> compute the value they write from the value they read (iico_data),
        # so a later read of that write (lrs) depends on the atomic's read: dtrm's
        # `iico_data; lrs`. SWP and CAS write a register's value.
        combines = amo and not info.mnemonic.lower().startswith(("swp", "cas"))
        value_src = data_src | (read_taint if combines else NO_TAINT)
        value_pick = data_pick | (read_pick if combines else NO_TAINT)
        write_ids = []
        # an STP's two writes: each has its own register's data (herd: two independent stores)
        stp = info.kind is Kind.STORE and len(info.pair_order) == len(step.writes) == 2
        for k, access in enumerate(step.writes):
            loc, offset = self.program.place(access.addr, access.size, "write", info)
            e = b.add(Event(tid, len(b.events), "W", loc.index, access.size, access.value, info,
                            release=info.release, amo=amo, offset=offset))  # fmt: skip
            write_ids.append(e)
            if stp:
                reg = (info.pair_order[k],)
                data_src, data_pick = b.src(reg), b.pick_src(reg)
                value_src, value_pick = data_src, data_pick
            b.addr.update((s, e) for s in addr_src)
            b.data.update((s, e) for s in data_src)
            b.pick_addr.update((s, e) for s in addr_pick)
            # the compare register (and the value read) decide whether a CAS writes
            b.pick_dep.update((s, e) for s in addr_pick | data_pick | compare_pick)
            b.written[loc.index] = (addr_src | value_src, addr_pick | value_pick | compare_pick)
        if amo and read_ids and write_ids:
            b.rmw.add((read_ids[0], write_ids[0]))
        if info.kind is Kind.STORE_EXCL and write_ids and b.pair_with is not None:
            b.rmw.add((b.pair_with, write_ids[0]))  # lxsx: LDXR -> successful STXR
        b.pair_with = None
        for reg in info.status_regs:
            b.taint[reg] = NO_TAINT
            b.pick.pop(reg, None)
        if info.kind is Kind.LOAD_EXCL and read_ids:
            first = b.events[read_ids[0]]
            b.monitor = (read_ids[0], first.loc, first.value)
        builders = [b]
        # herd's AArch64 CAS, CASP: two event structures (below); x86's CMPXCHG is one
        # (X86_64Sem.ml `cmpxchg`: a choice on the comparison, rax written only on failure)
        aarch64_cas = info.cas and info.mnemonic.lower().startswith("cas")
        if aarch64_cas and write_ids and info.compare_regs:
            # DataFromRRs: Rs keeps its data from the compare register; the read picks it
            from_rs = b.copy()
            for reg in info.dest_regs:
                from_rs.set_reg(reg, compare_src, compare_pick | read_pick)
            builders.append(from_rs)
        elif aarch64_cas and read_ids and not write_ids and not (compare_src or compare_pick):
            # a failed CAS is two event structures in herd, with and without a control edge
            # from the compare register (`altT (do_ true) (do_ false)`); with a compare
            # register that depends on no read they relate the same events: one path, counted
            # twice. (Otherwise the one without the edge; see the module docstring.)
            b.weight *= 2
        for reg in info.dest_regs:  # DataFromRx / an ordinary load: the value read
            b.set_reg(reg, read_taint, read_pick)
        if info.kind is Kind.LOAD and len(info.pair_order) == len(own) >= 2:
            # LDP, A32 LDM: each register its own read's dependencies
            for reg, (taint, pick) in zip(info.pair_order, own, strict=True):
                b.set_reg(reg, taint, pick)
        return builders


def is_mixed(program, loc: int, spans: set[tuple[int, int]]) -> bool:
    """Do accesses of these (offset, size) spans to location `loc` need per-byte rf and co:
    two spans, one at an offset, or a narrow write that leaves initial bytes showing
    (`Program.keeps_initial_bytes`: its value alone is not the location's)?"""
    if len(spans) > 1 or any(offset for offset, _ in spans):
        return True
    return any(program.keeps_initial_bytes(program.locations[loc], size) for _, size in spans)


def mixed_locations(program, paths: list[list[ThreadPath]]) -> set[int]:
    """The locations whose accesses, over every path, need per-byte rf and co (`is_mixed`)."""
    spans: dict[int, set[tuple[int, int]]] = {loc.index: set() for loc in program.locations}
    for tp in paths:
        for p in tp:
            for e in p.events:
                if e.kind in "RW":
                    spans[e.loc].add((e.offset, e.size))
    return {loc for loc, found in spans.items() if is_mixed(program, loc, found)}


def enumerate_paths(
    program, budget: int, seeds: tuple[int, ...] = (), register_deps: bool = False,
    meter: Meter | None = None, defer_faults: bool = False, dead_reads: bool | None = None,
) -> tuple[list[list[ThreadPath]], int]:
    """Every thread's paths, with read values grown to a fixpoint; and the budget hits.

    `dead_reads` (default: the `axiomatic-dead-reads` reduction's switch) marks dead reads
    `any_value` instead of branching on their values (module docstring). Not for a location
    with mixed-size accesses, whose reads take their bytes from writes byte by byte and whose
    values `read_values` narrows: if one turns out mixed, its paths are found again without.
    """
    if dead_reads is None:
        dead_reads = reduce.enabled("axiomatic-dead-reads")
    live: frozenset[int] = frozenset()
    while True:
        paths, hits = _enumerate(program, budget, seeds, register_deps, meter, defer_faults,
                                 dead_reads, live)  # fmt: skip
        if not dead_reads:
            return paths, hits
        marked = {e.loc for tp in paths for p in tp for e in p.events if e.any_value}
        mixed = marked & mixed_locations(program, paths)
        if not mixed:
            return paths, hits
        live |= mixed


def _enumerate(program, budget: int, seeds: tuple[int, ...], register_deps: bool,
               meter: Meter | None, defer_faults: bool, dead_reads: bool,
               live: frozenset[int]) -> tuple[list[list[ThreadPath]], int]:  # fmt: skip
    """`enumerate_paths` with dead reads of locations outside `live` marked (`dead_reads`).

    Round i+1 reads the values that paths of round i wrote. The fixpoint need not exist
    (an LDADD reading its own increment, round after round), but it need not be reached
    either: in a consistent execution every write's value derives, through rf and registers,
    from writes before it in an acyclic chain (no value comes out of thin air — ARM's `ob`
    and SC both forbid the cycle), so a chain is at most as long as the execution has writes.
    After that many rounds every value a consistent execution can read is in the set; the
    extra values only make paths whose reads no write matches, which rf then discards.
    Loops branch on every retry: `meter` bounds the instructions explored (`LimitReached`).

    That chain runs through the values of writes, not through what decided that a write
    exists. Under arm.cat (`register_deps`) a predicated instruction's condition is no
    dependency, so a write may exist because a read returned a value only that write's
    existence explains: LB whose stores are `STREQ`s of 1 made after reading 1. herd finds
    it: a predicated instruction is `choiceT` on the flags (eventsMonad.ml), both ways, each
    with the equation that the flags are 1 or 0; `solve_regs`/`solve_mem` (mem.ml) solve
    the equations of each rf choice by substitution, and a candidate whose equations are not
    all solved is dropped (`when_unsolved`). So herd reads values that a chain of writes'
    values derives from constants, with any predicated condition guessed and then checked,
    not values that only a cycle of data determines (LB+datas' 42). Here the rounds guess
    too (`PathExplorer.guess`): each predicated instruction whose condition a read decided
    (a STREXEQ too, succeeding where its path's load-exclusive pairs with it, as herd's
    `checkZ strex` runs it) also runs the other way, and the values such guessed paths write
    join the set; only
    the paths that ran as their flags say are kept. The paths of the fixpoint then include
    every path of herd's solved candidates (a branch's condition needs no guess: arm.cat's
    `ctrl` orders the read before every later event, so a cycle through it is one in hb),
    and a candidate of them whose reads match is one whose equations herd solves, or one
    whose data cycle arm.cat forbids.
    """
    # seeds: values to try reading besides those written (a thin-air value, to show the cycle
    # that forbids it)
    # per location, the pieces a read may see: (offset, size, value) of the initial value and
    # of writes, and (None, None, v) for a seed, which any read may see
    values: dict[int, set[Piece]] = {
        loc.index: {(0, loc.size, unsigned(loc.init, 8 * loc.size)),
                    *((None, None, v) for v in seeds)}
        for loc in program.locations
    }  # fmt: skip
    # under aarch32.cat and aarch64.cat a condition is a dependency: a value justifying
    # itself through one makes a cycle in ob, which they forbid, so there is nothing to guess
    guess = register_deps and any(t.core.infos[a].predicate for t in program.threads
                                  for a in t.core.infos)  # fmt: skip
    for rounds in itertools.count(1):
        explorer = PathExplorer(program, budget, register_deps, meter, defer_faults,
                                dead_reads, live, guess)  # fmt: skip
        paths = [explorer.thread_paths(t.tid, values) for t in program.threads]
        grown = {k: set(v) for k, v in values.items()}
        for thread_paths in paths:
            for path in thread_paths:
                for e in path.events:
                    if e.kind == "W":
                        grown[e.loc].add((e.offset, e.size, e.value))
        for loc, offset, size, value in explorer.guessed_writes:
            grown[loc].add((offset, size, value))
        if grown == values:
            return paths, explorer.budget_hits
        max_writes = sum(
            max((sum(e.kind == "W" for e in p.events) for p in tp), default=0) for tp in paths
        ) + explorer.guessed_most * len(paths)
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
