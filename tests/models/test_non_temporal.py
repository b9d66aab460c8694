"""LDNP, the non-temporal load pair, under the ARMv8 models (`arm`, `arm-axiomatic`).

Arm ARM C3.2.9: "If an address dependency exists between two memory reads, and a load
non-temporal pair instruction generated the second read, then in the absence of any other
barrier mechanism to achieve order, those memory accesses can be observed in any order" (herd's
AArch64 L070 is Allowed for that reason). Only that edge is lost: a barrier still orders the
reads, the address dependency still orders a later write (`addr; po; [W]`), and a dependency
through the LDNP's registers still orders a later access after the read the address came from.
Before, both engines refused LDNP; `sc` ran it as an LDP.
"""

from __future__ import annotations

import pytest

from tests.helpers.litmus import run_states, table

INIT = "int64_t t[2]; int64_t f; int64_t y; 0:X0=t; 0:X2=f; 0:X8=y; 1:X0=t; 1:X2=f; 1:X8=y;"
WRITER = ["MOV X1,#1", "MOV X3,#1", "STP X1,X3,[X0]", "DMB ST", "STR X1,[X2]"]
# P1 reads f, then t through an address that depends on f's value (AND X3,X1,#8 is always 0)
READER = ["LDR X1,[X2]", "AND X3,X1,#8", "ADD X4,X0,X3"]


MODELS = ["arm", "arm-axiomatic"]


@pytest.mark.parametrize("model", MODELS)
def test_an_address_dependency_does_not_order_an_ldnp(cli, tmp_path, model):
    text = table("NT", INIT, [WRITER, [*READER, "LDNP X5,X6,[X4]"]], "exists (1:X1=1 /\\ 1:X5=0)")
    states, verdict = run_states(cli, tmp_path, text, model)
    assert states == ["1:X1=0; 1:X5=0;", "1:X1=0; 1:X5=1;", "1:X1=1; 1:X5=0;",
                      "1:X1=1; 1:X5=1;"]  # fmt: skip
    assert verdict == "Ok"


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("pair", ["LDP X5,X6,[X4]", "DMB LD|LDNP X5,X6,[X4]"])
def test_an_ldp_or_a_barrier_keeps_the_order(cli, tmp_path, model, pair):
    text = table("NT", INIT, [WRITER, [*READER, *pair.split("|")]], "exists (1:X1=1 /\\ 1:X5=0)")
    states, verdict = run_states(cli, tmp_path, text, model)
    assert "1:X1=1; 1:X5=0;" not in states
    assert verdict == "No"


@pytest.mark.parametrize("model", MODELS)
def test_the_address_dependency_still_orders_a_later_write(cli, tmp_path, model):
    # LB: f's read -addr-> LDNP -po-> the write of y (`addr; po; [W]`) is kept
    text = table("NT", INIT, [["LDR X1,[X8]", "DMB SY", "MOV X3,#1", "STR X3,[X2]"],
                              [*READER, "LDNP X5,X6,[X4]", "MOV X7,#1", "STR X7,[X8]"]],
                 "exists (0:X1=1 /\\ 1:X1=1)")  # fmt: skip
    states, verdict = run_states(cli, tmp_path, text, model)
    assert states == ["0:X1=0; 1:X1=0;", "0:X1=0; 1:X1=1;", "0:X1=1; 1:X1=0;"]
    assert verdict == "No"


@pytest.mark.parametrize("model", MODELS)
def test_a_dependency_through_the_ldnp_registers_orders_a_later_read(cli, tmp_path, model):
    # f -> (address) LDNP -> X5 -> (address) the read of y: that read comes after f's
    text = table("NT", INIT, [["MOV X1,#1", "STR X1,[X8]", "DMB ST", "STR X1,[X2]"],
                              [*READER, "LDNP X5,X6,[X4]", "AND X7,X5,#8", "ADD X9,X8,X7",
                               "LDR X10,[X9]"]],
                 "exists (1:X1=1 /\\ 1:X10=0)")  # fmt: skip
    states, verdict = run_states(cli, tmp_path, text, model)
    assert states == ["1:X1=0; 1:X10=0;", "1:X1=0; 1:X10=1;", "1:X1=1; 1:X10=1;"]
    assert verdict == "No"


def test_sc_runs_it_as_an_ldp(cli, tmp_path):
    text = table("NT", INIT, [WRITER, [*READER, "LDNP X5,X6,[X4]"]], "exists (1:X1=1 /\\ 1:X5=0)")
    states, verdict = run_states(cli, tmp_path, text, "sc")
    assert "1:X1=1; 1:X5=0;" not in states
    assert verdict == "No"


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("pair, verdict", [("LDNP W5,W6,[X4]", "Ok"), ("LDP W5,W6,[X4]", "No")])
def test_on_a_byte_wise_location(cli, tmp_path, model, pair, verdict):
    # t's elements written by a byte and a half-word store: the reads take their bytes apart
    text = table("NM", "uint32_t t[2]; int64_t f; 0:X0=t; 0:X2=f; 1:X0=t; 1:X2=f;",
                 [["MOV W1,#1", "STRB W1,[X0,#1]", "STRH W1,[X0,#4]", "DMB ST", "STR X1,[X2]"],
                  [*READER, pair]], "exists (1:X1=1 /\\ 1:X5=0)")  # fmt: skip
    states, got = run_states(cli, tmp_path, text, model)
    assert got == verdict
    assert ("1:X1=1; 1:X5=0;" in states) == (verdict == "Ok")
    assert "1:X1=1; 1:X5=256;" in states
