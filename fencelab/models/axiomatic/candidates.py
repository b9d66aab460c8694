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
(fencelab/models/combinations.py). The source engine (fencelab/models/source/rc11.py) builds
its per-location orders differently on purpose: RC11's coherence is fixed by the language, so it
builds only the coherent modification orders, while a hardware model's per-location axioms are
whatever the model says (`ok` below), so every order is tried and the model filters.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property

from fencelab.models.axiomatic.events import Event, ThreadPath
from fencelab.models.axiomatic.relations import Rel, inverse, seq
from fencelab.models.combinations import feasible_combinations
from fencelab.values import unsigned


@dataclass
class Skeleton:
    """The events of one path per thread and their rf/co-independent relations."""

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
    instance: list[int] | None = None  # where a read is split into bytes: event -> its access

    @classmethod
    def build(cls, program, paths: tuple[ThreadPath, ...]) -> Skeleton:
        """The skeleton of one path per thread. A read of a location with mixed-size accesses
        (`is_mixed`) becomes one event per byte, as in herd's -variant mixed: each byte reads
        from its own write and is fr-before its own later writes, while what orders the
        instruction (dependencies, barriers, po) orders all its bytes; the bytes of one read
        are not po-related (herd's `si`), and `lift` puts them back together for the
        internal axiom. A write stays one event: its bytes are single-copy atomic."""
        events = [  # event id == location index for initial writes, which cover every byte
            Event(-1, 0, "W", loc.index, loc.size, unsigned(loc.init, 8 * loc.size))
            for loc in program.locations
        ]
        mixed = mixed_locations(program, [[p] for p in paths])
        po: Rel = set()
        addr: Rel = set()
        data: Rel = set()
        ctrl: Rel = set()
        rmw: Rel = set()
        pick_addr: Rel = set()
        pick_dep: Rel = set()
        pick_ctrl: Rel = set()
        must_break: list[int] = []
        instance = list(range(len(events)))  # event -> the first event of its instruction's access
        for path in paths:
            ids: list[list[int]] = []  # position in the path -> its events
            for e in path.events:
                if e.kind == "R" and e.loc in mixed and e.size > 1:
                    parts = [replace(e, offset=b, size=1, value=e.byte(b))
                             for b in range(e.offset, e.offset + e.size)]  # fmt: skip
                else:
                    parts = [e]
                first = len(events)
                ids.append(list(range(first, first + len(parts))))
                events.extend(parts)
                instance.extend([first] * len(parts))
            flat = [i for group in ids for i in group]
            po.update((a, b) for a in flat for b in flat if a < b and instance[a] != instance[b])
            for rel, local in ((addr, path.addr), (data, path.data), (ctrl, path.ctrl),
                               (rmw, path.rmw), (pick_addr, path.pick_addr),
                               (pick_dep, path.pick_dep), (pick_ctrl, path.pick_ctrl)):  # fmt: skip
                rel.update((a2, b2) for a, b in local for a2 in ids[a] for b2 in ids[b])
            must_break.extend(ids[i][0] for i in path.must_break)
        sk = cls(paths, events, po, addr, data, ctrl, rmw, pick_addr, pick_dep, pick_ctrl,
                 must_break, len(program.locations), mixed=mixed)  # fmt: skip
        if len(events) != len(set(instance)):
            sk.instance = instance
        return sk

    def sca(self, r: Rel) -> Rel:
        """`r; sca-class?`: each edge into a byte of a split read also reaches its other
        bytes (herd's single-copy-atomic classes)."""
        if self.instance is None:
            return r
        inst = self.instance
        members: dict[int, list[int]] = {}
        for e, i in enumerate(inst):
            members.setdefault(i, []).append(e)
        return {(a, c) for a, b in r for c in members[inst[b]]}

    def lift(self, r: Rel) -> Rel:
        """`r` between accesses: a split read's byte events as one (herd's `si` classes)."""
        if self.instance is None:
            return r
        inst = self.instance
        return {(inst[a], inst[b]) for a, b in r}

    # -- event sets (herd's R, W, M, F ...) --------------------------------------------------
    def ids(self, pred: Callable[[Event], bool]) -> set[int]:
        return {i for i, e in enumerate(self.events) if pred(e)}

    @cached_property
    def R(self) -> set[int]:  # noqa: N802 - herd's names
        return self.ids(lambda e: e.kind == "R")

    @cached_property
    def W(self) -> set[int]:  # noqa: N802
        return self.ids(lambda e: e.kind == "W")

    @cached_property
    def M(self) -> set[int]:  # noqa: N802
        return self.R | self.W

    @cached_property
    def po_loc(self) -> Rel:
        ev = self.events
        return {(a, b) for a, b in self.po
                if ev[a].loc is not None and ev[a].loc == ev[b].loc and ev[a].overlaps(ev[b])}

    def writes_to(self, loc: int) -> list[int]:
        return [i for i, e in enumerate(self.events) if e.kind == "W" and e.loc == loc]

    def reads_of(self, loc: int) -> list[int]:
        return [i for i, e in enumerate(self.events) if e.kind == "R" and e.loc == loc]

    def ext(self, r: Rel) -> Rel:
        """`r & ext`: pairs of events of different threads (initial writes are external)."""
        ev = self.events
        return {(a, b) for a, b in r if ev[a].tid != ev[b].tid}

    def int_(self, r: Rel) -> Rel:
        """`r & int`: pairs of events of the same thread."""
        ev = self.events
        return {(a, b) for a, b in r if ev[a].tid == ev[b].tid}


@dataclass
class Execution:
    """A candidate execution: a skeleton with reads-from and coherence."""

    sk: Skeleton
    rf: Rel
    co: Rel  # every pair of same-location writes in coherence order (that share a byte)
    byte_fr: Rel | None = None  # fr where a location has mixed-size accesses (see below)

    @cached_property
    def fr(self) -> Rel:
        """`fr = rf^-1; co` (cos.cat). With mixed-size accesses rf, co and fr are per byte,
        lifted to the accesses (herd's byte events, one access's bytes related by `si`): a read
        is fr-before each write coherence-after the one it read a byte from, on that byte."""
        if self.byte_fr is not None:
            return self.byte_fr
        return seq(inverse(self.rf), self.co)

    @cached_property
    def ca(self) -> Rel:
        """`let ca = fr | co` (cos.cat: coherence-after)."""
        return self.fr | self.co

    def describe(self) -> str:
        """rf and co in words (for failure messages)."""
        ev = self.sk.events
        names = [f"loc{i}" for i in range(self.sk.n_locations)]
        rf = ", ".join(f"{ev[w].label(names)} -rf-> {ev[r].label(names)}" for w, r in self.rf)
        return f"rf: {rf}"


@dataclass(frozen=True)
class LocationChoice:
    """One (rf, co) for a single location, with its coherence-last write and its final value
    (raw bytes); `fr` where it has mixed-size accesses (None: rf^-1; co)."""

    rf: frozenset[tuple[int, int]]
    co: frozenset[tuple[int, int]]
    last: int
    final: int
    fr: frozenset[tuple[int, int]] | None = None


def per_location_choices(
    sk: Skeleton, loc: int, ok: Callable[[Execution], bool]
) -> list[LocationChoice]:
    """Every (rf, co) of location `loc` that passes `ok` (the model's per-location axioms)."""
    writes = sk.writes_to(loc)
    init, others = writes[0], writes[1:]
    reads = sk.reads_of(loc)
    if loc in sk.mixed:
        return _mixed_choices(sk, writes, reads, ok)
    sources = [[w for w in writes if sk.events[r].matches(sk.events[w])] for r in reads]
    if any(not s for s in sources):
        return []
    out = []
    for order in itertools.permutations(others):
        chain = (init, *order)
        co = frozenset((chain[i], chain[j]) for i in range(len(chain))
                       for j in range(i + 1, len(chain)))  # fmt: skip
        for choice in itertools.product(*sources):
            rf = frozenset(zip(choice, reads))
            if ok(Execution(sk, set(rf), set(co))):
                out.append(LocationChoice(rf, co, chain[-1], sk.events[chain[-1]].value))
    return out


def is_mixed(program, loc: int, spans: set[tuple[int, int]]) -> bool:
    """Do accesses of these (offset, size) spans to location `loc` need per-byte rf and co:
    two spans, one at an offset, or a narrow write that leaves initial bytes showing
    (`Program.keeps_initial_bytes`: its value alone is not the location's)?"""
    if len(spans) > 1 or any(offset for offset, _ in spans):
        return True
    return any(program.keeps_initial_bytes(program.locations[loc], size) for _, size in spans)


def _mixed_choices(sk: Skeleton, writes: list[int], reads: list[int],
                   ok: Callable[[Execution], bool]) -> list[LocationChoice]:  # fmt: skip
    """Per-byte rf and co of one location with mixed-size accesses (herd's -variant mixed).
    Its reads are byte events (`Skeleton.build`); a write is one event over its bytes.

    Coherence: one order of the writes, each byte ordered as its writes are (byte orders with
    no common extension make a cycle between accesses, which the internal axiom refuses); `co`
    relates the writes that share a byte. Reads-from: each read byte from a write covering it
    with that byte's value; `fr` from it to the writes after that one that cover the byte."""
    ev = sk.events
    init, others = writes[0], writes[1:]
    segments = []  # (read, its bytes, the writes that may give them)
    for r in reads:
        span = range(ev[r].offset, ev[r].offset + ev[r].size)
        sources = [w for w in writes if all(ev[w].covers(b) and ev[w].byte(b) == ev[r].byte(b)
                                            for b in span)]  # fmt: skip
        if not sources:
            return []
        segments.append((r, span, sources))
    out = []
    size = ev[init].size
    for order in itertools.permutations(others):
        chain = (init, *order)
        rank = {w: i for i, w in enumerate(chain)}
        co = frozenset((a, b) for a in chain for b in chain
                       if rank[a] < rank[b] and ev[a].overlaps(ev[b]))  # fmt: skip
        final = 0
        for byte in range(size):
            last = max((w for w in chain if ev[w].covers(byte)), key=rank.__getitem__)
            final |= ev[last].byte(byte) << (8 * byte)
        for choice in itertools.product(*(sources for _, _, sources in segments)):
            rf = frozenset((w, r) for w, (r, _, _) in zip(choice, segments))
            fr = frozenset((r, later) for w, (r, span, _) in zip(choice, segments)
                           for later in chain[rank[w] + 1:]
                           if any(ev[later].covers(b) for b in span))  # fmt: skip
            if ok(Execution(sk, set(rf), set(co), set(fr))):
                out.append(LocationChoice(rf, co, chain[-1], final, fr))
    return out


def combine(choices: tuple[LocationChoice, ...]) -> tuple[Rel, Rel, Rel | None]:
    """rf, co and (where a location has mixed-size accesses, else None) fr of the choices."""
    rf: Rel = set()
    co: Rel = set()
    for c in choices:
        rf |= c.rf
        co |= c.co
    if all(c.fr is None for c in choices):
        return rf, co, None
    fr: Rel = set()
    for c in choices:
        fr |= c.fr if c.fr is not None else seq(inverse(set(c.rf)), set(c.co))
    return rf, co, fr


_SIZES = (1, 2, 4, 8)


def _provides(path: ThreadPath) -> frozenset[tuple[int, int, int]]:
    """(location, size, value) a read of any size would see from the path's writes."""
    return frozenset((e.loc, size, unsigned(e.value, 8 * size))
                     for e in path.events if e.kind == "W" for size in _SIZES)  # fmt: skip


def _needs(path: ThreadPath, init: frozenset, mixed: set[int]) -> frozenset[tuple[int, int, int]]:
    """(location, size, value) of every read that neither the initial value nor the path's
    own writes explain (a read of a location with mixed-size accesses may merge the bytes of
    several writes: no one write need explain it)."""
    reads = {(e.loc, e.size, unsigned(e.value, 8 * e.size))
             for e in path.events if e.kind == "R" and e.loc not in mixed}  # fmt: skip
    return frozenset(reads - init - _provides(path))


def path_combinations(program, paths: list[list[ThreadPath]]) -> Iterator[tuple[ThreadPath, ...]]:
    """One path per thread, only where every read value is written by some chosen path (or is
    the initial value) — rf could not match the others (fencelab/models/combinations.py)."""
    init = frozenset((loc.index, size, unsigned(loc.init, 8 * size))
                     for loc in program.locations for size in _SIZES)  # fmt: skip
    mixed = mixed_locations(program, paths)
    return feasible_combinations(paths, lambda path: (_needs(path, init, mixed), _provides(path)))


def mixed_locations(program, paths: list[list[ThreadPath]]) -> set[int]:
    """The locations whose accesses, over every path, need per-byte rf and co (`is_mixed`)."""
    spans: dict[int, set[tuple[int, int]]] = {loc.index: set() for loc in program.locations}
    for tp in paths:
        for p in tp:
            for e in p.events:
                if e.kind in "RW":
                    spans[e.loc].add((e.offset, e.size))
    return {loc for loc, found in spans.items() if is_mixed(program, loc, found)}


def skeletons(program, paths: list[list[ThreadPath]]) -> Iterator[Skeleton]:
    for combo in path_combinations(program, paths):
        yield Skeleton.build(program, combo)
