"""What one core's solo runs see of the ARMv7 storage: the projection behind `armv7-certify-share`.

While cores commit ahead (model.py's first phase), the storage holds commits only (no `Gp`)
and each core's state is its commits made ahead (its views all initial). A core's solo runs
(certify.py) then depend on the storage only through the writes of the locations it reads
(R) — which it may read, their coherence order, their positions, whether each is its own,
their values — and through its own writes (their positions and their coherence order among
its own). Other cores' writes to locations it never reads enter none of these, except through
a barrier that inserts propagations (which go after the writes coherence-before the core's
own): cores with one that may insert (apart.py's `may_insert`) are never projected. Times are
only compared with each other. So the projection for core T keeps T's writes and every write
to a location of R, renumbered 1, 2, ... in timeline order, other cores' ids blotted out, T's
commits made ahead renumbered alike; storages with the same projection give T the same solo
runs. R is found as the program runs (arm/project.py's way): a run on a projection that reads
outside R adds the location and is redone.
"""

from __future__ import annotations

from fencelab.models.operational.armv7.apart import may_insert
from fencelab.models.operational.armv7.local import Local
from fencelab.models.operational.armv7.storage import Msg, Storage

OTHER = -1  # the core id of another core's write, in a projection


class Projector:
    def __init__(self, program, barriers: bool = False, gaps: bool = False,
                 written: bool = False):  # fmt: skip
        n = len(program.threads)
        self.reads: list[frozenset[int]] = [frozenset()] * n
        self.writes: list[frozenset[int]] = [frozenset()] * n  # W, for cores with barriers
        self.initial = Local.initial(len(program.locations))
        self.barriers = [may_insert(program, t) for t in range(n)]
        self.usable = [barriers or not b for b in self.barriers]
        # `armv7-solo-gaps` (`projection`): for cores without loops or barriers that insert
        self.gaps = [gaps and not b and not program.has_loop(t) for t, b in enumerate(self.barriers)]
        # `armv7-certify-written` (`projection`): for cores without loops with barriers that
        # insert propagations
        self.written = [written and b and not program.has_loop(t)
                        for t, b in enumerate(self.barriers)]  # fmt: skip
        self._memo: dict = {}
        # `locations`, kept up to date: one frozenset (its hash computed once) a core, not a
        # union made at every projection
        self._locations: list[frozenset[int]] = [frozenset()] * n
        self._others: dict[tuple, Msg] = {}  # (location, value, size) -> another core's write

    def saw_read(self, tid: int, loc: int) -> bool:
        if loc in self.reads[tid]:
            return False
        self.reads[tid] = self.reads[tid] | {loc}
        self._locations[tid] = self.reads[tid] | self.writes[tid]
        return True

    def saw_write(self, tid: int, loc: int) -> bool:
        """A write of core `tid` to `loc`: is it new to W (for a core with barriers)?"""
        if not self.barriers[tid] or loc in self.writes[tid]:
            return False
        self.writes[tid] = self.writes[tid] | {loc}
        self._locations[tid] = self.reads[tid] | self.writes[tid]
        return True

    def locations(self, tid: int) -> frozenset[int]:
        """R, and W for a core with barriers: the locations whose writes the projection keeps."""
        return self._locations[tid]

    def watched(self, tid: int) -> frozenset[int]:
        """The locations whose reads the solo search may make without projecting again
        (`ThreadContext.watch`: a read elsewhere raises `UnseenRead`): R and W, or R alone
        where `armv7-certify-written` leaves writes of W out (a read there must see them)."""
        return self.reads[tid] if self.written[tid] else self._locations[tid]

    def applies(self, tid: int, local: Local, st: Storage) -> bool:
        initial = self.initial  # all but `promises` (field 4) as a core starts
        return (self.usable[tid] and local[:4] == initial[:4] and local[5:] == initial[5:]
                and st.gp_count() == 0)  # fmt: skip

    def projection(self, tid: int, st: Storage, local: Local) -> tuple[Storage, Local, list[int]]:
        """(projected storage, projected local, real position of each projected one).

        `armv7-solo-gaps`, for a core without loops and without barriers that insert
        propagations (apart.py's `may_insert`): other cores' writes between two of its
        commits made ahead (a gap) are put in one order, by location and coherence. Such a
        core's solo runs compare times (positions, and maxima of them) only with its own
        commits' positions (a write fulfils a commit only above its floor) and with its fresh
        commits' (past the end of the timeline); no `Gp` is on the timeline (`applies`) and
        none is inserted (a trailing barrier's go after its last access, where nothing reads
        them), so no read is ever stale, and no loop compares two states' views. Reordering
        others' writes within a gap keeps every such comparison, every coherence order and
        every value: the solo runs are the same moves, found in the same order, with the
        same answers (the core's own positions do not move)."""
        reads = self.locations(tid)
        written = self.written[tid]
        key = (tid, reads, self.reads[tid], st) if written else (tid, reads, st)
        found = self._memo.get(key)
        if found is None:
            # no `Gp` on the timeline (`applies`): every entry is a write
            kept = [(pos, msg) for pos, msg in enumerate(st.timeline, 1)
                    if msg.tid == tid or msg.loc in reads]  # fmt: skip
            if written:
                kept = _below_own(kept, st, tid, self.reads[tid])
            if self.gaps[tid]:
                kept = _by_gaps(kept, st, tid)
            real = [0]
            new = {0: 0}
            timeline = []
            others = self._others
            for pos, msg in kept:
                new[pos] = len(real)
                real.append(pos)
                if msg.tid != tid:
                    other = others.get(msg[:3])
                    if other is None:
                        other = others[msg[:3]] = Msg(msg.loc, msg.value, msg.size, OTHER)
                    msg = other
                timeline.append(msg)
            co = tuple([tuple([new[p] for p in chain if p in new]) for chain in st.co])
            found = self._memo[key] = (Storage(tuple(timeline), co), new, real)
        seen, new, real = found
        return seen, local.with_promises(tuple([new[p] for p in local.promises])), real


def _by_gaps(kept: list, st: Storage, tid: int) -> list:
    """`kept` (position, Msg) in timeline order, the other cores' writes between two of core
    `tid`'s (its commits made ahead: `applies`) sorted by location and coherence rank."""
    out: list = []
    gap: list = []
    for pos, msg in kept:
        if msg.tid == tid:
            out += sorted(gap, key=lambda e: (e[1].loc, st.rank(e[0])))
            out.append((pos, msg))
            gap = []
        else:
            gap.append((pos, msg))
    return out + sorted(gap, key=lambda e: (e[1].loc, st.rank(e[0])))


def _below_own(kept: list, st: Storage, tid: int, reads: frozenset[int]) -> list:
    """`armv7-certify-written`: `kept` (position, Msg) without the other cores' writes to a
    location core `tid` does not read (not in `reads`) that are coherence-after every write of
    its own there (all of them, where it has none).

    Why its solo runs are the same (a core without loops, with barriers that insert
    propagations; while cores commit ahead, its state is its commits made ahead): another
    core's write w of a location x the core never reads enters its runs only through the
    earliest place of a propagation of one of its own writes of x (`Storage.gp_floor`: after
    every write coherence-before or equal to it). Its writes of x are its commits made ahead
    (w is coherence-after all of them) and the writes it executes alone: a fresh commit goes
    just above its coherence floor, at most one place above its highest write of x, so below
    w (and `first_free_rank` counts only writes that reached every core: its own, alone); so
    w is coherence-before none of them. Its propagations need none of w's (its group A holds
    its own writes and what it read, never w), `write_slots` compares its own commits, no
    read of x is made (a read of x is watched, `watched`: it raises `UnseenRead`, x joins R
    and the projection is made again with every write of x), and leaving w out of the
    timeline keeps the order of every other position, which is all runs compare. So the same
    moves are found, in the same order, with the same answers; `real` maps its positions
    back."""
    tops: dict[int, int] = {}
    for pos, msg in kept:
        if msg.tid == tid and msg.loc not in reads:
            rank = st.rank(pos)
            if rank > tops.get(msg.loc, 0):
                tops[msg.loc] = rank
    return [(pos, msg) for pos, msg in kept
            if msg.tid == tid or msg.loc in reads or st.rank(pos) < tops.get(msg.loc, 0)]
