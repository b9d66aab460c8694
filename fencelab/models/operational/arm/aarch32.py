"""`aarch32`: A32 code under the ARMv8 AArch32 memory model (Promising-ARM, multicopy-atomic).

ARMv8 gives AArch32 the AArch64 memory model (Arm ARM E2.3): the `arm` model, restricted to
A32 code and named for what it means there. Pick it for A32 code built for ARMv8 cores (which
may use LDA/STL and DMB LD); `armv7` (fencelab/models/operational/armv7/) is the ARMv7
architecture, which is not multicopy-atomic.

A32's predicated instructions: aarch32.cat orders nothing after one whose condition failed, so
a later store may be promised before the read that fails the condition, even where the write
that fails it reaches memory only after that store. A thread alone against the memory of the
moment never reads that write, so the certification of a loop-free thread may guess a
condition its own reads decided (guess.py), as `armv7`'s does (tests/cli/
test_a32_predicated.py, the shapes after LB_OWN_WRITE).

A known miss, said on the run (`cautions`): a thread with a loop does not guess yet
(guess.py, `guesses_loop_free`: the cost), so it may miss such a store; a program with a
thread that has a loop and may meet the shape is told so.

Exhaustive search always runs threads one after another once memory is fixed (interleave
off: real runs, which never guess); the ARM model's other reductions (`certify-share`,
`promise-merge`, `threads-apart`, `certify-dead-reads`, `certify-count`) are `arm`'s only
(reduce.py `MODELS`), though guess.py says why each would stay sound with guesses.
"""

from __future__ import annotations

from fencelab.isa.insn import Kind
from fencelab.models.operational.arm.model import ARM

CAUTION = ("a store follows a predicated instruction whose flags may come from a read, in a "
           "thread with a loop: aarch32 does not guess conditions there, so it may miss a store "
           "made before the read that fails the condition, which aarch32.cat allows; "
           "--model arm-axiomatic finds it")  # fmt: skip


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
        if any(_may_miss(thread.core.infos) and program.has_loop(tid)
               for tid, thread in enumerate(program.threads)):  # fmt: skip
            self._cautions.add(CAUTION)
        return super().initial_memory(program)

    def cautions(self) -> tuple[str, ...]:
        return tuple(sorted(self._cautions))


def _may_miss(infos: dict) -> bool:
    """Can a thread's code (by address) run a read, then a predicated instruction (not a
    branch), then a store: the shape this model may miss in a thread with a loop (the module
    docstring)? Followed along the code's branches, a loop's way back included (a store above
    the predicated instruction runs after it on the next turn); where an instruction does not
    say where it goes next (a branch through a register), anywhere: erring towards yes."""
    after_read = _reached(infos, [pc for pc, info in infos.items() if info.kind.reads_memory])
    predicated = [pc for pc in after_read
                  if infos[pc].predicate and infos[pc].kind is not Kind.BRANCH]  # fmt: skip
    return any(infos[pc].kind.writes_memory for pc in _reached(infos, predicated))


def _reached(infos: dict, starts: list[int]) -> set[int]:
    """The instructions some run reaches after one of `starts` (one step or more)."""
    reached: set[int] = set()
    todo = [pc for start in starts for pc in _next(infos, start)]
    while todo:
        pc = todo.pop()
        if pc in infos and pc not in reached:
            reached.add(pc)
            todo += _next(infos, pc)
    return reached


def _next(infos: dict, pc: int):
    nxt = infos[pc].next_pcs
    return infos if nxt is None else nxt
