"""Promising-ARM's work cut without changing the search (issue 17, AArch64's speed, a64gen):
no core move is made in a state whose threads run apart, and a promise its thread has too few
write instructions to fulfil is refused without a solo search (`certify-count`)."""

from __future__ import annotations

from fencelab import reduce
from fencelab.gen.families import generate
from fencelab.litmus.parser import parse_text
from fencelab.models.operational.arm import model as arm_model
from fencelab.models.operational.arm.certify import WriteBound, write_bound
from fencelab.models.operational.arm.model import ARM
from fencelab.pipeline import Pipeline, RunOptions
from fencelab.program.load import load

# P0 writes x twice and y once; P1 writes y once (an exclusive pair) and x once (an atomic)
TWO_WRITES = r"""AArch64 W+rmw
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1               ;
 MOV W0,#1   | LDXR W0,[X1]     ;
 STR W0,[X1] | MOV W2,#2        ;
 MOV W2,#2   | STXR W4,W2,[X1]  ;
 STR W2,[X1] | MOV W5,#3        ;
 STR W2,[X3] | LDADD W5,W6,[X3] ;
exists (1:X0=2 /\ 1:X6=0 /\ x=2 /\ y=2)
"""


def _search(test, off=()):
    reduce.set_disabled(off)
    try:
        r = Pipeline().run(test, RunOptions())
    finally:
        reduce.enable_all()
    return ({s.outcome: s.witness for s in r.states}, r.explored_states, r.transitions,
            r.budget_exhausted)  # fmt: skip


def _tests():
    return [parse_text(TWO_WRITES, "<W+rmw>")] + [
        parse_text(generate("AArch64", 7000 + i, threads=2 + i % 2, ops=(1, 2, 2, 3)),
                   f"<gen {i}>") for i in range(12)]  # fmt: skip


def test_no_core_move_is_made_where_threads_run_apart(monkeypatch):
    """With `threads-apart`, the runs of the threads from a state where they may start are
    `runs_apart`'s: the exhaustive search makes no core move at all (it made every first one
    and threw them away), and finds the same outcomes, witnesses and counts as the search
    that makes them (`threads-apart` off: every state's moves made)."""
    made = []
    real = ARM.core_transitions

    def counted(self, *args):
        moves = list(real(self, *args))
        made.extend(moves)
        return moves

    monkeypatch.setattr(ARM, "core_transitions", counted)
    for test in _tests():
        made.clear()
        on = _search(test)
        assert made == [], test.name
        off = _search(test, ["threads-apart"])
        assert made, test.name
        assert on[0].keys() == off[0].keys()


def test_a_stuck_state_stays_stuck_where_threads_run_apart(monkeypatch):
    """`runs_apart` gives nothing from a state with no promise left where the first thread
    that has not ended cannot move (a promise it passed in coherence): the states, transitions
    and witnesses are those of a machine that makes the cores' moves to tell (the other
    models' way, `MemoryModel.apart_tells_stuck` false)."""
    tests = _tests()
    told = [_search(t) for t in tests]
    monkeypatch.setattr(ARM, "apart_tells_stuck", False)
    assert [_search(t) for t in tests] == told


def test_write_bound_counts_write_instructions_and_where_they_write():
    program = load(parse_text(TWO_WRITES, "<W+rmw>"))
    bounds = [write_bound(t.core.infos, program.has_loop(t.tid)) for t in program.threads]
    assert [b.total for b in bounds] == [3, 2]
    x, y = (program.by_name[n].index for n in ("x", "y"))
    assert [bounds[0].at(x, {}), bounds[0].at(y, {})] == [3, 3]  # nothing placed yet
    placed = {a: {x} for a, _, fixed in bounds[0].writes if fixed}
    last = max(a for a, _, _ in bounds[0].writes)
    placed[last] = {y}  # STR W2,[X3]
    assert [bounds[0].at(x, placed), bounds[0].at(y, placed)] == [2, 1]
    loop = load(parse_text(r"""AArch64 loop
{ 0:X1=x; }
 P0              ;
 L0:             ;
 LDXR W0,[X1]    ;
 STXR W4,W0,[X1] ;
 CBNZ W4,L0      ;
exists (0:X0=0)
""", "<loop>"))
    assert write_bound(loop.threads[0].core.infos, loop.has_loop(0)) is None
    assert isinstance(bounds[1], WriteBound)


def test_certify_count_skips_solo_searches_and_changes_no_search(monkeypatch):
    """`certify-count`: the same outcomes, witnesses, states and transitions, and fewer solo
    searches (each one it leaves out would have answered that the promise cannot be
    certified)."""
    searches = []
    real = arm_model.explore_alone

    def counted(*args, **kwargs):
        found = real(*args, **kwargs)
        searches.append(found.certified)
        return found

    monkeypatch.setattr(arm_model, "explore_alone", counted)
    count = {True: 0, False: 0}
    for test in _tests():
        results = {}
        for on in (True, False):
            searches.clear()
            results[on] = _search(test, [] if on else ["certify-count"])
            count[on] += len(searches)
        assert results[True] == results[False], test.name
    assert count[True] < 0.8 * count[False]
