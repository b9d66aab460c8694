"""Execution graphs for what the commands produce: a run's outcomes, one outcome, a counterexample.

- `result_graphs(test, options, result)`: one graph per final state of a run — the witness
  execution (hardware models: the schedule replayed; source models: the execution the checker
  accepted) — plus, when the test's `exists` outcome was never reached, the candidate execution
  that shows why, with its cycle;
- `outcome_graph(test, options, text)`: the graph of one outcome, allowed or forbidden;
- `counterexample_graphs(check, extra)`: a `check` counterexample: the hardware execution the
  source model forbids, and the source model's cycle that forbids it.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Callable
from dataclasses import replace

from fencelab.errors import FencelabError
from fencelab.graph.build import graph_of, witness_execution
from fencelab.graph.explain import (
    Wanted,
    check_observed,
    explain_hardware,
    matches,
    parse_outcome,
    seeds,
    wanted_text,
)
from fencelab.graph.model import ExecutionGraph
from fencelab.graph.trace import trace
from fencelab.graph.views import view_for
from fencelab.litmus.ast import And, Eq, LitmusTest
from fencelab.litmus.conditions import prop_atoms
from fencelab.litmus.printer import format_binding, format_prop, format_state
from fencelab.machine.explore import Replay, parse_schedule
from fencelab.machine.machine import Machine
from fencelab.pipeline import RunOptions, machine_for, run_test
from fencelab.result import TestResult, herd_states


def witness_graph(machine: Machine, schedule: str, outcome: str) -> ExecutionGraph:
    """The execution a witness schedule replays to, with rf and co as the model produced them."""
    walk = Replay(machine)
    for key in parse_schedule(schedule):
        walk.take(key)
    program = machine.program.by_element()  # events name elements: `t[1]`, not `t+4`
    view = view_for(machine.model.name)
    x = witness_execution(program, trace(program, walk.states, walk.taken),
                          view is not None and view.register_deps)  # fmt: skip
    graph = graph_of(program, x, view, model=machine.model.name, outcome=outcome, allowed=True,
                     witness=schedule)  # fmt: skip
    if view is None:
        graph.notes.append(f"model {machine.model.name} has no axiomatic view here: only po, "
                           "rf, co, fr and dependencies are drawn")  # fmt: skip
    else:
        broken = view.violations(x)
        if broken:  # never expected: the operational and axiomatic models would disagree
            graph.notes.append("the axiomatic view of this model forbids this execution ("
                               + ", ".join(v.axiom for v in broken) + ")")  # fmt: skip
    return graph


def partial_graph(machine: Machine, states, taken, outcome: str = "") -> ExecutionGraph:
    """The graph of an execution so far (the TUI): the events executed, the writes their
    reads read, coherence as far as it is decided. `states[i]` is the state before
    `taken[i]`."""
    program = machine.program.by_element()  # events name elements: `t[1]`, not `t+4`
    steps = trace(program, states, taken)
    view = view_for(machine.model.name)
    x = witness_execution(program, steps, view is not None and view.register_deps)
    graph = graph_of(program, x, view, model=machine.model.name,
                     outcome=outcome or f"after {len(taken)} steps", allowed=True,
                     witness=",".join(t.key for t in taken))  # fmt: skip
    graph.notes.extend(steps.pending)
    return graph


def condition_outcome(test: LitmusTest) -> Wanted | None:
    """The outcome an `exists` / `~exists` condition asks about, when it is a conjunction of
    OBS=VALUE (the usual litmus question); None otherwise."""
    if test.condition.quantifier == "forall":
        return None
    prop = test.condition.prop
    parts = prop.parts if isinstance(prop, And) else (prop,)
    if not all(isinstance(p, Eq) for p in parts):
        return None
    text = "; ".join(format_binding(p.obs, p.value) for p in parts)
    return parse_outcome(text, test)


def _example(test: LitmusTest) -> str:
    """` "0:rax=0; 1:rax=0"`: an --outcome in the test's own names, its condition's first two
    observables with the values the condition gives them (empty when it names none)."""
    first: dict = {}
    for eq in prop_atoms(test.condition.prop):
        first.setdefault(eq.obs, eq.value)
    bindings = [format_binding(o, v) for o, v in list(first.items())[:2]]
    return f' "{"; ".join(bindings)}"' if bindings else ""


def _is_source(options: RunOptions) -> bool:
    return options.model is not None and options.model.is_source


def result_graphs(
    test: LitmusTest, options: RunOptions, result: TestResult
) -> tuple[list[ExecutionGraph], list[str]]:
    """A graph per final state of `result`, and the forbidding cycle of the condition's
    outcome when no state has it; and a line for each graph that could not be drawn (one
    failure never loses the others)."""
    graphs: list[ExecutionGraph] = []
    problems: list[str] = []
    try:
        if _is_source(options):
            from fencelab.graph.source import witness_graphs

            found = witness_graphs(test, options.model.name, options.budget)
            graphs.extend(found[s.outcome] for _, s in herd_states(result) if s.outcome in found)
        else:
            machine = machine_for(test, options)
            # (in the order the States block lists them; a witness "" is the empty schedule of
            # a test with no memory access, whose picture is its threads: it was left out, unsaid)
            for _, state in herd_states(result):
                outcome = format_state(state.outcome, test.arch)
                try:
                    graphs.append(witness_graph(machine, state.witness, outcome))
                except FencelabError as e:
                    problems.append(f"{outcome} not drawn: {e}")
    except FencelabError as e:
        problems.append(f"witnesses not drawn: {e}")
    wanted = condition_outcome(test)
    if wanted is None and test.condition.quantifier == "exists" and not result.satisfying():
        problems.append("the condition is never satisfied, but it is not one outcome (a "
                        "conjunction of OBS=VALUE): draw one with `fencelab graph --outcome`")  # fmt: skip
    missed = wanted is not None and not any(matches(s.outcome, wanted) for s in result.states)
    dropped = filtered_out(test, options, wanted) if missed else ""
    if dropped:
        problems.append(f"{wanted_text(wanted)} (never listed) not explained: {dropped} that "
                        "ends there, as herd does")  # fmt: skip
    elif missed:
        try:
            forbidden = explain(test, options, wanted, missed_because(result))
        except FencelabError as e:
            problems.append(f"{wanted_text(wanted)} (never reached) not explained: {e}")
        else:
            if forbidden is not None:
                graphs.append(forbidden)
            else:
                problems.append(f"{wanted_text(wanted)} (never reached): no candidate execution "
                                f"ends there ({no_candidate_because(result)}), so there is no "
                                "cycle to draw")  # fmt: skip
    return graphs, problems


def filtered_out(test: LitmusTest, options: RunOptions, wanted: Wanted) -> str:
    """Why no final state of a run of `test` has `wanted` when its `filter P` is why: the
    executions that end there all fail P, and herd drops them ("the test's filter (P) drops
    every execution"; "" otherwise). `graph` of such an outcome drew a candidate no axiom
    forbids, "yet the operational model never reached it: the two models disagree here", when
    the model had reached it and the filter had dropped it."""
    if test.filter is None:
        return ""
    unfiltered = run_test(replace(test, filter=None), options)
    if not any(matches(s.outcome, wanted) for s in unfiltered.states):
        return ""
    return f"the test's filter ({format_prop(test.filter, test.arch)}) drops every execution"


def missed_because(result: TestResult) -> str:
    """Why a run that did not reach an outcome may simply have missed it, "" when it met every
    execution: only then is an outcome it missed, which no axiom forbids, a disagreement of the
    two models. A search cut short, random runs (they draw executions, never all of them) and
    one replayed schedule all may miss one (`run --mode random --graph` said "the two models
    disagree" of SB's 0/0, which tso allows, when its runs did not draw it)."""
    if result.partial:
        return f"the run stopped before it could reach it: {result.partial}"
    if result.mode == "random":
        runs = f"{result.runs} random run{'' if result.runs == 1 else 's'}"
        return f"{runs} (--mode random) did not draw it, which an exhaustive run may reach"
    if result.mode == "replay":
        return "the run replayed one schedule (--mode replay), which ends elsewhere"
    return ""


def no_candidate_because(result: TestResult) -> str:
    """Why no candidate execution of the explanation ends in an outcome: the threads cannot
    produce its values, or the step budget cut executions short (the explanation's candidates
    are the run's, within `--budget`: `graph SB --budget 1` said "no thread can even produce
    those values" of SB's 0/0, which every thread produces past its first access)."""
    if result.budget_exhausted:
        return (f"the step budget cut {result.budget_exhausted} execution"
                f"{'' if result.budget_exhausted == 1 else 's'} short: raise --budget")
    return "no thread can even produce those values"


def _loops(stmts) -> bool:
    from fencelab.litmus.ast import If, Loop, While

    for s in stmts:
        if isinstance(s, (While, Loop)) or (isinstance(s, If) and _loops((*s.then, *s.orelse))):
            return True
    return False


NO_LOOPS = ("forbidden outcomes of tests with loops are not explained: their candidate "
            "executions are too many to search")  # fmt: skip


def explain(
    test: LitmusTest, options: RunOptions, wanted: Wanted, missed: str = ""
) -> ExecutionGraph | None:
    """The forbidding cycle of an outcome no execution reaches (None: no candidate has it).
    Loop-free tests only: a loop's every unrolling is a candidate (refused, a FencelabError).
    `missed`: why the run that did not reach it may simply have missed it (`missed_because`):
    a candidate no axiom forbids then says so, not that the models disagree."""
    if test.is_source and any(_loops(t.body) for t in test.threads):
        raise FencelabError(f"{test.name}: {NO_LOOPS}")
    if _is_source(options):
        from fencelab.graph.source import explain_source

        return explain_source(test, options.model.name, lambda o: matches(o, wanted), options.budget,
                              seeds(wanted), missed)  # fmt: skip
    machine = machine_for(test, options)
    program = machine.program.by_element()  # events name elements: `t[1]`, not `t+4`
    if any(not program.may_fail_spuriously(t.tid) for t in program.threads):  # a backward branch
        raise FencelabError(f"{test.name}: {NO_LOOPS}")
    info = machine.program.test.origin
    to_source = info.source_outcome if info is not None else None
    graph = explain_hardware(machine.program.by_element(), machine.model.name, wanted, options.budget,
                             to_source, missed)  # fmt: skip
    if graph is not None and test.is_source:
        graph.test = test.name
    return graph


def outcome_graph(test: LitmusTest, options: RunOptions, text: str | None,
                  note: Callable[[str], None] | None = None) -> ExecutionGraph:  # fmt: skip
    """One outcome's graph: its witness when the model reaches it, else why not. Part of a
    state (`0:rax=0`) that several final states have draws the first, and `note` names the
    others."""
    wanted = parse_outcome(text, test) if text is not None else condition_outcome(test)
    if wanted is None:
        why = ("its condition is forall: it names no one outcome" if test.condition.quantifier
               == "forall" else "the condition is not a conjunction of OBS=VALUE")  # fmt: skip
        raise FencelabError(f"{test.name}: {why}; give the outcome with "
                            f"--outcome{_example(test)}")  # fmt: skip
    result = run_test(test, options)
    if result.states:
        check_observed(wanted, result.states[0].outcome, test.name)
    matching = [state for state in result.states if matches(state.outcome, wanted)]
    if not matching:
        dropped = filtered_out(test, options, wanted)
        if dropped:
            raise FencelabError(f"{test.name}: {dropped} that ends in {wanted_text(wanted)} as "
                                "herd does: the run lists no such state")  # fmt: skip
        graph = explain(test, options, wanted, missed_because(result))
        if graph is None:
            raise FencelabError(f"{test.name}: no candidate execution ends in "
                                f"{wanted_text(wanted)} ({no_candidate_because(result)})")
        return graph
    state = matching[0]
    if len(matching) > 1 and note is not None:
        others = " | ".join(format_state(s.outcome, test.arch) for s in matching[1:])
        note(f"{test.name}: {wanted_text(wanted)} is part of {len(matching)} final states: "
             f"drawing {format_state(state.outcome, test.arch)} (also {others}); give more of the "
             "state to draw another")  # fmt: skip
    if _is_source(options):
        from fencelab.graph.source import witness_graphs

        return witness_graphs(test, options.model.name, options.budget)[state.outcome]
    machine = machine_for(test, options)
    return witness_graph(machine, state.witness, format_state(state.outcome, test.arch))


def counterexample_graphs(check, extra) -> list[ExecutionGraph]:
    """A check counterexample: the hardware execution (its witness, on the compiled code) and
    the source model's candidate with the same outcome, with the cycle that forbids it. An
    axiomatic hardware model runs no schedule (the witness is empty): the source side only."""
    from fencelab.graph.source import explain_source

    graphs = []
    if extra.witness:
        options = RunOptions.named(check.target, check.scheme,
                                   None if check.own_model else check.hardware_model)
        machine = machine_for(check.test, options)
        hardware = witness_graph(machine, extra.witness,
                                 format_state(extra.outcome, check.test.arch))
        hardware.test = check.test.name
        hardware.scheme = check.scheme
        hardware.notes.insert(0, f"compiled with scheme {check.scheme}; the source model "
                              f"{check.source_model} forbids this outcome")  # fmt: skip
        graphs.append(hardware)
    values = tuple(v for _, v in extra.outcome if isinstance(v, int))
    source = explain_source(check.test, check.source_model,
                            lambda o: o == extra.outcome, seeds=values)  # fmt: skip
    if source is not None:
        graphs.append(source)
    return graphs


def _encodes(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


STEM_BYTES = 200  # a file name holds 255 bytes: room for `-2` (report.names) and `.svg`


def file_stem(graph: ExecutionGraph) -> str:
    """`MP+dmb.sy+addr-armv8.3-arm-1.X0=1_1.X2=0-forbidden` (+ .svg, .dot): unique per graph
    of a test's run (a check's counterexample names its scheme too: `SB+scs-x86_64-tutorial-
    tso-...`); a longer name than `STEM_BYTES` (a state of 30 observables) is cut, a hash of
    the whole after it: it was a file name too long to write, and the test's results were lost."""
    outcome = re.sub(r"[^A-Za-z0-9=._+-]+", "_",
                     graph.outcome.replace(":", ".").replace("; ", "_").strip("; "))  # fmt: skip
    outcome = outcome.replace("[", "").replace("]", "").strip("_")
    parts = [graph.test, graph.target, graph.scheme, graph.model, outcome]
    name = re.sub(r"[/\\\s]+", "_", "-".join(p for p in parts if p))
    # a character the file system's encoding cannot take (an ASCII or Latin-1 locale: `café→`)
    # as `_`: opening the file was a UnicodeEncodeError traceback
    encoding = sys.getfilesystemencoding()
    name = "".join(c if c.isascii() or _encodes(c, encoding) else "_" for c in name)
    tail = "" if graph.allowed else "-forbidden"
    if len((name + tail).encode()) <= STEM_BYTES:
        return name + tail
    # a state of many observables: cut, and told apart from the others by a hash of the whole
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    room = STEM_BYTES - len(tail) - len(digest) - 1
    return f"{name.encode()[:room].decode(errors='ignore')}-{digest}{tail}"
