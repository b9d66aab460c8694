"""A thread running alone: which writes it could promise, and whether its promises certify.

Promising-ARM allows a promise only if the thread, running alone from its current state against
the current memory, can fulfil all its promises (certification; for ARM, the current memory is
enough: Pulte et al. §3.5). Alone, every write either fulfils one of the thread's promises or
takes a fresh timestamp at the end of memory (a promise fulfilled at once).

`explore_alone` walks every such solo run (breadth first, up to `budget` memory instructions)
and reports:
- `certified`: some run reaches a point with no outstanding promises;
- `complete`: some run reaches the end of the thread fulfilling promises only (no fresh
  writes) — the machine starts executing only when every thread is complete, since a thread
  whose writes are not all promised would get stuck once promising is over;
- `candidates`: the writes it could promise next, i.e. writes of solo runs that could take the
  next timestamp (their pre-view and coherence view are within the current memory).

On A32 code a solo run may guess a predicated instruction's condition that its own reads
decided (guess.py): such a run certifies and offers promises, but is never the thread's run to
its end (`complete`).

Solo runs skip repeated loop iterations: a jump back to a loop head whose registers are exactly
those of an earlier visit (with no exclusive read pending) and whose views the earlier visit's
do not exceed (`dominates`), when every move since that visit was `silent`: it wrote nothing, or
put back the value its exclusive read got (a failed attempt on a spinlock; see
`thread.silent_rewrite` for when such a rewrite counts). The model is monotone in views, so
the run from the earlier visit can do everything the later one can, and the rewrites it drops
change no value anyone reads. A guessing thread skips it only when the earlier visit's taint
(guess.py) holds the later one's and the earlier run guessed nothing where the later guessed
nothing: from there it can guess, and complete, whatever the later visit can. Without this, two threads spinning on a lock promise every
interleaving of their failed attempts and certification explodes (spinlock+rlx on ARMv8:
more than 120 s before, 5 s with it).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from fencelab.errors import FencelabError
from fencelab.isa.insn import InsnInfo, Kind
from fencelab.models.operational.arm.guess import NO_TAINT, guesses_loop_free, solo_guesses
from fencelab.models.operational.arm.local import Local, Message
from fencelab.models.operational.arm.thread import ThreadContext, thread_moves

SOLO_BUDGET = 40  # memory instructions per solo run (the machine's default step budget)
SOLO_STATES = 200_000  # a solo search larger than this is refused, not silently cut


@dataclass(frozen=True)
class Alone:
    certified: bool
    complete: bool
    candidates: tuple[Message, ...]


def explore_alone(
    ctx: ThreadContext, tstate, local: Local, memory: tuple[Message, ...],
    budget: int = SOLO_BUDGET,
) -> Alone:  # fmt: skip
    n = len(memory)
    certified = complete = False
    candidates: dict[Message, None] = {}
    core = ctx.core
    pc_at, base, end = core.pc_index, core.base, core.end  # (`core.pc`, `core.halted`)
    guessing = guesses_loop_free(ctx)
    # a state: the thread's, the memory it sees, whether it wrote at a fresh timestamp, its
    # loop heads since its last write, the registers its reads tainted and whether it guessed
    # a condition (guess.py; a thread without a predicated instruction: none and never)
    start = (tstate, local, memory, False, (), NO_TAINT, False)
    seen = {start}
    queue = deque([(start, 0)])
    while queue:
        (ts, lc, mem, fresh_run, heads, taint, guessed), depth = queue.popleft()
        if not lc.promises:
            certified = True
        pc = ts[pc_at]
        if not base <= pc < end:  # halted
            complete = complete or (not lc.promises and not fresh_run and not guessed)
            continue
        if depth >= budget:
            continue
        if guessing:
            moves = solo_guesses(ctx, ts, lc, mem, taint)
        else:
            moves = [(mv, NO_TAINT, False) for mv in thread_moves(ctx, ts, lc, mem, True)]
        for mv, tainted, guess in moves:
            guess = guessed or guess
            after = heads if mv.silent else ()
            appended, more = mv.appended, mv.more
            if appended is None and not more:
                fresh, mem2 = (), mem
            elif not more:  # (one fresh write, the common case)
                fresh, mem2 = ((appended, mv.floor),), (*mem, appended)
            else:
                fresh = ((appended, mv.floor),) if appended is not None else ()
                fresh += more  # an STP's second write at a fresh timestamp
                mem2 = (*mem, *(m for m, _ in fresh))
            if mv.local.exbank is None and base <= mv.tstate[pc_at] <= pc:  # jumped back
                if any(t == mv.tstate and tainted <= t0 and (guess or not g0)
                       and dominates(lc0, mv.local, mem2) for t, lc0, t0, g0 in after):  # fmt: skip
                    continue  # a repeated loop iteration: the earlier visit can do all it can
                after = (*after, (mv.tstate, mv.local, tainted, guess))
            for msg, floor in fresh:
                if floor <= n:
                    candidates.setdefault(msg)
            nxt = (mv.tstate, mv.local, mem2, fresh_run or bool(fresh), after, tainted, guess)
            known = len(seen)
            seen.add(nxt)  # (one hash: a state is a large tuple)
            if len(seen) != known:
                queue.append((nxt, depth + 1))
        if len(seen) > SOLO_STATES:
            raise FencelabError(
                f"model arm: P{ctx.tid} alone has more than {SOLO_STATES} states to certify "
                "its promises; the test is too large for the promising model"
            )
    return Alone(certified, complete, tuple(candidates))


def dominates(earlier: Local, later: Local, memory: tuple[Message, ...]) -> bool:
    """Can a thread at a loop head with views `earlier` do all it could with `later`, the same
    registers and only silent moves in between? Lower views allow more; a location's forward
    bank may differ only by a rewrite of the same value whose views are no lower."""
    if not (
        earlier.vr_new <= later.vr_new and earlier.vw_new <= later.vw_new
        and earlier.vr_old <= later.vr_old and earlier.vr_old_ld <= later.vr_old_ld
        and earlier.vw_old <= later.vw_old and earlier.vcap <= later.vcap
        and earlier.vrel <= later.vrel and earlier.vr_old_pick <= later.vr_old_pick
        and all(a <= b for a, b in zip(earlier.coh, later.coh))
        and earlier.bytes_ == later.bytes_  # byte-wise locations (mixed.py): only if equal
    ):  # fmt: skip
        return False
    regs, picks = dict(later.regs), dict(later.picks)
    if any(view > regs.get(reg, 0) for reg, view in earlier.regs):
        return False
    if any(pick > max(regs.get(reg, 0), picks.get(reg, 0)) for reg, pick in earlier.picks):
        return False
    for a, b in zip(earlier.fwd, later.fwd):
        if a == b or a is None:
            continue
        if b is None or memory[a.ts - 1].value != memory[b.ts - 1].value:
            return False
        if a.view > b.view or a.rview > b.rview or a.pview > b.pview or a.ex != b.ex:
            return False
    return True


def runs_once(infos: dict[int, InsnInfo], loops: bool) -> bool:
    """Does every run of the thread execute each instruction at most once? Not with a backward
    branch (`loops`), nor with a branch to a register (`BR`, `RET`, an A32 write to PC),
    which may go back."""
    return not loops and not any(i.kind is Kind.BRANCH and "0x" not in i.op_str
                                 for i in infos.values())  # fmt: skip



WRITES = (Kind.STORE, Kind.STORE_EXCL, Kind.RMW)


class WriteBound:
    """The most writes a run of a loop-free thread can make, in all and to one location
    (`certify-count`).

    Each write fulfils at most one promise (`local.after_write` takes out the one timestamp it
    fulfils), and each instruction runs at most once (`runs_once`) and makes one write — a
    store pair one per register, an atomic pair one. So a thread with more promises than that,
    or more promises to a location than it has instructions that may write there, can never
    fulfil them all: certification (`explore_alone`) would walk every solo run to answer
    `certified=False`. The ARM model answers so at once (model.py, `ARM._promises`), which
    changes no answer, state or transition. An instruction may write only where it was ever
    placed (`ThreadContext.placed`) when no instruction of the thread writes a register of its
    address (the address is then the same in every run); any other may write anywhere."""

    def __init__(self, infos: dict[int, InsnInfo]):
        written = frozenset().union(*(i.writes for i in infos.values()))
        # (address, writes it makes, is its address the same in every run)
        self.writes = [(a, max(1, len(i.pair_order)), not i.addr_regs & written)
                       for a, i in infos.items() if i.kind in WRITES]  # fmt: skip
        self.total = sum(n for _, n, _ in self.writes)

    def at(self, loc: int, placed: dict[int, set[int]]) -> int:
        """The most writes to `loc` a run can make, given where instructions were placed."""
        return sum(n for addr, n, fixed in self.writes
                   if not fixed or addr not in placed or loc in placed[addr])  # fmt: skip


def write_bound(infos: dict[int, InsnInfo], loops: bool) -> WriteBound | None:
    """The thread's `WriteBound`, None if it may run an instruction twice (`runs_once`)."""
    return WriteBound(infos) if runs_once(infos, loops) else None
