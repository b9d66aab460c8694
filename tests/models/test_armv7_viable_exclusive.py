"""`armv7-viable-commits` (certify.py, `explore_alone`) and a load-exclusive that reads the
write a commit ahead is made for.

The reduction offers a commit ahead only at the coherence places some solo run that can go on
to execute every commit made ahead allows. Its argument replaces the run that certifies the
commit (the write m committed ahead at coherence place r) by the same run from the storage
without it, m committed fresh just above the core's floor. With a load-exclusive reading m
and its store-exclusive fulfilling a commit made ahead q, that replacement can fail where the
certifying run does not: another core's write between the floor and r is, once m goes just
above the floor, coherence-between m and q, so the store-exclusive cannot fulfil q.

LDREX-FRESH (P0): P0 commits the store-exclusive's x=1 ahead (its load-exclusive reading
its own x=0), P1's x=3 is placed coherence-before it, and P0's x=0 then certifies between the
two (the load-exclusive reads it, the store-exclusive fulfils x=1); the replacement run puts
x=0 below x=3 and fails. Before the fix the reduction dropped that place (1,015 states against
1,068 without it). The outcomes were the same (the commits in another order reach them); the
argument now leaves such locations out (`_exclusive_locations`).

LDREX-OTHER: the same, but the store-exclusive's value is a constant and a third core orders
both P2's x=3 and P0's store-exclusive before P0's x=1: the replacement run's load-exclusive
can read x=3 instead and fulfil the commit; the reduction never dropped a place there.
"""

from __future__ import annotations

from fencelab import reduce
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state
from fencelab.pipeline import Pipeline, RunOptions

LDREX_FRESH = """ARM LDREX-FRESH
{
0:R5=x; 0:R6=z; 1:R5=x; 2:R5=x; 2:R6=z;
}
 P0               | P1           | P2               ;
 LDR R0,[R6]      | MOV R0,#3    | LDR R0,[R5]      ;
 STR R0,[R5]      | STR R0,[R5]  | EOR R1,R0,R0     ;
 LDREX R2,[R5]    |              | ADD R1,R1,#1     ;
 ADD R4,R2,#1     |              | STR R1,[R6]      ;
 STREX R3,R4,[R5] |              |                  ;
exists (0:R0=1 /\\ 0:R2=1 /\\ 0:R3=0 /\\ 2:R0=3 /\\ x=2)
"""

LDREX_OTHER = """ARM LDREX-OTHER
{
0:R5=x; 0:R6=z; 1:R5=x; 1:R6=z; 2:R5=x;
}
 P0               | P1            | P2           ;
 LDR R0,[R6]      | LDR R0,[R5]   | MOV R0,#3    ;
 EOR R1,R0,R0     | LDR R1,[R5]   | STR R0,[R5]  ;
 ADD R1,R1,#1     | EOR R2,R0,R0  |              ;
 STR R1,[R5]      | EOR R3,R1,R1  |              ;
 LDREX R2,[R5]    | ADD R2,R2,R3  |              ;
 MOV R4,#2        | ADD R2,R2,#1  |              ;
 STREX R3,R4,[R5] | STR R2,[R6]   |              ;
exists (0:R0=1 /\\ 0:R2=1 /\\ 0:R3=0 /\\ 1:R0=3 /\\ 1:R1=2 /\\ x=2)
"""


def run(text: str, off=(), model: str = "armv7"):
    reduce.set_disabled(list(off))
    try:
        result = Pipeline().run(parse_text(text, "t"), RunOptions.named(model=model))
    finally:
        reduce.enable_all()
    states = frozenset(format_state(s.outcome) for s in result.states)
    return states, result.explored_states, result.transitions


def test_load_exclusive_reading_the_commit_keeps_its_places():
    """LDREX-FRESH: the reduction drops no place that certifies (the very same search with it
    and without it), and the outcomes are arm.cat's, the condition's among them."""
    axiomatic = run(LDREX_FRESH, model="armv7-axiomatic")[0]
    assert len(axiomatic) == 27
    assert "0:r0=1; 0:r2=1; 0:r3=0; 2:r0=3; [x]=2;" in {s.lower() for s in axiomatic}
    on = run(LDREX_FRESH)
    assert on == run(LDREX_FRESH, ["armv7-viable-commits"])
    assert on[0] == axiomatic and on[1] == 1_068


def test_load_exclusive_reading_another_write_instead():
    """LDREX-OTHER: arm.cat's outcomes with the reduction and without it, the same search."""
    axiomatic = run(LDREX_OTHER, model="armv7-axiomatic")[0]
    assert len(axiomatic) == 75
    assert "0:r0=1; 0:r2=1; 0:r3=0; 1:r0=3; 1:r1=2; [x]=2;" in {s.lower() for s in axiomatic}
    on = run(LDREX_OTHER)
    assert on == run(LDREX_OTHER, ["armv7-viable-commits"])
    assert on[0] == axiomatic
