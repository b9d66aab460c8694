"""fencelab/models/combinations.py: one path per thread where every fact read is provided."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from fencelab.models import combinations
from fencelab.models.combinations import feasible_combinations


def recursive_search(paths, summary, init=()):
    """The definition: groups of equal summaries in first-seen order, threads in order, a
    partial choice dropped when it needs more than it, init and later threads can provide."""
    groups = []
    for thread_paths in paths:
        by: dict = {}
        for p in thread_paths:
            needs, provides = summary(p)
            by.setdefault((frozenset(needs), frozenset(provides)), []).append(p)
        groups.append(by)
    could = [frozenset()] * (len(groups) + 1)
    for k in range(len(groups) - 1, -1, -1):
        could[k] = could[k + 1].union(*(prov for _, prov in groups[k]))

    def search(k, have, need, chosen):
        if k == len(groups):
            if need <= have:
                yield from itertools.product(*chosen)
            return
        for (needs, provides), members in groups[k].items():
            if need | needs <= have | provides | could[k + 1]:
                yield from search(k + 1, have | provides, need | needs, (*chosen, members))

    yield from search(0, frozenset(init), frozenset(), ())


facts = st.frozensets(st.integers(0, 5), max_size=3)
path = st.tuples(facts, facts)  # (needs, provides)
threads = st.lists(st.lists(path, min_size=1, max_size=12), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(threads, st.frozensets(st.integers(0, 5), max_size=2))
def test_feasible_combinations_are_the_recursive_searchs_in_its_order(paths, init):
    # the paths are numbered so that equal summaries stay different paths
    numbered = [[(t, i, p) for i, p in enumerate(ps)] for t, ps in enumerate(paths)]
    summary = lambda p: p[2]  # noqa: E731
    want = list(recursive_search(numbered, summary, init))
    default = combinations._MASKS_FROM
    try:
        for masks_from in (1, 1000, default):  # every thread by masks, none by masks, as set
            combinations._MASKS_FROM = masks_from
            got = list(feasible_combinations(numbered, summary, init))
            assert got == want
    finally:
        combinations._MASKS_FROM = default
    brute = [c for c in itertools.product(*numbered)
             if frozenset().union(*(p[2][0] for p in c)) <= init.union(*(p[2][1] for p in c))]
    assert sorted(got) == sorted(brute)  # every feasible choice, once


@settings(max_examples=300, deadline=None)
@given(threads, st.frozensets(st.integers(0, 5), max_size=2), st.integers(0, 2**20))
def test_left_out_paths_keep_the_order_of_the_others(paths, init, left_out):
    """`keep`: the combinations without it, in their order, but none with a path left out
    (the groups keep the order in which all the paths first give them)."""
    numbered = [[(t, i, p) for i, p in enumerate(ps)] for t, ps in enumerate(paths)]
    summary = lambda p: p[2]  # noqa: E731
    keep = lambda p: not (left_out >> (5 * p[0] + p[1] % 5)) & 1  # noqa: E731
    want = [c for c in recursive_search(numbered, summary, init) if all(map(keep, c))]
    default = combinations._MASKS_FROM
    try:
        for masks_from in (1, 1000):
            combinations._MASKS_FROM = masks_from
            assert list(feasible_combinations(numbered, summary, init, keep)) == want
    finally:
        combinations._MASKS_FROM = default


@settings(max_examples=300, deadline=None)
@given(threads, st.frozensets(st.integers(0, 5), max_size=2), st.integers(0, 2**20))
def test_pruned_prefixes_keep_the_order_of_the_others(paths, init, dead):
    """`prune`: a partial choice it drops takes every combination that starts with one of its
    members' choices; the others come as without it, in their order."""
    numbered = [[(t, i, p) for i, p in enumerate(ps)] for t, ps in enumerate(paths)]
    summary = lambda p: p[2]  # noqa: E731
    hit = lambda p: (dead >> (5 * p[0] + p[1] % 5)) & 1  # noqa: E731

    def prune(k, chosen):  # drop when each member of thread k's group is "hit"
        assert 0 <= k < len(numbered) - 1 and len(chosen) == k + 1
        return all(hit(p) for p in chosen[k])

    n = len(numbered)
    want = [c for c in recursive_search(numbered, summary, init)
            if not any(hit(p) for p in c[:n - 1])]  # fmt: skip
    default = combinations._MASKS_FROM
    try:
        for masks_from in (1, 1000):
            combinations._MASKS_FROM = masks_from
            got = list(feasible_combinations(numbered, summary, init, prune=prune))
            # a group only partly hit is not dropped: its hit members' choices stay
            kept = [c for c in got if not any(hit(p) for p in c[:n - 1])]
            assert kept == want
            assert [c for c in recursive_search(numbered, summary, init) if c in got] == got
            for c in got:  # and a group wholly hit is dropped: none starts with one
                for k in range(n - 1):
                    group = [q for q in numbered[k] if q[2] == c[k][2]]
                    assert not all(hit(q) for q in group)
    finally:
        combinations._MASKS_FROM = default
