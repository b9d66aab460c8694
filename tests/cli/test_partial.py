"""A result cut short (at --max-states, --max-memory, by Ctrl-C) says so wherever it is shown,
and nothing is concluded from what it did not reach."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.cli.test_interrupt import LONG_ARM
from tests.helpers import EXAMPLES

SB = str(EXAMPLES / "x86_64" / "SB.litmus")
C_SB = str(EXAMPLES / "c" / "SB+rlx.litmus")


@pytest.mark.parametrize("args, limit", [
    ([SB, "--max-states", "3"], "state limit 3"),
    ([C_SB, "--max-states", "1", "--outcome", "0:r0=1; 1:r0=1"], "candidate limit 1"),
])  # fmt: skip
def test_graph_of_an_outcome_a_limited_run_did_not_reach_says_the_run_stopped(cli, args, limit):
    """`graph SB --max-states 3` said "the two models disagree here": the run had stopped at
    its limit before reaching 0:rax=0; 1:rax=0, which tso allows (c11: no note at all)."""
    drawn = cli(["graph", *args])
    assert drawn.exit_code == 0, drawn.output
    assert "disagree" not in drawn.output
    assert drawn.stdout.splitlines()[-1] == (
        f"no axiom forbids this candidate; the run stopped before it could reach it: {limit} "
        "reached (raise with --max-states N)")
    whole = cli(["graph", *args[:1], *args[3:]])  # (the run reaches it: its witness, no note)
    assert whole.exit_code == 0 and "stopped" not in whole.stdout


def explored(output: str) -> int:
    (line,) = [ln for ln in output.splitlines() if ln.startswith("# Explored ")]
    return int(line.split()[2])


@pytest.mark.parametrize("limit", [5, 100])
def test_the_state_limit_counts_the_states_of_threads_run_apart(cli, tmp_path, limit):
    """The arm model runs threads apart (their states visited by `runs_apart`), and those
    states were not counted: `--max-states 5` let IRIW's whole search of 33 states run, and
    `--max-states 100` let a four-thread test visit 931."""
    path = tmp_path / "long.litmus"
    path.write_text(LONG_ARM)
    for test in (str(EXAMPLES / "aarch64" / "IRIW.litmus"), str(path)):
        result = cli(["run", test, "--max-states", str(limit)])
        assert result.exit_code == 0, result.output
        if limit == 5 or test == str(path):
            assert f"# Partial: state limit {limit} reached" in result.output
            assert explored(result.output) <= limit + 16  # (one run of threads apart more)
        else:  # (a search that ends within the limit is whole, whatever it visited on the way)
            assert "# Partial" not in result.output and explored(result.output) == 33


def captions(svg: str) -> str:
    """A picture's notes as a reader reads them: its italic caption lines, one text."""
    root = ET.fromstring(svg)
    return " ".join(t.text for t in root.iter("{http://www.w3.org/2000/svg}text")
                    if t.get("class") == "caption" and t.get("font-style") == "italic")  # fmt: skip


@pytest.mark.parametrize("how, missed", [
    (["--mode", "replay", "--schedule", "0,1,d0,d1,0,1"],
     "the run replayed one schedule (--mode replay), which ends elsewhere"),
    (["--mode", "random", "--runs", "1", "--seed", "0"],
     "1 random run (--mode random) did not draw it, which an exhaustive run may reach"),
])  # fmt: skip
def test_run_graph_of_an_outcome_random_or_replay_did_not_reach_says_why(cli, tmp_path, how,
                                                                         missed):
    """`run SB --mode replay|random --graph DIR` drew SB's 0/0, which its runs did not reach
    and tso allows, as "no axiom forbids this candidate,yet the operational model never
    reached it: the two models disagree here": one schedule, or one random run, meets one
    execution, so nothing disagrees. (The caption's wrapping also ate every space after a
    comma, as in "candidate,yet": the random run's note has one.)"""
    result = cli(["run", SB, *how, "--graph", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "0:rax=0; 1:rax=0;" not in result.stdout.split("Witnesses")[0]  # (not reached)
    svg = (tmp_path / "SB-x86_64-tso-0.rax=0_1.rax=0.svg").read_text()
    assert captions(svg) == f"no axiom forbids this candidate; {missed}"
    whole = tmp_path / "whole"
    assert cli(["run", SB, "--graph", str(whole)]).exit_code == 0
    assert captions((whole / "SB-x86_64-tso-0.rax=0_1.rax=0.svg").read_text()) == ""



def test_an_outcome_the_step_budget_cut_off_is_not_said_to_be_impossible(cli, tmp_path):
    """`graph SB --budget 1` said "no candidate execution ends in 0:rax=0; 1:rax=0; (no thread
    can even produce those values)": each thread's second access is past the budget, and the
    run says so (`Loop No`, `# Budget: 2 executions hit the step budget`); so does `run
    --graph`'s line for it."""
    why = "the step budget cut 2 executions short: raise --budget"
    drawn = cli(["graph", SB, "--budget", "1"])
    assert drawn.exit_code == 2
    assert drawn.output.splitlines() == [
        f"fencelab: error: SB: no candidate execution ends in 0:rax=0; 1:rax=0; ({why})"]
    ran = cli(["run", SB, "--budget", "1", "--graph", str(tmp_path)])
    assert ran.exit_code == 0, ran.output
    assert [ln for ln in ran.stdout.splitlines() if ln.startswith("# Graph")] == [
        f"# Graph 0:rax=0; 1:rax=0; (never reached): no candidate execution ends there ({why}), "
        "so there is no cycle to draw"]  # fmt: skip
