"""`armv7-solo-heads` (fencelab/reduce.py; certify.py, `_without_heads`): a core's solo states
that differ only in the loop heads on the path to them are searched once.

The same answers: the outcome sets, states and transitions of the machine do not change; the
solo states counted against `--max-states` are fewer, which the user meets as a run that
ends within a limit where it stopped partial before.
"""

from __future__ import annotations

from click.testing import CliRunner

from fencelab import reduce
from fencelab.cli import main
from fencelab.litmus.parser import parse_file
from fencelab.models.operational.armv7 import certify
from fencelab.pipeline import Pipeline, RunOptions
from tests.helpers import EXAMPLES

COUNTER = str(EXAMPLES / "c" / "counter.litmus")  # two cores, each an LDREX/STREX loop


def test_counter_ends_within_a_limit_it_passed_before():
    """examples/c/counter.litmus under armv7: 37 machine states and 402 solo states (434
    without the reduction), so a limit of 450 states is enough with it and not without."""
    args = ["run", COUNTER, "-t", "armv7", "--max-states", "450", "-j", "1"]
    on = CliRunner().invoke(main, args)
    off = CliRunner().invoke(main, [*args, "--no-reduce", "armv7-solo-heads"])
    assert on.exit_code == 0, on.output
    assert "Partial" not in on.output and "Observation counter Always 1 0" in on.output
    assert "# Partial: state limit 450 reached" in off.output
    assert "Observation counter Always 1 0" in off.output


def test_same_search_fewer_solo_states(monkeypatch):
    """The compiled counter and examples/arm's LDREX/STREX counter: the same outcomes, machine
    states and transitions with and without it, fewer solo states with it."""
    counted = []
    search = certify._solo_search

    def searched(*args):  # (its last argument: the states it saw, filled as it runs)
        found = search(*args)
        counted.append(len(args[-1]))
        return found

    monkeypatch.setattr(certify, "_solo_search", searched)

    def run(test, options, off):
        reduce.set_disabled(off)
        counted.clear()
        try:
            result = Pipeline().run(test, options)
        finally:
            reduce.enable_all()
        outcomes = frozenset(s.outcome for s in result.states)
        return (outcomes, result.explored_states, result.transitions), sum(counted)

    for path, options in ((COUNTER, RunOptions.named(target="armv7", model="armv7")),
                          (EXAMPLES / "arm" / "counter+ldrex-strex.litmus", RunOptions.named(model="armv7"))):
        test = parse_file(path)
        on, solo_on = run(test, options, [])
        off, solo_off = run(test, options, ["armv7-solo-heads"])
        assert on == off and len(on[0]) == 1
        assert solo_on < solo_off, path


def test_heads_not_compared_across_inserted_propagations():
    """examples/c/treiber.litmus compiled for armv7: a solo run's DMB inserted propagations
    (positions from there on move up by one) between two visits of a loop head, and the
    earlier visit's views and floors, positions before the move, were compared with the grown
    storage (`dominates`): a KeyError out of `Storage.rank` once a core could commit more
    writes ahead (certify.writes_left unbounded), or a comparison with the wrong writes. The
    heads are dropped where propagations are inserted; the run stops at the limit. (With
    `armv7-guess-branches` treiber ends well within it: that is off here, so the solo runs
    still go round the loop, tests/models/test_armv7_guess_branches.py.)"""
    path = str(EXAMPLES / "c" / "treiber.litmus")
    result = CliRunner().invoke(main, ["run", path, "-t", "armv7", "--max-states", "100000",
                                       "-j", "1", "--no-reduce", "armv7-guess-branches"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "# Partial: state limit 100,000 reached" in result.output
