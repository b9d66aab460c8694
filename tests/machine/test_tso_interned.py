"""The interned search of x86-TSO (`tso-interned`, models/operational/tso.py `Interned`):
exhaustive search over tuples of numbers makes the same search as over machine states, with
the same witnesses, states, transitions and errors, and makes each core's move once for each
(thread, memory) pair it is made from."""

from __future__ import annotations

import pytest

from fencelab import reduce
from fencelab.gen import cycles
from fencelab.gen.families import generate_many
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state
from fencelab.machine.explore import exhaustive, frontier
from fencelab.machine.machine import Machine
from fencelab.models.operational import tso
from fencelab.models.registry import get_model
from fencelab.program.load import load
from tests.helpers import X86_SB, X86_SB_MFENCES

SB_MFENCES = X86_SB_MFENCES

# stores forwarded into loads, a locked instruction, an MFENCE and a location in the
# condition as well as registers (a test whose loads may be forwarded in part, byte stores
# into word loads, is searched the plain way: `TSO.guards`, tests/models/test_mixed_size.py)
LOCKED = """X86_64 SB+locked
{ uint32_t x; uint32_t y; }
 P0                     | P1                     ;
 movl $0x11111111,(x)   | movl $0x22222222,(y)   ;
 movl $0x202,(x)        | lock xaddl %ebx,(x)    ;
 movl (x),%eax          | movl (y),%eax          ;
 movl (y),%ebx          | mfence                 ;
exists (0:rax=0x202 /\\ 0:rbx=0 /\\ y=0x22222222)
"""

# three threads, one observed register among unobserved ones (finished threads merge)
MERGES = """X86_64 W+RR+RR
{ x=0; y=0; }
 P0           | P1            | P2            ;
 movl $1,(x)  | movl (x),%eax | movl (y),%eax ;
 movl $1,(y)  | movl (y),%ebx | movl (x),%ebx ;
exists (1:rax=1 /\\ 1:rbx=0 /\\ x=1)
"""


def _search(text: str, interned: bool, start=()):
    """Exhaustive search's witnesses (outcome and schedule), states and transitions with
    `tso-interned` on or off, and whether the interned search was used."""
    reduce.set_disabled([] if interned else ["tso-interned"])
    try:
        machine = Machine(load(parse_text(text)), get_model("tso").new())
        used = machine.with_model(machine.model.for_exhaustive(), True).interned() is not None
        result = exhaustive(machine, start=start)
    finally:
        reduce.enable_all()
    return (sorted((format_state(s.outcome), s.witness) for s in result.states),
            result.explored_states, result.transitions, result.budget_exhausted), used  # fmt: skip


@pytest.mark.parametrize("text", [X86_SB, SB_MFENCES, LOCKED, MERGES],
                         ids=["SB", "SB+mfences", "locked", "merges"])  # fmt: skip
def test_interned_search_is_the_same_search(text):
    made, used = _search(text, True)
    assert used
    assert _search(text, False) == (made, False)
    assert made[0]


def test_interned_search_states_and_outcomes_of_sb():
    """SB under TSO: herd's four outcomes (0:0 among them) in the same 15 states as
    without the interned search (tests/test_reduce.py's CLI check prints the same)."""
    (finals, states, transitions, budget), _ = _search(X86_SB, True)
    assert [o for o, _ in finals] == ["0:rax=0; 1:rax=0;", "0:rax=0; 1:rax=1;",
                                      "0:rax=1; 1:rax=0;", "0:rax=1; 1:rax=1;"]  # fmt: skip
    assert (states, transitions, budget) == (15, 14, 0)


def test_interned_search_on_generated_and_diy_tests():
    texts = generate_many("x86_64", 12, seed=11) + cycles.generate_many("x86_64", 12, seed=11)
    differ = [t.split()[1] for t in texts if _search(t, True)[0] != _search(t, False)[0]]
    assert differ == []


def test_interned_search_from_a_split_point():
    """`start=` (`--split`): the search from each frontier schedule is the same."""
    machine = Machine(load(parse_text(LOCKED)), get_model("tso").new())
    starts = frontier(machine, 4).starts
    assert len(starts) >= 4
    for start in starts:
        made, used = _search(LOCKED, True, start)
        assert used and made == _search(LOCKED, False, start)[0]
        assert all(w.startswith(",".join(start)) for _, w in made[0])


def test_interned_search_takes_the_machines_transitions_where_the_fused_step_does_not_answer(
    monkeypatch,
):
    """Where the fused step answers None (for x86 code fencelab loads, only a step that
    spins, which a bounded machine has none of: here, core 1's every move), the search
    numbers the targets of the machine's transitions from the interned state: the same
    search."""
    made, _ = _search(LOCKED, True)
    move = tso.Interned._move
    asked = []
    monkeypatch.setattr(tso.Interned, "_move",
                        lambda self, tid, slot, m:
                        asked.append(tid) or (None if tid == 1 else move(self, tid, slot, m)))  # fmt: skip
    assert _search(LOCKED, True) == (made, True)
    assert 1 in asked


def test_interned_search_makes_each_move_once_for_its_thread_and_memory(monkeypatch):
    """A core's move is made (`TSO._fused_effect`, Unicorn's step and the reads) once for
    each (thread state, memory) it is made from, not once for each state: fewer times than
    the transitions it gives."""
    made = []
    effect = tso.TSO._fused_effect
    monkeypatch.setattr(tso.TSO, "_fused_effect",
                        lambda self, program, core, info, tstate, mem, tid:
                        made.append((tid, tstate, mem))
                        or effect(self, program, core, info, tstate, mem, tid))  # fmt: skip
    (_, states, transitions, _), used = _search(MERGES, True)
    assert used
    assert len(made) == len(set(made))  # each once
    moves = len(made)
    made.clear()
    assert _search(MERGES, False)[0][1:3] == (states, transitions)
    assert moves < len(made)  # without it: once for each state a core moves from


# the observables out of thread order, a location between registers
INTERLEAVED = """X86_64 MP+interleaved
{ x=0; y=0; }
 P0           | P1            ;
 movl $1,(x)  | movl (y),%eax ;
 movl $1,(y)  | movl (x),%ebx ;
exists (1:rbx=0 /\\ y=1 /\\ 0:rax=0 /\\ x=1 /\\ 1:rax=1)
"""


def interned_states(text: str):
    """Every state of the interned exhaustive search of `text` under tso, each once:
    (machine, interned, the state's numbers, its successors)."""
    machine = Machine(load(parse_text(text)), get_model("tso").new())
    machine = machine.with_model(machine.model.for_exhaustive(), True)
    interned = machine.interned()
    todo, seen = [interned.number(machine.initial())], set()
    while todo:
        numbers = todo.pop()
        if numbers in seen:
            continue
        seen.add(numbers)
        made = interned.successors(numbers)
        yield machine, interned, numbers, made
        todo.extend(target for _, target in made)


@pytest.mark.parametrize("text", [INTERLEAVED, LOCKED, MERGES], ids=["interleaved", "locked",
                                                                     "merges"])  # fmt: skip
def test_interned_outcome_is_the_machines_outcome_of_each_final_state(text):
    """The outcome put together from the threads' and memory's parts (`Interned.outcome`,
    `Machine.outcome_from`) is `Machine.outcome` of the state, in the condition's order."""
    finals = 0
    for machine, interned, numbers, made in interned_states(text):
        if not made:
            assert interned.final(numbers)
            outcome = interned.outcome(numbers)
            assert outcome == machine.outcome(interned.state(numbers))
            finals += 1
    assert finals > 1
    assert [obs for obs, _ in outcome] == list(machine.program.observables)


def test_final_keys_are_one_to_one_with_outcomes():
    """`Interned.final_key`: the same key exactly for the same outcome (`Machine.outcome` of
    the state), None for no final state; every final state of a few generated tests."""
    texts = generate_many("x86_64", 6, seed=5) + [LOCKED, INTERLEAVED, MERGES]
    outcomes = 0
    for text in texts:
        by_key = {}
        for machine, interned, numbers, made in interned_states(text):
            if made:
                assert interned.final_key(numbers) is None  # (a running state: not final)
            else:
                key = interned.final_key(numbers)
                outcome = machine.outcome(interned.state(numbers))
                assert by_key.setdefault(key, outcome) == outcome
                assert interned.outcome_of(key) == outcome
        assert len(set(by_key.values())) == len(by_key) >= 1
        outcomes += len(by_key)
    assert outcomes > 2 * len(texts)


def test_the_search_makes_each_outcome_once(monkeypatch):
    """Final states are told apart by their keys: an outcome is put together once for each
    outcome found (not for each final state), and the witnesses are the schedules to the
    first final state of each (the same as with `tso-interned` off)."""
    made = []
    outcome_of = tso.Interned.outcome_of
    monkeypatch.setattr(tso.Interned, "outcome_of",
                        lambda self, key: made.append(key) or outcome_of(self, key))  # fmt: skip
    text = generate_many("x86_64", 5, seed=1)[4]  # (12 outcomes, 53 states)
    (finals, states, _, _), used = _search(text, True)
    assert used and len(made) == len(set(made)) == len(finals) > 1
    assert states > 2 * len(finals)
    assert _search(text, False)[0][0] == finals


@pytest.mark.parametrize("start", [[], ["1"], ["0", "d0"]])
def test_witnesses_made_along_shared_paths_are_the_paths(start):
    """`explore._witnesses`: each final state's schedule, made once along the paths the
    finals share, is `start` and then the steps from the first state to it."""
    from fencelab.machine.explore import _path, _witnesses, format_schedule

    parents = [-1, 0, 0, 1, 3, 3, 2, 6]
    steps = ["", "0", "d1", "1", "d0", "0", "1", "d0"]
    wanted = [4, 5, 7, 0, 3, 6]
    assert _witnesses(parents, steps, start, wanted) == [
        format_schedule(start + _path(parents, steps, n)) for n in wanted]
    assert _witnesses(parents, steps, start, [5])[0] == ",".join([*start, "0", "1", "0"])


def test_out_of_memory_keeps_the_outcomes_found_with_witnesses_that_replay(monkeypatch):
    """Python out of memory in the middle of the interned search: a partial result with the
    outcomes found so far, each witness walked alone (no schedules kept for shared paths)
    and replaying to its outcome."""
    from fencelab.machine.explore import replay

    text = generate_many("x86_64", 6, seed=2)[1]  # (526 outcomes)
    expand, calls = tso.Interned.expand, []

    def failing(self, *args):
        calls.append(1)
        if len(calls) > 400:
            raise MemoryError
        return expand(self, *args)

    monkeypatch.setattr(tso.Interned, "expand", failing)
    machine = Machine(load(parse_text(text)), get_model("tso").new())
    result = exhaustive(machine)
    assert result.partial and "memory" in result.partial
    assert 1 < len(result.states) < 526
    monkeypatch.setattr(tso.Interned, "expand", expand)
    for final in result.states:
        assert replay(machine, final.witness).states[0].outcome == final.outcome
