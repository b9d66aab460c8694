"""AArch64 UDF (permanently undefined): its exception ends the thread, nothing after it runs, as
in herd's UDF test (its one state, `Always`). keystone 0.9.2 does not know UDF: fencelab encodes
it (`UDF #imm16` is the word imm16). Before, every test with a UDF was refused."""

from __future__ import annotations

import pytest

from fencelab.errors import FencelabError
from fencelab.hw.native import run_native
from fencelab.isa.registry import get_target
from fencelab.litmus.parser import parse_text
from fencelab.pipeline import program_for
from tests.helpers.litmus import run_states, table

STOPS = table("U", "0:X1=x; 1:X1=x; uint32_t x;",
              [["MOV W0,#1", "STR W0,[X1]", "UDF #7", "MOV W0,#2", "STR W0,[X1]"],
               ["LDR W2,[X1]"]],
              "exists (0:X0=2 \\/ x=2)")  # fmt: skip


@pytest.mark.parametrize("model", ["arm", "arm-axiomatic", "sc"])
def test_nothing_after_it_runs(cli, tmp_path, model):
    states, verdict = run_states(cli, tmp_path, STOPS.replace("exists (", "locations [1:X2;]\nexists ("),
                                 model)  # fmt: skip
    assert states == ["0:X0=1; 1:X2=0; [x]=1;", "0:X0=1; 1:X2=1; [x]=1;"]
    assert verdict == "No"


@pytest.mark.parametrize("written", ["UDF 1", "udf #0xffff", "UDF #0"])
def test_herds_spellings_assemble(cli, tmp_path, written):
    states, verdict = run_states(cli, tmp_path, table("S", "", [[written]], "forall (true)"), "sc")
    assert (states, verdict) == ([""], "Ok")  # herd's UDF: one empty state


def test_an_immediate_beyond_16_bits_is_one_line(cli, tmp_path):
    path = tmp_path / "t.litmus"
    path.write_text(table("B", "", [["UDF #65536"]], "forall (true)"))
    result = cli(["run", str(path)])
    assert result.exit_code == 2
    assert result.output == (f"fencelab: error: {path}:6:2: P0: cannot assemble 'UDF #65536': "
                             "expected udf #<imm16>\n")  # fmt: skip


def test_no_cpu_runs_it_as_fencelab_does():
    program = program_for(parse_text(STOPS), get_target("armv8"))
    with pytest.raises(FencelabError, match=r"^<input>: P0: udf #7 raises an exception that ends "
                                            r"its thread"):  # fmt: skip
        run_native(program, 1)
