r"""The ARMv8 model (Promising-ARM, promise-first) on AArch64 and A32 litmus tests.

Expected verdicts are Arm's axiomatic model's (Arm ARM B2.3, herdtools7 `aarch64.cat`): the
classic shapes as published (Pulte et al., "Simplifying ARM concurrency", POPL 2018, and
"Promising-ARM/RISC-V", PLDI 2019; Alglave et al. "Herding cats" for the dependency shapes) and,
for the tests marked "catalogue", herdtools7's `catalogue/aarch64/tests/kinds.txt`, with the
tests copied from `catalogue/aarch64/tests/` (CeCILL-B). Whole outcome sets are derived by hand
from the same model. A32 tests run under ARMv8 AArch32 rules, which are multicopy-atomic: IRIW
and WRC with dependencies are forbidden there as on AArch64.
"""

from __future__ import annotations

import pytest

from fencelab.errors import FencelabError
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state
from fencelab.machine.explore import exhaustive, replay
from fencelab.machine.machine import Machine
from fencelab.models.operational.arm.model import ARM
from fencelab.models.registry import get_model
from fencelab.pipeline import RunOptions, run_test
from fencelab.program.load import load
from tests.helpers import AARCH64_MP_DMB_ADDR
from tests.helpers.herd import catalogue


def run(text: str):
    test = parse_text(text, "<test>")
    return exhaustive(Machine(load(test), ARM()))


def outcomes(result) -> set[str]:
    return {format_state(s.outcome) for s in result.states}


# ---------------------------------------------------------------------------------------------
# Classic shapes, AArch64

MP = r"""AArch64 MP
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | LDR W0,[X1] ;
 STR W0,[X1] | LDR W2,[X3] ;
 MOV W2,#1   |             ;
 STR W2,[X3] |             ;
exists (1:X0=1 /\ 1:X2=0)
"""

MP_DMB_ADDR = AARCH64_MP_DMB_ADDR

MP_DMB_CTRLISB = r"""AArch64 MP+dmb.sy+ctrlisb
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | LDR W0,[X1] ;
 STR W0,[X1] | CBNZ W0,LC00;
 DMB SY      | LC00:       ;
 MOV W2,#1   | ISB         ;
 STR W2,[X3] | LDR W2,[X3] ;
exists (1:X0=1 /\ 1:X2=0)
"""

MP_DMB_CTRL = r"""AArch64 MP+dmb.sy+ctrl
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | LDR W0,[X1] ;
 STR W0,[X1] | CBNZ W0,LC00;
 DMB SY      | LC00:       ;
 MOV W2,#1   | LDR W2,[X3] ;
 STR W2,[X3] |             ;
exists (1:X0=1 /\ 1:X2=0)
"""

MP_REL_ACQ = r"""AArch64 MP+rel+acq
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0           | P1           ;
 MOV W0,#1    | LDAR W0,[X1] ;
 STR W0,[X1]  | LDR W2,[X3]  ;
 STLR W0,[X3] |              ;
exists (1:X0=1 /\ 1:X2=0)
"""

MP_REL_ACQPC = r"""AArch64 MP+rel+acqpc
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0           | P1            ;
 MOV W0,#1    | LDAPR W0,[X1] ;
 STR W0,[X1]  | LDR W2,[X3]   ;
 STLR W0,[X3] |               ;
exists (1:X0=1 /\ 1:X2=0)
"""

MP_DMBST_DMBLD = r"""AArch64 MP+dmb.st+dmb.ld
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | LDR W0,[X1] ;
 STR W0,[X1] | DMB LD      ;
 DMB ST      | LDR W2,[X3] ;
 STR W0,[X3] |             ;
exists (1:X0=1 /\ 1:X2=0)
"""

MP_DMBLD_DMBLD = r"""AArch64 MP+dmb.ld+dmb.ld
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | LDR W0,[X1] ;
 STR W0,[X1] | DMB LD      ;
 DMB LD      | LDR W2,[X3] ;
 STR W0,[X3] |             ;
exists (1:X0=1 /\ 1:X2=0)
"""

SB = r"""AArch64 SB
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | MOV W0,#1   ;
 STR W0,[X1] | STR W0,[X1] ;
 LDR W2,[X3] | LDR W2,[X3] ;
exists (0:X2=0 /\ 1:X2=0)
"""


def _sb(name: str, fence: str, store: str = "STR", load_: str = "LDR") -> str:
    mid = f" {fence:11s} | {fence:11s} ;\n" if fence else ""
    return (
        f"AArch64 {name}\n{{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }}\n"
        " P0          | P1          ;\n MOV W0,#1   | MOV W0,#1   ;\n"
        f" {store} W0,[X1] | {store} W0,[X1] ;\n{mid}"
        f" {load_} W2,[X3] | {load_} W2,[X3] ;\nexists (0:X2=0 /\\ 1:X2=0)\n"
    )


LB = r"""AArch64 LB
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 LDR W0,[X1] | LDR W0,[X1] ;
 MOV W2,#1   | MOV W2,#1   ;
 STR W2,[X3] | STR W2,[X3] ;
exists (0:X0=1 /\ 1:X0=1)
"""

LB_ADDRS = r"""AArch64 LB+addrs
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0                  | P1                  ;
 LDR W0,[X1]         | LDR W0,[X1]         ;
 EOR W4,W0,W0        | EOR W4,W0,W0        ;
 MOV W2,#1           | MOV W2,#1           ;
 STR W2,[X3,W4,SXTW] | STR W2,[X3,W4,SXTW] ;
exists (0:X0=1 /\ 1:X0=1)
"""

LB_DATAS = r"""AArch64 LB+datas
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0           | P1           ;
 LDR W0,[X1]  | LDR W0,[X1]  ;
 EOR W2,W0,W0 | EOR W2,W0,W0 ;
 ADD W2,W2,#1 | ADD W2,W2,#1 ;
 STR W2,[X3]  | STR W2,[X3]  ;
exists (0:X0=1 /\ 1:X0=1)
"""

LB_CTRLS = r"""AArch64 LB+ctrls
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0           | P1           ;
 LDR W0,[X1]  | LDR W0,[X1]  ;
 CBNZ W0,LC00 | CBNZ W0,LC01 ;
 LC00:        | LC01:        ;
 MOV W2,#1    | MOV W2,#1    ;
 STR W2,[X3]  | STR W2,[X3]  ;
exists (0:X0=1 /\ 1:X0=1)
"""

LB_DATA_PO = r"""AArch64 LB+data+po
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0           | P1           ;
 LDR W0,[X1]  | LDR W0,[X1]  ;
 EOR W2,W0,W0 | MOV W2,#1    ;
 ADD W2,W2,#1 | STR W2,[X3]  ;
 STR W2,[X3]  |              ;
exists (0:X0=1 /\ 1:X0=1)
"""

IRIW_ADDRS = r"""AArch64 IRIW+addrs
{ 0:X1=x; 1:X1=y; 2:X1=x; 2:X3=y; 3:X1=y; 3:X3=x; }
 P0          | P1          | P2                  | P3                  ;
 MOV W0,#1   | MOV W0,#1   | LDR W0,[X1]         | LDR W0,[X1]         ;
 STR W0,[X1] | STR W0,[X1] | EOR W4,W0,W0        | EOR W4,W0,W0        ;
             |             | LDR W2,[X3,W4,SXTW] | LDR W2,[X3,W4,SXTW] ;
exists (2:X0=1 /\ 2:X2=0 /\ 3:X0=1 /\ 3:X2=0)
"""

IRIW = r"""AArch64 IRIW
{ 0:X1=x; 1:X1=y; 2:X1=x; 2:X3=y; 3:X1=y; 3:X3=x; }
 P0          | P1          | P2          | P3          ;
 MOV W0,#1   | MOV W0,#1   | LDR W0,[X1] | LDR W0,[X1] ;
 STR W0,[X1] | STR W0,[X1] | LDR W2,[X3] | LDR W2,[X3] ;
exists (2:X0=1 /\ 2:X2=0 /\ 3:X0=1 /\ 3:X2=0)
"""

WRC_ADDRS = r"""AArch64 WRC+addrs
{ 0:X1=x; 1:X1=x; 1:X3=y; 2:X1=y; 2:X3=x; }
 P0          | P1                  | P2                  ;
 MOV W0,#1   | LDR W0,[X1]         | LDR W0,[X1]         ;
 STR W0,[X1] | EOR W4,W0,W0        | EOR W4,W0,W0        ;
             | MOV W2,#1           | LDR W2,[X3,W4,SXTW] ;
             | STR W2,[X3,W4,SXTW] |                     ;
exists (1:X0=1 /\ 2:X0=1 /\ 2:X2=0)
"""

WRC = r"""AArch64 WRC
{ 0:X1=x; 1:X1=x; 1:X3=y; 2:X1=y; 2:X3=x; }
 P0          | P1          | P2          ;
 MOV W0,#1   | LDR W0,[X1] | LDR W0,[X1] ;
 STR W0,[X1] | MOV W2,#1   | LDR W2,[X3] ;
             | STR W2,[X3] |             ;
exists (1:X0=1 /\ 2:X0=1 /\ 2:X2=0)
"""

ISA2_DMB_ADDRS = r"""AArch64 ISA2+dmb.sy+addrs
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=z; 2:X1=z; 2:X3=x; }
 P0          | P1                  | P2                  ;
 MOV W0,#1   | LDR W0,[X1]         | LDR W0,[X1]         ;
 STR W0,[X1] | EOR W4,W0,W0        | EOR W4,W0,W0        ;
 DMB SY      | MOV W2,#1           | LDR W2,[X3,W4,SXTW] ;
 STR W0,[X3] | STR W2,[X3,W4,SXTW] |                     ;
exists (1:X0=1 /\ 2:X0=1 /\ 2:X2=0)
"""

ISA2 = r"""AArch64 ISA2
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=z; 2:X1=z; 2:X3=x; }
 P0          | P1          | P2          ;
 MOV W0,#1   | LDR W0,[X1] | LDR W0,[X1] ;
 STR W0,[X1] | MOV W2,#1   | LDR W2,[X3] ;
 STR W0,[X3] | STR W2,[X3] |             ;
exists (1:X0=1 /\ 2:X0=1 /\ 2:X2=0)
"""

TWO_TWO_W = r"""AArch64 2+2W
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#2   | MOV W0,#2   ;
 STR W0,[X1] | STR W0,[X1] ;
 MOV W2,#1   | MOV W2,#1   ;
 STR W2,[X3] | STR W2,[X3] ;
exists (x=2 /\ y=2)
"""

TWO_TWO_W_DMBS = TWO_TWO_W.replace("2+2W", "2+2W+dmb.sys").replace(
    " MOV W2,#1   | MOV W2,#1   ;", " DMB SY      | DMB SY      ;\n MOV W2,#1   | MOV W2,#1   ;"
)

S = r"""AArch64 S
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#2   | LDR W0,[X1] ;
 STR W0,[X1] | MOV W2,#1   ;
 MOV W2,#1   | STR W2,[X3] ;
 STR W2,[X3] |             ;
exists (x=2 /\ 1:X0=1)
"""

S_DMB_DATA = r"""AArch64 S+dmb.sy+data
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1           ;
 MOV W0,#2   | LDR W0,[X1]  ;
 STR W0,[X1] | EOR W2,W0,W0 ;
 DMB SY      | ADD W2,W2,#1 ;
 MOV W2,#1   | STR W2,[X3]  ;
 STR W2,[X3] |              ;
exists (x=2 /\ 1:X0=1)
"""

S_DMB_PO = S_DMB_DATA.replace("S+dmb.sy+data", "S+dmb.sy+po").replace(
    "EOR W2,W0,W0", "MOV W2,#1   "
).replace("ADD W2,W2,#1", "MOV W2,#1   ")

R = r"""AArch64 R
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | MOV W0,#2   ;
 STR W0,[X1] | STR W0,[X1] ;
 STR W0,[X3] | LDR W2,[X3] ;
exists (y=2 /\ 1:X2=0)
"""

R_DMBS = r"""AArch64 R+dmb.sys
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | MOV W0,#2   ;
 STR W0,[X1] | STR W0,[X1] ;
 DMB SY      | DMB SY      ;
 STR W0,[X3] | LDR W2,[X3] ;
exists (y=2 /\ 1:X2=0)
"""

R_DMB_PO = R_DMBS.replace("R+dmb.sys", "R+dmb.sy+po").replace(
    " DMB SY      | DMB SY      ;", " DMB SY      |             ;"
)

CORR = r"""AArch64 CoRR
{ 0:X1=x; 1:X0=x; }
 P0          | P1          ;
 MOV W0,#1   | LDR W1,[X0] ;
 STR W0,[X1] | LDR W2,[X0] ;
exists (1:X1=1 /\ 1:X2=0)
"""

CORW1 = r"""AArch64 CoRW1
{ 0:X0=x; }
 P0          ;
 LDR W1,[X0] ;
 MOV W2,#1   ;
 STR W2,[X0] ;
exists (0:X1=1)
"""

CORW2 = r"""AArch64 CoRW2
{ 0:X1=x; 1:X0=x; }
 P0          | P1          ;
 MOV W0,#1   | LDR W1,[X0] ;
 STR W0,[X1] | MOV W2,#2   ;
             | STR W2,[X0] ;
exists ([x]=1 /\ 1:X1=1)
"""

COWR = r"""AArch64 CoWR
{ 0:X0=x; 1:X0=x; }
 P0          | P1          ;
 MOV W1,#1   | MOV W1,#2   ;
 STR W1,[X0] | STR W1,[X0] ;
 LDR W2,[X0] |             ;
exists ([x]=1 /\ 0:X2=2)
"""

COWW = r"""AArch64 CoWW
{ 0:X0=x; }
 P0          ;
 MOV W1,#1   ;
 STR W1,[X0] ;
 MOV W2,#2   ;
 STR W2,[X0] ;
exists ([x]=1)
"""

PPOCA = r"""AArch64 PPOCA
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=z; 1:X5=x; }
 P0          | P1                  ;
 MOV W0,#1   | LDR W0,[X1]         ;
 STR W0,[X1] | CBNZ W0,LC00        ;
 DMB SY      | LC00:               ;
 STR W0,[X3] | MOV W2,#1           ;
             | STR W2,[X3]         ;
             | LDR W4,[X3]         ;
             | EOR W6,W4,W4        ;
             | LDR W7,[X5,W6,SXTW] ;
exists (1:X0=1 /\ 1:X4=1 /\ 1:X7=0)
"""

PPOAA = r"""AArch64 PPOAA
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=z; 1:X5=x; }
 P0          | P1                  ;
 MOV W0,#1   | LDR W0,[X1]         ;
 STR W0,[X1] | EOR W8,W0,W0        ;
 DMB SY      | MOV W2,#1           ;
 STR W0,[X3] | STR W2,[X3,W8,SXTW] ;
             | LDR W4,[X3]         ;
             | EOR W6,W4,W4        ;
             | LDR W7,[X5,W6,SXTW] ;
exists (1:X0=1 /\ 1:X4=1 /\ 1:X7=0)
"""

CLASSIC = {
    "MP": (MP, "Allowed"),
    "MP+dmb.sy+addr": (MP_DMB_ADDR, "Forbidden"),
    "MP+dmb.sy+ctrlisb": (MP_DMB_CTRLISB, "Forbidden"),
    "MP+dmb.sy+ctrl": (MP_DMB_CTRL, "Allowed"),
    "MP+rel+acq": (MP_REL_ACQ, "Forbidden"),
    "MP+rel+acqpc": (MP_REL_ACQPC, "Forbidden"),
    "MP+dmb.st+dmb.ld": (MP_DMBST_DMBLD, "Forbidden"),
    "MP+dmb.ld+dmb.ld": (MP_DMBLD_DMBLD, "Allowed"),  # DMB LD does not order W->W
    "SB": (SB, "Allowed"),
    "SB+dmb.sys": (_sb("SB+dmb.sys", "DMB SY"), "Forbidden"),
    "SB+dsb.sys": (_sb("SB+dsb.sys", "DSB SY"), "Forbidden"),
    "SB+dmb.ishs": (_sb("SB+dmb.ishs", "DMB ISH"), "Forbidden"),
    "SB+dmb.sts": (_sb("SB+dmb.sts", "DMB ST"), "Allowed"),
    "SB+dmb.lds": (_sb("SB+dmb.lds", "DMB LD"), "Allowed"),
    "SB+rel+acq": (_sb("SB+rel+acq", "", "STLR", "LDAR"), "Forbidden"),
    "SB+rel+acqpc": (_sb("SB+rel+acqpc", "", "STLR", "LDAPR"), "Allowed"),
    "LB": (LB, "Allowed"),
    "LB+addrs": (LB_ADDRS, "Forbidden"),
    "LB+datas": (LB_DATAS, "Forbidden"),
    "LB+ctrls": (LB_CTRLS, "Forbidden"),
    "LB+data+po": (LB_DATA_PO, "Allowed"),
    "IRIW": (IRIW, "Allowed"),
    "IRIW+addrs": (IRIW_ADDRS, "Forbidden"),
    "WRC": (WRC, "Allowed"),
    "WRC+addrs": (WRC_ADDRS, "Forbidden"),
    "ISA2": (ISA2, "Allowed"),
    "ISA2+dmb.sy+addrs": (ISA2_DMB_ADDRS, "Forbidden"),
    "2+2W": (TWO_TWO_W, "Allowed"),
    "2+2W+dmb.sys": (TWO_TWO_W_DMBS, "Forbidden"),
    "S": (S, "Allowed"),
    "S+dmb.sy+data": (S_DMB_DATA, "Forbidden"),
    "S+dmb.sy+po": (S_DMB_PO, "Allowed"),
    "R": (R, "Allowed"),
    "R+dmb.sys": (R_DMBS, "Forbidden"),
    "R+dmb.sy+po": (R_DMB_PO, "Allowed"),
    "PPOCA": (PPOCA, "Allowed"),  # a forwarded write's control dependency is not inherited
    "PPOAA": (PPOAA, "Forbidden"),  # ... but its address dependency is: (addr|data); rfi
    "CoRR": (CORR, "Forbidden"),
    "CoRW1": (CORW1, "Forbidden"),
    "CoRW2": (CORW2, "Forbidden"),
    "CoWR": (COWR, "Forbidden"),
    "CoWW": (COWW, "Forbidden"),
}


@pytest.mark.parametrize("name", list(CLASSIC))
def test_classic_verdicts(name):
    text, verdict = CLASSIC[name]
    result = run(text)
    assert result.test.name == name
    assert result.verdict == verdict
    assert result.budget_exhausted == 0
    assert result.states  # never vacuous: some execution finished


# ---------------------------------------------------------------------------------------------
# herdtools7 catalogue/aarch64/tests, verdicts from its kinds.txt

CATALOGUE = catalogue()


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_catalogue_verdicts(name):
    verdict, text = CATALOGUE[name]
    result = run(text)
    assert result.verdict == verdict
    assert result.budget_exhausted == 0


# ---------------------------------------------------------------------------------------------
# Whole outcome sets


def test_mp_outcomes():
    assert outcomes(run(MP)) == {
        "1:X0=0; 1:X2=0;", "1:X0=0; 1:X2=1;", "1:X0=1; 1:X2=0;", "1:X0=1; 1:X2=1;"
    }


def test_mp_dmb_addr_outcomes():
    assert outcomes(run(MP_DMB_ADDR)) == {"1:X0=0; 1:X4=0;", "1:X0=0; 1:X4=1;", "1:X0=1; 1:X4=1;"}


def test_lb_outcomes():
    assert outcomes(run(LB)) == {
        "0:X0=0; 1:X0=0;", "0:X0=0; 1:X0=1;", "0:X0=1; 1:X0=0;", "0:X0=1; 1:X0=1;"
    }
    assert outcomes(run(LB_DATAS)) == {"0:X0=0; 1:X0=0;", "0:X0=0; 1:X0=1;", "0:X0=1; 1:X0=0;"}


def test_sb_rel_acq_outcomes():
    text = _sb("SB+rel+acq", "", "STLR", "LDAR")
    assert outcomes(run(text)) == {"0:X2=0; 1:X2=1;", "0:X2=1; 1:X2=0;", "0:X2=1; 1:X2=1;"}


def test_two_two_w_outcomes():
    assert outcomes(run(TWO_TWO_W)) == {
        "[x]=1; [y]=1;", "[x]=1; [y]=2;", "[x]=2; [y]=1;", "[x]=2; [y]=2;"
    }
    assert outcomes(run(TWO_TWO_W_DMBS)) == {"[x]=1; [y]=1;", "[x]=1; [y]=2;", "[x]=2; [y]=1;"}


def test_corr_outcomes():
    assert outcomes(run(CORR)) == {"1:X1=0; 1:X2=0;", "1:X1=0; 1:X2=1;", "1:X1=1; 1:X2=1;"}


def test_witnesses_replay_to_their_outcomes():
    for text in (LB, MP_DMB_ADDR, TWO_TWO_W):
        result = run(text)
        for state in result.states:
            again = replay(Machine(load(parse_text(text)), ARM()), state.witness)
            assert again.states[0].outcome == state.outcome


# ---------------------------------------------------------------------------------------------
# Atomicity: exclusives and LSE atomics

LDXR_LOOP = r"""AArch64 INC+ldxr-stxr-loops
{ 0:X1=x; 1:X1=x; }
 P0              | P1              ;
 L0:             | L1:             ;
 LDXR W0,[X1]    | LDXR W0,[X1]    ;
 ADD W0,W0,#1    | ADD W0,W0,#1    ;
 STXR W2,W0,[X1] | STXR W2,W0,[X1] ;
 CBNZ W2,L0      | CBNZ W2,L1      ;
exists ([x]=1)
"""

LDXR_ONCE = r"""AArch64 INC+ldxr-stxr
{ 0:X1=x; 1:X1=x; }
 P0              | P1              ;
 LDXR W0,[X1]    | LDXR W0,[X1]    ;
 ADD W0,W0,#1    | ADD W0,W0,#1    ;
 STXR W2,W0,[X1] | STXR W2,W0,[X1] ;
exists ([x]=1 /\ 0:X2=0 /\ 1:X2=0)
"""

LDADDS = r"""AArch64 INC+ldadds
{ 0:X1=x; 1:X1=x; }
 P0               | P1               ;
 MOV W2,#1        | MOV W2,#1        ;
 LDADD W2,W0,[X1] | LDADDAL W2,W0,[X1] ;
exists ([x]=1)
"""

CASES = r"""AArch64 CAS+CAS
{ 0:X1=x; 1:X1=x; }
 P0              | P1              ;
 MOV W0,#0       | MOV W0,#0       ;
 MOV W2,#1       | MOV W2,#2       ;
 CAS W0,W2,[X1]  | CASAL W0,W2,[X1] ;
exists (0:X0=0 /\ 1:X0=0)
"""


def test_exclusive_increment_loops_are_atomic():
    result = run(LDXR_LOOP)
    assert result.verdict == "Forbidden"
    assert outcomes(result) == {"[x]=2;"}


def test_exclusive_increment_without_loop():
    result = run(LDXR_ONCE)
    assert result.verdict == "Forbidden"  # both succeed -> x=2
    got = outcomes(result)
    assert "0:X2=0; 1:X2=0; [x]=2;" in got
    assert "0:X2=0; 1:X2=1; [x]=1;" in got  # P1 fails (spuriously, or after P0's write)
    assert "0:X2=1; 1:X2=1; [x]=0;" in got  # both fail spuriously: no loop, so explored
    assert not any(o.startswith("[x]=2") and "X2=1" in o for o in got)


def test_lse_increments_are_atomic():
    result = run(LDADDS)
    assert outcomes(result) == {"[x]=2;"}
    assert result.verdict == "Forbidden"


def test_only_one_cas_succeeds():
    result = run(CASES)
    assert result.verdict == "Forbidden"
    assert outcomes(result) == {"0:X0=0; 1:X0=1;", "0:X0=2; 1:X0=0;"}


def _sb_atomic(name: str, atomic: str) -> str:
    """SB whose P0 is STLR then LDAR and whose P1 stores with `atomic` then loads plainly."""
    return (
        f"AArch64 {name}\n{{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }}\n"
        " P0           | P1                   ;\n"
        " MOV W0,#1    | MOV W0,#1            ;\n"
        f" STLR W0,[X1] | {atomic + ' W0,W4,[X1]':20s} ;\n"
        " LDAR W2,[X3] | LDR W2,[X3]          ;\n"
        "exists (0:X2=0 /\\ 1:X2=0)\n"
    )


@pytest.mark.parametrize("atomic,verdict", [
    ("SWPAL", "Forbidden"),  # [range([A]; amo; [L])]; po; [M]: the write comes before the LDR
    ("LDADDAL", "Forbidden"),
    ("CASAL", "Forbidden"),  # W4 (the compare value) is 0 = x's initial value: it succeeds
    ("SWPA", "Allowed"),  # only the read is acquire: [A]; po orders it, not the write
    ("SWPL", "Allowed"),  # a release orders what comes before it, not what comes after
])  # fmt: skip
def test_acquire_release_atomic_orders_its_write_before_later_accesses(atomic, verdict):
    """herdtools7's current aarch64.cat has `[range([A];amo;[L])]; po; [M]` in bob: an
    acquire-release atomic's write is ordered before every later access. The 2019 file (which
    Promising-ARM was proved equal to) had only `po; ([A];amo;[L]); po`, allowing this SB."""
    if atomic == "CASAL":
        text = _sb_atomic("SB+rel-acq+casal-po", "CASAL").replace("W0,W4,[X1]", "W4,W0,[X1]")
    else:
        text = _sb_atomic(f"SB+rel-acq+{atomic.lower()}-po", atomic)
    result = run(text)
    assert result.verdict == verdict
    assert result.budget_exhausted == 0
    assert "0:X2=0; 1:X2=1;" in outcomes(result)


def test_lse_bit_operations_and_swaps_are_atomic():
    result = run(r"""AArch64 LSE-ops
{ x=12; 0:X1=x; 1:X1=x; 2:X1=x; }
 P0                | P1               | P2                 ;
 MOV W2,#1         | MOV W2,#2        | MOV W2,#4          ;
 LDSETAL W2,W0,[X1] | LDEOR W2,W0,[X1] | LDCLRA W2,W0,[X1] ;
exists ([x]=11)
""")
    # 12 = 0b1100: set bit 0, flip bit 1, clear bit 2, in any order: always 0b1011
    assert outcomes(result) >= {"[x]=11;"} and all(o.startswith("[x]=11;") for o in outcomes(result))
    assert result.verdict == "Allowed"
    swaps = run(r"""AArch64 SWP+SWP
{ 0:X1=x; 1:X1=x; }
 P0              | P1               ;
 MOV W2,#1       | MOV W2,#2        ;
 SWP W2,W0,[X1]  | SWPAL W2,W0,[X1] ;
exists (0:X0=0 /\ 1:X0=0)
""")
    assert outcomes(swaps) == {"0:X0=0; 1:X0=1;", "0:X0=2; 1:X0=0;"}


def test_clrex_makes_store_exclusive_fail():
    result = run(r"""AArch64 CLREX
{ 0:X1=x; }
 P0              ;
 LDXR W0,[X1]    ;
 CLREX           ;
 MOV W0,#5       ;
 STXR W2,W0,[X1] ;
exists ([x]=5)
""")
    assert result.verdict == "Forbidden"
    assert outcomes(result) == {"[x]=0;"}


# ---------------------------------------------------------------------------------------------
# A32 code under ARMv8 AArch32 rules

A32_MP = r"""ARM MP
{ 0:R0=x; 0:R1=y; 1:R0=y; 1:R1=x; }
 P0          | P1          ;
 MOV R2,#1   | LDR R2,[R0] ;
 STR R2,[R0] | LDR R3,[R1] ;
 STR R2,[R1] |             ;
exists (1:R2=1 /\ 1:R3=0)
"""

A32_MP_DMBS = r"""ARM MP+dmbs
{ 0:R0=x; 0:R1=y; 1:R0=y; 1:R1=x; }
 P0          | P1          ;
 MOV R2,#1   | LDR R2,[R0] ;
 STR R2,[R0] | DMB         ;
 DMB         | LDR R3,[R1] ;
 STR R2,[R1] |             ;
exists (1:R2=1 /\ 1:R3=0)
"""

A32_MP_DMB_CTRLISB = r"""ARM MP+dmb+ctrlisb
{ 0:R0=x; 0:R1=y; 1:R0=y; 1:R1=x; }
 P0          | P1          ;
 MOV R2,#1   | LDR R2,[R0] ;
 STR R2,[R0] | CMP R2,R2   ;
 DMB         | BNE LC00    ;
 STR R2,[R1] | LC00:       ;
             | ISB         ;
             | LDR R3,[R1] ;
exists (1:R2=1 /\ 1:R3=0)
"""

A32_LB_DATAS = r"""ARM LB+datas
{ 0:R0=x; 0:R1=y; 1:R0=y; 1:R1=x; }
 P0           | P1           ;
 LDR R2,[R0]  | LDR R2,[R0]  ;
 EOR R3,R2,R2 | EOR R3,R2,R2 ;
 ADD R3,R3,#1 | ADD R3,R3,#1 ;
 STR R3,[R1]  | STR R3,[R1]  ;
exists (0:R2=1 /\ 1:R2=1)
"""

A32_IRIW_ADDRS = r"""ARM IRIW+addrs
{ 0:R0=x; 1:R0=y; 2:R0=x; 2:R1=y; 3:R0=y; 3:R1=x; }
 P0          | P1          | P2             | P3             ;
 MOV R2,#1   | MOV R2,#1   | LDR R2,[R0]    | LDR R2,[R0]    ;
 STR R2,[R0] | STR R2,[R0] | EOR R4,R2,R2   | EOR R4,R2,R2   ;
             |             | LDR R3,[R1,R4] | LDR R3,[R1,R4] ;
exists (2:R2=1 /\ 2:R3=0 /\ 3:R2=1 /\ 3:R3=0)
"""

A32_INC = r"""ARM INC+ldrex-strex-loops
{ 0:R0=x; 1:R0=x; }
 P0               | P1               ;
 L0:              | L1:              ;
 LDREX R1,[R0]    | LDREX R1,[R0]    ;
 ADD R1,R1,#1     | ADD R1,R1,#1     ;
 STREX R2,R1,[R0] | STREX R2,R1,[R0] ;
 CMP R2,#0        | CMP R2,#0        ;
 BNE L0           | BNE L1           ;
exists ([x]=1)
"""

A32 = {
    "MP": (A32_MP, "Allowed"),
    "MP+dmbs": (A32_MP_DMBS, "Forbidden"),
    "MP+dmb+ctrlisb": (A32_MP_DMB_CTRLISB, "Forbidden"),
    "LB+datas": (A32_LB_DATAS, "Forbidden"),
    "IRIW+addrs": (A32_IRIW_ADDRS, "Forbidden"),
    "INC+ldrex-strex-loops": (A32_INC, "Forbidden"),
}


@pytest.mark.parametrize("name", list(A32))
def test_a32_verdicts(name):
    text, verdict = A32[name]
    result = run(text)
    assert result.verdict == verdict
    assert result.states


def test_a32_sb_dmb_ish_from_herd(tmp_path):
    from fencelab.litmus.parser import parse_file

    test = parse_file("tests/data/herd/arm/A003.litmus")
    assert exhaustive(Machine(load(test), ARM())).verdict == "Forbidden"


def test_a32_increment_outcomes():
    assert outcomes(run(A32_INC)) == {"[x]=2;"}


# ---------------------------------------------------------------------------------------------
# The model's interface: keys, labels, description, refusals


def test_registered_and_targets():
    assert isinstance(get_model("arm").new(), ARM)
    x86 = parse_text("X86_64 SB\n{ x=0; }\n P0 ;\n movl $1,(x) ;\nexists ([x]=1)\n")
    with pytest.raises(FencelabError, match="does not cover X86_64"):
        get_model("arm").check_arch(load(x86).test.arch)
    with pytest.raises(FencelabError, match="does not cover X86_64"):
        run_test(x86, RunOptions.named(model="arm"))


def test_promise_keys_labels_and_description():
    machine = Machine(load(parse_text(LB)), ARM())
    state = machine.initial()
    enabled = machine.transitions(state)
    keys = {t.key for t in enabled}
    # nothing executes before every write is promised; both threads may promise first
    assert keys == {"0.p1.y=1", "1.p1.x=1"}
    t = next(t for t in enabled if t.key == "0.p1.y=1")
    assert t.label == "P0: promise y=1 (timestamp 1)" and not t.executes
    view = machine.memory_view(t.target)
    assert view["phase"] == "promising"
    assert view["memory"][1] == {"ts": 1, "location": "y", "value": 1, "thread": "P0"}
    assert view["threads"][0]["promises"] == ["y=1@1"]
    state = t.target
    t = next(t for t in machine.transitions(state) if t.key == "1.p2.x=1")
    enabled = machine.transitions(t.target)
    reads = {e.key: e.label for e in enabled if e.tid == 0 and e.executes}
    assert reads == {
        "0.r0": "P0: execute ldr w0, [x1] (read x=0 from the initial write)",
        "0.r2": "P0: execute ldr w0, [x1] (read x=1 from @2 (P1))",
    }


def test_a_word_read_of_a_byte_write_merges_it_with_the_initial_bytes():
    """A location written with one size and read with another is kept byte-wise (mixed.py)."""
    text = r"""AArch64 MIXED
{ 0:X1=x; 1:X1=x; }
 P0           | P1          ;
 MOV W0,#1    | LDR W2,[X1] ;
 STRB W0,[X1] |             ;
exists (1:X2=1)
"""
    assert outcomes(run(text)) == {"1:X2=0;", "1:X2=1;"}


def test_outcomes_agree_with_sc_where_fences_restore_it():
    """With DMB SY between every pair of accesses, ARM allows exactly SC's outcomes."""
    for text in (_sb("SB+dmb.sys", "DMB SY"), TWO_TWO_W_DMBS, R_DMBS):
        test = parse_text(text)
        sc = exhaustive(Machine(load(test), get_model("sc").new()))
        arm = exhaustive(Machine(load(test), ARM()))
        assert arm.outcome_set() == sc.outcome_set()


# ---------------------------------------------------------------------------------------------
# Loops: spinning readers, and a loop that never ends

MP_SPIN = r"""AArch64 MP+dmb.sy+spin-{name}
{{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }}
 P0          | P1          ;
 MOV W0,#1   | L0:         ;
 STR W0,[X1] | LDR W0,[X1] ;
 DMB SY      | CBZ W0,L0   ;
 STR W0,[X3] | {fence:11s} ;
             | LDR W2,[X3] ;
exists (1:X2=0)
"""


@pytest.mark.parametrize("fence,verdict", [("NOP", "Allowed"), ("DMB LD", "Forbidden"),
                                           ("ISB", "Forbidden")])  # fmt: skip
def test_spin_loop_then_read(fence, verdict):
    """A control dependency alone does not order the read after the loop (ctrl;[ISB] or a
    DMB LD does). Re-reading a stale y is not explored twice: no execution hits the budget."""
    result = run(MP_SPIN.format(fence=fence, name=fence.replace(" ", ".").lower()))
    assert result.verdict == verdict
    assert outcomes(result) >= {"1:X2=1;"}
    assert result.budget_exhausted == 0


def test_loop_that_never_ends_is_reported_as_budget():
    result = run(r"""AArch64 SPIN-FOREVER
{ 0:X1=x; }
 P0          ;
 L0:         ;
 LDR W0,[X1] ;
 CBZ W0,L0   ;
exists (0:X0=1)
""")
    assert result.states == []
    assert result.budget_exhausted > 0


def test_store_exclusive_after_overwriting_the_loaded_register():
    """After `MOV W0,#5` both runs (LDXR read 0, LDXR read 1) have the same registers; each
    must still be able to succeed (Unicorn's monitor value is not part of the registers)."""
    result = run(r"""AArch64 STXR-after-MOV
{ 0:X1=x; 1:X1=x; }
 P0          | P1              ;
 MOV W0,#1   | LDXR W0,[X1]    ;
 STR W0,[X1] | MOV W0,#5       ;
             | STXR W2,W0,[X1] ;
exists ([x]=5 /\ 1:X2=0)
""")
    got = outcomes(result)
    assert {"1:X2=0; [x]=5;", "1:X2=0; [x]=1;", "1:X2=1; [x]=1;"} <= got
    assert result.verdict == "Allowed"


def test_a32_conditional_store_writes_only_when_its_condition_holds():
    result = run(r"""ARM LB+pred-store+po
{ 0:R0=x; 0:R1=y; 1:R0=y; 1:R1=x; }
 P0            | P1          ;
 LDR R2,[R0]   | LDR R2,[R0] ;
 MOV R3,#1     | MOV R3,#1   ;
 CMP R2,#1     |             ;
 STREQ R3,[R1] | STR R3,[R1] ;
exists (0:R2=1 /\ 1:R2=1)
""")
    # P1 sees y=1 only if P0 read x=1 and stored; P1's plain store may be promised early (LB)
    assert outcomes(result) == {"0:R2=0; 1:R2=0;", "0:R2=1; 1:R2=0;", "0:R2=1; 1:R2=1;"}


@pytest.mark.parametrize("text", [IRIW, ISA2, LDXR_ONCE, TWO_TWO_W, A32_INC])
def test_running_threads_in_order_reaches_the_same_outcomes(text):
    """ARM(interleave=False) lets only the lowest-numbered unfinished thread execute once memory
    is fixed: the same outcomes from fewer states."""
    test = parse_text(text)
    full = exhaustive(Machine(load(test), ARM()), reduce=False)
    ordered = exhaustive(Machine(load(test), ARM()))  # uses ARM(interleave=False)
    assert ordered.outcome_set() == full.outcome_set()
    assert ordered.explored_states < full.explored_states


# ---------------------------------------------------------------------------------------------
# Rules of the current aarch64.cat beyond Promising-ARM as published (2019 cat)

SB_LXSX_ACQ = r"""AArch64 SB+dmb+lxsx-poqp
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1               ;
 MOV W0,#1   | LDXR W0,[X1]     ;
 STR W0,[X1] | MOV W9,#1        ;
 DMB SY      | STXR W5,W9,[X1]  ;
 LDR W2,[X3] | LDAPR W2,[X1]    ;
             | LDR W4,[X3]      ;
exists (0:X2=0 /\ 1:X5=0 /\ 1:X2=1 /\ 1:X4=0)
"""


@pytest.mark.parametrize("store,load_,verdict", [
    ("STXR", "LDAPR", "Allowed"),  # aob orders the LDXR (which read 0) before it, not the STXR
    ("STXR", "LDAR", "Allowed"),
    ("STLXR", "LDAPR", "Allowed"),  # [L]; po; [A] is for LDAR only
    ("STLXR", "LDAR", "Forbidden"),
])  # fmt: skip
def test_acquire_may_read_its_own_exclusive_write_early(store, load_, verdict):
    """The current aarch64.cat's aob is `[M]; rmw; lrs; [A | Q]`: an acquire reading the
    thread's own store-exclusive is ordered after the paired load-exclusive only, so it may
    take the write from its store buffer before the write reaches memory. (The 2019 file had
    `[range(rmw)]; rfi; [A | Q]`, which forbade this SB.)"""
    text = SB_LXSX_ACQ.replace("STXR W5", f"{store} W5").replace("LDAPR W2", f"{load_} W2")
    assert run(text).verdict == verdict


def test_certification_sees_a_cas_fail_on_a_later_write():
    """P1's CASL fails by reading P0's y=4, which P0 writes only after reading P1's LDADDA. Run
    alone to certify the LDADDA's promise, P1's CAS could only succeed (y=0 is all memory
    holds), and its release write would then order the acquire LDADDA ([L]; po; [A]) after
    it: the model must let certification fail the CAS on a write it cannot see yet."""
    result = run(r"""AArch64 LB+ctrl+casl-failing
{ 0:X10=x; 0:X11=y; 1:X10=x; 1:X11=y; }
 P0              | P1                  ;
 LDAPR W0,[X10]  | MOV W1,#0           ;
 CBNZ W0,LC00    | MOV W9,#1           ;
 LC00:           | CASL W1,W9,[X11]    ;
 MOV W9,#4       | MOV W9,#3           ;
 STR W9,[X11]    | LDADDA W9,W4,[X10]  ;
exists (0:X0=3 /\ 1:X1=4)
""")
    assert result.verdict == "Allowed"
    assert "0:X0=3; 1:X1=4;" in outcomes(result)


def test_spinlock_loops_stay_small():
    """Two threads taking a lock with an acquire exchange loop (LDAXR/STXR, retrying while the
    lock reads 1): a failed attempt rewrites the 1 it read, and repeating such an attempt leads
    nowhere new, so certification does not enumerate every interleaving of them."""
    result = run(r"""AArch64 spinlock+swap
{ 0:X1=v; 0:X2=l; 1:X1=v; 1:X2=l; }
 P0                         | P1                         ;
 LC01: MOV W3,#1            | LC01: MOV W3,#1            ;
 LC03_RETRY: LDAXR W4,[X2]  | LC03_RETRY: LDAXR W4,[X2]  ;
 STXR W5,W3,[X2]            | STXR W5,W3,[X2]            ;
 CBNZ W5,LC03_RETRY         | CBNZ W5,LC03_RETRY         ;
 CMP W4,#1                  | CMP W4,#1                  ;
 B.NE LC02                  | B.NE LC02                  ;
 B LC01                     | B LC01                     ;
 LC02: LDR W0,[X1]          | LC02: LDR W0,[X1]          ;
 ADD W4,W0,#1               | ADD W4,W0,#1               ;
 STR W4,[X1]                | STR W4,[X1]                ;
 MOV W3,#0                  | MOV W3,#0                  ;
 STLR W3,[X2]               | STLR W3,[X2]               ;
exists (v=1)
""")
    assert outcomes(result) == {"[v]=2;"}
    assert result.verdict == "Forbidden"
    assert result.explored_states < 20_000


# ---------------------------------------------------------------------------------------------
# herd's ARM tests from the Cambridge suite name addresses with symbolic registers (`%x0=x`,
# `LDR R1, [%y0]`), given to the thread whose code uses them and placed in free registers.

SB_DMBS_SYMBOLIC = """ARM SB+dmbs
"DMBdWR Fre DMBdWR Fre"
Cycle=Fre DMBdWR Fre DMBdWR
{
%x0=x; %y0=y;
%y1=y; %x1=x;
}
 P0            | P1            ;
 MOV R0, #1    | MOV R0, #1    ;
 STR R0, [%x0] | STR R0, [%y1] ;
 DMB           | DMB           ;
 LDR R1, [%y0] | LDR R1, [%x1] ;
exists
(0:R1=0 /\\ 1:R1=0)
"""

MP_DMB_ADDR_SYMBOLIC = """ARM MP+dmb+addr
{
%x0=x; %y0=y;
%y1=y; %x1=x;
}
 P0            | P1               ;
 MOV R0, #1    | LDR R0, [%y1]    ;
 STR R0, [%x0] | EOR R1,R0,R0     ;
 DMB           | LDR R2, [R1,%x1] ;
 MOV R1, #1    |                  ;
 STR R1, [%y0] |                  ;
exists
(1:R0=1 /\\ 1:R2=0)
"""


def test_symbolic_registers_of_herd_arm_tests():
    sb = run(SB_DMBS_SYMBOLIC)
    assert sb.verdict == "Forbidden"
    assert outcomes(sb) == {"0:R1=0; 1:R1=1;", "0:R1=1; 1:R1=0;", "0:R1=1; 1:R1=1;"}
    mp = run(MP_DMB_ADDR_SYMBOLIC)
    assert mp.verdict == "Forbidden" and len(mp.states) == 3
    # the same test without its DMB: the message passing is observed
    assert run(MP_DMB_ADDR_SYMBOLIC.replace(" DMB           |", "               |")).verdict == (
        "Allowed"
    )


def test_symbolic_registers_go_to_the_thread_that_uses_them():
    test = parse_text(SB_DMBS_SYMBOLIC, "<test>")
    assert {(ri.tid, ri.reg) for ri in test.reg_inits} == {
        (0, "%x0"), (0, "%y0"), (1, "%y1"), (1, "%x1")
    }
    program = load(test)
    used = {r for t in program.threads for r in t.init_regs}
    assert used and all(r.startswith("r") and int(r[1:]) <= 12 for r in used), used


def test_a_symbolic_register_no_thread_uses_is_an_error():
    with pytest.raises(FencelabError, match=r"<test>:5:15: symbolic register '%z0' is used by no"):
        parse_text(SB_DMBS_SYMBOLIC.replace("%x0=x; %y0=y;", "%x0=x; %y0=y; %z0=x;"), "<test>")
