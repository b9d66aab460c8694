"""Every reduction keeps every outcome: runs with and without each one give the same outcome sets.

The reductions (fencelab/reduce.py) are compared here on every example, each one turned off
alone where it acts and all of them together, and on a slice of generated loop-free tests of
every family; bench/compare_reductions.py runs the full comparison offline. An outcome set is
compared whole, with whether some execution hit the step budget.
"""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner

from fencelab import reduce
from fencelab.cli import main
from fencelab.errors import FencelabError
from fencelab.gen import cycles
from fencelab.gen.families import generate
from fencelab.hw.native import host_arch
from fencelab.litmus.parser import parse_file, parse_text
from fencelab.litmus.printer import format_state
from fencelab.models.operational.arm import model as arm_model
from fencelab.models.operational.arm.project import dead_reads
from fencelab.pipeline import Pipeline, RunOptions
from fencelab.program.load import load
from tests.helpers import EXAMPLES as EXAMPLE_DIR
from tests.helpers import c_tests

EXAMPLES = sorted(EXAMPLE_DIR.rglob("*.litmus"))
# where each reduction acts: the examples it is compared on when turned off alone
ACTS_ON = {
    "reuse": ("x86_64", "aarch64", "arm", "c"),
    "finished-threads": ("x86_64", "aarch64", "arm"),
    "arm-sequential": ("aarch64", "arm"),
    "certify-share": ("aarch64", "arm"),
    "certify-dead-reads": ("aarch64", "arm"),
    "axiomatic-dead-reads": (),  # the default models are operational: compared under the
    # axiomatic ones in tests/models/test_axiomatic_dead_reads.py
    "axiomatic-coherence-po": (),  # the same: tests/models/test_axiomatic_cuts.py
    "axiomatic-byte-values": (),
    "certify-count": ("aarch64", "arm"),
    "promise-merge": ("aarch64", "arm"),
    "threads-apart": ("aarch64", "arm"),
    "tso-local-first": ("x86_64", "rust"),
    "tso-persistent": ("x86_64", "rust"),
    "step-effects": ("x86_64", "rust", "aarch64"),
    "tso-step": ("x86_64", "rust"),
    "tso-interned": ("x86_64", "rust"),
    "armv7-dmb-earliest": ("arm",),
    "armv7-threads-apart": ("arm",),
    "armv7-certify-share": ("arm",),
    "armv7-certify-barriers": ("arm",),
    "armv7-commit-order": ("arm",),
    "armv7-quiet-earliest": ("arm",),
    "armv7-dead-commits": ("arm",),
    "armv7-commit-deps": ("arm",),
    "armv7-viable-commits": ("arm",),
    "armv7-solo-gaps": ("arm",),
    "armv7-solo-heads": ("arm",),
    "armv7-guess-branches": ("arm",),  # (no example there guesses: compared on compiled
    # and looping shapes in tests/models/test_armv7_guess_branches.py)
    "armv7-exec-unfulfilled": ("arm",),
    "armv7-certify-locations": ("arm",),
    "armv7-unread-earliest": ("arm",),
    "armv7-room-complete": ("arm",),
    "armv7-exec-order": ("arm",),
    "armv7-certify-written": ("arm",),
    "armv7-commit-direct": ("arm",),
    "source-paths-reuse": ("c",),
    "source-paths-tree": ("c",),
    "source-other-writes": ("c",),
    "source-own-coherence": ("c",),
    "source-own-reads": ("c",),
    "source-rmw-chains": ("c",),
    "source-axioms": ("c",),
    "source-sb-coherence": ("c",),
    "source-dead-prefix": ("c",),
    "source-open-prefix": ("c",),
    "source-rf-share": ("c",),
}
MODELS = {"C": "rc11"}


def outcomes(test, options: RunOptions, off=()) -> tuple:
    reduce.set_disabled(off)
    try:
        result = Pipeline().run(test, options)
    except FencelabError as e:
        return ("error", str(e))
    finally:
        reduce.enable_all()
    return frozenset(s.outcome for s in result.states), result.budget_exhausted > 0


def test_every_reduction_is_listed_where_it_acts():
    assert set(ACTS_ON) == set(reduce.REDUCTIONS)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_example_same_outcomes_without_any_reduction(path):
    test = parse_file(path)
    assert outcomes(test, RunOptions()) == outcomes(test, RunOptions(), ["all"])


@pytest.mark.parametrize("name", sorted(ACTS_ON))
def test_examples_same_outcomes_without_each_reduction(name):
    differ = []
    for path in EXAMPLES:
        if path.parent.name not in ACTS_ON[name]:
            continue
        test = parse_file(path)
        if outcomes(test, RunOptions()) != outcomes(test, RunOptions(), [name]):
            differ.append(path.name)
    assert differ == []


@pytest.mark.parametrize("family", ["x86_64", "AArch64", "ARM", "C"])
def test_generated_same_outcomes_without_any_reduction(family):
    """A slice of the offline comparison (bench/compare_reductions.py): 12 generated loop-free
    tests a family, of 2 and 3 threads (the 4-thread ones take too long without reductions)."""
    options = RunOptions.named(model=MODELS.get(family))
    differ = []
    for i in range(12):
        text = generate(family, 1000 + i, threads=2 + i % 2, ops=(1, 2, 2, 3))
        test = parse_text(text, f"<gen {family} {i}>")
        if outcomes(test, options) != outcomes(test, options, ["all"]):
            differ.append(i)
    assert differ == []


@pytest.mark.parametrize("family", ["x86_64", "AArch64", "ARM", "C"])
def test_diy_tests_same_outcomes_without_any_reduction(family):
    """diy7-style tests (fencelab/gen/cycles.py; two threads for ARM, whose unreduced runs of
    three take long)."""
    options = RunOptions.named(model=MODELS.get(family))
    differ = []
    for i in range(10):
        text = cycles.generate(family, 2000 + i, threads=2 if family == "ARM" else None)
        test = parse_text(text, f"<diy {family} {i}>")
        if outcomes(test, options) != outcomes(test, options, ["all"]):
            differ.append(text.split()[1])
    assert differ == []


@pytest.mark.parametrize("off", [[], ["tso-persistent"]], ids=["persistent", "local-first"])
def test_tso_moves_told_before_any_move_is_made_same_search(monkeypatch, off):
    """`TSO.alone` (the first rule of `tso-local-first`) and `TSO.persistent`, applied before
    the machine makes every core's move, lead the search through exactly the states,
    transitions and outcomes that making every move and then `select` does."""
    from fencelab.models.operational.tso import TSO

    tests = [parse_file(p) for p in EXAMPLES if p.parent.name == "x86_64"]
    tests += [parse_text(t, "diy") for t in cycles.generate_many("x86_64", 25, seed=5)]

    def search(test):
        reduce.set_disabled(off)
        try:
            r = Pipeline().run(test, RunOptions())
        finally:
            reduce.enable_all()
        return frozenset(s.outcome for s in r.states), r.explored_states, r.transitions

    told = [search(t) for t in tests]
    monkeypatch.setattr(TSO, "alone", lambda self, program, state: None)
    monkeypatch.setattr(TSO, "persistent", lambda self, program, state: None)
    made = [search(t) for t in tests]
    assert told == made
    assert len(tests) > 30


def test_tso_persistent_sets_keep_every_outcome_and_cut_states():
    """`tso-persistent` against the search without it, on herd's x86 tests, generated and
    diy7-style x86 tests (2-4 threads): the same outcome sets (and budget hits), and fewer
    states in all (SB: 27 states without it, 15 with it)."""
    from tests.helpers import HERD_DATA as HERD

    tests = [parse_file(p) for d in ("x86", "x86_64") for p in sorted((HERD / d).glob("*.litmus"))]
    tests += [parse_text(generate("x86_64", 3000 + i), f"<gen {i}>") for i in range(30)]
    tests += [parse_text(t, f"<diy {i}>")
              for i, t in enumerate(cycles.generate_many("x86_64", 40, seed=11))]  # fmt: skip
    differ, states = [], {True: 0, False: 0}
    for test in tests:
        found = {}
        for on in (True, False):
            reduce.set_disabled([] if on else ["tso-persistent"])
            try:
                r = Pipeline().run(test, RunOptions())
            finally:
                reduce.enable_all()
            found[on] = frozenset(s.outcome for s in r.states), r.budget_exhausted
            states[on] += r.explored_states
        if found[True] != found[False]:
            differ.append(test.name)
    assert differ == []
    assert states[True] < 0.85 * states[False]
    sb = parse_file(EXAMPLE_DIR / "x86_64" / "SB.litmus")
    assert Pipeline().run(sb, RunOptions()).explored_states == 15


def test_tso_sets_shared_across_programs_change_no_search():
    """The persistent sets' plans and tables that `reuse` remembers across programs (by a
    core's code and the locations' addresses, by the plans) give every x86 test the search
    it gets alone: diy7-style and generated tests run after one another, in two orders, with
    `reuse` on, explore the same states and transitions and find the same outcomes and
    witnesses as each run with `reuse` off (nothing remembered across them)."""
    from fencelab.models.operational import tso

    texts = list(cycles.generate_many("x86_64", 30, seed=21))
    texts += [generate("x86_64", 4100 + i) for i in range(15)]

    def search(text):
        r = Pipeline().run(parse_text(text, "<t>"), RunOptions())
        return (r.explored_states, r.transitions, r.budget_exhausted,
                sorted((format_state(s.outcome), s.witness) for s in r.states))  # fmt: skip

    reduce.set_disabled(["reuse"])
    try:
        alone = [search(t) for t in texts]
    finally:
        reduce.enable_all()
    tso._CORE_PLANS.clear()
    tso._PLAN_TABLES.clear()
    tso._PERSISTENT_SETS.clear()
    shared = [search(t) for t in texts]
    backwards = [search(t) for t in reversed(texts)][::-1]
    assert shared == alone
    assert backwards == alone
    assert tso._CORE_PLANS and tso._PLAN_TABLES  # (remembered: the runs did share them)
    assert sum(states for states, *_ in alone) > 600


def test_reductions_do_cut_work():
    """With the reductions on, a write-only and an exclusive load-buffering shape explore far
    fewer states (the shapes the guide measured as 2-5 s before)."""
    lb = parse_text("""AArch64 LB+rmws
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0                | P1                ;
 LDXR W0,[X1]      | LDXR W0,[X1]      ;
 STXR W4,W2,[X1]   | STXR W4,W2,[X1]   ;
 MOV W2,#1         | MOV W2,#1         ;
 STR W2,[X3]       | STR W2,[X3]       ;
exists (0:X0=1 /\\ 1:X0=1)
""")
    reduced = Pipeline().run(lb, RunOptions())
    reduce.set_disabled(["all"])
    try:
        full = Pipeline().run(lb, RunOptions())
    finally:
        reduce.enable_all()
    assert {s.outcome for s in reduced.states} == {s.outcome for s in full.states}
    assert reduced.explored_states * 2 < full.explored_states


def test_unknown_reduction_is_refused():
    result = CliRunner().invoke(main, ["run", str(EXAMPLES[0]), "--no-reduce", "nope"])
    assert result.exit_code == 2
    assert "unknown reduction 'nope'" in result.output


def test_no_reduce_option_and_environment(monkeypatch):
    sb = str(EXAMPLE_DIR / "x86_64" / "SB.litmus")
    on = CliRunner().invoke(main, ["run", sb, "-j", "1"])
    off = CliRunner().invoke(main, ["run", sb, "-j", "1", "--no-reduce", "all"])
    assert reduce.disabled() == set()  # for that run only
    assert on.exit_code == off.exit_code == 0
    states = [line for line in on.output.splitlines() if line.startswith("0:")]
    assert states == [line for line in off.output.splitlines() if line.startswith("0:")]
    assert _explored(on.output) < _explored(off.output)
    monkeypatch.setenv(reduce.ENV, "tso-local-first,finished-threads")
    assert reduce._from_env() == {"tso-local-first", "finished-threads"}
    monkeypatch.setenv(reduce.ENV, "all")
    assert reduce._from_env() == set(reduce.REDUCTIONS)


def _explored(output: str) -> int:
    line = next(ln for ln in output.splitlines() if ln.startswith("# Explored"))
    return int(line.split()[2])


@pytest.mark.parametrize("command", ["graph", "tui", "hw"])
def test_commands_that_explore_in_this_process_take_no_reduce(command):
    sb = str(EXAMPLE_DIR / "x86_64" / "SB.litmus")
    result = CliRunner().invoke(main, [command, sb, "--no-reduce", "nope"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "unknown reduction 'nope'" in result.output


@pytest.mark.skipif(host_arch() != "X86_64" or not any(map(shutil.which, ("cc", "gcc", "clang"))),
                    reason="runs SB natively on an x86-64 CPU")  # fmt: skip
def test_no_reduce_acts_in_hw_and_only_while_it_runs():
    """The unreduced tso search of SB takes 34 states, the reduced one 15: under a limit of 30
    the model's outcome set is complete only with the reductions on."""
    sb = str(EXAMPLE_DIR / "x86_64" / "SB.litmus")
    runs = ["hw", sb, "--runs", "100", "--max-states", "30"]
    on = CliRunner().invoke(main, runs)
    off = CliRunner().invoke(main, [*runs, "--no-reduce", "tso-local-first",
                                    "--no-reduce", "tso-persistent"])
    assert reduce.disabled() == set()
    assert on.exit_code == off.exit_code == 0
    assert "partial: state limit 30 reached" not in on.output
    assert "partial: state limit 30 reached" in off.output


# `certify-dead-reads` (arm/project.py): a load whose registers nothing reads again, with no
# DMB/DSB or release after it, in a loop-free thread; certification leaves out other threads'
# writes to a location only such loads read. Each case stresses one way it could go wrong.
DEAD_READS = {
    # the location is written after the dead read (its coherence then matters): redone
    "dead-then-write": """AArch64 dead-then-write
{ 0:X1=y; 0:X3=x; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 LDR W0,[X1] | MOV W2,#2   ;
 MOV W2,#1   | STR W2,[X1] ;
 STR W2,[X1] | LDR W0,[X3] ;
 STR W2,[X3] |             ;
exists (0:X0=2 /\\ 1:X0=0 /\\ y=2)
""",
    # written before it
    "write-then-dead": """AArch64 write-then-dead
{ 0:X1=y; 0:X3=x; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W2,#1   | MOV W2,#2   ;
 STR W2,[X3] | STR W2,[X1] ;
 STR W2,[X1] | DMB SY      ;
 LDR W0,[X1] | LDR W0,[X3] ;
exists (0:X0=2 /\\ 1:X0=0 /\\ y=1)
""",
    # read again by a load that is not dead (a branch reads its register)
    "dead-then-live": """AArch64 dead-then-live
{ 0:X1=y; 0:X3=x; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 LDR W0,[X1] | MOV W2,#1   ;
 LDR W4,[X1] | STR W2,[X3] ;
 CBNZ W4,L0  | DMB SY      ;
 L0:         | STR W2,[X1] ;
 MOV W2,#2   |             ;
 STR W2,[X3] |             ;
exists (0:X0=1 /\\ 0:X4=0 /\\ x=1)
""",
    # a thread that reads every location, only by dead reads (GEN-AArch64-555-0's shape)
    "reads-all": """AArch64 reads-all
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=z; 2:X1=x; 2:X2=y; 2:X3=z; 2:X5=w; }
 P0          | P1          | P2          ;
 MOV W2,#1   | MOV W2,#1   | LDR W0,[X1] ;
 STR W2,[X1] | STR W2,[X3] | LDR W4,[X2] ;
 MOV W2,#2   |             | MOV W6,#1   ;
 STR W2,[X3] |             | STR W6,[X5] ;
             |             | LDR W7,[X3] ;
exists (2:X0=1 /\\ 2:X4=0 /\\ 2:X7=1)
""",
    # a load whose value is written elsewhere is not dead (else P0 could not promise x=2)
    "value-flows": """AArch64 value-flows
{ 0:X1=y; 0:X3=x; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 LDR W0,[X1] | MOV W2,#2   ;
 STR W0,[X3] | STR W2,[X1] ;
             | LDR W4,[X3] ;
exists (1:X4=2)
""",
    # a DMB after a load keeps it live; the last load, dead, is followed by a write there
    "dmb-after": """AArch64 dmb-after
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0           | P1          ;
 MOV W2,#1    | LDR W0,[X1] ;
 STR W2,[X1]  | DMB LD      ;
 STLR W2,[X3] | LDR W4,[X3] ;
              | STR W2,[X3] ;
exists (1:X0=1 /\\ 1:X4=0)
""",
}


def test_dead_reads_are_the_loads_nothing_depends_on():
    found = {}
    for name in ("reads-all", "dmb-after", "dead-then-live"):
        program = load(parse_text(DEAD_READS[name], name))
        found[name] = [[program.threads[t].core.infos[a].text for a in
                        sorted(dead_reads(program.threads[t].core.infos, program.has_loop(t)))]
                       for t in range(len(program.threads))]  # fmt: skip
    assert found["reads-all"] == [[], [], ["ldr w0, [x1]", "ldr w4, [x2]", "ldr w7, [x3]"]]
    assert found["dmb-after"] == [[], ["ldr w4, [x3]"]]  # the first: a DMB follows
    assert found["dead-then-live"] == [["ldr w0, [x1]"], []]  # the second: a branch reads w4
    looping = load(parse_file(EXAMPLE_DIR / "aarch64" / "counter+ldxr-stxr.litmus"))
    assert all(dead_reads(t.core.infos, True) == frozenset() for t in looping.threads)
    indirect = load(parse_text("""AArch64 indirect
{ 0:X1=x; 0:X5=y; }
 P0          ;
 ADR X3,L0   ;
 LDR W0,[X1] ;
 BR X3       ;
 L0:         ;
 STR W2,[X5] ;
exists (0:X0=0)
""", "indirect"))
    assert dead_reads(indirect.threads[0].core.infos, indirect.has_loop(0)) == frozenset()


def _everything(test, off=()) -> tuple:
    """Outcomes with their witnesses, states and transitions: what `fencelab run` prints."""
    reduce.set_disabled(off)
    try:
        r = Pipeline().run(test, RunOptions())
    finally:
        reduce.enable_all()
    return ([(s.outcome, s.witness) for s in r.states], r.explored_states, r.transitions,
            r.budget_exhausted)  # fmt: skip


def test_certify_dead_reads_changes_nothing_but_the_work(monkeypatch):
    """Byte for byte the same results (witnesses and state counts too: only certification is
    shared) on its stress cases, the AArch64 examples and generated tests, and the same
    outcomes as with no reduction at all; and far fewer certification runs where a thread reads
    every location."""
    tests = [parse_text(text, name) for name, text in DEAD_READS.items()]
    tests += [parse_file(p) for p in EXAMPLES if p.parent.name == "aarch64"]
    tests += [parse_text(generate("AArch64", 2000 + i, threads=3 + i % 2, ops=(1, 2, 2, 3)), f"g{i}")
              for i in range(12)]  # fmt: skip
    differ = [t.name for t in tests
              if _everything(t) != _everything(t, ["certify-dead-reads"])]  # fmt: skip
    assert differ == []
    for name in DEAD_READS:
        test = parse_text(DEAD_READS[name], name)
        assert outcomes(test, RunOptions()) == outcomes(test, RunOptions(), ["all"]), name
    runs = []
    certify = arm_model.explore_alone
    monkeypatch.setattr(arm_model, "explore_alone",
                        lambda ctx, *a: runs.append(ctx.tid) or certify(ctx, *a))  # fmt: skip
    reads_all = parse_text(DEAD_READS["reads-all"], "reads-all")
    _everything(reads_all)
    reduced = runs.count(2)
    runs.clear()
    _everything(reads_all, ["certify-dead-reads"])
    assert reduced * 10 < runs.count(2)


def _c_tests() -> list:
    """Every C example, herd's C tests (those fencelab reads), diy7-style and generated C tests."""
    return c_tests(diy=(12, 7), generated=(12, 4000))


def _source_reduction_work(name: str, calls: list) -> dict[bool, int]:
    """Run `_c_tests()` under rc11, c11 and sc-source with reduction `name` on and off: the
    results (outcomes with their witnesses, candidates checked, budget hits, flags, races) must
    be the same; the work each way is how many entries the run added to `calls`."""
    def results(test, model, off):
        reduce.set_disabled(off)
        try:
            r = Pipeline().run(test, RunOptions.named(model=model))
        except FencelabError as e:
            return ("error", str(e))
        finally:
            reduce.enable_all()
        return ([(s.outcome, s.witness) for s in r.states], r.explored_states,
                r.budget_exhausted, r.flags, r.race)  # fmt: skip

    tests = _c_tests()
    assert len(tests) > 70
    differ, work = [], {True: 0, False: 0}
    for model in ("rc11", "c11", "sc-source"):
        for test in tests:
            found = {}
            for on in (True, False):
                before = len(calls)
                found[on] = results(test, model, [] if on else [name])
                work[on] += len(calls) - before
            if found[True] != found[False]:
                differ.append((model, test.name))
    assert differ == []
    return work


def test_source_paths_reuse_changes_nothing_but_the_work(monkeypatch):
    """`source-paths-reuse` (models/source/paths.py, value_domains) on `_c_tests()`: the same
    results with it and without it, and fewer searches of a thread's paths with it."""
    from fencelab.models.source import paths as source_paths

    searches = []
    search = source_paths.thread_paths
    monkeypatch.setattr(source_paths, "thread_paths",
                        lambda *a, **k: searches.append(1) or search(*a, **k))  # fmt: skip
    work = _source_reduction_work("source-paths-reuse", searches)
    assert work[True] < 0.9 * work[False]  # 1268 against 1534


def test_source_paths_tree_changes_nothing_but_the_work(monkeypatch):
    """`source-paths-tree` (models/source/paths.py, thread_paths) on `_c_tests()`: the same
    results with it and without it, and fewer runs of a thread body with it."""
    from fencelab.models.source import paths as source_paths

    runs = []
    run = source_paths._Runner.run
    monkeypatch.setattr(source_paths._Runner, "run", lambda self: runs.append(1) or run(self))
    work = _source_reduction_work("source-paths-tree", runs)
    assert work[True] < 0.8 * work[False]


def test_source_own_reads_changes_nothing_but_the_work(monkeypatch):
    """`source-own-reads` (models/source/paths.py, _own_reads) on `_c_tests()`: the same
    results with it and without it (witnesses and candidates too), and fewer runs of a thread
    body with it; one thread of four RMWs on one location, 20,000 paths without it (and
    without `source-rmw-chains`, which keeps them few too), runs."""
    from fencelab.models.source import paths as source_paths

    runs = []
    run = source_paths._Runner.run
    monkeypatch.setattr(source_paths._Runner, "run", lambda self: runs.append(1) or run(self))
    work = _source_reduction_work("source-own-reads", runs)
    assert work[True] < work[False]  # 14,898 against 15,248: these tests' threads seldom re-read
    chain = parse_text("RUST ops\n{ AtomicI32 x = 5; }\nP0 {\n  let r0 = x.fetch_sub(2, Relaxed);\n"
                       "  let r1 = x.fetch_and(6, Relaxed);\n  let r2 = x.fetch_or(8, Relaxed);\n"
                       "  let r3 = x.fetch_xor(1, Relaxed);\n}\n"
                       "exists (0:r0=5 /\\ 0:r1=3 /\\ 0:r2=2 /\\ 0:r3=10 /\\ x=11)\n", "ops.litmus")
    result = Pipeline().run(chain, RunOptions.named(model="rc11"))
    assert [sorted(v for _, v in s.outcome) for s in result.states] == [[2, 3, 5, 10, 11]]
    reduce.set_disabled(["source-own-reads", "source-rmw-chains"])
    try:
        with pytest.raises(FencelabError, match="more than 20000 paths"):
            Pipeline().run(chain, RunOptions.named(model="rc11"))
    finally:
        reduce.enable_all()


def test_source_sb_coherence_changes_nothing_but_the_work(monkeypatch):
    """`source-sb-coherence` (models/source/axioms.py, consistent) on `_c_tests()`: the same
    results with it and without it, and eco built for fewer candidates with it."""
    from fencelab.models.source import axioms

    built = []
    eco = axioms.extended_coherence
    monkeypatch.setattr(axioms, "extended_coherence",
                        lambda *a, **k: built.append(1) or eco(*a, **k))  # fmt: skip
    work = _source_reduction_work("source-sb-coherence", built)
    assert work[True] < 0.5 * work[False]


def test_source_dead_prefix_changes_nothing_but_the_work(monkeypatch):
    """`source-dead-prefix` (models/source/rc11.py, _Enumerator.dead_prefix) on `_c_tests()`:
    the same results with it and without it, and fewer choices of paths judged with it."""
    from fencelab.models.source import rc11

    judged = []
    judge = rc11._Enumerator.judge
    monkeypatch.setattr(rc11._Enumerator, "judge",
                        lambda self, combo: judged.append(1) or judge(self, combo))  # fmt: skip
    _source_reduction_work("source-dead-prefix", judged)  # (where it drops few choices)
    on, off = _generated_c_work("source-dead-prefix", judged)
    assert on < 0.8 * off  # 4,955 against 7,145


def _generated_c_work(name: str, judged: list) -> tuple[int, int]:
    """40 generated C tests under rc11 with reduction `name` on and off: the same outcomes,
    witnesses, states, herd's counts, flags and races; the work (`judged`'s length) of each."""
    from fencelab.gen.families import generate_many

    tests = [parse_text(t, f"<gen {i}>") for i, t in enumerate(generate_many("C", 40, 0))]
    found, work = {}, {}
    for on in (True, False):
        judged.clear()
        reduce.set_disabled([] if on else [name])
        try:
            results = [Pipeline().run(t, RunOptions.named(model="rc11")) for t in tests]
        finally:
            reduce.enable_all()
        found[on] = [([(s.outcome, s.witness) for s in r.states], r.explored_states,
                      r.executions, r.flags, r.race) for r in results]  # fmt: skip
        work[on] = len(judged)
    assert found[True] == found[False]
    return work[True], work[False]


def test_source_open_prefix_changes_nothing_but_the_work(monkeypatch):
    """`source-open-prefix` (models/source/rc11.py, _Enumerator.dead_prefix) on `_c_tests()`
    and on 40 generated C tests with herd's counts: the same results with it and without it,
    and fewer choices of paths judged with it (the generated tests' RMWs: two reading the
    one write of a value, known before the last thread is chosen)."""
    from fencelab.models.source import rc11

    judged = []
    judge = rc11._Enumerator.judge
    monkeypatch.setattr(rc11._Enumerator, "judge",
                        lambda self, combo: judged.append(1) or judge(self, combo))  # fmt: skip
    _source_reduction_work("source-open-prefix", judged)
    on, off = _generated_c_work("source-open-prefix", judged)
    assert on < 0.75 * off  # 2,677 against 3,747 (2,911 against 4,955 without rmw-chains)


def test_source_rf_share_changes_nothing_but_the_work(monkeypatch):
    """`source-rf-share` (models/source/axioms.py, consistent) on `_c_tests()`: the same
    results with it and without it, and an rf's facts (hb, no-thin-air) found for fewer
    candidates with it."""
    from fencelab.models.source import axioms

    found = []
    facts = axioms.rf_facts
    monkeypatch.setattr(axioms, "rf_facts",
                        lambda *a, **k: found.append(1) or facts(*a, **k))  # fmt: skip
    work = _source_reduction_work("source-rf-share", found)
    assert work[True] < 0.8 * work[False]


def _unicorn_steps(monkeypatch) -> list[int]:
    """A counter of the instructions Unicorn runs from now on (`Core._step_one`)."""
    from fencelab.isa.core import Core

    count = [0]
    step = Core._step_one

    def counted(self, pc):
        count[0] += 1
        return step(self, pc)

    monkeypatch.setattr(Core, "_step_one", counted)
    return count


def test_step_effects_same_search_fewer_unicorn_runs(monkeypatch):
    """`step-effects` against running every step in Unicorn, on herd's x86 tests and 40
    diy7-style x86 tests: the same outcomes, budget hits, states and transitions; Unicorn runs
    less than half the instructions."""
    from fencelab.isa import core
    from tests.helpers import HERD_DATA as HERD

    tests = [parse_file(p) for d in ("x86", "x86_64") for p in sorted((HERD / d).glob("*.litmus"))]
    tests += [parse_text(t, f"<diy {i}>")
              for i, t in enumerate(cycles.generate_many("x86_64", 40, seed=13))]  # fmt: skip
    steps = _unicorn_steps(monkeypatch)
    found, runs = {}, {}
    for on in (True, False):
        core._EFFECTS.clear()
        core._CORES.clear()  # (a shared core remembers what it ran)
        steps[0] = 0
        reduce.set_disabled([] if on else ["step-effects"])
        try:
            results = [Pipeline().run(t, RunOptions()) for t in tests]
        finally:
            reduce.enable_all()
        found[on] = [(frozenset(s.outcome for s in r.states), r.budget_exhausted,
                      r.explored_states, r.transitions) for r in results]  # fmt: skip
        runs[on] = steps[0]
    assert found[True] == found[False]
    assert runs[True] < 0.5 * runs[False]


DERIVED = """X86_64 derived
{ x=5; 0:rbx=10; 0:rcx=%d; }
 P0             ;
 movl (x),%%eax ;
 movl $1,(y)    ;
 addl %%eax,%%ebx ;
 movl %%ebx,(z) ;
exists (z=15)
"""


@pytest.mark.parametrize("on", [True, False], ids=["effects", "no-effects"])
def test_unicorn_runs_from_a_remembered_steps_registers(monkeypatch, on):
    """A state reached by a remembered step (`step-effects`) has no Unicorn context of its own:
    an instruction Unicorn runs from it starts from that state's registers. The second test
    shares the first one's core (`reuse`) from another initial state (rcx), so its load of x
    is remembered, not run; `movl $1,(y)`, followed by register-only code, runs from the state
    the load reached: `addl` adds the 5 the load put in eax (rbx: 15, not 10)."""
    from fencelab.isa import core

    core._EFFECTS.clear()
    core._CORES.clear()  # (a shared core remembers what it ran)
    reduce.set_disabled([] if on else ["step-effects"])
    try:
        Pipeline().run(parse_text(DERIVED % 1, "first"), RunOptions())
        steps = _unicorn_steps(monkeypatch)
        result = Pipeline().run(parse_text(DERIVED % 2, "second"), RunOptions())
    finally:
        reduce.enable_all()
    assert [format_state(s.outcome) for s in result.states] == ["[z]=15;"]
    assert steps[0] == (2 if on else 4)  # the store and addl (the load and the last store
    # are remembered from the first test); and the load and the last store


def test_source_other_writes_changes_nothing_but_the_work(monkeypatch):
    """`source-other-writes` (models/source/rc11.py, _feasible_combinations) on `_c_tests()`:
    the same results with it and without it, and fewer choices of thread paths judged with it."""
    from fencelab.models.source import rc11

    judged = []
    judge = rc11._Enumerator.judge
    monkeypatch.setattr(rc11._Enumerator, "judge",
                        lambda self, combo: judged.append(1) or judge(self, combo))  # fmt: skip
    work = _source_reduction_work("source-other-writes", judged)
    assert work[True] < 0.5 * work[False], work


@pytest.mark.parametrize("name", ["tso-step", "tso-interned"])
def test_run_without_the_fused_tso_step_prints_the_same_text(name):
    """`fencelab run --no-reduce tso-step` (the machine's transitions instead of
    `TSO.successors`) and `--no-reduce tso-interned` (the search over machine states instead
    of interned ones): the same herd text, witnesses, states and transitions as with it."""
    tests = [str(EXAMPLE_DIR / "x86_64" / f"{name}.litmus") for name in ("SB", "MP", "SB+xchgs")]
    texts = []
    for off in ([], ["--no-reduce", name]):
        result = CliRunner().invoke(main, ["run", *tests, "-j", "1", *off])
        assert result.exit_code == 0, result.output
        herd = result.output.split("┏")[0]  # (not the summary table: its times differ)
        texts.append(re.sub(r"Time \S+ [\d.]+", "Time", herd))
    assert texts[0] == texts[1]
    assert "# Explored 15 states, 14 transitions" in texts[0]


def test_source_own_coherence_changes_nothing_but_the_work(monkeypatch):
    """`source-own-coherence` (models/source/rc11.py, _own_coherent) on `_c_tests()`: the same
    results with it and without it, and fewer choices of thread paths judged with it."""
    from fencelab.models.source import rc11

    judged = []
    judge = rc11._Enumerator.judge
    monkeypatch.setattr(rc11._Enumerator, "judge",
                        lambda self, combo: judged.append(1) or judge(self, combo))  # fmt: skip
    work = _source_reduction_work("source-own-coherence", judged)
    assert work[True] < 0.7 * work[False], work


def test_source_axioms_changes_nothing_but_the_work(monkeypatch):
    """`source-axioms` (models/source/axioms.py) on `_c_tests()`: the same results with it and
    without it; with it, the judgement takes no transitive closure (`plus`)."""
    from fencelab.models.source import axioms

    closures = []
    plus = axioms.plus
    monkeypatch.setattr(axioms, "plus", lambda r: closures.append(1) or plus(r))
    work = _source_reduction_work("source-axioms", closures)
    # (hb's closures only: with `source-sb-coherence` eco is rarely built)
    assert work[True] == 0 and work[False] > 500, work
