"""ARMv7's execution phase, one core at a time (the `armv7-threads-apart` reduction).

Once cores start executing, the timeline is fixed (model.py) — except for the propagations a
DMB or DMB ST inserts when its group A has not reached every core: those move every core's
views and must not make another core's executed read stale, so they couple the cores. In a
program with no DMB, DMB ST or DSB (`barrier_free`), nothing is ever inserted: a core's moves
then depend only on its own registers and views and on the fixed storage (`thread_moves` reads
the other cores' states only to place propagations).

Nor do barriers that no memory access comes before (their group A is empty) or after
(trailing). A trailing barrier's propagations order nothing of its core; placed at the end of
the timeline — always possible: no read has a time past the end, so none becomes stale — they
come after every commit (all are made before cores execute), and every later event of any
core other than a trailing barrier has a time at or below the last commit (its views are
times of commits and of reads, never of a propagation, since no other barrier inserts any),
so no read ever sees them: every run without them is a run with them. Conversely, removing
the propagations trailing barriers inserted (anywhere) from a run leaves a run: the other
events keep their order on the timeline, a read can only become less stale, and no barrier
that orders anything needs them (those have an empty group A). So a core's run treats a
trailing barrier as inserting nothing, and the schedule puts its propagations at the end
(`_placed`). The cores still meet in one place, the
scXX check (no cycle in coherence | program order over the successful store-exclusives of
every core), and in the outcome, whose final memory is coherence's last writes, fixed already.

So the executions from a state where cores may start are exactly the combinations of one run
of each core whose store-exclusives together pass scXX. The machine checks scXX after every
store-exclusive, on the ones executed so far; the graph over a subset of the final set of
store-exclusives is a subgraph of the final one, so a combination passes every check along
the way exactly when its final set passes — checked once per combination here. Each core's
runs are explored alone, once, keeping one run per distinct result: the registers the outcome
reads and its successful store-exclusives (what scXX reads). The outcomes are every
combination of results that passes scXX. Nothing is lost: a combination of runs is an
execution (the machine may run the cores one after another), and every execution is one.

A run counts when it ends with every commit made ahead executed (else it ends no execution).
Runs that hit the step budget are counted as in the ARMv8 model's apart.py: an execution hits
the budget when one core's run does after the cores before it could finish (cores run in
order). Witness schedules are the cores' runs one after another, which the machine replays.
"""

from __future__ import annotations

from fencelab.isa.insn import Barrier, Kind
from fencelab.machine.model import MachineState
from fencelab.models.operational.arm.apart import combine, thread_runs
from fencelab.models.operational.armv7.local import xx_cycle
from fencelab.models.operational.armv7.thread import TRAILING

INSERTING = (Barrier.FULL, Barrier.STORE)  # the barriers that may insert propagations


def barrier_free(program) -> bool:
    """Can no barrier of the program insert propagations that matter? A DMB, DSB or DMB ST
    inserts them only for its group A: writes the core wrote or read since its last barrier.
    In code that never jumps back or to a register, one that no memory access comes before
    has an empty group A, so inserts nothing; one that no memory access comes after (a
    trailing barrier) orders nothing, and what it inserts can go at the end of the timeline,
    where it meets no other event (`TRAILING`): only other barriers count."""
    return not any(may_insert(program, thread.tid) for thread in program.threads)


def may_insert(program, tid: int) -> bool:
    """May a barrier of core `tid` insert propagations that matter (`barrier_free`)?"""
    core = program.threads[tid].core
    barriers = [pc for pc, info in core.infos.items()
                if info.kind is Kind.FENCE and info.barrier in INSERTING]  # fmt: skip
    if not barriers:
        return False
    if program.has_loop(tid) or any(info.next_pcs is None for info in core.infos.values()):
        return True
    accesses = [pc for pc, info in core.infos.items() if info.kind.touches_memory]
    return any(min(accesses) < pc < max(accesses) for pc in barriers) if accesses else False


def runs_apart(model, machine, state: MachineState):
    """Every final state reachable by executing from `state` (timeline fixed), one per
    outcome, with the schedule that reaches it from `state`; the budget hits; the states
    visited and the transitions taken."""
    mem = state.memory
    st = mem.storage
    runs = [_core_runs(model, machine, tid, state.threads[tid], mem.locals[tid],
                       state.steps[tid], st)
            for tid in range(len(state.threads))]  # fmt: skip

    def final_of(combo):
        locals_ = tuple(c[1] for c in combo)
        if sum(bool(lc.excl) for lc in locals_) > 1 and xx_cycle(st, [lc.excl for lc in locals_]):
            return None  # scXX across cores (each core's own was checked on its run)
        final = MachineState(tuple(c[0] for c in combo), tuple(c[2] for c in combo),
                             type(mem)(st, locals_, True))  # fmt: skip
        return final, _placed(st, [c[3] for c in combo])

    return combine(runs, final_of)


def _placed(st, runs) -> list[str]:
    """The schedule of the cores' runs one after another, each trailing barrier putting the
    writes of its group A that have not reached every core yet there, one by one, at the end
    of the timeline (the machine's key `.g<at>...`: no earlier barrier inserted any)."""
    done: set[int] = set()
    keys = []
    for tid, run in enumerate(runs):
        for key in run:
            if key.startswith(TRAILING):
                need = sorted({int(p) for p in key[len(TRAILING):].split(",") if p} - done)
                key = "".join(f".g{st.end + len(done) + k + 1}" for k in range(len(need)))
                done.update(need)
            keys.append(f"{tid}{key}")
    return keys


def _core_runs(model, machine, tid: int, tstate, local, steps: int, st):
    """The core's runs (arm/apart.py's, with the Promising-ARM model's memory the storage), one
    per distinct result: the registers the outcome reads and the successful store-exclusives."""
    return thread_runs(model, machine, tid, tstate, local, steps, st,
                       lambda ts, lc: (machine.observed_values(tid, ts), lc.excl))
