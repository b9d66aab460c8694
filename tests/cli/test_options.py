"""The shared options: one spelling everywhere, numbers in range, an option that cannot act is
refused with the reason, choices completed by the shell, every error one line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from fencelab import reduce
from fencelab.cli import main
from tests.helpers import EXAMPLES

SB = str(EXAMPLES / "x86_64" / "SB.litmus")
C_SB = str(EXAMPLES / "c" / "SB+rlx.litmus")
RUST_SB = str(EXAMPLES / "rust" / "SB+scs.litmus")
MP = str(EXAMPLES / "aarch64" / "MP.litmus")
ARM_MP = str(EXAMPLES / "arm" / "MP.litmus")
SB_WITNESS = "0,1,0,d1,1,d0"  # a schedule of SB's


def one_error(result) -> str:
    """The one line a refused command prints (stdout and stderr mixed, as CliRunner gives)."""
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("fencelab: error: ") and "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("args, says", [
    (["run", SB, "--runs", "0"], "'--runs': 0 is not in the range 1<=x<=10000000"),
    (["run", SB, "--mode", "random", "--runs", "-5"], "-5 is not in the range"),
    (["run", SB, "--mode", "random", "--runs", "99999999999999999999"], "not in the range"),
    (["run", SB, "--budget", "0"], "'--budget': 0 is not in the range 1<=x<=10000"),
    (["run", SB, "--budget", "-1"], "-1 is not in the range"),
    (["run", SB, "--mode", "random", "--seed", "-1"], "'--seed': -1 is not in the range"),
    (["hunt", "-t", "x86_64", "--limit", "-3"], "'--limit': -3 is not in the range x>=1"),
    (["hunt", "-t", "x86_64", "--max-threads", "0"], "'--max-threads': 0 is not in the range"),
    (["hw", SB, "--runs", "0"], "'--runs': 0 is not in the range"),
    (["map", "load", "Acquire", "--width", "12"], "'12' is not one of '8', '16'"),
])  # fmt: skip
def test_numbers_out_of_range_are_one_line_and_status_2(cli, args, says):
    assert says in one_error(cli(args))


def test_no_shape_with_that_few_threads_is_said_in_agreement(cli):
    line = one_error(cli(["hunt", "-t", "x86_64", "--shapes", "SB", "--max-threads", "1"]))
    assert line.endswith("no shape among SB has at most 1 thread")  # (it said `1 threads`)


@pytest.mark.parametrize("args, says", [
    (["run", SB, "--runs", "5"], "--runs acts in random mode only (add --mode random"),
    (["run", SB, "--seed", "3"], "--seed acts in random mode only"),
    (["run", SB, "--schedule", "0,0"], "--schedule acts in replay mode only"),
    (["run", SB, "--mode", "random", "--schedule", "0,0"], "--schedule acts in replay mode"),
    (["run", SB, "--mode", "replay"], "--mode replay needs --schedule"),
    (["run", SB, "--scheme", "gcc"], "--scheme gcc compiles C and Rust tests for a --target"),
    (["run", C_SB, "--scheme", "gcc"], "--scheme gcc compiles C and Rust tests"),
    (["run", C_SB, "-t", "armv8", "-s", "x86-mfence"], "--scheme x86-mfence is written for "
     "x86_64; it cannot act on --target armv8"),
    (["check", RUST_SB, "-t", "armv8", "-s", "x86-mfence"], "it cannot act on --target armv8"),
    (["map", "load", "Acquire", "-t", "armv8", "-s", "rcpc"], "--scheme rcpc is written for "
     "armv8.3"),
    (["compile", C_SB, "-t", "x86_64", "-s", "gcc"], "--scheme gcc is written for armv7"),
    (["run", C_SB, "-t", "armv8", "--model", "c11"], "--model c11 judges C and Rust tests "
     "themselves"),
    (["run", C_SB, "-t", "x86_64", "--model", "arm"], "--model arm covers AArch64, ARM code; it "
     "cannot act on --target x86_64"),
    (["tui", SB, "--model", "c11"], "c11 is a source model, which cannot act here"),
    (["tui", C_SB, "-t", "all"], "--target takes one target here (tui shows one machine)"),
    (["graph", C_SB, "-t", "x86_64,armv8"], "--target takes one target here"),
    (["check", RUST_SB, "--model", "c11"], "c11 is a source model, which cannot act here"),
    (["map", "fence", "SeqCst", "--width", "32"], "a fence has no width"),
    (["run", SB, "--graph-format", "dot"], "--graph-format needs --graph DIR"),
    # (was: accepted and ignored, `svg` being the default)
    (["run", SB, "--graph-format", "svg"], "--graph-format needs --graph DIR"),
    (["check", C_SB, "-t", "x86_64", "--graph-format", "SVG"], "--graph-format needs --graph"),
    (["hunt", "-t", "x86_64", "--shapes", "SB", "--graph-format", "svg"], "--graph-format "
     "needs --graph DIR"),
    # (was: accepted, and nothing was turned off that the run would have used)
    (["run", SB, "--mode", "replay", "--schedule", SB_WITNESS, "--no-reduce", "tso-persistent"],
     "--no-reduce tso-persistent cannot act in --mode replay: it reduces exhaustive "
     "exploration only"),
    (["run", SB, "--mode", "random", "--no-reduce", "reuse,tso-step"], "--no-reduce tso-step "
     "cannot act in --mode random: it reduces exhaustive exploration only"),
    (["run", MP, "--mode", "random", "--no-reduce", "certify-share"], "--no-reduce "
     "certify-share cannot act in --mode random"),
    (["run", ARM_MP, "--mode", "random", "--no-reduce", "armv7-threads-apart"], "--no-reduce "
     "armv7-threads-apart cannot act in --mode random"),
    (["run", SB, "--mode", "replay", "--schedule", SB_WITNESS, "--no-reduce", "finished-threads"],
     "--no-reduce finished-threads cannot act in --mode replay: it reduces exhaustive "
     "exploration and random runs only"),
    (["run", C_SB, "--mode", "random", "--no-reduce", "source-axioms", "-t", "x86_64"],
     "--no-reduce source-axioms cannot act in --mode random"),
])  # fmt: skip
def test_an_option_that_cannot_act_is_refused_with_the_reason(cli, args, says):
    assert says in one_error(cli(args))


@pytest.mark.parametrize("args, says", [
    (["--mode", "replay", "--schedule", SB_WITNESS, "--no-reduce", "reuse", "--no-reduce",
      "step-effects", "--no-reduce", "all"], "# Replayed 6 transitions"),
    (["--mode", "random", "--runs", "5", "--no-reduce", "finished-threads,step-effects"],
     "# Ran 5 runs"),
    (["--mode", "random", "--runs", "5", "--no-reduce", "all"], "# Ran 5 runs"),
])  # fmt: skip
def test_no_reduce_of_a_reduction_that_acts_in_the_mode_is_taken(cli, args, says):
    """Engines are reused and steps remembered in every mode; random runs key the states they
    step back from (finished-threads); `all` turns off whatever acts."""
    result = cli(["run", SB, "-j", "1", *args])
    assert result.exit_code == 0, result.output
    assert says in result.output and "Observation SB" in result.output


@pytest.mark.parametrize("args, says", [
    (["run", SB, "--no-reduce", "armv7-dmb-earliest"], "--no-reduce armv7-dmb-earliest cannot "
     "act here: it acts under armv7 only; this command runs tso (X86_64)"),
    (["run", SB, "-j", "2", "--no-reduce", "source-own-reads"], "--no-reduce source-own-reads "
     "cannot act here: it acts under c11, rc11, sc-source only; this command runs tso (X86_64)"),
    (["run", SB, "MP_dir_missing", "--no-reduce", "certify-share", "-m", "sc"],
     "this command runs sc (X86_64)"),
    (["run", C_SB, "--no-reduce", "tso-step"], "this command runs c11 (C)"),
    (["run", C_SB, "-t", "x86_64", "--no-reduce", "source-axioms"], "--no-reduce source-axioms "
     "cannot act here: it acts under c11, rc11 only; this command runs tso (X86_64)"),
    (["run", C_SB, "-m", "sc-source", "--no-reduce", "source-rf-share"], "it acts under c11, "
     "rc11 only; this command runs sc-source (C)"),
    (["run", SB, "-m", "tso-axiomatic", "--no-reduce", "finished-threads"], "it acts under sc, "
     "tso, arm, aarch32, armv7 only; this command runs tso-axiomatic (X86_64)"),
    (["run", ARM_MP, "--no-reduce", "step-effects"], "--no-reduce step-effects cannot act "
     "here: it acts under sc, tso, arm, sc-axiomatic, tso-axiomatic, arm-axiomatic on X86_64, "
     "X86, AArch64 code only; this command runs armv7 (ARM)"),
    (["run", ARM_MP, "-m", "aarch32", "--no-reduce", "arm-sequential"], "this command runs "
     "aarch32 (ARM)"),  # (AArch32.for_exhaustive consults none of the arm model's)
    (["check", C_SB, "-t", "x86_64", "--no-reduce", "armv7-commit-order"], "this command runs "
     "c11 (C), tso (X86_64)"),
    (["hunt", "-t", "armv8", "-m", "arm-axiomatic", "--shapes", "SB", "--no-reduce",
      "promise-merge"], "this command runs c11 (C), arm-axiomatic (AArch64)"),
    (["graph", SB, "--no-reduce", "axiomatic-dead-reads"], "this command runs tso (X86_64)"),
    (["tui", C_SB, "--no-reduce", "source-axioms"], "this command runs tso (X86_64)"),
    (["hw", C_SB, "-m", "c11", "--no-reduce", "tso-step"], "this command runs c11 (C)"),
])  # fmt: skip
def test_no_reduce_of_a_reduction_no_model_of_the_command_consults_is_refused(cli, args, says):
    """(was: accepted and ignored, `run x86_64/SB.litmus --no-reduce armv7-dmb-earliest`)"""
    assert says in one_error(cli(args))


@pytest.mark.parametrize("args", [
    [SB, ARM_MP, "--no-reduce", "armv7-dmb-earliest"],  # (acts on ARM_MP)
    [ARM_MP, SB, "-j", "2", "--no-reduce", "tso-step", "--no-reduce", "armv7-commit-order"],
    [C_SB, "-t", "all", "--no-reduce", "source-axioms", "--no-reduce", "certify-share"],
    [C_SB, "--no-reduce", "reuse", "--no-reduce", "all"],
    [SB, "-m", "sc-axiomatic", "--no-reduce", "step-effects,axiomatic-dead-reads"],
])  # fmt: skip
def test_no_reduce_of_a_reduction_some_run_consults_is_taken(cli, args):
    result = cli(["run", *args])
    assert result.exit_code == 0, result.output
    assert "Observation" in result.output


def test_armv7_random_runs_take_its_exhaustive_reductions(cli):
    # (`ARMv7.for_random`: its runs draw from the reduced model, so turning one off acts)
    result = cli(["run", ARM_MP, "-j", "1", "--mode", "random", "--runs", "5", "--no-reduce",
                  "armv7-commit-order"])  # fmt: skip
    assert result.exit_code == 0 and "# Ran 5 runs" in result.output
    assert set(reduce.REDUCTIONS) >= reduce.RANDOM_TOO  # (no name misspelt there)


@pytest.mark.parametrize("args, says", [
    (["run", SB, "--xyzzy"], "no such option '--xyzzy' (see 'fencelab run --help')"),
    (["run"], "missing argument 'TESTS...'"),
    (["frob"], "no such command 'frob'"),
    (["run", SB, "--model", "bogus"], "unknown model 'bogus'; valid: sc, tso, arm, "
     "aarch32, armv7, sc-axiomatic, tso-axiomatic, arm-axiomatic, armv7-axiomatic, c11, rc11, "
     "sc-source"),
    # (these listed every model as valid: the twelve, where only these can act)
    (["check", C_SB, "--source-model", "bogus"], "unknown model 'bogus'; valid: c11, rc11, "
     "sc-source (see"),
    (["hunt", "-m", "bogus"], "unknown model 'bogus'; valid: sc, tso, arm, aarch32, armv7, "
     "sc-axiomatic, tso-axiomatic, arm-axiomatic, armv7-axiomatic (see"),
    (["graph", SB, "-m", "bogus"], "unknown model 'bogus'; valid: sc, tso, arm, aarch32, "
     "armv7, c11, rc11, sc-source (see"),
    (["run", SB, "--scheme", "bogus"], "unknown scheme 'bogus'"),
    (["run", SB, "--target", "x86_64,bogus"], "unknown target 'bogus'"),
    (["run", SB, "--mode", "fast"], "'fast' is not one of 'exhaustive', 'random', 'replay'"),
])  # fmt: skip
def test_usage_errors_are_one_line_not_clicks_three(args, says):
    result = CliRunner().invoke(main, args, prog_name="fencelab")
    assert says in one_error(result)


@pytest.mark.parametrize("args, says", [
    (["compile", C_SB, "-t", "armv8", "-t", "x86_64"], "-t is given twice"),
    (["check", RUST_SB, "-t", "armv8", "--target=x86_64"], "-t/--target is given twice"),
    (["compile", C_SB, "-s", "gcc", "-s", "tutorial"], "-s is given twice"),
    (["check", RUST_SB, "-j", "1", "-j2", "-j", "3"], "-j is given 3 times"),
    (["run", SB, "--budget", "5", "--budget", "6"], "--budget is given twice"),
    (["map", "load", "Acquire", "-f", "Relaxed", "--failure", "Acquire"], "-f/--failure is "
     "given twice"),
    (["table", "--format", "csv", "--format", "json"], "--format is given twice"),
    (["tui", SB, "--schedule", "0", "--schedule", "1"], "--schedule is given twice"),
    (["graph", SB, "-o", "nowhere/a.svg", "-o", "nowhere/b.svg"], "-o is given twice"),
    (["hw", SB, "--runs", "5", "--runs", "6"], "--runs is given twice"),
    (["hunt", "--shapes", "SB", "--shapes", "MP"], "--shapes is given twice"),
])  # fmt: skip
def test_an_option_of_one_value_given_twice_is_refused_by_name(cli, args, says):
    """Click kept the last value: `compile -t armv8 -t x86_64` compiled for x86_64 alone."""
    assert one_error(cli(args)) == (f"fencelab: error: {says}; it takes one value (see "
                                    f"'fencelab {args[0]} --help')")  # fmt: skip


def test_repeatable_options_still_repeat(cli):
    table = cli(["table", "-t", "x86_64", "-w", "8", "-w", "64", "--format", "csv"])
    widths = {r.split(",")[5] for r in table.output.splitlines()[1:]}
    assert table.exit_code == 0 and widths == {"8", "64", ""}  # "": a fence's
    run = cli(["run", SB, "--no-reduce", "all", "--no-reduce", "all", "--json", "--json"])
    assert run.exit_code == 0 and run.output.startswith('{"test": "SB"')


def test_every_lowering_command_takes_one_target_a_list_or_all(cli):
    both = "x86_64,armv8"
    assert cli(["map", "store", "Release", "-t", both]).output.count("scheme default") == 2
    compiled = cli(["compile", C_SB, "-t", both]).output
    assert compiled.startswith("X86_64 SB+rlx") and "\nAArch64 SB+rlx" in compiled
    assert cli(["compile", C_SB]).output.count(" SB+rlx\n") == 5  # default: all
    rows = cli(["table", "-t", both, "-w", "32", "--format", "csv"]).output.splitlines()[1:]
    assert {r.split(",")[0] for r in rows} == {"x86_64", "armv8"}
    checked = cli(["check", RUST_SB, "-t", both])
    assert checked.exit_code == 0 and "2 checks (1 test x 2 target/scheme pairs)" in checked.output
    hunted = cli(["hunt", "-t", both, "--shapes", "SB", "--variants", "plain"])
    assert hunted.output.count("hunt: ") == 2


def test_all_means_every_target_a_scheme_is_written_for(cli):
    rows = cli(["table", "-s", "rcpc", "--format", "csv"]).stdout.splitlines()[1:]
    assert {r.split(",")[0] for r in rows} == {"armv8.3"}
    assert "rcpc" in {r.split(",")[1] for r in rows}
    assert cli(["compile", C_SB, "-s", "x86-mfence"]).stdout.count(" SB+rlx\n") == 1


def test_map_says_when_a_scheme_leaves_an_entry_to_default(cli):
    out = cli(["map", "load", "Acquire", "-t", "armv8.3", "-s", "gcc"]).output
    assert "scheme gcc: the same as default here (gcc changes other entries)" in out
    out = cli(["map", "load", "Acquire", "-t", "armv8.3", "-s", "rcpc"]).output
    assert "scheme rcpc" in out and "ldapr" in out


def test_map_shows_clrex_as_what_it_is(cli):
    out = cli(["map", "load", "SeqCst", "-t", "armv7", "-w", "64"]).output
    assert "clrex: clears the exclusive monitor (orders nothing)" in out
    assert "(?)" not in out


def complete(line: str) -> list[str]:
    words = line.split()
    env = {"_FENCELAB_COMPLETE": "bash_complete", "COMP_WORDS": line,
           "COMP_CWORD": str(len(words) - (0 if line.endswith(" ") else 1))}  # fmt: skip
    result = CliRunner().invoke(main, [], env=env, prog_name="fencelab")
    return [ln.split(",", 1)[1] for ln in result.output.splitlines() if ln]


def test_the_shell_completes_targets_schemes_models_and_modes():
    assert complete("fencelab run x.litmus --target arm") == ["armv7", "armv8", "armv8.1",
                                                              "armv8.3"]  # fmt: skip
    assert complete("fencelab run x.litmus --target x86_64,armv8.") == ["x86_64,armv8.1",
                                                                         "x86_64,armv8.3"]
    assert "all" in complete("fencelab check x --target ")
    assert complete("fencelab map load SeqCst --scheme r") == ["rcpc"]
    assert complete("fencelab tui x --model ") == ["sc", "tso", "arm", "aarch32", "armv7"]
    assert complete("fencelab run x --mode r") == ["random", "replay"]


@pytest.mark.parametrize("command", ["tui", "graph", "hw"])
def test_the_shell_offers_one_target_to_a_command_of_one_target(command):
    """tui, graph and hw take one target; the shell offered `all` and lists (`x86_64,...`)."""
    assert "all" not in complete(f"fencelab {command} x --target ")
    assert complete(f"fencelab {command} x --target armv8.") == ["armv8.1", "armv8.3"]
    assert complete(f"fencelab {command} x --target x86_64,") == []


def test_help_lists_the_choices(cli):
    text = cli(["run", "--help"]).output
    for name in ("x86_64", "armv8.3", "rcpc", "arm-axiomatic", "c11", "random", "1 to 10,000"):
        assert name in text, name


def test_fencelab_alone_shows_its_help_whole():
    """It printed the help flattened into one line: `fencelab: error: usage: fencelab [OPTIONS]
    COMMAND [ARGS]... fencelab: memory ordering ... Commands: check Check that ...`."""
    result = CliRunner().invoke(main, [], prog_name="fencelab")
    assert result.exit_code == 2 and "fencelab: error" not in result.output
    assert result.stderr.startswith("Usage: fencelab [OPTIONS] COMMAND [ARGS]...\n")
    assert "\nCommands:\n  check " in result.stderr


@pytest.mark.parametrize("command", [["run", SB], ["graph", SB], ["check", RUST_SB, "-t",
                                                                  "x86_64"]])  # fmt: skip
@pytest.mark.parametrize("name", ["", " , "])
def test_no_reduce_naming_no_reduction_is_refused(cli, command, name):
    """`--no-reduce ""` (an unset shell variable) and `--no-reduce ,` turned nothing off, and
    the command ran as if the option were not given; an empty list of targets is refused so."""
    assert one_error(cli([*command, "--no-reduce", name])) == (
        f"fencelab: error: --no-reduce {name!r}: no reduction named")


def test_map_refuses_an_empty_failure_ordering():
    """`map cas SeqCst -f ""` mapped C's default failure ordering, as if -f were not given."""
    result = CliRunner().invoke(main, ["map", "cas", "SeqCst", "-f", ""], prog_name="fencelab")
    assert one_error(result).startswith("fencelab: error: unknown ordering ''; valid: Relaxed")


@pytest.mark.parametrize("size", ["1T", "300TB", "2TiB"])
def test_a_memory_size_in_terabytes_is_out_of_range_not_unreadable(cli, size):
    """`--max-memory 300T` said "'300T' is not a size (write 800M, 1.5G or 2GB)": it is one,
    past the range."""
    assert one_error(cli(["run", SB, "--max-memory", size])) == (
        f"fencelab: error: invalid value for '--max-memory': {size!r} is not in the range 16 MB "
        "to 256 GB (see 'fencelab run --help')")  # fmt: skip
