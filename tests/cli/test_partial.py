"""A result cut short (at --max-states, --max-memory, by Ctrl-C) says so wherever it is shown,
and nothing is concluded from what it did not reach."""

from __future__ import annotations

import pytest

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
