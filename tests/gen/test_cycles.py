"""diy7-style tests (fencelab/gen/cycles.py): laid out and named as diy7 does, with the cycle's
outcome as condition, and the verdicts the models give the classic shapes."""

from __future__ import annotations

import re

import pytest

from fencelab.gen import cycles
from fencelab.litmus.parser import parse_text
from fencelab.pipeline import Pipeline, RunOptions
from tests.helpers import REPO

HERD = REPO / "tests" / "data" / "herd"


def _diy_files():
    for folder, family in (("aarch64-catalogue", "AArch64"), ("aarch64", "AArch64"),
                           ("arm", "ARM")):  # fmt: skip
        for path in sorted((HERD / folder).glob("*.litmus")):
            text = path.read_text()
            if "Generator=diy" in text and not path.stem.startswith("Co"):
                yield pytest.param(path, family, id=f"{folder}/{path.stem}")


def _body(text: str) -> str:
    """From the initial state on, spaces folded (herd's files break the condition's line) and
    herd's negated condition (`~exists`) read as diy writes it."""
    text = text[text.index("\n{") :].replace("~exists", "exists")
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize(("path", "family"), list(_diy_files()))
def test_herd_catalogue_tests_are_written_as_diy7_wrote_them(path, family):
    """Every diy7-generated test in tests/data/herd (but the one-location Co* tests, which the
    generator doesn't write): from its cycle line, the same name, registers, code and final
    condition (the ARM files were renamed A0xx in herd's tree)."""
    text = path.read_text()
    cycle = cycles.parse_cycle(family, re.search(r'^"(.*)"$', text, re.M).group(1))
    mine = cycles.write(family, cycle)
    assert _body(mine) == _body(text)
    if family == "AArch64":
        assert mine.split()[1] == text.split()[1] == path.stem


def test_catalogue_check_covers_the_files():
    assert len(list(_diy_files())) >= 25


NAMES = [
    ("x86_64", "PodWR Fre PodWR Fre", "SB"),
    ("x86_64", "PodWR Fre MFencedWR Fre", "SB+mfence+po"),  # diy's order: fenced thread first
    ("x86_64", "MFencedWR Fre MFencedWR Fre", "SB+mfences"),
    ("x86_64", "Rfi PodRR Fre MFencedWW Wse", "R+mfence+rfi-po"),
    ("x86_64", "Rfe PodRR Fre Rfe PodRR Fre", "IRIW"),
    ("x86_64", "Rfe PodRW Rfe PodRR Fre", "WRC"),
    ("x86_64", "PodWW Rfe Rmw PodWR Fre", "MP+po+rmw-po"),
    ("AArch64", "DMB.SYdWW Rfe DpAddrdR Fre", "MP+dmb.sy+addr"),
    ("AArch64", "PodWWPL RfeLA PodRRAP Fre", "MP+popl+poap"),
    ("AArch64", "DpDatadW Rfe DpDatadW Rfe", "LB+datas"),
    ("AArch64", "DMB.SYdWW Rfe DpAddrdW PodWR Fre", "MP+dmb.sy+addrW-po"),
    ("AArch64", "DMB.SYdWW Rfe PodRW Rfe DpAddrdR Fre", "ISA2+dmb.sy+po+addr"),
    ("ARM", "DMBdWW Rfe DpCtrlIsbdR Fre", "MP+dmb+ctrlisb"),
    ("C", "PodWWRlxRel RfeRelAcq PodRRAcqRlx FreRlxRlx", "MP+porlxrel+poacqrlx"),
    ("C", "FenceScdWRRlxRlx FreRlxRlx FenceScdWRRlxRlx FreRlxRlx", "SB+fencescrlxrlxs"),
]


@pytest.mark.parametrize(("family", "text", "name"), NAMES, ids=[n for _, _, n in NAMES])
def test_names_are_diys(family, text, name):
    assert cycles.test_name(cycles.parse_cycle(family, text)) == name


def test_x86_layout_and_condition():
    text = cycles.write("x86_64", cycles.parse_cycle("x86_64", "Rfi PodRR Fre MFencedWW Wse"))
    assert text.splitlines()[0] == "X86_64 R+mfence+rfi-po"
    assert '"MFencedWW Wse Rfi PodRR Fre"' in text
    rows = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    assert "movl $1,(x) | movl $2,(y) ;" in rows
    assert "mfence | movl (y),%eax ;" in rows
    assert text.rstrip().endswith("exists (y=2 /\\ 1:rax=2 /\\ 1:rbx=0)")


def _reachable(family: str, cycle: str, model: str | None) -> bool:
    text = cycles.write(family, cycles.parse_cycle(family, cycle))
    return Pipeline().run(parse_text(text, "t"), RunOptions.named(model=model)).positive > 0


VERDICTS = [  # (family, cycle, model, the cycle's outcome reachable)
    ("x86_64", "PodWR Fre PodWR Fre", None, True),  # SB: the store buffer
    ("x86_64", "MFencedWR Fre MFencedWR Fre", None, False),
    ("x86_64", "PodWW Rfe PodRR Fre", None, False),  # MP
    ("x86_64", "PodRW Rfe PodRW Rfe", None, False),  # LB
    ("x86_64", "PodWW Rfe Rmw PodWR Fre", None, False),  # the guide's MP+po+rmw-po
    ("AArch64", "PodWW Rfe PodRR Fre", None, True),
    ("AArch64", "DMB.SYdWW Rfe DpAddrdR Fre", None, False),
    ("AArch64", "DMB.STdWW Rfe PodRR Fre", None, True),
    ("AArch64", "PodRW Rfe PodRW Rfe", None, True),
    ("AArch64", "DpDatadW Rfe DpDatadW Rfe", None, False),
    ("AArch64", "PodWWPL RfeLA PodRRAP Fre", None, False),
    ("ARM", "PodWW Rfe PodRR Fre", None, True),
    ("ARM", "DMBdWW Rfe DpAddrdR Fre", None, False),
    ("ARM", "DMBdWW Rfe DpCtrldR Fre", None, True),  # ctrl alone doesn't order reads
    ("ARM", "DMBdWW Rfe DpCtrlIsbdR Fre", None, False),
    ("C", "PodWWRlxRlx RfeRlxRlx PodRRRlxRlx FreRlxRlx", "rc11", True),
    ("C", "PodWWRlxRel RfeRelAcq PodRRAcqRlx FreRlxRlx", "rc11", False),
    ("C", "PodWRScSc FreScSc PodWRScSc FreScSc", "rc11", False),
    ("C", "PodWRRelAcq FreAcqRel PodWRRelAcq FreAcqRel", "rc11", True),
]


@pytest.mark.parametrize(("family", "cycle", "model", "reachable"), VERDICTS,
                         ids=[f"{f}:{c}" for f, c, _, _ in VERDICTS])  # fmt: skip
def test_known_verdicts(family, cycle, model, reachable):
    assert _reachable(family, cycle, model) is reachable


@pytest.mark.parametrize("family", cycles.FAMILIES)
def test_generated_tests_are_deterministic_distinct_and_sc_forbidden(family):
    """From a seed, the same tests; 40 different names; every one parses, and its condition is
    the outcome of a critical cycle: never reached under SC (run on the first ten)."""
    texts = cycles.generate_many(family, 40, seed=3)
    assert texts == cycles.generate_many(family, 40, seed=3)
    assert texts != cycles.generate_many(family, 40, seed=4)
    names = [t.split()[1] for t in texts]
    assert len(set(names)) == 40
    for text in texts:
        test = parse_text(text, "t")
        assert 2 <= len(test.threads) <= 4
    for text in texts[:10]:
        result = Pipeline().run(parse_text(text, "t"), RunOptions.named(model="sc"))
        assert result.states and result.positive == 0, text


def test_bad_cycles_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="unknown edge 'PodXY'"):
        cycles.parse_cycle("x86_64", "PodXY Fre")
    with pytest.raises(ValueError, match="ends on R"):
        cycles.parse_cycle("x86_64", "PodWR Rfe PodWR Fre")
    with pytest.raises(ValueError, match="memory orders"):
        cycles.parse_cycle("C", "PodWR Fre PodWR Fre")


def test_armv7_and_its_axiomatic_twin_agree_on_diy_tests():
    """The operational armv7 and armv7-axiomatic (arm.cat) give the same outcome sets on
    diy-style ARM tests (two threads: the operational model's cost grows fast with three)."""
    differ = []
    for i in range(12):
        text = cycles.generate("ARM", 300 + i, threads=2)
        test = parse_text(text, "t")
        sets = [Pipeline().run(test, RunOptions.named(model=m)).outcome_set()
                for m in ("armv7", "armv7-axiomatic")]  # fmt: skip
        if sets[0] != sets[1]:
            differ.append(text.split()[1])
    assert differ == []


@pytest.mark.parametrize("threads", [3, 4])
@pytest.mark.parametrize("family", cycles.FAMILIES)
def test_generated_tests_of_a_given_number_of_threads(family, threads):
    """`threads` fixes every test's number of threads (bench/model_diff.py --threads), where
    without it they are drawn, mostly 2 and 3."""
    texts = cycles.generate_many(family, 8, seed=5, threads=threads)
    assert [len(parse_text(t, "t").threads) for t in texts] == [threads] * 8
    drawn = [len(parse_text(t, "t").threads) for t in cycles.generate_many(family, 8, seed=5)]
    assert drawn != [threads] * 8
