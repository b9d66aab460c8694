"""Three armv7 reductions of issue 17's diy7-style round (fencelab/reduce.py):
`armv7-unread-earliest` and `armv7-exec-order` (the executing phase: where a barrier's
propagations go, which core executes first) and `armv7-room-complete` (the committing phase:
a core that cannot commit more is complete once it certifies, without a full solo search).

Each keeps every outcome: each off alone and all three off give the same outcome sets on
diy7-style tests with barriers between accesses, and the operational outcomes are
armv7-axiomatic's (arm.cat). The work each saves is asserted on the tests where it acts.
"""

from __future__ import annotations

import pytest

from fencelab.gen import cycles
from fencelab.litmus.parser import parse_text
from fencelab.machine.machine import Machine
from fencelab.models.operational.armv7 import model as armv7_model
from fencelab.models.operational.armv7.model import ARMv7
from fencelab.pipeline import RunOptions
from fencelab.program.load import load
from tests.helpers import ARM_3_2W_DMB_DSB, outcomes_and_states

NEW = ("armv7-unread-earliest", "armv7-room-complete", "armv7-exec-order")
# branch a7diy3's (tests/models/test_armv7_direct.py): off where counts are pinned
NEWER = ("armv7-certify-written", "armv7-commit-direct")
OPTIONS = RunOptions.named(model="armv7")

# P0's DMB propagates x and y, which P1 reads: by number, P0 executes first and places them
# at every place; P1 first, then P0 alone places them earliest
R_POW = """ARM R+poW-dmb+dsb
{
%x0=x; %y0=y; %z0=z;
%z1=z; %x1=x;
}
 P0           | P1           ;
 MOV R0,#1    | MOV R0,#2    ;
 STR R0,[%x0] | STR R0,[%z1] ;
 MOV R1,#1    | DSB          ;
 STR R1,[%y0] | LDR R1,[%x1] ;
 DMB          |              ;
 MOV R2,#1    |              ;
 STR R2,[%z0] |              ;
exists (z=2 /\\ 1:R1=0)
"""

# P0's DMB propagates x, which no core reads: earliest places only, while P1 and P2 still run
Z61 = """ARM Z6.1+dmb+po+ctrl
{
%x0=x; %y0=y;
%y1=y; %z1=z;
%z2=z; %x2=x;
}
 P0           | P1           | P2            ;
 MOV R0,#2    | MOV R0,#2    | LDR R0,[%z2]  ;
 STR R0,[%x0] | STR R0,[%y1] | CMP R0,R0     ;
 DMB          | MOV R1,#1    | BNE LC00      ;
 MOV R1,#1    | STR R1,[%z1] | LC00:         ;
 STR R1,[%y0] |              | MOV R1,#1     ;
              |              | STR R1,[%x2]  ;
exists (x=2 /\\ y=2 /\\ 2:R0=1)
"""


run = outcomes_and_states


def test_unread_earliest_places_unread_propagations_once():
    """Z6.1: 342 states with `armv7-unread-earliest` and `armv7-exec-order` off (P0's DMB
    places x's propagation at every place while P1 and P2 run), 244 with it; the same eight
    outcomes, arm.cat's."""
    on, states = run(Z61, ["armv7-exec-order", *NEWER])
    off, more = run(Z61, ["armv7-exec-order", "armv7-unread-earliest", *NEWER])
    assert on == off and len(on) == 8
    assert (states, more) == (244, 342)
    assert on == run(Z61, model="armv7-axiomatic")[0]


def test_exec_order_runs_the_barrier_core_last():
    """R+poW-dmb+dsb: P0 (a DMB after two writes) executes after P1: 110 states, 339 by
    number (P0's DMB places x's and y's propagations in 15 ways, P1 still to read x)."""
    on, states = run(R_POW)
    off, more = run(R_POW, ["armv7-exec-order"])
    assert on == off and len(on) == 3
    assert (states, more) == (110, 339)
    assert on == run(R_POW, model="armv7-axiomatic")[0]
    program = load(parse_text(R_POW, "t"))
    assert ARMv7(exec_order=True)._order_of(program) == [1, 0]
    assert ARMv7(exec_order=False)._order_of(program) is None


def test_room_complete_spares_full_solo_searches(monkeypatch):
    """3.2W+dmb.st+dsb+dsb: whether a core that cannot commit more is complete is answered by
    its certification (mostly known already): 49 full solo searches instead of 108, the same
    472 states and seven outcomes. (Certifications: 157 either way before a7diy3, whose cores
    with nothing committed ahead certify without a search: 143, and 125 where the full
    searches answer them.)"""
    calls = {"full": 0, "certify": 0}
    full, certify = armv7_model.explore_alone, armv7_model.certifies

    def counted(name, f):
        return lambda *a, **k: calls.__setitem__(name, calls[name] + 1) or f(*a, **k)

    monkeypatch.setattr(armv7_model, "explore_alone", counted("full", full))
    monkeypatch.setattr(armv7_model, "certifies", counted("certify", certify))
    on, states = run(ARM_3_2W_DMB_DSB, NEWER)
    assert (calls, states, len(on)) == ({"full": 49, "certify": 143}, 472, 7)
    calls.update(full=0, certify=0)
    off, same = run(ARM_3_2W_DMB_DSB, ["armv7-room-complete", *NEWER])
    assert (calls, same, off) == ({"full": 108, "certify": 125}, 472, on)


def test_unread_locations_follow_the_code():
    """`_reads`: the locations a core may read, once its accesses were seen (None before:
    any); `_unread`: those no other running core may read, and those this one may not read
    either."""
    program = load(parse_text(Z61, "t"))
    model = ARMv7(unread=True)
    assert model._reads(program, 2) is None  # no access seen yet: any location
    for tid in range(3):  # what thread.py records as accesses run
        ctx = model._ctx(program, tid)
        for pc, info in ctx.core.infos.items():
            if info.kind.touches_memory:
                reg = sorted(info.addr_regs)[0]
                addr = program.threads[tid].init_regs[reg]
                ctx.__dict__.setdefault("armv7_access_locs", {})[pc] = next(
                    loc.index for loc in program.locations if loc.addr == addr)
    x, y, z = (next(loc.index for loc in program.locations if loc.name == n) for n in "xyz")
    assert model._reads(program, 0) == frozenset() and model._reads(program, 2) == {z}
    start = Machine(program, model).initial()
    assert model._unread(program, start, 0) == ({x, y}, {x, y})
    assert model._unread(program, start, 2) == ({x, y, z}, {x, y})


@pytest.mark.parametrize("threads", [2, 3])
def test_diy_tests_same_outcomes_without_each(threads):
    """diy7-style tests (most with a DMB, DSB or DMB ST between accesses): each of the three
    off alone and all three off give the same outcome sets."""
    differ = []
    for i in range(8):
        text = cycles.generate("ARM", 4100 + 10 * threads + i, threads=threads)
        on, _ = run(text)
        for off in [[n] for n in NEW] + [list(NEW)]:
            if run(text, off)[0] != on:
                differ.append(f"{text.split()[1]} without {','.join(off)}")
    assert differ == []
