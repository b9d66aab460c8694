"""x86tso-mixed.cat's `internal` (acyclic po-loc | rf | co | fr, on whole accesses) kept by
the operational `tso` model (tso.py) for programs whose accesses of one location may cover
different bytes (`tso._may_forward_in_part`).

Give each event a time: a read when its core executes it; a write when it reaches memory (its
drain, or at once for a locked instruction). Every edge of `internal` then goes forward in
time but one kind: po-loc (and rf) from a buffered store to a later access of its core that
executes before the store drains (co is the order writes reach memory; a read from memory
reads what is there, fr-before every write that reaches its bytes later; a read that takes
bytes from its own buffered store is fr-before only writes that reach them after that store).
With accesses of one size, such a later access reads all of its bytes from that store or a
newer one, and nothing can close a cycle; with mixed sizes it may take other bytes from
memory, or from an older store, and a cycle may close through other cores' accesses (the
smallest: store buffering over the two halves of a word, each core loading the whole word).

So each buffered store S keeps `Reach`: what is reachable from S so far, as byte masks of S's
location (internal relates accesses of one location only): the bytes whose later accesses by
each core are po-loc-after a reachable event; the bytes where a reachable write is in memory
(every later read of them from memory reads it or a write co-after it, every later write over
them is co-after it); the bytes a reachable read took from memory (every later write over them
is fr-after it); the buffered stores reached (a store reached before it drains brings what it
reaches: the accesses of its core that executed since it did); and the bytes a reachable read
took from a buffered store, which count as read from memory once that store drains (fr: the
writes co-after it). Each move adds what it does to the `Reach` of every store it is reachable
from, in the order of its events (reads, then writes).

S must still drain, and when it does it is co-after every write in memory over its bytes and
fr-after every read that took them from memory: a move after which some S reaches itself, a
write in memory over its bytes, or a read from memory of its bytes, leads only to executions
the cat file forbids, and is not made (the core, or the drain, waits; a state where nothing is
left is stuck). Every other cycle closes the same way: on a cycle, take the buffered store of
its backward edges that drains last; no edge of the cycle leaves that store's lifetime (only a
backward edge leads back in time, from a store that drains later), so every event on the cycle
is in its `Reach`, directly or through a store it reached, when it drains.
"""

from __future__ import annotations

from typing import NamedTuple


class Reach(NamedTuple):
    """What is reachable from a buffered store by `internal`'s edges (module docstring), as
    bytes of its location (bit b: byte b)."""

    po: tuple[int, ...]  # per core: its later accesses over these bytes are (po-loc)
    written: int  # a reachable write is in memory over these (rf, co: later accesses of them)
    read: int  # a reachable read took these from memory (fr: later writes over them)
    members: tuple[int, ...]  # per core: bit i, its buffer's entry i is reachable
    # (core, entry, bytes): a reachable read took these bytes from that buffered entry: once
    # it drains they count as `read` (fr: the writes co-after it)
    pending: tuple[tuple[int, int, int], ...] = ()


def mask(offset: int, size: int) -> int:
    """Bytes offset .. offset + size - 1 (bit b: byte b)."""
    return ((1 << size) - 1) << offset


def started(cores: int, tid: int, own: int) -> Reach:
    """A store of core `tid` over bytes `own`, just buffered: its core's later accesses over
    them are po-loc-after it."""
    po = [0] * cores
    po[tid] = own
    return Reach(tuple(po), 0, 0, (0,) * cores)


def stepped(buffers: tuple, tid: int, reads: list, writes: list, atomic: bool,
            first_new: int) -> tuple | None:  # fmt: skip
    """The buffers after core `tid`'s step, each entry's `Reach` grown by what the step did
    (`reads`: location, bytes, bytes from memory, `tso._taken`'s (entry, bytes) from its own
    buffer; `writes`: location, bytes; in memory when `atomic`, else the entries from
    `first_new` of its buffer, whose `Reach` starts here); None if a store would reach itself
    (the step waits)."""
    tracked = _tracked(buffers)
    for loc, read, memory, taken in reads:
        for (core, index), (entry_loc, reach) in tracked.items():
            if entry_loc == loc and (read & reach.po[tid] or memory & reach.written):
                pending = _pending(reach.pending, [(tid, i, took) for i, took in taken
                                                   if (tid, i) != (core, index)])  # fmt: skip
                tracked[core, index] = (loc, reach._replace(
                    po=_or_at(reach.po, tid, read), read=reach.read | memory, pending=pending))
    cores = len(buffers)
    for k, (loc, wrote) in enumerate(writes):
        for key, (entry_loc, reach) in tracked.items():
            if entry_loc != loc:
                continue
            if atomic and wrote & (reach.po[tid] | reach.written | reach.read):
                tracked[key] = (loc, reach._replace(po=_or_at(reach.po, tid, wrote),
                                                    written=reach.written | wrote))  # fmt: skip
            elif not atomic and wrote & reach.po[tid]:
                members = _or_at(reach.members, tid, 1 << (first_new + k))
                tracked[key] = (loc, reach._replace(po=_or_at(reach.po, tid, wrote),
                                                    members=members))  # fmt: skip
        if not atomic:
            tracked[tid, first_new + k] = (loc, started(cores, tid, wrote))
    return _rebuilt(buffers, tracked)


def drained(buffers: tuple, tid: int) -> tuple | None:
    """The buffers after core `tid`'s oldest entry D reaches memory (`buffers` still hold
    it; the result does not): every store D is reachable from (a member, or co- or fr-after
    what it reaches) reaches what D reaches, and D's bytes in memory; bytes a reachable read
    took from D count as read from memory. None if a store would then reach itself."""
    tracked = _tracked(buffers)
    loc, gone = tracked.pop((tid, 0))
    own = _own(buffers[tid][0])
    for key, (entry_loc, reach) in tracked.items():
        if entry_loc == loc and (reach.members[tid] & 1 or own & (reach.written | reach.read)):
            tracked[key] = (entry_loc, _merged(reach, gone, own))
    for key, (entry_loc, reach) in tracked.items():
        read, pending = reach.read, []
        for core, index, took in reach.pending:
            if core != tid:
                pending.append((core, index, took))
            elif index:
                pending.append((core, index - 1, took))
            else:
                read |= took
        members = tuple(m >> 1 if c == tid else m
                        for c, m in enumerate(reach.members))  # fmt: skip
        tracked[key] = (entry_loc, reach._replace(read=read, members=members,
                                                  pending=_pending((), pending)))  # fmt: skip
    shifted = {(c, i - 1 if c == tid else i): v for (c, i), v in tracked.items()}
    rest = list(buffers)
    rest[tid] = buffers[tid][1:]
    return _rebuilt(tuple(rest), shifted)


def _merged(reach: Reach, gone: Reach, own: int) -> Reach:
    """`reach` after it reached a store that reaches `gone`, now in memory over `own`."""
    return Reach(tuple(a | b for a, b in zip(reach.po, gone.po)),
                 reach.written | gone.written | own, reach.read | gone.read,
                 tuple(a | b for a, b in zip(reach.members, gone.members)),
                 _pending(reach.pending, gone.pending))  # fmt: skip


def _pending(old: tuple, new) -> tuple[tuple[int, int, int], ...]:
    """`Reach.pending` with `new`'s, one item per entry (its bytes joined), in order: states
    that differ only in how they came by it are one state."""
    if not new:
        return old
    joined: dict[tuple[int, int], int] = {}
    for core, index, took in (*old, *new):
        joined[core, index] = joined.get((core, index), 0) | took
    return tuple(sorted((core, index, took) for (core, index), took in joined.items()))


def _tracked(buffers: tuple) -> dict[tuple[int, int], tuple[int, Reach]]:
    """(core, entry) -> (location, `Reach`) of every buffered store that has one (a store
    `stepped` is buffering has none yet)."""
    return {(core, i): (entry[0], entry[4]) for core, buffer in enumerate(buffers)
            for i, entry in enumerate(buffer) if entry[4] is not None}  # fmt: skip


def _rebuilt(buffers: tuple, tracked: dict) -> tuple | None:
    """`buffers` with each entry's `Reach` from `tracked`; None if a store then reaches
    itself: a write in memory or a read from memory over its bytes, or itself."""
    out = []
    for core, buffer in enumerate(buffers):
        entries = []
        for i, entry in enumerate(buffer):
            reach = tracked[core, i][1]
            if _own(entry) & (reach.written | reach.read) or reach.members[core] >> i & 1:
                return None
            entries.append(entry if entry[4] is reach else entry._replace(reach=reach))
        out.append(tuple(entries))
    return tuple(out)


def _own(entry) -> int:
    """A buffered store's bytes."""
    return mask(entry[2], entry[3])


def _or_at(values: tuple[int, ...], at: int, bits: int) -> tuple[int, ...]:
    """`values` with `bits` set in the one at `at`."""
    if values[at] | bits == values[at]:
        return values
    changed = list(values)
    changed[at] |= bits
    return tuple(changed)
