"""x86-64's classifier reads capstone's answers once (`classify.ReadOnce`): the same InsnInfo
as reading capstone's instruction directly, for every instruction of herd's x86 tests and our
examples, and refusals alike."""

from __future__ import annotations

import pytest

from fencelab.errors import FencelabError
from fencelab.isa import classify
from fencelab.isa.registry import get_target
from fencelab.isa.x86_64_classify import classify_x86
from fencelab.litmus.parser import parse_file
from fencelab.program.load import load
from tests.helpers import EXAMPLES, HERD_DATA


def _codes():
    files = [*sorted((HERD_DATA / "x86").glob("*.litmus")),
             *sorted((HERD_DATA / "x86_64").glob("*.litmus")),
             *sorted((EXAMPLES / "x86_64").glob("*.litmus"))]  # fmt: skip
    out = []
    for f in files:
        try:
            program = load(parse_file(f))
        except FencelabError:
            continue
        out += [(t.code, t.base) for t in program.threads]
    return out


def test_read_once_classifies_as_capstone_read_directly():
    target = get_target("x86_64")
    seen = 0
    for code, base in _codes():
        for insn in target._cs.disasm(code, base):
            assert classify_x86(target, classify.ReadOnce(insn)) == classify_x86(target, insn)
            seen += 1
    assert seen > 60


@pytest.mark.parametrize("code", ["50", "8304250000100001"])  # pushq %rax; addl $1,0x100000
def test_refusals_are_the_same(code):  # (no LOCK: a non-atomic read-modify-write)
    target = get_target("x86_64")
    insn = next(target._cs.disasm(bytes.fromhex(code), 0x1000))
    with pytest.raises(FencelabError) as direct:
        classify_x86(target, insn)
    with pytest.raises(FencelabError) as once:
        classify_x86(target, classify.ReadOnce(insn))
    assert str(once.value) == str(direct.value)


def test_group_and_names_are_capstone_answers():
    target = get_target("x86_64")
    code = target.assemble(["jne 0x1010", "movl 0x100000,%eax"], 0x1000)
    for insn in target._cs.disasm(code, 0x1000):
        once = classify.ReadOnce(insn)
        for group in range(0, 200):
            assert once.group(group) == insn.group(group)
        assert once.insn_name() == insn.insn_name()
        assert [once.reg_name(r) for r in range(1, 40)] == [insn.reg_name(r) for r in range(1, 40)]
