"""`axiomatic-dead-reads` (fencelab/models/axiomatic/events.py): a read whose value nothing later
uses gives its thread one path (rf picks any write) instead of one per value it could read.

On and off must give the same final states, the same herd counts (Positive/Negative) and the
same budget hits, on the AArch64 examples and on generated tests with retry loops; and the
reduction must cut the paths where a loop rereads a location into a register nothing reads.
"""

from __future__ import annotations

import itertools
import random

import pytest

from fencelab import reduce
from fencelab.litmus.parser import parse_file, parse_text
from fencelab.machine.machine import DEFAULT_BUDGET
from fencelab.models.axiomatic.arm import run_axiomatic
from fencelab.models.axiomatic.events import enumerate_paths
from fencelab.program.load import load
from tests.helpers import EXAMPLES

NAME = "axiomatic-dead-reads"

# herd's A184 shape: a retry loop whose LDXR register W1 nothing reads
RETRY = """AArch64 retry
{ int x=1; 0:X0=x; }
 P0              ;
 L0:             ;
 LDXR W1,[X0]    ;
 MOV W3,#2       ;
 STXR W4,W3,[X0] ;
 CBNZ W4,L0      ;
forall (x=2)
"""

# each case keeps the read live in one way: the reduction must not take it as dead
LIVE = {
    "observed": """AArch64 live-observed
{ 0:X0=x; 1:X0=x; }
 P0          | P1          ;
 LDR W1,[X0] | MOV W2,#1   ;
             | STR W2,[X0] ;
exists (0:X1=1)
""",
    # a branch on the value that ends the thread (no event after it: no ctrl edge)
    "branch-at-end": """AArch64 live-branch
{ 0:X0=x; 1:X0=x; }
 P0          | P1          ;
 LDR W1,[X0] | MOV W2,#1   ;
 CBZ W1,L0   | STR W2,[X0] ;
 MOV W5,#7   |             ;
 L0:         |             ;
exists (0:X5=7)
""",
    "data": """AArch64 live-data
{ 0:X0=x; 0:X3=y; 1:X0=x; }
 P0          | P1          ;
 LDR W1,[X0] | MOV W2,#1   ;
 STR W1,[X3] | STR W2,[X0] ;
exists (y=1)
""",
}


def _result(test, off: bool, budget: int = DEFAULT_BUDGET, model: str = "arm"):
    reduce.set_disabled([NAME] if off else [])
    try:
        r = run_axiomatic(load(test), model, budget=budget)
    finally:
        reduce.enable_all()
    assert not r.partial
    return sorted(str(s.outcome) for s in r.states), r.executions, r.budget_exhausted


def _loop_test(seed: int) -> str:
    """A random AArch64 test of 2 threads mixing retry loops (LDXR/STXR/CBNZ, the LDXR's
    register observed or not), plain loads (observed or not) and stores, with a condition on
    every location and the observed registers."""
    rng = random.Random(seed)
    locs = ["x", "y"]
    threads, inits, observed = [], [], []
    for tid in range(2):
        rows, labels = [], 0
        for k in range(rng.choice((1, 2, 3))):
            loc = rng.choice(locs)
            base = 10 + locs.index(loc)
            inits.append(f"{tid}:X{base}={loc}")
            reg = 1 + k
            op = rng.choice(("retry", "retry", "load", "store"))
            if op == "retry":
                label = f"L{tid}{labels}"
                labels += 1
                rows += [f"{label}:", f"LDXR W{reg},[X{base}]", f"MOV W9,#{tid + 1}",
                         f"STXR W8,W9,[X{base}]", f"CBNZ W8,{label}"]  # fmt: skip
            elif op == "load":
                rows.append(f"LDR W{reg},[X{base}]")
            else:
                rows += [f"MOV W9,#{tid + 3}", f"STR W9,[X{base}]"]
            if op != "store" and rng.random() < 0.3:
                observed.append(f"{tid}:X{reg}=0")
        threads.append(rows)
    height = max(len(t) for t in threads)
    lines = [" | ".join(f"P{t}" for t in range(len(threads))) + " ;"]
    for i in range(height):
        lines.append(" | ".join(t[i] if i < len(t) else "" for t in threads) + " ;")
    cond = " /\\ ".join([f"{loc}=0" for loc in locs] + observed)
    init = "; ".join([f"{loc}=0" for loc in locs] + sorted(set(inits)))
    return f"AArch64 LOOPS{seed}\n{{ {init}; }}\n" + "\n".join(lines) + f"\nexists ({cond})\n"


@pytest.mark.parametrize("path", sorted((EXAMPLES / "aarch64").glob("*.litmus")),
                         ids=lambda p: p.stem)  # fmt: skip
def test_examples_same_states_and_counts(path):
    """(A budget of 12 steps: counter+ldxr-stxr's loops, whose reads are live, exceed the
    path step limit at larger budgets either way.)"""
    test = parse_file(path)
    assert _result(test, False, 12) == _result(test, True, 12)


def test_generated_loops_same_states_and_counts():
    """40 generated tests with retry loops, under arm-axiomatic and sc-axiomatic (a budget of
    6 steps: the loops unrolled a few times, so the unreduced runs stay short)."""
    differ, reduced = [], 0
    for seed in range(40):
        test = parse_text(_loop_test(seed), f"<loops {seed}>")
        for model in ("arm", "sc"):
            on, off = _result(test, False, 6, model), _result(test, True, 6, model)
            if on != off:
                differ.append((seed, model))
        program = load(test)
        reduce.set_disabled([])
        with_paths = sum(map(len, enumerate_paths(program, 6)[0]))
        without = sum(map(len, enumerate_paths(program, 6, dead_reads=False)[0]))
        reduced += with_paths < without
    assert differ == []
    assert reduced >= 10  # the generator makes dead reads often enough to test something


def test_retry_loop_paths_linear_not_exponential():
    """A184's shape: without the reduction a loop iteration doubles the paths (the LDXR reads
    1 or 2), with it each adds one; states, counts and budget hits agree."""
    program = load(parse_text(RETRY, "retry"))
    on, _ = enumerate_paths(program, 24, dead_reads=True)
    off, _ = enumerate_paths(program, 24, dead_reads=False)
    assert (len(on[0]), len(off[0])) == (12, 2**13 - 2)  # 12 iterations fit in 24 steps
    assert all(e.any_value for p in on[0] for e in p.events if e.kind == "R")
    test = parse_text(RETRY, "retry")
    assert _result(test, False, 12) == _result(test, True, 12) == (["((LocObs(name='x'), 2),)"],
                                                                   (6, 0), 64)  # fmt: skip


@pytest.mark.parametrize("name", sorted(LIVE))
def test_live_reads_still_branch_on_their_values(name):
    program = load(parse_text(LIVE[name], name))
    paths, _ = enumerate_paths(program, DEFAULT_BUDGET, dead_reads=True)
    assert not any(e.any_value for tp in paths for p in tp for e in p.events)
    test = parse_text(LIVE[name], name)
    assert _result(test, False) == _result(test, True)


def test_mixed_size_location_is_not_reduced():
    """A location with mixed-size accesses takes its reads byte by byte: its dead reads are
    found again with their values (`enumerate_paths`)."""
    text = """AArch64 mixed-dead
{ uint64_t x=0; 0:X0=x; 1:X0=x; }
 P0          | P1           ;
 LDR W1,[X0] | MOV W2,#1    ;
 MOV W5,#1   | STRB W2,[X0] ;
exists (x=1)
"""
    program = load(parse_text(text, "mixed"))
    paths, _ = enumerate_paths(program, DEFAULT_BUDGET, dead_reads=True)
    assert not any(e.any_value for tp in paths for p in tp for e in p.events)
    test = parse_text(text, "mixed")
    assert _result(test, False) == _result(test, True)


# LB with an exchange compiled for armv8: each retry loop's LDXR register is observed, so the
# read is live on the path that leaves the loop and dead on the one that retries
SWAP_LOOPS = """AArch64 LB+swap
{ x=0; y=0; 0:X1=y; 0:X2=x; 1:X1=x; 1:X2=y; }
 P0                        | P1                        ;
 MOV W3,#2                 | MOV W3,#2                 ;
 L0: LDXR W0,[X2]          | L1: LDXR W0,[X2]          ;
 STXR W4,W3,[X2]           | STXR W4,W3,[X2]           ;
 CBNZ W4,L0                | CBNZ W4,L1                ;
 MOV W3,#1                 | MOV W3,#1                 ;
 STR W3,[X1]               | STR W3,[X1]               ;
exists (0:X0=1 /\\ 1:X0=1)
"""


def test_read_live_on_one_path_only_is_not_explored_per_value_on_the_others():
    """A retry loop whose LDXR register is observed: the read is used by the path that leaves
    the loop with it, not by those that retry (the next LDXR overwrites it). Those share one
    path marked `any_value`; only the leaving paths go per value: the paths grow by the
    values (3) per iteration, not by a factor of 3. (Before: every iteration's read went per
    value on every path, 3^k paths; at the default budget the path step limit stopped the
    run after 12 s with no state.) States, counts and budget hits agree with it off."""
    program = load(parse_text(SWAP_LOOPS, "swap"))
    on, hits_on = enumerate_paths(program, 16, dead_reads=True)
    off, hits_off = enumerate_paths(program, 16, dead_reads=False)
    assert [len(p) for p in on] == [21, 21]  # 7 iterations: 3 per iteration
    assert [len(p) for p in off] == [3279, 3279]
    assert hits_on == hits_off
    test = parse_text(SWAP_LOOPS, "swap")
    reduced = _result(test, False, 8)
    assert reduced == _result(test, True, 8)
    assert len(reduced[0]) == 4  # as the operational model: every pair of 0 and 1


@pytest.mark.parametrize("text", [SWAP_LOOPS, RETRY, *(_loop_test(seed) for seed in range(12))],
                         ids=lambda t: t.split("\n")[0].split()[1])  # fmt: skip
def test_per_location_choices_are_every_product_choice_that_passes(text, monkeypatch):
    """`per_location_choices` gives each read a write only where coherence leaves it possible
    (`_Coherence`, here for every location, not only those with many choices): the same
    choices, in the same order, as trying every product and keeping those the model's
    per-location check passes."""
    from fencelab.models.axiomatic import candidates
    from fencelab.models.axiomatic.arm import ARM_MODEL
    from fencelab.models.axiomatic.candidates import Execution, per_location_choices, skeletons

    monkeypatch.setattr(candidates, "FEW_CHOICES", 0)

    program = load(parse_text(text, "t"))
    paths, _ = enumerate_paths(program, 8)
    ok = ARM_MODEL.per_location
    compared = 0
    for sk in skeletons(program, paths):
        for loc in range(sk.n_locations):
            writes, reads = sk.writes_to(loc), sk.reads_of(loc)
            sources = [[w for w in writes if sk.events[r].matches(sk.events[w])] for r in reads]
            every = []
            for order in itertools.permutations(writes[1:]):
                co, later = [0] * sk.n, 0
                for w in reversed((writes[0], *order)):
                    co[w], later = later, later | 1 << w
                for choice in itertools.product(*sources):
                    rf = [0] * sk.n
                    for w, r in zip(choice, reads):
                        rf[w] |= 1 << r
                    if ok(Execution(sk, rf, co)):
                        every.append((choice, order))
            got = []
            for c in per_location_choices(sk, loc, ok):
                co = dict(c.co)
                order = sorted(writes[1:], key=lambda w: -bin(co.get(w, 0)).count("1"))
                got.append((tuple(w for r in reads for w, row in c.rf if row >> r & 1),
                            tuple(order)))  # fmt: skip
            assert got == every
            compared += len(every)
    assert compared
