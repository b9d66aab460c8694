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

A caller may add a finer summary (`finer`), per path, that cannot group paths without changing
the order combinations come in: it is checked path by path inside the chosen groups, in that
same order, so the combinations it keeps come as they would without it (the source models'
reads that need a write of another thread, fencelab/models/source/rc11.py). Besides facts
needed and provided, it may count facts each path *takes* and *gives*: a combination fits
only where, for every fact, what its paths take is at most what they and `finer_init` give
(each write read by at most one read-modify-write).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TypeVar

from fencelab.models.relations import bits

P = TypeVar("P")
Summary = tuple[Iterable[Hashable], Iterable[Hashable]]  # (needs, provides)
Finer = tuple[Iterable[Hashable], Iterable[Hashable], dict, dict]  # needs, provides, takes, gives


def feasible_combinations(
    paths: list[list[P]], summary: Callable[[P], Summary], init: Iterable[Hashable] = (),
    finer: Callable[[P], Finer] | None = None,
    finer_init: tuple[Iterable[Hashable], dict] = ((), {}),
) -> Iterator[tuple[P, ...]]:  # fmt: skip
    """One path per thread (`paths[t]` are thread t's), only where every fact a chosen path
    needs is in `init` or provided by a chosen path; in thread order, groups in first-seen
    order. With `finer`, also only where every fact of `finer` a chosen path needs is in
    `finer_init` or `finer` of a chosen path provides, and no fact is taken (counted) more
    often than given (`_members`: the same order, fewer)."""
    bit_of: dict[Hashable, int] = {}

    def mask(facts: Iterable[Hashable]) -> int:
        m = 0
        for fact in facts:
            m |= 1 << bit_of.setdefault(fact, len(bit_of))
        return m

    have0 = mask(init)
    fine_have0 = 0
    fine_bit: dict[Hashable, int] = {}

    def fine_mask(facts: Iterable[Hashable]) -> int:
        m = 0
        for fact in facts:
            m |= 1 << fine_bit.setdefault(fact, len(fine_bit))
        return m

    balance0: dict = {}
    if finer is not None:
        fine_have0 = fine_mask(finer_init[0])
        balance0 = finer_init[1]
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
    # With `finer`: per group (by id), its members with their finer (needs, provides, takes,
    # gives), what every member needs, what some member provides, what every member takes
    # and what some member gives at most (of the facts some path takes); and what threads
    # k.. could provide and give at most.
    fine: dict[int, tuple[list, int, int, dict, dict]] = {}
    fine_could = [0] * (n + 1)
    could_give: list[dict] = [{} for _ in range(n + 1)]
    if finer is not None:
        summaries = {id(p): finer(p) for thread_paths in paths for p in thread_paths}
        taken = {f for _, _, takes, _ in summaries.values() for f in takes}
        balance0 = {f: balance0.get(f, 0) for f in taken}
        for k in range(n - 1, -1, -1):
            fine_could[k] = fine_could[k + 1]
            level_gives: dict = {}
            for members in groups[k].values():
                rows = []
                every, some = -1, 0
                least: dict | None = None
                most: dict = {}
                for path in members:
                    needs, provides, takes, gives = summaries[id(path)]
                    gives = {f: c for f, c in gives.items() if f in taken}
                    row = (path, fine_mask(needs), fine_mask(provides), takes, gives)
                    rows.append(row)
                    every &= row[1]
                    some |= row[2]
                    least = dict(takes) if least is None else {
                        f: min(c, takes.get(f, 0)) for f, c in least.items() if f in takes}
                    for f, c in gives.items():
                        most[f] = max(c, most.get(f, 0))
                fine[id(members)] = (rows, every, some, least or {}, most)
                fine_could[k] |= some
                for f, c in most.items():
                    level_gives[f] = max(c, level_gives.get(f, 0))
            give = could_give[k] = dict(could_give[k + 1])
            for f, c in level_gives.items():
                give[f] = give.get(f, 0) + c

    # Thread k's group i fits a partial choice (have, need) when what the choice still needs
    # that only thread k can provide (`x`) is in the group's provides, and what the group
    # needs that neither it nor a later thread provides (`external[i]`) is in `have`. For a
    # thread of many groups, per fact, the groups that need it externally and those that
    # provide it are bitmasks over the groups, so the groups that fit are found by a few int
    # operations per missing fact, not one check per group (a thread can have hundreds).
    # With `finer`, a group is left out too when what every member of the chosen groups needs
    # is more than they, `finer_init` and later threads could provide (no member would fit).
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

    def fits(members: list[P], state: tuple, k: int):
        """The finer (have, need, balance, facts in deficit) with `members` chosen at thread
        k, or None if no member could fit (exact for a group of one)."""
        _, every, some, least, most = fine[id(members)]
        fine_have, fine_need, balance, short = state
        fine_have, fine_need = fine_have | some, fine_need | every
        if fine_need & ~(fine_have | fine_could[k + 1]):
            return None
        if least or most:
            balance = dict(balance)
            for f, c in most.items():
                balance[f] += c
            for f, c in least.items():
                balance[f] -= c
            short = [f for f, b in balance.items() if b < 0]
        if short:
            later = could_give[k + 1]
            for f in short:
                if balance[f] + later.get(f, 0) < 0:
                    return None
        return fine_have, fine_need, balance, short

    # depth first, groups in first-seen order (as a recursive search), on a stack: a
    # combination is not passed up one generator per thread
    stack: list[tuple[int, int, int, tuple | None, tuple[list[P], ...]]] = [
        (0, have0, 0, (fine_have0, 0, balance0, ()), ())]  # fmt: skip
    while stack:
        k, have, need, fine_state, chosen = stack.pop()
        if k == n:
            if need & ~have == 0:
                if finer is None:
                    yield from itertools.product(*chosen)
                elif all(len(m) == 1 for m in chosen):  # `fits` was exact
                    yield tuple([m[0] for m in chosen])
                else:
                    yield from _members([fine[id(m)] for m in chosen], fine_have0, balance0)
            continue
        children = []
        level = levels[k]
        if level is None:
            later = could[k + 1]
            for (needs, provides), members in groups[k].items():
                now_have, now_need = have | provides, need | needs
                if now_need & ~(now_have | later) == 0:
                    now_fine = fine_state if finer is None else fits(members, fine_state, k)
                    if now_fine is not None:
                        children.append((k + 1, now_have, now_need, now_fine, (*chosen, members)))
        else:
            items, every, needed_by, provided_by, external = level
            unfit = 0
            for f in bits(external & ~have):
                unfit |= needed_by[f]
            for f in bits(need & ~(have | could[k + 1])):
                unfit |= every & ~provided_by.get(f, 0)
            for i in bits(every & ~unfit):
                needs, provides, members = items[i]
                now_fine = fine_state if finer is None else fits(members, fine_state, k)
                if now_fine is not None:
                    children.append((k + 1, have | provides, need | needs, now_fine,
                                     (*chosen, members)))  # fmt: skip
        stack.extend(reversed(children))


def _members(groups: list[tuple], have0: int, balance0: dict):
    """`itertools.product` of the chosen groups' members in its order, without the
    combinations whose paths need a finer fact neither `have0` nor one of them provides, or
    take a fact more often than they and `balance0` give it; a partial choice is dropped as
    soon as the members still to choose could not make up for it. `groups`: each chosen
    group's record (`feasible_combinations`' `fine`: its members with their finer needs and
    provides, as bits, and the facts they take and give, counted; what some member provides
    and gives at most)."""
    n = len(groups)
    rows = [group[0] for group in groups]
    could = [0] * (n + 1)  # what the members of groups k.. could provide
    could_give: list[dict] = [{} for _ in range(n + 1)]  # and give at most (of facts taken)
    for k in range(n - 1, -1, -1):
        could[k] = could[k + 1] | groups[k][2]
        most = groups[k][4]
        if most:
            give = could_give[k] = dict(could_give[k + 1])
            for f, count in most.items():
                give[f] = give.get(f, 0) + count
        else:
            could_give[k] = could_give[k + 1]

    def search(k: int, have: int, need: int, balance: dict, short: list, prefix: tuple):
        later, later_give = could[k + 1], could_give[k + 1]
        last = k + 1 == n
        for p, needs, provides, takes, gives in rows[k]:
            now_have, now_need = have | provides, need | needs
            if now_need & ~(now_have | later):
                continue
            now, now_short = balance, short
            if takes or gives:
                now = dict(balance)
                for f, count in gives.items():
                    now[f] += count
                for f, count in takes.items():
                    now[f] -= count
                now_short = [f for f, b in now.items() if b < 0]
            if now_short and any(now[f] + later_give.get(f, 0) < 0 for f in now_short):
                continue
            if last:
                yield (*prefix, p)
            else:
                yield from search(k + 1, now_have, now_need, now, now_short, (*prefix, p))

    if n == 0:
        yield ()
    else:
        yield from search(0, have0, 0, balance0, [f for f, b in balance0.items() if b < 0], ())


_MASKS_FROM = 8  # groups in a thread from which the search finds the fitting ones by masks
