"""AArch64 LDR/LDRSW (literal) of a location: herd's `LDR X0,x` (its A245; herdtools7 PR #514:
"similar to ADR, except it also loads the value at the memory location"), a load of x's value,
assembled as a literal (PC-relative) load of x's address; no register forms the address, so it
carries no address dependency. Before, it was refused ("a literal load is not supported")."""

from __future__ import annotations

import pytest

from tests.helpers.litmus import run_states, table

MP = table("MP+lit", "0:X1=x; 0:X3=y; int64_t x; uint32_t y=-1;",
           [["MOV X0,#1", "STR X0,[X1]", "DMB ISH", "MOV W2,#2", "STR W2,[X3]"],
            ["LDR W0, y", "DMB ISH", "LDR X2, x", "LDRSW X4, y"]],
           "locations [1:X4;]\nexists (1:X0=2 /\\ 1:X2=0)")  # fmt: skip


@pytest.mark.parametrize("model", ["arm", "arm-axiomatic", "sc"])
def test_it_loads_the_locations_value(cli, tmp_path, model):
    states, verdict = run_states(cli, tmp_path, MP.replace("int64_t x;", "int64_t x; int64_t 1:X4;"),
                                 model)  # fmt: skip
    # y starts as 0xffffffff: LDRSW sign-extends it (X4 is declared 64-bit), LDR W0 prints as
    # herd's int; after reading y=2 the DMB makes x=1 seen, and coherence y=2 again
    assert set(states) == {"1:X0=-1; 1:X2=0; 1:X4=-1;", "1:X0=-1; 1:X2=1; 1:X4=-1;",
                           "1:X0=-1; 1:X2=0; 1:X4=2;", "1:X0=-1; 1:X2=1; 1:X4=2;",
                           "1:X0=2; 1:X2=1; 1:X4=2;"}  # fmt: skip
    assert verdict == "No"


@pytest.mark.parametrize("model", ["arm", "arm-axiomatic"])
def test_it_is_not_ordered_like_an_address_dependency(cli, tmp_path, model):
    # the literal load's address is a constant: nothing orders it after the first read
    text = table("MP+lit-noaddr", "0:X1=x; 0:X3=y; int64_t x; int64_t y; 1:X1=y;",
                 [["MOV X0,#1", "STR X0,[X1]", "DMB ISH", "STR X0,[X3]"],
                  ["LDR X0,[X1]", "LDR X2, x"]],
                 "exists (1:X0=1 /\\ 1:X2=0)")  # fmt: skip
    states, verdict = run_states(cli, tmp_path, text, model)
    assert "1:X0=1; 1:X2=0;" in states
    assert verdict == "Ok"


def test_a_literal_of_no_location_is_one_line(cli, tmp_path):
    path = tmp_path / "t.litmus"
    path.write_text(table("B", "0:X1=x;", [["LDR X0, L0", "L0:"]], "exists (0:X0=0)"))
    result = cli(["run", str(path)])
    assert result.exit_code == 2
    assert len(result.output.splitlines()) == 1
    assert result.output == (f"fencelab: error: {path}:6:2: P0: cannot assemble 'LDR X0, L0': a "
                             "literal (PC-relative) load of L0, which is no location of the test "
                             "(a load of code: fencelab has no instruction-fetch model)\n")  # fmt: skip
