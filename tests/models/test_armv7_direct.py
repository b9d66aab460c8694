"""Branch a7diy3's ARMv7 changes for diy7-style tests (cores with barriers between accesses):
`armv7-commit-direct` (the commit order counts only paths of G through no other commit),
`armv7-certify-written` (a barrier core's solo search leaves out other cores' writes
coherence-after all of its own to a location it does not read), and `_strands`' skip of cores
a new commit cannot touch. Each keeps the outcome sets (against arm.cat's checker where it
finishes), the first cuts states, the second solo searches, the third certifications."""

from __future__ import annotations

import pytest

from fencelab.gen import cycles
from fencelab.litmus.parser import parse_text
from fencelab.models.operational.armv7 import certify
from fencelab.models.operational.armv7 import model as armv7_model
from fencelab.models.operational.armv7.order import CommitOrder
from fencelab.models.operational.armv7.thread import ThreadContext
from fencelab.program.load import load
from tests.helpers import ARM_3_2W_DMB_DSB, armv7_accesses_seen, outcomes_and_states

NEW = ("armv7-commit-direct", "armv7-certify-written")

# a read of y after P0's DMB: its commit of z is ordered after P1's commit of y through rfe
# and the barrier, with no commit between
MP = """ARM MP+dmb+po
{
%y0=y; %z0=z;
%y1=y; %x1=x;
}
 P0           | P1           ;
 LDR R0,[%y0] | MOV R0,#1    ;
 DMB          | STR R0,[%x1] ;
 MOV R1,#1    | MOV R1,#1    ;
 STR R1,[%z0] | STR R1,[%y1] ;
exists (0:R0=1)
"""


run = outcomes_and_states


def test_commit_direct_cuts_the_write_only_cycle():
    """3.2W+dmb.st+dsb+dsb: 146 states instead of 472, the same seven outcomes, arm.cat's."""
    on, states = run(ARM_3_2W_DMB_DSB)
    off, more = run(ARM_3_2W_DMB_DSB, ["armv7-commit-direct"])
    assert on == off and len(on) == 7
    assert (states, more) == (146, 472)
    assert on == run(ARM_3_2W_DMB_DSB, model="armv7-axiomatic")[0]


def test_direct_paths_avoid_other_commits():
    """`CommitOrder.depends` on 3.2W's code: P1's commit of y reaches P0's of y only through
    P1's commit of z (after its DSB) and P2's of x: with `direct` that path does not count;
    P2's commit of x reaches P0's y through P0's DMB ST directly (P2's x may go
    coherence-before P0's), which still counts. MP+dmb+po: P1's commit of y is read by P0,
    whose DMB then orders its commit of z: a path through no other commit; from P1's commit
    of x nothing runs to it."""
    program = load(parse_text(ARM_3_2W_DMB_DSB, "t"))
    contexts = [ThreadContext(program, t) for t in range(3)]
    armv7_accesses_seen(program, contexts)
    x, y, z = (next(loc.index for loc in program.locations if loc.name == n) for n in "xyz")
    old = CommitOrder(program, contexts, deps=True)
    new = CommitOrder(program, contexts, deps=True, direct=True)
    assert old.depends(1, y, 0, y) and not new.depends(1, y, 0, y)
    assert old.depends(2, x, 0, y) and new.depends(2, x, 0, y)
    assert not new.depends(2, z, 0, y)
    program = load(parse_text(MP, "t"))
    contexts = [ThreadContext(program, t) for t in range(2)]
    armv7_accesses_seen(program, contexts)
    x, y, z = (next(loc.index for loc in program.locations if loc.name == n) for n in "xyz")
    new = CommitOrder(program, contexts, deps=True, direct=True)
    assert new.depends(1, y, 0, z) and not new.depends(1, x, 0, z)


def test_certify_written_shares_solo_searches(monkeypatch):
    """3.2W+dmb.st+dsb+dsb: every core writes only, so each one's solo searches leave out
    the other cores' writes coherence-after its own: fewer of them, the same search."""
    searched = []
    solo = certify._solo_runs
    monkeypatch.setattr(certify, "_solo_runs",
                        lambda *a, **k: searched.append(1) or solo(*a, **k))  # fmt: skip
    on, states = run(ARM_3_2W_DMB_DSB)
    fewer = len(searched)
    searched.clear()
    assert run(ARM_3_2W_DMB_DSB, ["armv7-certify-written"]) == (on, states)
    assert fewer * 1.5 < len(searched)


def test_strands_skips_only_cores_that_still_certify(monkeypatch):
    """`_strands` leaves a core uncertified when none of its commits to the new write's
    location is coherence-after it: asked in full (the tree before), such a core certifies
    every time, over 16 diy7-style tests; and the skip spares certifications."""
    skipped, asked = [], []
    certifies = armv7_model.ARMv7._certifies

    def full(self, program, state, tid, memory):
        st = memory.storage
        loc, rank = st.msg(st.end).loc, st.rank(st.end)
        for t, ts in enumerate(state.threads):
            local = memory.locals[t]
            if t == tid or not local.promises:
                continue
            ctx = self._ctx(program, t)
            if armv7_model.reads_left(ctx, min(ctx.core.infos, default=0)):
                continue
            if not any(st.msg(p).loc == loc and st.rank(p) > rank for p in local.promises):
                skipped.append(certifies(self, program, t, ts, local, st))
        return strands(self, program, state, tid, memory)

    strands = armv7_model.ARMv7._strands
    monkeypatch.setattr(armv7_model.ARMv7, "_strands", full)
    texts = cycles.generate_many("ARM", 16, 0)
    for text in texts:
        run(text)
    assert skipped and all(skipped)
    monkeypatch.setattr(armv7_model.ARMv7, "_strands", strands)
    monkeypatch.setattr(armv7_model, "certifies",
                        lambda *a, **k: asked.append(1) or certify.certifies(*a, **k))
    run(ARM_3_2W_DMB_DSB)
    assert asked


@pytest.mark.parametrize("index", range(0, 40, 3))
def test_diy_same_outcomes_without_each(index):
    """bench/speed.py's diy7-style ARM tests: the same outcomes with each new reduction off
    alone and both off, and arm.cat's."""
    text = cycles.generate_many("ARM", 40, 0)[index]
    on, states = run(text)
    for off in [[n] for n in NEW] + [list(NEW)]:
        outcomes, more = run(text, off)
        assert outcomes == on and states <= more
    assert on == run(text, model="armv7-axiomatic")[0]


@pytest.mark.parametrize("index", [3, 17, 58, 101, 144, 190])
def test_diy_other_seed_as_axiomatic(index):
    """diy7-style tests of another seed (11, where `armv7-commit-direct` cuts 14% of the
    states of 200): arm.cat's outcomes."""
    text = cycles.generate_many("ARM", 200, 11)[index]
    on, _ = run(text)
    assert on == run(text, model="armv7-axiomatic")[0] == run(text, list(NEW))[0]
