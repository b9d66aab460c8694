"""The armv7 reductions of the committing phase and the barriers (fencelab/reduce.py):
`armv7-commit-order`, `armv7-quiet-earliest`, `armv7-certify-barriers`, `armv7-dead-commits`.

Each keeps every outcome: on the ARM examples and on diy7-style and generated A32 tests of 2-4
threads, runs with each one off, and with all three off, give the outcome sets of runs with
them on (and the operational outcome sets stay arm.cat's: tests/models/test_armv7.py). The
work they cut is asserted on the write-only shape that took most of the diy set's time.
"""

from __future__ import annotations

import pytest

from fencelab import reduce
from fencelab.errors import FencelabError
from fencelab.gen import cycles
from fencelab.gen.arm_shapes import generate_many_a32
from fencelab.litmus.parser import parse_file, parse_text
from fencelab.models.operational.armv7.certify import reads_left
from fencelab.models.operational.armv7.order import CommitOrder
from fencelab.models.operational.armv7.thread import ThreadContext
from fencelab.pipeline import Pipeline, RunOptions
from fencelab.program.load import load
from tests.helpers import EXAMPLES

MINE = ("armv7-commit-order", "armv7-quiet-earliest", "armv7-certify-barriers",
        "armv7-dead-commits", "armv7-commit-deps", "armv7-viable-commits", "armv7-solo-gaps",
        "armv7-unread-earliest", "armv7-room-complete", "armv7-exec-order",
        "armv7-certify-written", "armv7-commit-direct", "armv7-exec-unfulfilled",
        "armv7-certify-locations")
OPTIONS = RunOptions.named(model="armv7")
# branch a7diy3's, which cut these states further: off where counts are compared
NEWER = ["armv7-certify-written", "armv7-commit-direct"]

W3 = """ARM 3.2W+dmb.st+dmb.st+dsb
{
%x0=x; %y0=y;
%y1=y; %z1=z;
%z2=z; %x2=x;
}
 P0           | P1           | P2           ;
 MOV R0,#2    | MOV R0,#2    | MOV R0,#2    ;
 STR R0,[%x0] | STR R0,[%y1] | STR R0,[%z2] ;
 DMB ST       | DMB ST       | DSB          ;
 MOV R1,#1    | MOV R1,#1    | MOV R1,#1    ;
 STR R1,[%y0] | STR R1,[%z1] | STR R1,[%x2] ;
exists (x=2 /\\ y=2 /\\ z=2)
"""

WWR = """ARM WW+WW+R+dmbW-dmb+po
{
%x0=x; %y0=y; %z0=z;
%z1=z; %x1=x;
%x2=x;
}
 P0           | P1           | P2           ;
 MOV R0,#2    | MOV R0,#2    | LDR R0,[%x2] ;
 STR R0,[%x0] | STR R0,[%z1] |              ;
 DMB          | MOV R1,#1    |              ;
 MOV R1,#1    | STR R1,[%x1] |              ;
 STR R1,[%y0] |              |              ;
 DMB          |              |              ;
 MOV R2,#1    |              |              ;
 STR R2,[%z0] |              |              ;
exists (x=2 /\\ z=2 /\\ 2:R0=1)
"""


def run(text_or_test, off=()):
    test = parse_text(text_or_test, "t") if isinstance(text_or_test, str) else text_or_test
    reduce.set_disabled(off)
    try:
        result = Pipeline().run(test, OPTIONS)
    except FencelabError as e:
        return ("error", str(e)), 0
    finally:
        reduce.enable_all()
    return (frozenset(s.outcome for s in result.states), result.budget_exhausted > 0), \
        result.explored_states


def same_without_each(tests, together: bool = True) -> list[str]:
    """The tests whose outcome sets change with one of the reductions off (and, `together`,
    with all of them off)."""
    differ = []
    for name, test in tests:
        on, _ = run(test)
        for off in [[n] for n in MINE] + ([list(MINE)] if together else []):
            if run(test, off)[0] != on:
                differ.append(f"{name} without {','.join(off)}")
    return differ


def test_write_only_shape_explores_far_less():
    """3.2W+dmb.st+dmb.st+dsb: 16,714 states before these reductions, 669 with them."""
    (outcomes, _), states = run(W3)
    (full, _), full_states = run(W3, list(MINE))
    assert outcomes == full and len(outcomes) == 7
    assert full_states > 16_000 and states * 20 < full_states


@pytest.mark.parametrize("name, factor", [("armv7-commit-order", 3), ("armv7-quiet-earliest", 2),
                                          ("armv7-dead-commits", 1.5)])  # fmt: skip
def test_each_reduction_cuts_states_alone(name, factor):
    """Each of these alone cuts states (the other reductions on): 3.2W explores 669 states
    with all on, 3-4 times as many without commit-order, 1,115 without dead-commits."""
    (outcomes, _), states = run(W3, NEWER)
    # `armv7-unread-earliest` does all `armv7-quiet-earliest` does where nothing is read
    (without, _), more = run(W3, [name, *NEWER]
                             + ["armv7-unread-earliest"] * (name == "armv7-quiet-earliest"))
    assert outcomes == without
    assert states * factor < more


def test_certify_barriers_shares_solo_searches(monkeypatch):
    """`armv7-certify-barriers`: the cores of 3.2W all have a DMB ST or DSB between their
    writes; projected on the locations they access, their solo searches are shared."""
    from fencelab.models.operational.armv7 import certify

    calls = []
    solo = certify._solo_runs
    monkeypatch.setattr(certify, "_solo_runs", lambda *a, **k: calls.append(1) or solo(*a, **k))
    (outcomes, _), states = run(W3)
    shared = len(calls)
    calls.clear()
    (without, _), same = run(W3, ["armv7-certify-barriers"])
    assert (outcomes, states) == (without, same)
    assert shared * 2 < len(calls)


def test_arm_examples_same_outcomes_without_each():
    tests = [(p.stem, parse_file(p)) for p in sorted((EXAMPLES / "arm").glob("*.litmus"))]
    assert same_without_each(tests) == []


def test_diy_tests_same_outcomes_without_each():
    """diy7-style tests of 3 threads, each reduction off alone (all of them off, a 3-thread
    write-only shape takes half a minute); of 2 threads, all off too."""
    three = [cycles.generate("ARM", 3100 + i, threads=3) for i in range(6)]
    assert same_without_each([(t.split()[1], parse_text(t, "diy")) for t in three], False) == []
    two = [cycles.generate("ARM", 3200 + i, threads=2) for i in range(6)]
    assert same_without_each([(t.split()[1], parse_text(t, "diy")) for t in two]) == []


def test_generated_a32_tests_same_outcomes_without_each():
    """Generated A32 tests (WRC/IRIW/ISA2/... decorated, and free-form: exclusives, ISB,
    dependencies) of 2 and 3 threads."""
    texts = [t for t in generate_many_a32(16, seed=77) if len(parse_text(t, "gen").threads) < 4]
    tests = [(t.split()[1], parse_text(t, "gen")) for t in texts[:8]]
    assert len(tests) == 8
    assert same_without_each(tests) == []


def _order(text: str) -> tuple:
    program = load(parse_text(text, "t"))
    contexts = [ThreadContext(program, t) for t in range(len(program.threads))]
    return program, contexts, CommitOrder(program, contexts)


def test_commit_order_depends_through_barriers_and_locations():
    """In WWR, P0's write of y follows a DMB whose group A holds x: a commit of x by P1 may
    come before it in coherence and order it (through x reaching every core); a commit of z by
    P1 cannot reach it. Until the accesses' locations are seen, every commit may depend."""
    program, contexts, order = _order(WWR)
    x, y, z = (next(loc.index for loc in program.locations if loc.name == n) for n in "xyz")
    assert order.depends(1, z, 0, y)  # locations not seen yet: assume the worst
    for ctx in contexts:  # what the model records as cores run (thread.py)
        core = ctx.core
        for pc, info in core.infos.items():
            if info.kind.touches_memory:
                reg = sorted(info.addr_regs)[0]
                addr = program.threads[ctx.tid].init_regs[reg]
                ctx.__dict__.setdefault("armv7_access_locs", {})[pc] = next(
                    loc.index for loc in program.locations if loc.addr == addr)
    assert order.depends(1, x, 0, y)
    assert not order.depends(1, z, 0, y)
    assert not order.depends(1, z, 0, x)  # P0's first write has nothing before it
    assert not order.depends(2, x, 0, x) and not order.depends(1, x, 0, x)


def test_reads_left_follows_the_code():
    program = load(parse_text(WWR, "t"))
    ctx = [ThreadContext(program, t) for t in range(3)]
    assert not any(reads_left(ctx[0], pc) for pc in ctx[0].core.infos)
    base = min(ctx[2].core.infos)
    assert reads_left(ctx[2], base) and not reads_left(ctx[2], base + 4)


def test_solo_moves_remembered_with_the_same_outcomes(monkeypatch):
    """`reuse` (certify.solo_moves): the solo searches of 3.2W and of a diy7-style test ask for
    the same core moves again (the search that certifies a commit and the one exploring the
    state it makes start alike): remembered, Unicorn-backed moves are computed far less often,
    with the same outcomes and states."""
    from fencelab.models.operational.armv7 import guess  # (certify.solo_moves asks it)

    calls = []
    moves = guess.thread_moves
    monkeypatch.setattr(guess, "thread_moves",
                        lambda *a, **k: calls.append(1) or moves(*a, **k))  # fmt: skip
    diy = parse_text(cycles.generate("ARM", 3101, threads=3), "diy")
    for test in (W3, diy):
        calls.clear()
        # (`armv7-room-complete` off: it runs fewer of the searches that share moves)
        on = run(test, ["armv7-room-complete"])
        remembered = len(calls)
        calls.clear()
        assert run(test, ["armv7-room-complete", "reuse"]) == on
        assert remembered * 1.2 < len(calls)
        assert run(test)[0] == on[0]


def test_arm_examples_same_outcomes_without_reuse():
    tests = [(p.stem, parse_file(p)) for p in sorted((EXAMPLES / "arm").glob("*.litmus"))]
    differ = [name for name, test in tests if run(test)[0] != run(test, ["reuse"])[0]]
    assert differ == []


# two loop-free cores that commit around barriers, and a third that spins on x: `CommitOrder`
# asked every core's events, and a looping core has none (a TypeError traceback before)
SPIN_BESIDE_COMMITS = """ARM 2W+dmbs+spin
{ %x0=x; %y0=y; %y1=y; %x1=x; %x2=x; }
 P0           | P1           | P2           ;
 MOV R0,#1    | MOV R0,#2    | LC00:        ;
 STR R0,[%x0] | STR R0,[%y1] | LDR R0,[%x2] ;
 DMB          | DMB          | CMP R0,#0    ;
 STR R0,[%y0] | STR R0,[%x1] | BEQ LC00     ;
exists (x=1 /\\ y=1)
"""


def test_commit_order_with_a_looping_core_beside_two_that_commit():
    """With a core that loops the commit order keeps every order (a path of G may run through
    the loop, which `CommitOrder` does not follow): the outcomes and states of no reduction."""
    (outcomes, budget_hit), states = run(SPIN_BESIDE_COMMITS)
    assert run(SPIN_BESIDE_COMMITS, ["armv7-commit-order"]) == ((outcomes, budget_hit), states)
    assert len(outcomes) == 3 and states == 416 and not budget_hit
