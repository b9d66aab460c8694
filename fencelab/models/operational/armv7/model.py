"""The `armv7` memory model: the machine interface over the ARMv7 storage subsystem and cores.

Executions run in two phases, like the ARMv8 model's promise-first exploration:

1. committing: cores commit writes ahead of executing them (internal transitions
   `"<tid>.p<pos>.<loc>=<value>"`, with `.co<k>` when the write may take several places in
   coherence), and committed writes reach every core (`"g<pos>"`), in any interleaving. A
   commit is offered only if the core, running alone, could write it next and can then execute
   everything it committed (certification, certify.py); a propagation only if a barrier of
   some solo run needs it next. Both prune; neither loses an execution.
2. executing: once every core can run to its end executing only what it committed (or nothing
   more can be committed), cores execute; the timeline is fixed from then on. Keys: `"<tid>"`
   for a barrier or a failed condition, `"<tid>.r<pos>"` for a read of the write at `pos`,
   `"<tid>.w<pos>"` for a write executing the commit at `pos`, `"<tid>.fail"` for a failing
   store-exclusive. The timeline being fixed, cores no longer interact except through the
   scXX check (symmetric), so exhaustive search runs them one after another.

An execution ends when every core has finished and executed every write it committed.
"""

from __future__ import annotations

from dataclasses import dataclass

from fencelab import reduce
from fencelab.isa.insn import Barrier, Kind
from fencelab.limits import SideStates
from fencelab.machine.model import MachineState, MemoryModel, Provenance, Reason, Transition
from fencelab.models.operational.arm.thread import UnseenRead, without_repeats
from fencelab.models.operational.armv7.apart import barrier_free, may_insert, runs_apart
from fencelab.models.operational.armv7.certify import (
    READS,
    Alone,
    certifies,
    explore_alone,
    reads_left,
    writes_left,
)
from fencelab.models.operational.armv7.guess import guesses
from fencelab.models.operational.armv7.local import Local, xx_cycle
from fencelab.models.operational.armv7.order import ACCESS_LOCS, CommitOrder, accesses
from fencelab.models.operational.armv7.project import Projector
from fencelab.models.operational.armv7.storage import Gp, Storage
from fencelab.models.operational.armv7.thread import ThreadContext, shown, thread_moves


@dataclass(frozen=True)
class ArmV7Memory:
    storage: Storage
    locals: tuple[Local, ...]  # per core
    executing: bool = False  # phase 2: some core has executed; the timeline is fixed


class ARMv7(MemoryModel):
    name = "armv7"
    description = "ARMv7 (not multicopy-atomic): herd's arm.cat, operationally"
    targets = ("ARM",)
    splits_apart = True  # (GEN-ARM-546-0: 983 keyed states, two parts of 520 and 463)

    def __init__(self, interleave: bool = True, earliest: bool = False,
                 apart: bool = False, share: bool = False,
                 quiet: bool = False, order: bool = False,
                 share_barriers: bool = False, dead: bool = False,
                 viable: bool = False, gaps: bool = False,
                 unread: bool = False, room_complete: bool = False,
                 exec_order: bool = False, written: bool = False,
                 unfulfilled: bool = False) -> None:  # fmt: skip
        self.unfulfilled = unfulfilled
        self.written = written
        self.exec_order = exec_order
        self._exec_order: tuple[object, list[int] | None] | None = None
        self.viable = viable
        self.unread = unread
        self.room_complete = room_complete
        self._looping: tuple[object, list[bool]] | None = None
        self._codes: tuple[object, list] | None = None  # (program, order._code per core)
        self.gaps = gaps
        self._straight: tuple[object, list[bool]] | None = None
        self.interleave = interleave
        self.earliest = earliest
        self.quiet = quiet
        self.order = order
        self.dead = dead
        self.share_barriers = share_barriers
        self._commit_order: tuple[object, CommitOrder] | None = None
        self._loops: tuple[object, bool] | None = None  # (program, has a core a loop?)
        self.apart = apart
        self.share = share
        self._projection: tuple[object, Projector] | None = None
        self._contexts: dict[int, tuple[object, list[ThreadContext]]] = {}
        self._alone: dict[tuple, object] = {}
        self._shared_found: dict[tuple, object] = {}  # `_shared`'s answers, by the real state
        self._barrier_free: tuple[object, bool] | None = None  # (program, barrier_free(it))
        self._started: tuple[object, bool] = (None, False)  # `_may_start`'s last state, answer
        self._side: SideStates | None = None  # where the solo searches count (`count_side`)

    def for_exhaustive(self) -> ARMv7:
        """The reductions of exhaustive search (`exhaustive(reduce=False)` turns them off):

        - `interleave=False`: once the timeline is fixed, cores interact only through the
          symmetric scXX check: running them one after another reaches the same outcomes as
          interleaving them.
        - `earliest` (the `armv7-dmb-earliest` switch of fencelab/reduce.py): a DMB (DMB ST excepted) of the one core still running places the
          propagations its group A needs only at the earliest places where no executed read
          becomes stale, not at every later place too. Placed later, they can only hinder it:
          every event after the DMB comes after all of them either way (the DMB's time is at
          or after each), so each later event sees the same timeline entries before it, and
          every other bound is a lower bound that an earlier DMB time only loosens (the
          entries other than the new propagations keep their order). The other cores have
          finished: their registers are fixed, and coherence, hence the final memory and scXX,
          does not depend on where a propagation goes. So every final state reached after a
          later placement is reached after the earliest. (A DMB ST does not order later
          reads, which an earlier propagation could make stale: its placements are all kept;
          while another core still runs, a later propagation may let it read what an earlier
          one would make stale: all are kept.)
        - `quiet` (the `armv7-quiet-earliest` switch): once no core can read memory any more
          (no load, load- or store-exclusive on any path of any core's remaining code:
          `certify.reads_left`), a DMB or DMB ST of any core places its propagations only at
          the earliest places. The argument of `earliest` holds with "the other cores have
          finished" weakened to "read nothing more": every later event of every core is a
          write, a barrier or register-only work, whose bounds are lower bounds (a write
          commit above its floor, a barrier after its group A's propagations) that an earlier
          propagation only loosens; the upper bounds (no executed read becomes stale) are
          checked where each propagation is placed and do not depend on where others went;
          registers take no more values from memory, and coherence — the final memory and
          scXX — is fixed. What stopped `earliest` at DMB ST and at other running cores was a
          later read that an earlier propagation could make stale: there is none.
        - `apart` (the `armv7-threads-apart` switch): in a program where no barrier has
          memory accesses both before and after it, each core's executions are explored alone
          once the timeline is fixed, and their results combined (apart.py says why nothing is
          lost).
        - `unread` (the `armv7-unread-earliest` switch): a DMB places its propagations only at
          the earliest places when no other core still running may read the location of any
          of them (a DMB ST: nor its own core). The argument of `quiet`, location by location:
          a propagation of a write of location x enters only (a) the staleness of reads of x
          (`local.stale`: the propagations of x's writes), (b) the time of a barrier whose
          group A holds the write (its own core's, or a core that read it: a read of x), and
          (c) the positions of later entries, which all move alike. The placing core is best
          served by the earliest places: every event it orders after the barrier (all of them
          after a DMB; after a DMB ST, its writes) comes after all of them either way and sees
          the same entries before it, with lower bounds that an earlier barrier time only
          loosens; its reads after a DMB take their times after every propagation either way
          (staleness at such a time counts them all), and after a DMB ST it has no read of x
          to make stale. A finished core's executed reads are checked at every placement
          (`makes_stale`), and its registers and coherence are fixed. A core still running
          reads no x, so (a) and (b) do not touch it: it sees the same timeline up to the
          moving of positions. So every final state reached after a later placement is
          reached after the earliest. `armv7-dmb-earliest` (no other core running) and
          `armv7-quiet-earliest` (no core reads) are the cases where every location is
          unread; this one asks the code of the cores still running (order.py's `_code`: a
          core with a loop, a jump through a register, a read whose address is not fixed or
          not yet seen counts as reading every location).
        - `armv7-exec-order` (`_order_of`), `armv7-room-complete` (`_complete`),
          `armv7-commit-deps` (order.py,
          `CommitOrder._follows`), `armv7-viable-commits`
          (certify.py, `explore_alone`) and `armv7-solo-gaps` (project.py,
          `Projector.projection`): each docstring says why no final state is lost."""
        return ARMv7(interleave=False, earliest=reduce.enabled("armv7-dmb-earliest"),
                     apart=reduce.enabled("armv7-threads-apart"),
                     share=reduce.enabled("armv7-certify-share"),
                     quiet=reduce.enabled("armv7-quiet-earliest"),
                     order=reduce.enabled("armv7-commit-order"),
                     share_barriers=reduce.enabled("armv7-certify-barriers"),
                     dead=reduce.enabled("armv7-dead-commits"),
                     viable=reduce.enabled("armv7-viable-commits"),
                     gaps=reduce.enabled("armv7-solo-gaps"),
                     unread=reduce.enabled("armv7-unread-earliest"),
                     room_complete=reduce.enabled("armv7-room-complete"),
                     exec_order=reduce.enabled("armv7-exec-order"),
                     written=reduce.enabled("armv7-certify-written"),
                     unfulfilled=reduce.enabled("armv7-exec-unfulfilled"))

    def for_random(self) -> ARMv7:
        """Random runs take the reductions of exhaustive search: drawn from every
        interleaving, a run's timeline of commits leads mostly to states no core can execute
        (every run of examples/c's ticket lock compiled for armv7), and stepping back from
        them (`random_run`) took 52 s of CPU for 30 runs of peterson+rel+acq, 21 s with them;
        dekker+sc 33 s and 0.8 s."""
        return self.for_exhaustive()

    def count_side(self, side: SideStates | None) -> None:
        """The solo searches (certify.py) count their states in `side`: the exploration's
        limits bound them (limits.py, `SideStates`)."""
        self._side = side

    # -- caches ------------------------------------------------------------------------------
    def _ctx(self, program, tid: int) -> ThreadContext:
        entry = self._contexts.get(id(program))
        if entry is None or entry[0] is not program:
            # arm.cat: a predicated instruction's condition is no dependency (`as_executed`)
            entry = (program, [ThreadContext(program, t, predicates_carry=False)
                               for t in range(len(program.threads))])  # fmt: skip
            self._contexts[id(program)] = entry
        return entry[1][tid]

    def _solo(self, program, tid: int, tstate, local: Local, st: Storage) -> Alone:
        return self._shared(program, tid, tstate, local, st, "alone")  # type: ignore[return-value]

    def _certifies(self, program, tid: int, tstate, local: Local, st: Storage) -> bool:
        """`_solo(...).certified`, without the rest of the solo search when not known yet (and
        without any where the core has no commit made ahead: its start certifies)."""
        if not local.promises:
            return True
        return self._shared(program, tid, tstate, local, st, "certifies")  # type: ignore[return-value]

    def _shared(self, program, tid: int, tstate, local: Local, st: Storage, what: str):
        """`_searched`, on the core's projection of the storage where `armv7-certify-share`
        applies (project.py), shared by every state with the same projection."""
        projector = self._projector(program)
        if projector is None:
            return self._searched(program, tid, tstate, local, st, what)
        # the answer is the real state's: asked again (each state asks for every core's, once
        # in `_may_start`, once in `_commits`), it is not projected again
        key = (tid, tstate, local, st, what)
        found = self._shared_found.get(key)
        if found is None:
            found = self._shared_found[key] = self._projected(projector, program, tid, tstate,
                                                              local, st, what)  # fmt: skip
        return found

    def _projected(self, projector: Projector, program, tid: int, tstate, local: Local,
                   st: Storage, what: str):  # fmt: skip
        if not projector.applies(tid, local, st):
            return self._searched(program, tid, tstate, local, st, what)
        ctx = self._ctx(program, tid)
        while True:
            seen, promised, real = projector.projection(tid, st, local)
            ctx.watch = projector.watched(tid)
            try:
                found = self._searched(program, tid, tstate, promised, seen, what)
            except UnseenRead:
                continue  # the location is in the projector's R (W) now: project again
            finally:
                ctx.watch = None
            break
        if what == "alone" and found.before and len(real) != st.end + 1:
            def back(sets):
                return tuple(frozenset(frozenset(real[p] for p in done) for done in b)
                             for b in sets)  # fmt: skip
            viable = None if found.viable is None else back(found.viable)
            found = Alone(found.certified, found.complete, found.candidates,
                          back(found.before), viable)  # fmt: skip
        return found

    def _viable(self, program, tid: int) -> bool:
        """`armv7-viable-commits` for core `tid`?"""
        if not self.viable:
            return False
        if self._straight is None or self._straight[0] is not program:
            self._straight = (program, [not program.has_loop(t) and not may_insert(program, t)
                                        for t in range(len(program.threads))])
        return self._straight[1][tid]

    def _order(self, program) -> CommitOrder | None:
        if not self.order:
            return None
        if self._commit_order is None or self._commit_order[0] is not program:
            contexts = [self._ctx(program, t) for t in range(len(program.threads))]
            self._commit_order = (program, CommitOrder(program, contexts,
                                                       reduce.enabled("armv7-commit-deps"),
                                                       reduce.enabled("armv7-commit-direct")))
        return self._commit_order[1]

    def _projector(self, program) -> Projector | None:
        if not self.share:
            return None
        if self._projection is None or self._projection[0] is not program:
            projector = Projector(program, self.share_barriers, self.gaps, self.written)
            for tid in range(len(program.threads)):
                self._ctx(program, tid).projector = projector
            self._projection = (program, projector)
            self._shared_found = {}  # another program's answers
        return self._projection[1]

    def _searched(self, program, tid: int, tstate, local: Local, st: Storage, what: str):
        """The core's solo search (`what`: "alone", explore_alone; "certifies", certifies,
        or the full search's answer when known; "executes", certifies by runs that guess no
        condition: an executing core's, the timeline fixed), remembered."""
        key = (id(program), tid, tstate, local, st)
        if what == "executes" and not guesses(self._ctx(program, tid)):
            what = "certifies"  # (no guess to leave out: the same answer, shared)
        if what == "executes":
            key = (*key, what)
            found = self._alone.get(key)
            if found is None:
                found = self._alone[key] = certifies(self._ctx(program, tid), tstate, local, st,
                                                     guess=False, side=self._side)  # fmt: skip
            return found
        found = self._alone.get(key)
        if found is None and what == "alone":
            found = self._alone[key] = explore_alone(self._ctx(program, tid), tstate, local, st,
                                                     viable=self._viable(program, tid),
                                                     side=self._side)  # fmt: skip
        if found is not None:
            return found if what == "alone" else found.certified  # type: ignore[attr-defined]
        key = (*key, "certifies")
        found = self._alone.get(key)
        if found is None:
            found = self._alone[key] = certifies(self._ctx(program, tid), tstate, local, st,
                                                 side=self._side)  # fmt: skip
        return found

    # -- the interface -----------------------------------------------------------------------
    def initial_memory(self, program):
        n = len(program.locations)
        return ArmV7Memory(Storage.initial(n), tuple(Local.initial(n) for _ in program.threads))

    def core_transitions(self, program, state: MachineState, tid: int, info):
        mem: ArmV7Memory = state.memory
        if not self.interleave and tid != _first_running(program, state, self._order_of(program)):
            return
        if not mem.executing and not self._may_start(program, state):
            return
        tstate, local, st = state.threads[tid], mem.locals[tid], mem.storage
        # (what only a barrier's placements ask, `thread._fence`, asked only at a barrier)
        fence = info.kind is Kind.FENCE
        alone = fence and self.earliest and all(
            program.threads[t].core.halted(ts) for t, ts in enumerate(state.threads) if t != tid
        )  # fmt: skip
        quiet = fence and self.quiet and self._quiet(program, state)
        unread = (self._unread(program, state, tid)
                  if self.unread and not quiet and fence else None)  # fmt: skip
        for move in self._moves(program, tid, tstate, local, st, mem.locals, alone, quiet,
                                unread):  # fmt: skip
            locals_ = list(mem.locals if move.others is None else move.others)
            locals_[tid] = move.local
            grown = move.storage if move.storage is not None else st
            if move.local.excl != local.excl and xx_cycle(grown, [lc.excl for lc in locals_]):
                continue  # scXX: store-exclusives in coherence against program order
            new = ArmV7Memory(grown, tuple(locals_), True)
            yield Transition(
                f"{tid}{move.key}", tid, self.label(tid, info, move.what),
                state.with_thread(tid, move.tstate, new), step=move.step,
                provenance=_provenance(move, st),
            )  # fmt: skip

    def _quiet(self, program, state: MachineState) -> bool:
        """`armv7-quiet-earliest`: may no core read memory any more?"""
        for tid, ts in enumerate(state.threads):
            core = program.threads[tid].core
            if not core.halted(ts) and reads_left(self._ctx(program, tid), core.pc(ts)):
                return False
        return True

    def _order_of(self, program) -> list[int] | None:
        """`armv7-exec-order`: the order in which cores execute one after another once the
        timeline is fixed (None: by number).

        `interleave=False` runs cores one after another; its argument (cores interact then
        only through the symmetric scXX check, and through the propagations a barrier
        places, which are checked against every core's executed reads at every placement and
        against every later read) names no order: any fixed order of the cores reaches the
        same final states. This one runs the cores with two or more writes before one of
        their DMBs or DSBs (`_barrier_weight`) after the others (each group by number): the
        last core running places a DMB's propagations only at the earliest places
        (`earliest`), where a core running before others may place them at every place (two
        or more: each combination of places). Programs with a loop keep the order by number.
        (A heuristic: running a reading core after a barrier's core may also prune its reads,
        which is why one write before the barrier does not count.)"""
        if not self.exec_order:
            return None
        if self._exec_order is None or self._exec_order[0] is not program:
            cores = range(len(program.threads))
            order = None
            if not any(self._has_loop(program, t) for t in cores):
                weights = [_barrier_weight(program, t) for t in cores]
                order = sorted(cores, key=lambda t: (weights[t] >= 2, t))
            self._exec_order = (program, order)
        return self._exec_order[1]

    def _unread(self, program, state: MachineState, tid: int):
        """`armv7-unread-earliest`: (the locations no core still running but `tid` may read,
        those that `tid` may not read either); None when each may be read."""
        free = set(range(len(program.locations)))
        for t, ts in enumerate(state.threads):
            if t != tid and not program.threads[t].core.halted(ts):
                reads = self._reads(program, t)
                if reads is None:
                    return None
                free -= reads
        own = self._reads(program, tid)
        return frozenset(free), frozenset(() if own is None else free - own)

    def _reads(self, program, tid: int) -> frozenset[int] | None:
        """The locations core `tid`'s code may read (loads, load- and store-exclusives); None:
        any (order.py's `_code` cannot tell, or a read's location is not fixed or not yet
        seen: the locations are recorded as accesses run, thread.py)."""
        if self._codes is None or self._codes[0] is not program:
            self._codes = (program, [accesses(program, t) for t in range(len(program.threads))])
        code = self._codes[1][tid]
        if code is None:
            return None
        seen = self._ctx(program, tid).__dict__.get(ACCESS_LOCS, {})
        out = set()
        for pc, kind, _, fixed in code:
            if kind in READS:
                loc = seen.get(pc) if fixed else None
                if loc is None:
                    return None
                out.add(loc)
        return frozenset(out)

    def _moves(self, program, tid: int, tstate, local: Local, st: Storage,
               others: tuple[Local, ...] | None, earliest: bool = False,
               quiet: bool = False, unread=None) -> list:  # fmt: skip
        """The ways core `tid` may execute its next instruction (`others`: every core's state,
        for the propagations a barrier inserts; None where no barrier inserts any, apart.py;
        `unread`: `_unread`'s answer, for a barrier)."""
        ctx = self._ctx(program, tid)
        info = ctx.core.info(tstate)
        if info is not None and info.kind is not Kind.FENCE:
            # a load's or a store's moves are a function of the core's state and the storage
            # alone (`others` and the rest are a barrier's): remembered, as `solo_moves` does
            # (executing cores meet the same state again after other cores' different runs)
            cache = ctx.__dict__.setdefault("armv7_moves", {})
            moves = reduce.reused(cache, (tstate, local, st),
                                  lambda: thread_moves(ctx, tstate, local, st))  # fmt: skip
        else:
            moves = thread_moves(ctx, tstate, local, st, others=others, earliest=earliest,
                                 quiet=quiet, unread=unread)  # fmt: skip
        moves = without_repeats(
            ctx, tstate, local, moves,
            lambda: self._solo(program, tid, tstate, local, st).complete,
        )  # fmt: skip
        kept = []
        for move in moves:
            if self.unfulfilled and _beyond_room(ctx, move):
                continue  # `armv7-exec-unfulfilled` (`_beyond_room`): no execution ends there
            grown = move.storage if move.storage is not None else st
            if (move.local.promises and _jumps_back(ctx.core, tstate, move.tstate)
                    and not self._shared(program, tid, move.tstate, move.local, grown,
                                         "executes")):  # fmt: skip
                continue  # it can no longer execute what it committed: do not spin to the budget
            kept.append(move)
        return kept

    def executions(self, program, tid: int, tstate, local: Local, st: Storage) -> list:
        """Core `tid`'s moves alone, the timeline fixed and no barrier inserting propagations
        (apart.py), its own store-exclusives checked for scXX (the cores' together are checked
        when runs are combined)."""
        return [m for m in self._moves(program, tid, tstate, local, st, None)
                if m.local.excl == local.excl or not xx_cycle(st, [m.local.excl])]

    def threads_apart(self, program, state: MachineState) -> bool:
        """`armv7-threads-apart` (apart.py): may cores start executing here, each apart (no
        barrier in the program inserts propagations that matter)?"""
        if not self.apart or state.memory.executing:
            return False
        if self._barrier_free is None or self._barrier_free[0] is not program:
            self._barrier_free = (program, barrier_free(program))
        return self._barrier_free[1] and self._may_start(program, state)

    def runs_apart(self, machine, state: MachineState):
        return runs_apart(self, machine, state)

    def internal_transitions(self, program, state: MachineState):
        mem: ArmV7Memory = state.memory
        if mem.executing:
            return
        for tid, key, label, memory in self._commits(program, state):
            yield Transition(key, tid, label, state.with_memory(memory), executes=False,
                             provenance=Provenance())  # placed in coherence when executed

    def _strands(self, program, state: MachineState, tid: int, memory: ArmV7Memory) -> bool:
        """`armv7-dead-commits`: does this commit of core `tid` leave a core that reads no
        memory unable to execute what it committed, now and so for ever?

        In a program without loops, take a core with no load, load- or store-exclusive: alone
        it runs one way, and certification (certify.py) asks whether, writing at once at the
        end of the timeline what it has not committed and placing its barriers' propagations
        at the earliest places, it can execute every commit it made ahead. When it cannot, no
        later commit helps: commits go at the end of the timeline, after every position it
        has; one inserted before its writes in coherence only raises the earliest place of a
        propagation (after every write coherence-before it, `Storage.gp_floor`), hence its
        barriers' times and its writes' floors; and executing with the other cores places
        propagations among fewer places (no executed read of theirs may become stale), never
        earlier than alone. So no final state is reachable from the state, and the commit
        that made it is not offered: only dead ends go. (Whether a core ran into the step
        budget is not at stake: there are no loops.)

        A core is not certified again when the new commit cannot touch its solo runs: none of
        its own commits to the location is coherence-after the new write. Every commit state
        explored has each such core certified (its own last commit was, `_commits`, and every
        commit since passed this check), and a certifying run from before the new commit is
        one after it: the core reads nothing; its writes there that are executed or fresh go
        coherence-before the new write (a fresh one goes just above the core's floor, below
        it), so the new write is coherence-before none of them, and enters no earliest place
        of a propagation (`Storage.gp_floor`), which is all other cores' writes enter; it is
        at the end of the timeline, so the run's positions keep their order (its fresh commits
        come one place later, after it)."""
        if self._loops is None or self._loops[0] is not program:
            self._loops = (program, any(map(program.has_loop, range(len(program.threads)))))
        if self._loops[1]:
            return False
        st = memory.storage
        loc, rank = st.msg(st.end).loc, st.rank(st.end)
        for t, ts in enumerate(state.threads):
            local = memory.locals[t]
            if t == tid or not local.promises:
                continue
            if not any(st.msg(p).loc == loc and st.rank(p) > rank for p in local.promises):
                continue  # certified before, and the new write does not touch its runs
            ctx = self._ctx(program, t)
            if reads_left(ctx, min(ctx.core.infos, default=0)):
                continue
            if not self._certifies(program, t, ts, local, memory.storage):
                return True
        return False

    def _offers(self, program, state: MachineState) -> list:
        """Every commit ahead a solo run offers, not yet certified: (tid, memory, kept, msg,
        rank, ranks, the core's candidates); `kept`: `armv7-commit-order` (order.py) explores
        it from this state (else in the other order)."""
        mem: ArmV7Memory = state.memory
        cache_key = (id(program), "offers", state.threads, mem)
        found = self._alone.get(cache_key)
        if found is not None:
            return found  # type: ignore[return-value]
        found = []
        st = mem.storage
        order = self._order(program)
        for tid, tstate in enumerate(state.threads):
            local = mem.locals[tid]
            if not _room(self._ctx(program, tid), tstate, local):
                # no commit of its can certify (`certifies` would refuse each at once): its
                # candidates are not needed, nor its solo search where `_may_start` did not ask
                continue
            alone = self._solo(program, tid, tstate, local, st)
            viable = alone.viable if alone.viable is not None else alone.before
            for msg, before, live in zip(alone.candidates, alone.before, viable):
                ranks = _ranks(st, local, msg, before)
                kept = order is None or order.keeps(st, tid, msg.loc)
                # `armv7-viable-commits` (certify.py, `explore_alone`): the places no viable
                # run allows would not certify
                for rank in ranks if live is before else _ranks(st, local, msg, live):
                    grown = st.commit(msg, rank)
                    locals_ = list(mem.locals)
                    locals_[tid] = local.promise(grown.end)
                    found.append((tid, ArmV7Memory(grown, tuple(locals_)), kept, msg, rank,
                                  ranks, alone.candidates))  # fmt: skip
        self._alone[cache_key] = found
        return found

    def _certified(self, program, state: MachineState, offer) -> bool:
        tid, memory = offer[0], offer[1]
        return self._certifies(program, tid, state.threads[tid], memory.locals[tid],
                               memory.storage)  # fmt: skip

    def _commits(self, program, state: MachineState) -> list:
        """The commits ahead explored from this state: (tid, key, label, memory), those
        offered that `armv7-commit-order` keeps, that certify and that `armv7-dead-commits`
        does not drop. The order is asked first: a commit it leaves out is not certified here
        (`_may_start` certifies it only when no commit is explored). (`_strands` first would
        certify more: other cores' commits, on every grown storage.)"""
        cache_key = (id(program), "commits", state.threads, state.memory)
        found = self._alone.get(cache_key)
        if found is not None:
            return found  # type: ignore[return-value]
        found = []
        names = [loc.name for loc in program.locations]
        for offer in self._offers(program, state):
            tid, memory, kept, msg, rank, ranks, candidates = offer
            if not kept:
                continue  # `armv7-commit-order` (order.py): explored in the other order
            if not self._certified(program, state, offer):
                continue
            if self.dead and self._strands(program, state, tid, memory):
                continue  # `armv7-dead-commits`: no execution ends from there
            pos = memory.storage.end
            value = shown(program, msg.loc, msg.value, msg.size)
            key = f"{tid}.p{pos}.{names[msg.loc]}={value}"
            if any(m.loc == msg.loc and m.value == msg.value and m != msg for m in candidates):
                key += f".{8 * msg.size}b"
            if len(ranks) > 1:
                key += f".co{rank}"
            label = f"P{tid}: commit {names[msg.loc]}={value} (@{pos}"
            label += f", coherence {rank})" if len(ranks) > 1 else ")"
            found.append((tid, key, label, memory))
        self._alone[cache_key] = found
        return found

    def _may_start(self, program, state: MachineState) -> bool:
        """Cores start executing once every one can run to its end executing only what it
        committed — or once nothing more can be committed (a core that never ends then runs
        into the step budget, which is reported, rather than vanishing). "Nothing more": no
        commit offered certifies, those the reductions leave out of `_commits` included
        (certified here only when `_commits` has none: the same answer as certifying every
        offer, with fewer solo searches). Asked for each core's moves of one state (and by
        `threads_apart`), answered once: the last state's answer is kept by identity."""
        if self._started[0] is state:
            return self._started[1]
        started = self._may_start_of(program, state)
        self._started = (state, started)
        return started

    def _may_start_of(self, program, state: MachineState) -> bool:
        mem: ArmV7Memory = state.memory
        done = all(self._complete(program, tid, ts, mem.locals[tid], mem.storage)
                   for tid, ts in enumerate(state.threads))  # fmt: skip
        if done or self._commits(program, state):
            return done
        return not any(self._certified(program, state, offer)
                       for offer in self._offers(program, state))  # fmt: skip

    def _complete(self, program, tid: int, tstate, local: Local, st: Storage) -> bool:
        """Can core `tid`, alone, run to its end executing only what it committed
        (`Alone.complete`)?

        `armv7-room-complete`: for a core without loops and without room (`_room`: as many
        commits ahead as the most writes it can still execute, or halted), its certification
        answers instead of its full solo search (a certification is often known already: the
        commit that made this state certified it). Complete implies certified (a complete run
        has executed every commit). Conversely, take a certifying run: it has executed as many
        commits as the most writes any path from its start holds, one a write, so none of its
        writes committed fresh and no write is left on any path after it: it goes on to the
        end without committing, unless it stops short (a read with no write to take, the solo
        budget). Where it would, cores may start executing here a little earlier than they
        would have, while commits are still explored from here as before (`_commits` does
        not depend on this): `done` only grows, so no execution explored before is lost, and
        an execution added is a run of the machine, a timing of the test (the package
        docstring), whose final state is among arm.cat's: the outcomes do not change. (On the
        ARM sets measured, bench/RESULTS.md, the answers were the same in every state.)"""
        if (self.room_complete and not _room(self._ctx(program, tid), tstate, local)
                and not self._has_loop(program, tid)):
            return self._certifies(program, tid, tstate, local, st)
        return self._solo(program, tid, tstate, local, st).complete

    def _has_loop(self, program, tid: int) -> bool:
        if self._looping is None or self._looping[0] is not program:
            self._looping = (program, [program.has_loop(t) for t in range(len(program.threads))])
        return self._looping[1][tid]

    def is_final(self, program, memory: ArmV7Memory):
        return not any(local.promises for local in memory.locals)

    def final_memory(self, program, memory: ArmV7Memory):
        st = memory.storage
        values = {}
        for loc in program.locations:
            last = st.co[loc.index][-1]
            values[loc.addr] = st.msg(last).value if last else loc.init
        return values

    def explain(self, program, state: MachineState, tid: int) -> list[Reason]:
        """What core `tid` may do now (the default's words), after which other cores' writes
        have reached it and which have not: on ARMv7 a write reaches cores one by one, and a
        read may take only a write that is not stale for it."""
        mem: ArmV7Memory = state.memory
        st = mem.storage
        names = [loc.name for loc in program.locations]
        out = []
        for pos, msg in st.messages():
            if msg.tid == tid:
                continue
            write = f"{names[msg.loc]}={shown(program, msg.loc, msg.value, msg.size)} (@{pos}, P{msg.tid})"
            gp = st.gp(pos)
            if gp is not None:
                out.append(Reason(tid, f"{write} has reached every core (at @{gp})"))
                continue
            reached = _reached(mem, pos)
            where = ", ".join(f"P{t}" for t in reached)
            state_ = "has reached this core" if tid in reached else "has not reached this core"
            out.append(Reason(tid, f"{write} {state_} (reached: {where})"))
        if mem.executing:
            out.append(Reason(tid, "the timeline is fixed: cores now execute what they "
                                   "committed"))  # fmt: skip
        return super().explain(program, state, tid) + out

    def describe(self, program, memory: ArmV7Memory):
        """The timeline, coherence, and which cores each write has reached: the core that
        wrote it, the cores that read it or a coherence-later write, every core once it has
        propagated (`everywhere`, a timeline position)."""
        st = memory.storage
        names = [loc.name for loc in program.locations]
        writes = []
        for pos, msg in st.messages():
            gp = st.gp(pos)
            writes.append({
                "pos": pos, "location": names[msg.loc], "value": shown(program, msg.loc, msg.value, msg.size),
                "thread": f"P{msg.tid}", "coherence": st.rank(pos),
                "reached": [f"P{t}" for t in _reached(memory, pos)] if gp is None
                else "every core",
                "everywhere": gp,
                "executed": not any(pos in lc.promises for lc in memory.locals),
            })  # fmt: skip
        timeline = [
            f"@{i + 1} {names[e.loc]}={shown(program, e.loc, e.value, e.size)} (P{e.tid})"
            if not isinstance(e, Gp) else f"@{i + 1} @{e.pos} reaches every core"
            for i, e in enumerate(st.timeline)
        ]
        coherence = {
            names[loc]: ["init" if p == 0 else f"@{p}" for p in chain]
            for loc, chain in enumerate(st.co)
        }
        threads = []
        for tid, local in enumerate(memory.locals):
            threads.append({
                "thread": f"P{tid}",
                "committed ahead": [f"@{p}" for p in local.promises],
                "coherence floor": {names[i]: p for i, p in enumerate(local.coh)},
                "vctrl": local.vctrl, "vaddr": local.vaddr, "visb": local.visb,
                "vfence": local.vfence, "vfence.st": local.vfence_w, "vmax": local.vmax,
                "group A": sorted(local.ga),
                "exclusive": None if local.exbank is None else {
                    "location": names[local.exbank[0]], "read": local.exbank[1]},
                "register views (i, c)": {r: (i, c) for r, i, c in local.regs},
            })  # fmt: skip
        return {
            "phase": "executing" if memory.executing else "committing",
            "timeline": timeline,
            "coherence": coherence,
            "writes": writes,
            "threads": threads,
        }


def _reached(memory: ArmV7Memory, pos: int) -> list[int]:
    """The cores the committed write at `pos` has reached (before it reaches every core): its
    own, and those that read it or a coherence-later write (their floor is at or above it)."""
    st = memory.storage
    msg = st.msg(pos)
    return sorted({msg.tid} | {
        tid for tid, local in enumerate(memory.locals)
        if local.coh[msg.loc] and st.rank(local.coh[msg.loc]) >= st.rank(pos)
    })  # fmt: skip


def _provenance(move, st: Storage) -> Provenance:
    """The write each read took and the commit each write executed, as `("msg", key)` with
    keys in coherence order (fencelab/graph/trace.py orders a location's writes by key): once
    cores execute, no write is committed any more, so coherence ranks are final (timeline
    positions are not: a barrier may still insert propagations)."""
    n = len(st.co)

    def key(pos: int) -> int:
        return 0 if pos == 0 else st.rank(pos) * n + st.msg(pos).loc + 1

    read_pos = () if move.read_pos is None else move.read_pos
    reads = tuple(("msg", key(p)) for p in (read_pos if isinstance(read_pos, tuple) else (read_pos,)))
    writes = () if move.write_pos is None else (("msg", key(move.write_pos)),)
    return Provenance(reads, writes)


def _ranks(st: Storage, local: Local, msg, before) -> list[int]:
    """Where in coherence a write committed ahead may go: after every write that has reached
    every core, and among the core's own commits to the location in program order (after
    those some solo run executed before it, before the others)."""
    chain = st.co[msg.loc]
    own = [p for p in local.promises if st.msg(p).loc == msg.loc]
    if not own:  # (no own commit there to keep in program order: every place some run allows)
        return list(range(st.first_free_rank(msg.loc), len(chain) + 1)) if before else []
    out = []
    for rank in range(st.first_free_rank(msg.loc), len(chain) + 1):
        if any(all((st.rank(p) < rank) == (p in done) for p in own) for done in before):
            out.append(rank)
    return out


def _room(ctx: ThreadContext, tstate, local: Local) -> bool:
    """Can the core still execute one more commit than it has made ahead? Each write executes
    at most one (`certify.writes_left`); `certifies` refuses a commit without it before any
    move, and this saves building the grown storage for it."""
    core = ctx.core
    return not core.halted(tstate) and len(local.promises) < writes_left(ctx, core.pc(tstate))


def _beyond_room(ctx: ThreadContext, move) -> bool:
    """`armv7-exec-unfulfilled`: after this move, has the core more commits made ahead left to
    execute than the most writes it can still execute (`certify.writes_left`; none once halted)?

    Then no execution from there ends, and the move is not taken. An execution ends only when
    every core has executed every write it committed ahead (`is_final`); a core's commits
    made ahead leave its `promises` only when one of its own writes executes one of them, at
    most one each (`local.after_write`), and no other core's move removes one (a barrier's
    propagations shift positions, never drop them). So a core with more of them than writes
    left keeps one for ever: every state after the move is a dead end, and every run from it
    either stops short of a final state or runs a core into the step budget before reaching
    one. Dropping the move loses no final state; what it does drop is those runs, executions
    that never could end (compiled for armv7, dcl: a core that reads `ready`=1 skips the slow
    path with its lock and `ready` commits unexecuted, and the other core then ran all of its
    executions, every placement of its DMBs' propagations, in a state that could not end).
    The same question as `certifies`' cut of solo states and `_room`, asked of the moves of
    executing cores."""
    promises = move.local.promises
    if not promises:
        return False
    core = ctx.core
    left = 0 if core.halted(move.tstate) else writes_left(ctx, core.pc(move.tstate))
    return len(promises) > left


def _jumps_back(core, before, after) -> bool:
    return not core.halted(after) and core.pc(after) <= core.pc(before)


def _first_running(program, state: MachineState, order=None) -> int:
    """The first core, in `order` (default: by number), that has not finished."""
    for tid in order if order is not None else range(len(state.threads)):
        if program.threads[tid].core.info(state.threads[tid]) is not None:
            return tid
    return -1


def _barrier_weight(program, tid: int) -> int:
    """The most writes core `tid`'s code holds before one of its DMBs or DSBs (address order)."""
    writes = best = 0
    infos = program.threads[tid].core.infos
    for pc in sorted(infos):
        info = infos[pc]
        if info.kind in (Kind.STORE, Kind.STORE_EXCL, Kind.RMW):
            writes += 1
        elif info.kind is Kind.FENCE and info.barrier is Barrier.FULL:
            best = max(best, writes)
    return best
