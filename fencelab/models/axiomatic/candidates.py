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
from dataclasses import dataclass, field
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

    @classmethod
    def build(cls, program, paths: tuple[ThreadPath, ...]) -> Skeleton:
        events = [
            Event(-1, 0, "W", loc.index, 8, loc.init) for loc in program.locations
        ]  # event id == location index for initial writes
        po: Rel = set()
        addr: Rel = set()
        data: Rel = set()
        ctrl: Rel = set()
        rmw: Rel = set()
        pick_addr: Rel = set()
        pick_dep: Rel = set()
        pick_ctrl: Rel = set()
        must_break: list[int] = []
        for path in paths:
            base = len(events)
            events.extend(path.events)
            ids = range(base, base + len(path.events))
            po.update((a, b) for a in ids for b in ids if a < b)
            for rel, local in ((addr, path.addr), (data, path.data), (ctrl, path.ctrl),
                               (rmw, path.rmw), (pick_addr, path.pick_addr),
                               (pick_dep, path.pick_dep), (pick_ctrl, path.pick_ctrl)):  # fmt: skip
                rel.update((base + a, base + b) for a, b in local)
            must_break.extend(base + i for i in path.must_break)
        return cls(paths, events, po, addr, data, ctrl, rmw, pick_addr, pick_dep, pick_ctrl,
                   must_break, len(program.locations))  # fmt: skip

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
        return {(a, b) for a, b in self.po if ev[a].loc is not None and ev[a].loc == ev[b].loc}

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
    co: Rel  # transitive: every pair of same-location writes in coherence order

    @cached_property
    def fr(self) -> Rel:
        """`fr = rf^-1; co` (cos.cat)."""
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
    """One (rf, co) for a single location, with its coherence-last write."""

    rf: frozenset[tuple[int, int]]
    co: frozenset[tuple[int, int]]
    last: int


def per_location_choices(
    sk: Skeleton, loc: int, ok: Callable[[Execution], bool]
) -> list[LocationChoice]:
    """Every (rf, co) of location `loc` that passes `ok` (the model's per-location axioms)."""
    writes = sk.writes_to(loc)
    init, others = writes[0], writes[1:]
    reads = sk.reads_of(loc)
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
                out.append(LocationChoice(rf, co, chain[-1]))
    return out


def combine(choices: tuple[LocationChoice, ...]) -> tuple[Rel, Rel]:
    rf: Rel = set()
    co: Rel = set()
    for c in choices:
        rf |= c.rf
        co |= c.co
    return rf, co


_SIZES = (1, 2, 4, 8, 16)  # 16: an atomic pair of X registers


def _provides(path: ThreadPath) -> frozenset[tuple[int, int, int]]:
    """(location, size, value) a read of any size would see from the path's writes."""
    return frozenset((e.loc, size, unsigned(e.value, 8 * size))
                     for e in path.events if e.kind == "W" for size in _SIZES)  # fmt: skip


def _needs(path: ThreadPath, init: frozenset) -> frozenset[tuple[int, int, int]]:
    """(location, size, value) of every read that neither the initial value nor the path's
    own writes explain."""
    reads = {(e.loc, e.size, unsigned(e.value, 8 * e.size))
             for e in path.events if e.kind == "R"}  # fmt: skip
    return frozenset(reads - init - _provides(path))


def path_combinations(program, paths: list[list[ThreadPath]]) -> Iterator[tuple[ThreadPath, ...]]:
    """One path per thread, only where every read value is written by some chosen path (or is
    the initial value) — rf could not match the others (fencelab/models/combinations.py)."""
    init = frozenset((loc.index, size, unsigned(loc.init, 8 * size))
                     for loc in program.locations for size in _SIZES)  # fmt: skip

    return feasible_combinations(paths, lambda path: (_needs(path, init), _provides(path)))


def skeletons(program, paths: list[list[ThreadPath]]) -> Iterator[Skeleton]:
    for combo in path_combinations(program, paths):
        yield Skeleton.build(program, combo)
