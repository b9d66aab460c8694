"""One core's steps under the ARMv7 model: what its next instruction may do, run on Unicorn.

`thread_moves` lists every way the instruction at the core's PC may execute — which write each
read takes, which committed write a store fulfils, whether a store-exclusive fails — runs it
through the memoized `Core.run`, and carries register views through the register-only
instructions Unicorn executed after it (the same dataflow as the ARMv8 model: a destination
gets the join of its sources' views, a branch adds its sources' views to `vctrl`).

With `certify` set (the core running alone, to certify what it committed ahead), a write may
also be committed at the end of the timeline (a fresh commit), and a barrier whose group A has
not reached every core may propagate it there (fresh `Gp`s).
"""

from __future__ import annotations

from dataclasses import dataclass

from fencelab.errors import AccessError, CodeError
from fencelab.isa.core import LOCAL_STEP_LIMIT, NeedRead, Step
from fencelab.isa.insn import Barrier, InsnInfo, Kind, as_executed
from fencelab.machine.model import MONITOR_MISMATCH, check_reads_done, refuse
from fencelab.models.armv7_scope import armv7_refusal
from fencelab.models.operational.arm.thread import ThreadContext, UnseenRead
from fencelab.models.operational.armv7.local import (
    Local,
    Views,
    after_dmb,
    after_dmb_st,
    after_isb,
    after_read,
    after_write,
    dmb_st_time,
    dmb_time,
    exclusive_ok,
    makes_stale,
    read_choices,
    set_views,
    views_of,
    write_slots,
    write_times,
)
from fencelab.models.operational.armv7.order import ACCESS_LOCS
from fencelab.models.operational.armv7.storage import Msg, Storage, shifted

MODEL = "armv7"
TRAILING = ".g?"  # a trailing barrier's key when each core runs apart: which writes it
# propagates, at the end of the timeline, depends on the cores before it (apart.py, `_placed`)

__all__ = ["Move", "ThreadContext", "thread_moves", "promise_lost", "shown"]


@dataclass(slots=True)
class Move:
    """One way the core's next instruction may execute (never changed once made; not frozen,
    which would make it several times as costly to build, and many are built)."""

    key: str  # suffix of the transition key: "", ".r3", ".w5", ".fail", ".new"
    what: str  # in words, for the label
    tstate: tuple[int, ...]
    local: Local
    step: Step
    storage: Storage | None = None  # a new timeline (a fresh commit, inserted propagations)
    fresh_writes: tuple[Msg, ...] = ()  # certify only: writes committed at the end
    floor: int = 0  # certify: the latest position a fresh commit depends on
    inserted: tuple[int, ...] = ()  # positions where propagations were inserted, in order
    others: tuple[Local, ...] | None = None  # every core's state, moved by those insertions
    silent: bool = True  # writes nothing, or puts back the value its exclusive read got
    spin: bool = False  # a put-back the core would retry anyway (`retries_anyway`)
    read_pos: int | tuple[int, ...] | None = None  # the write each read took (execution graphs)
    write_pos: int | None = None  # the commit a write executed


def promise_lost(local: Local, st: Storage) -> bool:
    """Has the core moved past one of its committed-ahead writes in coherence? Then it can
    never execute it (a write goes coherence-after its location's floor)."""
    return bool(local.promises) and st.passed(local.coh, local.promises)


def thread_moves(ctx: ThreadContext, tstate, local: Local, st: Storage, certify: bool = False,
                 others: tuple[Local, ...] | None = None, earliest: bool = False,
                 quiet: bool = False, unread=None,
                 flips: frozenset[int] = frozenset()) -> list[Move]:  # fmt: skip
    """Every way the core's next instruction may execute (see `_moves`); an access the model
    cannot place is refused at that instruction. `flips` (certify only: a guess, guess.py):
    the predicated instructions of the step run the other way than the flags say
    (`Core.run`'s)."""
    try:
        return _moves(ctx, tstate, local, st, certify, others, earliest, quiet, unread, flips)
    except AccessError as e:
        raise refuse(MODEL, ctx.core.info(tstate), e.why) from None


def _moves(ctx: ThreadContext, tstate, local: Local, st: Storage, certify: bool,
           others: tuple[Local, ...] | None, earliest: bool,
           quiet: bool = False, unread=None,
           flips: frozenset[int] = frozenset()) -> list[Move]:  # fmt: skip
    """`others`: every core's state (executing, not alone), for propagations a barrier
    inserts: they must not make another core's executed read stale, and move its views.
    `earliest`: a DMB places its propagations only at the earliest places (a reduction, for a
    core whose every other core has finished: model.py, `ARMv7.for_exhaustive`); `quiet`: a
    DMB or DMB ST does (no core reads memory any more: `armv7-quiet-earliest`, same place);
    `unread`: (locations no other running core may read, those this one may not read either),
    a DMB whose propagations are all of the first (a DMB ST: of the second) does too
    (`armv7-unread-earliest`, same place).
    Neither `others` nor `certify`: each core apart, where only a trailing barrier may need propagations
    (apart.py): its move's key names them, for the schedule to place."""
    info = ctx.core.info(tstate)
    if info is None or promise_lost(local, st):
        return []
    refusals = ctx.__dict__.setdefault("armv7_refusals", {})  # per program: address -> why
    why = refusals.get(info.address, "")
    if why == "":
        why = refusals[info.address] = armv7_refusal(info)
    if why:
        raise refuse(MODEL, info, why)
    # a predicated access's condition gives no view to it or to what follows it (arm.cat:
    # `as_executed`); it decides whether the access happens, which its run tells
    # (`Step.skipped`; alone, a run may guess it the other way: `flips`, guess.py)
    kind = info.kind
    if kind is Kind.FENCE:
        return _fence(ctx, tstate, local, st, info, certify, others, earliest, quiet, unread,
                      flips)  # fmt: skip
    if kind in (Kind.LOAD, Kind.LOAD_EXCL):
        return _load(ctx, tstate, local, st, info, flips)
    if kind is Kind.STORE:
        return _store(ctx, tstate, local, st, info, certify, flips)
    if kind is Kind.STORE_EXCL:
        return _store_exclusive(ctx, tstate, local, st, info, certify, flips)
    raise refuse(MODEL, info, f"{kind.value} instructions are not covered")


# -- register views -----------------------------------------------------------------------------


def _finish(ctx: ThreadContext, local: Local, step: Step, regs: Views) -> Local:
    """Carry register views through the register-only instructions after the memory one."""
    if ctx.core.halted(step.state):
        return local.finished()
    if not regs:  # no register carries a view: none will (every join below is of zeros)
        return local if not local.regs else local._replace(regs=regs)
    writes, branch_sources = ctx.dataflow(step)
    if not writes and not branch_sources:
        return local._replace(regs=regs) if regs != local.regs else local
    vctrl = max(local.vctrl, views_of(regs, branch_sources)[1])
    table = {r: (i, c) for r, i, c in regs}
    for w, sources, _ in writes:
        table[w] = views_of(regs, sources)
    regs = tuple(sorted((r, i, c) for r, (i, c) in table.items() if i or c))
    return local._replace(vctrl=vctrl, regs=regs)


def _writeback(regs: Views, info: InsnInfo) -> Views:
    """A base-register writeback depends on the registers that form the address (not on a
    predicated access's condition: `as_executed`)."""
    skip = info.data_regs | info.dest_regs | info.status_regs
    i, c = views_of(regs, {r for r in as_executed(info).reads if r not in skip})
    return set_views(regs, info.writes - info.dest_regs - info.status_regs, i, c)


# -- instructions -------------------------------------------------------------------------------


def _fence(ctx, tstate, local: Local, st: Storage, info: InsnInfo, certify: bool,
           others: tuple[Local, ...] | None, earliest: bool = False,
           quiet: bool = False, unread=None,
           flips: frozenset[int] = frozenset()) -> list[Move]:  # fmt: skip
    step = ctx.core.run(tstate, (), flips)
    if not isinstance(step, Step):
        raise refuse(MODEL, info, "a barrier that reads memory")
    b = info.barrier
    if b is Barrier.ISB:
        return [Move("", "", step.state, _finish(ctx, after_isb(local), step, local.regs), step)]
    if b is None:  # CLREX
        cleared = local._replace(exbank=None)
        return [Move("", "", step.state, _finish(ctx, cleared, step, local.regs), step)]
    if b not in (Barrier.FULL, Barrier.STORE):
        raise refuse(MODEL, info, "not an ARMv7 barrier")
    full = b is Barrier.FULL
    timer, after = (dmb_time, after_dmb) if full else (dmb_st_time, after_dmb_st)
    missing = st.missing_gp(local.ga if full else local.ga_w)
    if not missing:
        t = timer(local, st)
        return [Move("", f"at @{t}" if t else "", step.state,
                     _finish(ctx, after(local, t), step, local.regs), step)]  # fmt: skip
    # its group A must reach every core first: place each propagation on the timeline
    if others is None and not certify:  # a trailing barrier, each core apart (apart.py)
        t = max(local.vmax, *(p for p in missing))
        what = "its group A reaches every core at the end of the timeline"
        return [Move(TRAILING + ",".join(map(str, missing)), what, step.state,
                     _finish(ctx, after(local, t), step, local.regs), step)]  # fmt: skip
    if certify:  # alone: as early as possible (what is best for this core)
        everyone = ((ctx.tid, local),)
        placements = [next(_placements(st, everyone, missing), None)]
        if placements[0] is None:
            return []
    else:
        everyone = tuple(enumerate(others))  # type: ignore[arg-type]
        found = _placements(st, everyone, missing)
        if unread is not None:  # `armv7-unread-earliest`: no running core reads these
            free = unread[0] if full else unread[1]
            quiet = quiet or all(st.msg(p).loc in free for p in missing)
        if (earliest and full) or quiet:  # the first is the earliest: it can do all the others can
            placements = [p for p in (next(found, None),) if p is not None]
        else:
            placements = list(found)
    moves = []
    for grown, shifted_locals, ats in placements:
        mine = dict(shifted_locals)[ctx.tid]
        t = timer(mine, grown)
        key = "".join(f".g{a}" for a in ats)
        what = ", ".join(f"@{a}" for a in ats)
        what = f"its group A reaches every core ({what}); at @{t}"
        new_others = None if certify else tuple(lc for _, lc in shifted_locals)
        moves.append(Move(key, what, step.state, _finish(ctx, after(mine, t), step, mine.regs),
                          step, grown, inserted=ats, others=new_others))  # fmt: skip
    return moves


def _placements(st: Storage, everyone, missing: list[int]):
    """Every way to insert the propagations of the writes at `missing`, one after another,
    where no core's executed read becomes stale: (storage, [(tid, local)], positions)."""
    if not missing:
        yield st, everyone, ()
        return
    pos = missing[0]
    for at in range(st.gp_floor(pos) + 1, st.end + 2):
        if any(makes_stale(lc, st, tid, pos, at) for tid, lc in everyone):
            continue
        grown = st.insert_gp(pos, at)
        moved = tuple((tid, lc.shifted(at)) for tid, lc in everyone)
        rest = [shifted(p, at) for p in missing[1:]]
        for final, final_locals, ats in _placements(grown, moved, rest):
            yield final, final_locals, (at, *ats)


def _single_read(ctx, info, tstate, value, flips: frozenset[int] = frozenset()) -> Step:
    result = ctx.core.run(tstate, (value,), flips)
    if isinstance(result, NeedRead):
        raise refuse(MODEL, info, "an instruction reading two locations is not covered")
    return result


def _load(ctx, tstate, local: Local, st: Storage, info: InsnInfo,
          flips: frozenset[int] = frozenset()) -> list[Move]:  # fmt: skip
    first = ctx.core.run(tstate, (), flips)
    if isinstance(first, Step):  # a conditional load whose condition failed
        return [Move("", "condition false", first.state,
                     _finish(ctx, local, first, local.regs), first)]  # fmt: skip
    if info.pair_order:
        return _load_multiple(ctx, tstate, local, st, info, first, flips)
    loc = ctx.location(first.addr, first.size, "read")
    ctx.__dict__.setdefault(ACCESS_LOCS, {})[info.address] = loc.index  # order.py
    addr = views_of(local.regs, info.addr_regs)
    regs = _writeback(local.regs, info)
    moves = []
    for ch in _read_choices(ctx, local, st, info, loc, first.size, addr):
        step = _single_read(ctx, info, tstate, ch.value, flips)
        new = after_read(local, loc.index, ch, addr)
        if info.kind is Kind.LOAD_EXCL:
            new = new._replace(exbank=(loc.index, ch.pos, ch.value))
        r = set_views(regs, info.dest_regs, ch.t, ch.c)
        source = "the initial write" if ch.pos == 0 else f"@{ch.pos} (P{st.tid(ch.pos)})"
        what = f"read {loc.name}={ctx.shown(loc, ch.value, first.size)} from {source} at @{ch.t}"
        moves.append(Move(f".r{ch.pos}", what, step.state, _finish(ctx, new, step, r), step,
                          read_pos=ch.pos))  # fmt: skip
    return moves


def _read_choices(ctx, local: Local, st: Storage, info: InsnInfo, loc, size: int, addr):
    """`read_choices` of a read of `size` bytes of `loc`; a write of another size is refused."""
    for ch in read_choices(local, st, ctx.tid, loc.index, ctx.init_value(loc, size), addr):
        if ch.pos and st.msg(ch.pos).size != size:
            raise CodeError(info.address, info.text,  # (the pipeline names the user's line)
                            f"model {MODEL}: it reads {size} bytes of {loc.name}, which a "
                            f"{st.msg(ch.pos).size}-byte store wrote: mixed-size accesses are "
                            "not covered")  # fmt: skip
        yield ch


def _load_multiple(ctx, tstate, local: Local, st: Storage, info: InsnInfo,
                   first: NeedRead, flips: frozenset[int] = frozenset()) -> list[Move]:  # fmt: skip
    """LDRD, LDM: one word read per register, each of its own location and chosen from the
    core's views before the instruction (herd's ARMSem.ml: `read_mem ... >>| read_mem ...`,
    unordered), each register with its own read's views. Its locations are not recorded for
    order.py (one location an access): it counts as an access to any location there."""
    addr = views_of(local.regs, info.addr_regs)
    regs = _writeback(local.regs, info)
    moves = []
    for reads, step in _reads_of(ctx, tstate, local, st, info, first, (), addr, flips):
        new, r = local, regs
        for reg, (loc, ch) in zip(info.pair_order, reads, strict=True):
            new = after_read(new, loc.index, ch, addr)
            r = set_views(r, (reg,), ch.t, ch.c)
        what = ", ".join(
            f"{loc.name}={ctx.shown(loc, ch.value, 4)} from "
            + ("the initial write" if ch.pos == 0 else f"@{ch.pos} (P{st.tid(ch.pos)})")
            + f" at @{ch.t}"
            for loc, ch in reads
        )
        moves.append(Move("".join(f".r{ch.pos}" for _, ch in reads), f"read {what}", step.state,
                          _finish(ctx, new, step, r), step,
                          read_pos=tuple(ch.pos for _, ch in reads)))  # fmt: skip
    return moves


def _reads_of(ctx, tstate, local: Local, st: Storage, info: InsnInfo, need, done: tuple, addr,
              flips: frozenset[int] = frozenset()):  # fmt: skip
    """((location, ReadChoice) per read, Step) for each way the reads may go."""
    check_reads_done(MODEL, info, len(done), isinstance(need, Step))
    if isinstance(need, Step):
        yield done, need
        return
    loc = ctx.location(need.addr, need.size, "read")
    if any(loc.index == seen.index for seen, _ in done):
        raise refuse(MODEL, info, "an instruction reading one location twice is not covered")
    for ch in _read_choices(ctx, local, st, info, loc, need.size, addr):
        values = (*(c.value for _, c in done), ch.value)
        yield from _reads_of(ctx, tstate, local, st, info, ctx.core.run(tstate, values, flips),
                             (*done, (loc, ch)), addr, flips)  # fmt: skip


def _one_write(info: InsnInfo, step: Step):
    if len(step.writes) != 1:
        raise refuse(MODEL, info, "an instruction writing two locations is not covered")
    return step.writes[0]


def _write_moves(ctx, local: Local, st: Storage, info: InsnInfo, step: Step, regs: Views,
                 certify: bool, exclusive_from: int | None, prefix: str = "",
                 spin: bool = False) -> list[Move]:  # fmt: skip
    """The ways a write (a store, a successful store-exclusive) executes: fulfil one of the
    core's commits made ahead, or (alone) commit now at the end of the timeline. `spin`: a
    put-back the core would retry anyway (`retries_anyway`)."""
    write = _one_write(info, step)
    loc = ctx.location(write.addr, write.size, "write")
    ctx.__dict__.setdefault(ACCESS_LOCS, {})[info.address] = loc.index  # order.py
    projector = ctx.projector  # project.py: a core with barriers is projected on what it writes
    if projector is not None and projector.saw_write(ctx.tid, loc.index) and ctx.watch is not None:
        raise UnseenRead(loc.index)
    addr = views_of(local.regs, info.addr_regs)
    i, floor = write_times(local, addr, views_of(local.regs, info.data_regs))
    exclusive = exclusive_from is not None
    # a store-exclusive putting back what its load-exclusive read: certification may leave
    # out the loop iteration that repeats it
    silent = exclusive and local.exbank is not None and local.exbank[2] == write.value
    moves = []
    text = f"{loc.name}={ctx.shown(loc, write.value, write.size)}"
    # a spin is never committed ahead (certify.py): it fails and retries instead
    slots = [] if spin else write_slots(local, st, ctx.tid, loc.index, write.value, write.size,
                                        floor, exclusive_from)  # fmt: skip
    for pos in slots:
        new = after_write(local, loc.index, pos, i, addr, exclusive)
        moves.append(Move(f".w{pos}", f"{prefix}executes {text} committed @{pos}", step.state,
                          _finish(ctx, new, step, regs), step, silent=silent,
                          write_pos=pos))  # fmt: skip
    if certify:
        msg = Msg(loc.index, write.value, write.size, ctx.tid)
        rank = max(st.rank(local.coh[loc.index]) + 1, st.first_free_rank(loc.index))
        grown = st.commit(msg, rank)
        pos = grown.end
        if exclusive_from is None or exclusive_ok(grown, ctx.tid, loc.index, exclusive_from, pos):
            new = after_write(local, loc.index, pos, i, addr, exclusive)
            # the commit depends on `floor` only, not on the core's earlier write of the
            # location (cc0 has no po-loc): it may be committed ahead of that write, which
            # then goes coherence-before it (model.py, `_ranks`)
            moves.append(Move(".new", f"{prefix}commits {text} @{pos}", step.state,
                              _finish(ctx, new, step, regs), step, grown, (msg,), floor,
                              silent=silent, spin=spin))  # fmt: skip
    return moves


def _store(ctx, tstate, local: Local, st: Storage, info: InsnInfo, certify: bool,
           flips: frozenset[int] = frozenset()) -> list[Move]:  # fmt: skip
    step = ctx.core.run(tstate, (), flips)
    if isinstance(step, NeedRead):
        raise refuse(MODEL, info, "a store that reads memory")
    if not step.writes:  # a conditional store whose condition failed
        return [Move("", "condition false", step.state,
                     _finish(ctx, local, step, local.regs), step)]  # fmt: skip
    return _write_moves(ctx, local, st, info, step, _writeback(local.regs, info), certify, None)


def _store_exclusive(ctx, tstate, local: Local, st: Storage, info: InsnInfo, certify: bool,
                     flips: frozenset[int] = frozenset()) -> list[Move]:  # fmt: skip
    first = ctx.core.run(tstate, (), flips)
    if isinstance(first, Step) and first.access_skipped:  # its condition failed: nothing
        return [Move("", "condition false", first.state,
                     _finish(ctx, local, first, local.regs), first)]  # fmt: skip
    regs = set_views(_writeback(local.regs, info), info.status_regs, 0, 0)  # no dependency
    failed = local._replace(exbank=None)
    bank = local.exbank
    if isinstance(first, Step):  # Unicorn's monitor is not armed for this address: it fails,
        # also where it is armed for another address (herd's ARMSem.ml: STREX writes only
        # where its address is its LDREX's; machine/model.py `succeeds_elsewhere`)
        return [Move(".fail", "fails", first.state, _finish(ctx, failed, first, regs), first)]
    loc = ctx.location(first.addr, first.size, "write")
    ctx.__dict__.setdefault(ACCESS_LOCS, {})[info.address] = loc.index  # order.py
    if bank is not None and bank[0] != loc.index:
        raise refuse(MODEL, info, MONITOR_MISMATCH)
    moves: list[Move] = []
    if bank is not None and bank[0] == loc.index:
        step = _monitor_run(ctx, info, tstate, st, loc, bank[2], True, flips)
        if step is not None:
            spin = (not ctx.may_fail_spuriously and _one_write(info, step).value == bank[2]
                    and retries_anyway(ctx, step, _monitor_run(ctx, info, tstate, st, loc,
                                                               bank[2], False, flips)))  # fmt: skip
            moves = _write_moves(ctx, local, st, info, step, regs, certify, bank[1],
                                 "succeeds, ", spin)  # fmt: skip
    # fails when it cannot fulfil a commit made ahead, or spuriously where the core has no loop
    if not any(m.storage is None for m in moves) or ctx.may_fail_spuriously:
        base = bank[2] if bank is not None else 0
        step = _monitor_run(ctx, info, tstate, st, loc, base, False, flips)
        if step is not None:
            moves.append(Move(".fail", "fails", step.state, _finish(ctx, failed, step, regs), step))
    return moves


def retries_anyway(ctx: ThreadContext, won: Step, lost: Step | None) -> bool:
    """Is a store-exclusive that puts back the value its load-exclusive read (`won`: it
    succeeded) a failed attempt on a spinlock, one the core would retry anyway? It is when,
    after it, the core passes only barriers (which only raise its views) and then reaches the
    very point it reaches when the store-exclusive fails (`lost`, with no barrier in between),
    with the same registers except some that both paths overwrite before reading them (dead
    there). Then failing can do whatever succeeding can: re-read the location, with lower
    views. A put-back after which the core goes on differently (Rust's `fetch_max` when the old
    value is the maximum: the loop ends) is a write like any other."""
    if lost is None:
        return False
    key = (won.state, lost.state)
    cache = ctx.__dict__.setdefault("armv7_spins", {})  # per program
    found = cache.get(key)
    if found is None:
        found = cache[key] = _same_retry(ctx.core, won.state, lost.state)
    return found


def _same_retry(core, won, lost) -> bool:
    for _ in range(LOCAL_STEP_LIMIT):
        info = core.info(won)
        if info is None or info.kind is not Kind.FENCE:
            break
        step = core.run(won, ())
        if not isinstance(step, Step):
            return False
        won = step.state
    if core.halted(lost) or core.info(lost).kind is Kind.FENCE or core.pc(won) != core.pc(lost):
        return False
    differ = frozenset(n for n, a, b in zip(core.reg_names, won, lost, strict=True) if a != b)
    return _dead(core, core.pc(lost), differ)


def _dead(core, pc: int, regs: frozenset[str]) -> bool:
    """Is each of `regs` overwritten before it is read, on every path from `pc`? (A
    conditional instruction reads what it writes; the end of the code reads every register;
    an indirect branch counts as reading them.)"""
    todo, seen = [(pc, regs)], set()
    while todo:
        pc, regs = todo.pop()
        if (pc, regs) in seen:
            continue
        seen.add((pc, regs))
        info = core.infos.get(pc)
        if info is None or regs & info.reads or len(seen) > LOCAL_STEP_LIMIT:
            return False
        regs = regs - info.writes
        if not regs:
            continue
        after = info.next_pcs
        if after is None:  # (a jump through a register, a write to pc: anywhere)
            return False
        todo += [(nxt, regs) for nxt in after]
    return True


def _monitor_run(ctx, info, tstate, st: Storage, loc, value: int, succeed: bool,
                 flips: frozenset[int] = frozenset()) -> Step | None:  # fmt: skip
    """Run a store-exclusive so that it succeeds (or fails): QEMU compares memory with the
    value its load-exclusive read, kept in the CPU context, which may come from another run of
    the same registers; supply that value (or any other this location held) to succeed, a value
    no write made to fail. (`flips`: a guessed condition, guess.py.)"""
    if succeed:
        held = [loc.init] + [m.value for _, m in st.messages() if m.loc == loc.index]
        candidates = [value] + [v for v in dict.fromkeys(held) if v != value]
    else:
        candidates = [value ^ 1, value ^ 0x5A5A5A5A, value ^ 0x7FFF0001]
    for supply in candidates:
        step = _single_read(ctx, info, tstate, supply, flips)
        if bool(step.writes) == succeed:
            return step
    return None


def shown(program, loc: int, value: int, size: int) -> int:
    """A value of `size` bytes written to location `loc` (its index) as the user reads it: in
    the location's type."""
    return program.typed(program.locations[loc], value, 8 * size)
