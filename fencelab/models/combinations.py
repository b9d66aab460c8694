"""Choosing one path per thread: the combinations where every value read could be written.

Both candidate-execution engines (hardware, fencelab/models/axiomatic/candidates.py; source,
fencelab/models/source/rc11.py) first enumerate each thread's paths on its own, with the values
its reads assumed, then combine one path per thread. Most combinations are infeasible: some read
takes a value that neither the initial state nor any chosen path writes, so no reads-from can
match it. This is the one search that drops them early.

A path is summarised by `(needs, provides)`: the facts (hashable, e.g. `(location, value)`) its
reads need and its writes provide. Paths with equal summaries are grouped; threads are chosen in
order, and a partial choice is dropped as soon as what it needs is more than the initial facts,
the chosen paths and the threads still to choose could provide. Facts are bits of an int.

A caller may also name paths to leave out (`keep`): they are dropped from their groups once
the groups are made, so the combinations left come in the order they would without it (the
source models' paths whose reads only their own thread could source,
fencelab/models/source/rc11.py). Likewise `prune(k, chosen)` may drop a partial choice (the
member lists of threads 0..k, before the last thread) all of whose completions the caller
knows it would drop: the combinations left keep their order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TypeVar

from fencelab.models.relations import bits

P = TypeVar("P")
Summary = tuple[Iterable[Hashable], Iterable[Hashable]]  # (needs, provides)


def feasible_combinations(
    paths: list[list[P]], summary: Callable[[P], Summary], init: Iterable[Hashable] = (),
    keep: Callable[[P], bool] | None = None,
    prune: Callable[[int, tuple[list[P], ...]], bool] | None = None,
) -> Iterator[tuple[P, ...]]:  # fmt: skip
    """One path per thread (`paths[t]` are thread t's), only where every fact a chosen path
    needs is in `init` or provided by a chosen path; in thread order, groups in first-seen
    order (of all the paths). `keep(path)` False: the path is in no combination;
    `prune(k, chosen)` True: no combination starts with one of each of `chosen`'s members
    (threads 0..k, k below the last thread)."""
    bit_of: dict[Hashable, int] = {}

    def mask(facts: Iterable[Hashable]) -> int:
        m = 0
        for fact in facts:
            m |= 1 << bit_of.setdefault(fact, len(bit_of))
        return m

    have0 = mask(init)
    groups: list[dict[tuple[int, int], list[P]]] = []
    for thread_paths in paths:
        by_summary: dict[tuple[int, int], list[P]] = {}
        for path in thread_paths:
            needs, provides = summary(path)
            by_summary.setdefault((mask(needs), mask(provides)), []).append(path)
        if keep is not None:
            by_summary = {key: kept for key, members in by_summary.items()
                          if (kept := [p for p in members if keep(p)])}  # fmt: skip
        groups.append(by_summary)
    n = len(groups)
    could = [0] * (n + 1)  # what threads k.. could provide
    for k in range(n - 1, -1, -1):
        could[k] = could[k + 1]
        for _, provides in groups[k]:
            could[k] |= provides

    # Thread k's group i fits a partial choice (have, need) when what the choice still needs
    # that only thread k can provide (`x`) is in the group's provides, and what the group
    # needs that neither it nor a later thread provides (`external[i]`) is in `have`. For a
    # thread of many groups, per fact, the groups that need it externally and those that
    # provide it are bitmasks over the groups, so the groups that fit are found by a few int
    # operations per missing fact, not one check per group (a thread can have hundreds).
    levels: list[tuple | None] = []
    for k in range(n):
        if len(groups[k]) < _MASKS_FROM:
            levels.append(None)  # checked one by one: cheaper than building the masks
            continue
        items = [(needs, provides, members) for (needs, provides), members in groups[k].items()]
        needed_by: dict[int, int] = {}  # fact bit -> the groups that need it externally
        provided_by: dict[int, int] = {}  # fact bit -> the groups that provide it
        for i, (needs, provides, _) in enumerate(items):
            for f in bits(needs & ~(provides | could[k + 1])):
                needed_by[f] = needed_by.get(f, 0) | (1 << i)
            for f in bits(provides):
                provided_by[f] = provided_by.get(f, 0) | (1 << i)
        external = 0
        for f in needed_by:
            external |= 1 << f
        levels.append((items, (1 << len(items)) - 1, needed_by, provided_by, external))

    # depth first, groups in first-seen order (as a recursive search), on a stack: a
    # combination is not passed up one generator per thread
    stack: list[tuple[int, int, int, tuple[list[P], ...]]] = [(0, have0, 0, ())]
    while stack:
        k, have, need, chosen = stack.pop()
        if k == n:
            if need & ~have == 0:
                yield from itertools.product(*chosen)
            continue
        children = []
        level = levels[k]
        if level is None:
            later = could[k + 1]
            for (needs, provides), members in groups[k].items():
                now_have, now_need = have | provides, need | needs
                if now_need & ~(now_have | later) == 0:
                    children.append((k + 1, now_have, now_need, (*chosen, members)))
        else:
            items, every, needed_by, provided_by, external = level
            unfit = 0  # (bit loops written out: `bits` costs 2x)
            facts = external & ~have
            while facts:
                low = facts & -facts
                unfit |= needed_by[low.bit_length() - 1]
                facts ^= low
            facts = need & ~(have | could[k + 1])
            while facts:
                low = facts & -facts
                unfit |= every & ~provided_by.get(low.bit_length() - 1, 0)
                facts ^= low
            fit = every & ~unfit
            while fit:
                low = fit & -fit
                needs, provides, members = items[low.bit_length() - 1]
                children.append((k + 1, have | provides, need | needs, (*chosen, members)))
                fit ^= low
        if k + 1 == n:  # the last thread: its choices are complete, taken in their order
            for _, now_have, now_need, complete in children:
                if now_need & ~now_have == 0:
                    yield from itertools.product(*complete)
            continue
        if prune is not None:
            children = [c for c in children if not prune(k, c[3])]
        stack.extend(reversed(children))


_MASKS_FROM = 8  # groups in a thread from which the search finds the fitting ones by masks
