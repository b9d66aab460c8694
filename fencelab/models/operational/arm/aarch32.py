"""`aarch32`: A32 code under the ARMv8 AArch32 memory model (Promising-ARM, multicopy-atomic).

ARMv8 gives AArch32 the AArch64 memory model (Arm ARM E2.3): the `arm` model, restricted to
A32 code and named for what it means there. Pick it for A32 code built for ARMv8 cores (which
may use LDA/STL and DMB LD); `armv7` (fencelab/models/operational/armv7/) is the ARMv7
architecture, which is not multicopy-atomic.

A known miss, said on the run (`cautions`): a thread promises a write only if, alone against
the memory of the moment, it makes it, and alone it never sees the value that fails a
predicated instruction's condition when the write making that value reaches memory only after
the thread's later store (made because of it, or coherence-after one that is). aarch32.cat
orders nothing after a failed condition, so herd (and `arm-axiomatic`) allows that store first;
this model misses it (tests/cli/test_a32_predicated.py keeps three such shapes as strict
xfails). `armv7` finds them by guessing conditions in its solo runs (armv7/guess.py); this
model does not guess yet, so a program that may meet the shape is told so.
"""

from __future__ import annotations

from fencelab.isa.insn import Kind
from fencelab.models.operational.arm.model import ARM

CAUTION = ("a store follows a predicated instruction whose flags may come from a read: aarch32 "
           "does not guess conditions, so it may miss a store made before the read that fails "
           "the condition, which aarch32.cat allows; --model arm-axiomatic finds it")  # fmt: skip

_READS = frozenset({Kind.LOAD, Kind.LOAD_EXCL, Kind.RMW})
_WRITES = frozenset({Kind.STORE, Kind.STORE_EXCL, Kind.RMW})


class AArch32(ARM):
    name = "aarch32"
    description = "ARMv8 AArch32 (A32 on ARMv8 cores): Promising-ARM, multicopy-atomic"
    targets = ("ARM",)

    def __init__(self, *args, cautions: set[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._cautions = set() if cautions is None else cautions  # (shared with for_exhaustive's)

    def for_exhaustive(self) -> AArch32:
        return AArch32(interleave=False, cautions=self._cautions)

    def initial_memory(self, program):
        if any(_may_miss(thread.core.infos) for thread in program.threads):
            self._cautions.add(CAUTION)
        return super().initial_memory(program)

    def cautions(self) -> tuple[str, ...]:
        return tuple(sorted(self._cautions))


def _may_miss(infos: dict) -> bool:
    """Does a thread's code (by address) hold the shape this model may miss (the module
    docstring): a read, then a predicated instruction (not a branch), then a store? Told from
    the code, erring towards yes (a loop may run it in another order)."""
    read = predicated = False
    for _, info in sorted(infos.items()):
        if predicated and info.kind in _WRITES:
            return True
        if read and info.predicate and info.kind is not Kind.BRANCH:
            predicated = True
        read = read or info.kind in _READS
    return False
