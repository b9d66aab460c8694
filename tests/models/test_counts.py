"""`RunOptions.counts`: herd's execution counts cost a judgement of every candidate, so the
checker, which compares outcome sets, turns them off; the outcomes are the same either way."""

from __future__ import annotations

import pickle

import pytest

from fencelab.checker import Checker
from fencelab.isa.registry import get_target
from fencelab.litmus.parser import parse_text
from fencelab.pipeline import RunOptions, run_test
from tests.helpers.litmus import table

SB = table("SB", "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;",
           [["MOV W0,#1", "STR W0,[X1]", "LDR W2,[X3]"]] * 2, "exists (0:X2=0)")  # fmt: skip
RMWS = """C RMWS
{ atomic_int x = 0; }
P0 (atomic_int* x) { int r0 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed); }
P1 (atomic_int* x) { int r0 = atomic_fetch_add_explicit(x, 2, memory_order_relaxed); }
P2 (atomic_int* x) { int r0 = atomic_fetch_add_explicit(x, 4, memory_order_relaxed); }
exists (x=7)
"""


@pytest.mark.parametrize("text, model, executions", [
    (SB, "arm-axiomatic", (2, 2)),
    (RMWS, "rc11", (6, 0)),  # the 3! orders of three RMWs, one state
])  # fmt: skip
def test_counts_off_finds_the_same_outcomes_and_counts_states(text, model, executions):
    test = parse_text(text, "t.litmus")
    counted = run_test(test, RunOptions.named(model=model))
    outcomes = run_test(test, RunOptions.named(model=model, counts=False))
    assert counted.outcome_set() == outcomes.outcome_set()
    assert counted.executions == executions
    assert (counted.positive, counted.negative) == executions
    assert outcomes.executions is None
    assert (outcomes.positive, outcomes.negative) == (
        len(outcomes.satisfying()), len(outcomes.states) - len(outcomes.satisfying()))
    assert outcomes.explored_states < counted.explored_states  # an outcome found once


def test_counts_cross_processes_with_the_options():
    options = RunOptions.named(model="rc11", counts=False)
    assert pickle.loads(pickle.dumps(options)).counts is False
    assert pickle.loads(pickle.dumps(RunOptions.named(model="rc11"))).counts is True


def test_the_checker_does_not_count():
    checker = Checker()
    test = parse_text(RMWS, "t.litmus")
    source = checker.source_result(test, checker.source_model)
    assert source.executions is None and source.explored_states == 1
    assert not checker.hardware_options(get_target("armv8"), RunOptions().scheme).counts
