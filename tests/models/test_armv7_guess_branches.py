"""`armv7-guess-branches` (fencelab/reduce.py; models/operational/armv7/guess.py, `_walk`): a
solo run does not guess a predicated instruction's condition a way no flags value gives
together with a conditional branch its path took on the same compare of the same registers.

The compiled strong compare-exchange for armv7 (`LDREX; CMP R2,R1; BNE FAIL; STREX; ... FAIL:
CLREX; DONE: CMP R2,R1; MOV R3,#0; MOVEQ R3,#1`) reaches MOVEQ having branched on the very
compare it reads: guessing it the other way let a solo run leave the loop after a failed
compare-exchange, or go round it again after a successful one, committing the loop's writes
ahead again and again (examples/c's treiber and treiber+rlx passed the default limit, as did a
two-instruction loop, CAS-LOOP below). The guess stands for no execution, so each run of the
machine with the cut is one it has without; the shapes here check that no outcome is lost:
the same outcomes with and without it where both end (examples/arm, a loop-free CAS-ONCE,
which arm.cat's checker also gives), and, where only the cut ends, aarch32's outcome sets
(ARMv8's, which agree with ARMv7's on these two-core tests).
"""

from __future__ import annotations

import dataclasses

from fencelab import reduce
from fencelab.limits import Limits, SideStates
from fencelab.litmus.parser import parse_file, parse_text
from fencelab.litmus.printer import format_state
from fencelab.pipeline import Pipeline, RunOptions
from tests.helpers import EXAMPLES

NAME = "armv7-guess-branches"

# P0 replaces x's value t (read by LDR) by 5 with a strong compare-exchange, in the compiled
# shape, retrying until it succeeds; then writes y. P1 writes x=2 and reads y.
CAS_LOOP = """ARM CAS-LOOP
{
0:R5=x; 0:R6=y; 1:R5=x; 1:R6=y;
}
 P0               | P1          ;
 L0:              | MOV R0,#2   ;
 LDR R1,[R5]      | STR R0,[R5] ;
 MOV R7,#5        | LDR R1,[R6] ;
 LDREX R2,[R5]    |             ;
 CMP R2,R1        |             ;
 BNE F0           |             ;
 STREX R8,R7,[R5] |             ;
 CMP R8,#0        |             ;
 BNE L0           |             ;
 B D0             |             ;
 F0:              |             ;
 CLREX            |             ;
 D0:              |             ;
 CMP R2,R1        |             ;
 MOV R3,#0        |             ;
 MOVEQ R3,#1      |             ;
 CMP R3,#0        |             ;
 BEQ L0           |             ;
 MOV R9,#1        |             ;
 STR R9,[R6]      |             ;
exists (0:R1=2 /\\ 1:R1=1 /\\ x=5)
"""

# The same without the loop: the compare-exchange once, y written either way.
CAS_ONCE = CAS_LOOP.replace("CAS-LOOP", "CAS-ONCE").replace(
    " BNE L0           |", " BNE D0           |").replace(
    " BEQ L0           |             ;\n",
    " BEQ D1           |             ;\n D1:              |             ;\n")  # fmt: skip


def run(test, options: RunOptions, off=(), limit: int | None = None):
    """(outcomes, partial?, machine states, machine + solo states counted)."""
    reduce.set_disabled(list(off))
    sides = []
    init = SideStates.__init__

    def counting(self, meter):
        init(self, meter)
        sides.append(self)

    SideStates.__init__ = counting
    try:
        if limit is not None:
            options = dataclasses.replace(options, limits=Limits(max_states=limit))
        result = Pipeline().run(test, options)
    finally:
        SideStates.__init__ = init
        reduce.enable_all()
    states = frozenset(format_state(s.outcome) for s in result.states)
    counted = sum(s.base + s.count for s in sides)
    return states, bool(result.partial), result.explored_states, counted


def test_examples_arm_same_with_and_without():
    """No examples/arm test has a predicated instruction: the same search either way."""
    for path in sorted((EXAMPLES / "arm").glob("*.litmus")):
        test = parse_file(path)
        options = RunOptions.named(model="armv7")
        on, off = run(test, options), run(test, options, [NAME])
        assert on[:3] == off[:3] and not on[1], path.name


def test_loop_free_compare_exchange_same_with_and_without_and_arm_cat():
    test = parse_text(CAS_ONCE, "CAS-ONCE")
    on = run(test, RunOptions.named(model="armv7"))
    off = run(test, RunOptions.named(model="armv7"), [NAME])
    axiomatic = run(test, RunOptions.named(model="armv7-axiomatic"))
    assert not on[1] and not off[1] and not axiomatic[1]
    assert on[0] == off[0] == axiomatic[0] and len(on[0]) == 6


def test_compare_exchange_loop_ends_with_aarch32s_outcomes():
    """CAS-LOOP: 153 machine states with the cut; without it the run passes 20,000 states
    (and the default 300,000: it never ends), its guessed retries committing x=5 ahead."""
    test = parse_text(CAS_LOOP, "CAS-LOOP")
    on = run(test, RunOptions.named(model="armv7"))
    aarch32 = run(test, RunOptions.named(model="aarch32"))
    assert not on[1] and not aarch32[1]
    assert on[0] == aarch32[0] and len(on[0]) == 4
    assert "0:r1=2; 1:r1=1; [x]=5;" in {s.lower() for s in on[0]}
    assert on[2] == 153
    off = run(test, RunOptions.named(model="armv7"), [NAME], limit=20_000)
    assert off[1] and off[0] <= on[0]


def test_treiber_compiled_for_armv7_ends_under_the_default_limit():
    """examples/c's treiber+rlx and treiber compiled for armv7 end under the default
    --max-states (they passed it before), with aarch32's outcome sets: 1:v=0 allowed with
    relaxed push and pop, not with release/acquire. States counted: machine and solo."""
    for name, outcomes, machine, counted in (("treiber+rlx", 3, 2_456, 53_090),
                                             ("treiber", 2, 24_458, 73_072)):  # fmt: skip
        test = parse_file(EXAMPLES / "c" / f"{name}.litmus")
        options = RunOptions.named(target="armv7", model="armv7")
        on = run(test, options)
        aarch32 = run(test, RunOptions.named(target="armv7", model="aarch32"))
        assert not on[1], name
        assert on[0] == aarch32[0] and len(on[0]) == outcomes, name
        assert on[2] == machine and on[3] == counted, name
    assert ("1:v=0;" in {s.lower() for s in on[0]}) is False  # treiber (release/acquire)
