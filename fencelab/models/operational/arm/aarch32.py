"""`aarch32`: A32 code under the ARMv8 AArch32 memory model (Promising-ARM, multicopy-atomic).

ARMv8 gives AArch32 the AArch64 memory model (Arm ARM E2.3): the `arm` model, restricted to
A32 code and named for what it means there. Pick it for A32 code built for ARMv8 cores (which
may use LDA/STL and DMB LD); `armv7` (fencelab/models/operational/armv7/) is the ARMv7
architecture, which is not multicopy-atomic.
"""

from __future__ import annotations

from fencelab.models.operational.arm.model import ARM


class AArch32(ARM):
    name = "aarch32"
    description = "ARMv8 AArch32 (A32 on ARMv8 cores): Promising-ARM, multicopy-atomic"
    targets = ("ARM",)

    def for_exhaustive(self) -> AArch32:
        return AArch32(interleave=False)
