"""What one thread sees of Promising-ARM's memory: the projection behind two reductions.

A thread's moves depend on memory only through the messages it can read and its own
messages. Reads take messages of the location read; a write only fulfils the thread's own
promise or (alone, certifying) appends at the end; a store-exclusive looks at the location its
load-exclusive read. Timestamps matter only by their order. So for thread T, with R the set of
locations T reads, the *projection* of memory keeps T's own messages and every message to a
location in R, renumbered 1, 2, ... in order, with other threads' ids blotted out (only "mine or
not" is ever asked), and T's views renumbered the same way (a view that named a dropped
message becomes the number of kept messages at or below it: every comparison of a view with a
kept timestamp gives the same answer). Two memories with equal projections for T let T do
exactly the same things, and the solo runs of certification explore the same runs.

R is found as the program runs: every read any thread performs adds its location to its
thread's set (`Projector.saw_read`) and bumps an epoch. Two reductions use it (switches in
fencelab/reduce.py):

- `certify-share`: certification (certify.py) of a thread whose only state is its promises
  (every thread in the promising phase) is run on the projection and remembered under it, so
  the many promise-phase states that differ only in what T cannot see share one run. If the
  run reads a location outside R, R grows and the run is redone on the larger projection, so a
  remembered result never rests on a message it did not see.
  The execution phase's runs of a thread (`threads-apart`, apart.py) are shared the same way,
  their schedules translated back to the real timestamps.
- `promise-merge`: two promise-phase states (threads not started, each with only promises) in
  which every thread's projection is the same and every location's last message is the same
  are explored once (`state_key`). From both, every thread can make the same promises and run
  the same way (its moves depend only on its projection; a new promise extends the projections
  of both alike), and the final memory — each location's last message — is the same: so both
  reach the same outcomes. Exploration (fencelab/machine/explore.py) starts again if R grew
  while it ran, so the keys of the run that counts were all computed with the final R.
- `certify-dead-reads`: certification projects memory on fewer locations still, leaving out
  the locations the thread reads only by *dead reads* (`dead_reads`): plain loads of a
  loop-free thread whose registers no later instruction reads, with no DMB/DSB and no release
  after them. Such a read changes, whichever message it takes, only its registers' values and
  views (never read again: not by an address, data, branch or another register), `coh` of its
  location and the views of earlier reads (`vr_old`, `vr_old_ld`, `vr_old_pick`, which only a
  DMB/DSB or a release reads). When the thread also accesses the location in no other way,
  nothing certification reports depends on the message taken (whether the promises can be
  fulfilled, whether the thread can end with writes promised only, which writes it could
  promise next, in what order: a run with one message read maps step for step onto a run with
  another), so other threads' writes there need not be seen: the solo run reads whatever the
  smaller projection holds. A location any run of the thread writes or reads by another load
  (`Projector.live`) stays in the projection; a run that meets such an access to a location
  it left out is redone on the larger projection (as for R), so no result rests on a location
  accessed otherwise. The execution phase (`threads-apart`, whose results are registers)
  projects on all of R, exactly. This is what makes a test like GEN-AArch64-555-0 (bench/
  speed.py's catalogue), where one thread reads every location, cheap: before, no two of its
  promise-phase memories shared a certification.
"""

from __future__ import annotations

from bisect import bisect_right

from fencelab.isa.insn import Barrier, InsnInfo, Kind
from fencelab.models.operational.arm.certify import runs_once
from fencelab.models.operational.arm.local import Local, Message

OTHER = -1  # the thread id of another thread's message, in a projection
PROJECTIONS_KEPT = 4096  # projections remembered (`Projector.projection`); then forgotten
_PROMISES = Local._fields.index("promises")
_AFTER = _PROMISES + 1


class Projector:
    """The read locations of one program's threads, and projections under them."""

    def __init__(self, threads: int, locations: int):
        self.reads: list[frozenset[int]] = [frozenset()] * threads
        # locations each thread with dead reads (`dead_reads`) writes, or reads by another load
        self.live: list[frozenset[int]] = [frozenset()] * threads
        self.epoch = 0
        self.mixed = False  # some location is mixed-size: messages are byte ranges (mixed.py)
        self.initial = Local.initial(locations)
        self._others: dict[Message, Message] = {}  # a message, its tid blotted out (`OTHER`)
        self._projections: dict[tuple, tuple] = {}  # (tid, messages, promises, reads) -> answer

    def saw_read(self, tid: int, loc: int) -> bool:
        """Record that thread `tid` read `loc`; True if that is news."""
        if loc in self.reads[tid]:
            return False
        self.reads[tid] = self.reads[tid] | {loc}
        self.epoch += 1
        return True

    def saw_live(self, tid: int, loc: int) -> None:
        """Record that thread `tid` writes `loc` or reads it by a load that is not dead."""
        if loc not in self.live[tid]:
            self.live[tid] = self.live[tid] | {loc}

    def certify_reads(self, tid: int) -> frozenset[int]:
        """The locations certification projects on: R less the dead-read-only ones."""
        return self.reads[tid] & self.live[tid]

    def promises_only(self, local: Local) -> bool:
        """Has the thread done nothing but promise (its views all initial)?"""
        initial = self.initial  # (`local._replace(promises=()) == initial`, without a copy)
        return local[:_PROMISES] == initial[:_PROMISES] and local[_AFTER:] == initial[_AFTER:]

    def project(self, tid: int, messages: tuple[Message, ...], promises: tuple[int, ...],
                reads: frozenset[int] | None = None) -> tuple[tuple[Message, ...], tuple[int, ...]]:  # fmt: skip
        """Thread `tid`'s projection of `messages` (on `reads`, by default R), and its
        promises renumbered to match."""
        kept, promises, _ = self.projection(tid, messages, promises, reads)
        return kept, promises

    def projection(self, tid: int, messages: tuple[Message, ...], promises: tuple[int, ...],
                   reads: frozenset[int] | None = None):  # fmt: skip
        """`project`, and the timestamp in `messages` of each kept message (to translate a
        schedule made on the projection back)."""
        reads = self.reads[tid] if reads is None else reads
        key = (tid, messages, promises, reads)  # (half the projections asked are asked again)
        found = self._projections.get(key)
        if found is not None:
            return found
        if len(self._projections) >= PROJECTIONS_KEPT:
            self._projections.clear()
        kept: list[Message] = []
        real: list[int] = []
        others = self._others
        for ts, m in enumerate(messages, 1):
            if m.tid == tid:
                kept.append(m)
                real.append(ts)
            elif m.loc in reads:
                blotted = others.get(m)
                if blotted is None:
                    blotted = others[m] = Message(m.loc, m.value, OTHER, m.size, m.offset)
                kept.append(blotted)
                real.append(ts)
        # (a promise's new timestamp: how many kept messages are at or below it)
        found = self._projections[key] = (
            tuple(kept), tuple([bisect_right(real, p) for p in promises]) if promises else (),
            tuple(real))  # fmt: skip
        return found

    def key(self, state) -> tuple:
        """`promise-merge`'s key of a promise-phase machine state (see the module docstring)."""
        mem = state.memory
        last: dict = {}
        if self.mixed:  # each byte's last message (its value and span)
            for m in mem.messages:
                for b in range(m.offset, m.offset + m.size):
                    last[(m.loc, b)] = (m.value, m.size, m.offset)
        else:
            last = {m.loc: (m.value, m.size) for m in mem.messages}
        messages, reads, projection = mem.messages, self.reads, self.projection
        views = tuple([(reads[tid], *projection(tid, messages, local.promises)[:2])
                       for tid, local in enumerate(mem.locals)])  # fmt: skip
        return (state.threads, state.steps, views, tuple(sorted(last.items())))


ORDERS_EARLIER_READS = (Barrier.FULL, Barrier.LOAD, Barrier.STORE)  # DMB/DSB: read vr_old*


def dead_reads(infos: dict[int, InsnInfo], loops: bool) -> frozenset[int]:
    """The addresses of the thread's dead reads (`certify-dead-reads`, module docstring): in a
    thread with no loop (so only instructions at higher addresses run after one), plain loads
    (no acquire, no exclusive, no pair) whose written registers no later instruction reads,
    followed by no DMB/DSB and no release. A thread with a branch to a register (`BR`, `RET`,
    an A32 write to PC), which may go back, has none."""
    if not runs_once(infos, loops):
        return frozenset()
    order = sorted(infos.items())
    out = set()
    for k, (addr, info) in enumerate(order):
        if (info.kind is not Kind.LOAD or info.pair_order or info.acquire or info.acquire_pc
                or {"pc", "r15"} & info.writes):  # fmt: skip
            continue
        written = info.writes | info.dest_regs
        if any(later.reads & written or later.release
               or (later.kind is Kind.FENCE and later.barrier in ORDERS_EARLIER_READS)
               for _, later in order[k + 1 :]):  # fmt: skip
            continue
        out.add(addr)
    return frozenset(out)
