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
register of its taint tainted, and no pin (below) the later one lacks, so could guess all it
can (`may_guess_all`). A store-exclusive's condition
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

`armv7-guess-branches` (`_walk`): nor is a predicated instruction guessed a way no flags value
gives together with a conditional branch that the run's path took on the flags of the same
compare of the same register values (the compiled compare-exchange: `CMP R2,R1; BNE FAIL`,
then at its end `CMP R2,R1; MOVEQ R3,#1`). Such a guess stands for no timing: the certifying
run follows the timing's path, and along it the flags of both compares are one value, which
the branch's way constrains. The facts (pins) ride in the taint, so the guesses stay a
function of the solo state. Without it, a run guessed the compare-exchange failed after it
succeeded (or the other way), went round its loop again and committed the loop's writes ahead
once more each time: examples/c's treiber passed every limit.

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

import functools
import re
from typing import NamedTuple

from fencelab import reduce
from fencelab.isa.insn import condition_holds
from fencelab.models.operational.arm.guess import (
    FLAGS,
    NO_TAINT,
    add_flipped,
    guesses,
    taint_through,
)
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
    if not reduce.enabled("armv7-guess-branches"):
        return out
    kept = []
    for m, after, guessed in out:
        walked = _walk(ctx.core, m.step, taint)
        if walked is None:  # (guessed only: a flip no run taking this path needs)
            continue
        kept.append((m, (after - _pins(after)) | walked, guessed))
    return kept


# -- `armv7-guess-branches` -----------------------------------------------------------------
class Pin(NamedTuple):
    """A conditional branch `b<cond>` read the flags of `compare` (of registers `regs`) in
    the same step and was `taken` or not; no instruction since wrote one of `regs`. Kept in
    the taint beside the register names. Pins only forbid guesses, so a solo state with more
    pins can guess no more."""

    compare: str  # its text, normalised (`_compare`)
    regs: frozenset[str]
    cond: str  # the branch's condition (eq, ne, ...)
    taken: bool


_BRANCH = re.compile(r"^b(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)(\.w)?$")
_COMPARES = ("cmp", "cmn", "tst", "teq")


def _pins(taint: frozenset) -> frozenset[Pin]:
    return frozenset(t for t in taint if t.__class__ is Pin)


def may_guess_all(earlier: frozenset, later: frozenset) -> bool:
    """Can a solo state with taint `earlier` guess whatever one with `later` can (the rest of
    the two states alike)? Every register tainted in `later` is tainted in `earlier`, and
    every pin of `earlier` is one of `later`'s (`armv7-guess-branches`)."""
    pe, pl = _pins(earlier), _pins(later)
    return (later - pl) <= (earlier - pe) and pe <= pl


def _compare(info) -> str | None:
    """The normalised text of a compare (CMP, CMN, TST, TEQ: writes the flags only, not
    predicated), or None."""
    if info.predicate or info.writes != frozenset({FLAGS}):
        return None
    text = " ".join(info.text.lower().replace(",", ", ").split())
    return text if text.split(" ", 1)[0] in _COMPARES else None


def _walk(core, step, taint: frozenset) -> frozenset[Pin] | None:
    """`armv7-guess-branches`: the pins after `step` from the state's (`taint`), or None when
    the step ran a predicated instruction a way no flags value gives together with a pin of
    the compare its flags come from (only a guess does).

    Why dropping such a guessed step loses no run a commit needs (guess.py's argument, whose
    certifying solo run R follows the timing's path, guessing only the conditions the timing's
    reads decide): the step's predicated instruction p reads the flags of compare c (`CMP
    A, B`, earlier in the same step, no flag write between), and an earlier step or this one
    ran a conditional branch on the flags of a compare c' of the same text, in its own step,
    with no instruction (executed or skipped: a skipped predicated one may run in the timing)
    writing A or B from c' on. In every run along this path, the timing's included, A and B
    hold at c the values they held at c', so c's flags are c''s, and the branch went the way it
    went here (R follows the timing's path: its branches go the timing's way). So the flags p
    reads in the timing satisfy the branch's condition as here, and p's condition too as the
    timing runs p; when no flags value satisfies both as this step ran them, no timing runs p
    this way on this path, and the flip stands for no execution (herd: equations with no
    solution, as `consistent` for two predicated instructions of one compare). A step never
    flipped runs each instruction as real flags say, which satisfy every pin: it is never
    dropped. The pins are part of the solo state (the taint), so the solo search's answers are
    still a function of its state; the loop-head pruning compares them (`may_guess_all`)."""
    infos = core.infos
    pins = set(_pins(taint))
    executed = step.executed
    skipped = set(step.skipped)
    flags_from: list[tuple[str, bool]] | None = None  # the pins of the flags' compare
    pending: tuple[str, frozenset[str]] | None = None  # the compare the flags come from,
    # with no write to its registers since
    for k, pc in enumerate(executed):
        info = infos[pc]
        ran = k not in skipped
        if info.predicate and FLAGS in info.reads | info.predicate_reads and flags_from:
            group = (*flags_from, (info.predicate, ran))
            if not _satisfiable(group):
                return None
        if info.conditional and FLAGS in info.reads and pending is not None:
            m = _BRANCH.match(info.text.lower().split(" ", 1)[0])
            nxt = info.next_pcs or ()
            after = executed[k + 1] if k + 1 < len(executed) else (
                None if core.halted(step.state) else core.pc(step.state))  # fmt: skip
            if m is not None and len(nxt) == 2 and nxt[0] != nxt[1] and after in nxt:
                pins.add(Pin(*pending, m.group(1), after == nxt[0]))
        written = info.writes
        if written:
            pins = {p for p in pins if not p.regs & written}
            if pending is not None and pending[1] & written:
                pending = None
        if FLAGS in info.writes:  # (a predicated one, run or not, may write them in the timing)
            text = _compare(info) if ran else None
            if text is None:
                pending = flags_from = None
            else:
                regs = frozenset(info.reads - {FLAGS})
                pending = (text, regs)
                flags_from = [(p.cond, p.taken) for p in pins if p.compare == text]
    return frozenset(pins)


@functools.cache
def _satisfiable(group: tuple[tuple[str, bool], ...]) -> bool:
    return any(all(condition_holds(cond, nzcv << 28) == held for cond, held in group)
               for nzcv in range(16))  # fmt: skip
