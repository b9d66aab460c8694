"""The mapping checker: is a lowering scheme sound against the source model (c11 / rc11)?

Expected verdicts: the default scheme is clang's published mapping (Sewell et al.'s x86 and ARM
C/C++11 mappings, cl.cam.ac.uk/~pes20/cpp/cpp0xmappings.html), which is sound for C11; the
course's `tutorial` scheme is wrong in two known ways (an x86 SeqCst fence on the wrong side of
the store buffer; an ARM Release store made with `dmb ishst`, which does not order earlier
loads); and plain LDR/STR for Relaxed accesses admits load buffering, which RC11 forbids (Lahav
et al., PLDI 2017, section 6: their ARM mapping adds a fake control dependency).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fencelab.atomics import Order
from fencelab.checker import THIN_AIR_NOTE, Checker
from fencelab.checker.hunt import hunt
from fencelab.gen.shapes import SHAPES, parse_shapes, variants
from fencelab.isa.registry import get_target
from fencelab.litmus.ast import RegObs
from fencelab.litmus.parser import parse_file, parse_text
from fencelab.litmus.printer import format_test, strip_positions
from fencelab.lowering import get_scheme
from fencelab.models.registry import get_model
from fencelab.pipeline import RunOptions, run_test
from tests.helpers import EXAMPLES

COUNTER = EXAMPLES / "counterexamples"
SB_SCS = COUNTER / "x86_64-tutorial-SB+scs.litmus"
LB_REL_ACQ = COUNTER / "arm-tutorial-LB+rlx.rel+acq.rlx.litmus"
LB_RLX = COUNTER / "rc11-LB+rlx.litmus"

REPRESENTATIVE = ("SB+scs", "SB+rel+acq", "SB+fences.sc", "MP+rel+acq", "MP+rlx",
                  "MP+fence.rel+fence.acq", "MP+rmw.rel+acq", "LB+rlx", "LB+acq+rel",
                  "S+rel+acq", "R+scs", "2+2W+scs", "WRC+rel+acq", "ISA2+rel+acq", "IRIW+scs",
                  "CoRR", "CoWR", "SB+rmws.rlx")  # fmt: skip


def outcome(**values: int) -> tuple:
    """`outcome(t0_r0=1, t1_r0=0)` in the order a source result lists its observables."""
    out = []
    for key, v in values.items():
        tid, reg = key.split("_")
        out.append((RegObs(int(tid[1:]), reg), v))
    return tuple(out)


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(get_model("c11"))


# -- the default scheme is sound --------------------------------------------------------------


@pytest.mark.parametrize("target", ["x86_64", "armv7", "armv8", "armv8.1", "armv8.3"])
def test_default_scheme_is_sound_against_c11(checker, target):
    for name in REPRESENTATIVE:
        for lang in ("rust", "c"):
            test = parse_file(EXAMPLES / lang / f"{name}.litmus")
            c = checker.check(test, get_target(target), get_scheme("default"))
            assert c.error == ""
            assert c.sound, (name, lang, target, c.extra)
            assert c.hardware.states  # something was explored
            assert c.hardware.outcome_set() <= c.source.outcome_set()


# spin loops over plain LDXR/LDREX (the Relaxed swap) and a spin with DMBs (armv7's Acquire):
# these once made promise certification explode. Their ARM verdicts, as the files say. A32 runs
# under ARMv8 AArch32 rules here: the armv7 model gives the same verdicts but takes minutes on
# these (README, "armv7 and aarch32").
@pytest.mark.parametrize("target,model", [("armv7", "aarch32"), ("armv8", None)])
@pytest.mark.parametrize("name,verdict", [("spinlock+rlx", "Allowed"),
                                          ("spinlock+swap", "Forbidden")])  # fmt: skip
def test_spin_loops_on_arm_are_checked_with_their_verdicts(target, model, name, verdict):
    checker = Checker(get_model("c11"), model and get_model(model))
    c = checker.check(parse_file(EXAMPLES / "rust" / f"{name}.litmus"), get_target(target),
                      get_scheme("default"))  # fmt: skip
    assert c.error == "" and c.sound
    assert c.hardware.verdict == verdict


def test_rcpc_and_gcc_schemes_are_sound_on_message_passing(checker):
    test = parse_file(EXAMPLES / "rust" / "MP+rel+acq.litmus")
    assert checker.check(test, get_target("armv8.3"), get_scheme("rcpc")).sound
    for target in ("armv7", "armv8", "armv8.1"):
        assert checker.check(test, get_target(target), get_scheme("gcc")).sound


# -- the tutorial scheme is not -----------------------------------------------------------------


def test_tutorial_x86_sb_scs_is_unsound_with_both_loads_zero(checker):
    test = parse_file(SB_SCS)
    c = checker.check(test, get_target("x86_64"), get_scheme("tutorial"))
    assert c.verdict == "UNSOUND"
    assert [e.outcome for e in c.extra] == [outcome(P0_r0=0, P1_r0=0)]
    assert c.hardware_model == "tso"
    # the witness replays on the machine to exactly that outcome
    replayed = run_test(test, RunOptions.named(target="x86_64", scheme="tutorial", mode="replay",
                                         schedule=c.extra[0].witness))  # fmt: skip
    assert [s.outcome for s in replayed.states] == [outcome(P0_r0=0, P1_r0=0)]
    # the same test is sound with the default scheme (xchg) and with mov; mfence
    assert checker.check(test, get_target("x86_64"), get_scheme("default")).sound
    assert checker.check(test, get_target("x86_64"), get_scheme("x86-mfence")).sound


@pytest.mark.parametrize("target", ["armv7", "armv8"])
def test_tutorial_arm_release_with_dmb_ishst_is_unsound(checker, target):
    test = parse_file(LB_REL_ACQ)
    c = checker.check(test, get_target(target), get_scheme("tutorial"))
    assert c.verdict == "UNSOUND"
    assert [e.outcome for e in c.extra] == [outcome(P0_r0=1, P1_r0=1)]
    assert not c.extra[0].c11_allows
    replayed = run_test(test, RunOptions.named(target=target, scheme="tutorial", mode="replay",
                                         schedule=c.extra[0].witness))  # fmt: skip
    assert [s.outcome for s in replayed.states] == [outcome(P0_r0=1, P1_r0=1)]
    assert checker.check(test, get_target(target), get_scheme("default")).sound


def test_tutorial_x86_release_store_is_harmless(checker):
    """On x86 the tutorial only changes SeqCst accesses: the ARM counterexample is sound."""
    assert checker.check(parse_file(LB_REL_ACQ), get_target("x86_64"), get_scheme("tutorial")).sound


# -- rc11: load buffering -------------------------------------------------------------------------


def test_rc11_forbids_load_buffering_that_arm_allows():
    test = parse_file(LB_RLX)
    rc11 = Checker(get_model("rc11")).check(test, get_target("armv8"), get_scheme("default"))
    assert rc11.verdict == "UNSOUND"
    assert [e.outcome for e in rc11.extra] == [outcome(P0_r0=1, P1_r0=1)]
    assert rc11.extra[0].c11_allows and rc11.extra[0].note == THIN_AIR_NOTE
    assert Checker(get_model("c11")).check(test, get_target("armv8"), get_scheme("default")).sound
    assert Checker(get_model("rc11")).check(test, get_target("x86_64"), get_scheme("default")).sound  # TSO keeps load->store order


def test_cli_rc11_explains_no_thin_air(cli):
    r = cli(["check", str(LB_RLX), "--target", "armv8",
                                  "--source-model", "rc11"])  # fmt: skip
    assert r.exit_code == 1, r.output
    assert "source model: rc11" in r.output
    assert "UNSOUND" in r.output
    text = " ".join(r.output.split())
    assert "no-thin-air" in text and "po ∪ rf" in text and "c11 reading (C++20 / Rust)" in text
    assert "0:r0=1; 1:r0=1;" in text


# -- hunt ---------------------------------------------------------------------------------------


def test_shape_variants_use_valid_orderings_only():
    sb = list(variants(SHAPES["SB"], ("plain",)))
    assert len(sb) == 3**4  # loads rlx/acq/sc x stores rlx/rel/sc
    for v in sb:
        for thread in v.test.threads:
            store, load = thread.body
            assert store.order in (Order.RELAXED, Order.RELEASE, Order.SEQ_CST)
            assert load.expr.order in (Order.RELAXED, Order.ACQUIRE, Order.SEQ_CST)
    fenced = list(variants(SHAPES["MP"], ("fences",)))
    assert len(fenced) == 5**2  # none + four fence orderings, one slot per thread
    # every generated test prints as Rust and reads back to the same test
    for v in sb[:5] + fenced[:5]:
        assert strip_positions(parse_text(format_test(v.test)).threads) == v.test.threads


def test_hunt_finds_the_x86_tutorial_counterexample(checker):
    report = hunt(checker, get_target("x86_64"), get_scheme("tutorial"), parse_shapes("SB,MP"), kinds=("plain",))
    assert report.checked == 2 * 81
    assert report.found
    smallest = report.found[0]
    assert smallest.variant.test.name == "SB+sc.sc+sc.sc"
    assert [e.outcome for e in smallest.check.extra] == [outcome(P0_r0=0, P1_r0=0)]
    # every counterexample is an SB with SeqCst on both accesses that need it
    assert all(f.variant.shape == "SB" for f in report.found)


def test_hunt_default_scheme_finds_nothing_on_x86(checker):
    report = hunt(checker, get_target("x86_64"), get_scheme("default"), parse_shapes("SB,LB"), kinds=("plain", "rmw"))
    assert report.checked > 100 and not report.found and not report.errors


def test_cli_hunt_prints_a_rust_counterexample(cli, tmp_path):
    r = cli(["hunt", "--target", "armv8", "--scheme", "tutorial",
                                  "--shapes", "LB", "--variants", "plain", "--limit", "1",
                                  "--save", str(tmp_path)])  # fmt: skip
    assert r.exit_code == 1, r.output
    assert "RUST LB+" in r.output and "Release" in r.output
    saved = list(tmp_path.glob("*.litmus"))
    assert len(saved) == 1
    again = cli(["check", str(saved[0]), "-t", "armv8", "-s", "tutorial"])
    assert again.exit_code == 1


def test_a_counterexample_found_on_two_targets_is_saved_twice(cli, tmp_path):
    """hunt -t armv8,armv8.1 finds LB+acq.rlx+rlx.rel on both: it wrote both to one file, the
    second over the first, so the armv8 block printed a path whose test named armv8.1. Each
    block's path now holds the test it printed, its own target in its command."""
    import shlex

    r = cli(["hunt", "-t", "armv8,armv8.1", "-s", "tutorial", "--shapes", "LB", "--variants",
             "plain", "--limit", "1", "--save", str(tmp_path)])  # fmt: skip
    assert r.exit_code == 1, r.output
    blocks = r.output.split("\nRUST ")[1:]
    assert len(blocks) == 2
    paths = set()
    for block, target in zip(blocks, ("armv8", "armv8.1")):
        (line,) = [ln for ln in block.splitlines() if ln.startswith("(* a counterexample")]
        command = shlex.split(line[len("(* a counterexample against c11: "):-len(" *)")])
        assert command[3:5] == ["--target", target]
        saved = command[2]
        paths.add(saved)
        text = Path(saved).read_text()
        assert text == "RUST " + block[:block.index("extra outcome:")]
        again = cli(command[1:])
        assert again.exit_code == 1 and f"UNSOUND  LB+acq.rlx+rlx.rel  {target} " in again.output
    assert len(paths) == 2 and len(list(tmp_path.glob("*.litmus"))) == 2


@pytest.mark.parametrize("condition, note", [
    ("exists (0:r0=0 /\\ 1:r0=0)", " (the test's condition holds)"),
    ("~exists (0:r0=0 /\\ 1:r0=0)", " (the test's ~exists condition fails: its proposition holds)"),
    ("forall (0:r0=1 \\/ 1:r0=1)", " (the test's forall condition fails)"),
    ("exists (0:r0=1 /\\ 1:r0=1)", ""),
])
def test_an_extra_outcome_says_what_it_does_to_the_tests_condition(cli, tmp_path, condition,
                                                                    note):  # fmt: skip
    """SB+scs under the tutorial scheme on x86_64: 0:r0=0; 1:r0=0; is extra. Under
    `~exists (0:r0=0 /\\ 1:r0=0)` it was said to make "the test's condition holds", where
    `run` of the same compiled test prints No."""
    text = (EXAMPLES / "rust" / "SB+scs.litmus").read_text()
    path = tmp_path / "t.litmus"
    path.write_text(text.replace("exists (0:r0=0 /\\ 1:r0=0)", condition))
    result = cli(["check", str(path), "-t", "x86_64", "-s", "tutorial"])
    assert result.exit_code == 1, result.output
    assert f"  extra outcome: 0:r0=0; 1:r0=0;{note}\n" in result.output


def test_a_saved_counterexample_says_how_to_check_it_against_the_hunts_models(cli, tmp_path):
    """hunt --source-model rc11 --save wrote LB+rlx.rlx+rlx.rlx, a counterexample against rc11
    only, with nothing of rc11 in it: `fencelab check` of the file, as the file alone tells,
    judges it against c11, under which it is sound. The file (and the test printed) carries
    the command that checks it as the hunt did."""
    import shlex

    r = cli(["hunt", "--target", "armv8", "--source-model", "rc11", "--shapes", "LB",
             "--variants", "plain", "--limit", "1", "--save", str(tmp_path)])  # fmt: skip
    assert r.exit_code == 1, r.output
    (saved,) = tmp_path.glob("*.litmus")
    text = saved.read_text()
    command = (f"fencelab check {shlex.quote(str(saved))} --target armv8 --scheme default "
               "--source-model rc11")  # fmt: skip
    assert f"(* a counterexample against rc11: {command} *)\n" in text
    assert f"(* a counterexample against rc11: {command} *)\n" in r.output
    again = cli(shlex.split(command)[1:])
    assert again.exit_code == 1 and "UNSOUND" in again.output, again.output
    assert cli(["check", str(saved), "-t", "armv8"]).exit_code == 0  # (c11: sound)
    # under a --model not the target's own, the command names it
    r = cli(["hunt", "-t", "x86_64", "-s", "tutorial", "--shapes", "SB", "--limit", "1",
             "--variants", "plain", "-m", "tso-axiomatic", "--save", str(tmp_path)])
    assert r.exit_code == 1
    (saved,) = tmp_path.glob("SB*.litmus")
    assert (f"fencelab check {shlex.quote(str(saved))} --target x86_64 --scheme tutorial "
            "--source-model c11 --model tso-axiomatic *)") in saved.read_text()
    # under a --budget not the default, the command gives it (was: left out)
    r = cli(["hunt", "-t", "x86_64", "-s", "tutorial", "--shapes", "SB", "--limit", "1",
             "--variants", "plain", "--budget", "12", "--save", str(tmp_path / "b")])  # fmt: skip
    assert r.exit_code == 1
    (saved,) = (tmp_path / "b").glob("SB*.litmus")
    assert (f"fencelab check {shlex.quote(str(saved))} --target x86_64 --scheme tutorial "
            "--source-model c11 --budget 12 *)") in saved.read_text()


def replays(cli, output: str) -> list[tuple[str, str]]:
    """Each `replay:` command printed, run as `fencelab run ... --mode replay`: (the extra
    outcome printed above it, the outcome the replay ends in)."""
    import shlex

    got, extra = [], None
    for line in output.splitlines():
        if "extra outcome: " in line:
            extra = line.split("extra outcome: ")[1].split(";  ")[0].split("; (")[0].rstrip(";")
        if "replay: fencelab tui " in line:
            args = shlex.split(line.split("replay: fencelab tui ")[1])
            run = cli(["run", *args, "--mode", "replay"])
            assert run.exit_code == 0, run.output
            (witness,) = [ln for ln in run.output.splitlines() if ln.startswith("# Witness ")]
            got.append((extra + ";", witness.split("# Witness ")[1].split("; schedule")[0] + ";"))
    return got


def test_an_axiomatic_model_prints_no_replay_that_cannot_run(cli, tmp_path):
    """Under --model tso-axiomatic the witness was empty and the hint `fencelab tui ... --model
    tso-axiomatic --schedule ''`, which tui refuses (it steps operational models only)."""
    none = "hardware witness: none (tso-axiomatic is axiomatic: it runs no schedule to replay)"
    checked = cli(["check", str(SB_SCS), "-t", "x86_64", "-s", "tutorial", "-m", "tso-axiomatic"])
    assert checked.exit_code == 1
    assert f"    {none}\n" in checked.output and "replay:" not in checked.output
    hunted = cli(["hunt", "-t", "x86_64", "-s", "tutorial", "--shapes", "SB", "--limit", "1",
                  "--variants", "plain", "-m", "tso-axiomatic", "--save", str(tmp_path)])
    assert hunted.exit_code == 1
    assert f"extra outcome: 0:r0=0; 1:r0=0;  {none}\n" in hunted.output
    assert "replay:" not in hunted.output
    # the target's own model gives a schedule, and its replay reaches the extra outcome
    for command in (["check", str(SB_SCS), "-t", "x86_64", "-s", "tutorial"],
                    ["hunt", "-t", "x86_64", "-s", "tutorial", "--shapes", "SB", "--limit", "1",
                     "--variants", "plain", "--save", str(tmp_path)]):  # fmt: skip
        output = cli(command).output
        assert replays(cli, output) == [("0:r0=0; 1:r0=0;", "0:r0=0; 1:r0=0;")], output


def test_an_axiomatic_models_counterexample_still_gets_its_source_picture(cli, tmp_path):
    """check --graph under tso-axiomatic drew nothing: 'not drawn: model tso-axiomatic is
    axiomatic: the machine steps the operational models', the source model's cycle included."""
    checked = cli(["check", str(SB_SCS), "-t", "x86_64", "-s", "tutorial", "-m", "tso-axiomatic",
                   "--graph", str(tmp_path)])  # fmt: skip
    assert checked.exit_code == 1
    drawn = [ln for ln in checked.output.splitlines() if ln.startswith("graph: ")]
    source = tmp_path / "SB+sc.sc+sc.sc-c11-0.r0=0_1.r0=0-forbidden.svg"
    assert drawn == ["graph: 0:r0=0; 1:r0=0; hardware execution not drawn: tso-axiomatic is "
                     "axiomatic, it runs no schedule", f"graph: {source}"]  # fmt: skip
    assert 'data-verdict="forbidden"' in source.read_text()


# -- exit statuses ------------------------------------------------------------------------------


def test_exit_status_zero_when_sound(cli):
    r = cli(["check", str(EXAMPLES / "rust" / "SB+scs.litmus"),
                                  str(EXAMPLES / "aarch64" / "SB.litmus"), "-t", "x86_64"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "skipped" in r.output and "sound" in r.output and "1/1" in r.output


def test_exit_status_one_when_unsound(cli):
    r = cli(["check", str(SB_SCS), "-t", "all", "-s", "tutorial"])
    assert r.exit_code == 1
    assert "UNSOUND" in r.output and "fencelab tui" in r.output and "--schedule" in r.output


def test_exit_status_three_when_a_check_has_no_verdict(cli):
    """Exit 0 said "sound" though every check was cut short (a scheme known to be unsound)."""
    r = cli(["check", str(EXAMPLES / "rust" / "SB+scs.litmus"), "-t", "x86_64", "-s", "tutorial",
             "--max-states", "5"])  # fmt: skip
    assert r.exit_code == 3, r.output
    assert r.output.rstrip().endswith("0 sound, 0 UNSOUND, 0 could not be checked; 1 cut short "
                                      "(no verdict)")  # fmt: skip


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_a_check_that_compared_nothing_is_no_verdict(cli, quiet):
    """`check --budget 1` printed `sound ... 0 hardware outcomes, all among the 0 c11 allows`
    and exit 0: every execution had hit the step budget, nothing was compared."""
    r = cli(["check", str(EXAMPLES / "c" / "MP+rlx.litmus"), "-t", "x86_64", "--budget", "1",
             *quiet])  # fmt: skip
    assert r.exit_code == 3, r.output
    lines = r.output.splitlines()
    assert lines[1].startswith(
        "partial  MP+rlx  x86_64  scheme default  (tso vs c11): no verdict: every hardware "
        "execution hit the step budget, nothing compared (raise with --budget N)  budget: 2 "
        "hardware / 2 source executions cut short at a spin or a bound")  # fmt: skip
    assert "0/0 (1 cut short)" in r.output and "sound  " not in r.output
    assert lines[-1].endswith("0 sound, 0 UNSOUND, 0 could not be checked; 1 cut short "
                              "(no verdict)")  # fmt: skip


def test_no_outcome_is_extra_when_every_source_execution_hit_the_budget(cli):
    """At `--budget 2` the c11 side of MP+fence.rel+fence.acq (two accesses and a fence per
    thread) ends in no final state: each of the 3 hardware outcomes was called extra and the
    default (clang's) x86 mapping UNSOUND, exit 1."""
    r = cli(["check", str(EXAMPLES / "c" / "MP+fence.rel+fence.acq.litmus"), "-t", "x86_64",
             "--budget", "2"])  # fmt: skip
    assert r.exit_code == 3, r.output
    assert "UNSOUND  " not in r.output and "extra outcome" not in r.output
    assert r.output.splitlines()[1].startswith(
        "partial  MP+fence.rel+fence.acq  x86_64  scheme default  (tso vs c11): no verdict: "
        "every c11 execution hit the step budget, no outcome known allowed")  # fmt: skip


def test_hunt_calls_no_scheme_sound_on_tests_the_budget_left_uncompared(cli):
    """`hunt -s tutorial --budget 1` said "no counterexample: the scheme is sound on all 81
    tests", exit 0, of a scheme unsound on SB+sc.sc+sc.sc: nothing had been compared."""
    r = cli(["hunt", "-t", "x86_64", "-s", "tutorial", "--shapes", "SB", "--variants", "plain",
             "--budget", "1"])  # fmt: skip
    assert r.exit_code == 3, r.output
    lines = r.output.splitlines()
    assert lines[1] == ("81 tests cut short (every hardware execution hit the step budget, "
                        "nothing compared (raise with --budget N)): no verdict")  # fmt: skip
    assert lines[2] == "no counterexample, but no verdict on every test: sound on 0 of the 81 tests"


# P0 stores to x as many times as the value it reads of y, each store after a release fence
# (which x86_64 compiles to nothing: a c11 path has more events than its code has steps)
LOOP = """C loop+fence
{ atomic_int x=0; atomic_int y=0; }

P0 (atomic_int* x, atomic_int* y) {
  int r0 = atomic_load_explicit(y, memory_order_relaxed);
  int i = 0;
  while (i < r0) {
    i = i + 1;
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(x, i, memory_order_relaxed);
  }
}

P1 (atomic_int* x, atomic_int* y) {
  atomic_store_explicit(y, STORES, memory_order_relaxed);
}

exists (0:r0=STORES /\\ x=STORES)
"""


def _loop(tmp_path: Path, stores: int) -> Path:
    path = tmp_path / f"loop{stores}.litmus"
    path.write_text(LOOP.replace("STORES", str(stores)))
    return path


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_an_outcome_the_budget_may_have_cut_from_the_source_is_not_judged(cli, tmp_path, quiet):
    """At `--budget 4` the c11 execution where P0 reads 2 (a load, then a fence and a store
    twice: 5 events) is cut, the one where it reads 0 ends; the compiled code (3 instructions)
    ends in 0:r0=2; [x]=2 within the budget. That outcome was called extra and the default
    x86 mapping UNSOUND, exit 1, though it is where the cut execution ends (`--budget 5`:
    sound, both outcomes allowed)."""
    path = _loop(tmp_path, 2)
    r = cli(["check", str(path), "-t", "x86_64", "--budget", "4", *quiet])
    assert r.exit_code == 3, r.output
    assert "UNSOUND  " not in r.output and "extra outcome" not in r.output
    lines = r.output.splitlines()
    assert lines[1] == (
        "partial  loop+fence  x86_64  scheme default  (tso vs c11): no verdict: 1 of 2 hardware "
        "outcomes are not among the 1 c11 reached, and may be where 1 c11 execution cut at the "
        "step budget (raise with --budget N) would end  budget: 0 "
        "hardware / 1 source executions cut short at a spin or a bound (not counted as "
        "outcomes: where "
        "they end is not compared)")  # fmt: skip
    assert lines[2] == "  unjudged outcome: 0:r0=2; [x]=2; (the test's condition holds)"
    assert lines[3].startswith("    hardware witness: 1,")
    assert "0/0 (1 cut short)" in r.output
    assert lines[-1].endswith("0 sound, 0 UNSOUND, 0 could not be checked; 1 cut short "
                              "(no verdict)")  # fmt: skip
    enough = cli(["check", str(path), "-t", "x86_64", "--budget", "5"])
    assert enough.exit_code == 0, enough.output
    assert "2 hardware outcomes, all among the 2 c11 allows" in enough.output


def test_an_outcome_past_the_unrolling_bound_is_not_judged(cli, tmp_path):
    """Storing 5 times loops past the source model's 3 iterations of a loop (at the default
    budget): the compiled code's 0:r0=5; [x]=5 made the default mapping UNSOUND, exit 1."""
    r = cli(["check", str(_loop(tmp_path, 5)), "-t", "x86_64,armv8"])
    assert r.exit_code == 3, r.output
    assert "UNSOUND  " not in r.output
    assert r.output.count("  unjudged outcome: 0:r0=5; [x]=5;") == 2
    # (the bound named is the one that cut: raising --budget would not help)
    assert r.output.count("may be where 1 c11 execution cut at 3 iterations of a loop (the "
                          "source model unrolls no further) would end") == 2  # fmt: skip
    assert "0/0 (1 cut short)" in r.output


def test_a_counterexample_beside_spins_the_source_cut_is_still_unsound(cli):
    """Peterson's wait loops spin: 7 c11 executions are cut there, but a spin's repetitions
    add no behaviour (models/source/paths.py), so the tutorial scheme's extra outcome (both
    threads in the critical section) is a counterexample, not an outcome left unjudged."""
    r = cli(["check", str(EXAMPLES / "c" / "peterson+sc.litmus"), "-t", "x86_64", "-s",
             "tutorial"])  # fmt: skip
    assert r.exit_code == 1, r.output
    assert r.output.splitlines()[1].startswith(
        "UNSOUND  peterson+sc  x86_64  scheme tutorial  (tso vs c11): 1 of 3 hardware outcomes "
        "are not among the 2 c11 allows  budget: 360 hardware / 7 source")  # fmt: skip
    assert "  extra outcome: 0:r0=0; 1:r0=0;" in r.output and "unjudged" not in r.output


def test_hunt_counts_a_check_with_unjudged_outcomes_cut_short(tmp_path):
    """hunt counts a test whose hardware outcomes the budget may have cut from the source
    with the tests cut short, never as a counterexample or sound."""
    from rich.console import Console

    from fencelab.gen.shapes import Variant
    from fencelab.litmus.printer import format_state
    from fencelab.report.check import print_hunt

    test = parse_file(_loop(tmp_path, 2))
    checker = Checker(get_model("c11"), budget=4)
    report = hunt(checker, get_target("x86_64"), get_scheme("default"), (), todo=[
        Variant(test, "loop", threads=2, strong=1, size=3)])  # fmt: skip
    assert not report.found and len(report.incomplete) == 1
    assert [format_state(e.outcome, test.arch) for e in report.incomplete[0].unjudged] == [
        "0:r0=2; [x]=2;"]
    console = Console(record=True, width=300)
    print_hunt(console, report, limit=1, save=None)
    text = console.export_text()
    assert ("1 test cut short (hardware outcomes c11 did not reach, which may be where its "
            "executions cut at the step budget (raise with --budget N) would end: not "
            "judged): no verdict") in text
    assert "no counterexample, but no verdict on every test: sound on 0 of the 1 test" in text


def test_hunt_exit_status_three_and_no_soundness_claim_when_nothing_got_a_verdict(cli):
    r = cli(["hunt", "-t", "x86_64", "-s", "tutorial", "--shapes", "SB", "--max-states", "5"])
    assert r.exit_code == 3, r.output
    lines = r.output.splitlines()
    assert lines[1].startswith("145 tests cut short (state limit 5 reached") and lines[1].endswith(
        "no verdict")  # fmt: skip
    assert lines[2] == "no counterexample, but no verdict on every test: sound on 0 of the 145 tests"
    assert "sound on all" not in r.output


@pytest.mark.parametrize("args", [
    ["check", "no/such/file.litmus"],
    ["check", str(SB_SCS), "--scheme", "nosuch"],
    ["check", str(SB_SCS), "--target", "mips"],
    ["check", str(EXAMPLES / "aarch64" / "SB.litmus")],
    ["hunt", "--target", "x86_64", "--shapes", "XY"],
    ["hunt", "--target", "x86_64", "--shapes", "IRIW", "--max-threads", "3"],
])  # fmt: skip
def test_exit_status_two_on_bad_input(cli, args):
    r = cli(args)
    assert r.exit_code == 2
    assert "Traceback" not in r.output


@pytest.mark.parametrize("args, says", [
    (["--shapes", ""], "unknown shape ''; valid: SB, MP, LB, S, R, 2+2W, WRC, ISA2, IRIW"),
    (["--shapes", "SB,"], "unknown shape ''; valid: SB, MP, LB, S, R, 2+2W, WRC, ISA2, IRIW"),
    (["--variants", ""], "unknown variant ''; valid: plain, fences, rmw"),
    (["--variants", "plain,"], "unknown variant ''; valid: plain, fences, rmw"),
])  # fmt: skip
def test_hunt_refuses_an_empty_list_of_shapes_or_variants(cli, args, says):
    """`--shapes ''` and `--variants ''` ran every shape and variant."""
    r = cli(["hunt", "-t", "x86_64", *args])
    assert r.exit_code == 2 and r.output == f"fencelab: error: {says}\n"


def test_hunt_checks_a_shape_named_twice_once(cli):
    """`--shapes SB,sb` generated and checked SB's tests twice (`--variants` was deduplicated)."""
    once = "hunt: 81 tests generated and checked (SB 81) on x86_64"
    for shapes, kinds in (("SB,sb", "plain"), ("SB", "plain,plain")):
        r = cli(["hunt", "-t", "x86_64", "--shapes", shapes, "--variants", kinds])
        assert r.exit_code == 0 and r.output.startswith(once), r.output


def test_a_caching_pipeline_compiles_and_keys_each_test_once(monkeypatch):
    """`check` asks for a test's source result once per target and scheme, and with workers
    asks every key before the checks (fencelab/parallel/tasks.py): the pipeline compiles a test
    once per target and scheme and keys its source once (`Pipeline._once`)."""
    import fencelab.compiler.compile as compiler
    import fencelab.pipeline as pipeline

    made = {"compiled": 0, "source keys": 0}
    compile_test, source_key = compiler.compile_test, pipeline.source_key

    def counted_compile(*args):
        made["compiled"] += 1
        return compile_test(*args)

    def counted_key(test):
        made["source keys"] += 1
        return source_key(test)

    monkeypatch.setattr(compiler, "compile_test", counted_compile)
    monkeypatch.setattr(pipeline, "source_key", counted_key)
    checker = Checker()
    test = parse_file(EXAMPLES / "c" / "SB+rlx.litmus")
    pairs = [(get_target(t), get_scheme(s)) for t in ("x86_64", "armv8")
             for s in ("default", "tutorial")]  # fmt: skip
    for target, scheme in pairs:
        checker.pipeline.work(test, checker.hardware_options(target, scheme))
    verdicts = [checker.check(test, target, scheme).verdict for target, scheme in pairs]
    assert verdicts == ["sound"] * 4
    assert made == {"compiled": 4, "source keys": 1}
    again = parse_file(EXAMPLES / "c" / "SB+rlx.litmus")  # another object: made again
    checker.check(again, *pairs[0])
    assert made == {"compiled": 5, "source keys": 2}
    assert checker.hardware_runs == 2  # (relaxed: both schemes give the same code on a target)


def test_a_result_key_hashes_its_program_once():
    from fencelab.pipeline import HashedOnce

    hashed = []

    class Node:
        def __hash__(self):
            hashed.append(1)
            return 7

    key = HashedOnce((Node(), "rows"))
    assert hash(key) == hash(key) == hash(tuple(key)) and len(hashed) == 2  # (ours once)
    assert {key: 1}[key] == 1 and len(hashed) == 2
    import pickle

    copy = pickle.loads(pickle.dumps(HashedOnce(("x", 1))))  # its hash is made again there
    assert type(copy) is HashedOnce and copy == ("x", 1) and "_hash" not in vars(copy)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_check_and_hunt_say_a_caution_beside_the_verdict(cli, monkeypatch, jobs):
    """A hardware run that met a caution (its model may judge otherwise than its cat file:
    `MemoryModel.cautions`) gives a verdict that may be wrong: `check` prints the caution under
    the verdict (under --quiet too) and counts it in its last line, `hunt` says it and does not
    call the scheme sound on all tests. Before, both printed `sound` without a word. No model
    is known to meet one on compiled code; the model is made to, to show the net holds."""
    from fencelab.models.operational.tso import TSO

    test = str(EXAMPLES / "c" / "SB+rlx.litmus")
    clean = cli(["check", test, "-t", "x86_64", "-j", jobs])
    assert "caution" not in clean.output
    said = "the model may judge this otherwise than its cat file"
    monkeypatch.setattr(TSO, "cautions", lambda self: (said,))
    for quiet in ([], ["--quiet"]):
        out = cli(["check", test, "-t", "x86_64", "-j", jobs, *quiet]).output.splitlines()
        (verdict,) = [i for i, line in enumerate(out) if line.startswith("sound    SB+rlx")]
        assert out[verdict + 1] == f"  caution: {said}"
        assert out[-1].endswith("; 1 under a caution (caution lines above)")
    hunt = cli(["hunt", "-t", "x86_64", "--shapes", "SB", "--variants", "plain", "-j", jobs])
    assert "checked under a caution (e.g. SB" in hunt.output and said in hunt.output
    assert "sound on all" not in hunt.output
    assert "no counterexample, but" in hunt.output


def test_hunt_says_a_scheme_s_programs_were_checked_when_an_earlier_scheme_explored_them(cli):
    """`hunt -s default,gcc` said "0 distinct compiled programs explored" of gcc, which reads as
    "gcc was not checked": its 16 programs are default's on armv8, explored by default's hunt and
    found again in the shared cache."""
    r = cli(["hunt", "-t", "armv8", "-s", "default,gcc", "--shapes", "MP", "--variants",
             "plain"])  # fmt: skip
    assert r.exit_code == 0, r.output
    heads = [ln for ln in r.output.splitlines() if ln.startswith("hunt: ")]
    assert "scheme default" in heads[0] and "; 16 distinct compiled programs explored in " in heads[0]
    assert "scheme gcc" in heads[1] and (
        "; 16 distinct compiled programs checked, 16 of them explored already under an earlier "
        "scheme (their results reused), 0 explored now in ") in heads[1]  # fmt: skip


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_hunt_counts_each_distinct_program_once_when_its_results_are_cut_short(cli, jobs):
    """A result cut short is not kept in the cache, so `-j 1` explored a program again for each
    variant that compiles to it, and the hunt's line counted the explorations as "distinct
    compiled programs": `--max-states 3` said 81 of SB's plain variants' 16 programs (`-j 2`,
    whose workers explore each program once, said 16)."""
    args = ["hunt", "-t", "x86_64", "-s", "tutorial", "--shapes", "SB", "--variants", "plain",
            "-j", jobs]  # fmt: skip
    whole = cli(args)
    cut = cli([*args, "--max-states", "3"])
    assert cut.exit_code == 3, cut.output
    for r in (whole, cut):
        head = r.output.splitlines()[0]
        assert head.startswith("hunt: 81 tests generated and checked (SB 81) on x86_64"), head
        assert "; 16 distinct compiled programs explored in " in head, head
    assert "81 tests cut short (state limit 3 reached" in cut.output


@pytest.mark.parametrize(("limit", "said"), [
    ("3", "0 hardware outcomes found so far; both sides were cut short, so no verdict"),
    ("60", "1 hardware outcome found so far; both sides were cut short, so no verdict"),
    ("100", "1 hardware outcome found so far, all among the 2 c11 allows"),
])  # fmt: skip
def test_a_check_cut_short_on_both_sides_says_the_hardware_side_was_cut_too(cli, limit, said):
    """With both sides stopped at the state limit the line said "0 hardware outcomes; the c11
    side was cut short": the hardware run, cut after 3 states, read as a whole run that ended
    in no state. (peterson+sc is UNSOUND under `tutorial` on x86_64 once explored whole.)"""
    r = cli(["check", str(EXAMPLES / "c" / "peterson+sc.litmus"), "-t", "x86_64", "-s",
             "tutorial", "--max-states", limit, "-j", "1"])  # fmt: skip
    assert r.exit_code == 3, r.output
    assert r.output.splitlines()[1] == (
        "partial  peterson+sc  x86_64  scheme tutorial  (tso vs c11): " + said
        + f"  partial: state limit {limit} reached (raise with --max-states N)")


def test_hunt_calls_what_it_shows_the_smallest_only_when_it_is(cli):
    """`hunt` shows each shape's smallest counterexample first; under `--limit 2` of LB and WRC
    on armv8 it showed an LB and a WRC (3 threads) as "the 2 smallest", where a second LB (2
    threads) was smaller. `--limit 1` (the smallest of all) and a limit past the count keep
    the words."""
    args = ["hunt", "-t", "armv8", "-s", "tutorial", "--shapes", "LB,WRC", "-j", "1"]
    r = cli([*args, "--limit", "2"])
    assert r.exit_code == 1, r.output
    lines = r.output.splitlines()
    assert lines[1] == ("30 counterexamples; 2 shown, the smallest of each shape first (fewest "
                        "threads, then fewest non-Relaxed accesses):")  # fmt: skip
    assert [ln for ln in lines if ln.startswith("RUST ")] == [
        "RUST LB+acq.rlx+rlx.rel", "RUST WRC+rlx+rlx.rel+acq.rlx"]
    for limit, said in (("1", "the 1 smallest"), ("30", "the 30 smallest")):
        head = cli([*args, "--limit", limit]).output.splitlines()[1]
        assert head == (f"30 counterexamples; {said} (fewest threads, then fewest non-Relaxed "
                        "accesses):")  # fmt: skip


def test_a_budget_cut_in_a_test_with_no_loop_is_no_verdict(cli):
    """dekker+sc has no loop: under `tutorial` on x86_64, `--budget 6` cut the 26 executions
    whose threads both enter (the fences count), and `check` said `sound`, exit 0; at the
    default budget it is UNSOUND. A loop test's budget cuts (its spins) keep their verdict."""
    dekker = str(EXAMPLES / "c" / "dekker+sc.litmus")
    args = ["check", dekker, "-t", "x86_64", "-s", "tutorial", "-j", "1"]
    r = cli([*args, "--budget", "6"])
    assert r.exit_code == 3, r.output
    assert r.output.splitlines()[1] == (
        "partial  dekker+sc  x86_64  scheme tutorial  (tso vs c11): no verdict: 26 hardware "
        "executions hit the step budget in a test with no loop and no read-modify-write, where "
        "no execution spins: they may end in outcomes not compared (raise with --budget N)  "
        "budget: 26 hardware / 0 source executions cut short at a spin or a bound (not counted "
        "as outcomes: where they end is not compared)")  # fmt: skip
    assert cli(args).exit_code == 1
    spin = cli(["check", str(EXAMPLES / "c" / "flag.litmus"), "-t", "x86_64", "--budget", "6",
                "-j", "1"])  # fmt: skip
    assert spin.exit_code == 0, spin.output
    assert spin.output.splitlines()[1].startswith("sound    flag  x86_64  scheme default")
    assert "budget: 6 hardware / 1 source executions" in spin.output


def test_check_prints_nothing_on_stdout_when_its_cluster_cannot_be_reached(cli):
    """`check --cluster ADDRESS` where no scheduler answers printed `source model: c11 ...` on
    stdout before its error line (exit 2); `run` and `hunt` print nothing there."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []

    def serve():  # not Dask: other bytes, at once
        import contextlib

        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                held.append(conn)
                conn.sendall(b"\xff" * 64)

    threading.Thread(target=serve, daemon=True).start()
    address = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    try:
        for args in (["check", str(EXAMPLES / "c" / "SB+scs.litmus"), "-t", "x86_64"],
                     ["hunt", "-t", "x86_64", "--shapes", "SB", "--variants", "plain"]):
            r = cli([*args, "--cluster", address])
            assert r.exit_code == 2, r.output
            assert r.stdout == "", args
            assert r.stderr == (f"fencelab: error: --cluster {address}: cannot reach a Dask "
                                "scheduler (what answers there does not speak Dask's "
                                "protocol)\n")  # fmt: skip
    finally:
        listener.close()
        for conn in held:
            conn.close()
