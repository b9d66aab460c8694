"""One exhaustive search split into parts that run in different processes, merged exactly.

`exhaustive` (explore.py) is a depth-first search that numbers each state when it first
pushes it, counts every transition of every state it expands, and keeps, for each outcome, the
path to the first final state with that outcome that it pops. Which state it meets first, and
by which path, depends on the order of the whole search: parts explored apart (from the states
after the first transitions, `frontier`) meet shared states in another order, so neither their
witnesses nor their summed counts are the one search's.

What does not depend on the order is the graph: each state's key, what the search does with
it (final with its outcome, a budget hit, stuck, or running: its transitions as (step key,
target key), and where the threads run apart, `runs_apart`'s runs and counts). So the parts
record the graph (`explore_part`: every state reachable from their frontier states, each once,
by its key), and `merge` runs `_search`'s loop over the union of their graphs and the
frontier's own states: the same pushes and pops in the same order, hence the same states,
transitions, budget hits and witnesses as one search, byte for byte (tests/parallel).

That needs keys that mean the same in every process: a model that keys states by its own
projection (`state_key`, `key_epoch`, `restart_epoch` overridden: AArch64's promise merging) is
not split, nor one with an interned search of its own (x86 under `tso`), which the parts'
`Machine.transitions` would make several times slower (`splittable`).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from fencelab.interrupts import stop_if_interrupted
from fencelab.limits import DEFAULT_LIMITS, LimitReached, Limits, SideStates
from fencelab.machine.explore import _reduced, format_schedule
from fencelab.machine.machine import Machine, Status
from fencelab.machine.model import MemoryModel
from fencelab.result import INTERRUPTED, FinalState, TestResult, filtered

RUNNING, FINAL, BUDGET, STUCK = Status.RUNNING, Status.FINAL, Status.BUDGET, Status.STUCK

# a state of the graph: (status, outcome (FINAL) or None, apart or None, successors)
# apart: (((outcome, run keys), ...), budget hits, states visited, transitions) of `runs_apart`
# successors: ((step key, target key), ...) in the transitions' order (pushed reversed)
Node = tuple


@dataclass
class Part:
    """What one part found: its states (`Node`s by key); the frontier's own states and the
    first state's key when it is part 0; why it stopped early ("" when it did not)."""

    nodes: dict[Hashable, Node] = field(default_factory=dict)
    first: Hashable = None
    partial: str = ""


class _Stop(Exception):
    """A part at a limit."""


def splittable(model: MemoryModel) -> bool:
    """Do the parts of a split search under `model` overlap little (`splits_apart`), are the
    state keys of its exhaustive search the same in every process (it keys states by their
    values: no `state_key`, `key_epoch` or `restart_epoch` of its own),
    and does its search go the way the parts record (no `interned` search of its own: x86's
    under `tso`, which numbers states per process, is several times faster than the parts'
    `Machine.transitions`; recorded so, a split x86 test took 55 s of CPU where whole it
    takes 3)?"""
    kind = type(model.for_exhaustive())
    return kind.splits_apart and all(getattr(kind, name) is getattr(MemoryModel, name)
               for name in ("state_key", "key_epoch", "restart_epoch", "interned"))  # fmt: skip


def _node(machine: Machine, state, apart_ever: bool, canon: dict) -> tuple[Node, list]:
    """What `_search` does with `state`, and the targets it would push (state objects). Each
    target's key, and each outcome and step key of the runs apart, is the one object `canon`
    holds for it (a part's graph keeps, and pickles, each once however often it recurs)."""
    apart = apart_ever and machine.threads_apart(state)
    made = None if apart or not machine.fused else machine.successors(state)
    if made is not None:
        pairs = made
    else:
        enabled = (machine.internal_transitions(state) if apart
                   else machine.transitions(state))  # fmt: skip
        pairs = [(t.key, t.target) for t in enabled]
    status = (RUNNING if pairs and machine.bounded
              else machine.status(state, made if made is not None else enabled,
                                  internal=apart))  # fmt: skip
    if status is FINAL:
        return (FINAL, machine.outcome(state), None, ()), []
    if status is not RUNNING:
        return (status, None, None, ()), []
    shown = None
    key, one = machine.key, canon.setdefault
    if apart:
        runs, budget, visited, moves = machine.model.runs_apart(machine, state)
        first: dict = {}  # each outcome's first run (the search keeps no later one's keys)
        for final, keys in runs:
            first.setdefault(machine.outcome(final), keys)
        # (each outcome and step key the one object `canon` holds: the same few recur in
        # every state's runs, GEN-ARM-546-0's part 0: 1,512 runs, 163 outcomes, 13,608 steps of
        # 32 keys; each pickled once, its graph is 389 -> 254 kB, unpickled in a quarter of
        # the time by the process that merges)
        shown = (tuple([(one(outcome, outcome), tuple([one(k, k) for k in keys]))
                        for outcome, keys in first.items()]),
                 budget, visited, moves)  # fmt: skip
    successors = tuple([(k, one(target_key, target_key))
                        for k, target_key in [(k, key(t)) for k, t in pairs]])  # fmt: skip
    return (RUNNING, None, shown, successors), [t for _, t in pairs]


def frontier(machine: Machine, width: int,
             canon: dict | None = None) -> tuple[dict[Hashable, Node], list, Hashable]:  # fmt: skip
    """The states the search follows from the first one, breadth first, expanded until there
    are at least `width` unexpanded ones (or none can be): the expanded states' nodes, the
    unexpanded states (each key once, none expanded), and the first state's key. Where the
    threads run apart the state is left unexpanded."""
    apart_ever = type(machine.model).threads_apart is not MemoryModel.threads_apart
    canon = {} if canon is None else canon
    init = machine.initial()
    first = machine.key(init)
    canon[first] = first
    nodes: dict[Hashable, Node] = {}
    level = [(first, init)]
    while len(level) < width:
        expanded, seen, grew = [], {k for k, _ in level}, False
        for k, state in level:
            if apart_ever and machine.threads_apart(state):
                expanded.append((k, state))
                continue
            node, targets = _node(machine, state, False, canon)
            if node[0] is not RUNNING:
                expanded.append((k, state))
                continue
            nodes[k] = node
            grew = True
            for (_, target_key), target in zip(node[3], targets):
                if target_key not in nodes and target_key not in seen:
                    seen.add(target_key)
                    expanded.append((target_key, target))
        level = [(k, s) for k, s in expanded if k not in nodes]
        if not grew:
            break
    return nodes, [state for _, state in level], first


def explore_part(machine: Machine, part: int, parts: int, width: int,
                 limits: Limits = DEFAULT_LIMITS) -> Part:  # fmt: skip
    """Part `part` of `parts`: the graph of every state reachable from the frontier's
    unexpanded states number part, part + parts, ... (`frontier(machine, width)`, worked
    out alike in every part), but for the frontier's expanded states, which part 0 returns.
    At a limit or Ctrl-C it stops with what it found (`partial`)."""
    machine = _reduced(machine, True)
    apart_ever = type(machine.model).threads_apart is not MemoryModel.threads_apart
    canon: dict = {}
    prefix, leaves, first = frontier(machine, width, canon)
    found = Part(dict(prefix) if part == 0 else {}, first)
    nodes = found.nodes
    meter = limits.meter()
    due = meter.due
    key = machine.key
    side = SideStates(meter)  # as `_search`'s (explore.py)
    machine.model.count_side(side)
    try:
        for leaf in leaves[part::parts]:
            leaf_key = canon.setdefault(key(leaf), key(leaf))
            if leaf_key in nodes or leaf_key in prefix:
                continue
            stack = [(leaf_key, leaf)]
            nodes[leaf_key] = None  # (pushed: known)
            while stack:
                stop_if_interrupted()
                k, state = stack.pop()
                side.base = len(nodes)
                node, targets = _node(machine, state, apart_ever, canon)
                nodes[k] = node
                for (_, target_key), target in zip(node[3], targets):
                    if target_key not in nodes and target_key not in prefix:
                        nodes[target_key] = None
                        stack.append((target_key, target))
                if len(nodes) + side.count >= due:
                    found.partial = meter.over(len(nodes) + side.count, side.count)
                    due = meter.due
                    if found.partial:
                        raise _Stop
    except _Stop:
        pass
    except LimitReached as e:  # (in a search of the model's own)
        found.partial = str(e)
    except MemoryError:
        found.partial = meter.out_of_memory(len(nodes))
    except KeyboardInterrupt:
        found.partial = INTERRUPTED
    finally:
        machine.model.count_side(None)
    for k in [k for k, node in nodes.items() if node is None]:
        del nodes[k]  # pushed, not reached: another part's, or left by a stop
    return found


def merge(result: TestResult, parts: list[Part], limits: Limits = DEFAULT_LIMITS) -> TestResult:
    """`result` (a part's, for its test, engine and target) made the one search's: `_search`'s
    loop over the parts' graphs, from the first state. A state no part reached (one stopped
    early) is passed over; then the result is partial, with the first part's reason."""
    nodes: dict[Hashable, Node] = {}
    for part in parts:
        nodes.update(part.nodes)
    first = parts[0].first
    meter = limits.meter()
    numbers: dict[Hashable, int] = {first: 0}
    parents: list[int] = [-1]
    steps: list[str] = [""]
    finals: dict = {}
    stack = [(first, 0)]
    transitions = budget_hits = extra = 0
    partial = next((p.partial for p in parts if p.partial), "")
    due = meter.due

    def path(number: int) -> list[str]:
        keys = []
        while number:
            keys.append(steps[number])
            number = parents[number]
        return keys[::-1]

    while stack and not result.partial:
        k, number = stack.pop()
        node = nodes.get(k)
        if node is None:
            continue
        status, outcome, apart, successors = node
        if status is FINAL:
            if outcome not in finals:
                finals[outcome] = format_schedule(path(number))
            continue
        if status is BUDGET:
            budget_hits += 1
            continue
        if status is STUCK:
            continue
        if apart is not None:
            runs, budget, visited, moves = apart
            budget_hits += budget
            extra += visited
            transitions += moves
            for outcome, keys in runs:
                if outcome not in finals:
                    finals[outcome] = format_schedule(path(number) + list(keys))
        for step_key, target in reversed(successors):
            transitions += 1
            new = len(parents)
            if numbers.setdefault(target, new) == new:
                parents.append(number)
                steps.append(step_key)
                stack.append((target, new))
        if len(parents) > due:  # (more states met than the limit lets visit)
            result.partial = meter.over(len(parents) - 1)
            due = meter.due
    result.partial = result.partial or partial
    result.states, _ = filtered(result.test, (FinalState(o, w) for o, w in finals.items()))
    result.explored_states = len(parents) - len(stack) + extra  # visited, as `_search`'s
    result.transitions = transitions
    result.budget_exhausted = budget_hits
    return result
