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

Solo runs skip repeated loop iterations: a jump back to a loop head whose registers are exactly
those of an earlier visit (with no exclusive read pending), when every move since that visit was
`silent` (wrote nothing, or rewrote the value an acquire exclusive read got: a failed attempt on
a spinlock). Views only grow, and the model is monotone in them, so the run from the earlier
visit can do everything the later one can; the rewrites it drops change no value anyone reads.
Without this, two threads spinning on a lock promise every interleaving of their failed
attempts and certification explodes. Non-acquire exclusives are not pruned: a later read may
take such a rewrite from the thread's own forward bank with a lower view than the read it
rewrote, so dropping it is not a simulation.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from fencelab.errors import FencelabError
from fencelab.models.arm_local import Local, Message
from fencelab.models.arm_thread import ThreadContext, thread_moves

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
    start = (tstate, local, memory, False, frozenset())
    seen = {start}
    queue = deque([(start, 0)])
    while queue:
        (ts, lc, mem, fresh, heads), depth = queue.popleft()
        if not lc.promises:
            certified = True
        if core.halted(ts):
            complete = complete or (not lc.promises and not fresh)
            continue
        if depth >= budget:
            continue
        pc = core.pc(ts)
        for mv in thread_moves(ctx, ts, lc, mem, certify=True):
            after = heads if mv.silent else frozenset()
            if mv.local.exbank is None and not core.halted(mv.tstate) and core.pc(mv.tstate) <= pc:
                if mv.tstate in after:
                    continue  # a repeated loop iteration (see `repeats`)
                after = after | {mv.tstate}
            if mv.appended is not None:
                if mv.floor <= n:
                    candidates.setdefault(mv.appended)
                nxt = (mv.tstate, mv.local, (*mem, mv.appended), True, after)
            else:
                nxt = (mv.tstate, mv.local, mem, fresh, after)
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, depth + 1))
        if len(seen) > SOLO_STATES:
            raise FencelabError(
                f"model arm: P{ctx.tid} alone has more than {SOLO_STATES} states to certify "
                "its promises; the test is too large for the promising model"
            )
    return Alone(certified, complete, tuple(candidates))
