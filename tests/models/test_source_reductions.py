"""Two reductions of the source models (fencelab/reduce.py), beyond the same results end to
end that tests/test_reduce.py compares:

- `source-axioms` (fencelab/models/source/axioms.py): hb closed through sw's sources, eco
  without a closure and coherence on same-location pairs give, for every candidate execution
  judged, the same relations and verdicts as the plain closures (`--no-reduce source-axioms`);
- `source-own-coherence` (fencelab/models/source/rc11.py, `_own_coherent`): a path it drops
  has no coherent (rf, mo) at the location, whatever other threads write.
"""

from __future__ import annotations

import random

import pytest

from fencelab import reduce
from fencelab.atomics import Order
from fencelab.models.relations import acyclic
from fencelab.models.source import axioms, rc11
from fencelab.models.source.paths import Event, Path
from tests.helpers import c_tests


def _tests() -> list:
    return c_tests(diy=(30, 3), generated=(40, 7000))


def _both(fn, *args):
    """`fn(*args)` with the reduction on, then off."""
    out = []
    for off in ([], ["source-axioms"]):
        reduce.set_disabled(off)
        try:
            out.append(fn(*args))
        finally:
            reduce.enable_all()
    return out


@pytest.mark.parametrize("model", ["rc11", "c11"])
def test_same_relations_for_every_candidate(monkeypatch, model):
    seen = {"candidates": 0, "synchronising": 0, "inconsistent": 0, "rmw": 0}
    consistent = axioms.consistent

    def compared(name, st, rf, mo, rf_src, sb_coherent=False, shared=None):
        seen["candidates"] += 1
        rb = axioms.derived(st, rf, mo, rf_src)
        sw = axioms.synchronises_with(st, rf)
        seen["synchronising"] += any(sw)
        seen["rmw"] += bool(st.updates)
        fast, plain = _both(axioms.happens_before, st, rf)
        assert fast == plain
        fast, plain = _both(axioms.extended_coherence, st, rf, mo, rb)
        assert fast == plain
        hb = axioms.happens_before(st, rf)
        assert axioms.coherent(hb, plain) == axioms.coherent(hb, plain, st.same_loc)
        verdicts = _both(consistent, name, st, rf, mo, rf_src, sb_coherent)
        assert verdicts[0] == verdicts[1]
        seen["inconsistent"] += not verdicts[0]
        # (`source-rf-share`: hb and no-thin-air remembered by the enumerator's rf key)
        assert consistent(name, st, rf, mo, rf_src, sb_coherent, shared) == verdicts[0]
        return verdicts[0]

    monkeypatch.setattr(rc11, "consistent", compared)
    for test in _tests():
        rc11.run_source(test, model)
    # the comparison saw synchronising, RMW and inconsistent candidates, many of each
    assert seen["candidates"] > 1000, seen
    assert min(seen["synchronising"], seen["rmw"], seen["inconsistent"]) > 50, seen


def _path(*accesses) -> Path:
    """P0's path of accesses to x: ("W", None, 1), ("R", 0, None), ("U", 1, 2)."""
    return Path(0, tuple(Event(k, "x", Order.RELAXED, rval=r, wval=w) for k, r, w in accesses),
                ())  # fmt: skip


@pytest.mark.parametrize("accesses, others, kept", [
    ((("W", None, 1), ("R", 0, None)), set(), False),  # CoWR: init is mo-before P0's write
    ((("W", None, 1), ("R", 0, None)), {0}, True),  # another thread's 0, mo-after it
    ((("R", 1, None), ("R", 0, None)), {1}, False),  # CoRR: 1 is no initial value
    ((("R", 0, None), ("R", 0, None)), set(), True),
    ((("W", None, 1), ("W", None, 2), ("R", 1, None)), set(), False),  # CoWW, CoWR
    ((("W", None, 1), ("R", 2, None), ("R", 1, None)), {2}, False),  # CoWR, CoRR
    ((("W", None, 1), ("R", 1, None), ("R", 1, None)), set(), True),
    ((("U", 0, 1), ("U", 1, 2), ("R", 2, None)), set(), True),
    ((("U", 0, 1), ("U", 0, 2)), set(), False),  # the second RMW reads no initial write
])  # fmt: skip
def test_own_coherence_of_one_path(accesses, others, kept):
    """`_own_coherent` (the `source-own-coherence` reduction): which reads of a path can read
    a write coherently with its own thread's accesses; source-other-writes keeps them all."""
    assert rc11._own_coherent(_path(*accesses), {"x": 0}, {("x", v) for v in others}) is kept


def test_a_path_own_coherence_drops_has_no_location_choice():
    """Every path `_own_coherent` drops has no coherent (rf, mo) even when each value other
    threads write is written by a thread of its own (the most freedom they can give): random
    paths of 1-4 accesses to one location, values 0-2, every set of other threads' values."""
    rng = random.Random(17)
    dropped = 0
    for _ in range(3000):
        accesses = []
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice("RWU")
            accesses.append((kind, rng.randint(0, 2) if kind != "W" else None,
                             rng.randint(0, 2) if kind != "R" else None))  # fmt: skip
        others = {v for v in range(3) if rng.random() < 0.4}
        if rc11._own_coherent(_path(*accesses), {"x": 0}, {("x", v) for v in others}):
            continue
        dropped += 1
        kinds, tids, rvals, wvals = ["W"], [-1], [None], [0]
        for kind, rval, wval in accesses:
            kinds.append(kind), tids.append(0), rvals.append(rval), wvals.append(wval)
        for k, value in enumerate(sorted(others)):
            kinds.append("W"), tids.append(1 + k), rvals.append(None), wvals.append(value)
        n = len(kinds)
        assert not list(rc11._location_choices(n, "x", kinds, ["x"] * n, tids, rvals, wvals)), \
            (accesses, others)  # fmt: skip
    assert dropped > 500


@pytest.mark.parametrize("model", ["rc11", "c11"])
def test_sb_coherence_same_verdict_for_every_candidate(monkeypatch, model):
    """`source-sb-coherence` (axioms.consistent with `sb_coherent`): for every candidate the
    rc11 enumerator judges, coherence looked at beyond sb only gives the plain axiom's
    verdict (eco's closure, every pair of hb), and the whole verdict is the same."""
    seen = {"candidates": 0, "synchronising": 0, "incoherent": 0, "sc-fences": 0}
    consistent = axioms.consistent

    def compared(name, st, rf, mo, rf_src, sb_coherent=False, shared=None):
        assert sb_coherent  # the enumerator's rf and mo are built coherent with sb
        seen["candidates"] += 1
        rb = axioms.derived(st, rf, mo, rf_src)
        reduce.set_disabled(["source-axioms"])
        try:
            hb = axioms.happens_before(st, rf)
            eco = axioms.extended_coherence(st, rf, mo, rb)
        finally:
            reduce.enable_all()
        plain = axioms.coherent(hb, eco)
        assert axioms.coherent_beyond_sb(st, hb, rf, mo, rb, rf_src) == plain
        assert axioms.coherent(st.sb, eco)  # sb; eco? irreflexive by construction
        seen["synchronising"] += hb != st.sb
        seen["incoherent"] += not plain
        seen["sc-fences"] += bool(st.sc_fences)
        verdicts = []
        for off in ([], ["source-sb-coherence"]):
            reduce.set_disabled(off)
            try:
                verdicts.append(consistent(name, st, rf, mo, rf_src, True))
            finally:
                reduce.enable_all()
        assert verdicts[0] == verdicts[1]
        assert consistent(name, st, rf, mo, rf_src, True, shared) == verdicts[0]
        return verdicts[0]

    monkeypatch.setattr(rc11, "consistent", compared)
    for test in _tests():
        rc11.run_source(test, model)
    assert seen["candidates"] > 1000, seen
    assert min(seen["synchronising"], seen["incoherent"], seen["sc-fences"]) > 20, seen


@pytest.mark.parametrize("model", ["rc11", "c11"])
def test_rf_facts_same_as_the_axioms_for_every_candidate(monkeypatch, model):
    """`source-rf-share`'s facts of an rf (axioms.rf_facts and what `consistent` finds once
    per rf with them): for every candidate the enumerator judges, sw from each read's write
    is sw from rf's rows, hb is `happens_before`, no-thin-air is acyclic(sb | rf), the
    coherence checks left to mo give `coherent_beyond_sb`'s verdict (on the events whose hb
    grew as on all), and psc's rows but for mo give acyclic(psc)."""
    seen = {"candidates": 0, "synchronising": 0, "thin-air": 0, "incoherent": 0,
            "psc-cyclic": 0, "rmw-rs": 0}  # fmt: skip
    consistent = axioms.consistent

    def compared(name, st, rf, mo, rf_src, sb_coherent=False, shared=None):
        seen["candidates"] += 1
        sb = st.sb
        if st.release_starts:
            rows = axioms._sw_rows(st, rf)
            assert axioms._sw_of_reads(st, rf_src) == rows
            seen["synchronising"] += bool(rows)
            seen["rmw-rs"] += bool(rows) and bool(st.updates)
        thin = not acyclic([sb[i] | rf[i] for i in range(st.n)])
        assert axioms._sb_rf_acyclic(st, rf) is not thin
        facts = axioms.rf_facts(name, st, rf, rf_src)
        assert (facts is False) is (name == "rc11" and thin)
        seen["thin-air"] += facts is False
        if facts is not False:
            hb = axioms.happens_before(st, rf)
            assert facts.hb == hb
            rb = axioms.derived(st, rf, mo, rf_src)
            beyond = axioms.beyond_sb(st, hb, rf_src, facts.grown)
            assert beyond == axioms.beyond_sb(st, hb, rf_src)
            left = beyond is not False and not any((mo[b] | mo[s]) & mask
                                                   for b, s, mask in beyond)  # fmt: skip
            assert left == axioms.coherent_beyond_sb(st, hb, rf, mo, rb, rf_src)
            seen["incoherent"] += not left
            if st.sc_events and not st.sc_fences:
                base = axioms.psc_base(st, hb, rf_src)
                plain = acyclic(axioms.psc(st, hb, mo, rb, []))
                assert axioms.psc_acyclic_with(base, st.sc_events, mo) == plain
                seen["psc-cyclic"] += not plain
        return consistent(name, st, rf, mo, rf_src, sb_coherent, shared)

    monkeypatch.setattr(rc11, "consistent", compared)
    for test in _tests():
        rc11.run_source(test, model)
    assert seen["candidates"] > 1000, seen
    assert min(seen["synchronising"], seen["incoherent"], seen["psc-cyclic"]) > 20, seen
    assert seen["rmw-rs"] > 5, seen
    if model == "rc11":
        assert seen["thin-air"] > 5, seen


def _has_cycle(rel: list[int]) -> bool:
    """A depth-first search for a cycle of a relation (bitmask rows)."""
    n = len(rel)
    state = [0] * n  # 0 new, 1 on the path, 2 done

    def cycle_from(a: int) -> bool:
        state[a] = 1
        for b in range(n):
            if (rel[a] >> b) & 1 and (state[b] == 1 or (state[b] == 0 and cycle_from(b))):
                return True
        state[a] = 2
        return False

    return any(state[a] == 0 and cycle_from(a) for a in range(n))


def test_acyclic_peels_as_a_depth_first_search_finds():
    """relations.acyclic (each pass over the events still alive) against a depth-first search
    for a cycle, on random relations of 1-12 events, sparse to dense; and of a union given as
    its two parts (`also`)."""
    rng = random.Random(5)
    cyclic = 0
    for _ in range(4000):
        n = rng.randint(1, 12)
        density = rng.random() * 0.4
        rel = [sum(1 << b for b in range(n) if rng.random() < density) for _ in range(n)]
        has_cycle = _has_cycle(rel)
        assert acyclic(rel) is not has_cycle, rel
        part = [row & rng.getrandbits(n) for row in rel]  # rel as the union of two relations
        assert acyclic(part, [a ^ b for a, b in zip(rel, part)]) is not has_cycle, rel
        cyclic += has_cycle
    assert 500 < cyclic < 3500
