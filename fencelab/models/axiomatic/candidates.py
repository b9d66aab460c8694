"""Candidate executions: one path per thread, plus reads-from and coherence choices.

`Skeleton` is the events of one choice of thread paths with the relations that do not depend on
rf/co (po, addr, data, ctrl, rmw, the pick dependencies). An `Execution` adds rf and co (and
derives fr). Initial writes are events too (tid -1, one per location, coherence-first), as in
herd.

Both axioms every model here shares decompose by location — herd's `internal` (acyclic
po-loc | ca | rf) and `atomic` (rmw & (fre; coe) empty) only relate same-location events — so
`per_location_choices` enumerates (rf, co) for one location at a time and keeps the choices that
pass the model's per-location check; the product over locations then only needs the model's
global axiom. Which paths combine at all is decided by the search both engines share
(fencelab/models/combinations.py).

The source engine has its own per-location enumerator (`_location_choices` in
fencelab/models/source/rc11.py), which builds only the coherent modification orders. The two
are kept apart because their inputs differ, not only their speed: there an RMW is one event (U)
that must sit right after the write it reads, and reads match by value; here an RMW is a read
and a write joined by `rmw` (an exclusive pair's store may fail, and must fail only where the
monitor was broken: `monitors_broken`), each model states its own atomicity (`rmw & (fre; coe)`
on ARM, `rmw & (fr; co)` for SC) and reads match by value within their size. So every order is
tried here and the model's per-location check (`ok` below) filters. That is this checker's cost
(about 70% of its time on generated AArch64 tests): building the orders as the source engine
does, with the models' atomicity and monitors built in, is the way to make it faster.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from fencelab import reduce
from fencelab.models.axiomatic.events import (  # noqa: F401 (is_mixed: used by importers)
    Event,
    ThreadPath,
    is_mixed,
    mixed_locations,
)
from fencelab.models.combinations import feasible_combinations
from fencelab.models.relations import Rel, bits, from_pairs, mask_of, pairs, union
from fencelab.values import get_bytes, unsigned


@dataclass
class Skeleton:
    """The events of one path per thread and their rf/co-independent relations (bitmask rows
    over the events, fencelab/models/relations.py)."""

    paths: tuple[ThreadPath, ...]
    events: list[Event]
    po: Rel
    addr: Rel
    data: Rel
    ctrl: Rel
    rmw: Rel
    pick_addr: Rel  # pick-addr-dep (includes addr)
    pick_dep: Rel  # pick-basic-dep from a read to a later access (includes the ordinary deps)
    pick_ctrl: Rel  # pick-ctrl-dep (includes ctrl)
    must_break: list[int]
    n_locations: int
    cache: dict[str, object] = field(default_factory=dict)  # per-model static relations
    mixed: set[int] = field(default_factory=set)  # locations with mixed-size accesses
    # where a read is split into bytes: per event, the events of its access (herd's `si`
    # classes; None: no read is split)
    classes: list[int] | None = None
    n: int = field(init=False)
    R: int = field(init=False)  # herd's names
    W: int = field(init=False)
    M: int = field(init=False)
    same_loc: list[int] = field(init=False)
    same_thread: list[int] = field(init=False)
    po_loc: Rel = field(init=False)

    @classmethod
    def build(cls, program, paths: tuple[ThreadPath, ...]) -> Skeleton:
        """The skeleton of one path per thread. A read of a location with mixed-size accesses
        (`is_mixed`) becomes one event per byte, as in herd's -variant mixed: each byte reads
        from its own write and is fr-before its own later writes, while what orders the
        instruction (dependencies, barriers, po) orders all its bytes; the bytes of one read
        are not po-related (herd's `si`), and `lift` puts them back together for the
        internal axiom. A write stays one event: its bytes are single-copy atomic. Without
        mixed-size accesses event i of a path is event `base + i` of the skeleton."""
        events = [  # event id == location index for initial writes, which cover every byte
            Event(-1, 0, "W", loc.index, loc.size, unsigned(loc.init, 8 * loc.size))
            for loc in program.locations
        ]
        mixed = mixed_locations(program, [[p] for p in paths])
        groups: list[list[int]] = []  # per path, per position: the mask of its events
        split: list[int] = []  # the masks of the reads split into bytes
        for path in paths:
            masks = []
            for e in path.events:
                if e.kind == "R" and e.loc in mixed and e.size > 1:
                    parts = [replace(e, offset=b, size=1, value=e.byte(b))
                             for b in range(e.offset, e.offset + e.size)]  # fmt: skip
                else:
                    parts = [e]
                mask = ((1 << len(parts)) - 1) << len(events)
                if len(parts) > 1:
                    split.append(mask)
                masks.append(mask)
                events.extend(parts)
            groups.append(masks)
        n = len(events)
        po = [0] * n
        local: dict[str, list[tuple[int, int]]] = {name: [] for name in _LOCAL}
        must_break: list[int] = []
        for path, masks in zip(paths, groups):
            later = 0
            for mask in reversed(masks):  # the bytes of one read are not po-related
                for i in bits(mask):
                    po[i] = later
                later |= mask
            for name in _LOCAL:
                local[name].extend((a, b) for x, y in getattr(path, name)
                                   for a in bits(masks[x]) for b in bits(masks[y]))  # fmt: skip
            must_break.extend((masks[i] & -masks[i]).bit_length() - 1 for i in path.must_break)
        rels = [from_pairs(n, local[name]) for name in _LOCAL]
        classes = None
        if split:
            classes = [1 << i for i in range(n)]
            for mask in split:
                for i in bits(mask):
                    classes[i] = mask
        return cls(paths, events, po, *rels, must_break, len(program.locations), mixed=mixed,
                   classes=classes)  # fmt: skip

    def sca(self, r: Rel) -> Rel:
        """`r; sca-class?`: each edge into a byte of a split read also reaches its other
        bytes (herd's single-copy-atomic classes)."""
        if self.classes is None:
            return r
        out = []
        for row in r:
            acc = row
            while row:
                low = row & -row
                acc |= self.classes[low.bit_length() - 1]
                row ^= low
            out.append(acc)
        return out

    def lift(self, r: Rel) -> Rel:
        """`r` between accesses: a split read's byte events as one, its first (herd's `si`
        classes)."""
        if self.classes is None:
            return r
        first = [(c & -c).bit_length() - 1 for c in self.classes]
        out = [0] * self.n
        for a, row in enumerate(r):
            acc = 0
            for b in bits(row):
                acc |= 1 << first[b]
            out[first[a]] |= acc
        return out

    def __post_init__(self) -> None:
        # herd's event sets and the per-event masks the axioms read for every candidate,
        # computed once (plain attributes: `cached_property` takes a lock on every read)
        ev = self.events
        self.n = len(ev)
        self.R = self.ids(lambda e: e.kind == "R")
        self.W = self.ids(lambda e: e.kind == "W")
        self.M = self.R | self.W
        by_loc: dict[int, int] = {}
        by_tid: dict[int, int] = {}
        for i, e in enumerate(ev):
            if e.loc is not None:
                by_loc[e.loc] = by_loc.get(e.loc, 0) | (1 << i)
            by_tid[e.tid] = by_tid.get(e.tid, 0) | (1 << i)
        # per event, the events of its location (none for fences) and of its thread (the
        # initial writes are one 'thread', -1)
        self.same_loc = [by_loc[e.loc] if e.loc is not None else 0 for e in ev]
        self.same_thread = [by_tid[e.tid] for e in ev]
        self.po_loc = [row & loc for row, loc in zip(self.po, self.same_loc)]
        for a, e in enumerate(ev):  # with mixed-size accesses, po-loc relates overlapping ones
            if e.loc in self.mixed:
                self.po_loc[a] = mask_of(b for b in bits(self.po_loc[a]) if e.overlaps(ev[b]))

    def ids(self, pred: Callable[[Event], bool]) -> int:
        """The event set of the events satisfying `pred` (herd's R, W, M, F ...)."""
        return mask_of(i for i, e in enumerate(self.events) if pred(e))

    def writes_to(self, loc: int) -> list[int]:
        return [i for i, e in enumerate(self.events) if e.kind == "W" and e.loc == loc]

    def reads_of(self, loc: int) -> list[int]:
        return [i for i, e in enumerate(self.events) if e.kind == "R" and e.loc == loc]

    def ext(self, r: Rel) -> Rel:
        """`r & ext`: pairs of events of different threads (initial writes are external)."""
        return [row & ~t for row, t in zip(r, self.same_thread)]

    def int_(self, r: Rel) -> Rel:
        """`r & int`: pairs of events of the same thread."""
        return [row & t for row, t in zip(r, self.same_thread)]


_LOCAL = ("addr", "data", "ctrl", "rmw", "pick_addr", "pick_dep", "pick_ctrl")


class Execution:
    """A candidate execution: a skeleton with reads-from and coherence. (Millions are made:
    fr and ca are cached by hand, as `cached_property` takes a lock on every read.)"""

    __slots__ = ("sk", "rf", "co", "_fr", "_ca")

    def __init__(self, sk: Skeleton, rf: Rel, co: Rel, fr: Rel | None = None):
        self.sk = sk
        self.rf = rf
        # transitive: every pair of same-location writes in coherence order (that share a byte)
        self.co = co
        self._fr = fr  # given where a location has mixed-size accesses (see `fr`)
        self._ca: Rel | None = None

    @property
    def fr(self) -> Rel:
        """`fr = rf^-1; co` (cos.cat): a read's row is the co row of the write it read. With
        mixed-size accesses rf, co and fr are per byte (`_mixed_choices` gives fr: a read byte
        is fr-before each write coherence-after the one it read, on that byte)."""
        if self._fr is None:
            fr = [0] * len(self.rf)
            co = self.co
            for w, row in enumerate(self.rf):
                if row:  # most events are no write that is read (a per-location candidate)
                    for r in bits(row):
                        fr[r] |= co[w]
            self._fr = fr
        return self._fr

    @property
    def ca(self) -> Rel:
        """`let ca = fr | co` (cos.cat: coherence-after)."""
        if self._ca is None:
            self._ca = union(self.fr, self.co)
        return self._ca

    def describe(self) -> str:
        """rf and co in words (for failure messages)."""
        ev = self.sk.events
        names = [f"loc{i}" for i in range(self.sk.n_locations)]
        rf = ", ".join(f"{ev[w].label(names)} -rf-> {ev[r].label(names)}"
                       for w, r in pairs(self.rf))  # fmt: skip
        return f"rf: {rf}"


@dataclass(frozen=True)
class LocationChoice:
    """One (rf, co) for a single location, with its coherence-last write and its final value
    (raw bytes): rows over the skeleton's events, each (event, row) pair of a nonempty row;
    `fr` where it has mixed-size accesses (None: rf^-1; co)."""

    rf: tuple[tuple[int, int], ...]
    co: tuple[tuple[int, int], ...]
    last: int
    final: int
    fr: tuple[tuple[int, int], ...] | None = None


def per_location_choices(
    sk: Skeleton, loc: int, ok: Callable[[Execution], bool], every_order: bool = False
) -> list[LocationChoice]:
    """Every (rf, co) of location `loc` that passes `ok` (the model's per-location axioms).
    `every_order`: the coherence orders po-loc contradicts too (`coherence_orders`), for a
    drawing of why an outcome is forbidden (graph/explain.py), whose cycle may be one."""
    writes = sk.writes_to(loc)
    init, others = writes[0], writes[1:]
    reads = sk.reads_of(loc)
    if loc in sk.mixed:
        return _mixed_choices(sk, writes, reads, ok)
    # a dead read (`Event.any_value`) may read any write, but not one po-after it: rf; po-loc
    # would be a cycle, which every model's per-location axiom (`internal`) forbids
    sources = [[w for w in writes if sk.events[r].matches(sk.events[w])
                and not (sk.events[r].any_value and sk.po[r] >> w & 1)] for r in reads]
    if any(not s for s in sources):
        return []
    n = sk.n
    out = []
    # (few choices: the per-location check is cheaper than cutting them)
    coherence = (_Coherence(sk, writes, reads, sources)
                 if math.prod(map(len, sources)) > FEW_CHOICES else None)  # fmt: skip
    for chain in coherence_orders(sk, init, others, every_order):
        co = [0] * n
        later = 0
        for w in reversed(chain):
            co[w] = later
            later |= 1 << w
        co_rows = _sparse(co)
        for choice in coherence.choices(chain) if coherence else itertools.product(*sources):
            rf = [0] * n
            for w, r in zip(choice, reads):
                rf[w] |= 1 << r
            if ok(Execution(sk, rf, co)):
                out.append(LocationChoice(_sparse(rf), co_rows, chain[-1],
                                          sk.events[chain[-1]].value))  # fmt: skip
    return out


FEW_CHOICES = 64  # choices of a location's reads that are left to the check (no `_Coherence`)


class _Coherence:
    """Which of `itertools.product(*sources)` (one write per read of a location, in `reads`'
    order) a coherence order leaves possible (`choices`). Every model's per-location check
    includes herd's `internal` (acyclic po-loc | co | fr | rf), which forbids a read reading a
    write co-before one po-before it (CoWR), co-after or equal to one po-after it (CoRW), or
    co-before what a read po-before it read (CoRR). Those are cut before the check, as each
    read is given its write: a retry loop's k dead reads of one location made 3^k choices, of
    which a few dozen pass."""

    def __init__(self, sk: Skeleton, writes: list[int], reads: list[int],
                 sources: list[list[int]]):  # fmt: skip
        po = sk.po_loc
        self.sources = sources
        self.writes_before = [[w for w in writes if po[w] >> r & 1] for r in reads]
        self.writes_after = [[w for w in writes if po[r] >> w & 1] for r in reads]
        # the reads earlier in `reads` that are po-before / po-after each read
        self.reads_before = [[j for j in range(i) if po[reads[j]] >> r & 1]
                             for i, r in enumerate(reads)]  # fmt: skip
        self.reads_after = [[j for j in range(i) if po[r] >> reads[j] & 1]
                            for i, r in enumerate(reads)]  # fmt: skip
        self.chained = any(self.reads_before) or any(self.reads_after)
        # (no read po-related to another access of the location: every product passes these)
        self.free = not (self.chained or any(self.writes_before) or any(self.writes_after))

    def choices(self, chain: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        """The choices, in product order, that coherence order `chain` leaves possible."""
        if self.free:
            return itertools.product(*self.sources)
        rank = {w: k for k, w in enumerate(chain)}
        allowed = []
        for sources, before, after in zip(self.sources, self.writes_before, self.writes_after):
            if before or after:
                low = max([rank[w] for w in before], default=0)
                high = min([rank[w] - 1 for w in after], default=len(chain))
                sources = [w for w in sources if low <= rank[w] <= high]
            allowed.append(sources)
        if not self.chained:
            return itertools.product(*allowed)
        choice: list[int] = []

        def extend(i: int) -> Iterator[tuple[int, ...]]:
            if i == len(allowed):
                yield tuple(choice)
                return
            low = max((rank[choice[j]] for j in self.reads_before[i]), default=0)
            high = min((rank[choice[j]] for j in self.reads_after[i]), default=len(chain))
            for w in allowed[i]:
                if low <= rank[w] <= high:
                    choice.append(w)
                    yield from extend(i + 1)
                    choice.pop()

        return extend(0)


def _sparse(r: Rel) -> tuple[tuple[int, int], ...]:
    return tuple((i, row) for i, row in enumerate(r) if row)


def _mixed_choices(sk: Skeleton, writes: list[int], reads: list[int],
                   ok: Callable[[Execution], bool]) -> list[LocationChoice]:  # fmt: skip
    """Per-byte rf and co of one location with mixed-size accesses (herd's -variant mixed).
    Its reads are byte events (`Skeleton.build`); a write is one event over its bytes.

    Coherence: one order of the writes, each byte ordered as its writes are (byte orders with
    no common extension make a cycle between accesses, which the internal axiom refuses); `co`
    relates the writes that share a byte. Reads-from: each read byte from a write covering it
    with that byte's value; `fr` from it to the writes after that one that cover the byte.

    Choices `ok` must refuse are not made: every model's per-location check includes herd's
    `internal` (acyclic po-loc | ca | rf, po-loc relating overlapping accesses), so no order
    puts a write co-before an overlapping one po-before it (`coherence_orders`), and no read
    reads a write po-after it (CoRW1), nor one co-after or equal to a write po-after it (CoRW2),
    nor one that a write po-before it overwrites on its bytes (CoWR): each closes a cycle of
    two or three edges. Only the candidates the check would refuse are left out; the others
    come in the same order."""
    ev = sk.events
    n = sk.n
    # (`axiomatic-coherence-po` off: an empty po-loc here, every order and source tried)
    po_loc = sk.po_loc if reduce.enabled("axiomatic-coherence-po") else [0] * n
    init, others = writes[0], writes[1:]
    segments = []  # (read, its bytes, the writes that may give them)
    for r in reads:
        span = range(ev[r].offset, ev[r].offset + ev[r].size)
        sources = [w for w in writes if not po_loc[r] >> w & 1  # CoRW1
                   and all(ev[w].covers(b) and ev[w].byte(b) == ev[r].byte(b) for b in span)]
        if not sources:
            return []
        segments.append((r, span, sources))
    # per read, the overlapping writes po-before and po-after it
    po_before = [mask_of(w for w in writes if po_loc[w] >> r & 1) for r, _, _ in segments]
    po_after = [po_loc[r] & mask_of(writes) for r, _, _ in segments]
    # per read, the writes that cover one of its bytes
    on_span = [mask_of(v for v in writes if any(ev[v].covers(b) for b in span))
               for _, span, _ in segments]
    out = []
    size = ev[init].size
    orders = set()  # writes that share no byte are not ordered: two orders may be one co
    for chain in coherence_orders(sk, init, others):
        co = [0] * n
        for k, a in enumerate(chain):
            co[a] = mask_of(b for b in chain[k + 1:] if ev[a].overlaps(ev[b]))
        co_rows = _sparse(co)
        if co_rows in orders:
            continue  # herd counts each coherence order once
        orders.add(co_rows)
        final = 0
        for byte in range(size):
            last = next(w for w in reversed(chain) if ev[w].covers(byte))
            final |= ev[last].byte(byte) << (8 * byte)
        co_into = {w: mask_of(a for a in chain if co[a] >> w & 1) | 1 << w for w in chain}
        later = {w: mask_of(chain[k + 1:]) for k, w in enumerate(chain)}
        options = []  # per read: (write, the read's fr row if it reads that write)
        for i, (_, _, sources) in enumerate(segments):
            options.append([(w, fr) for w in sources
                            if not (fr := later[w] & on_span[i]) & po_before[i]  # CoWR
                            and not co_into[w] & po_after[i]])  # CoRW2  # fmt: skip
            if not options[-1]:
                break
        else:
            for choice in itertools.product(*options):
                rf = [0] * n
                fr = [0] * n
                for (w, row), (r, _, _) in zip(choice, segments):
                    rf[w] |= 1 << r
                    fr[r] = row
                if ok(Execution(sk, rf, co, fr)):
                    out.append(LocationChoice(_sparse(rf), co_rows, chain[-1], final,
                                              _sparse(fr)))  # fmt: skip
    return out


def coherence_orders(sk: Skeleton, init: int, others: list[int],
                     every: bool = False) -> Iterator[tuple[int, ...]]:  # fmt: skip
    """The coherence orders of a location's writes (`init` first) that po-loc leaves
    possible, in `itertools.permutations`' order: a write after every overlapping write
    po-before it (`Skeleton.po_loc`). The orders cut (CoWW) make po-loc | co cyclic, which
    every model's per-location check (`internal`) refuses. `every`: all of them."""
    po_loc = sk.po_loc
    before = [mask_of(v for v in others if po_loc[v] >> w & 1) for w in others]
    if every or not any(before) or not reduce.enabled("axiomatic-coherence-po"):
        for order in itertools.permutations(others):
            yield (init, *order)
        return
    chain = [init]

    def extend(placed: int, rest: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        if not rest:
            yield tuple(chain)
            return
        for k, i in enumerate(rest):
            if before[i] & ~placed:
                continue
            chain.append(others[i])
            yield from extend(placed | 1 << others[i], rest[:k] + rest[k + 1:])
            chain.pop()

    yield from extend(0, tuple(range(len(others))))


def combine(n: int, choices: tuple[LocationChoice, ...]) -> tuple[Rel, Rel, Rel | None]:
    """The rf, co and (where a location has mixed-size accesses, else None: rf^-1; co) fr of
    one choice per location, over a skeleton of `n` events."""
    rf = [0] * n
    co = [0] * n
    for c in choices:
        for i, row in c.rf:
            rf[i] |= row
        for i, row in c.co:
            co[i] |= row
    if all(c.fr is None for c in choices):
        return rf, co, None
    fr = [0] * n
    for c in choices:
        if c.fr is not None:
            for i, row in c.fr:
                fr[i] |= row
        else:
            for w, row in c.rf:
                for r in bits(row):
                    fr[r] |= co[w]
    return rf, co, fr


_SIZES = (1, 2, 4, 8, 16)  # 16: an atomic pair of X registers


def _provides(path: ThreadPath, bytewise: set[int]) -> frozenset[tuple]:
    """(location, size, value) a read of any size would see from the path's writes; and for
    a location in `bytewise`, (location, "byte", offset, value) of each byte."""
    writes = [e for e in path.events if e.kind == "W"]
    return frozenset([(e.loc, size, unsigned(e.value, 8 * size))
                      for e in writes for size in _SIZES]
                     + [(e.loc, "byte", b, e.byte(b)) for e in writes if e.loc in bytewise
                        for b in range(e.offset, e.offset + e.size)])  # fmt: skip


def _needs(path: ThreadPath, init: frozenset, mixed: set[int],
           bytewise: set[int]) -> frozenset[tuple]:  # fmt: skip
    """What the path's reads need that neither the initial value nor its own writes explain:
    (location, size, value); for a location with mixed-size accesses, whose reads may merge
    the bytes of several writes, no one write need explain a read, but each byte is read from
    one write that covers it, with that value: (location, "byte", offset, value) of each byte,
    where the location is in `bytewise`. A dead read (`Event.any_value`) reads whatever is
    written: it needs nothing."""
    reads = [e for e in path.events if e.kind == "R" and not e.any_value]
    needs = {(e.loc, e.size, unsigned(e.value, 8 * e.size)) for e in reads if e.loc not in mixed}
    needs.update((e.loc, "byte", b, e.byte(b)) for e in reads if e.loc in bytewise
                 for b in range(e.offset, e.offset + e.size))  # fmt: skip
    return frozenset(needs - init - _provides(path, bytewise))


def path_combinations(program, paths: list[list[ThreadPath]]) -> Iterator[tuple[ThreadPath, ...]]:
    """One path per thread, only where every read value (every byte's, where sizes mix) is
    written by some chosen path or is the initial value: rf could not match the others
    (fencelab/models/combinations.py)."""
    init = frozenset([(loc.index, size, unsigned(loc.init, 8 * size))
                      for loc in program.locations for size in _SIZES]
                     + [(loc.index, "byte", b, get_bytes(unsigned(loc.init, 8 * loc.size), b, 1))
                        for loc in program.locations for b in range(loc.size)])  # fmt: skip
    mixed = mixed_locations(program, paths)
    bytewise = mixed if reduce.enabled("axiomatic-byte-values") else set()
    return feasible_combinations(
        paths, lambda path: (_needs(path, init, mixed, bytewise), _provides(path, bytewise)))


def array_spans(program, paths: list[list[ThreadPath]]) -> dict[str, set[tuple[int, int]]]:
    """Per array held whole (`Program.whole_arrays`), the (byte offset, size) of every access
    to it over every path."""
    arrays = {loc.index: loc.name for loc in program.locations if program.test.array(loc.name)}
    out: dict[str, set[tuple[int, int]]] = {name: set() for name in arrays.values()}
    for tp in paths:
        for p in tp:
            for e in p.events:
                if e.kind in "RW" and e.loc in arrays:
                    out[arrays[e.loc]].add((e.offset, e.size))
    return out


def skeletons(program, paths: list[list[ThreadPath]]) -> Iterator[Skeleton]:
    for combo in path_combinations(program, paths):
        yield Skeleton.build(program, combo)
