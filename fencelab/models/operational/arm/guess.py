"""Guessed conditions in Promising-ARM's certification of A32 code (the `aarch32` model).

aarch32.cat orders nothing after a predicated instruction whose condition failed: it makes no
event, so no dependency (tests/cli/test_a32_predicated.py), and a later store that does not
read what the instruction would have written (a register a failed MOVEQ left alone, any store
after a failed STRNE) may be promised before the read that fails the condition. Promising-ARM
offers a promise only when the thread, alone against the memory of the moment, makes the
write and can then fulfil its promises (certify.py); alone, it reads messages already in
memory, so when the write that fails the condition is promised only after that store (made
because of it, or coherence-after one that is), the solo run takes the condition the other
way and never makes the store: the execution herd allows was missed.

So a solo run may *guess* a condition, as the ARMv7 model's do (armv7/guess.py, which argues
it in full): a predicated instruction whose flags depend on a read the solo run made (the
read's registers, followed through the register-only instructions: `taint_through`) may also
run the other way (`Core.run`'s flips), and what that run writes is offered as a promise and
certifies as any solo run's. The guess is an obligation on the real execution, which never
guesses: the thread executes with its real flags, a write fulfils a promise only with its
value at its location above its views (local.py, `write_slots`), and a promise never fulfilled
leaves the state not final (model.py, `is_final`). So every execution found is still one of
Promising-ARM's, and the missing ones now certify: the solo run that reads what it can and
guesses the conditions the later reads decide. Only conditions are guessed, never a value (a
guessed `MOVNE R7,R0` gives R7 R0's value and view), and a read is never guessed. A guess
that runs two instructions reading the same flags ways no flags value gives is dropped
(`consistent`). A run that guessed certifies and offers promises, but is never the thread's
run to its end (`Alone.complete`): threads start executing once each can run to its end for
real (or nothing more certifies), and an executing thread's loop pruning asks for such a
run too (model.py `executions`, thread.py `without_repeats`).

Only a condition that held is guessed, to fail, never a failed one to hold: a condition that
holds gives the instruction a pick dependency on the reads that decided it (aarch32.cat, as
AArch64's CSEL), so what it affects is ordered after them, and they take writes already in
memory, which the solo run can read as well; only a failed condition drops dependencies (an
argument, not a proof: tests/cli/test_a32_predicated.py and bench/model_diff.py armv7-wide
are the check).
Only A32 code has predicated instructions (a branch's condition is `conditional`, not a
`predicate`): an AArch64 thread, or an A32 thread without one, tracks no taint and explores
exactly the solo states it did; so does, for now, a thread with a loop
(`guesses_loop_free`). `aarch32` itself only runs threads one after another once memory is
fixed (aarch32.py); the ARM model's reductions would all stay sound with guesses:
- `arm-sequential`, `threads-apart` and the executing phase's loop pruning reason on real
  runs, which never guess;
- a guess is a function of the solo state (the taint its own reads made, kept in the state),
  so every certification shared between states that give the thread the same solo states is
  shared with its guesses too: `certify-share` and `promise-merge` (a solo run on the same
  projection reads, taints and guesses alike), the memo of `ARM._solo`;
- `certify-dead-reads` leaves out writes only to locations the thread reads into registers
  nothing reads again: no instruction reads such a register, so no flags are tainted by it;
- `certify-count` (`WriteBound`) bounds the writes of any run of a loop-free thread, each
  instruction run at most once, whichever way its condition goes: guessing runs included;
- the solo runs' loop-head pruning (certify.py, `dominates`) skips a later visit only when
  the earlier one had every register of its taint tainted and had not guessed where the later
  had not, so could guess and complete all the later one can.
"""

from __future__ import annotations

import functools

from fencelab.errors import FencelabError
from fencelab.isa.insn import Kind, as_executed, condition_holds
from fencelab.models.operational.arm.thread import thread_moves

FLAGS = "cpsr"  # what an A32 condition reads
NO_TAINT: frozenset[str] = frozenset()
_LOADS = (Kind.LOAD, Kind.LOAD_EXCL)


def guesses(ctx) -> bool:
    """May thread `ctx.tid` guess conditions: has it a predicated instruction? Computed once
    per context (a thread context serves one program)."""
    found = ctx.__dict__.get("guesses")
    if found is None:
        found = ctx.__dict__["guesses"] = any(info.predicate for info in ctx.core.infos.values())
    return found


def guesses_loop_free(ctx) -> bool:
    """Does Promising-ARM's certification let thread `ctx.tid` guess: has it a predicated
    instruction (`guesses`) and no loop? A thread with a loop does not guess yet: its guesses
    at a compare-exchange's condition made promises of every retry (examples/c's treiber
    compiled for armv7: 12 s before, over 7 minutes and the state limit with them), so
    `aarch32` says where it may miss such a store (aarch32.py, `cautions`)."""
    found = ctx.__dict__.get("guesses_loop_free")
    if found is None:
        found = ctx.__dict__["guesses_loop_free"] = (
            guesses(ctx) and not ctx.program.has_loop(ctx.tid))
    return found


def solo_guesses(ctx, tstate, local, memory, taint: frozenset[str]) -> list[tuple]:
    """Every solo move of Promising-ARM (`thread_moves(..., certify=True)`) and each move with
    the step's predicated instructions whose flags are tainted run the other way, in every
    combination: (move, the taint after it, guessed?)."""
    infos = ctx.core.infos
    moves = thread_moves(ctx, tstate, local, memory, True)
    out = [(m, taint_through(infos, m.step, taint)[0], False) for m in moves]
    add_flipped(lambda flips: thread_moves(ctx, tstate, local, memory, True, flips), infos,
                taint, moves, frozenset(), out, held_only=True)  # fmt: skip
    return out


def add_flipped(run, infos, taint: frozenset[str], moves: list, flips: frozenset[int],
                out: list, held_only: bool = False) -> None:  # fmt: skip
    """Add the moves with `flips` and one more tainted predicated instruction after them run
    the other way (each combination once: flips are added in increasing order). `run(flips)`:
    the thread's moves with those flips (a model's `thread_moves`: this one's, ARMv7's).
    `held_only`: flip only an instruction whose condition held, making it fail (the module
    docstring: aarch32.cat's)."""
    decided: set[int] = set()
    for m in moves:
        found = taint_through(infos, m.step, taint)
        decided.update(found[2] if held_only else found[1])
    last = max(flips, default=-1)
    for k in sorted(o for o in decided if o > last):
        more = flips | {k}
        try:
            flipped = run(more)
        except FencelabError:
            continue  # (a guess may lead anywhere: such a run certifies nothing)
        kept = []
        for m in flipped:
            after, ordinals, _ = taint_through(infos, m.step, taint)
            if more <= ordinals:  # (each flipped instruction ran, with tainted flags)
                kept.append(m)  # (more flips may make an inconsistent one consistent)
                if consistent(infos, m.step):
                    out.append((m, after, True))
        add_flipped(run, infos, taint, kept, more, out, held_only)


def consistent(infos, step) -> bool:
    """Could one value of the flags make each group of the step's predicated instructions
    that read the same flags (no flag write between them) go the way the guessed step ran
    them? herd runs each one both ways, each way with an equation on the flags it read
    (`choiceT`); ways no flags value gives leave equations with no solution, a candidate herd
    drops. So such a guess stands for no execution: MOVGE and MOVLT after one compare are
    guessed both the other way, never one alone."""
    group: list[tuple[str, bool]] = []
    for k, pc in enumerate(step.executed):
        info = infos[pc]
        ran = k not in step.skipped
        if info.predicate:
            group.append((info.predicate, ran))
        if ran and FLAGS in info.writes:
            if not _satisfiable(tuple(group)):
                return False
            group = []
    return _satisfiable(tuple(group))


@functools.cache
def _satisfiable(group: tuple[tuple[str, bool], ...]) -> bool:
    return any(all(condition_holds(cond, nzcv << 28) == held for cond, held in group)
               for nzcv in range(16))


def taint_through(infos, step, taint: frozenset[str]):
    """(the registers tainted after `step`, the ordinals of its predicated instructions whose
    flags were tainted when they ran, those of them whose condition held): a read's registers
    are tainted, and what an executed instruction writes from a tainted register."""
    tainted = set(taint)
    decided: set[int] = set()
    held: set[int] = set()
    ordinal = 0
    for k, pc in enumerate(step.executed):
        info = infos[pc]
        if info.predicate:
            skipped = k in step.skipped
            if FLAGS in tainted:
                decided.add(ordinal)
                if not skipped:
                    held.add(ordinal)
            ordinal += 1
            if skipped:
                continue  # it did nothing
            info = as_executed(info)
        writes = info.writes
        if k == 0 and info.is_memory_event:
            loaded = info.dest_regs | info.status_regs if info.kind in _LOADS or (
                info.kind is Kind.STORE_EXCL) else frozenset()  # fmt: skip
            skip = info.data_regs | info.dest_regs | info.status_regs
            tainted |= loaded
            writes = writes - loaded
            sources = info.reads - skip
        else:
            sources = info.reads
        if sources & tainted:
            tainted |= writes
        else:
            tainted -= writes
    return frozenset(tainted), frozenset(decided), frozenset(held)
