"""herd's immediate ADD/ADDS/SUB/SUBS (and CMP/CMN) from the zero register (`SUBS W0,WZR,#1`,
herd's M001): no A64 instruction (register 31 of an immediate ADD/SUB is SP), which keystone
refused ("Invalid operand"). fencelab gives it a word of its own and runs it itself
(`aarch64_encode.encode_zr_immediate`, `AArch64.emulate`): its result and flags are checked here
against Unicorn running the same operation from a register holding 0."""

from __future__ import annotations

import pytest

from fencelab.errors import FencelabError
from fencelab.hw.native import run_native
from fencelab.isa.registry import get_target
from fencelab.litmus.parser import parse_text
from fencelab.pipeline import program_for
from tests.helpers.litmus import run_states, table

FLAGS = ["CSET W5,EQ", "CSET W6,MI", "CSET W7,CS", "CSET W8,VS"]


def _flags_test(insn: str) -> str:
    return table("Z", "0:X1=0; 0:X0=-1; int64_t 0:X0; uint64_t x; 0:X2=x;",
                 [[insn, *FLAGS, "STR X0,[X2]"]],
                 "locations [0:X0; 0:X5; 0:X6; 0:X7; 0:X8;]\nexists (x=0)")  # fmt: skip


@pytest.mark.parametrize("insn", [
    "SUBS W0,WZR,#1", "SUBS W0,WZR,#0", "ADDS W0,WZR,#4095", "SUBS X0,XZR,#1",
    "ADDS X0,XZR,#1,LSL #12", "SUBS W0,WZR,#4096", "ADD W0,WZR,#5", "SUB X0,XZR,#3",
    "CMP WZR,#1", "CMN XZR,#0", "SUBS WZR,WZR,#2",
])  # fmt: skip
def test_it_gives_what_the_register_form_gives_on_unicorn(cli, tmp_path, insn):
    ours = run_states(cli, tmp_path, _flags_test(insn), "sc")
    with_register = insn.replace("WZR,#", "W1,#").replace("XZR,#", "X1,#")
    assert ours == run_states(cli, tmp_path, _flags_test(with_register), "sc")


@pytest.mark.parametrize("insn, value", [("SUBS W0,WZR,W1", 4294967295), ("CMP WZR,W1", 7)])
def test_the_register_forms_are_still_keystones(cli, tmp_path, insn, value):
    text = table("R", "0:X1=1; 0:X0=7; 0:X2=x; uint32_t x;", [[insn, "STR W0,[X2]"]],
                 "exists (x=0)")  # fmt: skip
    states, _ = run_states(cli, tmp_path, text, "sc")
    assert states == [f"[x]={value};"]


@pytest.mark.parametrize("model", ["arm", "arm-axiomatic", "sc"])
def test_a_negative_immediate_from_zero_is_stored(cli, tmp_path, model):
    # before: "cannot assemble 'SUBS W0,WZR,#1': Invalid operand (KS_ERR_ASM_INVALIDOPERAND)"
    text = table("M", "uint32_t x; 0:X2=x;", [["SUBS W0,WZR,#1", "STR W0,[X2]"]],
                 "forall (x=4294967295)")  # fmt: skip
    states, verdict = run_states(cli, tmp_path, text, model)
    assert states == ["[x]=4294967295;"]
    assert verdict == "Ok"


@pytest.mark.parametrize("insn", ["SUBS W0,WZR,#5000", "SUBS W0,XZR,#1", "CMP WZR,#-1"])
def test_what_it_cannot_be_is_one_line_at_its_place(cli, tmp_path, insn):
    path = tmp_path / "t.litmus"
    path.write_text(table("B", "", [[insn]], "exists (0:X0=0)"))
    result = cli(["run", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith(f"fencelab: error: {path}:6:2: P0: cannot assemble '{insn}'")
    assert len(result.output.splitlines()) == 1


def test_no_cpu_runs_it():
    # its word is fencelab's own, in the reserved encoding space: `fencelab hw` refuses it
    # (checked before the host's architecture, so on any host)
    test = parse_text(table("H", "0:X2=x;", [["SUBS W0,WZR,#1", "STR W0,[X2]"]],
                              "exists (x=0)"))  # fmt: skip
    program = program_for(test, get_target("armv8"))
    with pytest.raises(FencelabError, match=r"^<input>: P0: subs w0, wzr, #0x1 is herd's, not an A64 "
                                            r"instruction \(register 31"):  # fmt: skip
        run_native(program, 1)
