"""Promising-ARM's execution phase, one thread at a time (the `threads-apart` reduction).

Once threads start executing, memory is fixed (promise-first exploration, model.py): a thread's
moves depend only on its own registers and views and on that memory, never on another thread.
So the executions from a state where threads may start are exactly the combinations of one run
of each thread, and the outcome of a combination is the registers the outcome reads, from each
thread's run, and the final memory, fixed already. Instead of exploring the threads' runs
together (even one after another, the states multiply: every result of P0 times every run of
P1 ...), each thread's runs are explored alone, once, keeping one run per distinct result; the
outcomes are every combination of results. Nothing is lost: a combination of runs is an
execution (the machine may run the threads one after another), and every execution is one.

A run counts when it ends with no outstanding promise (else it ends no execution). Runs that
hit the step budget are counted as the machine would count them: an execution hits the budget
when one thread's run does after the threads before it could finish (threads run in order).
Witness schedules are the threads' runs one after another, which the machine replays.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from fencelab.machine.model import MachineState
from fencelab.models.operational.arm.thread import UnseenRead


@dataclass
class ThreadRuns:
    """One thread's runs from one state: a run per distinct result, and the rest counted."""

    finished: dict[tuple, tuple] = field(default_factory=dict)  # result -> (tstate, local,
    # steps, keys): results are the registers the outcome reads
    halted: bool = False  # some run reached the thread's end (promises fulfilled or not)
    budget: int = 0  # runs that hit the step budget
    states: int = 0  # states visited (the one it starts from, the machine's, aside)
    moves: int = 0  # transitions taken
    halted_at_start: bool = False  # the thread had ended already


def runs_apart(model, machine, state: MachineState):
    """Every final state reachable by executing from `state` (memory fixed), one per outcome,
    with the schedule that reaches it from `state`; the budget hits; the states visited and
    the transitions taken. Nothing from a stuck state (`MemoryModel.apart_tells_stuck`): no
    promise can be made and no thread can move (with `arm-sequential`, the first thread that
    has not ended cannot), as the machine would have it, whose moves are those of
    `ARM.core_transitions`."""
    mem = state.memory
    runs = []
    now = model._now(machine.program, state)  # (its promises were asked before: remembered)
    stuck = now is not None and not model._promises(machine.program, now)
    for tid in range(len(state.threads)):
        runs.append(_shared_runs(model, machine, tid, state.threads[tid], mem.locals[tid],
                                 state.steps[tid], mem.messages))  # fmt: skip
        if stuck and not runs[-1].moves and not runs[-1].halted_at_start:
            if not model.interleave:
                return [], 0, 0, 0  # the first thread that has not ended cannot move
        elif stuck and runs[-1].moves:
            stuck = False
    if stuck and not all(r.halted_at_start for r in runs):
        return [], 0, 0, 0

    mixed = bool(model.mixed_sizes(machine.program))
    memories: dict[tuple, object] = {}  # (finished threads' locals are mostly one and the same)

    def final_of(combo):
        locals_ = tuple([c[1] for c in combo])
        memory = memories.get(locals_)
        if memory is None:
            memory = memories[locals_] = type(mem)(mem.messages, locals_, True, layout=mem.layout)
        if mixed and not model.coherent(machine.program, memory):
            return None  # `internal` fails on a mixed-size location (mixed.py)
        final = MachineState(tuple([c[0] for c in combo]), tuple([c[2] for c in combo]),
                             memory)  # fmt: skip
        schedule = []
        for tid, c in enumerate(combo):
            keys = named.get((tid, c[3]))
            if keys is None:
                keys = named[tid, c[3]] = [f"{tid}{key}" for key in c[3]]
            schedule += keys
        return final, schedule

    named: dict[tuple, list[str]] = {}  # (tid, a run's keys) -> the schedule's keys

    return combine(runs, final_of)


def combine(runs: list[ThreadRuns], final_of):
    """Every combination of the threads' finished runs made into (final state, schedule) by
    `final_of(combo)` (None: no such final state), the runs' budget hits (of a thread that
    could run: those before it halted), and the states and moves they took."""
    budget = sum(r.budget for tid, r in enumerate(runs)
                 if all(runs[u].halted for u in range(tid)))  # fmt: skip
    finals = []
    if all(r.finished for r in runs):
        for combo in itertools.product(*(r.finished.values() for r in runs)):
            made = final_of(combo)
            if made is not None:
                finals.append(made)
    return finals, budget, sum(r.states for r in runs), sum(r.moves for r in runs)


def _shared_runs(model, machine, tid: int, tstate, local, steps: int, messages) -> ThreadRuns:
    """The thread's runs, found on its projection of memory when `certify-share` is on (so
    that every state with the same projection shares them, project.py), their schedules
    translated back to `messages`' timestamps."""
    if not model.share:  # (threads run apart before any has executed: every local is
        return thread_runs(model, machine, tid, tstate, local, steps, messages)  # initial
    projector = model._entry(machine.program).projector  # but for its promises, `ArmMemory`)
    ctx = model._ctx(machine.program, tid)
    while True:
        seen, promises, real = projector.projection(tid, messages, local.promises)
        ctx.watch = projector.reads[tid]
        try:
            runs = thread_runs(model, machine, tid, tstate, local.with_promises(promises),
                                steps, seen)  # fmt: skip
        except UnseenRead:
            continue  # the location is in the projector's reads now: project again
        finally:
            ctx.watch = None
        break
    if len(real) == len(messages):  # (every message kept: the projection renumbers nothing)
        return runs
    # the same runs met again with the same renumbering are translated once
    memo_key = (id(machine.program), "translated", tid, id(runs), tuple(real))
    found = model._alone.get(memo_key)
    if found is not None:
        return found
    words: dict[str, str] = {}

    def translate(key: str) -> str:
        done = words.get(key)
        if done is None:
            done = words[key] = _STAMP.sub(
                lambda m: f".{m[1]}{real[int(m[2]) - 1] if m[2] != '0' else 0}", key)
        return done

    def stamp(t: int) -> int:
        return real[t - 1] if t else 0

    def retrace(lc):  # a mixed-size access's timestamps (mixed.py), back to `messages`'
        trace = getattr(lc, "trace", None)
        if not trace:
            return lc
        return lc._replace(trace=tuple(
            (loc, off, size, tuple(map(stamp, what)) if isinstance(what, tuple) else stamp(what))
            for loc, off, size, what in trace))

    finished = {result: (ts, retrace(lc), st, tuple(translate(k) for k in keys))
                for result, (ts, lc, st, keys) in runs.finished.items()}  # fmt: skip
    found = model._alone[memo_key] = ThreadRuns(finished, runs.halted, runs.budget, runs.states,
                                                runs.moves, runs.halted_at_start)  # fmt: skip
    return found


_STAMP = re.compile(r"\.([rw])(\d+)")


def thread_runs(model, machine, tid: int, tstate, local, steps: int, messages,
                result_of=None) -> ThreadRuns:  # fmt: skip
    """The thread's runs from `tstate` and `local` over memory `messages` (its moves are
    `model.executions`), one per distinct result: the registers the outcome reads, or what
    `result_of(tstate, local)` says (the ARMv7 model adds what its scXX check reads)."""
    program = machine.program
    memo_key = (id(program), "runs", tid, tstate, local, steps, messages)
    found = model._alone.get(memo_key)
    if found is not None:
        return found
    core = program.threads[tid].core
    out = ThreadRuns(halted_at_start=core.halted(tstate))
    start = (tstate, local, steps)
    seen = {start}
    stack = [(start, ())]
    while stack:
        (ts, lc, st), keys = stack.pop()
        out.states += bool(keys)
        if core.halted(ts):
            out.halted = True
            if not lc.promises:
                result = (machine.observed_values(tid, ts) if result_of is None
                          else result_of(ts, lc))  # fmt: skip
                if getattr(lc, "trace", None):  # its mixed-size accesses matter too (mixed.py)
                    result = (result, lc.trace)
                out.finished.setdefault(result, (ts, lc, st, keys))
            continue
        if machine.stopped(tid, ts, st):
            out.budget += 1
            continue
        for move in model.executions(program, tid, ts, lc, messages):
            out.moves += 1
            if move.step.hung:
                machine.mark_hung(tid, move.tstate)
            nxt = (move.tstate, move.local, st + 1)
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, (*keys, move.key)))
    model._alone[memo_key] = out
    return out
