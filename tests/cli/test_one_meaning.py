"""An option means the same in every command that takes it, and one that cannot act is refused
before any work, in one line (README, "Options and exit codes"); found walking README as a user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fencelab.hw.native import host_arch
from fencelab.tui.app import FencelabApp
from tests.helpers import EXAMPLES, REPO, one_error

SB = str(EXAMPLES / "x86_64" / "SB.litmus")
C_SB = str(EXAMPLES / "c" / "SB+rlx.litmus")
RUST_SB = str(EXAMPLES / "rust" / "SB+scs.litmus")
MP_ARM = str(EXAMPLES / "aarch64" / "MP+dmb.sy+addr.litmus")
X86_HOST_WITH_CC = pytest.mark.skipif(
    host_arch() != "X86_64" or not any(map(shutil.which, ("cc", "gcc", "clang"))),
    reason="runs SB natively on an x86-64 CPU")  # fmt: skip


@pytest.mark.parametrize("command", [
    ["run", SB], ["check", RUST_SB, "-t", "x86_64"], ["hunt", "-t", "x86_64", "--shapes", "SB"],
])  # fmt: skip
@pytest.mark.parametrize("address", ["foo", "tcp://foo", "tcp://foo:port"])
def test_a_cluster_address_without_a_port_is_one_line(cli, command, address):
    """Dask's ValueError was a traceback."""
    assert one_error(cli([*command, "--cluster", address])) == (
        f"fencelab: error: --cluster {address}: not a scheduler's address; give tcp://HOST:PORT")


def test_cluster_without_dask_is_refused_before_any_output(cli, monkeypatch):
    """`check` printed its `source model:` line before the refusal."""
    monkeypatch.setitem(sys.modules, "distributed.comm.addressing", None)  # import fails
    result = cli(["check", RUST_SB, "-t", "x86_64", "--cluster", "tcp://127.0.0.1:9"])
    assert one_error(result) == "fencelab: error: --cluster needs Dask: pip install " \
                                "'fencelab[cluster]'"  # fmt: skip


@pytest.mark.parametrize("args", [
    ["graph", SB, "--scheme", "tutorial"],  # an asm test is never compiled
    ["graph", C_SB, "--scheme", "gcc"],  # c11 judges the source: nothing compiled
    ["hw", SB, "--runs", "10", "--scheme", "tutorial"],
    ["tui", SB, "--scheme", "tutorial"],
])  # fmt: skip
def test_a_scheme_where_nothing_is_compiled_is_refused_as_run_refuses_it(cli, monkeypatch, args):
    monkeypatch.setattr(FencelabApp, "run", lambda self: None)  # tui: no terminal here
    said = one_error(cli(args))
    assert said.endswith("compiles C and Rust tests for a --target; no test here is compiled")
    assert one_error(cli(["run", *args[1:2], *args[-2:]])) == said


RUST_MP = str(EXAMPLES / "rust" / "MP+rel+acq.litmus")


@pytest.mark.parametrize("args", [
    ["graph", RUST_MP, "-t", "armv8", "--scheme", "x86-mfence"],
    ["graph", RUST_MP, "-t", "x86_64", "--scheme", "rcpc"],
    ["hw", RUST_MP, "--runs", "10", "-t", "x86_64", "--scheme", "gcc"],
    ["tui", RUST_MP, "-t", "x86_64", "--scheme", "rcpc"],
])  # fmt: skip
def test_a_scheme_not_written_for_the_target_is_refused_as_run_refuses_it(cli, monkeypatch,
                                                                           args):  # fmt: skip
    """graph, hw and tui compiled with the default scheme and said nothing."""
    monkeypatch.setattr(FencelabApp, "run", lambda self: None)  # tui: no terminal here
    said = one_error(cli(args))
    assert " is written for " in said and said.endswith(f"cannot act on --target {args[-3]}")
    assert one_error(cli(["run", RUST_MP, *args[-4:]])) == said


def test_a_scheme_is_refused_on_the_target_a_source_test_gets_without_target(cli, monkeypatch):
    """tui compiles for x86_64 and hw for this CPU's target when no --target is named (the
    refusal says it is the default target, not a --target given)."""
    from fencelab.hw.native import HOST_TARGETS

    monkeypatch.setattr(FencelabApp, "run", lambda self: None)
    run = one_error(cli(["run", RUST_MP, "-t", "x86_64", "--scheme", "rcpc"]))
    default = run.replace("on --target", "on the default --target")
    assert default != run and one_error(cli(["tui", RUST_MP, "--scheme", "rcpc"])) == default
    if host_arch() in HOST_TARGETS:
        host = HOST_TARGETS[host_arch()]
        run = one_error(cli(["run", RUST_MP, "-t", host, "--scheme", "rcpc"]))
        default = run.replace("on --target", "on the default --target")
        assert one_error(cli(["hw", RUST_MP, "--runs", "10", "--scheme", "rcpc"])) == default


def test_graph_with_a_scheme_and_a_target_still_compiles(cli):
    out = cli(["graph", C_SB, "-t", "x86_64", "--scheme", "x86-mfence"])
    assert out.exit_code == 0 and out.output.startswith("SB+rlx (tso on x86_64)")


@pytest.mark.parametrize("command", [
    ["run"], ["run", "-j", "2"], ["run", "-t", "all"], ["graph"],
])  # fmt: skip
@pytest.mark.parametrize("model", ["c11", "rc11", "sc-source"])
def test_a_language_model_named_for_an_assembly_test_is_refused_as_hw_refuses_it(cli, command,
                                                                                  model):  # fmt: skip
    """run and graph ran the test under its target's own model (tso), as if no --model."""
    said = one_error(cli([*command, SB, "--model", model]))
    file = "" if command == ["graph"] else f"{SB}: "  # (run's catalogue: which file, too)
    assert said == (f"fencelab: error: {file}SB: the {model} model judges source tests (C or "
                    "RUST); this is an X86_64 test (its models: sc, tso, sc-axiomatic, "
                    "tso-axiomatic)")  # fmt: skip


def test_a_language_model_judges_the_c_tests_of_a_run_and_refuses_its_asm_tests(cli):
    result = cli(["run", C_SB, SB, "--model", "c11"])
    assert result.exit_code == 2
    assert f"fencelab: error: {SB}: SB: the c11 model judges source tests" in result.output
    assert result.output.rstrip().endswith("1 result; 1 could not run (errors above)")


def test_hw_takes_one_target_said_once(cli):
    result = cli(["hw", SB, str(EXAMPLES / "x86_64" / "MP.litmus"), "-t", "x86_64,armv8"])
    assert one_error(result) == "fencelab: error: --target: hw runs on this machine's CPU only; " \
                                "name one target"  # fmt: skip
    assert "T,T,... or all" not in cli(["hw", "--help"]).output


@X86_HOST_WITH_CC
def test_hw_runs_an_asm_test_on_its_own_architecture_with_a_note_as_run_does(cli):
    ran = cli(["hw", SB, "--runs", "20", "-t", "armv8"])
    note = "fencelab: note: SB: an X86_64 test runs on x86_64; --target armv8 is for C and " \
           "Rust tests"  # fmt: skip
    assert ran.exit_code == 0 and ran.output.startswith(note + "\nTest SB Allowed\n")
    assert note in cli(["run", SB, "-t", "armv8"]).output


def test_tui_opens_an_asm_test_on_its_own_architecture_with_a_note_as_run_does(cli, monkeypatch):
    """`tui SB.litmus -t armv8` was refused (`an X86_64 test cannot run on target armv8`)."""
    apps: list[FencelabApp] = []
    monkeypatch.setattr(FencelabApp, "run", lambda self: apps.append(self))
    opened = cli(["tui", SB, "-t", "armv8"])
    note = "fencelab: note: SB: an X86_64 test runs on x86_64; --target armv8 is for C and " \
           "Rust tests"  # fmt: skip
    assert opened.exit_code == 0 and opened.output == note + "\n"
    assert note in cli(["graph", SB, "-t", "armv8"]).output
    session = apps[0].session
    assert (session.target, session.model) == ("x86_64", "tso")


@X86_HOST_WITH_CC
def test_hw_reads_a_test_from_standard_input():
    """It opened a file named `-`."""
    from click.testing import CliRunner

    from fencelab.cli import main

    with open(SB) as f:
        result = CliRunner().invoke(main, ["hw", "-", "--runs", "20"], input=f.read())
    assert result.exit_code == 0 and result.output.startswith("Test SB Allowed\nHistogram")


def test_check_counts_a_cut_short_check_apart_from_errors(cli):
    result = cli(["check", RUST_SB, "-t", "x86_64", "--max-states", "3"])
    assert "│ 0/0 (1 cut short) │" in result.output and "err)" not in result.output
    assert result.output.rstrip().endswith("0 could not be checked; 1 cut short "
                                           "(no verdict)")  # fmt: skip


@pytest.mark.parametrize("outcome, says", [
    ("1:X7=1", "MP+dmb.sy+addr: 1:X7 is not observed by the test (it observes 1:X0, 1:X2)"),
    ("1:X0=7; 1:X2=0", "MP+dmb.sy+addr: no candidate execution ends in 1:X0=7; 1:X2=0; (no "
     "thread can even produce those values)"),
])  # fmt: skip
def test_graph_names_an_outcome_as_the_user_wrote_it(cli, outcome, says):
    """They were lowercased (`1:x7`), as no test or output spells them."""
    assert one_error(cli(["graph", MP_ARM, "--outcome", outcome])) == f"fencelab: error: {says}"


@pytest.mark.parametrize("outcome, says", [
    ("0:rax=0; 0:rax=1", "0:rax given twice, with 0 and 1"),
    ("0:rax=abc; 1:rax=0", "'abc' is neither a number nor a location of SB"),
    ("0:rax=99999999999999999999999; 1:rax=0", "99999999999999999999999 does not fit in 64 "
     "bits"),
    ("0:rax=0 \\/ 1:rax=0", "a disjunction (\\/) is not one outcome; give the final state's "
     "values, separated by ;"),
    ("0:rax=1x", "'1x' is not a number"),
])  # fmt: skip
def test_graph_refuses_an_outcome_that_is_not_one_final_state(cli, outcome, says):
    """The first of two values was dropped; the others were 'no thread can even produce
    those values'."""
    assert one_error(cli(["graph", SB, "--outcome", outcome])) == (
        f"fencelab: error: outcome '{outcome}': {says}")


@pytest.mark.parametrize("test, condition, example", [
    (SB, "exists (0:rax=0 \\/ 1:rax=1)", "0:rax=0; 1:rax=1"),
    (str(EXAMPLES / "c" / "MP+rlx.litmus"), "exists (1:r0=1 \\/ y=1)", "1:r0=1; [y]=1"),
    (MP_ARM, "~exists (1:X0=1 /\\ 1:X2=0 \\/ [x]=1)", "1:X0=1; 1:X2=0"),
])  # fmt: skip
def test_graph_of_a_disjunction_suggests_an_outcome_in_the_tests_own_names(cli, tmp_path, test,
                                                                         condition, example):  # fmt: skip
    """The hint was `--outcome "1:X0=1; 1:X2=0"`, AArch64's names, for x86 and C tests too."""
    text = Path(test).read_text()
    path = tmp_path / Path(test).name
    path.write_text(text[:text.rindex("exists")] + condition + "\n")
    name = path.stem
    assert one_error(cli(["graph", str(path)])) == (
        f"fencelab: error: {name}: the condition is not a conjunction of OBS=VALUE; give the "
        f'outcome with --outcome "{example}"')
    assert cli(["graph", str(path), "--outcome", example]).exit_code == 0  # as the hint says


def test_graph_of_part_of_several_final_states_says_which_it_draws(cli):
    """`--outcome 0:rax=0` (SB under tso: two final states have it) drew the first without a
    word; a note now names the state drawn and the others."""
    drawn = cli(["graph", SB, "--outcome", "0:rax=0"])
    assert drawn.exit_code == 0
    assert drawn.stdout.startswith("SB (tso on x86_64): 0:rax=0; 1:rax=0; allowed\n")
    assert drawn.stderr == (
        "fencelab: note: SB: 0:rax=0; is part of 2 final states: drawing 0:rax=0; 1:rax=0; "
        "(also 0:rax=0; 1:rax=1;); give more of the state to draw another\n")
    one = cli(["graph", SB, "--outcome", "0:rax=0", "--model", "sc"])  # one state has it
    assert one.exit_code == 0 and one.stderr == ""
    assert one.stdout.startswith("SB (sc on x86_64): 0:rax=0; 1:rax=1; allowed\n")


def test_graph_of_an_empty_outcome_is_refused_not_the_conditions(cli):
    """`--outcome ""` (an empty shell variable, say) drew the condition's outcome."""
    assert one_error(cli(["graph", SB, "--outcome", ""])) == (
        "fencelab: error: outcome '': no OBS=VALUE in it")
    assert one_error(cli(["graph", SB, "--outcome", " ; "])) == (
        "fencelab: error: outcome ' ; ': no OBS=VALUE in it")


@pytest.mark.parametrize("outcome", ["0:rax=0x1; 1:rax=1", "0:rax=01; 1:rax=0X1"])
def test_graph_reads_an_outcomes_numbers_as_a_condition_does(cli, outcome):
    """They were compared as text: no execution ends in 0:rax=0x1."""
    drawn = cli(["graph", SB, "--outcome", outcome])
    assert drawn.exit_code == 0
    assert drawn.output.startswith("SB (tso on x86_64): 0:rax=1; 1:rax=1; allowed\n")


def test_graph_output_of_another_kind_is_refused_not_written_as_svg(cli, tmp_path):
    png = tmp_path / "mp.png"
    assert one_error(cli(["graph", MP_ARM, "-o", str(png)])) == (
        f"fencelab: error: --output {png}: name a .svg or .dot file, or give --format svg or dot")
    assert not png.exists()
    assert cli(["graph", MP_ARM, "-o", str(png), "--format", "svg"]).exit_code == 0


def test_dash_is_a_standard_stream_for_outputs_as_for_inputs(cli, tmp_path, monkeypatch):
    """`-` is standard input for every TEST; `graph -o - --format svg` wrote a file called
    `-` (and printed `-: SB ...`), `run --graph -` and `hunt --save -` a directory called `-`.
    Now `graph -o -` is standard output, as without -o, and a directory named `-` is refused."""
    monkeypatch.chdir(tmp_path)
    svg = cli(["graph", SB, "-o", "-", "--format", "svg"])
    assert svg.exit_code == 0, svg.output
    assert svg.stdout == cli(["graph", SB, "--format", "svg"]).stdout
    assert svg.stdout.startswith("<svg ")
    text = cli(["graph", SB, "-o", "-"])
    assert text.exit_code == 0 and text.stdout.startswith("SB (tso on x86_64): 0:rax=0;")
    for command in (["run", SB, "--graph", "-"], ["check", RUST_SB, "-t", "x86_64", "--graph", "-"],
                    ["hunt", "-t", "x86_64", "--shapes", "SB", "--save", "-"]):  # fmt: skip
        option = command[-2]
        assert one_error(cli(command)) == (
            f"fencelab: error: invalid value for '{option}': '-' is a standard stream, not a "
            f"directory; name one (./- for a directory called -) (see 'fencelab {command[0]} "
            "--help')")  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_graph_output_that_cannot_be_written_is_one_line_before_any_exploration(cli, tmp_path):
    """It was a FileNotFoundError traceback (exit 1) after the exploration."""
    (tmp_path / "file").write_text("")
    for path in (tmp_path / "missing" / "g.svg", tmp_path / "file" / "g.svg"):
        said = one_error(cli(["graph", MP_ARM, "-o", str(path)]))
        assert said.startswith(f"fencelab: error: {path}: cannot be written (")
        # refused before the test is explored (which would refuse this outcome)
        assert one_error(cli(["graph", MP_ARM, "-o", str(path), "--outcome", "1:X7=1"])) == said
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("command", [
    ["run", SB], ["check", RUST_SB, "-t", "x86_64"], ["hunt", "-t", "x86_64", "--shapes", "SB"],
])  # fmt: skip
def test_a_graph_directory_that_cannot_be_made_is_one_line(cli, tmp_path, command):
    (tmp_path / "file").write_text("")
    where = tmp_path / "file" / "graphs"
    assert one_error(cli([*command, "--graph", str(where)])) == (
        f"fencelab: error: {where}: cannot write graphs there (Not a directory)")


def test_a_save_directory_that_cannot_be_made_is_one_line_before_the_hunt(cli, tmp_path):
    """hunt --save made its directory only when printing the first counterexample: a
    NotADirectoryError traceback after the whole hunt (and with none found, no word)."""
    (tmp_path / "file").write_text("")
    where = tmp_path / "file" / "tests"
    hunt = ["hunt", "-t", "x86_64", "-s", "tutorial", "--shapes", "SB", "--limit", "1"]
    assert one_error(cli([*hunt, "--save", str(where)])) == (
        f"fencelab: error: {where}: cannot write tests there (Not a directory)")
    # sound: nothing to save, the directory is still refused (it was accepted unseen)
    assert one_error(cli([*hunt[:4], "default", *hunt[5:], "--save", str(where)])) == (
        f"fencelab: error: {where}: cannot write tests there (Not a directory)")
    made = tmp_path / "new" / "tests"
    assert cli([*hunt, "--save", str(made)]).exit_code == 1
    assert [p.name for p in made.iterdir()] == ["SB+sc.sc+sc.sc.litmus"]


@pytest.mark.parametrize("name, fmt, says", [
    ("g.svg", "dot", "names a .svg file and --format dot writes DOT: drop --format, or name a "
     ".dot file"),
    ("g.DOT", "svg", "names a .dot file and --format svg writes SVG: drop --format, or name a "
     ".svg file"),
])  # fmt: skip
def test_graph_refuses_a_format_its_output_name_contradicts(cli, tmp_path, name, fmt, says):
    """DOT was written into g.svg without a word."""
    path = tmp_path / name
    assert one_error(cli(["graph", MP_ARM, "-o", str(path), "--format", fmt])) == (
        f"fencelab: error: --output {path} {says}")
    assert not path.exists()
    assert cli(["graph", MP_ARM, "-o", str(path), "--format", name[-3:].lower()]).exit_code == 0


MAIN = "from fencelab.launch import main; main()"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _fencelab(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", MAIN, *args], env=ENV, cwd=REPO,
                          capture_output=True, text=True, timeout=120, **kwargs)  # fmt: skip


def test_tui_without_a_terminal_is_one_line_not_a_wait_for_keys():
    """Standard input held the test (or is no terminal) and there is no /dev/tty: Textual
    waited forever for keys."""
    with open(SB) as test:
        result = _fencelab("tui", "-", stdin=test, start_new_session=True)  # no terminal
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "fencelab: error: the TUI reads keys from a terminal, and there " \
                            "is none: standard input is not one\n"  # fmt: skip


def test_tui_with_standard_input_closed_is_one_line():
    """`fencelab tui TEST <&-`: Python has no sys.__stdin__ then, and reading its isatty()
    was an AttributeError traceback."""
    result = _fencelab("tui", SB, stdin=subprocess.DEVNULL, start_new_session=True,
                       preexec_fn=lambda: os.close(0))  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "fencelab: error: the TUI reads keys from standard input and " \
                            "draws on standard error, and one of them is closed\n"  # fmt: skip


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux script (a pty)")
def test_tui_of_a_test_on_standard_input_takes_its_keys_from_the_terminal():
    """`fencelab tui - < SB.litmus` in a terminal: `q` typed there quits."""
    command = f'stty cols 80 rows 24; {sys.executable} -c "{MAIN}" tui - < {SB}'
    with subprocess.Popen(["script", "-qec", command, "/dev/null"], stdin=subprocess.PIPE,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV,
                          cwd=REPO) as shell:  # fmt: skip
        for _ in range(120):  # q until it quits (keys typed before it starts are dropped)
            time.sleep(0.5)
            if shell.poll() is not None:
                break
            shell.stdin.write(b"q")
            shell.stdin.flush()
        else:
            shell.kill()
        assert shell.wait() == 0


@pytest.mark.parametrize("mode", ["random", "replay"])
def test_a_machine_mode_on_a_c_tests_default_model_names_it_as_the_default(cli, mode):
    """No --model given: the refusal read `--model c11 is axiomatic`, naming an option the user
    never gave; it now names the model judging the test and what would run a machine."""
    args = ["run", C_SB, "--mode", mode,
            *(["--schedule", "0,1,0,d1,1,d0"] if mode == "replay" else [])]
    assert one_error(cli(args)) == (
        f"fencelab: error: {C_SB}: --mode {mode} runs the machine, and the model here, c11, is "
        "axiomatic: it enumerates every execution (a --target runs the compiled test on a "
        "machine model)")  # fmt: skip
    assert cli([*args, "-t", "x86_64"]).exit_code in (0, 1)  # as the hint says


@pytest.mark.parametrize("args, model, left", [
    (["run", "-t", "all"], "tso", "armv7, armv8, armv8.1, armv8.3"),
    (["run", "-t", "all"], "arm", "x86_64"),
    (["check", "-t", "all"], "arm", "x86_64"),
])  # fmt: skip
def test_all_targets_narrowed_by_a_model_say_which_are_left_out(cli, args, model, left):
    # before: `-t all --model tso` ran x86_64 only, and nothing said the others were dropped
    result = cli([args[0], str(EXAMPLES / "c" / "SB+rlx.litmus"), *args[1:], "--model", model])
    assert result.exit_code == 0, result.output
    arches = "X86_64, X86" if model == "tso" else "AArch64, ARM"
    assert result.stderr == (f"fencelab: note: --target all: --model {model} runs {arches} "
                             f"code; left out: {left}\n")  # fmt: skip
    for name in left.split(", "):
        assert name not in result.stdout
    default = cli(["check", str(EXAMPLES / "c" / "SB+rlx.litmus"), "--model", "arm"])
    assert default.stderr.startswith("fencelab: note: the default --target all: --model arm")
    named = cli(["run", str(EXAMPLES / "c" / "SB+rlx.litmus"), "-t", "armv8", "--model", "arm"])
    assert named.exit_code == 0 and named.stderr == ""  # nothing left out, nothing said


@pytest.mark.parametrize("args, says", [
    (["run", C_SB, "-t", "all", "-s", "rcpc", "-j", "1"], "--target all: --scheme rcpc is "
     "written for armv8.3; left out: x86_64, armv7, armv8, armv8.1"),
    (["check", C_SB, "-s", "x86-mfence", "-j", "1"], "the default --target all: --scheme "
     "x86-mfence is written for x86_64; left out: armv7, armv8, armv8.1, armv8.3"),
    (["compile", C_SB, "-s", "gcc"], "the default --target all: --scheme gcc is written for "
     "armv7, armv8, armv8.1, armv8.3; left out: x86_64"),
    (["table", "-s", "rcpc", "--format", "csv"], "the default --target all: --scheme rcpc is "
     "written for armv8.3; left out: x86_64, armv7, armv8, armv8.1"),
])  # fmt: skip
def test_all_targets_narrowed_by_a_scheme_say_which_are_left_out(cli, args, says):
    """As for --model (above): `-t all -s rcpc` ran armv8.3 alone, and nothing said so."""
    result = cli(args)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"fencelab: note: {says}\n"
    every = cli(["check", C_SB, "-t", "x86_64", "-s", "all", "-j", "1"])
    assert every.exit_code == 0 and every.stderr == ""  # each scheme on its own targets: unsaid


MP_X86 = str(EXAMPLES / "x86_64" / "MP.litmus")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_hardware_model_of_another_architecture_names_the_test_it_cannot_judge(cli, jobs):
    """`run aarch64/MP x86_64/MP -m tso` said `model tso does not cover AArch64 code (it
    covers X86_64, X86)`: which test of the catalogue, and what would judge it, unsaid."""
    result = cli(["run", MP_ARM, MP_X86, "-m", "tso", "-j", jobs])
    assert result.exit_code == 2
    assert result.stderr == (
        f"fencelab: error: {MP_ARM}: MP+dmb.sy+addr: the tso model judges X86_64, X86 code; "
        "this is an AArch64 test (its models: sc, arm, sc-axiomatic, arm-axiomatic)\n")
    assert "Observation MP Never 0 3" in result.stdout  # the x86 test ran
    for command in (["graph"], ["tui"]):  # (of one test: the test named, not its file)
        assert one_error(cli([*command, MP_ARM, "-m", "tso"])) == result.stderr.strip().replace(
            f"{MP_ARM}: ", "")


@X86_HOST_WITH_CC
def test_hw_refuses_a_model_that_cannot_judge_the_test_before_the_cpu_runs_it(cli):
    """It ran the test's 100,000 runs on the CPU first, then said `model arm does not cover
    X86_64 code (it covers AArch64, ARM)`."""
    started = time.perf_counter()
    assert one_error(cli(["hw", SB, "-m", "arm", "--runs", "10000000"])) == (
        f"fencelab: error: {SB}: SB: the arm model judges AArch64, ARM code; this is an X86_64 test "
        "(its models: sc, tso, sc-axiomatic, tso-axiomatic)")
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("command", [
    ["tui"], pytest.param(["hw"], marks=X86_HOST_WITH_CC),
])  # fmt: skip
def test_a_model_that_cannot_act_on_the_default_target_is_refused_as_on_a_named_one(cli,
                                                                                    command):  # fmt: skip
    """`tui C_SB -m arm` (compiled for x86_64, the default) said `model arm does not cover
    X86_64 code`; `-t x86_64 -m arm` says the option cannot act, as it now does for both."""
    said = "fencelab: error: --model arm covers AArch64, ARM code; it cannot act on "
    assert one_error(cli([*command, C_SB, "-m", "arm"])) == said + "the default --target x86_64"
    assert one_error(cli([*command, C_SB, "-m", "arm", "-t", "x86_64"])) == said + \
        "--target x86_64"  # fmt: skip


@pytest.mark.parametrize("command", [
    ["tui"], pytest.param(["hw"], marks=X86_HOST_WITH_CC),
])  # fmt: skip
def test_a_scheme_that_cannot_act_on_the_default_target_says_it_is_the_default(cli, command):
    """`hw C_SB -s rcpc` and `tui C_SB -s rcpc`, no --target given, said `it cannot act on
    --target x86_64`, a --target the user never gave; `-m arm` already said `the default`."""
    said = "fencelab: error: --scheme rcpc is written for armv8.3; it cannot act on "
    assert one_error(cli([*command, C_SB, "-s", "rcpc"])) == said + "the default --target x86_64"
    assert one_error(cli([*command, C_SB, "-s", "rcpc", "-t", "x86_64"])) == said + \
        "--target x86_64"  # fmt: skip


def test_graph_offers_and_takes_only_the_models_it_can_draw(cli):
    """Its --help listed the axiomatic models, which it refused after reading the test:
    `model sc-axiomatic is axiomatic: the machine steps the operational models`."""
    assert "sc-axiomatic" not in cli(["graph", "--help"]).output
    assert one_error(cli(["graph", SB, "-m", "sc-axiomatic"])) == (
        "fencelab: error: invalid value for '--model' / '-m': sc-axiomatic is an axiomatic "
        "model, which cannot act here (valid: sc, tso, arm, aarch32, armv7, c11, rc11, "
        "sc-source) (see 'fencelab graph --help')")


def test_run_graph_under_an_axiomatic_model_is_refused_as_graph_refuses_it(cli, tmp_path):
    """`run SB -m tso-axiomatic --graph DIR` made DIR, ran, drew nothing (`# Graph witnesses
    not drawn: model tso-axiomatic is axiomatic`) and ended 0: an option that cannot act, taken.
    `--target all` still draws a C test's language column."""
    pictures = tmp_path / "pictures"
    said = ("fencelab: error: --graph draws the executions a machine runs; --model {} is "
            "axiomatic and runs none (--graph with an operational or language model)")  # fmt: skip
    assert one_error(cli(["run", SB, "-m", "tso-axiomatic", "--graph", str(pictures)])) == \
        said.format("tso-axiomatic")  # fmt: skip
    assert one_error(cli(["run", RUST_MP, "-t", "armv8", "-m", "arm-axiomatic", "--graph",
                          str(pictures)])) == said.format("arm-axiomatic")  # fmt: skip
    assert not pictures.exists()  # refused before the directory is made
    out = cli(["run", RUST_MP, "-t", "all", "-m", "arm-axiomatic", "--graph", str(pictures),
               "-j", "1"])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in pictures.iterdir()) == [
        "MP+rel+acq-c11-1.r0=0_1.r1=0.svg", "MP+rel+acq-c11-1.r0=0_1.r1=1.svg",
        "MP+rel+acq-c11-1.r0=1_1.r1=0-forbidden.svg", "MP+rel+acq-c11-1.r0=1_1.r1=1.svg"]

def test_graph_of_a_forall_test_says_why_it_needs_an_outcome(cli):
    """It said `the condition is not a conjunction of OBS=VALUE` of `forall ([x]=2)`."""
    test = str(EXAMPLES / "x86_64" / "counter+lock-xadd.litmus")
    assert one_error(cli(["graph", test])) == (
        "fencelab: error: counter+lock-xadd: its condition is forall: it names no one outcome; "
        'give the outcome with --outcome "[x]=2"')


@pytest.mark.parametrize("command", ["tui", "graph", "hw"])
def test_a_command_of_one_target_offers_one_in_its_help(cli, command):
    """Their help said `--target [x86_64|...|armv8.3|all or a,b]` beside "One target ...",
    and `all` or a list is refused."""
    text = cli([command, "--help"]).output
    assert "-t, --target [x86_64|armv7|armv8|armv8.1|armv8.3]\n" in text
    assert "all or a,b" not in text


@pytest.mark.parametrize("args, option", [
    (["graph", SB, "-o", ""], "'--output' / '-o'"),
    (["run", SB, "--graph", ""], "'--graph'"),
    (["check", RUST_SB, "-t", "x86_64", "--graph", ""], "'--graph'"),
    (["hunt", "-t", "x86_64", "-s", "tutorial", "--shapes", "SB", "--save", ""], "'--save'"),
])  # fmt: skip
def test_an_empty_path_is_refused_not_taken_as_here_or_as_none(cli, tmp_path, monkeypatch,
                                                               args, option):  # fmt: skip
    """An unset shell variable (`--graph "$DIR"`): `run --graph ""` wrote its pictures into
    the current directory; `graph -o ""` printed text and `hunt --save ""` saved nothing,
    without a word."""
    monkeypatch.chdir(tmp_path)
    assert one_error(cli(args)) == (f"fencelab: error: invalid value for {option}: '' names no "
                                    f"file or directory (see 'fencelab {args[0]} --help')")  # fmt: skip
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["tui", SB], ["run", SB, "--mode", "replay"]])
@pytest.mark.parametrize("schedule", ["", " "])
def test_an_empty_schedule_is_refused_not_taken_as_none(cli, command, schedule):
    """`tui --schedule "$KEYS"` with KEYS unset opened the TUI at the start, as without the
    option; `run --mode replay` said it needs --schedule, which was given."""
    assert one_error(cli([*command, "--schedule", schedule])) == (
        f"fencelab: error: invalid value for '--schedule': {schedule!r} names no transition "
        f"(give keys a,b,c) (see 'fencelab {command[0]} --help')")


@pytest.mark.parametrize("args, says", [
    ([SB, "--schedule", "0,zz"],
     "SB: --schedule '0,zz' does not replay: schedule step 2: 'zz' is not enabled; "
     "enabled: 0, 1, d0"),
    ([RUST_SB, "-s", "tutorial", "--schedule", "0,0,0,0"],
     "SB+scs: x86_64: --schedule '0,0,0,0' does not replay: schedule step 4: '0' is not enabled; "
     "enabled: 1, d0"),
])  # fmt: skip
def test_a_bad_schedule_names_the_test_and_the_schedule_as_written(cli, args, says):
    """`tui --schedule` said `schedule step 2: 'zz' is not enabled; ...`: of which test, and
    of which schedule, unsaid (tui is of one test: the test named, as its other errors; a C or
    Rust test's keys are its target's)."""
    assert one_error(cli(["tui", *args])) == f"fencelab: error: {says}"


@pytest.mark.parametrize("args, line", [
    (["run", SB, "-m", "TSO"], "Observation SB Sometimes 1 3"),
    (["run", RUST_SB, "-t", "ARMv8", "-s", "GCC", "-m", "Arm"], "# Engine arm on armv8 (scheme gcc)"),
    (["run", C_SB, "-m", "RC11"], "Observation SB+rlx Sometimes 1 3"),
    (["map", "store", "SeqCst", "-t", "X86_64", "-s", "X86-MFENCE"], "│ mfence"),
])  # fmt: skip
def test_models_and_schemes_are_named_in_any_case_as_targets_are(cli, args, line):
    """`-t ARMv8` was taken and `-m TSO`, `-s GCC` refused as unknown: a name means the same
    in any case, for each of the three."""
    result = cli(args)
    assert result.exit_code == 0, result.output
    assert any(ln.startswith(line) or line in ln for ln in result.output.splitlines())


@pytest.mark.parametrize("args, line", [
    (["run", C_SB, "-t", "ALL"], "6 results"),
    (["check", C_SB, "-t", "X86_64", "-s", "All"], "3 checks (1 test x 3 target/scheme pairs)"),
    (["table", "-t", "All", "--format", "CSV"], "armv8.3,default,load,Relaxed,,8,"),
    (["run", SB, "--mode", "Random", "--runs", "5"], "# Engine tso on x86_64, mode random"),
    (["run", SB, "--mode", "REPLAY", "--schedule", "0,1,d0,d1,0,1"], "# Replayed 6 transitions"),
    (["run", SB, "--no-reduce", "TSO-Step"], "# Engine tso on x86_64, mode exhaustive"),
    (["run", SB, "--no-reduce", "ALL"], "# Engine tso on x86_64, mode exhaustive"),
    (["graph", SB, "--format", "DOT"], 'digraph "SB" {'),
])  # fmt: skip
def test_every_named_choice_is_read_in_any_case(cli, args, line):
    """README: a name is read "in any case (`-t ARMv8`, `-m TSO`, `-s GCC`)", but `-t ALL`
    was "unknown target 'ALL'", and `--mode RANDOM`, `--no-reduce TSO-STEP`, `--format DOT`
    (graph, table, --graph-format) were refused as unknown: every word an option names is
    read in any case."""
    result = cli(args)
    assert result.exit_code == 0, result.output
    assert any(ln.startswith(line) for ln in result.output.splitlines()), result.output


def test_all_in_a_list_says_it_stands_alone(cli):
    """`-t all,x86_64` said "unknown target 'all'", which `-t all` names."""
    assert one_error(cli(["run", C_SB, "-t", "all,x86_64"])) == (
        "fencelab: error: invalid value for '--target' / '-t': all names every target; give it "
        "alone, not in a list (see 'fencelab run --help')")  # fmt: skip


def test_map_of_consume_says_it_is_lowered_as_acquire():
    """`map load Consume` printed `load Acquire` and no word why (found by the audit)."""
    done = subprocess.run([sys.executable, "-c", "from fencelab.launch import main; main()",
                           "map", "load", "Consume", "-t", "armv8"], capture_output=True,
                          text=True, cwd=REPO)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("load Acquire 32-bit on armv8")
    assert done.stderr == ("fencelab: note: Consume is lowered as Acquire, as every compiler "
                           "implements C's memory_order_consume\n")
