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
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TypeVar

P = TypeVar("P")
Summary = tuple[Iterable[Hashable], Iterable[Hashable]]  # (needs, provides)


def feasible_combinations(
    paths: list[list[P]], summary: Callable[[P], Summary], init: Iterable[Hashable] = ()
) -> Iterator[tuple[P, ...]]:
    """One path per thread (`paths[t]` are thread t's), only where every fact a chosen path
    needs is in `init` or provided by a chosen path; in thread order, groups in first-seen
    order."""
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
        groups.append(by_summary)
    n = len(groups)
    could = [0] * (n + 1)  # what threads k.. could provide
    for k in range(n - 1, -1, -1):
        could[k] = could[k + 1]
        for _, provides in groups[k]:
            could[k] |= provides

    def search(k: int, have: int, need: int, chosen: tuple[list[P], ...]):
        if k == n:
            if need & ~have == 0:
                yield from itertools.product(*chosen)
            return
        for (needs, provides), members in groups[k].items():
            now_have, now_need = have | provides, need | needs
            if now_need & ~(now_have | could[k + 1]) == 0:
                yield from search(k + 1, now_have, now_need, (*chosen, members))

    yield from search(0, have0, 0, ())
