"""The source-level models (RC11, C11 = RC11 without no-thin-air, SC) against published verdicts.

Expected verdicts come from Lahav et al., "Repairing Sequential Consistency in C/C++11" (PLDI
2017; RC11), Batty et al., "Mathematizing C++ Concurrency" (POPL 2011) and herd's C catalogue,
as the example files' opening comments cite them. `c11` here is RC11 without the no-thin-air
axiom (the C++20 / Rust reading), not Batty's original SC-order axiom.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fencelab.errors import FencelabError
from fencelab.litmus.ast import LocObs, RegObs
from fencelab.litmus.conditions import observables
from fencelab.litmus.parser import parse_file, parse_text
from fencelab.models.source.rc11 import run_source
from fencelab.pipeline import RunOptions, run_test
from tests.helpers import EXAMPLES

A, F, R = "Allowed", "Forbidden", "Required"

# (c11, rc11) per example, from the verdicts each file's opening comment cites.
EXPECTED = {
    "2+2W+rel": (A, A),
    "2+2W+rlx": (A, A),
    "2+2W+scs": (F, F),
    "CoRR": (F, F),
    "CoRW": (F, F),
    "CoWR": (F, F),
    "CoWW": (F, F),
    "IRIW+acq": (A, A),
    "IRIW+fences.sc": (F, F),
    "IRIW+rlx": (A, A),
    "IRIW+scs": (F, F),
    "ISA2+rel+acq": (F, F),
    "ISA2+rlx": (A, A),
    "LB+acq+rel": (F, F),
    "LB+datas": (A, F),
    "LB+rlx": (A, F),
    "MP+fence.rel+fence.acq": (F, F),
    "MP+rel+acq": (F, F),
    "MP+rel+rlx": (A, A),
    "MP+rlx": (A, A),
    "MP+rmw.rel+acq": (F, F),
    "MP+scs": (F, F),
    "R+fences.sc": (F, F),
    "R+rlx": (A, A),
    "R+scs": (F, F),
    "S+rel+acq": (F, F),
    "S+rlx": (A, A),
    "SB+fences.sc": (F, F),
    "SB+rel+acq": (A, A),
    "SB+rlx": (A, A),
    "SB+rmws.rlx": (A, A),
    "SB+scs": (F, F),
    "WRC+rel+acq": (F, F),
    "WRC+rlx": (A, A),
    "WRC+data+acq": (A, A),
    "counter+racy": (A, A),
    "counter": (R, R),
    "dcl": (F, F),
    "dekker+sc": (F, F),
    "flag+rlx": (A, A),
    "flag": (F, F),
    "peterson+rel+acq": (A, A),
    "peterson+sc": (F, F),
    "seqlock": (F, F),
    "spinlock+cas": (F, F),
    "spinlock+rlx": (A, A),
    "spinlock+swap": (F, F),
    "ticketlock": (F, F),
    "treiber+rlx": (A, A),
    "treiber": (F, F),
    # Rust only: the forms C does not have
    "MP+compiler_fences": (A, A),
    "MP+cas+if-let": (F, F),
    "MP+cas+match+rlx": (A, A),
    "counter+fetch_update": (F, F),
    "2RMW+fetch_max+cas": (F, F),
}

SOURCE_FILES = sorted((EXAMPLES / "c").glob("*.litmus")) + sorted(
    (EXAMPLES / "rust").glob("*.litmus")
)


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def test_every_example_has_an_expectation():
    assert SOURCE_FILES
    assert {p.stem for p in SOURCE_FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", SOURCE_FILES, ids=_id)
def test_expectation_table_agrees_with_the_file_comment(path):
    """Where the comment says `C11: Allowed.` / `RC11 Forbidden;`, the table says the same."""
    test = parse_file(path)
    text = " ".join(test.comments)
    c11, rc11 = EXPECTED[path.stem]
    for model, verdict in re.findall(r"(?<![A-Za-z])(R?C11):?\s+(Allowed|Forbidden)", text):
        assert verdict == (rc11 if model == "RC11" else c11), (model, verdict)


@pytest.mark.parametrize("path", SOURCE_FILES, ids=_id)
@pytest.mark.parametrize("model", ["c11", "rc11"])
def test_example_verdict(path, model):
    test = parse_file(path)
    result = run_source(test, model)
    expected = EXPECTED[path.stem][0 if model == "c11" else 1]
    assert result.verdict == expected
    assert result.engine == model and result.target == "" and result.mode == "axiomatic"
    obs = observables(test)
    for state in result.states:
        assert tuple(o for o, _ in state.outcome) == obs


# ---------------------------------------------------------------------------------------------
# Inline tests from the literature (Rust spelling; the parser is the same for C)


def _rust(name: str, body: str) -> str:
    return f"RUST {name}\n{body}"


def _verdicts(text: str) -> dict[str, str]:
    test = parse_text(text)
    return {m: run_source(test, m).verdict for m in ("c11", "rc11", "sc-source")}


def test_lb_outcome_sets_differ_only_by_the_thin_air_outcome():
    test = parse_file(EXAMPLES / "rust" / "LB+rlx.litmus")
    c11 = run_source(test, "c11").outcome_set()
    rc11 = run_source(test, "rc11").outcome_set()
    r0, r1 = RegObs(0, "r0"), RegObs(1, "r0")
    assert rc11 == {((r0, 0), (r1, 0)), ((r0, 0), (r1, 1)), ((r0, 1), (r1, 0))}
    assert c11 == rc11 | {((r0, 1), (r1, 1))}


def test_z6u_rc11_allows_what_batty_c11_forbade():
    """RC11 paper, section 2.1: the Power leading-sync mapping shows a=0, b=1, c=3 here.

    x=sc 1; y=rel 1 || b=FAI_sc(y); c=y_rlx || y=sc 3; a=x_sc. Batty's C11 forbids it (hb from
    x=1 to the FAI puts them in order in S); RC11 only orders SC events through hb when both
    ends are sb-linked to other locations (sb|≠loc; hb; sb|≠loc), so it allows it.
    """
    text = _rust(
        "Z6.U",
        """{ x = 0; y = 0; }
P0 { x.store(1, SeqCst); y.store(1, Release); }
P1 { let b = y.fetch_add(1, SeqCst); let c = y.load(Relaxed); }
P2 { y.store(3, SeqCst); let a = x.load(SeqCst); }
exists (1:b=1 /\\ 1:c=3 /\\ 2:a=0)
""",
    )
    assert _verdicts(text) == {"c11": A, "rc11": A, "sc-source": F}


def test_sc_fence_orders_against_sc_accesses():
    """SB with a SeqCst fence on one side and SeqCst accesses on the other: psc has a cycle."""
    text = _rust(
        "SB+fence.sc+scs",
        """{ x = 0; y = 0; }
P0 { x.store(1, Relaxed); fence(SeqCst); let r0 = y.load(Relaxed); }
P1 { y.store(1, SeqCst); let r0 = x.load(SeqCst); }
exists (0:r0=0 /\\ 1:r0=0)
""",
    )
    assert _verdicts(text) == {"c11": F, "rc11": F, "sc-source": F}
    one_fence = text.replace("fence(SeqCst); ", "").replace("SB+fence.sc+scs", "SB+rlx+scs")
    assert _verdicts(one_fence) == {"c11": A, "rc11": A, "sc-source": F}


_MP_RS = """{ x = 0; y = 0; }
P0 { x.store(1, Relaxed); y.store(1, Release); EXTRA0 }
P1 { EXTRA1 }
P2 { let r0 = y.load(Acquire); let r1 = x.load(Relaxed); }
exists (2:r0=2 /\\ 2:r1=0)
"""


@pytest.mark.parametrize(
    "extra0, extra1, expected",
    [
        # a later store of the releasing thread continues its release sequence
        ("y.store(2, Relaxed);", "let z = 0;", F),
        # another thread's RMW continues it (rf; rmw)
        ("", "y.fetch_add(1, Relaxed);", F),
        # another thread's plain store does not (RC11 / C++20 release sequences)
        ("", "let r = y.load(Relaxed); if r == 1 { y.store(2, Relaxed); }", A),
    ],
    ids=["same-thread-store", "other-thread-rmw", "other-thread-store"],
)
def test_release_sequences(extra0, extra1, expected):
    text = _rust("MP+rs", _MP_RS.replace("EXTRA0", extra0).replace("EXTRA1", extra1))
    verdicts = _verdicts(text)
    assert verdicts["rc11"] == expected and verdicts["c11"] == expected
    assert verdicts["sc-source"] == F


def test_rmw_counter_never_loses_an_increment():
    test = parse_file(EXAMPLES / "c" / "counter.litmus")
    for model in ("c11", "rc11", "sc-source"):
        result = run_source(test, model)
        assert result.outcome_set() == {((LocObs("count"), 2),)}


def test_weak_cas_may_fail_spuriously_strong_may_not():
    body = """{ x = 0; }
P0 { let r0 = x.METHOD(0, 1, Relaxed, Relaxed).unwrap_or_else(|v| v); }
exists (0:r0=0 /\\ [x]=0)
"""
    weak = _verdicts(_rust("cas-weak", body.replace("METHOD", "compare_exchange_weak")))
    strong = _verdicts(_rust("cas-strong", body.replace("METHOD", "compare_exchange")))
    assert weak == {"c11": A, "rc11": A, "sc-source": A}
    assert strong == {"c11": F, "rc11": F, "sc-source": F}


def test_failed_cas_is_a_read_with_the_failure_ordering():
    """MP where the flag is read by a failing CAS: Acquire failure syncs, Relaxed does not."""
    body = """{ x = 0; y = 0; }
P0 { x.store(1, Relaxed); y.store(1, Release); }
P1 { let r0 = y.compare_exchange(5, 6, Acquire, FAIL).unwrap_or_else(|v| v); let r1 = x.load(Relaxed); }
exists (1:r0=1 /\\ 1:r1=0)
"""
    assert _verdicts(_rust("cas-acq", body.replace("FAIL", "Acquire")))["rc11"] == F
    assert _verdicts(_rust("cas-rlx", body.replace("FAIL", "Relaxed")))["rc11"] == A


def test_spin_loops_are_budget_exhausted_not_outcomes():
    test = parse_file(EXAMPLES / "rust" / "flag.litmus")
    result = run_source(test, "rc11")
    assert result.budget_exhausted > 0  # P1 may spin forever on ready == 0
    # a spin's repetitions add no behaviour: those executions hide no outcome (the checker
    # judges every outcome against the states, fencelab/checker/core.py)
    assert result.cut_unexplored == 0 and result.cut_by == ()
    r1 = RegObs(1, "r1")
    assert result.outcome_set() == {((r1, 1), (RegObs(1, "r0"), 42))}


def test_unroll_bound_is_reported_when_it_cuts_executions():
    text = _rust(
        "retry",
        """{ x = 0; }
P0 { let mut n = 0; while x.swap(1, Relaxed) == 1 { n = n + 1; } }
P1 { x.store(1, Relaxed); x.store(0, Relaxed); }
exists (0:n=0)
""",
    )
    test = parse_text(text)
    # P0 retries while it swaps in over a 1; P1's store of 0 ends the loop. Two retries fit
    # in unroll=2; three swaps reading 1 (P1's 1, then P0's own) are cut and only counted.
    result = run_source(test, "rc11", unroll=2)
    assert result.budget_exhausted > 0
    assert result.cut_unexplored == result.budget_exhausted  # cut at the bound, none spun
    assert result.cut_by == ("unroll",)  # (not the step budget: raising it would not help)
    assert {dict(s.outcome)[RegObs(0, "n")] for s in result.states} == {0, 1, 2}
    wider = run_source(test, "rc11", unroll=3)
    assert {dict(s.outcome)[RegObs(0, "n")] for s in wider.states} == {0, 1, 2, 3}


# ---------------------------------------------------------------------------------------------
# Cross-checks: SC three ways


SC_ONLY = ["2+2W+scs", "IRIW+scs", "MP+scs", "R+scs", "SB+scs"]


@pytest.mark.parametrize("name", SC_ONLY)
def test_seqcst_only_tests_get_sc_outcomes_from_rc11(name):
    test = parse_file(EXAMPLES / "c" / f"{name}.litmus")
    sc = run_source(test, "sc-source").outcome_set()
    assert run_source(test, "c11").outcome_set() == sc
    assert run_source(test, "rc11").outcome_set() == sc


C_FILES = sorted((EXAMPLES / "c").glob("*.litmus"))


@pytest.mark.parametrize("path", C_FILES, ids=_id)
def test_source_sc_equals_the_sc_machine_on_x86_64(path):
    """Whatever the orderings, SC judged on the source equals the SC machine on compiled code."""
    test = parse_file(path)
    machine = run_test(test, RunOptions.named(model="sc", target="x86_64"))
    source = run_source(test, "sc-source")
    assert source.outcome_set() == machine.outcome_set()
    assert (source.budget_exhausted > 0) == (machine.budget_exhausted > 0)


# ---------------------------------------------------------------------------------------------
# The run pipeline


def test_run_test_dispatches_source_models():
    test = parse_file(EXAMPLES / "c" / "SB+rlx.litmus")
    result = run_test(test, RunOptions.named(model="rc11"))
    assert result.engine == "rc11" and result.target == "" and result.mode == "axiomatic"
    assert result.verdict == A
    assert run_test(test, RunOptions.named(model="sc-source")).verdict == F


@pytest.mark.parametrize(
    "options, message",
    [
        (RunOptions.named(model="rc11", target="armv8"), "takes no --target"),
        (RunOptions.named(model="c11", mode="random"), "axiomatic"),
    ],
)
def test_run_test_refuses_what_source_models_cannot_do(options, message):
    test = parse_file(EXAMPLES / "c" / "SB+rlx.litmus")
    with pytest.raises(FencelabError, match=message):
        run_test(test, options)


def test_source_models_refuse_assembly_tests():
    test = parse_file(EXAMPLES / "aarch64" / "SB.litmus")
    with pytest.raises(FencelabError, match="judges source tests"):
        run_test(test, RunOptions.named(model="rc11"))


@pytest.mark.parametrize("name", ["CoRR", "MP+rmw.rel+acq", "dcl", "ticketlock", "seqlock"])
def test_location_choices_per_location_are_those_of_the_whole_candidate(name):
    # The judgement finds each location's coherent (rf, mo) choices from that location's
    # accesses alone (numbered on their own, remembered across choices of thread paths) and
    # drops a choice of paths as soon as one location has none, before laying its events out:
    # the choices must be exactly those found over the whole candidate's events.
    from fencelab.models.source.rc11 import (
        Candidates,
        _Enumerator,
        _location_choices,
        candidate_paths,
    )

    test = parse_file(EXAMPLES / "c" / f"{name}.litmus")
    enumerator = _Enumerator(test, "rc11")
    dropped = kept = 0
    for combo in candidate_paths(test, "rc11", coherent_reads=False):  # (all: some dropped)
        space = Candidates(enumerator, combo)
        whole = [list(_location_choices(space.n, loc, space.kinds, space.locs, space.tids,
                                        space.rvals, space.wvals))
                 for loc in enumerator.locations]  # fmt: skip
        if any(not choices for choices in whole):
            assert space.per_loc is None
            dropped += 1
        else:
            assert [[c[:2] for c in choices] for choices in space.per_loc] == whole
            kept += 1
    assert kept and dropped


def test_thread_paths_one_run_a_path_in_the_order_of_choices(monkeypatch):
    """A run takes the first option at each new choice and leaves the others to later runs
    (models/source/paths.py, thread_paths): one run a path, none for a choice point alone,
    and the paths in the order of their choices (the first read's value varying slowest)."""
    from fencelab.models.source import paths as source_paths

    test = parse_text("""C two-reads
{ atomic_int x=0; atomic_int y=0; }
P0 (atomic_int* x, atomic_int* y) {
  int r0 = atomic_load_explicit(x, memory_order_relaxed);
  if (r0 == 1) { atomic_store_explicit(y, 2, memory_order_relaxed); }
  int r1 = atomic_load_explicit(y, memory_order_relaxed);
}
exists (0:r0=1)
""", "two-reads")
    runs = []
    run = source_paths._Runner.run
    monkeypatch.setattr(source_paths._Runner, "run", lambda self: runs.append(1) or run(self))
    domains = {"x": (0, 1), "y": (0, 2, 3)}
    found = source_paths.thread_paths(test, test.threads[0], domains)
    reads = [tuple(e.rval for e in p.events if e.kind == "R") for p in found]
    assert reads == [(0, 0), (0, 2), (0, 3), (1, 0), (1, 2), (1, 3)]
    assert [len(p.events) for p in found] == [2, 2, 2, 3, 3, 3]
    assert len(runs) == len(found)  # (the runs that only met a choice were 3 more)


def test_thread_paths_tree_runs_only_what_new_values_add(monkeypatch):
    """With a `PathTree` (the `source-paths-tree` reduction), a thread's paths over larger
    domains are those found without it, in the same order, and only the runs that take a
    value new in the domains run the body (models/source/paths.py, thread_paths); a weak CAS
    gains its spurious failure when its expected value enters the domain."""
    from fencelab.models.source import paths as source_paths

    test = parse_text("""C tree
{ atomic_int x=0; atomic_int y=0; }
P0 (atomic_int* x, atomic_int* y) {
  int r0 = atomic_load_explicit(x, memory_order_relaxed);
  if (r0 != 0) { atomic_store_explicit(y, r0, memory_order_relaxed); }
  int r1 = 2;
  int r2 = atomic_compare_exchange_weak_explicit(y, &r1, 3, memory_order_relaxed, memory_order_relaxed);
}
exists (0:r0=1)
""", "tree")
    runs = []
    run = source_paths._Runner.run
    monkeypatch.setattr(source_paths._Runner, "run", lambda self: runs.append(1) or run(self))

    def shown(paths):
        return [(p.events, p.env, p.complete) for p in paths]

    tree = source_paths.PathTree()
    thread = test.threads[0]
    rounds = [{"x": (0,), "y": (0,)}, {"x": (0, 1), "y": (0, 1)}, {"x": (0, 1), "y": (0, 1, 2, 3)}]
    for k, domains in enumerate(rounds):
        runs.clear()
        plain = source_paths.thread_paths(test, thread, domains)
        alone = len(runs)
        runs.clear()
        assert shown(source_paths.thread_paths(test, thread, domains, tree=tree)) == shown(plain)
        assert len(runs) < alone if k else len(runs) == alone  # (the tree starts empty)
    assert any(e.kind == "R" and e.rval == 2 for p in plain for e in p.events)  # spurious
    assert len(plain) == 2 * 5  # x: 2 values; y: 4 values and the spurious failure
    runs.clear()
    again = source_paths.thread_paths(test, thread, rounds[-1], tree=tree)
    assert shown(again) == shown(plain) and runs == []  # every run in the tree already
