"""The `source-axioms` reduction (fencelab/models/source/axioms.py): hb closed through sw's
sources, eco without a closure and coherence on same-location pairs give, for every candidate
execution judged, the same relations and verdicts as the plain closures (`--no-reduce
source-axioms`), and the same results end to end (tests/test_reduce.py compares those too)."""

from __future__ import annotations

import pytest

from fencelab import reduce
from fencelab.errors import FencelabError
from fencelab.gen import cycles
from fencelab.gen.families import generate
from fencelab.litmus.parser import parse_file, parse_text
from fencelab.models.source import axioms, rc11
from tests.helpers import EXAMPLES, HERD_DATA


def _tests() -> list:
    tests = []
    for path in [*sorted((EXAMPLES / "c").glob("*.litmus")),
                 *sorted((HERD_DATA / "c").glob("*.litmus"))]:  # fmt: skip
        try:
            tests.append(parse_file(path))
        except FencelabError:
            continue  # a test fencelab refuses (herd's C13: a feature it does not read)
    tests += [parse_text(t, f"<diy {i}>") for i, t in enumerate(cycles.generate_many("C", 30, 3))]
    tests += [parse_text(generate("C", 7000 + i), f"<gen {i}>") for i in range(40)]
    return tests


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

    def compared(name, st, rf, mo, rf_src):
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
        verdicts = _both(consistent, name, st, rf, mo, rf_src)
        assert verdicts[0] == verdicts[1]
        seen["inconsistent"] += not verdicts[0]
        return verdicts[0]

    monkeypatch.setattr(rc11, "consistent", compared)
    for test in _tests():
        rc11.run_source(test, model)
    # the comparison saw synchronising, RMW and inconsistent candidates, many of each
    assert seen["candidates"] > 1000, seen
    assert min(seen["synchronising"], seen["rmw"], seen["inconsistent"]) > 50, seen
