"""Exploration strategies over a Machine: exhaustive, random and replay.

- `exhaustive` visits every reachable machine state once (states are hashed; a state seen before
  is pruned) and collects every final outcome with a witness schedule that replays to it.
- `random` runs N seeded executions, picking uniformly among enabled transitions (stepping back
  from states the model cannot go on from, `random_run`), and counts how often each outcome
  occurs (litmus7's histogram).
- `replay` follows a schedule (transition keys joined by commas) step by step.
- `finishes` looks ahead from a state for a run that ends (the TUI's dead-end marks).
Executions that hit the step budget, and random runs that found no way to finish, are counted
apart, never mixed into the outcomes.
Exhaustive and random exploration stop early, with the outcomes found so far and
`TestResult.partial` saying why: at the `Limits` (states, memory; fencelab/limits.py), when
Python runs out of memory, or on Ctrl-C (KeyboardInterrupt: `partial="interrupted"`).
"""

from __future__ import annotations

import random as _random
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

from fencelab.errors import FencelabError
from fencelab.interrupts import stop_if_interrupted
from fencelab.limits import DEFAULT_LIMITS, LimitReached, Limits, SideStates
from fencelab.litmus.conditions import Outcome
from fencelab.machine.machine import Machine, Status
from fencelab.machine.model import MachineState, MemoryModel, ModelRestart, Transition
from fencelab.result import INTERRUPTED, FinalState, TestResult, filtered

Progress = Callable[[int], None]  # called with the number of states explored so far
# (read once: under Python 3.11 each `Status.X` is a Python-level lookup, EnumType's __getattr__)
RUNNING, FINAL, BUDGET, STUCK = Status.RUNNING, Status.FINAL, Status.BUDGET, Status.STUCK


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
    start: Sequence[str] = (), limits: Limits = DEFAULT_LIMITS,
) -> TestResult:  # fmt: skip
    """Every reachable final outcome. `reduce` lets the model drop interleavings that provably
    reach the same states (`MemoryModel.for_exhaustive`, `select`, `state_key`; each can also be
    turned off alone, fencelab/reduce.py); False explores them all. `start`: explore only what
    follows this schedule (its keys, as `frontier` gives them), whose witnesses begin with it.
    At a limit it stops with the outcomes found so far (`partial`)."""
    started = time.perf_counter()
    machine = _reduced(machine, reduce)
    while True:
        result = _search(machine, progress, list(start), limits)
        if result is not None:
            result.seconds = time.perf_counter() - started
            return result


def _reduced(machine: Machine, reduce: bool) -> Machine:
    fast = machine.model.for_exhaustive() if reduce else machine.model
    if fast is machine.model and machine.reductions == reduce:
        return machine
    return machine.with_model(fast, reduce)


@dataclass(frozen=True)
class Frontier:
    """Where `frontier` splits a search: the parts' schedules, and the states above them that
    it expanded (each once) and their transitions, which no part explores."""

    starts: list[list[str]]
    states: int = 0
    transitions: int = 0


def frontier(machine: Machine, width: int, reduce: bool = True) -> Frontier:
    """Schedules that split exhaustive exploration into about `width` parts: the states
    `exhaustive` would follow from the initial state, breadth first, each once (by its key),
    until there are at least `width` of them (or nothing more to expand). Exploring from each
    one (`start=`) and merging the outcomes gives what one exploration gives; the states
    expanded to reach them, and their transitions, are counted as `exhaustive` counts them."""
    machine = _reduced(machine, reduce)
    model, program = machine.model, machine.program
    level: list[tuple[MachineState, list[str]]] = [(machine.initial(), [])]
    expanded_keys = set()  # the states expanded (above the parts)
    transitions = 0
    while len(level) < width:
        expanded, grew = [], False
        seen = {machine.key(state) for state, _ in level}
        for state, keys in level:
            enabled = machine.transitions(state)
            if (machine.status(state, enabled) is not Status.RUNNING
                    or model.threads_apart(program, state)):  # fmt: skip
                expanded.append((state, keys))
                continue
            expanded_keys.add(machine.key(state))
            transitions += len(enabled)
            for t in enabled:
                k = machine.key(t.target)
                if k not in seen and k not in expanded_keys:
                    seen.add(k)
                    expanded.append((t.target, [*keys, t.key]))
            grew = True
        level = expanded
        if not grew:
            break
    return Frontier([keys for _, keys in level], len(expanded_keys), transitions)


def _search(machine: Machine, progress: Progress | None, start: list[str],
            limits: Limits) -> TestResult | None:  # fmt: skip
    """One depth-first search; None if the model's state keys changed after it merged two
    states (`MemoryModel.key_epoch`), so that the search must start again."""
    result = _result(machine, "exhaustive")
    model, program = machine.model, machine.program
    meter = limits.meter()
    epoch = model.restart_epoch(program)
    walk = Replay(machine)
    for step in start:
        walk.take(step)
    init = walk.state
    apart_ever = type(model).threads_apart is not MemoryModel.threads_apart
    interned = None if apart_ever else machine.interned()
    if interned is not None:
        return _search_interned(machine, interned, progress, start, limits, init, result)
    # each state met, by its key, gets a number: the search keeps the number of the state
    # it was first reached from and the step's key (its witness is read back through them)
    numbers: dict[Hashable, int] = {machine.key(init): 0}
    parents: list[int] = [-1]
    steps: list[str] = [""]
    finals: dict[Outcome, str] = {}
    stack = [(init, 0)]
    transitions = 0
    merged_at = None  # the key epoch when two states were first merged
    extra_states = 0  # states visited by `runs_apart`
    unvisited = 0  # states met and left on the stack by running out of memory
    next_progress = 256  # states between two progress reports
    # (what each state would ask, told once: a bounded machine with a move enabled is
    # running, a model without `threads_apart` never runs threads apart, and the meter says
    # nothing below `due` states)
    bounded = machine.bounded
    due = meter.due
    fused, key = machine.fused, machine.key
    side = SideStates(meter)  # the states of the model's own searches (armv7's solo runs)
    model.count_side(side)
    try:
        while stack and not result.partial:
            stop_if_interrupted()
            state, number = stack.pop()
            side.base = len(parents) + extra_states
            # where the threads run apart, their runs are `runs_apart`'s: only the internal
            # transitions are followed, and no core move is made but to tell the status
            # (`Machine.threads_apart`)
            apart = apart_ever and machine.threads_apart(state)
            # the model's fused step, where it makes this state's successors (the key and
            # target of each transition, `Machine.successors`), else the transitions
            made = None if apart or not fused else machine.successors(state)
            if made is not None:
                enabled = made
            else:
                enabled = (machine.internal_transitions(state) if apart
                           else machine.transitions(state))  # fmt: skip
            status = (RUNNING if enabled and bounded
                      else machine.status(state, enabled, internal=apart))
            if status is FINAL:
                outcome = machine.outcome(state)
                if outcome not in finals:
                    finals[outcome] = format_schedule(start + _path(parents, steps, number))
                continue
            if status is BUDGET:
                result.budget_exhausted += 1
                continue
            if status is STUCK:
                continue
            if apart:
                runs, budget, visited, moves = model.runs_apart(machine, state)
                result.budget_exhausted += budget
                extra_states += visited
                transitions += moves
                for final, keys in runs:
                    outcome = machine.outcome(final)
                    if outcome not in finals:
                        finals[outcome] = format_schedule(start + _path(parents, steps, number)
                                                          + keys)  # fmt: skip
            if made is not None:  # (key, target) pairs, as the loop below takes them
                for step_key, target in reversed(made):
                    transitions += 1
                    new = len(parents)
                    if numbers.setdefault(key(target), new) == new:
                        parents.append(number)
                        steps.append(step_key)
                        stack.append((target, new))
                    elif merged_at is None:
                        merged_at = model.key_epoch(program)
                enabled = ()
            for t in reversed(enabled):
                transitions += 1
                new = len(parents)
                if numbers.setdefault(key(t.target), new) == new:  # (hashed once)
                    parents.append(number)
                    steps.append(t.key)
                    stack.append((t.target, new))
                elif merged_at is None:
                    merged_at = model.key_epoch(program)
            counted = len(parents) + extra_states + side.count
            if stack and counted > due:  # (more states met than the limit lets visit, those
                # of threads run apart and of the model's own searches too, and some left)
                result.partial = meter.over(counted - 1, side.count)
                due = meter.due
            if progress is not None and len(parents) >= next_progress:
                next_progress = len(parents) + 256
                progress(len(parents))
    except ModelRestart:
        return None  # the model now keeps states otherwise: start again
    except LimitReached as e:  # (in a search of the model's own, amid a state's successors)
        result.partial = str(e)
    except MemoryError:
        unvisited = len(stack)
        stack.clear()  # room to report in: the witnesses found are already strings
        result.partial = meter.out_of_memory(len(parents))
    except KeyboardInterrupt:
        result.partial = INTERRUPTED  # what was found so far; no restart after an interrupt
    else:
        if _keys_changed(model, program, result, merged_at, epoch):
            return None
    finally:
        model.count_side(None)
    # the states visited: those met but left on the stack by a stop are not, so that a search
    # stopped at the state limit (checked once a state's successors are met) counts at most
    # the limit (`_filled`); the states of threads run apart are added
    return _filled(result, finals.items(),
                   len(parents) - len(stack) - unvisited + extra_states, transitions)


def _search_interned(machine: Machine, interned, progress: Progress | None, start: list[str],
                     limits: Limits, init: MachineState,
                     result: TestResult) -> TestResult | None:  # fmt: skip
    """`_search` over the model's interned states (`Machine.interned`: a state is known by a
    tuple of numbers, its successors made by the model's fused step on them): the same
    states in the same order, the same transitions and witnesses. A state the fused step
    does not answer for takes the machine's transitions from `interned.state`."""
    model, program = machine.model, machine.program
    meter = limits.meter()
    epoch = model.restart_epoch(program)
    first = interned.number(init)
    numbers: dict[tuple, int] = {first: 0}
    parents: list[int] = [-1]
    steps: list[str] = [""]
    finals: dict[tuple, int] = {}  # each outcome's key (`final_key`) -> its first state
    stack = [(first, 0)]
    transitions = 0
    keyed = model.key_epoch(program)  # (merged states: their keys' epoch, as `_search` notes)
    next_progress = 256
    due = meter.due
    expand, final_key = interned.expand, interned.final_key
    low_memory = False
    unvisited = 0  # as `_search`'s
    try:
        while stack and not result.partial:
            stop_if_interrupted()
            state, number = stack.pop()
            made = expand(state, number, numbers, parents, steps, stack)
            if made is None:  # the machine's transitions, their targets numbered
                made = _pushed([(t.key, interned.number(t.target))
                                for t in machine.transitions(interned.state(state))],
                               number, numbers, parents, steps, stack)  # fmt: skip
            if not made:  # (bounded: a state with a move enabled is running, and no
                # thread is stopped by the budget: final, or stuck)
                outcome = final_key(state)  # (None: stuck)
                if outcome is not None and outcome not in finals:
                    finals[outcome] = number
                continue
            transitions += made
            if len(parents) > due:  # (more states met than the limit lets visit)
                result.partial = meter.over(len(parents) - 1)
                due = meter.due
            if progress is not None and len(parents) >= next_progress:
                next_progress = len(parents) + 256
                progress(len(parents))
    except ModelRestart:
        return None
    except MemoryError:
        unvisited = len(stack)
        stack.clear()
        numbers.clear()
        low_memory = True
        result.partial = meter.out_of_memory(len(parents))
    except KeyboardInterrupt:
        result.partial = INTERRUPTED
    else:  # (every state but the first is some transition's new target: fewer states than
        # transitions + 1 means a transition reached a state met before)
        merged_at = keyed if len(parents) < transitions + 1 else None
        if _keys_changed(model, program, result, merged_at, epoch):
            return None
    if low_memory:  # (each witness walked alone: no schedule kept for the paths finals share)
        witnesses = [format_schedule(start + _path(parents, steps, n)) for n in finals.values()]
    else:
        witnesses = _witnesses(parents, steps, start, finals.values())
    # (the keys are one to one with the outcomes: no outcome is hashed; the states visited,
    # as `_search`'s)
    return _filled(result, zip(map(interned.outcome_of, finals), witnesses),
                   len(parents) - len(stack) - unvisited, transitions)  # fmt: skip


def _pushed(made: list[tuple[str, tuple]], number: int, known: dict, parents: list[int],
            steps: list[str], stack: list) -> int:  # fmt: skip
    """`Interned.expand` of state `number` whose (key, target) transitions are `made`."""
    for step_key, target in reversed(made):
        new = len(parents)
        if known.setdefault(target, new) == new:
            parents.append(number)
            steps.append(step_key)
            stack.append((target, new))
    return len(made)


def _keys_changed(model, program, result: TestResult, merged_at, epoch) -> bool:
    """Must a finished search start again? Yes if the model's state keys changed after it
    merged two states (a whole search only), or it asked for a restart."""
    if not result.partial and merged_at is not None and model.key_epoch(program) != merged_at:
        return True
    return model.restart_epoch(program) != epoch


def _filled(result: TestResult, finals, explored: int, transitions: int) -> TestResult:
    """`result` with a search's final states ((outcome, witness) pairs, each outcome once),
    states visited and transitions taken."""
    result.states, _ = filtered(result.test, (FinalState(o, w) for o, w in finals))
    result.explored_states = explored
    result.transitions = transitions
    return result


def _witnesses(parents: list[int], steps: list[str], start: list[str], numbers) -> list[str]:
    """`format_schedule(start + _path(parents, steps, number))` for each of `numbers`, each
    step's schedule made once from its parent's (finals share most of their paths)."""
    made = {0: "".join([f"{key}," for key in start])}  # (each key followed by a comma)
    out = []
    for number in numbers:
        below = []
        while number not in made:
            below.append(number)
            number = parents[number]
        text = made[number]
        for number in reversed(below):
            text = made[number] = f"{text}{steps[number]},"
        out.append(text[:-1])
    return out


def _path(parents: list[int], steps: list[str], number: int) -> list[str]:
    """The keys of the steps from the first state to state `number`."""
    keys = []
    while number:
        keys.append(steps[number])
        number = parents[number]
    return keys[::-1]


def random_runs(
    machine: Machine, runs: int, seed: int = 0, progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> TestResult:  # fmt: skip
    """`runs` seeded executions (`random_run`) of the model's `for_random`; at a limit
    (states: transitions taken, those stepped back from included) it stops with the runs made
    so far (`partial`)."""
    machine = random_machine(machine)
    while True:
        result = _random_runs(machine, runs, seed, progress, limits)
        if result is not None:
            return result


def random_machine(machine: Machine) -> Machine:
    """The machine random runs draw from: `machine` under its model's `for_random` (whose
    steps are steps of `machine` too: their schedules replay on it)."""
    model = machine.model.for_random()
    return machine if model is machine.model else machine.with_model(model, True)


def _random_runs(machine: Machine, runs: int, seed: int, progress: Progress | None,
                 limits: Limits) -> TestResult | None:  # fmt: skip
    """`random_runs`; None if the model's keys changed meanwhile (`ModelRestart`): the runs
    made before are void, and all start again."""
    started = time.perf_counter()
    result = _result(machine, "random")
    rng = _random.Random(seed)
    counts: dict[Outcome, int] = {}
    witnesses: dict[Outcome, str] = {}
    meter = limits.meter()
    init = machine.initial()
    done = 0
    epoch = machine.model.restart_epoch(machine.program)
    dead: set[Hashable] = set()  # states every run from which ends stuck, across runs
    side = SideStates(meter)  # as `_search`'s
    machine.model.count_side(side)
    try:
        for run in range(runs):
            stop_if_interrupted()
            side.base = result.transitions
            path, status, moves = random_run(machine, init, rng, dead, RUN_LIMIT)
            result.transitions += moves
            if machine.model.restart_epoch(machine.program) != epoch:
                return None
            if status is Status.FINAL:
                outcome = machine.outcome(path[-1].target if path else init)
                counts[outcome] = counts.get(outcome, 0) + 1
                witnesses.setdefault(outcome, format_schedule([t.key for t in path]))
            elif status is Status.BUDGET:
                result.budget_exhausted += 1
            else:
                result.stuck += 1
            done = run + 1
            if progress is not None:
                progress(done)
            result.partial = meter.over(result.transitions + side.count, side.count)
            if result.partial:
                break
    except ModelRestart:
        return None
    except (LimitReached, KeyboardInterrupt) as stop:
        result.partial = INTERRUPTED if isinstance(stop, KeyboardInterrupt) else str(stop)
        _count_cut_run(result, stop)
    except MemoryError:
        result.partial = meter.out_of_memory(result.transitions)
    finally:
        machine.model.count_side(None)
    result.states, result.filtered = filtered(
        result.test, (FinalState(o, witnesses[o], n) for o, n in counts.items()))
    result.runs = done
    result.seconds = time.perf_counter() - started
    return result


def _count_cut_run(result: TestResult, stop: BaseException) -> None:
    """A run stopped amid its steps (`random_run` tells how many in `stop.moves`): a limit
    passed by a search of the model's own (armv7's certification counts toward
    `--max-states`), or Ctrl-C. It gives no outcome, and is counted apart with its
    transitions: dropped whole, the first one cut said `# Ran 0 runs, 0 transitions` after
    seconds of work. Stopped between runs (no `moves`), none is."""
    moves = getattr(stop, "moves", None)
    if moves is not None:
        result.transitions += moves
        result.cut_short = 1


# how many transitions one random run may take, those it steps back from included, before it
# is counted stuck (`random_run`)
RUN_LIMIT = 20_000


def random_run(machine: Machine, state: MachineState, rng: _random.Random,
               dead: set[Hashable], limit: int) -> tuple[list[Transition], Status, int]:  # fmt: skip
    """One random run from `state`: (its transitions, how it ended, transitions taken).

    Each step is drawn uniformly among the enabled ones. Under Promising-ARM and armv7 a step
    can lead only to states the model cannot go on from (a promise no longer fulfillable, a
    timeline of commits no core can execute, a retry loop's iteration that repeats the one
    before): where the run ends stuck it steps back to the last state with a step not yet
    drawn and draws again, so that a run ends at a final state, or where a core hit the step
    budget (an execution that really spins), unless every way on is stuck or `limit`
    transitions were taken. States all of whose steps were found to end stuck go into `dead`,
    which the caller keeps across runs: no later run steps there. A limit reached amid the
    run (`LimitReached`, from a search of the model's own) or Ctrl-C (KeyboardInterrupt) is
    raised with the transitions taken in its `moves` (`_count_cut_run`)."""
    key = machine.key
    path: list[Transition] = []
    # per state on the path: its key, its steps not drawn yet, and whether one was passed over
    # only because the run had been there (then the state is not known to be dead)
    frames: list[tuple[Hashable, list[Transition], list[bool]]] = []
    on_path: set[Hashable] = set()
    moves = 0
    here = state
    try:
        while True:
            enabled = machine.transitions(here)
            status = machine.status(here, enabled)
            if status is FINAL or status is BUDGET:
                return path, status, moves
            k = key(here)
            frames.append((k, [t for t in enabled if key(t.target) not in dead] if dead
                           else list(enabled), [False]))  # fmt: skip
            on_path.add(k)
            while True:
                k, untried, looped = frames[-1]
                step = None
                while untried and step is None:
                    step = rng.choice(untried)  # (where no run ends stuck: one draw a step)
                    untried.remove(step)
                    if key(step.target) in on_path:
                        step, looped[0] = None, True
                if step is not None:
                    break
                frames.pop()  # every step from here ends stuck (or loops back): step back
                on_path.discard(k)
                if not looped[0]:
                    dead.add(k)
                if not frames:
                    return path, STUCK, moves
                if looped[0]:  # (nor is the state it steps back to: a way on may pass there)
                    frames[-1][2][0] = True
                path.pop()
            if moves >= limit:
                return path, STUCK, moves
            path.append(step)
            moves += 1
            here = step.target
    except (LimitReached, KeyboardInterrupt) as stop:  # (the caller counts the steps taken)
        stop.moves = moves
        raise


# how many new states `finishes` may visit to answer for one step (the TUI's dead-end marks)
LOOK_AHEAD = 2000


def finishes(machine: Machine, state: MachineState, limit: int,
             known: dict[Hashable, bool]) -> bool | None:  # fmt: skip
    """Does some run from `state` end in a final state (not stuck, not at the step budget)?

    A depth-first search that stops at the first final state it meets: True. False once every
    state reachable from `state` has been seen without one; None when that would take more than
    `limit` new states, or when the model starts keeping states otherwise meanwhile
    (`restart_epoch`). `known` (machine key -> answer) is read and filled across calls: every
    state on the path to the final state found finishes, and when `state` does not, neither
    does any state reachable from it, so all those seen are False; a state the limit left
    unanswered is None (asked again, it is not searched again). (The TUI asks this of each
    enabled transition, to tell a step that leads only to dead ends.)"""
    model, program = machine.model, machine.program
    epoch = model.restart_epoch(program)
    try:
        root = machine.key(state)
        if root in known:
            return known[root]
        keys, parents = [root], [-1]
        seen = {root}
        stack = [(state, 0)]
        while stack:
            here, number = stack.pop()
            enabled = machine.transitions(here)
            status = machine.status(here, enabled)
            if status is FINAL:
                return _finishing(known, keys, parents, number)
            if status is not RUNNING:  # stuck, or a core at the step budget: it never ends
                continue
            for t in reversed(enabled):
                key = machine.key(t.target)
                if key in seen or known.get(key) is False:
                    continue
                if known.get(key) is True:
                    return _finishing(known, keys, parents, number)
                if len(keys) > limit:
                    known[root] = None  # (asked again, not searched again)
                    return None
                seen.add(key)
                keys.append(key)
                parents.append(number)
                stack.append((t.target, len(keys) - 1))
    except ModelRestart:
        return None
    if model.restart_epoch(program) != epoch:
        return None
    known.update(dict.fromkeys(keys, False))
    return False


def _finishing(known: dict[Hashable, bool], keys: list, parents: list[int], number: int) -> bool:
    """The states on the search's path to state `number` finish (`finishes`): True."""
    while number >= 0:
        known[keys[number]] = True
        number = parents[number]
    return True


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
        model, program = self.machine.model, self.machine.program
        epoch = model.restart_epoch(program)
        enabled = self.machine.transitions(self.state)
        if not enabled and self.taken and model.restart_epoch(program) != epoch:
            self._walk_again()
            enabled = self.machine.transitions(self.state)
        return enabled

    def _walk_again(self) -> None:
        """The model has just started keeping states otherwise and the states walked to are
        void (the ARM model joined array elements, `ModelRestart`): take the same steps again
        from a new initial state, as far as they go."""
        keys = [t.key for t in self.taken]
        self.states[:] = [self.machine.initial()]
        self.taken.clear()
        for key in keys:
            if not any(t.key == key for t in self.enabled()):
                break
            self.take(key)

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
    # a schedule that does not fit names the test (and, compiled, its target): one of several
    program = machine.program
    test = f"{program.test.file}: " + (f"{program.target.name}: " if program.test.origin else "")
    for key in parse_schedule(schedule):
        try:
            walk.take(key)
        except FencelabError as e:
            if type(e) is not FencelabError:  # (an instruction that cannot run: its own line)
                raise
            raise FencelabError(test + str(e)) from None
    status = machine.status(walk.state)
    if status is Status.FINAL:
        result.states, result.filtered = filtered(
            result.test, [FinalState(machine.outcome(walk.state), walk.schedule)])
    elif status is Status.BUDGET:
        result.budget_exhausted = 1
    else:
        enabled = ", ".join(t.key for t in walk.enabled())
        raise FencelabError(f"{test}schedule ends before the execution does ({status.value}); "
                            f"enabled next: {enabled}")  # fmt: skip
    result.transitions = len(walk.taken)
    result.seconds = time.perf_counter() - started
    return result
