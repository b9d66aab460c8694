"""Data races in the source models, as herd's rc11.cat flags them (`undefined_unless empty dr`).

    cnf = ((W * _) | (_ * W)) & loc \\ ((IW * _) | (_ * IW))
    dr  = (cnf & ext) \\ (hb | hb^-1 | A * A)

A race needs two threads' accesses to one location, at least one a write and at least one
plain (C's `*x`, herd's non-atomic), unordered by hb, in an execution the model allows. herd
keeps the racy execution's outcome and prints `Undef` with `Flag *undef*`; rc11 and c11 flag,
sc-source (herd's SC has no race check) does not.
"""

from __future__ import annotations

import pytest

from fencelab.litmus.parser import parse_text
from fencelab.models.source.rc11 import run_source
from fencelab.result import UNDEF


def c_test(name: str, init: str, p0: str, p1: str, cond: str) -> str:
    params = "(int* x, int* y, atomic_int* f)"
    return (f"C {name}\n\n{{ {init} }}\n\nP0 {params} {{\n{p0}\n}}\n\n"
            f"P1 {params} {{\n{p1}\n}}\n\n{cond}\n")  # fmt: skip


def run(text: str, model: str):
    return run_source(parse_text(text, "t.litmus"), model)


def states(result) -> set[str]:
    return {" ".join(f"{o.name if hasattr(o, 'name') else o}={v}" for o, v in s.outcome)
            for s in result.states}  # fmt: skip


SB_PLAIN = c_test("SB+plain", "int x = 0; int y = 0;", "  *x = 1;\n  int r0 = *y;",
                  "  *y = 1;\n  int r0 = *x;", "exists (0:r0=0 /\\ 1:r0=0)")  # fmt: skip


@pytest.mark.parametrize("model", ["rc11", "c11"])
def test_sb_with_plain_accesses_is_racy_and_keeps_every_outcome(model):
    result = run(SB_PLAIN, model)
    assert result.undefined and result.flags == (UNDEF,)
    assert result.result_word == "Undef"
    assert len(result.states) == 4  # herd keeps the racy executions' outcomes
    assert result.ok  # the condition's own verdict is still computed (herd's Observation)
    assert result.race.startswith("P0's plain write of x (line 6) and P1's plain read of x "
                                  "(line 12), unordered by hb")  # fmt: skip


def test_sc_source_flags_nothing_as_herds_sc_model():
    result = run(SB_PLAIN, "sc-source")
    assert not result.undefined and result.flags == () and result.race == ""
    assert result.result_word == "No"  # SC forbids SB's weak outcome


MP_REL_ACQ = c_test(
    "MP+plain+rel+acq", "int x = 0; atomic_int f = 0;",
    "  *x = 1;\n  atomic_store_explicit(f, 1, memory_order_release);",
    "  int r0 = atomic_load_explicit(f, memory_order_acquire);\n"
    "  int r1 = 9;\n  if (r0 == 1) { r1 = *x; }",
    "exists (1:r0=1 /\\ 1:r1=0)",
)


@pytest.mark.parametrize("model", ["rc11", "c11"])
def test_mp_with_plain_data_and_a_release_acquire_flag_is_race_free(model):
    result = run(MP_REL_ACQ, model)
    assert not result.undefined and result.flags == () and result.race == ""
    assert result.result_word == "No"
    # the plain read is ordered by hb only through the acquire: a relaxed flag races
    relaxed = MP_REL_ACQ.replace("memory_order_acquire", "memory_order_relaxed")
    assert run(relaxed, model).undefined


def test_two_atomics_never_race_and_two_plain_reads_never_conflict():
    both_atomic = SB_PLAIN.replace("*x = 1", "atomic_store_explicit(x, 1, memory_order_relaxed)")
    both_atomic = both_atomic.replace("*y = 1", "atomic_store_explicit(y, 1, memory_order_relaxed)")
    both_atomic = both_atomic.replace("= *y", "= atomic_load_explicit(y, memory_order_relaxed)")
    both_atomic = both_atomic.replace("= *x", "= atomic_load_explicit(x, memory_order_relaxed)")
    assert not run(both_atomic, "rc11").undefined
    # one atomic side is not enough: a plain read against an atomic write races
    one_plain = both_atomic.replace("int r0 = atomic_load_explicit(x, memory_order_relaxed)",
                                    "int r0 = *x")  # fmt: skip
    result = run(one_plain, "rc11")
    assert result.undefined and "P1's plain read of x" in result.race
    assert "P0's Relaxed write of x" in result.race
    reads = c_test("R+R", "int x = 0;", "  int r0 = *x;", "  int r0 = *x;", "exists (0:r0=0)")
    assert not run(reads, "rc11").undefined


# LB whose plain writes to y exist only in the thin-air execution (each thread reads the other's
# later store): rc11 forbids that execution (no-thin-air), so its race does not count; c11
# allows it, so c11 flags it.
LB_RACE = c_test(
    "LB+race-in-thin-air", "atomic_int x = 0; int y = 0; atomic_int f = 0;",
    "  int r0 = atomic_load_explicit(x, memory_order_relaxed);\n"
    "  if (r0 == 1) { *y = 1; atomic_store_explicit(f, 1, memory_order_relaxed); }",
    "  int r0 = atomic_load_explicit(f, memory_order_relaxed);\n"
    "  if (r0 == 1) { *y = 2; atomic_store_explicit(x, 1, memory_order_relaxed); }",
    "exists (0:r0=1 /\\ 1:r0=1)",
)


def test_a_race_only_in_an_execution_the_model_forbids_is_not_flagged():
    rc11 = run(LB_RACE, "rc11")
    assert not rc11.undefined and rc11.result_word == "No"
    c11 = run(LB_RACE, "c11")
    assert c11.undefined and c11.result_word == "Undef"
    assert "plain write of y" in c11.race and "0:r0=1; 1:r0=1;" in c11.race


def test_a_race_in_an_execution_whose_outcome_is_already_allowed_is_found():
    # The outcome names only a constant, so every execution has the same one: the first
    # (P1 reads f=0 and touches no x) is race-free, the racy one (f=1, then the plain read of
    # x unordered with P0's plain write) has an outcome already allowed, and must be checked.
    text = c_test(
        "MP+race-later", "int x = 0; atomic_int f = 0;",
        "  *x = 1;\n  atomic_store_explicit(f, 1, memory_order_relaxed);",
        "  int r2 = 5;\n  int r0 = atomic_load_explicit(f, memory_order_relaxed);\n"
        "  if (r0 == 1) { int r1 = *x; }",
        "forall (1:r2=5)",
    )
    result = run(text, "rc11")
    assert len(result.states) == 1
    assert result.undefined
    assert "P1's plain read of x" in result.race


def test_a_plain_read_takes_no_part_in_fence_synchronisation():
    # sw = [REL]; ([F]; sb)?; rs; rf; [R & atomic]; (sb; [F])?; [ACQ]: the plain read of the
    # flag before the acquire fence does not synchronise (herd allows 1:r0=1 /\ 1:r1=0, and
    # the flag's plain read races); with a relaxed atomic read it does (forbidden, no race).
    text = c_test(
        "MP+fences+plain-flag", "int x = 0; atomic_int f = 0;",
        "  *x = 1;\n  atomic_thread_fence(memory_order_release);\n"
        "  atomic_store_explicit(f, 1, memory_order_relaxed);",
        "  int r0 = *f;\n  atomic_thread_fence(memory_order_acquire);\n"
        "  int r1 = 9;\n  if (r0 == 1) { r1 = *x; }",
        "exists (1:r0=1 /\\ 1:r1=0)",
    )
    plain = run(text, "rc11")
    assert plain.undefined and plain.result_word == "Undef" and plain.positive == 1
    atomic = run(text.replace("int r0 = *f;",
                              "int r0 = atomic_load_explicit(f, memory_order_relaxed);"), "rc11")  # fmt: skip
    assert not atomic.undefined and atomic.result_word == "No"


def test_a_plain_store_does_not_head_a_release_sequence():
    # rs = [W]; (sb & loc)?; [W & atomic]; (rf; rmw)*: after a release fence, a plain store of
    # the flag does not release (the acquire reading it does not synchronise), an atomic one does
    text = c_test(
        "MP+fence.rel+plain-store", "int x = 0; atomic_int f = 0;",
        "  *x = 1;\n  atomic_thread_fence(memory_order_release);\n  *f = 1;",
        "  int r0 = atomic_load_explicit(f, memory_order_acquire);\n"
        "  int r1 = 9;\n  if (r0 == 1) { r1 = *x; }",
        "exists (1:r0=1 /\\ 1:r1=0)",
    )
    plain = run(text, "rc11")
    assert plain.undefined and plain.positive == 1
    atomic = run(text.replace("*f = 1;", "atomic_store_explicit(f, 1, memory_order_relaxed);"),
                 "rc11")  # fmt: skip
    assert not atomic.undefined and atomic.positive == 0


@pytest.mark.parametrize(("text", "model", "expected"), [
    (SB_PLAIN, "rc11", {True}),
    (MP_REL_ACQ, "rc11", {True, False}),
    (LB_RACE, "c11", {True, False}),  # c11: the condition's 1s are read, so *y = 1 happens
    (c_test("R+R+W", "int x = 0; int y = 0;", "  int r0 = *x;\n  *y = 1;",
            "  int r0 = *x;\n  int r1 = atomic_load_explicit(y, memory_order_relaxed);",
            "exists (1:r1=1)"), "rc11", {True}),
    (c_test("R+R", "int x = 0;", "  int r0 = *x;", "  int r0 = *x;", "exists (0:r0=0)"),
     "rc11", {False}),
])  # fmt: skip
def test_may_race_of_each_choice_of_paths_is_a_conflicting_pair_with_a_plain_access(
        text, model, expected):  # fmt: skip
    # Whether a choice of thread paths can race at all is known once per shape of the paths
    # (axioms.Static.may_race); it must be the pairwise definition: two threads' accesses to
    # one location, not both reads, at least one plain.
    from fencelab.models.source.rc11 import Candidates, _Enumerator, candidate_paths

    test = parse_text(text, "t.litmus")
    enumerator = _Enumerator(test, model)
    seen = set()
    for combo in candidate_paths(test, model):
        space = Candidates(enumerator, combo)
        events = [i for i in range(space.n) if space.tids[i] >= 0 and space.locs[i]]
        pairwise = any(
            space.tids[a] != space.tids[b] and space.locs[a] == space.locs[b]
            and (space.plain[a] or space.plain[b]) and space.kinds[a] + space.kinds[b] != "RR"
            for a in events for b in events)  # fmt: skip
        assert space.static.may_race == pairwise
        seen.add(pairwise)
    assert seen == expected
