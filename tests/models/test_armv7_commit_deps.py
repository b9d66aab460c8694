"""The ARMv7 reductions of issue 17's critical test: `armv7-commit-deps` and
`armv7-viable-commits` (fencelab/reduce.py) keep every outcome and cut the work.

- `armv7-commit-deps` (order.py, `CommitOrder._follows`): `armv7-commit-order` follows each
  core's dependencies through its registers instead of ordering everything after a reached
  read, and a store-exclusive is not entered by another core's write.
- `armv7-viable-commits` (certify.py, `explore_alone`): a commit ahead is certified only at
  coherence places that some solo run able to go on to execute every commit allows.
- `armv7-solo-gaps` (project.py, `Projector.projection`): other cores' writes between two of
  a core's commits made ahead are seen in one order, so more solo searches are shared.
"""

from __future__ import annotations

import pytest

from fencelab import reduce
from fencelab.errors import FencelabError
from fencelab.gen.families import generate_many
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state
from fencelab.models.operational.armv7 import model as armv7_model
from fencelab.models.operational.armv7.order import CommitOrder
from fencelab.models.operational.armv7.thread import ThreadContext
from fencelab.pipeline import Pipeline, RunOptions
from fencelab.program.load import load
from tests.helpers import armv7_accesses_seen

OPTIONS = RunOptions.named(model="armv7")
NEW = ("armv7-commit-deps", "armv7-viable-commits", "armv7-solo-gaps")

# P0's store-exclusive is coherence-after the write its load-exclusive reads (P2's x=3), and
# that write depends, through y and P1, on P1 reading the store-exclusive's own x=1: every
# timing commits the store-exclusive before the write its load-exclusive reads. arm.cat
# allows it (no ppo from a load-exclusive to its store-exclusive).
LBX = """ARM LB+ldrex-strex
{
0:R5=x; 1:R5=x; 1:R6=y; 2:R5=x; 2:R6=y;
}
 P0                | P1               | P2               ;
 LDREX R0,[R5]     | LDR R0,[R5]      | LDR R0,[R6]      ;
 MOV R2,#1         | EOR R3,R0,R0     | EOR R3,R0,R0     ;
 STREX R1,R2,[R5]  | ADD R3,R3,#2     | ADD R3,R3,#3     ;
                   | STR R3,[R6]      | STR R3,[R5]      ;
exists (0:R0=3 /\\ 0:R1=0 /\\ 1:R0=1 /\\ 2:R0=2 /\\ x=1)
"""


def critical() -> str:
    """GEN-ARM-546-0: the ARM test of the generated catalogue (bench/speed.py
    `catalogue_texts`, seed 500 + 46) that bounded its -j 2 speed-up."""
    text = generate_many("ARM", 1, seed=546)[0]
    assert text.startswith("ARM GEN-ARM-546-0")
    return text


def run(text: str, off=(), model: str = "armv7"):
    reduce.set_disabled(off)
    try:
        result = Pipeline().run(parse_text(text, "t"), RunOptions.named(model=model))
    except FencelabError as e:
        return ("error", str(e)), 0, 0
    finally:
        reduce.enable_all()
    outcome = (frozenset(s.outcome for s in result.states), result.budget_exhausted > 0)
    return outcome, result.explored_states, result.transitions


def test_store_exclusive_committed_before_the_write_its_load_exclusive_reads():
    """LBX's condition holds under arm.cat; the operational model finds it with every
    reduction, without the new ones, and without any."""
    axiomatic, _, _ = run(LBX, model="armv7-axiomatic")
    shown = {format_state(o) for o in axiomatic[0]}
    assert "0:R0=3; 0:R1=0; 1:R0=1; 2:R0=2; [x]=1;" in shown and len(shown) == 16
    for off in ([], list(NEW), ["all"]):
        assert run(LBX, off)[0] == axiomatic


def test_commit_deps_follow_registers_not_program_order():
    """GEN-ARM-546-0: P1 is LDREX/STREX x, LDREX/STREX y, then STR y of a value computed
    from its second load-exclusive; P2 reads x and writes y from it. P2's commit of y reaches
    P1's reads of x and y (through P0 and P1's loads), so it may order P1's STR y, but
    nothing orders P1's store-exclusives after it: the old analysis ordered everything after
    P1's first read."""
    program = load(parse_text(critical(), "t"))
    contexts = [ThreadContext(program, t) for t in range(3)]
    armv7_accesses_seen(program, contexts)
    x, y = (next(loc.index for loc in program.locations if loc.name == n) for n in "xy")
    old = CommitOrder(program, contexts)
    new = CommitOrder(program, contexts, deps=True)
    assert old.depends(2, y, 1, x) and not new.depends(2, y, 1, x)
    assert new.depends(2, y, 1, y)  # P1's STR y depends on its load-exclusive of y
    assert new.depends(2, y, 0, x)  # P0 reads y, then writes x from it
    assert new.depends(1, x, 0, x)  # through P2: x, then y, then P0


def test_critical_test_same_outcomes_less_work(monkeypatch):
    """GEN-ARM-546-0 (one test: three runs of it). Without `armv7-commit-deps`: the same
    outcome set, 17,211 states (26,853 before `armv7-exec-unfulfilled`, which cuts the search
    with it from 18,407 to 11,927). Without `armv7-viable-commits` and `armv7-solo-gaps`: the very
    same search (outcomes, states, transitions), with far more commits that fail to certify
    (1,176 against 24) and more solo searches (a fifth of them are shared by the gaps)."""
    from fencelab.models.operational.armv7 import certify

    asked, searched = [], []
    certifies, solo = armv7_model.certifies, certify._solo_runs
    monkeypatch.setattr(armv7_model, "certifies",
                        lambda *a, **k: asked.append(found := certifies(*a, **k)) or found)
    monkeypatch.setattr(certify, "_solo_runs",
                        lambda *a, **k: searched.append(1) or solo(*a, **k))  # fmt: skip
    text = critical()
    on, states, transitions = run(text)
    assert len(on[0]) == 178
    failed, solos = asked.count(False), len(searched)
    asked.clear()
    searched.clear()
    assert run(text, ["armv7-viable-commits", "armv7-solo-gaps"]) == (on, states, transitions)
    assert failed * 10 < asked.count(False) and solos * 1.2 < len(searched)
    without_deps, more, _ = run(text, ["armv7-commit-deps", "armv7-commit-direct"])
    assert without_deps == on and more == 17_211 and states * 1.15 < more


@pytest.mark.parametrize("seed", range(600, 612))
def test_generated_same_outcomes_without_the_new_reductions(seed):
    """Generated ARM tests (exclusives, dependencies, 2-4 threads), with each new reduction
    off alone and both off."""
    text = generate_many("ARM", 1, seed=seed)[0]
    on = run(text)[0]
    for off in ([n] for n in (*NEW, ",".join(NEW))):
        assert run(text, off)[0] == on, off


# each core stores z only if it read 1 (an A32 predicated store: its condition is no dependency
# under arm.cat, but whether the store happens is), then y or x unconditionally
LB_PREDAFTER = """ARM LB+predafter
{
0:R1=x; 0:R3=y; 1:R1=y; 1:R3=x; 0:R2=1; 1:R2=1; 0:R5=z; 1:R5=z;
}
 P0             | P1             ;
 LDR R0,[R1]    | LDR R0,[R1]    ;
 CMP R0,#1      | CMP R0,#1      ;
 STREQ R2,[R5]  | STREQ R2,[R5]  ;
 STR R2,[R3]    | STR R2,[R3]    ;
exists (0:R0=1 /\\ 1:R0=1)
"""


def test_commit_deps_reach_a_predicated_store_through_its_condition():
    """P1 commits x, P0 reads it and so stores z: P0's STREQ of z happens only after that
    read, whatever arm.cat's (absent) dependencies say, since a commit made ahead is certified
    by P0 alone, which reads x=0 and skips it. So `_follows` reaches the STREQ from P1's commit
    of x, and the reduction keeps every outcome: without that, P1's commit of x then P0's of z
    was dropped for the other order, which no run has (2 outcomes of the 4)."""
    program = load(parse_text(LB_PREDAFTER, "t"))
    contexts = [ThreadContext(program, t) for t in range(2)]
    armv7_accesses_seen(program, contexts)
    x, z = (next(loc.index for loc in program.locations if loc.name == n) for n in "xz")
    assert CommitOrder(program, contexts, deps=True).depends(1, x, 0, z)
    on = run(LB_PREDAFTER)[0]
    assert len(on[0]) == 4 and run(LB_PREDAFTER, ["all"])[0] == on
