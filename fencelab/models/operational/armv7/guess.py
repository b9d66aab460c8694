"""Guessed conditions: a core running alone may run a predicated instruction the other way.

arm.cat reads no dependency in an A32 instruction's condition (isa/insn.py `as_executed`:
herd's `checkZ` reaches the instruction by iico_ctrl only), so nothing orders a predicated
store after the reads its condition depends on, and a value may justify itself through a
condition (herd's `choiceT` runs both ways and solves the equations of each: LB whose stores
are STREQs of 1 made only after reading 1). The machine commits a write ahead only when the
core, running alone against the current timeline, can make it (certify.py); alone, a read
takes a write already committed, so the condition its flags give may be the other one than
in the execution that needs the commit (S+dmb+pred: the store is committed before the write
its condition reads exists).

So a solo run may *guess* a condition: a predicated instruction whose flags depend on a
read the solo run made (the read's registers, followed through the register-only
instructions: `taint`) may also run the other way (`Core.run`'s flips), and what the run
then commits is offered and certified as any solo run's. The guess is an obligation on the
real execution, which never guesses: the core executes in program order with its real
flags, and the commit made ahead is executed only by a write that really happens, with that
value, above its floor (thread.py, `write_slots`); a run whose flags go the other way cannot
execute the commit (or another write must), and a run with a commit not executed never ends
(model.py, `is_final`). So every run is still a timing (the package docstring), and a timing
whose commit goes before the read deciding its condition now has a run: commit in the
timing's order, each commit certified by the solo run that reads what it can and guesses the
conditions the timing's reads decide. Only conditions are guessed, never a value: a store's
data and address still carry their reads' views (a guessed `MOVEQ R4,R0` gives R4 R0's), so
LB+datas stays forbidden, and a read is never guessed (it reads a committed write).

Where: at every predicated instruction whose flags are tainted, in every core. In a loop a
guess needs no name for its iteration: a solo run guesses step by step, so each time the run
executes the instruction it may guess anew from that time's taint (herd unrolls the loop and
runs each iteration's instruction both ways). The one place a loop's iterations are compared,
a solo run skipping one that repeats an earlier visit of its loop head (certify.py,
`dominates`), compares the taint too: it skips a visit only when the earlier one had every
register of its taint tainted, so could guess all it can. A store-exclusive's condition
(STREXEQ: GCC's weak compare-exchange, `LDREX; CMP; STREXEQ`) is guessed as any other: the
guess decides only that it runs; whether it then succeeds is the monitor's, paired with the
solo run's own load-exclusive (thread.py, `_store_exclusive`), and the real execution
executes the commit only with a store-exclusive that really runs and succeeds, atomic with
the write its real load-exclusive read (`write_slots`). A solo run with a guess never counts
as the core's run to its end (`Alone.complete`: cores start executing only when each can run
to its end for real, or nothing more certifies), nor as an executing core's way to execute
its commits after its loop jumps back (model.py, `_moves`: the timeline is fixed by then, so
the later write a guess stood for never comes; without this a core that committed a guessed
store spun into the step budget). A guess that runs two instructions reading the same flags
ways no flags value gives is dropped (`consistent`, arm/guess.py). A core without a predicated
instruction tracks nothing and explores exactly the solo states it did.

The reductions (fencelab/reduce.py) hold with guesses, so none is switched off:
- those of the executing phase (`armv7-dmb-earliest`, `-quiet-earliest`, `-unread-earliest`,
  `-exec-order`, `-threads-apart`, running cores one after another) reason on real runs,
  which never guess;
- a guess is a function of the solo state (the taint its own reads made), so every argument
  made of solo runs quantifies over the guessing ones too: the projections of
  `armv7-certify-share` (`-certify-barriers`, `-certify-written`, `-solo-gaps`: a solo run
  sees the same storage, so it reads, taints and guesses alike), `armv7-viable-commits` (its
  replay R of a run R' makes the same reads, hence the same guesses), `certifies`' count of
  writes left;
- `armv7-dead-commits` (`_strands`) only asks cores that read no memory: they never guess;
- `armv7-room-complete` may start execution where only a guessing run certified: its own
  argument covers it (starting earlier adds runs, each a real one, and loses none);
- `armv7-commit-order` (order.py) counts an edge into a predicated access from its
  condition's reads that G no longer has: it finds more dependencies, so it keeps more
  orders, never fewer.
tests/cli/test_armv7_predicated.py checks both models agree; each predicated shape there
gives the same outcomes with `--no-reduce all`.
"""

from __future__ import annotations

from fencelab.models.operational.arm.guess import NO_TAINT, add_flipped, guesses, taint_through
from fencelab.models.operational.armv7.local import Local
from fencelab.models.operational.armv7.storage import Storage
from fencelab.models.operational.armv7.thread import Move, ThreadContext, thread_moves

__all__ = ["NO_TAINT", "guesses", "solo_guesses"]


def solo_guesses(ctx: ThreadContext, tstate, local: Local, st: Storage,
                 taint: frozenset[str]) -> list[tuple[Move, frozenset[str], bool]]:  # fmt: skip
    """Every solo move (`thread_moves(..., certify=True)`) and, where the core guesses, each
    move with the predicated instructions of the step whose flags are tainted run the other
    way, in every combination: (move, the taint after it, guessed?). The taint and the
    flipping are the aarch32 model's (arm/guess.py), over this model's moves."""
    moves = thread_moves(ctx, tstate, local, st, certify=True)
    if not guesses(ctx):
        return [(m, NO_TAINT, False) for m in moves]
    infos = ctx.core.infos
    out = [(m, taint_through(infos, m.step, taint)[0], False) for m in moves]
    add_flipped(lambda flips: thread_moves(ctx, tstate, local, st, certify=True, flips=flips),
                infos, taint, moves, frozenset(), out)  # fmt: skip
    return out
