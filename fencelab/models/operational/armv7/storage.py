"""The ARMv7 storage subsystem: a timeline of commits and global propagations, and coherence.

- The timeline is the global order of storage events, each at a position (index + 1; position
  0 is the initial state; a time `t` means "after the entry at `t`"). Two kinds: `Msg`, a write
  committed to the storage subsystem (from then on other cores may read it), and `Gp`, the
  moment a committed write has reached every core (ARM's "observed by all observers"). A write
  reaches the cores that read it lazily, one by one, when they read it; `Gp` is when the last
  one is guaranteed. A `Gp` is inserted where a barrier needs it, possibly before entries
  already there (`insert_gp`): positions and times from there on move up by one.
- Coherence (`co`) is a separate order per location, not the timeline's: a committed write is
  inserted anywhere after the coherence-last write that has reached every core. Writes that
  have reached only some cores may still be ordered either way — the non-multicopy-atomic
  freedom (a write committed later may be coherence-before one another core already read).

Initial writes are position 0, coherence-first, and have reached every core at position 0.
"""

from __future__ import annotations

from typing import NamedTuple


class Msg(NamedTuple):
    """A committed write."""

    loc: int
    value: int
    size: int
    tid: int


class Gp(NamedTuple):
    """The write committed at timeline position `pos` has reached every core."""

    pos: int


class Storage:
    """The timeline and coherence; immutable, hashable, with its lookups precomputed."""

    __slots__ = ("timeline", "co", "end", "_gp", "_rank", "_hash")

    def __init__(self, timeline: tuple[Msg | Gp, ...], co: tuple[tuple[int, ...], ...],
                 _lookups: tuple[dict, dict] | None = None):  # fmt: skip
        self.timeline = timeline
        self.co = co  # per location: write positions in coherence order (0 first)
        self.end = len(timeline)  # the last position
        if _lookups is not None:  # `commit`: the lookups of the storage it grew, updated
            self._gp, self._rank = _lookups
        else:
            self._gp = {e.pos: i + 1 for i, e in enumerate(timeline) if isinstance(e, Gp)}
            self._gp[0] = 0
            self._rank = {pos: r for chain in co for r, pos in enumerate(chain)}
        self._hash = hash((timeline, co))

    def __eq__(self, other) -> bool:
        return (isinstance(other, Storage) and self._hash == other._hash
                and self.timeline == other.timeline and self.co == other.co)  # fmt: skip

    def __hash__(self) -> int:
        return self._hash

    @classmethod
    def initial(cls, n_locations: int) -> Storage:
        return cls((), tuple((0,) for _ in range(n_locations)))

    def msg(self, pos: int) -> Msg:
        return self.timeline[pos - 1]  # type: ignore[return-value]

    def gp(self, pos: int) -> int | None:
        """Where the write at `pos` reached every core (None: not yet; 0 for initial writes)."""
        return self._gp.get(pos)

    def gp_count(self) -> int:
        """How many writes have reached every core on the timeline (`Gp` entries)."""
        return len(self._gp) - 1

    def rank(self, pos: int) -> int:
        """The write's index in its location's coherence order (initial write: 0)."""
        return self._rank[pos]

    def passed(self, floors: tuple[int, ...], positions: tuple[int, ...]) -> bool:
        """Is some write at `positions` coherence-before or at its location's floor in
        `floors` (per location, a write position)? (`thread.promise_lost`: a loop, as this
        runs before every move.)"""
        rank, timeline = self._rank, self.timeline
        for pos in positions:  # noqa: SIM110 - a loop, not any() over a generator (hot)
            if rank[floors[timeline[pos - 1].loc]] >= rank[pos]:
                return True
        return False

    def tid(self, pos: int) -> int:
        """The core that wrote it (-1: the initial write)."""
        return self.timeline[pos - 1].tid if pos else -1  # type: ignore[union-attr]

    def messages(self):
        """(position, Msg) of every committed write."""
        return ((i + 1, e) for i, e in enumerate(self.timeline) if isinstance(e, Msg))

    def first_free_rank(self, loc: int) -> int:
        """The lowest coherence index a write committed now may take: after every write that
        has reached every core (the initial write included)."""
        if len(self._gp) == 1:  # only the initial writes have reached every core
            return 1
        chain = self.co[loc]
        last = max(r for r, pos in enumerate(chain) if self.gp(pos) is not None)
        return last + 1

    def commit(self, msg: Msg, rank: int) -> Storage:
        """Append a write to the timeline, at coherence index `rank` of its location."""
        pos = self.end + 1
        co = list(self.co)
        chain = list(co[msg.loc])
        chain.insert(rank, pos)
        co[msg.loc] = tuple(chain)
        ranks = self._rank.copy()
        for r in range(rank, len(chain)):  # the new write and those after it in coherence
            ranks[chain[r]] = r
        return Storage((*self.timeline, msg), tuple(co), (self._gp, ranks))

    def gp_floor(self, pos: int) -> int:
        """The write at `pos` can reach every core only after it and every write
        coherence-before it were committed (a write coherence-before one that has reached
        every core must have been committed first: no new write can slip in before it)."""
        chain = self.co[self.msg(pos).loc]
        return max(chain[: self.rank(pos) + 1])

    def insert_gp(self, pos: int, at: int) -> Storage:
        """The write at `pos` reaches every core at timeline position `at` (later entries move
        up by one; see `shifted`)."""
        timeline = [Gp(e.pos + 1 if e.pos >= at else e.pos) if type(e) is Gp else e
                    for e in self.timeline]  # fmt: skip
        timeline.insert(at - 1, Gp(shifted(pos, at)))
        co = tuple([tuple([p + 1 if p >= at else p for p in chain]) for chain in self.co])
        # the lookups moved up alike (not found again from the timeline: this runs for every
        # propagation placed)
        gp = {p + 1 if p >= at else p: g + 1 if g >= at else g for p, g in self._gp.items()}
        gp[shifted(pos, at)] = at
        rank = {p + 1 if p >= at else p: r for p, r in self._rank.items()}
        return Storage(tuple(timeline), co, (gp, rank))

    def missing_gp(self, positions) -> list[int]:
        return sorted(p for p in positions if self.gp(p) is None)


def shifted(x: int, at: int) -> int:
    """A position or time after an entry is inserted at `at`: entries from `at` on move up."""
    return x + 1 if x >= at else x
