"""Unicorn engines under the `reuse` reduction: a new core takes the engine of a kept core that
no program holds before a new engine is made (fencelab/isa/core.py, `_taken_from_idle_core`)."""

from __future__ import annotations

import gc

from fencelab import reduce
from fencelab.isa import core
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state
from fencelab.pipeline import Pipeline, RunOptions

SB = """X86_64 SB{k}
{{ }}
 P0              | P1              ;
 movl ${k},(x)   | movl ${k},(y)   ;
 movl (y),%eax   | movl (x),%eax   ;
exists (0:rax=0 /\\ 1:rax=0)
"""


def _engines() -> int:
    gc.collect()
    return sum(isinstance(o, core._Engine) and o.uc is not None for o in gc.get_objects())


def _outcomes(k: int) -> list[str]:
    result = Pipeline().run(parse_text(SB.format(k=k), f"SB{k}"), RunOptions())
    return sorted(format_state(s.outcome) for s in result.states)


def _expected(k: int) -> list[str]:
    return sorted(f"0:rax={a}; 1:rax={b};" for a, b in ((0, 0), (0, k), (k, 0), (k, k)))


def test_distinct_tests_make_no_new_engines():
    """Twelve 2-thread tests, each with code no other test has (24 cores, more than the 8
    kept): once the first has run, no engine is made (before: one for each kept core,
    up to 8 + the idle pool), and every test gives its own outcomes."""
    assert _outcomes(1) == _expected(1)
    before = _engines()
    for k in range(2, 14):
        assert _outcomes(k) == _expected(k)
    assert _engines() <= before


def test_a_core_whose_engine_was_taken_is_made_again():
    """A test whose kept core lost its engine to a later test's core runs again on a new
    core, with the same outcomes."""
    first = _outcomes(101)
    for k in range(102, 112):
        _outcomes(k)
    assert _outcomes(101) == first == _expected(101)


def test_without_reuse_every_core_is_its_own():
    reduce.set_disabled(["reuse"])
    try:
        assert _outcomes(201) == _expected(201)
        assert _outcomes(202) == _expected(202)
    finally:
        reduce.enable_all()
