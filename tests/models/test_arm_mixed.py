"""The operational ARM model (Promising-ARM, fencelab/models/operational/arm/mixed.py) on
mixed-size accesses: the outcome set of the axiomatic checker (herd's aarch64.cat with
-variant mixed, fencelab/models/axiomatic/arm.py) on shapes of our own, with and without the
reductions of exhaustive exploration, and under `aarch32` on A32 code."""

from __future__ import annotations

import pytest

from fencelab import reduce
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state
from fencelab.machine.explore import exhaustive
from fencelab.machine.machine import Machine
from fencelab.models.axiomatic.arm import run_axiomatic
from fencelab.models.registry import get_model
from fencelab.program.load import load
from tests.helpers.litmus import table


def states(text: str, model: str, reduce: bool = True) -> set[str]:
    program = load(parse_text(text))
    try:
        if model == "arm-axiomatic":
            result = run_axiomatic(program)
        else:
            result = exhaustive(Machine(program, get_model(model).new()), reduce=reduce)
    finally:
        program.release()
    return {format_state(s.outcome) for s in result.states}


H = "uint16_t x; uint16_t y;"

# (name, init, threads, condition, an outcome the test pins: (outcome, allowed?))
SHAPES = [
    # a half-word read takes its own byte early; its other byte may still be stale, though the
    # other thread's DMB orders that byte's write before a write its own byte overwrites
    ("MP+rfi-byte+dmb", f"{H} uint16_t 0:X2; 0:X1=x; 1:X1=x;",
     [["MOV W0,#1", "STRB W0,[X1,#1]", "LDRH W2,[X1]"],
      ["MOV W0,#1", "STRB W0,[X1]", "DMB SY", "MOV W3,#2", "STRB W3,[X1,#1]"]],
     "exists (0:X2=0x100 /\\ x=0x101)", ("0:X2=256; [x]=257;", True)),
    # ... but not when a third thread saw the byte of P1 before P0's: an rf/fr cycle between
    # whole accesses (herd's `internal`), which timestamps alone do not see
    ("CoRR3+rfi-byte", f"{H} uint16_t 0:X2; uint16_t 2:X2; 0:X1=x; 1:X1=x; 2:X1=x;",
     [["MOV W0,#1", "STRB W0,[X1,#1]", "LDRH W2,[X1]"], ["MOV W0,#1", "STRB W0,[X1]"],
      ["LDRH W2,[X1]"]],
     "exists (0:X2=0x100 /\\ 2:X2=1)", ("0:X2=256; 2:X2=1;", False)),
    ("MP+dmb.sy+bytes", "uint16_t x; uint16_t 1:X2; 0:X1=x; 1:X1=x;",
     [["MOV W0,#1", "STRB W0,[X1,#1]", "DMB SY", "STRB W0,[X1]"], ["LDRH W2,[X1]"]],
     "exists (1:X2=1)", ("1:X2=1;", False)),
    ("MP+dmb.sy+addr-bytes", f"{H} 0:X1=x; 0:X3=y; 1:X1=y; 1:X4=x;",
     [["MOV W0,#1", "STRB W0,[X1,#1]", "DMB SY", "STRB W0,[X3]"],
      ["LDRB W0,[X1]", "EOR W2,W0,W0", "LDRH W5,[X4,W2,SXTW]"]],
     "exists (1:X0=1 /\\ 1:X5=0)", ("1:X0=1; 1:X5=0;", False)),
    ("MP+po+bytes", "uint16_t x; uint16_t 1:X2; 0:X1=x; 1:X1=x;",
     [["MOV W0,#1", "STRB W0,[X1,#1]", "STRB W0,[X1]"], ["LDRH W2,[X1]"]],
     "exists (1:X2=1)", ("1:X2=1;", True)),
    ("SB+bytes", f"{H} 0:X1=x; 1:X1=x;",
     [["MOV W0,#1", "STRB W0,[X1]", "LDRB W2,[X1,#1]"],
      ["MOV W0,#1", "STRB W0,[X1,#1]", "LDRB W2,[X1]"]],
     "exists (0:X2=0 /\\ 1:X2=0)", ("0:X2=0; 1:X2=0;", True)),
    ("SB+dmb.sys+bytes", f"{H} 0:X1=x; 1:X1=x;",
     [["MOV W0,#1", "STRB W0,[X1]", "DMB SY", "LDRB W2,[X1,#1]"],
      ["MOV W0,#1", "STRB W0,[X1,#1]", "DMB SY", "LDRB W2,[X1]"]],
     "exists (0:X2=0 /\\ 1:X2=0)", ("0:X2=0; 1:X2=0;", False)),
    ("LB+halves", f"{H} 0:X1=x; 1:X1=x;",
     [["LDRB W2,[X1]", "MOV W0,#1", "STRB W0,[X1,#1]"],
      ["LDRB W2,[X1,#1]", "MOV W0,#1", "STRB W0,[X1]"]],
     "exists (0:X2=1 /\\ 1:X2=1)", ("0:X2=1; 1:X2=1;", True)),
    ("LB+datas+bytes", f"{H} 0:X1=x; 1:X1=x;",
     [["LDRB W2,[X1]", "EOR W3,W2,W2", "ADD W3,W3,#1", "STRB W3,[X1,#1]"],
      ["LDRB W2,[X1,#1]", "EOR W3,W2,W2", "ADD W3,W3,#1", "STRB W3,[X1]"]],
     "exists (0:X2=1 /\\ 1:X2=1)", ("0:X2=1; 1:X2=1;", False)),
    ("2+2W+halves-word", "uint32_t x; 0:X1=x; 1:X1=x;",
     [["MOV W0,#0x101", "STRH W0,[X1]", "MOV W2,#0x202", "STRH W2,[X1,#2]"],
      ["MOV W0,#0x3030303", "STR W0,[X1]"]],
     "exists (x=0x3030101)", ("[x]=50528513;", True)),
    ("CoWR+byte+half", "uint16_t x; uint16_t 0:X2; 0:X5=x; 1:X5=x;",
     [["MOV W1,#1", "STRB W1,[X5]", "LDRH W2,[X5]"], ["MOV W1,#0x303", "STRH W1,[X5]"]],
     "exists (x=0x303 /\\ 0:X2=0x301)", ("[x]=771; 0:X2=769;", False)),
    ("CoRR+half-byte", "uint16_t x; 0:X1=x; 1:X1=x;",
     [["MOV W0,#0x101", "STRH W0,[X1]"], ["LDRH W2,[X1]", "LDRB W3,[X1,#1]"]],
     "exists (1:X2=0x101 /\\ 1:X3=0)", ("1:X2=257; 1:X3=0;", False)),
    ("W+W+R", "uint16_t x; uint16_t 2:X2; 0:X1=x; 1:X1=x; 2:X1=x;",
     [["MOV W0,#1", "STRB W0,[X1]"], ["MOV W0,#2", "STRB W0,[X1,#1]"], ["LDRH W2,[X1]"]],
     "exists (2:X2=0x201)", ("2:X2=513;", True)),
    ("IRIW+bytes+dmbs", "uint16_t x; uint16_t 2:X2; uint16_t 3:X2; 0:X1=x; 1:X1=x; 2:X1=x;"
     " 3:X1=x;",
     [["MOV W0,#1", "STRB W0,[X1]"], ["MOV W0,#1", "STRB W0,[X1,#1]"],
      ["LDRB W2,[X1]", "DMB SY", "LDRB W3,[X1,#1]"],
      ["LDRB W2,[X1,#1]", "DMB SY", "LDRB W3,[X1]"]],
     "exists (2:X2=1 /\\ 2:X3=0 /\\ 3:X2=1 /\\ 3:X3=0)",
     ("2:X2=1; 2:X3=0; 3:X2=1; 3:X3=0;", False)),
    ("MP+rel-half+acq-byte", "uint16_t x; uint16_t y; 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
     [["MOV W0,#0x101", "STRH W0,[X1]", "MOV W2,#1", "STLRB W2,[X3]"],
      ["LDARB W0,[X1]", "LDRB W2,[X3,#1]"]],
     "exists (1:X0=1 /\\ 1:X2=0)", ("1:X0=1; 1:X2=0;", False)),
    ("exclusive-byte-in-half", "uint16_t x; 0:X1=x; 1:X1=x;",
     [["ADD X2,X1,#1", "LDXRB W0,[X2]", "ADD W0,W0,#1", "STXRB W3,W0,[X2]"],
      ["MOV W0,#0x202", "STRH W0,[X1]"]],
     "exists (0:X3=0 /\\ x=0x302)", ("0:X3=0; [x]=770;", True)),
    # a read whose byte 1 is its own data-dependent write, then a write of byte 0: the
    # dependency orders the write too, in the checker as here (LB is forbidden)
    ("LB+data-rfi-half-byte+dmb", "uint16_t x; uint32_t y; uint16_t 0:X3; 0:X1=x; 0:X5=y;"
     " 1:X1=x; 1:X5=y;",
     [["LDR W0,[X5]", "EOR W2,W0,W0", "ADD W2,W2,#1", "STRB W2,[X1,#1]", "LDRH W3,[X1]",
       "MOV W4,#1", "STRB W4,[X1]"], ["LDRB W0,[X1]", "DMB SY", "MOV W4,#1", "STR W4,[X5]"]],
     "exists (0:X0=1 /\\ 1:X0=1)", ("0:X0=1; 1:X0=1;", False)),
    ("swp-half-in-word", "uint32_t x=0x11223344; uint32_t 1:X2; 0:X1=x; 1:X1=x;",
     [["MOV W0,#5", "ADD X4,X1,#2", "SWPALH W0,W2,[X4]"], ["LDR W2,[X1]"]],
     "exists (1:X2=0x50000)", ("1:X2=340804;", True)),
]


def shape_text(shape) -> str:
    """A shape (name, init, threads, condition, (outcome, allowed)[, arch]) as a litmus test."""
    name, init, threads, cond, _, *arch = shape
    return table(name, init, threads, cond, *arch)


def assert_axiomatic_outcomes(shape) -> None:
    """The shape pins its point under the axiomatic checker (its outcome allowed or not), and
    the operational model (`aarch32` for A32 tests, else `arm`) gives the checker's states."""
    text = shape_text(shape)
    axiomatic = states(text, "arm-axiomatic")
    outcome, allowed = shape[4]
    assert (outcome in axiomatic) == allowed, sorted(axiomatic)
    assert states(text, "aarch32" if text.startswith("ARM") else "arm") == axiomatic


@pytest.mark.parametrize("shape", SHAPES, ids=[s[0] for s in SHAPES])
def test_arm_gives_the_axiomatic_outcomes(shape):
    assert_axiomatic_outcomes(shape)


@pytest.mark.parametrize("shape", SHAPES[:3], ids=[s[0] for s in SHAPES[:3]])
def test_reductions_keep_the_mixed_outcomes(shape):
    text = shape_text(shape)
    assert states(text, "arm", reduce=False) == states(text, "arm")


@pytest.mark.parametrize("name", ["arm-sequential", "certify-share", "promise-merge",
                                  "threads-apart"])
def test_each_reduction_alone_keeps_the_mixed_outcomes(name):
    texts = [shape_text(shape) for shape in SHAPES[:2]]
    full = [states(text, "arm") for text in texts]
    reduce.set_disabled([name])
    try:
        assert [states(text, "arm") for text in texts] == full
    finally:
        reduce.set_disabled(())


def test_aarch32_runs_mixed_size_a32_code():
    text = table("MP+dmb+bytes", "uint16_t x; uint16_t 1:R2; 0:R1=x; 1:R1=x;",
                 [["MOV R0,#1", "STRB R0,[R1,#1]", "DMB", "STRB R0,[R1]"], ["LDRH R2,[R1]"]],
                 "exists (1:R2=1)", arch="ARM")  # fmt: skip
    assert states(text, "aarch32") == states(text, "arm-axiomatic") == {
        "1:R2=0;", "1:R2=256;", "1:R2=257;"}


def test_a_test_without_mixed_sizes_keeps_one_value_per_location():
    text = table("MP", "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
                 [["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"],
                  ["LDR W0,[X1]", "LDR W2,[X3]"]], "exists (1:X0=1 /\\ 1:X2=0)")  # fmt: skip
    program = load(parse_text(text))
    model = get_model("arm").new()
    machine = Machine(program, model)
    result = exhaustive(machine)
    assert len(result.states) == 4
    assert machine.model.restart_epoch(program) == 0  # no location became byte-wise
    program.release()
