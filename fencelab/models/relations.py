"""Relations over a candidate execution's events as bitmask rows, with the operators of herd's
cat language: the one relation algebra of every axiomatic model (aarch64.cat and arm.cat in
fencelab/models/axiomatic/, RC11 in fencelab/models/source/axioms.py) and of the execution
graphs (fencelab/graph/).

Events are numbered 0..n-1. A relation is a list of n ints, `r[a]` having bit b set when
(a, b) is in it; a set of events is one int (bit e set when e is in it). Tests have tens of
events, so a row is one Python int and each operator is a handful of int operations per event.
The cat text, next to its Python:

    cat            Python
    r1 | r2        union(r1, r2, ...)
    r1 & r2        inter(r1, r2)
    r1 \\ r2        minus(r1, r2)
    r1; r2         seq(r1, r2, ...)         (left to right)
    [S]            ident(S, n)              (S an event set)
    [S1]; r; [S2]  restrict(r, S1, S2)      (cheaper than two seqs)
    r+             plus(r)
    range(r)       range_of(r)              (an event set)
    acyclic r      acyclic(r)
    irreflexive r  irreflexive(r)
    empty r        is_empty(r)
    S1 | S2 ...    S1 | S2, S1 & S2, S1 & ~S2   (event sets are ints)

Why one algebra, and this one. The hardware checkers used to write their relations as Python
sets of (a, b) pairs, RC11 these rows. Measured on this machine class (shared, noisy; best of
5 x 200 calls, a random strict order): rows close 2-4x faster (`plus`, n=16: 28-38 vs 76-86 us;
n=24: 49-84 vs 171-205 us), compose 2-4x and check `acyclic` 6-10x faster; sets are faster only
at `union` (1.5-2.6 vs 3.4-5.2 us). The hardware checkers as a whole did not get measurably
faster on rows (40 generated tests a family, process CPU, best of 3, base vs rows interleaved:
aarch64.cat 148-186 vs 153-168 ms a test, arm.cat 29-36 vs 30-35, the 2019 aarch64.cat 166-167
vs 157-171; the same outcomes), because their time goes to enumerating each location's rf/co
choices (`per_location_choices`, fencelab/models/axiomatic/candidates.py) and to building
skeletons, where a check is a few operators on rows of ~16 events either way. So nothing
measured needs both: whole runs are the same within noise, single operators several times
faster on rows, and the table above keeps each line of a cat file one line of Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

Rel = list[int]


def bits(mask: int) -> Iterator[int]:
    """The events of a set, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def mask_of(events: Iterable[int]) -> int:
    """The event set of some event ids."""
    m = 0
    for e in events:
        m |= 1 << e
    return m


def has(r: Rel, a: int, b: int) -> bool:
    """(a, b) in r."""
    return bool((r[a] >> b) & 1)


def from_pairs(n: int, pairs_: Iterable[tuple[int, int]]) -> Rel:
    r = [0] * n
    for a, b in pairs_:
        r[a] |= 1 << b
    return r


def pairs(r: Rel) -> Iterator[tuple[int, int]]:
    """The pairs of r in sorted order."""
    for a, row in enumerate(r):
        for b in bits(row):
            yield a, b


def union(*rels: Rel) -> Rel:
    out = rels[0]
    for r in rels[1:]:
        out = [a | b for a, b in zip(out, r)]
    return list(out) if out is rels[0] else out


def inter(r1: Rel, r2: Rel) -> Rel:
    return [a & b for a, b in zip(r1, r2)]


def minus(r1: Rel, r2: Rel) -> Rel:
    return [a & ~b for a, b in zip(r1, r2)]


def ident(events: int, n: int) -> Rel:
    """`[S]`: the identity on an event set."""
    return [(1 << i) & events for i in range(n)]


def restrict(r: Rel, left: int, right: int) -> Rel:
    """`[left]; r; [right]`."""
    return [row & right if (left >> i) & 1 else 0 for i, row in enumerate(r)]


def image(r: Rel, events: int) -> int:
    """The events `r` leads to from any of `events` (the union of their rows)."""
    acc = 0
    while events:  # (bit loop written out: `bits` costs 2x)
        low = events & -events
        acc |= r[low.bit_length() - 1]
        events ^= low
    return acc


def seq(*rels: Rel) -> Rel:
    """`r1; r2; ...`: relational composition, left to right."""
    out = rels[0]
    for r in rels[1:]:
        out = [image(r, row) for row in out]
    return out if len(rels) > 1 else list(out)


def range_of(r: Rel) -> int:
    acc = 0
    for row in r:
        acc |= row
    return acc


def plus(r: Rel) -> Rel:
    """`r+`: the transitive closure (Warshall, one row per event)."""
    rows = list(r)
    n = len(rows)
    for k in range(n):
        bk, rk = 1 << k, rows[k]
        if not rk:
            continue
        for i in range(n):
            if rows[i] & bk:
                rows[i] |= rk
                if i == k:
                    rk = rows[k]
    return rows


def is_empty(r: Rel) -> bool:
    return not any(r)


def irreflexive(r: Rel) -> bool:
    return not any((row >> i) & 1 for i, row in enumerate(r))


def acyclic(r: Rel, also: Rel | None = None, alive: int | None = None) -> bool:
    """No cycle: peel off events with no successors left (Kahn on the reversed graph), last
    event first (most edges point forward in event order, so one pass often peels them all).
    `also`: of `r | also`, without building the union's rows (rc11's sb | rf, for each rf of
    a C test); `alive`: among those events only (a mask; all by default)."""
    if alive is None:
        alive = (1 << len(r)) - 1
    while alive:
        left = alive  # (each pass looks at the events still alive only, highest first)
        m = alive
        while m:
            i = m.bit_length() - 1
            bit = 1 << i
            m ^= bit
            if not (r[i] if also is None else r[i] | also[i]) & alive:
                alive ^= bit
        if alive == left:
            return False
    return True
