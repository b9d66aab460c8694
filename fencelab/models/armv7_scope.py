"""What the ARMv7 models (operational `armv7`, axiomatic `armv7-axiomatic`) cover.

ARMv7-A has no load-acquire / store-release (LDA, STL, LDAEX, STLEX) and no DMB LD: those are
ARMv8 AArch32 instructions, and herd's `arm.cat` gives them no meaning. Rather than run them as
plain accesses (a silently wrong verdict), both ARMv7 models refuse them and point to
`--model aarch32`, which covers ARMv8 A32 code.

Every DMB/DSB shareability option (SY, ISH, OSH, NSH) is the same barrier here: a test's threads
share one inner-shareable domain (as the aarch64.cat checker assumes). herd agrees on its own
ARM tests: herd/tests/instructions/ARM/A003 (SB with `DMB ISH`) is Forbidden under arm.cat
(tests/data/herd/arm/expected.txt).
"""

from __future__ import annotations

from fencelab.isa.insn import Barrier, InsnInfo, Kind


def armv7_refusal(info: InsnInfo) -> str | None:
    """Why an ARMv7 model cannot run this instruction, or None."""
    if info.acquire or info.acquire_pc or info.release:
        return ("ARMv8 acquire/release instructions are not ARMv7 (arm.cat gives them no "
                "meaning); use --model aarch32 for ARMv8 A32 code")  # fmt: skip
    if info.kind is Kind.FENCE and info.barrier is Barrier.LOAD:
        return "DMB LD is ARMv8, not ARMv7; use --model aarch32 for ARMv8 A32 code"
    if info.kind is Kind.RMW:
        return "single-instruction atomics are not ARMv7"
    return None
