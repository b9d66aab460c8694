"""The axiomatic ARMv8 checker (aarch64.cat) on classic litmus tests, and its SC twin.

Expected verdicts are herd7's under aarch64.cat, as published with the herdtools7 catalogue
(catalogue/aarch64) and in Pulte et al., "Simplifying ARM concurrency" (POPL 2018): ARMv8 is
other-multi-copy-atomic (IRIW+addrs, WRC+addrs forbidden), orders dependencies to writes and
address dependencies to reads, but not control dependencies to reads without an ISB.
"""

from __future__ import annotations

import glob

import pytest

from fencelab.errors import FencelabError
from fencelab.gen.random_tests import generate, generate_many
from fencelab.litmus.parser import parse_file, parse_text
from fencelab.litmus.printer import format_state
from fencelab.machine.explore import exhaustive
from fencelab.machine.machine import Machine
from fencelab.models.axiomatic.arm import consistent_executions, run_axiomatic
from fencelab.models.registry import get_model
from fencelab.models.relations import acyclic, from_pairs, pairs, plus, seq, union
from fencelab.program.load import load
from tests.helpers.herd import catalogue
from tests.helpers.litmus import table


def two(name: str, init: str, p0: list[str], p1: list[str], cond: str) -> str:
    rows = [f" {a:<24} | {b:<24} ;" for a, b in zip(p0 + [""] * 9, p1 + [""] * 9) if a or b]
    return "\n".join([f"AArch64 {name}", "{", init, "}", f" {'P0':<24} | {'P1':<24} ;",
                      *rows, cond]) + "\n"  # fmt: skip




MP_INIT = "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;"
MP_W = ["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"]
MP_COND = "exists (1:X0=1 /\\ 1:X2=0)"


def mp(name: str, writer_mid: list[str], reader: list[str]) -> str:
    writer = MP_W[:2] + writer_mid + MP_W[2:]
    return two(name, MP_INIT, writer, reader, MP_COND)


SB_INIT = "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;"
SB_COND = "exists (0:X2=0 /\\ 1:X2=0)"


def sb(name: str, p0: list[str], p1: list[str]) -> str:
    return two(name, SB_INIT, p0, p1, SB_COND)


LB_INIT = "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;"
LB_COND = "exists (0:X0=1 /\\ 1:X0=1)"

CASES = {
    # Message passing
    "MP": (mp("MP", [], ["LDR W0,[X1]", "LDR W2,[X3]"]), "Allowed"),
    "MP+dmb.sys": (mp("MP+dmb.sys", ["DMB SY"], ["LDR W0,[X1]", "DMB SY", "LDR W2,[X3]"]),
                   "Forbidden"),
    "MP+dmb.sy+po": (mp("MP+dmb.sy+po", ["DMB SY"], ["LDR W0,[X1]", "LDR W2,[X3]"]), "Allowed"),
    "MP+dmb.sy+addr": (mp("MP+dmb.sy+addr", ["DMB SY"],
                          ["LDR W0,[X1]", "EOR W4,W0,W0", "LDR W2,[X3,W4,SXTW]"]), "Forbidden"),
    "MP+dmb.st+addr": (mp("MP+dmb.st+addr", ["DMB ST"],
                          ["LDR W0,[X1]", "EOR W4,W0,W0", "LDR W2,[X3,W4,SXTW]"]), "Forbidden"),
    "MP+dmb.sy+dmb.ld": (mp("MP+dmb.sy+dmb.ld", ["DMB SY"],
                            ["LDR W0,[X1]", "DMB LD", "LDR W2,[X3]"]), "Forbidden"),
    "MP+dmb.ld+dmb.ld": (mp("MP+dmb.ld+dmb.ld", ["DMB LD"],
                            ["LDR W0,[X1]", "DMB LD", "LDR W2,[X3]"]), "Allowed"),
    "MP+dmb.sy+ctrl": (mp("MP+dmb.sy+ctrl", ["DMB SY"],
                          ["LDR W0,[X1]", "CBNZ W0,LC00", "LC00:", "LDR W2,[X3]"]), "Allowed"),
    "MP+dmb.sy+ctrlisb": (mp("MP+dmb.sy+ctrlisb", ["DMB SY"],
                             ["LDR W0,[X1]", "CBNZ W0,LC00", "LC00:", "ISB", "LDR W2,[X3]"]),
                          "Forbidden"),
    "MP+popl+poap": (two("MP+popl+poap", MP_INIT,
                         ["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STLR W2,[X3]"],
                         ["LDAR W0,[X1]", "LDR W2,[X3]"], MP_COND), "Forbidden"),
    "MP+popl+poqp": (two("MP+popl+poqp", MP_INIT,
                         ["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STLR W2,[X3]"],
                         ["LDAPR W0,[X1]", "LDR W2,[X3]"], MP_COND), "Forbidden"),
    "MP+popl+po": (two("MP+popl+po", MP_INIT,
                       ["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STLR W2,[X3]"],
                       ["LDR W0,[X1]", "LDR W2,[X3]"], MP_COND), "Allowed"),
    # Store buffering
    "SB": (sb("SB", ["MOV W0,#1", "STR W0,[X1]", "LDR W2,[X3]"],
              ["MOV W0,#1", "STR W0,[X1]", "LDR W2,[X3]"]), "Allowed"),
    "SB+dmb.sys": (sb("SB+dmb.sys", ["MOV W0,#1", "STR W0,[X1]", "DMB SY", "LDR W2,[X3]"],
                      ["MOV W0,#1", "STR W0,[X1]", "DMB SY", "LDR W2,[X3]"]), "Forbidden"),
    "SB+dmb.sts": (sb("SB+dmb.sts", ["MOV W0,#1", "STR W0,[X1]", "DMB ST", "LDR W2,[X3]"],
                      ["MOV W0,#1", "STR W0,[X1]", "DMB ST", "LDR W2,[X3]"]), "Allowed"),
    "SB+rel+acq": (sb("SB+rel+acq", ["MOV W0,#1", "STLR W0,[X1]", "LDAR W2,[X3]"],
                      ["MOV W0,#1", "STLR W0,[X1]", "LDAR W2,[X3]"]), "Forbidden"),
    "SB+rel+acqpc": (sb("SB+rel+acqpc", ["MOV W0,#1", "STLR W0,[X1]", "LDAPR W2,[X3]"],
                        ["MOV W0,#1", "STLR W0,[X1]", "LDAPR W2,[X3]"]), "Allowed"),
    # Load buffering
    "LB": (two("LB", LB_INIT, ["LDR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"],
               ["LDR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"], LB_COND), "Allowed"),
    "LB+datas": (two("LB+datas", LB_INIT,
                     ["LDR W0,[X1]", "EOR W2,W0,W0", "ADD W2,W2,#1", "STR W2,[X3]"],
                     ["LDR W0,[X1]", "EOR W2,W0,W0", "ADD W2,W2,#1", "STR W2,[X3]"], LB_COND),
                 "Forbidden"),
    "LB+ctrls": (two("LB+ctrls", LB_INIT,
                     ["LDR W0,[X1]", "CBNZ W0,LC00", "LC00:", "MOV W2,#1", "STR W2,[X3]"],
                     ["LDR W0,[X1]", "CBNZ W0,LC10", "LC10:", "MOV W2,#1", "STR W2,[X3]"],
                     LB_COND), "Forbidden"),
    "LB+addrs": (two("LB+addrs", LB_INIT,
                     ["LDR W0,[X1]", "EOR W4,W0,W0", "MOV W2,#1", "STR W2,[X3,W4,SXTW]"],
                     ["LDR W0,[X1]", "EOR W4,W0,W0", "MOV W2,#1", "STR W2,[X3,W4,SXTW]"],
                     LB_COND), "Forbidden"),
    # Multi-copy atomicity
    "IRIW+addrs": (table("IRIW+addrs", "0:X1=x; 1:X1=x; 1:X3=y; 2:X1=y; 3:X1=y; 3:X3=x;",
                         [["MOV W0,#1", "STR W0,[X1]"],
                          ["LDR W0,[X1]", "EOR W4,W0,W0", "LDR W2,[X3,W4,SXTW]"],
                          ["MOV W0,#1", "STR W0,[X1]"],
                          ["LDR W0,[X1]", "EOR W4,W0,W0", "LDR W2,[X3,W4,SXTW]"]],
                         "exists (1:X0=1 /\\ 1:X2=0 /\\ 3:X0=1 /\\ 3:X2=0)"), "Forbidden"),
    "IRIW": (table("IRIW", "0:X1=x; 1:X1=x; 1:X3=y; 2:X1=y; 3:X1=y; 3:X3=x;",
                   [["MOV W0,#1", "STR W0,[X1]"], ["LDR W0,[X1]", "LDR W2,[X3]"],
                    ["MOV W0,#1", "STR W0,[X1]"], ["LDR W0,[X1]", "LDR W2,[X3]"]],
                   "exists (1:X0=1 /\\ 1:X2=0 /\\ 3:X0=1 /\\ 3:X2=0)"), "Allowed"),
    "WRC+addrs": (table("WRC+addrs", "0:X1=x; 1:X1=x; 1:X3=y; 2:X1=y; 2:X3=x;",
                        [["MOV W0,#1", "STR W0,[X1]"],
                         ["LDR W0,[X1]", "EOR W4,W0,W0", "MOV W2,#1", "STR W2,[X3,W4,SXTW]"],
                         ["LDR W0,[X1]", "EOR W4,W0,W0", "LDR W2,[X3,W4,SXTW]"]],
                        "exists (1:X0=1 /\\ 2:X0=1 /\\ 2:X2=0)"), "Forbidden"),
    "WRC": (table("WRC", "0:X1=x; 1:X1=x; 1:X3=y; 2:X1=y; 2:X3=x;",
                  [["MOV W0,#1", "STR W0,[X1]"], ["LDR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"],
                   ["LDR W0,[X1]", "LDR W2,[X3]"]],
                  "exists (1:X0=1 /\\ 2:X0=1 /\\ 2:X2=0)"), "Allowed"),
    # Write-write and coherence
    "2+2W": (two("2+2W", "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
                 ["MOV W0,#2", "STR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"],
                 ["MOV W0,#2", "STR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"],
                 "exists ([x]=2 /\\ [y]=2)"), "Allowed"),
    "R+dmb.sys": (two("R+dmb.sys", "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
                      ["MOV W0,#1", "STR W0,[X1]", "DMB SY", "MOV W2,#1", "STR W2,[X3]"],
                      ["MOV W0,#2", "STR W0,[X1]", "DMB SY", "LDR W2,[X3]"],
                      "exists ([y]=2 /\\ 1:X2=0)"), "Forbidden"),
    "S+dmb.sy+data": (two("S+dmb.sy+data", "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
                          ["MOV W0,#2", "STR W0,[X1]", "DMB SY", "MOV W2,#1", "STR W2,[X3]"],
                          ["LDR W0,[X1]", "EOR W2,W0,W0", "ADD W2,W2,#1", "STR W2,[X3]"],
                          "exists ([x]=2 /\\ 1:X0=1)"), "Forbidden"),
    "CoWW": (two("CoWW", "0:X1=x;", ["MOV W0,#1", "STR W0,[X1]", "MOV W2,#2", "STR W2,[X1]"],
                 ["NOP"], "exists ([x]=1)"), "Forbidden"),
    "CoWR": (two("CoWR", "0:X1=x; 1:X1=x;", ["MOV W0,#1", "STR W0,[X1]", "LDR W2,[X1]"],
                 ["MOV W0,#2", "STR W0,[X1]"], "exists ([x]=1 /\\ 0:X2=2)"), "Forbidden"),
    "CoRW1": (two("CoRW1", "0:X1=x;", ["LDR W0,[X1]", "MOV W2,#1", "STR W2,[X1]"], ["NOP"],
                  "exists (0:X0=1)"), "Forbidden"),
    # Atomicity of read-modify-writes
    "LDXR-STXR-both-succeed": (
        two("ATOM", "0:X1=x; 1:X1=x;",
            ["LDXR W0,[X1]", "ADD W0,W0,#1", "STXR W2,W0,[X1]"],
            ["LDXR W0,[X1]", "ADD W0,W0,#1", "STXR W2,W0,[X1]"],
            "exists (0:X2=0 /\\ 1:X2=0 /\\ [x]=1)"), "Forbidden"),
    "LDADD-both-read-0": (
        two("ATOM-LSE", "0:X1=x; 1:X1=x;", ["MOV W2,#1", "LDADD W2,W0,[X1]"],
            ["MOV W2,#1", "LDADD W2,W0,[X1]"], "exists (0:X0=0 /\\ 1:X0=0)"), "Forbidden"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_classic_verdicts(name):
    text, expected = CASES[name]
    result = run_axiomatic(load(parse_text(text, name)))
    assert result.verdict == expected, "\n".join(format_state(s.outcome) for s in result.states)
    assert result.engine == "arm-axiomatic" and result.mode == "axiomatic"


HERD_VERDICTS = {  # herd7 aarch64.cat results for the catalogue files in tests/data/herd
    "2+2W+dmb.sys": "Forbidden",
    "CoRR": "Forbidden",
    "CoRW2": "Forbidden",
    "LB+rel+BEQ": "Allowed",  # the branch tests a register no load wrote: no dependency
    "MP": "Allowed",
    "LB+rel+CSEL": "Allowed",  # the CSEL picks the register no load wrote: no data dependency
    "MP+rel+CAS-addr": "Allowed",  # the compare register only picks the write: no lrs chain
    "MP+rel+LDADD-dmb.ld": "Forbidden",
    "MP+rel+SWPacq": "Forbidden",
    "SB+dmb.sy+rel-acqpc": "Allowed",  # RCpc: STLR then LDAPR is not ordered
}


# herdtools7 catalogue/aarch64/tests (CeCILL-B), verdicts from its kinds.txt (herd7 under the
# current aarch64.cat): the tests that turn on pick dependencies (CSEL, a CAS's compare
# register), on what a CAS returns, and on atomics into the zero register (NoRet)
CATALOGUE = catalogue()


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_herd_catalogue_verdicts(name):
    verdict, text = CATALOGUE[name]
    result = run_axiomatic(load(parse_text(text, name)))
    assert result.verdict == verdict, "\n".join(format_state(s.outcome) for s in result.states)


def test_csel_picks_the_operand_its_condition_chose():
    """The replayed condition decides which operand's dependency the result carries: with the
    condition false, CSEL takes the loaded register and the store depends on the load."""
    _, text = CATALOGUE["LB+rel+CSEL"]
    chosen = text.replace("CSEL X1, X1, X3, EQ", "CSEL X1, X1, X3, NE")
    assert run_axiomatic(load(parse_text(chosen))).verdict == "Forbidden"
    assert run_axiomatic(load(parse_text(text))).verdict == "Allowed"


def test_noret_atomic_is_not_an_acquire():
    """SWPA into WZR reads with herd's NoRet annotation: not A, so nothing after it waits."""
    _, text = CATALOGUE["MP+rel+SWPacq-noret"]
    x = next(iter(consistent_executions(load(parse_text(text)))))
    swp_reads = [e for e in x.sk.events if e.kind == "R" and e.info and e.info.mnemonic == "swpa"]
    assert swp_reads and all(e.noret and not e.acquire for e in swp_reads)


LDAPR_AFTER_STXR = two("MP+dmb+lxsx-poqp", "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
                       ["MOV W0,#1", "STR W0,[X1]", "DMB SY", "STR W0,[X3]"],
                       ["LDXR W0,[X1]", "MOV W9,#2", "STXR W5,W9,[X1]", "LDAPR W2,[X1]",
                        "LDR W4,[X3]"],
                       "exists (1:X0=1 /\\ 1:X5=0 /\\ 1:X2=2 /\\ 1:X4=0)")  # fmt: skip


@pytest.mark.parametrize("load_insn, verdict", [("LDAPR", "Forbidden"), ("LDAR", "Forbidden"),
                                                ("LDR", "Allowed")])  # fmt: skip
def test_acquire_reading_its_own_exclusive_write_orders_the_exclusive_read(load_insn, verdict):
    """aob has `[M]; rmw; lrs; [A | Q]`: an LDAPR (or LDAR) reading the thread's own successful
    STXR orders the LDXR's read before it, and `[A | Q]; po` orders it before the next load."""
    text = LDAPR_AFTER_STXR.replace("LDAPR", load_insn)
    for model in ("arm", "arm-2019"):
        assert run_axiomatic(load(parse_text(text)), model).verdict == verdict


A32_CASES = {
    "MP": ("""ARM MP
{ 0:R0=x; 0:R1=y; 1:R0=y; 1:R1=x; }
 P0          | P1          ;
 MOV R2,#1   | LDR R2,[R0] ;
 STR R2,[R0] | LDR R3,[R1] ;
 STR R2,[R1] |             ;
exists (1:R2=1 /\\ 1:R3=0)
""", "Allowed"),
    "MP+dmb+addr": ("""ARM MP+dmb+addr
{ 0:R0=x; 0:R1=y; 1:R0=y; 1:R1=x; }
 P0          | P1           ;
 MOV R2,#1   | LDR R2,[R0]  ;
 STR R2,[R0] | EOR R4,R2,R2 ;
 DMB         | LDR R3,[R1,R4] ;
 STR R2,[R1] |              ;
exists (1:R2=1 /\\ 1:R3=0)
""", "Forbidden"),
    "MP+dmb+ctrl": ("""ARM MP+dmb+ctrl
{ 0:R0=x; 0:R1=y; 1:R0=y; 1:R1=x; }
 P0          | P1          ;
 MOV R2,#1   | LDR R2,[R0] ;
 STR R2,[R0] | CMP R2,R2   ;
 DMB         | BNE LC00    ;
 STR R2,[R1] | LC00:       ;
             | LDR R3,[R1] ;
exists (1:R2=1 /\\ 1:R3=0)
""", "Allowed"),
    "MP+dmb+ctrlisb": ("""ARM MP+dmb+ctrlisb
{ 0:R0=x; 0:R1=y; 1:R0=y; 1:R1=x; }
 P0          | P1          ;
 MOV R2,#1   | LDR R2,[R0] ;
 STR R2,[R0] | CMP R2,R2   ;
 DMB         | BNE LC00    ;
 STR R2,[R1] | LC00:       ;
             | ISB         ;
             | LDR R3,[R1] ;
exists (1:R2=1 /\\ 1:R3=0)
""", "Forbidden"),
    "ATOM": ("""ARM ATOM
{ 0:R0=x; 1:R0=x; }
 P0                | P1                ;
 LDREX R1,[R0]     | LDREX R1,[R0]     ;
 ADD R1,R1,#1      | ADD R1,R1,#1      ;
 STREX R2,R1,[R0]  | STREX R2,R1,[R0]  ;
exists (0:R2=0 /\\ 1:R2=0 /\\ [x]=1)
""", "Forbidden"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(A32_CASES))
def test_a32_verdicts(name):
    """A32 code under the ARMv8 AArch32 model (Arm ARM E2.3: the AArch64 axioms; herd runs
    ARM tests with aarch32.cat, which is the same model): dependencies order, DMB orders, a
    control dependency needs an ISB before a later load, exclusives are atomic."""
    text, verdict = A32_CASES[name]
    result = run_axiomatic(load(parse_text(text, name)))
    assert result.verdict == verdict


SB_SWPAL = sb("SB+rel-acq+swpal-po", ["MOV W0,#1", "STLR W0,[X1]", "LDAR W2,[X3]"],
              ["MOV W0,#1", "SWPAL W0,W4,[X1]", "LDR W2,[X3]"])  # fmt: skip


def test_current_model_orders_the_write_of_an_al_atomic_before_later_accesses():
    """aarch64.cat now has `[range([A]; amo; [L])]; po` in bob: the SWPAL's write is ordered
    before the later load, closing the SB cycle. The 2019 file had `po; ([A];amo;[L]); po`,
    which orders only what comes before the atomic with what comes after it."""
    test = parse_text(SB_SWPAL)
    assert run_axiomatic(load(test), "arm").verdict == "Forbidden"
    assert run_axiomatic(load(test), "arm-2019").verdict == "Allowed"


@pytest.mark.parametrize("name", list(CASES))
def test_classic_verdicts_2019_model(name):
    """The 2019 aarch64.cat agrees with the current one on every classic test above."""
    text, expected = CASES[name]
    assert run_axiomatic(load(parse_text(text, name)), "arm-2019").verdict == expected


@pytest.mark.parametrize("name", list(HERD_VERDICTS))
def test_catalogue_files(name):
    test = parse_file(f"tests/data/herd/aarch64/{name}.litmus")
    assert run_axiomatic(load(test)).verdict == HERD_VERDICTS[name]


def test_mp_outcomes_exactly():
    """MP allows all four combinations of the reader's two loads under ARMv8."""
    result = run_axiomatic(load(parse_text(CASES["MP"][0])))
    seen = {tuple(v for _, v in s.outcome) for s in result.states}
    assert seen == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_sb_has_four_consistent_sc_executions_minus_one():
    """Under SC, SB has 3 consistent executions (the 0/0 one is the cycle po;fr;po;fr)."""
    text = CASES["SB"][0]
    assert len(list(consistent_executions(load(parse_text(text)), "sc"))) == 3
    assert len(list(consistent_executions(load(parse_text(text)), "arm"))) == 4


def test_store_exclusive_may_fail_spuriously_without_a_loop():
    text = two("STXR1", "0:X1=x;", ["LDXR W0,[X1]", "MOV W3,#5", "STXR W2,W3,[X1]"], ["NOP"],
               "exists (0:X2=1)")  # fmt: skip
    result = run_axiomatic(load(parse_text(text)))
    assert {tuple(v for _, v in s.outcome) for s in result.states} == {(0,), (1,)}


def test_unmonitored_store_exclusive_always_fails():
    text = two("STXR0", "0:X1=x;", ["MOV W3,#5", "STXR W2,W3,[X1]"], ["NOP"],
               "exists (0:X2=0 \\/ [x]=5)")
    result = run_axiomatic(load(parse_text(text)))
    assert result.verdict == "Forbidden"


def test_non_arm_test_is_refused():
    text = "X86_64 SB\n{ }\n P0 | P1 ;\n movl $1,(x) | movl $1,(y) ;\nexists ([x]=1)\n"
    with pytest.raises(FencelabError, match="AArch64 and ARM"):
        run_axiomatic(load(parse_text(text)))


def test_relation_helpers():
    r = from_pairs(5, [(1, 2), (2, 3)])
    assert set(pairs(plus(r))) == {(1, 2), (2, 3), (1, 3)}
    assert set(pairs(seq(r, r))) == {(1, 3)}
    assert acyclic(r) and not acyclic(union(r, from_pairs(5, [(3, 1)])))
    assert not acyclic(from_pairs(5, [(4, 4)]))


@pytest.mark.parametrize(
    "path", sorted(glob.glob("tests/data/herd/aarch64/*.litmus")), ids=lambda p: p.split("/")[-1]
)
def test_sc_axiomatic_equals_sc_machine_on_catalogue(path):
    test = parse_file(path)
    axiomatic = run_axiomatic(load(test), "sc").outcome_set()
    machine = exhaustive(Machine(load(test), get_model("sc").new())).outcome_set()
    assert axiomatic == machine


def test_arm_allows_at_least_what_sc_allows():
    for text in generate_many(12, seed=7):
        test = parse_text(text)
        assert run_axiomatic(load(test), "sc").outcome_set() <= run_axiomatic(
            load(test), "arm"
        ).outcome_set(), text


def test_generator_is_deterministic_and_parses():
    assert generate(3) == generate(3)
    assert generate(3) != generate(4)
    assert generate(3, arch="ARM") != generate(3)
    for arch in ("AArch64", "ARM"):
        for text in generate_many(30, seed=11, arch=arch):
            test = parse_text(text)
            assert test.arch == arch
            assert 2 <= len(test.threads) <= 3
            assert test.condition.quantifier == "exists"
            load(test)  # assembles: every generated instruction is one keystone/our encoder takes
