"""A32 LDM (LDMIB, LDMDA, LDMDB, with or without writeback) and LDRD: one word read per register,
each its own single-copy-atomic access, no order between them, each register with its own
read's dependencies (herd's ARMSem.ml: `read_mem nat_sz a >>| read_mem nat_sz a2`, then
`write_reg rd1 v1 >>| write_reg rd2 v2`; its ARM tests A005, A007-A009).

Before: LDM was refused by every model; LDRD of two locations was refused by `aarch32` and
`armv7`, and under `armv7-axiomatic` both of its registers carried both reads' dependencies (a
`No` where herd's semantics give `Ok`).
"""

from __future__ import annotations

import pytest

from tests.helpers.litmus import table

INIT = "int x[2]; 0:R0=x; 0:R5=y; 1:R0=x; 1:R5=y;"
MODELS = ["aarch32", "armv7", "armv7-axiomatic"]


def _run(cli, tmp_path, text: str, model: str):
    path = tmp_path / "t.litmus"
    path.write_text(text)
    return cli(["run", "--model", model, str(path)]), path


def _states(cli, tmp_path, text: str, model: str) -> tuple[list[str], str]:
    result, _ = _run(cli, tmp_path, text, model)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    count = int(lines[1].split()[1])
    return lines[2 : 2 + count], lines[2 + count]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("load", ["LDM R0,{R1,R2}", "LDRD R2,R3,[R0]"])
def test_the_reads_of_one_instruction_are_not_ordered(cli, tmp_path, model, load):
    # P0 writes x[1] then (DMB) x[0]; P1 may see the new x[0] and the old x[1]
    first, second = ("R1", "R2") if load.startswith("LDM") else ("R2", "R3")
    text = table("LM", INIT, [["MOV R1,#1", "STR R1,[R0,#4]", "DMB", "STR R1,[R0]"], [load]],
                 f"exists (1:{first}=1 /\\ 1:{second}=0)", arch="ARM")  # fmt: skip
    states, verdict = _states(cli, tmp_path, text, model)
    assert states == [f"1:{first}={a}; 1:{second}={b};" for a in (0, 1) for b in (0, 1)]
    assert verdict == "Ok"


def _dependency(load: str, on: str) -> str:
    # P0 writes y then (DMB) x[0]; P1's read of y has an address dependency on register `on`
    return table("LD", INIT, [["MOV R1,#1", "STR R1,[R5]", "DMB", "STR R1,[R0]"],
                              [load, f"AND R6,{on},#0", "LDR R4,[R5,R6]"]],
                 "exists (1:R4=0 /\\ " + ("1:R1=1)" if "LDM" in load else "1:R2=1)"),
                 arch="ARM")  # fmt: skip


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("load, on, verdict", [
    ("LDM R0,{R1,R2}", "R1", "No"),  # on the read of x[0]: ordered
    ("LDM R0,{R1,R2}", "R2", "Ok"),  # on the read of x[1] only
    ("LDRD R2,R3,[R0]", "R2", "No"),
    ("LDRD R2,R3,[R0]", "R3", "Ok"),  # before: No under armv7-axiomatic
])  # fmt: skip
def test_each_register_carries_its_own_reads_dependency(cli, tmp_path, model, load, on, verdict):
    states, got = _states(cli, tmp_path, _dependency(load, on), model)
    assert got == verdict
    assert len(states) == (3 if verdict == "No" else 4)


@pytest.mark.parametrize("model", [*MODELS, "sc"])
def test_addressing_modes_writeback_and_conditions(cli, tmp_path, model):
    # LDM R0! leaves R0 at x+8, which the LDMDA then reads below (x[1], x[2])
    text = table("LW", "int x[4]={1,2,3,4}; 0:R0=x; 0:R5=x;",
                 [["LDM R0!,{R1,R2}", "LDMDA R0,{R3,R4}", "ADD R5,R5,#8", "LDMDB R5,{R6,R7}",
                   "CMP R1,#2", "LDMEQ R5,{R8,R9}", "LDMNE R5,{R10,R11}", "LDMIB R5,{R12}"]],
                 "forall (0:R1=1 /\\ 0:R2=2 /\\ 0:R3=2 /\\ 0:R4=3 /\\ 0:R6=1 /\\ 0:R7=2 /\\ "
                 "0:R8=0 /\\ 0:R10=3 /\\ 0:R11=4 /\\ 0:R12=4)", arch="ARM")  # fmt: skip
    states, verdict = _states(cli, tmp_path, text, model)
    assert states == ["0:R1=1; 0:R2=2; 0:R3=2; 0:R4=3; 0:R6=1; 0:R7=2; 0:R8=0; 0:R10=3; "
                      "0:R11=4; 0:R12=4;"]  # fmt: skip
    assert verdict == "Ok"


def test_ldrd_of_one_doubleword_location_under_aarch32(cli, tmp_path):
    # two word reads of one int64_t location: its halves, little-endian
    text = table("LQ", "int64_t x=0x200000001; 0:R1=x;", [["LDRD R2,R3,[R1]"]],
                 "forall (0:R2=1 /\\ 0:R3=2)", arch="ARM")  # fmt: skip
    states, verdict = _states(cli, tmp_path, text, "aarch32")
    assert states == ["0:R2=1; 0:R3=2;"]
    assert verdict == "Ok"


def test_armv7_refuses_ldrd_of_one_doubleword_location_at_its_line(cli, tmp_path):
    # its halves are two word accesses inside one location: mixed-size, which armv7 refuses
    text = table("LQ", "int64_t x=0x200000001; 0:R1=x;", [["LDRD R2,R3,[R1]"]],
                 "forall (0:R2=1 /\\ 0:R3=2)", arch="ARM")  # fmt: skip
    result, path = _run(cli, tmp_path, text, "armv7")
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"fencelab: error: {path}:6:2: P0: LDRD R2,R3,[R1]: model armv7 cannot run it: a 4-byte "
        "read at x+4: mixed-size accesses are covered by the sc, tso, arm, aarch32 and "
        "arm-axiomatic models only")
