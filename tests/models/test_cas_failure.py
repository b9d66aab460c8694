"""A CAS whose comparison fails, in both ARMv8 engines (`arm`, `arm-axiomatic`).

fencelab runs a failed CAS as a read only. The Arm ARM permits it to write back the value it
read (A64 CAS: "If the comparison is not equal, the architecture permits writing the value
read from the location to memory"), and herd7 builds that execution too, beside the read-only
one (herdtools7 PR #1095), with the write-back's data taken from the read (PR #1175). Such a
write is coherence-next after the write it read and holds the same value, so it adds
executions but no final state: these tests pin outcome sets that herd's rule decides.
"""

from __future__ import annotations

import pytest

from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state
from fencelab.pipeline import RunOptions, run_test

MODELS = ["arm", "arm-axiomatic"]

# P0's CAS fails by reading P1's x=1; P0 then reads x again and writes y with a data
# dependency on that second read. Read-only, the second read takes x=1 from P1's write, so
# the condition is an LB cycle (data; rfe; dmb; rfe). With a write-back the second read could
# take x=1 from P0's own write-back (lrs): that breaks the cycle unless the write-back's value
# depends on the CAS's read, as herd's iico_data makes it (PR #1175; without it, herd after
# PR #1095 alone allowed this outcome).
LB_CAS_REREAD = r"""AArch64 LB+CASno-po-data+dmb.sy
{ 0:X0=x; 0:X1=y; 0:X5=2; 0:X4=3; 1:X0=x; 1:X1=y; }
 P0             | P1          ;
 CAS W5,W4,[X0] | LDR W1,[X1] ;
 LDR W6,[X0]    | DMB SY      ;
 EOR W7,W6,W6   | MOV W2,#1   ;
 ADD W7,W7,#1   | STR W2,[X0] ;
 STR W7,[X1]    |             ;
exists (0:X5=1 /\ 0:X6=1 /\ 1:X1=1)
"""


def run(text: str, model: str):
    return run_test(parse_text(text, "<test>"), RunOptions.named(model=model))


def outcomes(result) -> set[str]:
    return {format_state(s.outcome) for s in result.states}


@pytest.mark.parametrize("model", MODELS)
def test_a_failed_cas_reread_is_ordered_after_the_write_the_cas_read(model):
    result = run(LB_CAS_REREAD, model)
    assert result.verdict == "Forbidden"
    assert result.budget_exhausted == 0
    assert outcomes(result) == {
        "0:X5=0; 0:X6=0; 1:X1=0;",
        "0:X5=0; 0:X6=0; 1:X1=1;",
        "0:X5=0; 0:X6=1; 1:X1=0;",
        "0:X5=1; 0:X6=1; 1:X1=0;",  # the CAS failed (x=1 is not 2)
    }


def _mp_cas(cas: str) -> str:
    """MP whose reader's `cas` compares y (the flag) with 0: reading the flag's 1, it fails."""
    return (
        f"AArch64 MP+rel+{cas.split()[0]}-fail\n{{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }}\n"
        " P0           | P1                  ;\n"
        " MOV W0,#1    | MOV W0,#0           ;\n"
        f" STR W0,[X1]  | {cas:19s} ;\n"
        " STLR W0,[X3] | LDR W2,[X3]         ;\n"
        "exists (1:X0=1 /\\ 1:X2=0)\n"
    )


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("cas,verdict", [
    ("CASA W0,W4,[X1]", "Forbidden"),  # a failed CASA still reads with acquire semantics
    ("CASAL W0,W4,[X1]", "Forbidden"),
    ("CAS W0,W4,[X1]", "Allowed"),  # no acquire: the data read may come first
    ("CASL W0,W4,[X1]", "Allowed"),  # release is for a write: it orders nothing after it
])  # fmt: skip
def test_a_failed_cas_keeps_its_acquire_read(model, cas, verdict):
    result = run(_mp_cas(cas), model)
    assert result.verdict == verdict
    got = outcomes(result)
    assert "1:X0=1; 1:X2=1;" in got  # failed: W0 holds the flag's 1
    assert ("1:X0=1; 1:X2=0;" in got) == (verdict == "Allowed")
