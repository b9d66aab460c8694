"""ABS (FEAT_CSSC, herd's AArch64 tests use it): keystone 0.9.2 cannot assemble it, capstone 5.0.7
cannot decode it and Unicorn 2.1.4 raises an exception on it, so fencelab encodes, decodes,
classifies and runs it itself (`aarch64_encode.encode_abs`/`decode_abs`, `AArch64.decode_own`,
`AArch64.emulate`, `Core._emulate`). Before, it was refused naming the feature.

Encodings from llvm-mc (`-mattr=+cssc`, llvm/test/MC/AArch64/CSSC/abs_64.s, abs_32.s).
"""

from __future__ import annotations

import pytest

from fencelab.errors import FencelabError
from fencelab.isa.aarch64_encode import decode_abs, encode_if_needed
from fencelab.isa.insn import Kind
from fencelab.isa.registry import TARGETS
from tests.helpers.litmus import run_states, table

V80, V83 = TARGETS["armv8"], TARGETS["armv8.3"]
CODE = 0x10000


@pytest.mark.parametrize("line, word", [
    ("abs x0, x0", 0xDAC02000),
    ("abs x21, x10", 0xDAC02155),
    ("abs xzr, xzr", 0xDAC023FF),
    ("abs w0, w0", 0x5AC02000),
    ("ABS W23,W13", 0x5AC021B7),
])  # fmt: skip
def test_encodings(line, word):
    assert encode_if_needed(line, frozenset()) == word
    assert decode_abs(word) is not None


@pytest.mark.parametrize("line", ["abs x0, w1", "abs sp, x1", "abs x0", "abs x0, x1, x2"])
def test_malformed_operands_are_refused(line):
    with pytest.raises(FencelabError, match="expected abs <Wd>, <Wn> or abs <Xd>, <Xn>"):
        encode_if_needed(line, frozenset())


@pytest.mark.parametrize("target", [V80, V83])
def test_assembled_and_decoded_between_other_instructions(target):
    lines = ["ldr x1, [x2]", "abs x0, x1", "abs w3, wzr", "str x0, [x2]"]
    code = target.assemble(lines, CODE)
    assert code[4:8] == (0xDAC02020).to_bytes(4, "little")
    decoded = target.disassemble(code, CODE)
    assert [d.text for d in decoded] == lines
    abs_info = decoded[1].info
    assert abs_info.kind is Kind.OTHER
    assert abs_info.reads == {"x1"} and abs_info.writes == {"x0"}
    assert decoded[2].info.reads == frozenset() and decoded[2].info.writes == {"x3"}


@pytest.mark.parametrize("model", ["arm", "arm-axiomatic", "sc"])
def test_values(cli, tmp_path, model):
    # |-5|, the most negative value kept, a W result zero-extended, a W operand's low bits only
    text = table("AB", "int64_t 0:X1=-5; int64_t 0:X3=0x8000000000000000; int64_t 0:X5=0x1fffffff0;"
                 " int64_t 0:X0; int64_t 0:X2; int64_t 0:X4=-1; int64_t 0:X6; 0:X8=x;",
                 [["ABS X0,X1", "ABS X2,X3", "ABS W4,W1", "ABS W6,W5", "STR X0,[X8]"]],
                 "forall (x=5)")  # fmt: skip
    text = text.replace("forall (x=5)", "locations [0:X0; 0:X2; 0:X4; 0:X6;]\nforall (x=5)")
    states, verdict = run_states(cli, tmp_path, text, model)
    assert states == ["0:X0=5; 0:X2=-9223372036854775808; 0:X4=5; 0:X6=16; [x]=5;"]
    assert verdict == "Ok"


@pytest.mark.parametrize("model", ["arm", "arm-axiomatic"])
def test_a_dependency_runs_through_it(cli, tmp_path, model):
    # MP: y's read -> ABS -> the address of x's read: ordered, so 1:X1=1 /\ 1:X4=0 is forbidden;
    # without the ABS in the chain (an independent register) it is allowed
    def mp(src: str) -> str:
        return table("AD", "0:X0=x; 0:X2=y; 1:X0=x; 1:X2=y;",
                     [["MOV X1,#1", "STR X1,[X0]", "DMB ST", "STR X1,[X2]"],
                      ["LDR X1,[X2]", f"ABS X3,{src}", "AND X3,X3,#8", "ADD X5,X0,X3",
                       "LDR X4,[X5]"]],
                     "exists (1:X1=1 /\\ 1:X4=0)")  # fmt: skip

    assert run_states(cli, tmp_path, mp("X1"), model)[1] == "No"
    assert run_states(cli, tmp_path, mp("X9"), model)[1] == "Ok"
