"""Promising-ARM's memory and thread-local state, and its read / write / barrier rules.

This follows Pulte, Pichon-Pharabod, Kang, Lee, Hur, "Promising-ARM/RISC-V: a simpler and faster
operational concurrency model" (PLDI 2019) and its Coq development (snu-sf/promising-arm,
`src/promising/Promising.v`, whose field names are given in brackets):

- memory is a list of write messages; a message's timestamp is its index + 1, and timestamp 0
  stands for the initial write of every location;
- a view is a timestamp; every register carries one (the view of what its value depends on);
- a thread keeps, per location, its coherence view `coh`; the views of its earlier reads and
  writes `vr_old`, `vw_old` [vrm, vwm]; lower bounds for its later reads and writes `vr_new`,
  `vw_new` [vrp, vwp], raised by barriers and acquires; `vcap` for control and address
  dependencies; `vrel` for its last release; the forward bank `fwd` (its last write per
  location, for reading it early); the exclusive bank `exbank` (its last load-exclusive); and
  its outstanding promises.

Three things go beyond the paper (which matches aarch64.cat as of 2019) to follow herdtools7's
current `aarch64.cat`:
- `vr_old_ld` leaves out the reads of atomics that return nothing (`ST<op>`, or a destination
  of XZR: herd's `NoRet`), which DMB LD does not order (`[R\\NoRet]; po; [dmb.ld]; po`);
- the write of an atomic with both acquire and release is ordered before everything after it
  (`[range([A]; amo; [L])]; po; [M]` in bob): its timestamp joins `vr_new` and `vw_new`
  (thread.py). This subsumes the 2019 `po; ([A]; amo; [L]); po`;
- an acquire (LDAR, LDAPR) may read the thread's own exclusive write early, like any other
  write of its own, ordered only after that write's paired read (`[M]; rmw; lrs; [A | Q]` in
  aob; the 2019 file had `[range(rmw)]; rfi; [A | Q]`, ordering it after the write itself):
  the forward bank keeps the paired read's view (`FwdItem.rview`).

Pick dependencies (aarch64.cat's `pob`, herdtools7's aarch64deps.cat `pick-dtrm`): a value
chosen by another value — a CSEL whose flags come from a read, a successful CAS whose result
may come from its compare register, an A32 predicated access or MOV whose flags come from a
read (thread.py `_condition_picked`) — carries the chooser as a *pick* dependency, which orders
later writes (`pick-dep; [W]`, `pick-addr-dep; [M]; po; [W]`, `pick-lob = pick-dep; lob; [W]`)
and, through an ISB, later accesses, but not later reads by address. Each register has, besides
its view, a pick view (`Local.picks`, kept only where it exceeds the view); a write's pre-view
and `vcap` use pick views, a read's pre-view uses views. A read's pick view flows into its
destination, into DMB- and release-ordering of later writes (`vr_old_pick`) and, for an
acquire, into `vw_new`. (A read that takes its own pick-dependent write early and is ordered
before a later write by `lws` needs nothing more: that write is coherence-after the first.)
"""

from __future__ import annotations

from typing import NamedTuple

Regs = tuple[tuple[str, int], ...]  # (register, view), sorted, views > 0 only


class Message(NamedTuple):
    """A write in memory: location index, value, the writing thread, access size in bytes, and
    the byte of the location it starts at (a part of a mixed-size location, mixed.py). Named
    tuples, as the other records of states here: hashed and compared in C (memories are keys
    of the certification memos)."""

    loc: int
    value: int
    tid: int
    size: int
    offset: int = 0

    def covers(self, byte: int) -> bool:
        return self.offset <= byte < self.offset + self.size


class FwdItem(NamedTuple):
    """The thread's last write to a location: its timestamp, the view of its address and data,
    whether it was exclusive (a store-exclusive or an atomic), and then the view of the read
    it is paired with (aob's `[M]; rmw; lrs; [A | Q]`: an acquire reading this write early
    comes after that read)."""

    ts: int
    view: int
    ex: bool
    rview: int = 0
    pview: int = 0  # the pick view of its address and data (see `Local.picks`)


class ExBank(NamedTuple):
    """The last load-exclusive: what it read (location, timestamp, value), its view,
    whether it was an acquire (LDAXR), and its size in bytes."""

    loc: int
    ts: int
    view: int
    value: int
    acquire: bool = False
    size: int = 0
    offset: int = 0
    read: tuple[int, ...] = ()  # a mixed-size location's read: the message each byte took


class Local(NamedTuple):
    """One thread's views and promises (a named tuple: hashed and copied on every step)."""

    coh: tuple[int, ...]  # per location
    vr_new: int = 0
    vw_new: int = 0
    vr_old: int = 0
    vr_old_ld: int = 0
    vw_old: int = 0
    vcap: int = 0
    vrel: int = 0
    fwd: tuple[FwdItem | None, ...] = ()  # per location; None: no write of ours yet
    exbank: ExBank | None = None
    promises: tuple[int, ...] = ()  # timestamps, ascending
    regs: Regs = ()
    picks: Regs = ()  # registers whose pick view exceeds their view (see below)
    vr_old_pick: int = 0  # the pick views of earlier reads but NoRet ones (for DMB, release)
    stutter: tuple | None = None  # (thread state, local) after the last failed store-exclusive
    # mixed-size locations (mixed.py), by location index: per byte views (None elsewhere)
    bytes_: tuple = ()
    # its accesses to mixed-size locations in program order (mixed.py: the coherence check)
    trace: tuple = ()

    @staticmethod
    def initial(locations: int) -> Local:
        return Local(coh=(0,) * locations, fwd=(None,) * locations)

    def finished(self) -> Local:
        """The canonical state of a thread that has halted: only its promises still matter."""
        n = len(self.coh)
        base = _FINISHED.get(n)
        if base is None:
            base = _FINISHED[n] = Local(coh=(0,) * n, fwd=(None,) * n)
        if not self.promises and not self.trace:
            return base
        return base._replace(promises=self.promises, trace=self.trace)

    def with_promises(self, promises: tuple[int, ...]) -> Local:
        """`_replace(promises=promises)`, without its keyword machinery."""
        return tuple.__new__(Local, (*self[:_PROMISES], promises, *self[_PROMISES + 1 :]))

    def promise(self, ts: int) -> Local:
        promises = self.promises
        if promises and promises[-1] > ts:
            promises = tuple(sorted((*promises, ts)))
        else:  # (a new promise is the latest message: no sorting, no keyword machinery)
            promises = (*promises, ts)
        return tuple.__new__(Local, (*self[:_PROMISES], promises, *self[_PROMISES + 1 :]))


_PROMISES = Local._fields.index("promises")
assert Local._fields[1:3] == ("vr_new", "vw_new")  # (after_dmb, after_isb)
_FINISHED: dict[int, Local] = {}  # locations -> `Local.finished()` with no promise, no trace


class ReadChoice(NamedTuple):
    ts: int  # the message read (0: the initial write)
    value: int
    view: int  # the read's post view (the view its destination registers get)
    forwarded: bool  # read its own write early, taking that write's view (not its timestamp)


def read_choices(
    local: Local,
    memory: tuple[Message, ...],
    loc: int,
    init_value: int,
    vaddr: int,
    acquire: bool,
    acquire_pc: bool,
) -> tuple[list[ReadChoice], int]:
    """Every message a read of `loc` may take [Local.read], and the view before reading.

    The read's pre-view joins its address view, `vr_new`, and for an RCsc acquire `vrel`
    (an LDAR after an STLR is ordered; an LDAPR is not). It may read any message to `loc` at or
    after `coh(loc)` that no other message to `loc` hides up to the pre-view."""
    pre = max(vaddr, local.vr_new, local.vrel if acquire else 0)
    lower = local.coh[loc]
    for ts in range(min(pre, len(memory)), lower, -1):
        if memory[ts - 1].loc == loc:
            lower = ts
            break
    fwd = local.fwd[loc]
    out = []
    for ts in range(lower, len(memory) + 1):
        if ts == 0:
            value = init_value
        elif memory[ts - 1].loc == loc:
            value = memory[ts - 1].value
        else:
            continue
        forwarded = fwd is not None and fwd.ts == ts
        if not forwarded:
            view = max(pre, ts)
        elif acquire or acquire_pc:
            view = max(pre, fwd.view, fwd.rview)
        else:
            view = max(pre, fwd.view)
        out.append(ReadChoice(ts, value, view, forwarded))
    return out, pre


def after_read(
    local: Local, loc: int, choice: ReadChoice, vaddr: int, acquire: bool, no_ret: bool,
    vaddr_pick: int = 0, pick: int = 0,
) -> Local:  # fmt: skip
    """The thread's views after a read [Local.read]; `acquire` covers LDAR and LDAPR.
    `vaddr_pick` is its address's pick view and `pick` the read's (`read_pick`): what they
    add orders only later writes, and reads after an ISB."""
    post = choice.view
    pick = max(pick, post)
    return tuple.__new__(Local, (  # (Local(...) without its Python-level __new__)
        _set(local.coh, loc, choice.ts),
        max(local.vr_new, post) if acquire else local.vr_new,
        max(local.vw_new, pick) if acquire else local.vw_new,
        max(local.vr_old, post),
        local.vr_old_ld if no_ret else max(local.vr_old_ld, post),
        local.vw_old,
        max(local.vcap, vaddr, vaddr_pick),
        local.vrel,
        local.fwd,
        local.exbank,
        local.promises,
        local.regs,
        local.picks,
        local.vr_old_pick if no_ret else max(local.vr_old_pick, pick),  # as vr_old_ld
        local.stutter,
        local.bytes_,
        local.trace,
    ))  # fmt: skip


def write_pre_view(local: Local, vaddr: int, vdata: int, vextra: int, release: bool) -> int:
    """What a write must come after [Local.writable]: its address and data views, `vcap`,
    `vw_new`, and for a release every earlier read and write."""
    view = max(vaddr, vdata, vextra, local.vcap, local.vw_new)
    if release:
        view = max(view, local.vr_old, local.vr_old_pick, local.vw_old)
    return view


def exclusive_ok(memory: tuple[Message, ...], tid: int, loc: int, read_ts: int, ts: int) -> bool:
    """No other thread's write to `loc` between the exclusive read and the write (atomicity:
    `empty rmw & (fre; coe)`)."""
    for m in memory[read_ts : ts - 1]:  # noqa: SIM110 (a loop: no generator, a hot path)
        if m.loc == loc and m.tid != tid:
            return False
    return True


def write_slots(
    local: Local,
    memory: tuple[Message, ...],
    tid: int,
    msg: Message,
    pre: int,
    exclusive_from: int | None,
) -> list[int]:
    """The promised timestamps this write may fulfil [Local.fulfill]: a promise of the same
    message, above `coh(loc)` and the pre-view, and for an exclusive write with no other
    thread's write to the location since the exclusive read."""
    out = []
    for ts in local.promises:
        if memory[ts - 1] != msg or ts <= local.coh[msg.loc] or ts <= pre:
            continue
        if exclusive_from is not None and not exclusive_ok(
            memory, tid, msg.loc, exclusive_from, ts
        ):
            continue
        out.append(ts)
    return out


def after_write(
    local: Local, loc: int, ts: int, vaddr: int, vdata: int, release: bool, ex: bool,
    rview: int = 0, pview: int = 0, vaddr_pick: int = 0,
) -> Local:  # fmt: skip
    """The thread's views after fulfilling the write at `ts` [Local.fulfill]; `rview` is the
    view of the exclusive read an exclusive write is paired with; `pview` the pick view of
    its address and data, `vaddr_pick` of its address (see `Local.picks`)."""
    return tuple.__new__(Local, (  # (Local(...) without its Python-level __new__)
        _set(local.coh, loc, ts),
        local.vr_new,
        local.vw_new,
        local.vr_old,
        local.vr_old_ld,
        max(local.vw_old, ts),
        max(local.vcap, vaddr, vaddr_pick),
        max(local.vrel, ts) if release else local.vrel,
        _set(local.fwd, loc, FwdItem(ts, max(vaddr, vdata), ex, rview, pview)),
        None if ex else local.exbank,
        tuple(p for p in local.promises if p != ts) if ts in local.promises else local.promises,
        local.regs,
        local.picks,
        local.vr_old_pick,
        None,
        local.bytes_,
        local.trace,
    ))  # fmt: skip


def read_pick(choice: ReadChoice, vaddr_pick: int, fwd: FwdItem | None) -> int:
    """A read's pick view: its own view, its address's pick view, and when it reads its own
    write early, that write's (pick-dtrm runs through lrs)."""
    forwarded = fwd.pview if choice.forwarded and fwd is not None else 0
    return max(choice.view, vaddr_pick, forwarded)


def after_dmb(local: Local, rr: bool, rw: bool, wr: bool, ww: bool, ld: bool = False) -> Local:
    """DMB [Local.dmb]: reads (rr, rw) and writes (wr, ww) before it ordered before later reads
    and writes. `ld`: a DMB LD, which does not order the reads of NoRet atomics."""
    reads = local.vr_old_ld if ld else local.vr_old
    reads_pick = max(reads, local.vr_old_pick)  # pick-lob: pick-dep; lob; [W]
    vr_new = max(local.vr_new, reads if rr else 0, local.vw_old if wr else 0)
    vw_new = max(local.vw_new, reads_pick if rw else 0, local.vw_old if ww else 0)
    if vr_new == local.vr_new and vw_new == local.vw_new:
        return local
    # local._replace(vr_new=vr_new, vw_new=vw_new), without its keyword machinery
    return tuple.__new__(Local, (local[0], vr_new, vw_new, *local[3:]))


def after_isb(local: Local) -> Local:
    """ISB [Local.isb]: control and address dependencies so far order later reads."""
    if local.vcap <= local.vr_new:
        return local
    return tuple.__new__(Local, (local[0], local.vcap, *local[2:]))


def _set(items: tuple, index: int, value) -> tuple:
    return (*items[:index], value, *items[index + 1 :])
