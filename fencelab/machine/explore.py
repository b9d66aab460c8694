"""Exploration strategies over a Machine: exhaustive, random and replay.

- `exhaustive` visits every reachable machine state once (states are hashed; a state seen before
  is pruned) and collects every final outcome with a witness schedule that replays to it.
- `random` runs N seeded executions, picking uniformly among enabled transitions, and counts how
  often each outcome occurs (litmus7's histogram).
- `replay` follows a schedule (transition keys joined by commas) step by step.
Executions that hit the step budget are counted apart, never mixed into the outcomes.
Exhaustive and random exploration stop early, with the outcomes found so far and
`TestResult.partial` saying why: at the `Limits` (states, memory; fencelab/limits.py), when
Python runs out of memory, or on Ctrl-C (KeyboardInterrupt: `partial="interrupted"`).
"""

from __future__ import annotations

import random as _random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fencelab.errors import FencelabError
from fencelab.interrupts import stop_if_interrupted
from fencelab.limits import DEFAULT_LIMITS, Limits
from fencelab.litmus.conditions import Outcome
from fencelab.machine.machine import Machine, Status
from fencelab.machine.model import MachineState, Transition
from fencelab.result import INTERRUPTED, FinalState, TestResult

Progress = Callable[[int], None]  # called with the number of states explored so far


def parse_schedule(text: str) -> list[str]:
    return [k for k in text.replace(",", " ").split() if k]


def format_schedule(keys: list[str]) -> str:
    return ",".join(keys)


def _result(machine: Machine, mode: str) -> TestResult:
    program = machine.program
    return TestResult(
        test=program.test, engine=machine.model.name, target=program.target.name, mode=mode
    )


def exhaustive(
    machine: Machine, progress: Progress | None = None, reduce: bool = True,
    limits: Limits = DEFAULT_LIMITS,
) -> TestResult:  # fmt: skip
    """Every reachable final outcome. `reduce` lets the model drop interleavings that provably
    reach the same states (`MemoryModel.for_exhaustive`); False explores them all. At a limit
    it stops with the outcomes found so far (`partial`)."""
    started = time.perf_counter()
    result = _result(machine, "exhaustive")
    fast = machine.model.for_exhaustive() if reduce else machine.model
    if fast is not machine.model:
        machine = Machine(machine.program, fast, machine.budget)
    meter = limits.meter()
    init = machine.initial()
    parents: dict[MachineState, tuple[MachineState | None, str]] = {init: (None, "")}
    finals: dict[Outcome, str] = {}
    stack = [init]
    transitions = 0
    next_progress = 256  # states between two progress reports
    try:
        while stack and not result.partial:
            stop_if_interrupted()
            state = stack.pop()
            enabled = machine.transitions(state)
            status = machine.status(state, enabled)
            if status is Status.FINAL:
                outcome = machine.outcome(state)
                if outcome not in finals:
                    finals[outcome] = format_schedule(_path(parents, state))
                continue
            if status is Status.BUDGET:
                result.budget_exhausted += 1
                continue
            if status is Status.STUCK:
                continue
            for t in reversed(enabled):
                transitions += 1
                if t.target not in parents:
                    parents[t.target] = (state, t.key)
                    stack.append(t.target)
            result.partial = meter.over(len(parents))
            if progress is not None and len(parents) >= next_progress:
                next_progress = len(parents) + 256
                progress(len(parents))
    except MemoryError:
        stack.clear()  # room to report in: the witnesses found are already strings
        result.partial = meter.out_of_memory(len(parents))
    except KeyboardInterrupt:
        result.partial = INTERRUPTED
    result.states = [FinalState(o, w) for o, w in finals.items()]
    result.explored_states = len(parents)
    result.transitions = transitions
    result.seconds = time.perf_counter() - started
    return result


def _path(parents, state) -> list[str]:
    keys = []
    while True:
        parent, key = parents[state]
        if parent is None:
            return keys[::-1]
        keys.append(key)
        state = parent


def random_runs(
    machine: Machine, runs: int, seed: int = 0, progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> TestResult:  # fmt: skip
    """`runs` seeded executions; at a limit (states: transitions taken) it stops with the runs
    made so far (`partial`)."""
    started = time.perf_counter()
    result = _result(machine, "random")
    rng = _random.Random(seed)
    counts: dict[Outcome, int] = {}
    witnesses: dict[Outcome, str] = {}
    meter = limits.meter()
    init = machine.initial()
    done = 0
    try:
        for run in range(runs):
            stop_if_interrupted()
            state, keys = init, []
            while True:
                enabled = machine.transitions(state)
                status = machine.status(state, enabled)
                if status is not Status.RUNNING:
                    break
                t = rng.choice(enabled)
                keys.append(t.key)
                state = t.target
                result.transitions += 1
            if status is Status.FINAL:
                outcome = machine.outcome(state)
                counts[outcome] = counts.get(outcome, 0) + 1
                witnesses.setdefault(outcome, format_schedule(keys))
            elif status is Status.BUDGET:
                result.budget_exhausted += 1
            done = run + 1
            if progress is not None:
                progress(done)
            result.partial = meter.over(result.transitions)
            if result.partial:
                break
    except MemoryError:
        result.partial = meter.out_of_memory(result.transitions)
    except KeyboardInterrupt:  # the run in progress is dropped: only whole runs count
        result.partial = INTERRUPTED
    result.states = [FinalState(o, witnesses[o], n) for o, n in counts.items()]
    result.runs = done
    result.seconds = time.perf_counter() - started
    return result


@dataclass
class Replay:
    """A walk through one execution, step by step (the TUI's history uses this too)."""

    machine: Machine
    states: list[MachineState] = field(default_factory=list)
    taken: list[Transition] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.states:
            self.states.append(self.machine.initial())

    @property
    def state(self) -> MachineState:
        return self.states[-1]

    @property
    def schedule(self) -> str:
        return format_schedule([t.key for t in self.taken])

    def enabled(self) -> list[Transition]:
        return self.machine.transitions(self.state)

    def take(self, key: str) -> Transition:
        enabled = self.enabled()
        for t in enabled:
            if t.key == key:
                self.states.append(t.target)
                self.taken.append(t)
                return t
        keys = ", ".join(t.key for t in enabled) or "none (the execution has ended)"
        raise FencelabError(
            f"schedule step {len(self.taken) + 1}: {key!r} is not enabled; enabled: {keys}"
        )

    def back(self) -> None:
        if self.taken:
            self.states.pop()
            self.taken.pop()


def replay(machine: Machine, schedule: str) -> TestResult:
    started = time.perf_counter()
    result = _result(machine, "replay")
    walk = Replay(machine)
    for key in parse_schedule(schedule):
        walk.take(key)
    status = machine.status(walk.state)
    if status is Status.FINAL:
        result.states = [FinalState(machine.outcome(walk.state), walk.schedule)]
    elif status is Status.BUDGET:
        result.budget_exhausted = 1
    else:
        enabled = ", ".join(t.key for t in walk.enabled())
        raise FencelabError(
            f"schedule ends before the execution does ({status.value}); enabled next: {enabled}"
        )
    result.transitions = len(walk.taken)
    result.seconds = time.perf_counter() - started
    return result
