"""Atomic pairs: LDXP/STXP (and LDAXP/STLXP), CASP/CASPA/CASPL/CASPAL on 128-bit locations
(`__int128 x`) and on two-element arrays (herd's own pair tests: `uint64_t t[2]`, `int x[2]`).

Our own tests first, each asserting the outcome set under both ARMv8 engines (the operational
Promising-ARM machine and the axiomatic aarch64.cat checker, which must agree); then herd's
tests (tests/data/herd/aarch64-pairs) against herd7's outcome sets from their .expected files.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from fencelab.cli import main
from fencelab.errors import FencelabError
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state
from fencelab.machine.explore import exhaustive
from fencelab.machine.machine import Machine
from fencelab.models.axiomatic.arm import run_axiomatic
from fencelab.models.registry import get_model
from fencelab.program.load import load
from tests.helpers import HERD_DATA
from tests.helpers.herd import expected_outcomes
from tests.helpers.litmus import table

HERD = HERD_DATA / "aarch64-pairs"


def both(text: str, file: str = "T") -> tuple[set[str], bool]:
    """Outcomes and verdict under Promising-ARM and the axiomatic checker (they must agree)."""
    program = load(parse_text(text, file))
    operational = exhaustive(Machine(program, get_model("arm").new()))
    axiomatic = run_axiomatic(load(parse_text(text, file)))
    states = {format_state(s.outcome) for s in operational.states}
    assert states == {format_state(s.outcome) for s in axiomatic.states}
    assert operational.ok == axiomatic.ok
    return states, operational.ok


# ---------------------------------------------------------------------------------------------
# 128-bit locations: values, initial values and conditions beyond 64 bits

HI = 1 << 64


def test_ldxp_reads_both_halves_of_a_128_bit_initial_value():
    text = table("LDXP", "__int128 x = 0x20000000000000001; 0:X2=x; int64_t 0:X0; int64_t 0:X1;",
                 [["LDXP X0,X1,[X2]"]], "forall (0:X0=1 /\\ 0:X1=2)")  # fmt: skip
    assert both(text) == ({"0:X0=1; 0:X1=2;"}, True)


def test_stxp_writes_one_128_bit_value_and_the_condition_compares_it_whole():
    text = table(
        "STXP", "__int128 x; 0:X2=x;",
        [["MOV X0,#5", "MOV X1,#7", "LDXP X3,X4,[X2]", "STXP W9,X0,X1,[X2]"]],
        f"exists (x={7 * HI + 5} /\\ 0:X9=0)",
    )  # fmt: skip
    states, ok = both(text)
    assert ok and states == {"0:X9=0; [x]=0x70000000000000005;", "0:X9=1; [x]=0x0;"}  # hex, as herd
    # the same value in hex, and a condition constant may use all 128 bits
    hexed = text.replace(f"x={7 * HI + 5}", "x=0x70000000000000005")
    assert both(hexed)[1]
    with pytest.raises(FencelabError, match="does not fit in 128 bits"):
        parse_text(text.replace(f"x={7 * HI + 5}", f"x={1 << 128}"))


def test_a_128_bit_value_is_signed_as_an_int128():
    text = table("NEG", "__int128 x; 0:X2=x;",
                 [["MOV X0,#-1", "LDXP X3,X4,[X2]", "STXP W9,X0,X0,[X2]"]],
                 "exists (x=-1)")  # fmt: skip
    states, ok = both(text)
    assert ok and "[x]=-0x1;" in states
    unsigned = text.replace("__int128 x;", "unsigned __int128 x;")
    assert f"[x]={hex((1 << 128) - 1)};" in both(unsigned.replace("x=-1", f"x={(1 << 128) - 1}"))[0]


# ---------------------------------------------------------------------------------------------
# Single-copy atomicity: a pair is read and written whole


def test_ldxp_never_sees_half_of_another_threads_stxp():
    # P0 writes (1,1) over (0,0) with one STXP; P1's LDXP sees (0,0) or (1,1), never a mix,
    # even when its own STXP fails (herd's L031 likewise lists no torn state)
    text = table(
        "NoTear", "__int128 x; 0:X2=x; 1:X2=x; uint64_t 1:X3; uint64_t 1:X4;",
        [["MOV X0,#1", "LDXP X5,X6,[X2]", "STXP W9,X0,X0,[X2]"],
         ["LDXP X3,X4,[X2]", "STXP W9,X3,X4,[X2]"]],
        "exists (1:X3=1 /\\ 1:X4=0 \\/ 1:X3=0 /\\ 1:X4=1)",
    )  # fmt: skip
    states, ok = both(text)
    assert not ok
    assert {s.split("1:X3=")[1][:1] + s.split("1:X4=")[1][:1] for s in states} == {"00", "11"}


def test_two_exclusive_pair_increments_never_lose_one():
    # both read (0,0) and write (1,1): the second store-exclusive must fail
    text = table(
        "Inc", "__int128 x; 0:X2=x; 1:X2=x;",
        [["LDXP X3,X4,[X2]", "ADD X3,X3,#1", "ADD X4,X4,#1", "STXP W9,X3,X4,[X2]"]] * 2,
        f"exists (0:X9=0 /\\ 1:X9=0 /\\ x={HI + 1})",
    )  # fmt: skip
    states, ok = both(text)
    assert not ok
    assert f"0:X9=0; 1:X9=0; [x]={hex(2 * HI + 2)};" in states


@pytest.mark.parametrize(
    "load, store, allowed",
    [("LDAXP", "STLXP", False), ("LDXP", "STLXP", True), ("LDAXP", "STXP", True)],
)
def test_mp_through_an_acquire_release_pair(load, store, allowed):
    text = table(
        "MP", "__int128 f; 0:X1=d; 0:X2=f; 1:X1=d; 1:X2=f;",
        [["MOV W0,#1", "STR W0,[X1]", "MOV X3,#1", "LDXP X4,X5,[X2]",
          f"{store} W9,X3,X3,[X2]"],
         [f"{load} X4,X5,[X2]", "LDR W0,[X1]"]],
        "exists (0:X9=0 /\\ 1:X4=1 /\\ 1:X0=0)",
    )  # fmt: skip
    assert both(text)[1] is allowed


# ---------------------------------------------------------------------------------------------
# CASP: compare both halves, write both halves, or only read


@pytest.mark.parametrize("expected_hi, swaps", [(2, True), (3, False)])
def test_casp_compares_both_halves(expected_hi, swaps):
    text = table(
        "CASP", "__int128 x = 0x20000000000000001; 0:X4=x; int64_t 0:X0; int64_t 0:X1;",
        [["MOV X0,#1", f"MOV X1,#{expected_hi}", "MOV X2,#8", "MOV X3,#9",
          "CASP X0,X1,X2,X3,[X4]"]],
        "locations [0:X0; 0:X1; x;]\nforall (true)",
    )  # fmt: skip
    (state,) = both(text)[0]
    new = 9 * HI + 8 if swaps else 2 * HI + 1
    assert state == f"0:X0=1; 0:X1=2; [x]={hex(new)};"  # Rs, Rs+1 get the old value either way


def test_two_casps_from_the_same_value_one_wins():
    text = table(
        "CASP2", "__int128 x; 0:X4=x; 1:X4=x;",
        [["MOV X0,#0", "MOV X1,#0", "MOV X2,#1", "MOV X3,#1", "CASP X0,X1,X2,X3,[X4]"],
         ["MOV X0,#0", "MOV X1,#0", "MOV X2,#2", "MOV X3,#2", "CASP X0,X1,X2,X3,[X4]"]],
        f"forall (x={HI + 1} /\\ 1:X0=1 \\/ x={2 * HI + 2} /\\ 0:X0=2)",
    )  # fmt: skip
    states, ok = both(text)
    assert ok and len(states) == 2


def test_casp_of_w_registers_on_a_two_element_int_array():
    text = table(
        "CASPW", "int v[2] = {1,2}; 0:X4=v;",
        [["MOV W0,#1", "MOV W1,#2", "MOV W2,#-3", "MOV W3,#4", "CASP W0,W1,W2,W3,[X4]"]],
        "forall (v[0]=-3 /\\ v[1]=4 /\\ 0:X0=1 /\\ 0:X1=2)",
    )  # fmt: skip
    assert both(text)[1]


def test_an_element_written_alone_keeps_its_value_beside_a_pair_on_another_array():
    """A pair instruction anywhere gives every 32/64-bit array its pair locations (`t[0..1]`);
    one never accessed must not put its elements' initial values back at the end."""
    text = table(
        "PairElsewhere", "int64_t t[2] = {1,2}; int64_t u[2]; 0:X4=u; 1:X1=t;",
        [["LDXP X2,X3,[X4]"], ["MOV X0,#9", "STR X0,[X1,#8]"]],
        "forall (t[0]=1 /\\ t[1]=9)",
    )  # fmt: skip
    assert both(text) == ({"t[0]=1; t[1]=9;"}, True)
    sc = exhaustive(Machine(load(parse_text(text, "T")), get_model("sc").new()))
    assert sc.ok and len(sc.states) == 1


@pytest.mark.parametrize(
    "writer, reader, allowed",
    [("CASPL", "CASPA", False), ("CASPAL", "CASPAL", False), ("CASP", "CASPA", True),
     ("CASPL", "CASP", True)],
)  # fmt: skip
def test_mp_through_ordered_casps(writer, reader, allowed):
    # P0: data, then a CASP sets the flag pair to (1,1); P1: a CASP that fails (it expects
    # (7,7)) reads the flag, then the data. Release/acquire order the two sides.
    text = table(
        "MPCASP", "__int128 f; 0:X1=d; 0:X4=f; 1:X1=d; 1:X4=f;",
        [["MOV W9,#1", "STR W9,[X1]", "MOV X2,#1", "MOV X3,#1", f"{writer} X6,X7,X2,X3,[X4]"],
         ["MOV X2,#7", "MOV X3,#7", f"{reader} X2,X3,X6,X7,[X4]", "LDR W0,[X1]"]],
        "exists (1:X2=1 /\\ 1:X0=0)",
    )  # fmt: skip
    assert both(text)[1] is allowed


def test_casp_needs_lse_and_even_register_pairs():
    text = table("E", "__int128 x; 0:X4=x;", [["CASP X1,X2,X4,X5,[X4]"]], "forall (true)")
    with pytest.raises(FencelabError, match=r"T:6:2: P0: cannot assemble 'CASP X1,X2,X4,X5,\[X4\]': each pair must be an even"):
        load(parse_text(text, "T"))
    from fencelab.isa.registry import get_target

    text = table("E", "__int128 x; 0:X4=x;", [["CASP X0,X1,X2,X3,[X4]"]], "forall (true)")
    with pytest.raises(FencelabError, match="needs ARMv8.1 LSE"):
        load(parse_text(text), get_target("armv8"))


# ---------------------------------------------------------------------------------------------
# Refused, one line each


def test_ldp_on_a_128_bit_location_is_mixed_size():
    # herd's LDP is two 64-bit reads: the second falls inside the 128-bit x, a mixed-size
    # access, judged byte by byte: the two reads are unordered, so they may see the two halves
    # of the CASP apart (Promising-ARM: two reads of a byte-wise location)
    text = table("LDP", "__int128 x; 0:X2=x; 1:X2=x;",
                 [["LDP X0,X1,[X2]"], ["MOV X6,#-1", "MOV X7,#-1", "CASP X4,X5,X6,X7,[X2]"]],
                 "exists (0:X0=0 /\\ 0:X1=-1)")  # fmt: skip
    halves = {f"0:X0={a}; 0:X1={b};" for a in (0, -1) for b in (0, -1)}
    result = run_axiomatic(load(parse_text(text, "T")))
    assert {format_state(s.outcome) for s in result.states} == halves
    result = exhaustive(Machine(load(parse_text(text, "T")), get_model("arm").new()))
    assert {format_state(s.outcome) for s in result.states} == halves
    # under SC the LDP's reads are in order: a new low half, then an old high half, is not
    result = run_axiomatic(load(parse_text(text, "T")), "sc")
    assert {format_state(s.outcome) for s in result.states} == halves - {"0:X0=-1; 0:X1=0;"}


# ---------------------------------------------------------------------------------------------
# LDP/STP: two accesses, as independent as two LDRs or STRs (herd: L032's torn LDP)


def test_ldp_may_see_half_of_an_stp():
    text = table(
        "Torn", "int64_t v[2]; 0:X0=v; 1:X0=v;",
        [["MOV X1,#1", "MOV X2,#1", "STP X1,X2,[X0]"], ["LDP X3,X4,[X0]"]],
        "exists (1:X3=1 /\\ 1:X4=0)",
    )  # fmt: skip
    states, ok = both(text)
    assert ok and len(states) == 4  # every mix of old and new


@pytest.mark.parametrize("half, allowed", [("X1", False), ("X0", True)])
def test_ldp_registers_carry_their_own_reads_dependencies(half, allowed):
    # MP: P1 reads the flag (f[1]) and f[0] with one LDP, then d at an address that depends
    # on one of the two registers; only the flag's register orders the read of d
    text = table(
        "MPLDP", "int64_t f[2]; 0:X0=d; 0:X1=f[1]; 1:X5=d; 1:X2=f;",
        [["MOV X3,#1", "STR X3,[X0]", "DMB ST", "STR X3,[X1]"],
         ["LDP X0,X1,[X2]", f"EOR X6,{half},{half}", "LDR X7,[X5,X6]"]],
        "exists (1:X1=1 /\\ 1:X7=0)",
    )  # fmt: skip
    assert both(text)[1] is allowed


@pytest.mark.parametrize("element, allowed", [("v", False), ("v[1]", True)])
def test_stp_writes_carry_their_own_registers_data(element, allowed):
    # LB: P0 reads x, then one STP writes the value read to v[0] and a constant to v[1];
    # P1 reads one element, then (DMB) writes x. Only v[0]'s write depends on P0's read.
    text = table(
        "LBSTP", f"int64_t v[2]; 0:X2=x; 0:X3=v; 1:X2={element}; 1:X3=x;",
        [["LDR X0,[X2]", "MOV X1,#1", "STP X0,X1,[X3]"],
         ["LDR X0,[X2]", "DMB SY", "MOV X1,#1", "STR X1,[X3]"]],
        "exists (0:X0=1 /\\ 1:X0=1)",
    )  # fmt: skip
    assert both(text)[1] is allowed


# ---------------------------------------------------------------------------------------------
# herd's pair tests, with herd7's outcome sets


def _herd_expected() -> dict[str, tuple[str, set[str]]]:
    return {name: (verdict, {_canonical(s) for s in states})
            for name, (verdict, states) in expected_outcomes(HERD).items()}  # fmt: skip


def _canonical(state: str) -> str:
    """A state as a sorted set of `name=value;` items. herd lists them in its own order and
    prints an array's element 0 as `t[0]`, where fencelab prints `[t]` (README)."""
    items = (p.strip() for p in state.split(";") if p.strip())
    return " ".join(sorted(
        (f"{i[1:].split(']')[0]}[0]={i.split('=')[1]}" if i.startswith("[") else i) + ";"
        for i in items
    ))  # fmt: skip


@pytest.mark.parametrize("name", sorted(_herd_expected()))
def test_herd_pair_tests_give_herds_outcome_sets(name):
    verdict, expected = _herd_expected()[name]
    text = (HERD / f"{name}.litmus").read_text()
    states, ok = both(text, str(HERD / f"{name}.litmus"))
    assert {_canonical(s) for s in states} == expected
    assert ok is (name != "L032")  # herd7's Ok/No line: L032's `exists` is No, the rest Ok
    assert verdict == ("Allowed" if name == "L032" else "Required")


@pytest.mark.parametrize("name, state", [("C05", "[x]=0x0;"), ("C06", "[x]=0x1;")])
def test_herd_c_tests_of_128_bit_locations_print_as_herd(name, state):
    # herd7's C05/C06.litmus.expected: the state and the condition in hex, for 128-bit values
    result = CliRunner().invoke(main, ["run", str(HERD_DATA / "c" / f"{name}.litmus")])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:4] == [f"Test {name} Required", "States 1", state, "Ok"]
    assert f"Condition forall ({state[:-1]})" in lines
