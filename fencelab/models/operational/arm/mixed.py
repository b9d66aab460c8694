"""Promising-ARM over mixed-size locations: byte ranges in messages, views per byte.

A location is *mixed* once the program accesses it with two spans (offset, size), at an offset,
or with a narrow write that leaves initial bytes showing (`ThreadContext.place` finds out as
the program runs; the model then starts its exploration again with the location byte-wise,
`ModelRestart`). Array elements an access joins (across elements, or an element alone and
within an atomic pair) are first made one location (`Program.joins`, model.py's `_Layout`),
then mixed as any other. A test with no mixed location never comes here: every location keeps
its one value per message and its one coherence view per thread (local.py).

The target is herd's current `aarch64.cat` with `-variant mixed`, as fencelab's axiomatic
checker runs it (fencelab/models/axiomatic/candidates.py, arm.py): rf and co per byte, a write
one single-copy-atomic event over its bytes, a read one event per byte whose bytes are observed
together (`obs; sca-class?`), `lrs`, `lws` and `po-loc` relating overlapping accesses, and
`internal` judged on whole accesses. Here:

- a message is a write of `size` bytes at `offset` of its location (`Message`); timestamps are
  global as before, and the writes covering one byte are coherence-ordered by timestamp;
- per thread and per byte of a mixed location (`ByteViews`): `coh`, the message its last
  access of that byte had; `floor`, what a later write covering the byte must come after (a
  write's own timestamp, or the view of a read: `lws` orders a read before every later write
  that overlaps it, all of the read's bytes included); `fwd`, its last write covering the byte;
- a read chooses, for each of its bytes, a message covering that byte not older than its `coh`;
  the messages it takes from other threads (or the initial write) must all be visible at one
  cut of memory: no message covering a byte lies between the byte's message and the largest
  timestamp it reads or its pre-view (`obs; sca-class?`: a write read by one byte is observed by
  the whole read). A byte may take the thread's own last write to it early, as a whole read
  does in Promising-ARM, with that write's view (per-byte `lrs`). The read's view joins what
  its bytes take;
- a write is one message (single-copy atomic), after its pre-view and the `floor` of its
  bytes; an exclusive write needs no other thread's write to any of its bytes between each
  byte's read and it;
- what timestamps and views cannot see, `internal` on whole accesses (an rf/fr/co/po-loc
  cycle through a read that took one byte early from its own write, and another byte from
  before a write that other threads' reads place before that one), is checked on the complete
  execution: each thread keeps its accesses to mixed locations (`Local.trace`), and an execution
  ends only if `coherent` holds. Those accesses are part of a thread's state, so runs that took
  different messages stay apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from fencelab.models.operational.arm.local import (
    FwdItem,
    Local,
    Message,
    ReadChoice,
    after_read,
    after_write,
)
from fencelab.values import get_bytes, put_bytes, unsigned


@dataclass(frozen=True)
class ByteViews:
    """A thread's views of one mixed-size location, per byte (see the module docstring)."""

    coh: tuple[int, ...]
    floor: tuple[int, ...]
    fwd: tuple[FwdItem | None, ...]

    @staticmethod
    def initial(size: int) -> ByteViews:
        return ByteViews((0,) * size, (0,) * size, (None,) * size)


@dataclass(frozen=True)
class MixedChoice:
    """One way a read of a mixed location may take its bytes."""

    read: tuple[int, ...]  # per byte of the access, the timestamp of the message it takes
    value: int
    view: int  # the read's post view
    pick: int  # the pick views of the own writes it took early
    forwarded: bool  # some byte took the thread's own write early

    @property
    def key(self) -> str:
        if len(set(self.read)) == 1:
            return f".r{self.read[0]}"
        return "".join(f".r{ts}" for ts in self.read)


def views_of(local: Local, loc: int, size: int) -> ByteViews:
    if local.bytes_ and local.bytes_[loc] is not None:
        return local.bytes_[loc]
    return ByteViews.initial(size)


def _with_views(local: Local, loc: int, views: ByteViews, n: int) -> Local:
    items = list(local.bytes_ or (None,) * n)
    items[loc] = views
    return local._replace(bytes_=tuple(items))


def latest(memory, loc: int, byte: int, upto: int) -> int:
    """The timestamp of the last message at or below `upto` covering `byte` (0: initial)."""
    for ts in range(min(upto, len(memory)), 0, -1):
        m = memory[ts - 1]
        if m.loc == loc and m.covers(byte):
            return ts
    return 0


def read_choices(local: Local, memory, loc: int, loc_size: int, init: int, offset: int,
                 size: int, vaddr: int, acquire: bool, acquire_pc: bool) -> list[MixedChoice]:  # fmt: skip
    """Every way a read of `size` bytes at `offset` of mixed location `loc` may take its bytes
    (`init`: the location's initial bytes, unsigned). Each cut of memory at or above the
    pre-view gives, per byte, the message visible there, or the thread's own last write to the
    byte if that lies above the cut."""
    pre = max(vaddr, local.vr_new, local.vrel if acquire else 0)
    views = views_of(local, loc, loc_size)
    cuts = [pre] + [ts for ts in range(pre + 1, len(memory) + 1) if memory[ts - 1].loc == loc]
    span = range(offset, offset + size)
    found: dict[tuple[int, ...], MixedChoice] = {}
    for cut in cuts:
        options = []
        for b in span:
            here = latest(memory, loc, b, cut)
            opts = [here] if here >= views.coh[b] else []
            own = views.fwd[b]
            if own is not None and own.ts > cut and own.ts >= views.coh[b]:
                opts.append(own.ts)
            if not opts:
                break
            options.append(opts)
        else:
            for read in _product(options):
                if read not in found:
                    found[read] = _choice(memory, views, init, span, read, pre,
                                          acquire or acquire_pc)  # fmt: skip
    return list(found.values())


def _product(options: list[list[int]]):
    out = [()]
    for opts in options:
        out = [(*prefix, ts) for prefix in out for ts in opts]
    return out


def _choice(memory, views: ByteViews, init: int, span: range, read: tuple[int, ...], pre: int,
            acquire: bool) -> MixedChoice:  # fmt: skip
    value = 0
    view = pre
    pick = 0
    forwarded = False
    for k, (b, ts) in enumerate(zip(span, read, strict=True)):
        if ts == 0:
            byte = get_bytes(init, b, 1)
        else:
            m = memory[ts - 1]
            byte = get_bytes(m.value, b - m.offset, 1)
        value |= byte << (8 * k)
        own = views.fwd[b]
        if own is not None and own.ts == ts:
            forwarded = True
            view = max(view, own.view, own.rview if acquire else 0)
            pick = max(pick, own.pview)
        else:
            view = max(view, ts)
    return MixedChoice(read, value, view, pick, forwarded)


def after_mixed_read(local: Local, loc: int, loc_size: int, n: int, offset: int,
                     choice: MixedChoice, vaddr: int, acquire: bool, no_ret: bool,
                     vaddr_pick: int, pick: int) -> Local:  # fmt: skip
    """The thread's views after a read of a mixed location: the common views as a whole read
    (`after_read`), and per byte its message and, for later overlapping writes, its view."""
    whole = ReadChoice(local.coh[loc], choice.value, choice.view, choice.forwarded)
    new = after_read(local, loc, whole, vaddr, acquire, no_ret, vaddr_pick, pick)
    views = views_of(local, loc, loc_size)
    coh, floor = list(views.coh), list(views.floor)
    for b, ts in zip(range(offset, offset + len(choice.read)), choice.read, strict=True):
        coh[b] = ts
        floor[b] = max(floor[b], choice.view)
    new = _with_views(new, loc, ByteViews(tuple(coh), tuple(floor), views.fwd), n)
    return new._replace(trace=(*new.trace, (loc, offset, len(choice.read), choice.read)))


def write_floor(local: Local, loc: int, loc_size: int, offset: int, size: int) -> int:
    """What a write of these bytes must come after, beyond its pre-view: the messages its
    thread's accesses had for them, and the views of its reads overlapping them (`lws`)."""
    views = views_of(local, loc, loc_size)
    span = range(offset, offset + size)
    return max(max(views.coh[b] for b in span), max(views.floor[b] for b in span))


def exclusive_ok(memory, tid: int, msg: Message, read: tuple[int, ...], ts: int) -> bool:
    """No other thread's write to a byte of the exclusive write between the message that
    byte's exclusive read took and the write (`rmw & (fre; coe)` per byte)."""
    for b, read_ts in zip(range(msg.offset, msg.offset + msg.size), read, strict=True):
        for m in memory[read_ts : ts - 1]:
            if m.loc == msg.loc and m.tid != tid and m.covers(b):
                return False
    return True


def write_slots(local: Local, memory, tid: int, msg: Message, pre: int, loc_size: int,
                read: tuple[int, ...] | None) -> list[int]:  # fmt: skip
    """The promises a write of a mixed location may fulfil: the same message, above its
    pre-view and floor, and for an exclusive write with its bytes untouched since its read."""
    floor = max(pre, write_floor(local, msg.loc, loc_size, msg.offset, msg.size))
    return [ts for ts in local.promises
            if memory[ts - 1] == msg and ts > floor
            and (read is None or exclusive_ok(memory, tid, msg, read, ts))]  # fmt: skip


def after_mixed_write(local: Local, msg: Message, ts: int, loc_size: int, n: int, vaddr: int,
                      vdata: int, release: bool, ex: bool, rview: int = 0, pview: int = 0,
                      vaddr_pick: int = 0) -> Local:  # fmt: skip
    """The thread's views after fulfilling a write of a mixed location at `ts`."""
    loc = msg.loc
    new = after_write(local, loc, ts, vaddr, vdata, release, ex, rview, pview, vaddr_pick)
    new = new._replace(coh=local.coh, fwd=local.fwd)  # this location's views are per byte
    views = views_of(local, loc, loc_size)
    coh, floor, fwd = list(views.coh), list(views.floor), list(views.fwd)
    item = FwdItem(ts, max(vaddr, vdata), ex, rview, pview)
    for b in range(msg.offset, msg.offset + msg.size):
        coh[b] = ts
        floor[b] = max(floor[b], ts)
        fwd[b] = item
    new = _with_views(new, loc, ByteViews(tuple(coh), tuple(floor), tuple(fwd)), n)
    return new._replace(trace=(*new.trace, (loc, msg.offset, msg.size, ts)))


def promise_lost(local: Local, msg: Message, ts: int, loc_size: int) -> bool:
    """Has the thread moved past its promise at `ts` on one of its bytes?"""
    views = views_of(local, msg.loc, loc_size)
    return any(views.coh[b] >= ts or views.floor[b] >= ts
               for b in range(msg.offset, msg.offset + msg.size))  # fmt: skip


def final_bytes(init: int, memory, loc: int) -> int:
    """A mixed location's final bytes: per byte, the last message covering it."""
    value = init
    for m in memory:
        if m.loc == loc:
            value = put_bytes(value, m.offset, m.size, m.value)
    return value


def coherent(sizes: dict[int, int], memory, traces) -> bool:
    """herd's `internal` (acyclic po-loc | ca | rf, on whole accesses) over the mixed
    locations (`sizes`: location -> bytes), from the messages and each thread's accesses
    (`Local.trace`: (location, offset, size, its timestamp if a write else the timestamps
    its bytes read))."""
    for loc, size in sizes.items():
        writes = {0: range(size)}
        for ts, m in enumerate(memory, 1):
            if m.loc == loc:
                writes[ts] = range(m.offset, m.offset + m.size)
        edges: dict[object, set] = {("W", ts): set() for ts in writes}
        order = sorted(writes)
        for i, a in enumerate(order):  # co: overlapping writes in timestamp order
            for b in order[i + 1:]:
                if _overlap(writes[a], writes[b]):
                    edges[("W", a)].add(("W", b))
        for tid, trace in enumerate(traces):
            accesses = []
            for k, (where, offset, width, what) in enumerate(trace):
                if where != loc:
                    continue
                span = range(offset, offset + width)
                if isinstance(what, tuple):  # a read: rf into it, fr out of it, per byte
                    node = ("R", tid, k)
                    out = edges.setdefault(node, set())
                    for b, ts in zip(span, what, strict=True):
                        edges[("W", ts)].add(node)
                        out.update(("W", t) for t in order if t > ts and b in writes[t])
                else:
                    node = ("W", what)
                for earlier, espan in accesses:  # po-loc: overlapping accesses in order
                    if _overlap(espan, span):
                        edges[earlier].add(node)
                accesses.append((node, span))
        if not _acyclic(edges):
            return False
    return True


def _overlap(a: range, b: range) -> bool:
    return a.start < b.stop and b.start < a.stop


def _acyclic(edges: dict[object, set]) -> bool:
    state: dict[object, int] = {}
    for root in edges:
        if root in state:
            continue
        stack = [(root, iter(edges[root]))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                continue
            seen = state.get(nxt)
            if seen == 1:
                return False
            if seen is None:
                state[nxt] = 1
                stack.append((nxt, iter(edges.get(nxt, ()))))
    return True


def init_bytes(loc) -> int:
    return unsigned(loc.init, 8 * loc.size)
