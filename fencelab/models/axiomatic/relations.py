"""Relations as Python sets of pairs, with the operators of herd's cat language.

The axiomatic checkers (fencelab/models/axiomatic/arm.py) write every relation of a cat file as
a `set[tuple[int, int]]` over event ids, so a reader can hold the Python next to the cat text:

    cat            Python
    r1 | r2        union(r1, r2)
    r1 & r2        r1 & r2
    r1 \\ r2        r1 - r2
    r1; r2         seq(r1, r2)            (also seq(r1, r2, r3, ...))
    [S]            ident(S)               (S a set of event ids)
    r^-1           inverse(r)
    r+             plus(r)
    domain/range   domain(r) / range_of(r)
    acyclic r      acyclic(r)
    irreflexive r  irreflexive(r)
    empty r        not r

Test sizes are tiny (tens of events), so plain sets beat anything clever.

Why the source models (fencelab/models/source/axioms.py) use bitmask rows instead: RC11 checks
every candidate of every path combination and closes hb and eco for each, and on relations of
this size a bitmask closure is measured 6x faster than `plus` here (n=12: 34 vs 196 us; n=24:
129 vs 850 us; composition 1.5-2x), while these sets let each line of aarch64.cat (`&`, `\\`,
`[S]`, `^-1`, `domain`) be written as itself next to its cat text. Both keep the cat names.
"""

from __future__ import annotations

from collections.abc import Iterable

Rel = set[tuple[int, int]]


def union(*rels: Iterable[tuple[int, int]]) -> Rel:
    out: Rel = set()
    for r in rels:
        out.update(r)
    return out


def ident(events: Iterable[int]) -> Rel:
    """`[S]`: the identity on a set of events."""
    return {(e, e) for e in events}


def inverse(r: Rel) -> Rel:
    return {(b, a) for a, b in r}


def seq(*rels: Rel) -> Rel:
    """`r1; r2; ...`: relational composition, left to right."""
    out = rels[0]
    for r in rels[1:]:
        succ: dict[int, set[int]] = {}
        for a, b in r:
            succ.setdefault(a, set()).add(b)
        out = {(a, c) for a, b in out for c in succ.get(b, ())}
    return set(out)


def domain(r: Rel) -> set[int]:
    return {a for a, _ in r}


def range_of(r: Rel) -> set[int]:
    return {b for _, b in r}


def plus(r: Rel) -> Rel:
    """`r+`: the transitive closure."""
    succ: dict[int, set[int]] = {}
    for a, b in r:
        succ.setdefault(a, set()).add(b)
    out: Rel = set()
    for start in succ:
        seen: set[int] = set()
        stack = list(succ[start])
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            stack.extend(succ.get(n, ()))
        out.update((start, n) for n in seen)
    return out


def irreflexive(r: Rel) -> bool:
    return all(a != b for a, b in r)


def acyclic(r: Rel) -> bool:
    """`acyclic r`: no cycle in the graph of r (iterative three-colour DFS)."""
    succ: dict[int, list[int]] = {}
    for a, b in r:
        if a == b:
            return False
        succ.setdefault(a, []).append(b)
    WHITE, GREY, BLACK = 0, 1, 2
    colour: dict[int, int] = {}
    for root in succ:
        if colour.get(root, WHITE) != WHITE:
            continue
        colour[root] = GREY
        stack = [(root, iter(succ[root]))]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = BLACK
                stack.pop()
                continue
            c = colour.get(nxt, WHITE)
            if c == GREY:
                return False
            if c == WHITE:
                colour[nxt] = GREY
                stack.append((nxt, iter(succ.get(nxt, ()))))
    return True


def restrict(r: Rel, left: set[int], right: set[int]) -> Rel:
    """`[left]; r; [right]`, cheaper than two seqs."""
    return {(a, b) for a, b in r if a in left and b in right}
