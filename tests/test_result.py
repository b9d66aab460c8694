"""A result's derived counts: the states that satisfy the condition, found once a result."""

from __future__ import annotations

import pickle

import fencelab.result
from fencelab.litmus.parser import parse_text
from fencelab.pipeline import RunOptions, run_test
from fencelab.report.herd import format_herd
from fencelab.report.run import summary_row
from tests.helpers import X86_SB


def test_printing_a_result_evaluates_the_condition_once_a_state(monkeypatch):
    """herd's text and the summary row ask for pos/neg/Ok/observation a dozen times; each
    final state's outcome is checked against the proposition once (a test with 1,000 final
    states took longer to print than to explore). A new list of states is checked again."""
    result = run_test(parse_text(X86_SB), RunOptions.named(model="tso"))
    assert len(result.states) == 4
    checked = []
    holds = fencelab.result.holds
    monkeypatch.setattr(fencelab.result, "holds", lambda p, o: checked.append(o) or holds(p, o))

    text = format_herd(result)
    summary_row(result)
    assert len(checked) == 4
    assert "Positive: 1 Negative: 3" in text and result.observation == "Sometimes"

    result.states = result.states[:2]  # (as `parts.merge` sets them)
    assert result.positive + result.negative == 2 and len(checked) == 6


def test_a_pickled_result_leaves_out_what_it_found():
    result = run_test(parse_text(X86_SB), RunOptions.named(model="tso"))
    assert result.positive == 1
    again = pickle.loads(pickle.dumps(result))
    assert "_satisfying" not in vars(again)
    assert again == result and again.positive == 1
