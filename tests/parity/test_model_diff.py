"""bench/model_diff.py's per-test time limit: a Timeout that ctypes drops inside a Unicorn hook
(the signal landing before the hook wrapper's `try`) must not let the test run on unlimited,
nor its result, which may miss that hook's work, be compared."""

from __future__ import annotations

import contextlib
import importlib.util
import re
import signal
import sys
from pathlib import Path

import pytest

from tests.helpers import X86_SB

SPEC = importlib.util.spec_from_file_location(
    "model_diff", Path(__file__).resolve().parents[2] / "bench" / "model_diff.py")
model_diff = importlib.util.module_from_spec(SPEC)
sys.modules["model_diff"] = model_diff
SPEC.loader.exec_module(model_diff)

SB = X86_SB


@pytest.fixture(autouse=True)
def _restore_sigalrm():
    old = signal.getsignal(signal.SIGALRM)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


class DroppedAlarm(model_diff.Pipeline):
    """The real pipeline, after which the alarm rings and its Timeout is dropped, as ctypes
    drops one raised in a Unicorn hook's wrapper."""

    def run(self, *args, **kwargs):
        result = super().run(*args, **kwargs)
        with contextlib.suppress(BaseException):  # what ctypes does with it
            model_diff.ALARM.ring()
        return result


def test_a_test_whose_timeout_was_dropped_is_a_timeout_not_a_comparison(monkeypatch, capsys):
    monkeypatch.setattr(model_diff, "texts", lambda *_: [("SB", SB)])
    monkeypatch.setattr(model_diff, "Pipeline", DroppedAlarm)
    assert model_diff.main(["x86", "--timeout", "30"]) == 0
    out = capsys.readouterr().out
    assert "timeout 1" in out and "tests 1" not in out and "tso vs" not in out, out
    assert signal.alarm(0) == 0  # no alarm left ringing after the run


def test_the_same_test_is_compared_when_no_alarm_rang(monkeypatch, capsys):
    monkeypatch.setattr(model_diff, "texts", lambda *_: [("SB", SB)])
    assert model_diff.main(["x86", "--timeout", "30"]) == 0
    out = capsys.readouterr().out
    assert "tests 1" in out and "tso vs tso-axiomatic 1" in out and "timeout" not in out, out


def test_an_alarm_that_rings_after_its_test_ended_is_ignored():
    model_diff.ALARM.start(30)
    model_diff.ALARM.stop()
    model_diff.ALARM.ring()  # no Timeout: nothing is running
    model_diff.ALARM.check()


def test_a_timeout_names_the_model_it_interrupted(monkeypatch, capsys):
    monkeypatch.setattr(model_diff, "texts", lambda *_: [("SB", SB)])
    monkeypatch.setattr(model_diff, "Pipeline", DroppedAlarm)
    model_diff.main(["x86", "--timeout", "30"])
    out = capsys.readouterr().out
    assert re.search(r"^timeout SB: tso(-axiomatic)? \(\d+ s\)$", out, re.M), out


UNREDUCED = "axiomatic-coherence-po,axiomatic-byte-values"


def test_unreduced_reruns_each_axiomatic_twin_and_restores_the_reductions(monkeypatch, capsys):
    monkeypatch.setattr(model_diff, "texts", lambda *_: [("SB", SB)])
    assert model_diff.main(["x86", "--timeout", "30", "--unreduced", UNREDUCED]) == 0
    out = capsys.readouterr().out
    for model in ("tso-axiomatic", "sc-axiomatic"):
        assert f"{model} vs --no-reduce {UNREDUCED} 1" in out, out
    assert model_diff.reduce.disabled() == frozenset()


def test_unreduced_reports_an_outcome_a_reduction_lost(monkeypatch, capsys):
    """A reduction that dropped an outcome (here: the unreduced run gains a made-up one) is a
    finding, named as such, and the run exits 1."""
    monkeypatch.setattr(model_diff, "texts", lambda *_: [("SB", SB)])
    unreduced, run, outcomes = set(), model_diff._run_model, model_diff._outcomes

    def run_noting(*args):
        result = run(*args)
        if model_diff.reduce.disabled():
            unreduced.add(id(result))
        return result

    monkeypatch.setattr(model_diff, "_run_model", run_noting)
    monkeypatch.setattr(model_diff, "_outcomes", lambda result: outcomes(result) | (
        {"lost"} if id(result) in unreduced else set()))
    assert model_diff.main(["x86", "--timeout", "30", "--unreduced", UNREDUCED]) == 1
    out = capsys.readouterr().out
    assert f"DIFFER SB: tso-axiomatic vs --no-reduce {UNREDUCED}" in out
    assert "only unreduced: ['lost']" in out, out
