"""The operational ARM model (Promising-ARM) on accesses that join array elements and on load/
store pairs over byte-wise locations: the outcome set of the axiomatic checker (herd's
aarch64.cat with -variant mixed, which holds each array whole as bytes) on shapes of our own.

- an access spanning elements (a word read of `uint8_t t[4]`, herd's M000);
- an element accessed alone and within an atomic pair (LDXP/STXP, CASP; herd's L056, L057);
- LDP/STP on a byte-wise location (two independent accesses over their bytes), and on a
  128-bit location (two 64-bit halves of it).

The model meets such an access as it runs, holds the elements it joins as one location
(`Program.whole_arrays`) and starts again; a test without one runs as before.
"""

from __future__ import annotations

import pytest

from fencelab import reduce
from fencelab.litmus.parser import parse_text
from fencelab.machine.explore import Replay, exhaustive, parse_schedule, random_runs, replay
from fencelab.machine.machine import Machine, Status
from fencelab.models.registry import get_model
from fencelab.program.load import load
from fencelab.tui.session import Session
from tests.helpers import HERD_DATA
from tests.models.test_arm_mixed import assert_axiomatic_outcomes, shape_text, states

# (name, init, threads, condition, an outcome the shape pins: (outcome, allowed?), arch)
LATE = ("MP+dmb+ctrl-word-over-elements", "uint16_t t[2]; int y; uint32_t 1:X2; 0:X3=t; 0:X5=y;"
        " 1:X3=t; 1:X5=y;",
        [["MOV W0,#1", "STRH W0,[X3,#2]", "DMB ST", "STR W0,[X5]"],
         ["LDR W1,[X5]", "CBZ W1,L0", "LDR W2,[X3]", "L0:"]],
        "exists (1:X1=1 /\\ 1:X2=0)", ("1:X1=1; 1:X2=0;", True))  # a control dependency
ACROSS = [
    # one word read over two half-word elements written in order by a DMB: it never sees the
    # later element without the earlier one (a read's bytes are observed together) ...
    ("MP+dmb.st+word-over-elements", "uint16_t t[2]; uint32_t 1:X0; 0:X1=t; 1:X1=t;",
     [["MOV W0,#1", "STRH W0,[X1,#2]", "DMB ST", "STRH W0,[X1]"], ["LDR W0,[X1]"]],
     "exists (1:X0=1)", ("1:X0=1;", False)),
    # ... which it may without the DMB
    ("MP+po+word-over-elements", "uint16_t t[2]; uint32_t 1:X0; 0:X1=t; 1:X1=t;",
     [["MOV W0,#1", "STRH W0,[X1,#2]", "STRH W0,[X1]"], ["LDR W0,[X1]"]],
     "exists (1:X0=1)", ("1:X0=1;", True)),
    # a word written over four byte elements at once: two byte reads ordered by a DMB LD
    # cannot see its last byte and then miss its first (the write is single-copy atomic)
    ("CoRR+dmb.ld+bytes-of-a-word", "uint8_t t[4]; 0:X2=t; 1:X2=t;",
     [["MOV W0,#0x1010101", "STR W0,[X2]"], ["LDRB W1,[X2,#3]", "DMB LD", "LDRB W3,[X2]"]],
     "exists (1:X1=1 /\\ 1:X3=0)", ("1:X1=1; 1:X3=0;", False)),
    ("CoRR+po+bytes-of-a-word", "uint8_t t[4]; 0:X2=t; 1:X2=t;",
     [["MOV W0,#0x1010101", "STR W0,[X2]"], ["LDRB W1,[X2,#3]", "LDRB W3,[X2]"]],
     "exists (1:X1=1 /\\ 1:X3=0)", ("1:X1=1; 1:X3=0;", True)),
    # a half-word exclusive over elements 1 and 2 of a byte array fails if element 2 was
    # written in between; element 0 stays its own location (not joined)
    ("exclusive-over-elements", "uint8_t t[4]={1,0,0,0}; 0:X2=t; 1:X2=t;",
     [["ADD X4,X2,#2", "LDXRH W0,[X4]", "ADD W0,W0,#0x101", "STXRH W5,W0,[X4]", "LDRB W6,[X2]"],
      ["MOV W1,#7", "STRB W1,[X2,#2]"]],
     "exists (0:X5=0 /\\ t[2]=1)", ("0:X0=0; 0:X5=0; 0:X6=1; t[2]=1;", False)),
    # the read across elements happens only once P1 has read P0's flag: the model meets it
    # after promises were made (the states made before are void, exploration starts again)
    LATE,
    ("MP+dmb+word-over-elements-a32", "uint16_t t[2]; uint32_t 1:R0; 0:R1=t; 1:R1=t;",
     [["MOV R0,#1", "STRH R0,[R1,#2]", "DMB", "STRH R0,[R1]"], ["LDR R0,[R1]"]],
     "exists (1:R0=1)", ("1:R0=1;", False), "ARM"),
]

PAIRED = [
    # MP through an element: P1's acquire orders its LDXP after the flag; the pair's read of
    # both elements sees x[1]=1 once it saw the flag
    ("MP+dmb+acq-ldxp-element", "int x[2]; int y; 0:X4=x; 0:X5=y; 1:X4=x; 1:X5=y;",
     [["MOV W1,#1", "STR W1,[X4,#4]", "DMB SY", "STR W1,[X5]"],
      ["LDAR W0,[X5]", "LDXP W2,W3,[X4]"]],
     "exists (1:X0=1 /\\ 1:X3=0)", ("1:X0=1; 1:X3=0;", False)),
    # an element written between the pair's exclusive read and its write: the STXP fails
    ("LDXP-STXP+element-in-between", "int x[2]; 0:X4=x; 1:X4=x;",
     [["LDXP W0,W1,[X4]", "MOV W2,#1", "MOV W3,#1", "STXP W5,W2,W3,[X4]"],
      ["MOV W1,#2", "STR W1,[X4,#4]"]],
     "exists (0:X1=0 /\\ 0:X5=0 /\\ x={1,1})", ("0:X0=0; 0:X1=0; 0:X5=0; x={1,1};", False)),
    # a CASP that succeeds reads both elements at once: not x[0]'s new value with x[1]'s old
    # one when they were written in that order behind a DMB
    ("casp+elements-behind-dmb", "int x[2]; 0:X4=x; 1:X4=x;",
     [["MOV W1,#1", "STR W1,[X4,#4]", "DMB ST", "STR W1,[X4]"],
      ["MOV W0,#1", "MOV W1,#0", "MOV W2,#3", "MOV W3,#3", "CASP W0,W1,W2,W3,[X4]"]],
     "exists (x={3,3})", ("1:X0=1; 1:X1=0; x={3,3};", False)),
]

PAIRS = [
    # herd's LDP is two reads: of the halves of one 64-bit write it may see one only
    ("LDP-halves-of-a-doubleword", "int x[2]; 0:X2=x; 1:X2=x;",
     [["MOV X0,#0x100000001", "STR X0,[X2]"], ["LDP W1,W3,[X2]"]],
     "exists (1:X1=1 /\\ 1:X3=0)", ("1:X1=1; 1:X3=0;", True)),
    # ... and of an STP's two writes a doubleword read may see either one
    ("STP+doubleword-read", "int x[2]; int64_t 1:X3; 0:X2=x; 1:X2=x;",
     [["MOV W0,#1", "MOV W1,#1", "STP W0,W1,[X2]"], ["LDR X3,[X2]"]],
     "exists (1:X3=0x100000000)", ("1:X3=4294967296;", True)),
    # an STP's writes, then a DMB: a read of a byte of x[1] after the flag sees it
    ("MP+stp-dmb+byte-of-element", "int x[2]; int y; 0:X2=x; 0:X5=y; 1:X2=x; 1:X5=y;",
     [["MOV W0,#1", "MOV W1,#1", "STP W0,W1,[X2]", "DMB ST", "STR W0,[X5]"],
      ["LDR W4,[X5]", "DMB LD", "LDRB W6,[X2,#4]"]],
     "exists (1:X4=1 /\\ 1:X6=0)", ("1:X4=1; 1:X6=0;", False)),
    # an LDP's registers carry their own reads' dependencies over a byte-wise location
    ("MP+dmb+ldp-addr", "uint16_t t[4]; int64_t d; 0:X2=t; 0:X5=d; 1:X2=t; 1:X5=d;",
     [["MOV X3,#1", "STR X3,[X5]", "DMB ST", "MOV W4,#1", "STRH W4,[X2,#6]"],
      ["LDR W7,[X2,#4]", "LDP W0,W1,[X2]", "EOR X6,X1,X1", "LDR X8,[X5,X6]"]],
     "exists (1:X1=65536 /\\ 1:X8=0)", ("1:X0=0; 1:X1=65536; 1:X7=0; 1:X8=0;", False)),
    # LDP X on a 128-bit location: two 64-bit halves, each read alone
    ("LDP+casp-128", "__int128 x; 0:X2=x; 1:X2=x;",
     [["LDP X0,X1,[X2]"], ["MOV X6,#-1", "MOV X7,#-1", "CASP X4,X5,X6,X7,[X2]"]],
     "exists (0:X0=0 /\\ 0:X1=-1)", ("0:X0=0; 0:X1=-1;", True)),
    # STP X on a 128-bit location: its two halves are two writes, unordered
    ("STP-128+dmb.ld", "__int128 x; 0:X2=x; 1:X2=x;",
     [["MOV X0,#1", "MOV X1,#2", "STP X0,X1,[X2]"],
      ["LDRB W4,[X2,#8]", "DMB LD", "LDRB W5,[X2]"]],
     "exists (1:X4=2 /\\ 1:X5=0)", ("1:X4=2; 1:X5=0;", True)),
]

SHAPES = ACROSS + PAIRED + PAIRS


@pytest.mark.parametrize("shape", SHAPES, ids=[s[0] for s in SHAPES])
def test_arm_gives_the_axiomatic_outcomes(shape):
    assert_axiomatic_outcomes(shape)


@pytest.mark.parametrize("shape", [ACROSS[0], PAIRED[1], PAIRS[3]],
                         ids=["across", "paired", "pairs"])  # fmt: skip
def test_without_reductions_too(shape):
    text = shape_text(shape)
    assert states(text, "arm", reduce=False) == states(text, "arm-axiomatic")


@pytest.mark.parametrize("name", ["certify-share", "promise-merge", "threads-apart"])
def test_each_reduction_alone_keeps_the_outcomes(name):
    texts = [shape_text(shape) for shape in (ACROSS[0], PAIRED[0])]
    full = [states(text, "arm") for text in texts]
    reduce.set_disabled([name])
    try:
        assert [states(text, "arm") for text in texts] == full
    finally:
        reduce.set_disabled(())


def test_the_witnesses_replay_and_random_runs_find_the_same_outcomes():
    text = (HERD_DATA / "aarch64-pairs" / "L056.litmus").read_text()
    program = load(parse_text(text))
    result = exhaustive(Machine(program, get_model("arm").new()))
    assert len(result.states) == 2
    for final in result.states:  # a fresh machine meets the pair and the element again
        walk = Replay(Machine(program, get_model("arm").new()))
        for key in parse_schedule(final.witness):
            walk.take(key)
        assert walk.machine.outcome(walk.state) == final.outcome
    runs = random_runs(Machine(program, get_model("arm").new()), 40, seed=3)
    assert {s.outcome for s in runs.states} == {s.outcome for s in result.states}


def test_witnesses_replay_when_elements_are_joined_after_promises():
    # the fresh machine of a replay (and of the TUI) meets the read across elements only after
    # two promises too: the walk takes its steps again once the model holds t whole
    text = shape_text(LATE)
    program = load(parse_text(text))
    result = exhaustive(Machine(program, get_model("arm").new()))
    assert len(result.states) == 3
    for final in result.states:
        assert replay(Machine(program, get_model("arm").new()), final.witness).states[0].outcome \
            == final.outcome  # fmt: skip
    session = Session(parse_text(text))
    session.load_schedule(max(result.states, key=lambda f: len(f.witness)).witness)
    session.to_end()
    assert session.status() is Status.FINAL
    stepped = Session(parse_text(text))  # by hand: the join is met at the second promise
    stepped.take("0.p1.t[1]=1")
    stepped.take("0.p2.y=1")
    assert [t.key for t in stepped.enabled()] == ["0.w1", "1.r0", "1.r2"]
    assert stepped.walk.schedule == "0.p1.t[1]=1,0.p2.y=1"


def test_elements_are_joined_only_when_an_access_joins_them():
    # herd's L031: LDXP/STXP only, never an element alone: the pair stays one location, the
    # model runs the program as loaded and never starts again
    program = load(parse_text((HERD_DATA / "aarch64-pairs" / "L031.litmus").read_text()))
    machine = Machine(program, get_model("arm").new())
    exhaustive(machine, reduce=False)  # (so that `machine.model` is the model that explores)
    assert machine.model.view(program) is program
    assert machine.model.restart_epoch(program) == 0
    # herd's L056: x[0] stored alone and CASP on the pair: x is one 8-byte location, byte-wise
    program = load(parse_text((HERD_DATA / "aarch64-pairs" / "L056.litmus").read_text()))
    machine = Machine(program, get_model("arm").new())
    exhaustive(machine, reduce=False)
    view = machine.model.view(program)
    assert [(loc.name, loc.size) for loc in view.locations] == [("x", 8)]
    assert machine.model.mixed_sizes(program) == {0: 8}
