"""One thread's steps under Promising-ARM: what its next instruction may do, run on Unicorn.

`thread_moves` lists every way the instruction at the thread's PC may execute: which message
each read takes, which promise each write fulfils, whether a store-exclusive fails. It runs the
instruction through the memoized `Core.run` and then carries register views through the
register-only instructions Unicorn executed after it (`Step.executed`): a destination gets the
join of its sources' views (so `EOR X2,X0,X0` keeps the dependency), and a branch adds the views
it reads to `vcap` (a control dependency).

With `certify` set (the thread running alone, to certify promises), a write may also take a
fresh timestamp at the end of memory — a promise made and fulfilled at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache, partial

from fencelab.errors import AccessError
from fencelab.isa.core import NeedRead, Step
from fencelab.isa.insn import (
    Barrier,
    InsnInfo,
    Kind,
    condition_holds,
    held_condition,
)
from fencelab.machine.model import (
    MONITOR_MISMATCH,
    ModelRestart,
    check_reads_done,
    elsewhere_uncovered,
    refuse,
    succeeds_elsewhere,
)
from fencelab.models.operational.arm import mixed
from fencelab.models.operational.arm.local import (
    ExBank,
    Local,
    Message,
    ReadChoice,
    after_dmb,
    after_isb,
    after_read,
    after_write,
    exclusive_ok,
    read_choices,
    read_pick,
    write_pre_view,
    write_slots,
)
from fencelab.program.layout import MIXED_SIZE_REFUSAL
from fencelab.values import unsigned

MODEL = "arm"
SELECTS = frozenset({"csel", "csinc", "csinv", "csneg", "cset", "csetm", "cinc", "cinv", "cneg"})
DMB_BITS = {  # (rr, rw, wr, ww, ld) per barrier kind
    Barrier.FULL: (True, True, True, True, False),
    Barrier.LOAD: (True, True, False, False, True),
    Barrier.STORE: (False, False, False, True, False),
}
# A DSB is its DMB, except that a DSB ST orders earlier writes before every later access
# (aarch64hwreqs.cat's DSB-ob: [W]; po; [dsb.st]; po), reads included.
DSB_BITS = {**DMB_BITS, Barrier.STORE: (False, False, True, True, False)}


_VCAP, _REGS = Local._fields.index("vcap"), Local._fields.index("regs")
# (read once: under Python 3.11 each `Kind.X` is a Python-level lookup, EnumType's __getattr__)
_FENCE, _LOAD, _LOAD_EXCL, _STORE, _STORE_EXCL, _RMW, _BRANCH = (
    Kind.FENCE, Kind.LOAD, Kind.LOAD_EXCL, Kind.STORE, Kind.STORE_EXCL, Kind.RMW, Kind.BRANCH)
_MEMORY_EVENTS = frozenset((_FENCE, _LOAD, _LOAD_EXCL, _STORE, _STORE_EXCL, _RMW))
assert Local._fields[_REGS + 1] == "picks"


class UnseenRead(Exception):
    """A run on a projection of memory read a location the projection left out."""


@dataclass(slots=True)
class Move:
    """One way the thread's next instruction may execute (never changed once made; not
    frozen, which would make it several times as costly to build, and many are built)."""

    key: str  # suffix of the transition key: "", ".r3", ".w5", ".r2.w5", ".fail", ".r1.new"
    words: str | Callable[[], str]  # in words, for the label (`what`); made when asked for
    tstate: tuple[int, ...]
    local: Local
    step: Step
    appended: Message | None = None  # certify only: a write at a fresh timestamp
    floor: int = 0  # a write's timestamp must exceed this (its pre-view and coh of its location)
    silent: bool = True  # writes nothing, or only a rewrite (see `silent_rewrite`)
    # execution graphs (fencelab/graph/trace.py): the message a read took, the one a write made
    # (an LDP's two reads, an STP's two writes: a pair of them)
    read_ts: int | tuple[int, ...] | None = None
    write_ts: int | tuple[int, ...] | None = None
    more: tuple[tuple[Message, int], ...] = ()  # certify only: an STP's second fresh write, floor
    # the thread halted: `local` is the canonical finished state (only its promises matter to
    # the model), `kept` its views as they were, for display (fencelab tui's memory pane)
    kept: Local | None = None

    @property
    def what(self) -> str:
        """The move in words (certification and the threads' runs apart never ask)."""
        words = self.words
        return words if isinstance(words, str) else words()


def _words(*parts) -> str:
    """Words made of strings and of functions making them (`Move.words`)."""
    return "".join(p if isinstance(p, str) else p() for p in parts)


def _read_words(ctx, loc, value: int, size: int, memory, ts: int) -> str:
    return f"read {loc.name}={ctx.shown(loc, value, size)} from " + ctx.describe_msg(memory, ts)


class ThreadContext:
    """What `thread_moves` needs from the program, looked up once."""

    def __init__(self, program, tid: int, predicates_carry: bool = True):
        self.program = program
        self.tid = tid
        # does a predicated A32 instruction's condition carry a pick dependency into its
        # access and what it writes (aarch32.cat: iico_ctrl, which its `pick-dtrm` follows), or
        # nothing (arm.cat, the armv7 model)? (`held_condition`)
        self.predicates_carry = predicates_carry
        self.core = program.threads[tid].core
        # `Core.run`, with a guess's flips while `thread_moves` runs one (certifying: the
        # aarch32 model's solo runs, arm/guess.py)
        self.run = self.core.run
        self.flips: frozenset[int] = frozenset()
        self.names = [loc.name for loc in program.locations]
        self.may_fail_spuriously = program.may_fail_spuriously(tid)
        self._dataflow: dict = {}
        self.writebacks: dict[int, tuple] = {}  # address -> (registers written back, sources)
        self._places: dict[tuple, tuple] = {}  # (address, size, what) -> (location, offset)
        self.placed: dict[int, set[int]] = {}  # instruction address -> the locations it accessed
        self.fences: dict[int, object] = {}  # a barrier's address -> `_fence_effect`
        self._grouped = bool(getattr(program, "groups", None))  # atomic pairs' element groups
        self._selects: dict[tuple[int, ...], bool] = {}
        self.projector = None  # project.Projector: told of every location this thread reads
        self.watch: frozenset[int] | None = None  # reading outside these raises UnseenRead
        # addresses of dead reads (arm/project.py's dead_reads: set by the ARM model with
        # `certify-dead-reads` on), and whether one may read outside `watch` (certifying on a
        # projection that leaves out the locations only dead reads read)
        self.dead_reads: frozenset[int] = frozenset()
        self.dead_ok = False
        # the mixed-size locations (mixed.py) and the one span each other location has had so
        # far, shared by the model's contexts of one program; None: mixed-size is refused
        self.mixed: set[int] | None = None
        self.spans: dict[int, tuple[int, int]] = {}
        # array -> the (byte offset, size) of each access found joining its elements (an
        # access across elements, an element alone and within a pair): the model then runs the
        # program with those elements one location (`Program.whole_arrays`); None: refused
        self.joins: dict[str, set[tuple[int, int]]] | None = None
        self.n = len(program.locations)
        # set to True when an access makes a location mixed-size or joins array elements, before
        # the `ModelRestart` (the ARM model's `_Layout.news`, shared by the program's contexts)
        self.news: list[bool] | None = None

    def dataflow(self, step: Step):
        """`dataflow(self, step)`, cached per executed sequence (and flags, for selects; and
        the predicated instructions skipped, which did nothing)."""
        executed = step.executed
        key = (executed, step.skipped) if step.skipped else executed
        found = self._dataflow.get(key)  # (a sequence without a select: by itself)
        if found is not None:
            return found
        selects = self._selects.get(executed)
        if selects is None:
            selects = self._selects[executed] = any(
                self.core.infos[a].mnemonic.lower() in SELECTS for a in executed
            )
        if selects:
            key = (key, self.core.reg(step.state, "nzcv"))
            found = self._dataflow.get(key)
        if found is None:
            found = self._dataflow[key] = dataflow(self, step)
        return found

    def location(self, addr: int, size: int, what: str, info: InsnInfo | None = None):
        """The location of an access, for code that keeps one value per location (ARMv7's
        model, where mixed-size is refused: `place`)."""
        return self.place(addr, size, what, info)[0]

    @property
    def mixed_set(self) -> set[int]:
        return self.mixed if self.mixed is not None else set()

    def place(self, addr: int, size: int, what: str, info: InsnInfo | None = None):
        """(location, offset) of an access. The first access that makes a location mixed-size
        (another span than before, an offset, a narrow write keeping initial bytes) makes it
        byte-wise for the rest of the program's life and starts exploration again
        (`ModelRestart`); so does the first access joining array elements (`joins`: the
        model then holds them as one location, byte-wise once accessed so); where mixed-size
        is refused (`mixed` None), it is refused. Without arrays, an access placed once is
        placed alike again (`_places`): its location becomes mixed-size, if ever, by another
        access, and a mixed-size location is placed the same way."""
        memo = self.joins is None and not self._grouped
        key = (addr, size, what, info.address if info is not None else None)
        found = self._places.get(key) if memo else None
        if found is not None:
            loc, offset = found
        elif self.mixed is None:
            loc, offset = self.program.location_at(addr, size, what, info), 0
        else:
            join = self.program.joins(addr, size) if self.joins is not None else None
            if join is not None and join[1:] not in self.joins.get(join[0], ()):
                self.joins.setdefault(join[0], set()).add(join[1:])
                if self.news is not None:
                    self.news[0] = True
                raise ModelRestart(f"{join[0]} is accessed across its elements")
            loc, offset = self.program.place(addr, size, what, info)
            if loc.index not in self.mixed:
                seen = self.spans.get(loc.index)
                if (offset or seen not in (None, (0, size))
                        or (what == "write" and self.program.keeps_initial_bytes(loc, size))):  # fmt: skip
                    self.mixed.add(loc.index)
                    if self.news is not None:
                        self.news[0] = True
                    raise ModelRestart(f"{loc.name} is accessed with mixed sizes")
                self.spans[loc.index] = (0, size)
        if found is None and info is not None:  # (where a write may go: certify.WriteBound)
            self.placed.setdefault(info.address, set()).add(loc.index)
        if memo and found is None:
            self._places[key] = (loc, offset)
        projector = self.projector
        if projector is None:
            return loc, offset
        index, read, tid = loc.index, what == "read", self.tid
        if read and index not in projector.reads[tid]:  # (`saw_read` only with news)
            projector.saw_read(tid, index)
        dead = False
        if self.dead_reads:
            # a dead read of a byte-wise location is not left out (dead_reads assumes whole
            # messages)
            dead = (read and info is not None and info.address in self.dead_reads
                    and index not in self.mixed_set)  # fmt: skip
            if not dead:
                projector.saw_live(tid, index)
        watch = self.watch
        if watch is None or index in watch:
            return loc, offset
        if read and not (self.dead_ok and dead and index not in projector.live[self.tid]):
            raise UnseenRead(index)
        if not read and self.dead_ok and index in projector.reads[self.tid]:
            raise UnseenRead(index)  # written after (or before) a dead read left it out
        return loc, offset

    def init_value(self, loc, size: int) -> int:
        return unsigned(loc.init, 8 * size)

    def shown(self, loc, value: int, size: int) -> int:
        """A value of `size` bytes at `loc` as the panes show it: in the location's type."""
        return self.program.typed(loc, value, 8 * size)

    def message_text(self, msg) -> str:
        """A message as the panes show it: `x=200`, `x+1=3` (a part of a mixed-size one)."""
        return message_text(self.program, msg)

    def describe_msg(self, memory, ts: int) -> str:
        if ts == 0:
            return "the initial write"
        m = memory[ts - 1]
        return f"@{ts} (P{m.tid})"


def message_text(program, msg) -> str:
    """A message as the panes, the keys and the schedules show it: its place (`x`, or `x+1`
    inside a mixed-size x) and its value in the location's type (a `uint8_t`'s 200)."""
    loc = program.locations[msg.loc]
    value = program.typed(loc, msg.value, 8 * msg.size)
    return f"{program.part_name(loc, msg.offset, msg.size)}={value}"


def thread_moves(
    ctx: ThreadContext, tstate, local: Local, memory: tuple[Message, ...], certify: bool = False,
    flips: frozenset[int] = frozenset(),
) -> list[Move]:
    """`flips` (certify only: a guess, arm/guess.py): the predicated instructions of the step
    run the other way than the flags say (`Core.run`'s)."""
    if flips:
        ctx.run, ctx.flips = partial(ctx.core.run, flips=flips), flips
        try:
            return thread_moves(ctx, tstate, local, memory, certify)
        finally:
            ctx.run, ctx.flips = ctx.core.run, frozenset()
    core = ctx.core
    info = core.infos.get(tstate[core.pc_index])  # (`core.info`, without the call)
    if (info is None or (local.promises and _promise_lost(ctx, local, memory))
            or info.kind not in _MEMORY_EVENTS):  # fmt: skip
        return []  # finished, lost, or parked at a register-only loop that hung (`L0: B L0`)
    kind = info.kind
    picked = (info.predicate and kind is not _FENCE
              and _runs(core, tstate, info) != (0 in ctx.flips))  # (a guess may flip it)
    if picked:  # an A32 predicated access whose condition holds (one that fails does nothing)
        info, local = _condition_picked(ctx, info, local)
    try:
        if kind is _FENCE:
            moves = [_fence(ctx, tstate, local, info)]
        elif kind is _STORE:
            moves = (_store_pair(ctx, tstate, local, memory, info, certify) if info.pair_order
                     else _store(ctx, tstate, local, memory, info, certify))  # fmt: skip
        elif kind is _LOAD and info.pair_order:
            moves = _load_pair(ctx, tstate, local, memory, info)
        elif kind is _LOAD or kind is _LOAD_EXCL:
            moves = _load(ctx, tstate, local, memory, info)
        elif kind is _STORE_EXCL:
            moves = _store_exclusive(ctx, tstate, local, memory, info, certify)
        elif kind is _RMW:
            moves = _atomic(ctx, tstate, local, memory, info, certify)
        else:
            raise refuse(MODEL, info, f"{kind.value} instructions are not covered")
    except AccessError as e:  # named at this instruction, even when certifying a promise
        raise refuse(MODEL, info, e.why) from None
    pc, base, end = core.pc_index, core.base, core.end
    for m in moves:
        if picked:
            m.local = _without_condition(m.local)
        if not base <= m.tstate[pc] < end:  # (`core.halted`)
            _canonical(m)
    return moves


# A register that is no register: a predicated access's condition, read only as a pick
# dependency (`_condition_picked`), there while the access is made.
CONDITION = "(condition)"


def _condition_picked(ctx, info: InsnInfo, local: Local) -> tuple[InsnInfo, Local]:
    """A predicated A32 access whose condition held, as its model reads it (`held_condition`):
    under aarch32.cat its condition is a pick dependency of the access (herd's `checkZ`:
    iico_ctrl from the flags' read to the reads of its address and data registers), so the
    access reads its operands and, as one more address register, `CONDITION`, whose view is
    none and whose pick view is the flags': it then orders a predicated write, what the
    access writes, later writes and, past an ISB, later accesses (pick views: the write's
    pre-view, `vcap`, the destination's pick view) but not a predicated read (its pre-view
    takes views only). `_without_condition` takes `CONDITION` away after. Under arm.cat (the
    armv7 models' `predicates_carry` False) the condition is nothing."""
    info, condition = held_condition(info, ctx.predicates_carry)
    if not condition:
        return info, local
    pick = RegViews(local).pick(condition)
    info = _with_condition(info)
    if not pick:
        return info, local
    picks = tuple(sorted((*local.picks, (CONDITION, pick))))
    return info, local._replace(picks=picks)


@cache
def _with_condition(info: InsnInfo) -> InsnInfo:
    return replace(info, addr_regs=info.addr_regs | {CONDITION}, reads=info.reads | {CONDITION})


def _without_condition(local: Local) -> Local:
    """`local` without the pick view of `CONDITION` (`_condition_picked`)."""
    if not any(reg == CONDITION for reg, _ in local.picks):
        return local
    return local._replace(picks=tuple(p for p in local.picks if p[0] != CONDITION))


def _runs(core, tstate, info: InsnInfo) -> bool:
    """Does the conditional A32 instruction `info` at `tstate` run: its condition holds on the
    flags?"""
    return not info.predicate or condition_holds(info.predicate, core.reg(tstate, "cpsr"))


def _canonical(m: Move) -> None:
    """A move that halts the thread leaves it in the canonical finished state (`Local.finished`:
    states differing only in a finished thread's views are one state), keeping the views.
    (The move is the one just made for this call of `thread_moves`, no one else's yet: made
    canonical in place rather than built again.)"""
    m.kept = m.local
    m.local = m.local.finished()


def _promise_lost(ctx, local: Local, memory) -> bool:
    """Has the thread moved past one of its promises in coherence? Then it can never fulfil it
    (a write needs a timestamp above `coh`), and nothing it does can end an execution."""
    if not local.bytes_:
        return any(local.coh[memory[p - 1].loc] >= p for p in local.promises)
    for p in local.promises:
        m = memory[p - 1]
        if m.loc in ctx.mixed_set:
            if mixed.promise_lost(local, m, p, ctx.program.locations[m.loc].size):
                return True
        elif local.coh[m.loc] >= p:
            return True
    return False


def without_repeats(ctx, tstate, local: Local, moves: list[Move], can_finish) -> list[Move]:
    """Drop a loop iteration that brings the thread back to exactly where its previous one did.

    Once threads execute, memory no longer changes, so a thread whose registers and views repeat
    at a loop head can only repeat the same choices (a spin loop re-reading a stale value, a
    store-exclusive failing again): whatever follows is reachable without the repetition, which
    would only spin into the step budget. Each move that jumps back records where it lands
    (`Local.stutter`); a later move landing there again is dropped — unless the thread cannot
    finish at all from here (`can_finish()` is false), so that a loop that never ends still
    runs into the step budget and is reported as such."""
    pc = ctx.core.pc(tstate)
    out = []
    for move in moves:
        if ctx.core.halted(move.tstate) or ctx.core.pc(move.tstate) > pc:
            out.append(move)
            continue
        here = (move.tstate, move.local._replace(stutter=None))
        if getattr(here[1], "trace", None):  # mixed.py's accesses (armv7's Local has none)
            here = (move.tstate, here[1]._replace(trace=()))
        if local.stutter == here and can_finish():
            continue
        out.append(replace(move, local=move.local._replace(stutter=here)))
    return out


# -- register views ---------------------------------------------------------------------------


def _view(regs: dict[str, int], names) -> int:
    view = 0  # (views are timestamps, never negative)
    for n in names:
        v = regs.get(n, 0)
        if v > view:
            view = v
    return view


def _pick(regs: dict[str, int], picks: dict[str, int], names) -> int:
    """The pick view of registers (local.py): at least their view."""
    view = 0
    for n in names:
        v = regs.get(n, 0)
        if v > view:
            view = v
        v = picks.get(n, 0)
        if v > view:
            view = v
    return view


class RegViews:
    """A step's register views and pick views, copied from `Local` and written back."""

    __slots__ = ("views", "picks", "dirty")

    def __init__(self, local: Local):
        self.views, self.picks = dict(local.regs), dict(local.picks)
        self.dirty = False  # set: the views may differ from the Local's they were copied from

    def copy(self) -> RegViews:
        new = RegViews.__new__(RegViews)
        new.views, new.picks, new.dirty = dict(self.views), dict(self.picks), self.dirty
        return new

    def view(self, names) -> int:
        return _view(self.views, names)

    def pick(self, names) -> int:
        return _pick(self.views, self.picks, names)

    def set(self, names, view: int, pick: int = 0) -> None:
        views, picks = self.views, self.picks
        for n in names:  # (dirty only where a view changes: a view of 0 is no entry)
            if views.get(n, 0) != view:
                views[n] = view
                self.dirty = True
            if pick > view:
                if picks.get(n) != pick:
                    picks[n] = pick
                    self.dirty = True
            elif n in picks:
                del picks[n]
                self.dirty = True


def _finish(ctx: ThreadContext, local: Local, step: Step, regs: RegViews) -> Local:
    """Carry register views through the register-only instructions after the memory one."""
    writes, branch_sources = ctx.dataflow(step)
    vcap = local.vcap
    if branch_sources:  # control: pick-ctrl-dep orders writes
        vcap = max(vcap, regs.pick(branch_sources))
    if writes:
        new = [(w, regs.view(sources), regs.pick(picked)) for w, sources, picked in writes]
        for w, view, pick in new:
            regs.set((w,), view, pick)
    if not regs.dirty:  # the views are the Local's
        if vcap == local.vcap:
            return local
        return tuple.__new__(Local, (*local[:_VCAP], vcap, *local[_VCAP + 1 :]))
    views = tuple(sorted([(r, v) for r, v in regs.views.items() if v]))
    picks = tuple(sorted(regs.picks.items()))
    if vcap == local.vcap and views == local.regs and picks == local.picks:
        return local
    # local._replace(vcap=vcap, regs=views, picks=picks), without its keyword machinery
    return tuple.__new__(Local, (*local[:_VCAP], vcap, *local[_VCAP + 1 : _REGS], views, picks,
                                 *local[_REGS + 2 :]))  # fmt: skip


def dataflow(ctx: ThreadContext, step: Step):
    """What the register-only instructions of a step do to dependencies: each register they
    write, with the registers (as they were before) its value depends on and those its pick
    view comes from (a conditional select's flags too), and the registers the branches among
    them depend on, pick included (control dependencies). An A32 predicated instruction whose
    condition failed did nothing; one whose condition held reads its operands and, where its
    condition carries a pick dependency (`ThreadContext.predicates_carry`), picks by the flags
    (`held_condition`)."""
    infos = ctx.core.infos
    deps: dict[str, frozenset[str]] = {}
    picks: dict[str, frozenset[str]] = {}
    branch: set[str] = set()
    executed = step.executed
    for k in range(1, len(executed)):
        i = infos[executed[k]]
        if i.predicate and k in step.skipped:
            continue  # it did nothing
        i, condition = held_condition(i, ctx.predicates_carry)
        if i.mnemonic.lower() in SELECTS:
            reads = _select_sources(ctx, step, k, i)
            picked = (*reads, "nzcv")  # the flags choose: iico_ctrl, a pick dependency
        else:
            reads, picked = i.reads, (*i.reads, *condition)
        sources = frozenset().union(*(deps.get(r, (r,)) for r in reads))
        pick_sources = frozenset().union(*(picks.get(r, (r,)) for r in picked))
        for w in i.writes:
            deps[w], picks[w] = sources, pick_sources
        if i.kind is _BRANCH:
            branch |= pick_sources
    return tuple((w, deps[w], picks[w]) for w in deps), frozenset(branch)


def _select_sources(ctx, step: Step, k: int, info: InsnInfo) -> tuple[str, ...]:
    """A conditional select depends only on the register it selects, not on the flags (herd:
    LB+rel+CSEL, MP+rel+CSEL and LB+CSEL4 are allowed). Which one it selected follows from the
    flags, known when no later instruction of this run changed them; else both count."""
    ops = [o.strip() for o in info.op_str.split(",")]
    canon = ctx.core.target.canonical_reg
    mnemonic = info.mnemonic.lower()
    if mnemonic in ("cset", "csetm"):
        return ()
    if mnemonic in ("cinc", "cinv", "cneg"):
        return (canon(ops[1]),)
    first, second = canon(ops[1]), canon(ops[2])
    infos = ctx.core.infos
    if any("nzcv" in infos[a].writes for a in step.executed[k + 1 :]):
        return (first, second)
    holds = condition_holds(ops[3].lower(), ctx.core.reg(step.state, "nzcv"))
    return (first if holds else second,)


def _writeback(ctx: ThreadContext, regs: RegViews, info: InsnInfo) -> None:
    """A base-register writeback (and any other non-destination register the instruction
    writes) depends on the registers that form the address."""
    found = ctx.writebacks.get(info.address)
    if found is None:
        skip = info.data_regs | info.compare_regs | info.dest_regs | info.status_regs
        found = ctx.writebacks[info.address] = (
            tuple(info.writes - info.dest_regs - info.status_regs),
            tuple(r for r in info.reads if r not in skip))  # fmt: skip
    written, sources = found
    if written:
        regs.set(written, regs.view(sources), regs.pick(sources))


# -- instructions -----------------------------------------------------------------------------


def _fence(ctx, tstate, local: Local, info: InsnInfo) -> Move:
    step = ctx.run(tstate, ())
    if not isinstance(step, Step):
        raise refuse(MODEL, info, "a barrier that reads memory")
    effect = ctx.fences.get(info.address)
    if effect is None:
        effect = ctx.fences[info.address] = _fence_effect(info)
    if effect is _ISB:
        local = after_isb(local)
    elif effect is _CLREX:
        local = local._replace(exbank=None)
    else:
        local = after_dmb(local, *effect)
    return Move("", "", step.state, _finish(ctx, local, step, RegViews(local)), step)


def _fence_effect(info: InsnInfo):
    """What a barrier does to the views: its DMB bits (`DMB_BITS`, `DSB_BITS`), `_ISB` or
    `_CLREX` (looked up once per instruction: a `Barrier` is hashed in Python)."""
    b = info.barrier
    if b in DMB_BITS:
        return (DSB_BITS if info.is_dsb else DMB_BITS)[b]
    if b is Barrier.ISB:
        return _ISB
    if b is None and info.mnemonic.lower().startswith("clrex"):
        return _CLREX
    raise refuse(MODEL, info, "not an ARM barrier")


_ISB, _CLREX = "isb", "clrex"


def _single_read(ctx, info, tstate, value) -> Step:
    result = ctx.run(tstate, (value,))
    if isinstance(result, NeedRead):
        raise refuse(MODEL, info, "an instruction reading two locations is not covered")
    return result


def _load(ctx, tstate, local: Local, memory, info: InsnInfo) -> list[Move]:
    first = ctx.run(tstate, ())
    regs = RegViews(local)
    if isinstance(first, Step):  # a conditional load whose condition failed
        return [Move("", "condition false", first.state, _finish(ctx, local, first, regs), first)]
    loc, offset = ctx.place(first.addr, first.size, "read", info)
    if loc.index in ctx.mixed_set:
        return _load_mixed(ctx, tstate, local, memory, info, first.size, loc, offset, regs)
    vaddr, paddr = regs.view(info.addr_regs), regs.pick(info.addr_regs)
    acquire = info.acquire or info.acquire_pc
    choices, _ = read_choices(local, memory, loc.index, ctx.init_value(loc, first.size), vaddr,
                              info.acquire, info.acquire_pc)  # fmt: skip
    moves = []
    written_back = regs.copy()  # (the same for every choice)
    _writeback(ctx, written_back, info)
    index, size, fwd, run = loc.index, first.size, local.fwd[loc.index], ctx.run
    for choice in choices:
        if choice.ts and memory[choice.ts - 1].size != size:  # (`_check_size`)
            _check_size(ctx, memory, choice.ts, size, info, loc.name)
        step = run(tstate, (choice.value,))
        if isinstance(step, NeedRead):  # (`_single_read`)
            step = _single_read(ctx, info, tstate, choice.value)
        pick = read_pick(choice, paddr, fwd)
        new = after_read(local, index, choice, vaddr, acquire, False, paddr, pick)
        if info.kind is _LOAD_EXCL:
            new = new._replace(
                exbank=ExBank(loc.index, choice.ts, choice.view, choice.value, info.acquire,
                              first.size)
            )
        r = written_back.copy()
        r.set(info.dest_regs, choice.view, pick)
        what = partial(_read_words, ctx, loc, choice.value, first.size, memory, choice.ts)
        moves.append(Move(f".r{choice.ts}", what, step.state, _finish(ctx, new, step, r), step,
                          read_ts=choice.ts))  # fmt: skip
    return moves


def _load_mixed(ctx, tstate, local: Local, memory, info: InsnInfo, size: int, loc, offset: int,
                regs: RegViews) -> list[Move]:  # fmt: skip
    """A load (or load-exclusive) of a mixed-size location: each byte from its own message
    (mixed.py)."""
    vaddr, paddr = regs.view(info.addr_regs), regs.pick(info.addr_regs)
    acquire = info.acquire or info.acquire_pc
    moves = []
    for c in mixed.read_choices(local, memory, loc.index, loc.size, mixed.init_bytes(loc), offset,
                                size, vaddr, info.acquire, info.acquire_pc):  # fmt: skip
        step = _single_read(ctx, info, tstate, c.value)
        pick = max(c.view, paddr, c.pick)
        new = mixed.after_mixed_read(local, loc.index, loc.size, ctx.n, offset, c, vaddr,
                                     acquire, False, paddr, pick)  # fmt: skip
        if info.kind is _LOAD_EXCL:
            new = new._replace(exbank=ExBank(loc.index, max(c.read), c.view, c.value,
                                             info.acquire, size, offset, c.read))  # fmt: skip
        r = regs.copy()
        _writeback(ctx, r, info)
        r.set(info.dest_regs, c.view, pick)
        what = f"read {ctx.program.part_name(loc, offset, size)}={ctx.shown(loc, c.value, size)} from " + _sources(ctx, memory, c)
        moves.append(Move(c.key, what, step.state, _finish(ctx, new, step, r), step,
                          read_ts=max(c.read)))  # fmt: skip
    return moves


def _sources(ctx, memory, c) -> str:
    return ", ".join(dict.fromkeys(ctx.describe_msg(memory, ts) for ts in c.read))


def _load_pair(ctx, tstate, local: Local, memory, info: InsnInfo) -> list[Move]:
    """LDP: two reads, of two locations or two parts of a byte-wise one, as independent as two
    LDRs (herd: `>>|`, no order between them); each register gets its own read's views.

    LDNP (non-temporal): an address dependency does not order its reads after the reads the
    address came from (Arm ARM C3.2.9; herd's L070), so they choose their messages without the
    address's view; what depends on the address through the LDNP (its registers, `addr; po;
    [W]` in vcap, an ISB) still comes after it."""
    first = ctx.run(tstate, ())
    regs = RegViews(local)
    if isinstance(first, Step):  # a conditional LDM whose condition failed
        return [Move("", "condition false", first.state, _finish(ctx, local, first, regs), first)]
    vaddr, paddr = regs.view(info.addr_regs), regs.pick(info.addr_regs)
    vpre = 0 if info.non_temporal else vaddr  # the view the reads choose their messages by
    moves = []
    for reads, step in _reads_of(ctx, tstate, local, memory, info, first, (), vaddr, paddr, vpre):
        new, r = local, regs.copy()
        _writeback(ctx, r, info)
        for reg, c in zip(info.pair_order, reads, strict=True):
            new = c.after(new)
            r.set((reg,), max(c.view, vaddr), c.pick)
        moves.append(Move("".join(c.key for c in reads).rstrip("/"),
                          "read " + ", ".join(c.words for c in reads), step.state,
                          _finish(ctx, new, step, r), step,
                          read_ts=tuple(c.ts for c in reads)))  # fmt: skip
    return moves


def _reads_of(ctx, tstate, local: Local, memory, info: InsnInfo, need, done: tuple, vaddr: int,
              paddr: int, vpre: int):  # fmt: skip
    """(reads, Step) for each way the reads of a load pair (an A32 LDM: one per register) may
    go, the first `done` chosen; every read from the views before the instruction."""
    check_reads_done(MODEL, info, len(done), isinstance(need, Step))
    if isinstance(need, Step):
        yield done, need
        return
    for c in _pair_reads(ctx, local, memory, info, need, vaddr, paddr, vpre):
        values = (*(d.value for d in done), c.value)
        yield from _reads_of(ctx, tstate, local, memory, info, ctx.run(tstate, values),
                             (*done, c), vaddr, paddr, vpre)  # fmt: skip


@dataclass(frozen=True)
class _PairRead:
    """One way one read of a load pair may go: its value, views, key, words, the message it
    (last) took, and what it does to the thread's views (`after`)."""

    value: int
    view: int
    pick: int
    key: str
    words: str
    ts: int
    after: object  # Local -> Local


def _pair_reads(ctx, local: Local, memory, info: InsnInfo, need: NeedRead, vaddr: int,
                paddr: int, vpre: int):  # fmt: skip
    """Each way one read of a load pair may go (`_PairRead`), its location byte-wise or not.
    Both reads start from the thread's views before the pair: they are not ordered. `vpre` is
    the address view the read is ordered after (0 for LDNP; `vaddr` still goes to vcap)."""
    loc, offset = ctx.place(need.addr, need.size, "read", info)
    where = ctx.program.part_name(loc, offset, need.size)
    if loc.index in ctx.mixed_set:
        for c in mixed.read_choices(local, memory, loc.index, loc.size, mixed.init_bytes(loc),
                                    offset, need.size, vpre, False, False):  # fmt: skip
            pick = max(c.view, paddr, c.pick)
            yield _PairRead(
                c.value, c.view, pick, f"{c.key}/",  # `/`: where its bytes' keys end
                f"{where}={ctx.shown(loc, c.value, need.size)} from {_sources(ctx, memory, c)}",
                max(c.read),
                lambda lc, c=c, pick=pick: mixed.after_mixed_read(
                    lc, loc.index, loc.size, ctx.n, offset, c, vaddr, False, False, paddr, pick))
        return
    choices, _ = read_choices(local, memory, loc.index, ctx.init_value(loc, need.size), vpre,
                              False, False)  # fmt: skip
    for c in choices:
        _check_size(ctx, memory, c.ts, need.size, info, loc.name)
        pick = read_pick(c, paddr, local.fwd[loc.index])
        yield _PairRead(
            c.value, c.view, pick, f".r{c.ts}",
            f"{where}={ctx.shown(loc, c.value, need.size)} from {ctx.describe_msg(memory, c.ts)}",
            c.ts,
            lambda lc, c=c, pick=pick: after_read(lc, loc.index, c, vaddr, False, False, paddr,
                                                  pick))  # fmt: skip


def _store_pair(ctx, tstate, local: Local, memory, info: InsnInfo, certify: bool) -> list[Move]:
    """STP: two writes, to two locations or two parts of a byte-wise one, as independent as
    two STRs; each write's data view is its own register's."""
    step = ctx.run(tstate, ())
    if isinstance(step, NeedRead) or len(step.writes) != 2:
        raise refuse(MODEL, info, "a store pair that did not make two writes")
    regs = RegViews(local)
    vaddr, paddr = regs.view(info.addr_regs), regs.pick(info.addr_regs)
    parts = []  # (location, message, data view, data pick view, pre-view)
    for write, reg in zip(step.writes, info.pair_order, strict=True):
        loc, offset = ctx.place(write.addr, write.size, "write", info)
        vdata, pdata = regs.view((reg,)), regs.pick((reg,))
        parts.append((loc, Message(loc.index, write.value, ctx.tid, write.size, offset), vdata,
                      pdata, write_pre_view(local, paddr, pdata, 0, False)))  # fmt: skip
    _writeback(ctx, regs, info)
    (loc0, msg0, vd0, pd0, pre0), (loc1, msg1, vd1, pd1, pre1) = parts
    moves = []
    for ts0, app0, key0, floor0 in _part_slots(ctx, local, memory, msg0, loc0, pre0, certify):
        after0 = memory if app0 is None else (*memory, app0)  # a fresh write goes at the end
        for ts1, app1, key1, floor1 in _part_slots(ctx, local, after0, msg1, loc1, pre1,
                                                   certify):  # fmt: skip
            new = local
            for loc, msg, ts, vd, pd in ((loc0, msg0, ts0, vd0, pd0), (loc1, msg1, ts1, vd1, pd1)):
                if loc.index in ctx.mixed_set:
                    new = mixed.after_mixed_write(new, msg, ts, loc.size, ctx.n, vaddr, vd, False,
                                                  False, 0, max(paddr, pd), paddr)  # fmt: skip
                else:
                    new = after_write(new, loc.index, ts, vaddr, vd, False, False, 0,
                                      max(paddr, pd), paddr)  # fmt: skip
            fresh = [(m, f) for m, f in ((app0, floor0), (app1, floor1)) if m is not None]
            what = ", ".join(_fulfil_words(ctx, m, ts, a)
                             for m, ts, a in ((msg0, ts0, app0), (msg1, ts1, app1)))  # fmt: skip
            moves.append(Move(key0 + key1, what, step.state, _finish(ctx, new, step, regs.copy()),
                              step, fresh[0][0] if fresh else None, fresh[0][1] if fresh else 0,
                              silent=False, write_ts=(ts0, ts1), more=tuple(fresh[1:])))  # fmt: skip
    return moves


def _part_slots(ctx, local: Local, memory, msg: Message, loc, pre: int, certify: bool):
    """(timestamp, appended message or None, key suffix, floor) for each way to place one
    write of a store pair, its location byte-wise or not."""
    if loc.index in ctx.mixed_set:
        yield from _mixed_slots(ctx, local, memory, msg, loc, pre, None, certify)
        return
    for ts, appended, key in _slots(ctx, local, memory, msg, pre, None, certify):
        yield ts, appended, key, max(pre, local.coh[loc.index])


def _store(ctx, tstate, local: Local, memory, info: InsnInfo, certify: bool) -> list[Move]:
    step = ctx.run(tstate, ())
    if isinstance(step, NeedRead):
        raise refuse(MODEL, info, "a store that reads memory")
    regs = RegViews(local)
    if not step.writes:  # a conditional store whose condition failed
        return [Move("", "condition false", step.state, _finish(ctx, local, step, regs), step)]
    write = _one_write(info, step)
    loc, offset = ctx.place(write.addr, write.size, "write", info)
    vaddr, vdata = regs.view(info.addr_regs), regs.view(info.data_regs)
    paddr, pdata = regs.pick(info.addr_regs), regs.pick(info.data_regs)
    msg = Message(loc.index, write.value, ctx.tid, write.size, offset)
    pre = write_pre_view(local, paddr, pdata, 0, info.release)
    _writeback(ctx, regs, info)
    moves = []
    if loc.index in ctx.mixed_set:
        for ts, appended, key, floor in _mixed_slots(ctx, local, memory, msg, loc, pre, None,
                                                     certify):  # fmt: skip
            new = mixed.after_mixed_write(local, msg, ts, loc.size, ctx.n, vaddr, vdata,
                                          info.release, False, 0, max(paddr, pdata), paddr)  # fmt: skip
            moves.append(Move(key, partial(_fulfil_words, ctx, msg, ts, appended), step.state,
                              _finish(ctx, new, step, regs.copy()), step, appended, floor,
                              silent=False, write_ts=ts))  # fmt: skip
        return moves
    index, release = loc.index, info.release
    floor, pview = max(pre, local.coh[index]), max(paddr, pdata)
    slots = list(_slots(ctx, local, memory, msg, pre, None, certify))
    for ts, appended, key in slots:
        new = after_write(local, index, ts, vaddr, vdata, release, False, 0, pview, paddr)
        what = partial(_fulfil_words, ctx, msg, ts, appended)
        moves.append(Move(key, what, step.state,
                          _finish(ctx, new, step, regs.copy() if len(slots) > 1 else regs), step,
                          appended, floor, False, write_ts=ts))  # fmt: skip
    return moves


def _store_exclusive(ctx, tstate, local, memory, info: InsnInfo, certify: bool) -> list[Move]:
    first = ctx.run(tstate, ())
    regs = RegViews(local)
    r = regs.copy()
    _writeback(ctx, r, info)
    r.set(info.status_regs, 0)  # a store-exclusive's status carries no view on ARM
    failed = local._replace(exbank=None)
    bank = local.exbank
    if isinstance(first, Step) and first.access_skipped:  # its condition failed: nothing
        return [Move("", "condition false", first.state, _finish(ctx, local, first, regs), first)]
    if isinstance(first, Step):  # Unicorn's monitor is not armed for this address: it fails
        fail = Move(".fail", "fails", first.state, _finish(ctx, failed, first, r), first)
        if bank is None or not succeeds_elsewhere(ctx.program):
            return [fail]
        moves = _store_elsewhere(ctx, tstate, local, memory, info, certify, regs, r)
        if not any(m.appended is None for m in moves) or ctx.may_fail_spuriously:
            moves.append(fail)
        return moves
    loc, offset = ctx.place(first.addr, first.size, "write", info)
    if bank is not None and (bank.loc, bank.offset) != (loc.index, offset):
        raise refuse(MODEL, info, MONITOR_MISMATCH)
    moves: list[Move] = []
    if loc.index in ctx.mixed_set:
        if (bank is not None and bank.loc == loc.index and bank.size == first.size
                and bank.offset == offset and bank.read):  # fmt: skip
            moves = _store_exclusive_mixed(ctx, tstate, local, memory, info, certify, loc,
                                           offset, regs, r)  # fmt: skip
    elif bank is not None and bank.loc == loc.index and bank.size == first.size:
        step = _monitor_run(ctx, info, tstate, memory, loc, bank.value, succeed=True)
        if step is not None:
            write = _one_write(info, step)
            vaddr, vdata = regs.view(info.addr_regs), regs.view(info.data_regs)
            paddr, pdata = regs.pick(info.addr_regs), regs.pick(info.data_regs)
            msg = Message(loc.index, write.value, ctx.tid, write.size)
            pre = write_pre_view(local, paddr, pdata, 0, info.release)
            silent = silent_rewrite(local, loc.index, bank.ts, bank.value, bank.acquire, msg)
            for ts, appended, key in _slots(ctx, local, memory, msg, pre, bank.ts, certify):
                new = after_write(local, loc.index, ts, vaddr, vdata, info.release, True,
                                  bank.view, max(paddr, pdata), paddr)  # fmt: skip
                what = partial(_words, "succeeds, ", partial(_fulfil_words, ctx, msg, ts, appended))
                moves.append(Move(key, what, step.state, _finish(ctx, new, step, r.copy()), step,
                                  appended, max(pre, local.coh[loc.index]), silent,
                                  write_ts=ts))  # fmt: skip
    # fails when it cannot fulfil a promise (alone, a fresh write is not a reason to succeed,
    # so that the solo runs include every run the machine may take), or spuriously
    if not any(m.appended is None for m in moves) or ctx.may_fail_spuriously:
        base = bank.value if bank is not None else 0
        step = _monitor_run(ctx, info, tstate, memory, loc, base, succeed=False)
        if step is not None:
            moves.append(Move(".fail", "fails", step.state, _finish(ctx, failed, step, r), step))
    return moves


def _store_elsewhere(ctx, tstate, local: Local, memory, info: InsnInfo, certify: bool,
                     regs: RegViews, r: RegViews) -> list[Move]:  # fmt: skip
    """An AArch64 store-exclusive succeeding at another address than its load-exclusive's
    (machine/model.py `succeeds_elsewhere`): a write ordered after the exclusive read (`rmw`
    is in `aob`: its pre-view takes the read's view) with no atomicity to keep (it is about
    the read's location), ending the reservation."""
    bank = local.exbank
    if why := elsewhere_uncovered(info, bank.size, mixed=False):
        raise refuse(MODEL, info, why)
    step = ctx.core.run_succeeding_elsewhere(tstate)
    write = _one_write(info, step)
    loc, offset = ctx.place(write.addr, write.size, "write", info)
    if (loc.index, offset) == (bank.loc, bank.offset):
        raise refuse(MODEL, info, MONITOR_MISMATCH)
    if why := elsewhere_uncovered(info, bank.size, mixed=loc.index in ctx.mixed_set):
        raise refuse(MODEL, info, why)
    vaddr, vdata = regs.view(info.addr_regs), regs.view(info.data_regs)
    paddr, pdata = regs.pick(info.addr_regs), regs.pick(info.data_regs)
    msg = Message(loc.index, write.value, ctx.tid, write.size, offset)
    pre = write_pre_view(local, paddr, pdata, bank.view, info.release)
    moves = []
    for ts, appended, key in _slots(ctx, local, memory, msg, pre, None, certify):
        new = after_write(local, loc.index, ts, vaddr, vdata, info.release, True, bank.view,
                          max(paddr, pdata), paddr)  # fmt: skip
        what = partial(_words, "succeeds, ", partial(_fulfil_words, ctx, msg, ts, appended))
        moves.append(Move(key, what, step.state, _finish(ctx, new, step, r.copy()), step,
                          appended, max(pre, local.coh[loc.index]), silent=False,
                          write_ts=ts))  # fmt: skip
    return moves


def _store_exclusive_mixed(ctx, tstate, local: Local, memory, info: InsnInfo, certify: bool,
                           loc, offset: int, regs: RegViews, r: RegViews) -> list[Move]:  # fmt: skip
    """A store-exclusive to a mixed-size location whose load-exclusive read the same bytes."""
    bank = local.exbank
    step = _monitor_run(ctx, info, tstate, memory, loc, bank.value, succeed=True)
    if step is None:
        return []
    write = _one_write(info, step)
    vaddr, vdata = regs.view(info.addr_regs), regs.view(info.data_regs)
    paddr, pdata = regs.pick(info.addr_regs), regs.pick(info.data_regs)
    msg = Message(loc.index, write.value, ctx.tid, write.size, offset)
    pre = write_pre_view(local, paddr, pdata, 0, info.release)
    moves = []
    for ts, appended, key, floor in _mixed_slots(ctx, local, memory, msg, loc, pre, bank.read,
                                                 certify):  # fmt: skip
        new = mixed.after_mixed_write(local, msg, ts, loc.size, ctx.n, vaddr, vdata,
                                      info.release, True, bank.view, max(paddr, pdata), paddr)  # fmt: skip
        what = "succeeds, " + _fulfil_words(ctx, msg, ts, appended)
        moves.append(Move(key, what, step.state, _finish(ctx, new, step, r.copy()), step,
                          appended, floor, silent=False, write_ts=ts))  # fmt: skip
    return moves


def _mixed_slots(ctx, local, memory, msg: Message, loc, pre: int, read, certify: bool):
    """`_slots` for a write to a mixed-size location (mixed.py), with each way's floor."""
    floor = max(pre, mixed.write_floor(local, msg.loc, loc.size, msg.offset, msg.size))
    for ts in mixed.write_slots(local, memory, ctx.tid, msg, pre, loc.size, read):
        yield ts, None, f".w{ts}", floor
    if certify:
        ts = len(memory) + 1
        if read is None or mixed.exclusive_ok(memory, ctx.tid, msg, read, ts):
            yield ts, msg, ".new", floor


def _monitor_run(ctx, info, tstate, memory, loc, value: int, succeed: bool) -> Step | None:
    """Run a store-exclusive so that it succeeds (or fails).

    QEMU's store-exclusive compares memory with the value its load-exclusive read, kept in the
    CPU context; the thread state is the registers only, so a context saved for these registers
    may come from a run whose load-exclusive read another value of this location. To succeed,
    supply the value our exclusive bank read, else any other value this location has held; to
    fail, supply a value no write made."""
    if succeed:
        held = [loc.init] + [m.value for m in memory if m.loc == loc.index]
        candidates = [value] + [v for v in dict.fromkeys(held) if v != value]
    else:
        candidates = [value ^ 1, value ^ 0x5A5A5A5A, value ^ 0x7FFF0001]
    for supply in candidates:
        step = _single_read(ctx, info, tstate, supply)
        if bool(step.writes) == succeed:
            return step
    return None


def _atomic(ctx, tstate, local: Local, memory, info: InsnInfo, certify: bool) -> list[Move]:
    """LSE SWP / CAS / LD<op> / ST<op>: an exclusive read and write with no other thread's write
    to the location between them (in memory order)."""
    first = ctx.run(tstate, ())
    if isinstance(first, Step):
        raise refuse(MODEL, info, "an atomic that performed no read")
    regs = RegViews(local)
    loc, offset = ctx.place(first.addr, first.size, "read", info)
    if loc.index in ctx.mixed_set:
        return _atomic_mixed(ctx, tstate, local, memory, info, certify, first.size, loc, offset)
    vaddr, paddr = regs.view(info.addr_regs), regs.pick(info.addr_regs)
    no_ret = not info.dest_regs  # ST<op>, or XZR destination: no acquire, not ordered by DMB LD
    acquire = (info.acquire or info.acquire_pc) and not no_ret
    mnemonic = info.mnemonic.lower()
    combines = not mnemonic.startswith(("swp", "cas"))  # LD<op>: written value uses the read
    choices, _ = read_choices(local, memory, loc.index, ctx.init_value(loc, first.size), vaddr,
                              info.acquire and not no_ret, info.acquire_pc and not no_ret)  # fmt: skip
    moves = []
    written_back = regs.copy()  # (these are the same for every choice)
    _writeback(ctx, written_back, info)
    data_view, data_pick = regs.view(info.data_regs), regs.pick(info.data_regs)
    # a CAS's compare register decides whether it writes (herd's pick-basic-dep to the
    # write): it orders the write, and a read of it from its own thread (pick through lrs)
    pcompare = regs.pick(info.compare_regs)
    for choice in choices:
        _check_size(ctx, memory, choice.ts, first.size, info, loc.name)
        step = _single_read(ctx, info, tstate, choice.value)
        pick = read_pick(choice, paddr, local.fwd[loc.index])
        after = after_read(local, loc.index, choice, vaddr, acquire, no_ret, paddr, pick)
        r = written_back.copy()
        read_words = partial(_read_words, ctx, loc, choice.value, first.size, memory,
                             choice.ts)  # fmt: skip
        if not step.writes:  # a compare-and-swap that failed: only a read
            r.set(info.dest_regs, choice.view, pick)
            moves.append(Move(f".r{choice.ts}", partial(_words, read_words, ", compare fails"),
                              step.state,
                              _finish(ctx, after, step, r), step, read_ts=choice.ts))  # fmt: skip
            continue
        write = _one_write(info, step)
        ctx.location(write.addr, write.size, "write")  # a narrow write keeping initial bytes
        vdata, pdata = data_view, data_pick
        if combines:
            vdata, pdata = max(vdata, choice.view), max(pdata, pick)
        msg = Message(loc.index, write.value, ctx.tid, write.size)
        pre = write_pre_view(after, paddr, pdata, pcompare, info.release)
        for suffix, result_words, view, result_pick in _results(info, regs, choice.view, pick):
            res = r.copy()
            res.set(info.dest_regs, view, result_pick)
            for ts, appended, key in _slots(ctx, after, memory, msg, pre, choice.ts, certify):
                new = after_write(after, loc.index, ts, vaddr, vdata, info.release, True,
                                  choice.view, max(paddr, pdata, pcompare), paddr)  # fmt: skip
                if acquire and info.release:  # [range([A]; amo; [L])]; po; [M]
                    new = new._replace(vr_new=max(new.vr_new, ts), vw_new=max(new.vw_new, ts))
                what = partial(_words, read_words, ", ",
                               partial(_fulfil_words, ctx, msg, ts, appended), result_words)
                moves.append(Move(f".r{choice.ts}{key}{suffix}", what, step.state,
                                  _finish(ctx, new, step, res), step, appended,
                                  max(pre, after.coh[loc.index]),
                                  silent_rewrite(local, loc.index, choice.ts, choice.value,
                                                 acquire, msg),
                                  read_ts=choice.ts, write_ts=ts))  # fmt: skip
    if certify and info.cas and moves and all(m.step.writes for m in moves):
        moves.extend(_unseen_cas_failure(ctx, tstate, local, memory, info, loc, vaddr, paddr,
                                         regs, acquire, no_ret, moves[0].step))  # fmt: skip
    return moves


def _atomic_mixed(ctx, tstate, local: Local, memory, info: InsnInfo, certify: bool, size: int,
                  loc, offset: int) -> list[Move]:  # fmt: skip
    """`_atomic` on a mixed-size location: its read takes each byte from its own message, its
    write (of the same bytes) has no other thread's write to any of them in between."""
    regs = RegViews(local)
    vaddr, paddr = regs.view(info.addr_regs), regs.pick(info.addr_regs)
    no_ret = not info.dest_regs
    acquire = (info.acquire or info.acquire_pc) and not no_ret
    combines = not info.mnemonic.lower().startswith(("swp", "cas"))
    choices = mixed.read_choices(local, memory, loc.index, loc.size, mixed.init_bytes(loc),
                                 offset, size, vaddr, info.acquire and not no_ret,
                                 info.acquire_pc and not no_ret)  # fmt: skip
    if certify and info.cas:  # alone, it may read a write beyond memory's end and fail
        beyond = len(memory) + 1
        pre = max(vaddr, local.vr_new)
        choices.append(mixed.MixedChoice((beyond,) * size, None, max(pre, beyond), 0, False))
    moves = []
    for c in choices:
        unseen = c.value is None
        if unseen:
            done = [m for m in moves if m.step.writes]
            if not done:
                continue
            value = done[0].step.reads[0].value ^ 1
            step = _single_read(ctx, info, tstate, value)
            if step.writes:
                continue
            c = mixed.MixedChoice(c.read, value, c.view, 0, False)
        else:
            step = _single_read(ctx, info, tstate, c.value)
        pick = max(c.view, paddr, c.pick)
        after = mixed.after_mixed_read(local, loc.index, loc.size, ctx.n, offset, c, vaddr,
                                       acquire, no_ret, paddr, pick)  # fmt: skip
        r = regs.copy()
        _writeback(ctx, r, info)
        read_words = (f"read {ctx.program.part_name(loc, offset, size)}={ctx.shown(loc, c.value, size)} from "
                      + ("a later write" if unseen else _sources(ctx, memory, c)))  # fmt: skip
        if not step.writes:  # a compare-and-swap that failed: only a read
            r.set(info.dest_regs, c.view, pick)
            key = ".unseen" if unseen else c.key
            moves.append(Move(key, read_words + ", compare fails", step.state,
                              _finish(ctx, after, step, r), step, read_ts=max(c.read)))  # fmt: skip
            continue
        write = _one_write(info, step)
        vdata, pdata = regs.view(info.data_regs), regs.pick(info.data_regs)
        if combines:
            vdata, pdata = max(vdata, c.view), max(pdata, pick)
        pcompare = regs.pick(info.compare_regs)
        msg = Message(loc.index, write.value, ctx.tid, write.size, offset)
        pre = write_pre_view(after, paddr, pdata, pcompare, info.release)
        for suffix, result_words, view, result_pick in _results(info, regs, c.view, pick):
            res = r.copy()
            res.set(info.dest_regs, view, result_pick)
            for ts, appended, key, floor in _mixed_slots(ctx, after, memory, msg, loc, pre,
                                                         c.read, certify):  # fmt: skip
                new = mixed.after_mixed_write(after, msg, ts, loc.size, ctx.n, vaddr, vdata,
                                              info.release, True, c.view,
                                              max(paddr, pdata, pcompare),
                                              paddr)  # fmt: skip
                if acquire and info.release:  # [range([A]; amo; [L])]; po; [M]
                    new = new._replace(vr_new=max(new.vr_new, ts), vw_new=max(new.vw_new, ts))
                what = read_words + ", " + _fulfil_words(ctx, msg, ts, appended) + result_words
                moves.append(Move(f"{c.key}{key}{suffix}", what, step.state,
                                  _finish(ctx, new, step, res), step, appended, floor,
                                  silent=False, read_ts=max(c.read), write_ts=ts))  # fmt: skip
    return moves


def _results(info: InsnInfo, regs: RegViews, view: int, pick: int):
    """Where an atomic's result register gets its views: (key suffix, words, view, pick view).

    A successful CAS returns the value it read, which equals its compare register's: herd
    builds both provenances (eventsMonad.ml `altT (do_ `DataFromRRs) (do_ `DataFromRx)`). From
    the compare register, the result has that register's view and the read only picks it
    (pick view). When one provenance has no higher views than the other it is the only one
    needed (the model is monotone in views)."""
    if not (info.cas and info.compare_regs and info.dest_regs):
        return [("", "", view, pick)]
    rs_view = regs.view(info.compare_regs)
    rs_pick = max(regs.pick(info.compare_regs), pick)
    if rs_view >= view:
        return [("", "", view, pick)]
    if rs_pick == pick:
        return [("", "", rs_view, rs_pick)]
    return [("", "", view, pick), (".rs", " (result from the compare register)", rs_view, rs_pick)]


def _unseen_cas_failure(
    ctx, tstate, local, memory, info, loc, vaddr, paddr, regs: RegViews, acquire, no_ret,
    succeeded: Step,
) -> list[Move]:  # fmt: skip
    """Certification only: the CAS fails by reading a write beyond the end of memory.

    Alone, a thread reads only what memory holds, but in the execution being certified its
    CAS may read a write made later and fail. Everything ordered after that read comes after
    the memory's end (its view is `len(memory) + 1`), so it fulfils no promise and offers no
    candidate; what is not ordered after it (later writes with no dependency on the CAS) may.
    Without this, certification would only see the CAS succeed, whose write (a release, an
    exclusive write a later DMB orders) can forbid promises the failing run allows."""
    value = succeeded.reads[0].value if succeeded.reads else 0
    failed = _single_read(ctx, info, tstate, value ^ 1)
    if failed.writes:
        return []
    beyond = len(memory) + 1
    pre = max(vaddr, local.vr_new)
    choice = ReadChoice(beyond, value ^ 1, max(pre, beyond), False)
    after = after_read(local, loc.index, choice, vaddr, acquire, no_ret, paddr, choice.view)
    r = regs.copy()
    _writeback(ctx, r, info)
    r.set(info.dest_regs, choice.view, max(choice.view, paddr))
    return [Move(".unseen", "reads a later write, compare fails", failed.state,
                 _finish(ctx, after, failed, r), failed)]  # fmt: skip


# -- helpers ----------------------------------------------------------------------------------


def silent_rewrite(local: Local, loc: int, read_ts: int, read_value: int, acquire: bool,
                   msg: Message) -> bool:  # fmt: skip
    """Is an exclusive write that puts back the value its read got (a failed attempt on a
    spinlock) one certification may leave out when the loop repeats (certify.py)?

    An acquire read raises `vr_new` to the message it read, so a later read that takes the
    rewrite early is no less ordered than one taking the message itself. A plain exclusive
    read gives no such bound: its rewrite is silent only when it read the thread's own last
    write to the location, which the rewrite then merely repeats (with a view compared at the
    loop head, `dominates`)."""
    if msg.value != read_value:
        return False
    own = local.fwd[loc]
    return acquire or (own is not None and own.ts == read_ts)


def _slots(ctx, local, memory, msg: Message, pre: int, exclusive_from, certify: bool):
    """(timestamp, appended message or None, key suffix) for each way to place the write."""
    loc, size = msg.loc, msg.size
    for other in memory:
        if other.loc == loc and other.size != size:  # merging their bytes needs byte messages
            raise AccessError(f"{ctx.names[loc]} is written with {other.size} and {size} "
                              f"bytes: {MIXED_SIZE_REFUSAL}")
    for ts in write_slots(local, memory, ctx.tid, msg, pre, exclusive_from):
        yield ts, None, f".w{ts}"
    if certify:
        ts = len(memory) + 1
        if exclusive_from is None or exclusive_ok(memory, ctx.tid, msg.loc, exclusive_from, ts):
            yield ts, msg, ".new"


def _fulfil_words(ctx, msg: Message, ts: int, appended) -> str:
    text = f"{ctx.message_text(msg)}@{ts}"
    return f"writes {text}" if appended is not None else f"fulfils promise {text}"


def _one_write(info: InsnInfo, step: Step):
    if len(step.writes) != 1:
        raise refuse(MODEL, info, "an instruction writing two locations is not covered")
    return step.writes[0]


def _check_size(ctx, memory, ts: int, size: int, info: InsnInfo, name: str) -> None:
    if ts and memory[ts - 1].size != size:
        raise AccessError(f"it reads {size} bytes of {name}, written with "
                          f"{memory[ts - 1].size} bytes: {MIXED_SIZE_REFUSAL}")

