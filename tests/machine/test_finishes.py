"""`finishes`: the look-ahead behind the TUI's dead-end marks, on Promising-ARM's retry loop
(examples/aarch64/counter+ldxr-stxr), where some steps lead only to stuck states."""

from __future__ import annotations

from fencelab.litmus.parser import parse_file
from fencelab.machine.explore import Replay, finishes
from fencelab.pipeline import RunOptions, machine_for
from tests.helpers import EXAMPLES

TEST = EXAMPLES / "aarch64" / "counter+ldxr-stxr.litmus"
BEFORE_SECOND_READ = ("0.p1.x=1", "1.p2.x=2", "0.r0", "0.w1", "1.r0", "1.fail")


def walked(keys) -> Replay:
    walk = Replay(machine_for(parse_file(TEST), RunOptions.named()))
    for key in keys:
        walk.take(key)
    return walk


def test_a_read_that_leads_only_to_stuck_states_does_not_finish_and_its_sibling_does():
    walk = walked(BEFORE_SECOND_READ)
    known: dict = {}
    answers = {t.key: finishes(walk.machine, t.target, 2000, known) for t in walk.enabled()}
    assert answers == {"1.r0": False, "1.r1": True, "1.r2": False}
    # every state seen from a dead end is known dead; the path to the final state is known live
    assert sorted(set(known.values())) == [False, True]
    # the state before them: a successor known to finish answers, with no new state visited
    assert walk.machine.key(walk.state) not in known
    assert finishes(walk.machine, walk.state, 0, known) is True
    assert known[walk.machine.key(walk.state)] is True


def test_the_limit_gives_no_answer_and_a_stuck_state_is_false():
    walk = walked(())
    known: dict = {}
    assert finishes(walk.machine, walk.state, 1, known) is None
    assert known == {walk.machine.key(walk.state): None}  # not searched again when asked again
    assert finishes(walk.machine, walk.state, 2000, {}) is True
    walk = walked((*BEFORE_SECOND_READ, "1.r0"))
    assert walk.enabled() == [] and finishes(walk.machine, walk.state, 2000, {}) is False
