"""A predicated (conditionally executed) A32 access under the ARMv8 models, `aarch32` and
`arm-axiomatic`, as herd's aarch32.cat has it: ARMSem.ml's `checkZ` reads the flags and then
(`>>*=`, iico_ctrl) the access's registers, and aarch32.cat's `dd = (rf-reg | intrinsic)+`
goes through that edge: the condition is an address dependency of the access it let happen
(and so, by `addr; po; [W]`, orders the writes after it). Through the command line.

Where the condition fails, `checkZ` runs nothing (`choiceT b (op ii) (unitT ())`): no event,
so no dependency from the flags, and a register the instruction would have written keeps its
earlier write and that write's dependencies. Where it holds, a register-only instruction
writes its destination without reading it (`MOVEQ R4,#0` does not depend on R4's earlier
value). fencelab's `aarch32` and `arm-axiomatic` read the flags and the destination either way,
and ordered after a failed predicated access what followed it (`aarch32`), so they said Never
to the four shapes below, which herd allows (Sometimes 1 3: P1 reads y = 0 or 1, then x = 0
or 1):

- MP+dmb+predmov-failed: `MOVNE R4,#0` fails where P1 read y=1: R4 keeps its initial value,
  no dependency, and the read of x at [R3,R4] is not ordered after the read of y.
- MP+dmb+movpred-overwrites: `EOR R4,R0,R0` makes R4 depend on the read of y, and `MOVEQ R4,#0`
  on flags no read decides overwrites it: no address dependency into the read of x.
- LB+predld-failed: `LDRNE` fails where the thread read 1: nothing orders its later store.
- LB+movpred-failed: `MOVNE R2,#1` fails where it read 1: the store's R2 is its initial 1.
"""

from __future__ import annotations

import pytest

from tests.helpers import herd_counts
from tests.helpers.litmus import table

INIT = "0:R1=x; 0:R3=y; 1:R1=y; 1:R3=x; 0:R2=1; 1:R2=1; 0:R5=z; 1:R5=z;"
LOAD_THEN_FLAGS = ["LDR R0,[R1]", "CMP R0,#1"]


def arm(name: str, threads: list[list[str]], cond: str) -> str:
    return table(name, INIT, threads, cond, arch="ARM")


# MP+dmb with P1's second load predicated on the first's value: herd forbids (addr)
MP = arm("MP+dmb+predld", [["STR R2,[R1]", "DMB", "STR R2,[R3]"],
                           [*LOAD_THEN_FLAGS, "LDREQ R4,[R3]"]], "exists (1:R0=1 /\\ 1:R4=0)")
# LB with each store done by STREQ or STRNE on the loaded value: herd forbids (addr, data)
LB = arm("LB+preds", [[*LOAD_THEN_FLAGS, "STREQ R2,[R3]", "STRNE R2,[R3]"]] * 2,
         "exists (0:R0=1 /\\ 1:R0=1)")
# the same order reaches a plain store after a predicated one (addr; po; [W])
LB_AFTER = arm("LB+predafter", [[*LOAD_THEN_FLAGS, "STREQ R2,[R5]", "STR R2,[R3]"]] * 2,
               "exists (0:R0=1 /\\ 1:R0=1)")
# without the predicated access, LB is allowed
LB_PO = arm("LB+po", [[*LOAD_THEN_FLAGS, "STR R2,[R3]"]] * 2, "exists (0:R0=1 /\\ 1:R0=1)")
MP_DMB = ["STR R2,[R1]", "DMB", "STR R2,[R3]"]
MP_COND = "exists (1:R0=1 /\\ 1:R6=0)"
MP_FAILED = arm("MP+dmb+predmov-failed",
                [MP_DMB, [*LOAD_THEN_FLAGS, "MOVNE R4,#0", "LDR R6,[R3,R4]"]], MP_COND)
MP_OVERWRITES = arm("MP+dmb+movpred-overwrites",
                    [MP_DMB, ["LDR R0,[R1]", "EOR R4,R0,R0", "CMP R2,#1", "MOVEQ R4,#0",
                              "LDR R6,[R3,R4]"]], MP_COND)  # fmt: skip
LB_FAILED = arm("LB+predld-failed", [[*LOAD_THEN_FLAGS, "LDRNE R4,[R5]", "STR R2,[R3]"]] * 2,
                "exists (0:R0=1 /\\ 1:R0=1)")  # fmt: skip
LB_MOV_FAILED = arm("LB+movpred-failed", [[*LOAD_THEN_FLAGS, "MOVNE R2,#1", "STR R2,[R3]"]] * 2,
                    "exists (0:R0=1 /\\ 1:R0=1)")  # fmt: skip
# P1's read of x only decides whether its STREQ writes y (R0 is not observed): two
# executions, y=1 where it read P0's store
W_PREDST = table("W+predst", "0:R1=x; 0:R2=1; 1:R3=x; 1:R1=y; 1:R2=1;",
                 [["STR R2,[R1]"], ["LDR R0,[R3]", "CMP R0,#1", "STREQ R2,[R1]"]], "exists (y=1)",
                 arch="ARM")  # fmt: skip


@pytest.mark.parametrize("model", ["aarch32", "arm-axiomatic"])
@pytest.mark.parametrize("text, observation", [
    (MP, "Never 0 2"), (LB, "Never 0 3"), (LB_AFTER, "Never 0 3"), (LB_PO, "Sometimes 1 3"),
    (W_PREDST, "Sometimes 1 1"), (MP_FAILED, "Sometimes 1 3"), (MP_OVERWRITES, "Sometimes 1 3"),
    (LB_FAILED, "Sometimes 1 3"), (LB_MOV_FAILED, "Sometimes 1 3"),
], ids=["MP+dmb+predld", "LB+preds", "LB+predafter", "LB+po", "W+predst",
        "MP+dmb+predmov-failed", "MP+dmb+movpred-overwrites", "LB+predld-failed",
        "LB+movpred-failed"])  # fmt: skip
def test_herds_verdict_under_aarch32_cat(cli, tmp_path, model, text, observation):
    assert herd_counts(cli, tmp_path, text, model)[1] == observation
