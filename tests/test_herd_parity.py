"""herd parity: values typed as herd types them, DSB as aarch64.cat orders it, and herd's syntax.

Our own tests, one group per category of issue 14. Each asserts the outcome set herd7 gives
(worked out from herd's rules: aarch64.cat, herd's types) under both ARMv8 engines where the
test is AArch64: the operational Promising-ARM machine and the axiomatic aarch64.cat checker.
"""

from __future__ import annotations

import pytest

from fencelab.errors import FencelabError
from fencelab.litmus.parser import parse_text
from fencelab.machine.explore import exhaustive
from fencelab.machine.machine import Machine
from fencelab.models import get_model
from fencelab.models.axiomatic.arm import run_axiomatic
from fencelab.program.load import load
from fencelab.result import format_outcome


def table(arch: str, name: str, init: str, threads: list[list[str]], cond: str) -> str:
    height = max(len(t) for t in threads)
    head = " | ".join(f"P{i:<23}" for i in range(len(threads)))
    rows = [
        " " + " | ".join(f"{(t[i] if i < len(t) else ''):<24}" for t in threads) + " ;"
        for i in range(height)
    ]
    return "\n".join([f"{arch} {name}", "{", init, "}", f" {head} ;", *rows, cond]) + "\n"


def run(text: str, model: str | None = None):
    """The result under the test's default machine model."""
    program = load(parse_text(text))
    return exhaustive(Machine(program, get_model(model or program.target.default_model)))


def outcomes(result) -> set[str]:
    return {format_outcome(s.outcome) for s in result.states}


def arm_both(text: str) -> tuple[set[str], bool]:
    """An AArch64 test under Promising-ARM and the axiomatic checker: they must agree."""
    operational = run(text)
    axiomatic = run_axiomatic(load(parse_text(text)))
    assert outcomes(operational) == outcomes(axiomatic)
    assert operational.ok == axiomatic.ok
    return outcomes(operational), operational.ok


# ---------------------------------------------------------------------------------------------
# DSB: aarch64hwreqs.cat's DSB-ob. A DSB ST orders earlier writes before every later access;
# a DMB ST only before later writes.

SB_INIT = "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;"
SB_COND = "exists (0:X2=0 /\\ 1:X2=0)"


def sb(fence0: str, fence1: str) -> str:
    body = ["MOV W0,#1", "STR W0,[X1]", "{}", "LDR W2,[X3]"]
    threads = [[fence0 if c == "{}" else c for c in body], [fence1 if c == "{}" else c for c in body]]
    return table("AArch64", f"SB+{fence0}+{fence1}".replace(" ", "."), SB_INIT, threads, SB_COND)


@pytest.mark.parametrize(
    "fence0, fence1, allowed",
    [
        ("DSB ST", "DSB ST", False),
        ("DMB ST", "DMB ST", True),
        ("DSB ST", "DMB ST", True),
        ("DSB ISHST", "DMB SY", False),
        ("DSB OSHST", "DSB SY", False),
        ("DSB LD", "DSB LD", True),  # a DSB LD orders reads before, not writes
        ("DSB SY", "DSB ISH", False),
    ],
)
def test_sb_separates_dsb_st_from_dmb_st(fence0, fence1, allowed):
    states, ok = arm_both(sb(fence0, fence1))
    assert ok is allowed
    assert ("0:X2=0; 1:X2=0;" in states) is allowed


def test_dsb_st_orders_write_before_read_in_r_shape():
    # R: P0 W x=1; DSB ST; W y=1 | P1 W y=2; DMB SY; R x.  With y=2 final and x read 0.
    text = table(
        "AArch64",
        "R+dsb.st+dmb.sy",
        "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
        [
            ["MOV W0,#1", "STR W0,[X1]", "DSB ST", "MOV W2,#1", "STR W2,[X3]"],
            ["MOV W0,#2", "STR W0,[X1]", "DMB SY", "LDR W2,[X3]"],
        ],
        "exists ([y]=2 /\\ 1:X2=0)",
    )
    _, ok = arm_both(text)
    assert not ok  # W->W ordering is the DMB ST part, which DSB ST keeps
    _, ok = arm_both(text.replace("DSB ST", "DMB LD"))
    assert ok


def test_mp_with_dsb_st_is_mp_with_dmb_st():
    def mp(fence):
        return table(
            "AArch64",
            "MP",
            "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
            [
                ["MOV W0,#1", "STR W0,[X1]", fence, "MOV W2,#1", "STR W2,[X3]"],
                ["LDR W0,[X1]", "DMB LD", "LDR W2,[X3]"],
            ],
            "exists (1:X0=1 /\\ 1:X2=0)",
        )

    assert arm_both(mp("DSB ST")) == arm_both(mp("DMB ST"))
    assert not arm_both(mp("DSB ST"))[1]
