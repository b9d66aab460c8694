"""Input as a user gives it: `-` for stdin, a folder where a file is wanted, a catalogue with a
bad test in it, and errors at the user's line in the user's words."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading

import pytest

from fencelab.tui.app import FencelabApp
from tests.helpers import EXAMPLES, REPO

# herd's C form: a CAS whose expected value is a shared location (e0), as herd7 accepts it
CAS_LOCATION = """C cas-loc
{ int x = 0; int e0 = 0; }
P0 (atomic_int* x, int* e0) {
  int r0 = atomic_compare_exchange_strong_explicit(x, e0, 1, memory_order_seq_cst,
                                                   memory_order_seq_cst);
}
P1 (atomic_int* x) {
  atomic_store_explicit(x, 2, memory_order_relaxed);
}
exists (0:r0=1)
"""


def write(folder, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text)
    return str(path)


def one_error(result) -> str:
    """The one error line on stderr (status 2, no traceback); `run --json` gives the same line
    on stdout in the input's error record, and nothing else."""
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("fencelab: error: ") and "Traceback" not in result.output
    message = line.removeprefix("fencelab: error: ")
    if result.stdout:  # (--json)
        (record,) = [json.loads(text) for text in result.stdout.splitlines()]
        assert record["error"] == message
    return message


@pytest.mark.parametrize("args", [["run", "-"], ["show", "-"], ["compile", "-", "-t", "armv8"],
                                  ["graph", "-"], ["run", "-", "--json"]])  # fmt: skip
def test_a_dash_reads_the_test_from_stdin(cli_input, args):
    result = cli_input(args, (EXAMPLES / "c" / "SB+rlx.litmus").read_text())
    assert result.exit_code == 0, result.output
    assert "SB+rlx" in result.output


@pytest.fixture
def cli_input():
    from click.testing import CliRunner

    from fencelab.cli import main

    return lambda args, text: CliRunner().invoke(main, args, input=text, prog_name="fencelab")


def test_check_of_stdin_names_the_lines_involved_and_a_replay_that_reads_stdin(cli, cli_input):
    """`check -` printed the whole test under "source lines involved", and a replay of
    `fencelab tui '<stdin>' ...`, a file that does not exist."""
    path = EXAMPLES / "counterexamples" / "arm-tutorial-LB+rlx.rel+acq.rlx.litmus"
    args = ["-t", "armv8", "-s", "tutorial"]
    piped = cli_input(["check", "-", *args], path.read_text())
    named = cli(["check", str(path), *args])
    assert piped.exit_code == named.exit_code == 1, piped.output

    def involved(output: str) -> list[str]:
        lines = output.splitlines()
        start = lines.index("  source lines involved:") + 1
        return [ln for ln in lines[start:] if ln.startswith("    P")]

    assert involved(piped.output) == [ln.replace(str(path), "<stdin>")
                                      for ln in involved(named.output)]  # fmt: skip
    assert involved(piped.output) == ["    P0  <stdin>:6  let r0 = x.load(Relaxed);",
                                      "    P0  <stdin>:7  y.store(1, Release);",
                                      "    P1  <stdin>:10  let r0 = y.load(Acquire);",
                                      "    P1  <stdin>:11  x.store(1, Relaxed);"]  # fmt: skip
    (replay,) = [ln for ln in piped.output.splitlines() if "replay:" in ln]
    schedule = "0.p1.y=1,1.p2.x=1,0.r2,0,0.w1,1.r1,1,1.w2"
    assert replay == (f"    replay: fencelab tui - --target armv8 --scheme tutorial --schedule "
                      f"{schedule}  # the test on standard input, as given here")  # fmt: skip


LATIN1 = b"AArch64 NU\n{ 0:X1=x; }\n P0 ;\n LDR W0,[X1] ;\n(* caf\xe9 *)\nexists (0:X0=0)\n"


@pytest.mark.parametrize("command", [["run"], ["show"], ["run", "--json"]])
def test_stdin_is_read_as_utf_8_as_a_file_is(cli_input, tmp_path, command):
    # before: a file was refused, the same bytes on stdin ran (shown as `caf\ufffd`); then
    # both were refused without saying where the byte is (`latin1.litmus: litmus file is not
    # UTF-8 text (invalid continuation byte)`): now file:line:col, as every other error
    path = tmp_path / "latin1.litmus"
    path.write_bytes(LATIN1)
    why = "5:7: litmus file is not UTF-8 text: byte 0xe9 (invalid continuation byte)"
    assert one_error(cli_input([*command, str(path)], "")) == f"{path}:{why}"
    assert one_error(cli_input([*command, "-"], LATIN1)) == f"<stdin>:{why}"
    path.write_bytes(b"\xef\xbb\xbf" + LATIN1.replace(b"caf", "caf\u00e9 \u2192".encode()))
    after = "5:10: litmus file is not UTF-8 text: byte 0xe9 (invalid continuation byte)"
    assert one_error(cli_input([*command, str(path)], "")) == f"{path}:{after}"  # (columns
    # count characters, as the parser's do; a byte-order mark is no part of the text)


@pytest.mark.parametrize("command", [["run"], ["run", "-j", "2"], ["check"], ["hw"]])
def test_stdin_given_twice_is_refused_before_any_work(cli_input, command):
    # before: `run - -` ran the test, then `<stdin>:1:1: expected the architecture name ...,
    # found end of input` for the second `-` (stdin already read)
    text = (EXAMPLES / "c" / "SB+rlx.litmus").read_text()
    why = "- (standard input) is given twice; it can be read once"
    assert one_error(cli_input([*command, "-", "-"], text)) == why
    path = str(EXAMPLES / "x86_64" / "SB.litmus")
    assert one_error(cli_input([*command, "-", path, "-", "-"], text)) == why.replace(
        "twice", "3 times")


@pytest.mark.parametrize("text, where, reg", [
    ("AArch64 dupreg\n{ 0:X1=x; 0:X1=y; }\n P0 ;\n LDR W2,[X1] ;\nexists (0:X2=0)\n", "2:11",
     "0:X1"),
    ("AArch64 dupreg\n{ 0:X1=x; 0:W1=y; }\n P0 ;\n LDR W2,[X1] ;\nexists (0:X2=0)\n", "2:11",
     "0:W1"),  # one register, two views
    ("X86_64 dupreg\n{ 0:rax=1; 0:rax=2; }\n P0 ;\n movl %eax,(x) ;\nexists (x=1)\n", "2:12",
     "0:rax"),
    ("X86_64 dupreg\n{ 0:eax=1; 0:rax=2; }\n P0 ;\n movl %eax,(x) ;\nexists (x=1)\n", "2:12",
     "0:rax"),  # one register, two views (was: the last taken, [x]=2)
    ("C dupreg\n{ 0:r0=1; 0:r0=2; }\nP0 (atomic_int* x) {\n  int r0 = 0;\n}\nexists (x=0)\n",
     "2:11", "0:r0"),
])  # fmt: skip
def test_a_register_initialised_twice_is_refused_as_a_location_is(cli, tmp_path, text, where,
                                                                  reg):  # fmt: skip
    # before: accepted, the last value taken (x86: [x]=2)
    path = write(tmp_path, "dupreg.litmus", text)
    assert one_error(cli(["run", path])) == f"{path}:{where}: register '{reg}' initialised twice"


def test_a_register_given_the_same_value_twice_is_read_as_a_location_is(cli, tmp_path):
    path = write(tmp_path, "same.litmus", "AArch64 same\n{ 0:X1=x; 0:X1=x; }\n P0 ;\n "
                 "LDR W2,[X1] ;\nexists (0:X2=0)\n")  # fmt: skip
    result = cli(["run", path])
    assert result.exit_code == 0, result.output
    assert "Observation same Always 1 0" in result.output


@pytest.mark.parametrize("init, state", [
    ("0:W0=-3; int64_t 0:X0;", "0:X1=-3;"),  # one register, two views
    ("0:X0=-3; int64_t 0:X0;", "0:X1=-3;"),
    ("int64_t 0:X0; 0:X0=-3;", "0:X1=-3;"),
    ("0:X0=253; int8_t 0:X0;", "0:X1=-3;"),  # the type wraps the value given before it
    ("int8_t 0:X0; 0:W0=253;", "0:X1=-3;"),  # ... and after it
])  # fmt: skip
def test_a_register_given_its_type_and_its_value_apart_keeps_both(cli, tmp_path, init, state):
    # before: a type declared after the value (`int64_t 0:X0;`) reset the register to 0
    # (0:X1=0; Never), and `show` printed `int64_t 0:X0=0; 0:W0=-3;`, which does not read back
    text = (f"AArch64 apart\n{{ {init} int64_t 0:X1; }}\n P0 ;\n ADD X1,X0,#0 ;\n"
            "exists (0:X1=-3)\n")  # fmt: skip
    path = write(tmp_path, "apart.litmus", text)
    result = cli(["run", path])
    assert result.exit_code == 0, result.output
    assert state in result.output.splitlines()
    shown = cli(["show", path])
    again = write(tmp_path, "again.litmus", shown.output)
    assert state in cli(["run", again]).output.splitlines()


@pytest.mark.parametrize("command", [["show"], ["compile"], ["tui"], ["graph"]])
def test_a_directory_where_a_file_is_expected_says_so(cli, command):
    folder = str(EXAMPLES / "c")
    assert one_error(cli([*command, folder])) == f"{folder}: is a directory ({command[0]} takes " \
                                                 "one test file)"  # fmt: skip


def test_one_bad_test_in_a_catalogue_loses_no_other(cli, tmp_path):
    shutil.copy(EXAMPLES / "x86_64" / "SB.litmus", tmp_path / "a.litmus")
    write(tmp_path, "b.litmus", "X86_64 b\n{ x=0; }\n P0 ;\n frob (x),%eax ;\nexists (x=1)\n")
    shutil.copy(EXAMPLES / "x86_64" / "MP.litmus", tmp_path / "c.litmus")
    write(tmp_path, "d.litmus", "X86_64 d\n{ x=0; }\n P0 ;\n movl $1,(x) ;\nexists (0:rax=\n")
    result = cli(["run", str(tmp_path)])
    assert result.exit_code == 2
    errors = [ln for ln in result.output.splitlines() if ln.startswith("fencelab: error:")]
    assert errors == [
        f"fencelab: error: {tmp_path}/b.litmus:4:2: P0: cannot assemble 'frob (x),%eax': "
        "Invalid mnemonic (KS_ERR_ASM_MNEMONICFAIL)",
        f"fencelab: error: {tmp_path}/d.litmus:5:15: syntax error in the condition: found end "
        "of input; expected '{', a name, a number",
    ]
    assert result.output.count("Observation ") == 2  # a and c ran
    assert "2 results; 2 could not run (errors above)" in result.output
    objs = [json.loads(ln) for ln in cli(["run", str(tmp_path), "--json"]).output.splitlines()
            if ln.startswith("{")]  # fmt: skip
    # every input its record, in its turn: those that failed with their line
    assert [(o["test"], o.get("error", "").split(":")[0]) for o in objs] == [
        ("SB", ""), ("b", f"{tmp_path}/b.litmus"), ("MP", ""), (None, f"{tmp_path}/d.litmus")]


def test_check_goes_on_past_a_bad_test(cli, tmp_path):
    shutil.copy(EXAMPLES / "rust" / "SB+scs.litmus", tmp_path / "a.litmus")
    write(tmp_path, "b.litmus", "RUST b\n{ x = 0; }\nP0 { x.store(1, Frob); }\nexists (x=1)\n")
    result = cli(["check", str(tmp_path), "-t", "x86_64"])
    assert result.exit_code == 2
    assert result.output.count("fencelab: error: ") == 1
    assert "1 check (1 test x 1 target/scheme pair): 1 sound" in result.output
    assert "; 1 test could not be read (errors above)" in result.output


def test_check_names_two_tests_of_one_name_by_their_paths(cli, tmp_path):
    """`a/SB` (sound under the default scheme's x86 SeqCst) and `b/SB` (the same test under
    another name in the file, unsound under tutorial): each line names its file, as README
    says a directory's tests are named, else two `SB  x86_64` lines could not be told apart."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(EXAMPLES / "rust" / "MP+rel+acq.litmus", tmp_path / "a" / "T.litmus")
    text = (EXAMPLES / "rust" / "SB+scs.litmus").read_text()
    write(tmp_path / "b", "T.litmus", text.replace("RUST SB+scs", "RUST MP+rel+acq", 1))
    result = cli(["check", str(tmp_path), "-t", "x86_64", "-s", "tutorial"])
    assert result.exit_code == 1
    verdicts = [ln.split()[:2] for ln in result.output.splitlines()
                if ln.startswith(("sound    ", "UNSOUND  "))]
    assert verdicts == [["sound", "a/T.litmus"], ["UNSOUND", "b/T.litmus"]]
    alone = cli(["check", str(tmp_path / "a"), "-t", "x86_64", "-s", "tutorial"])
    assert alone.output.splitlines()[1].startswith("sound    MP+rel+acq  x86_64")


@pytest.mark.parametrize("command", [["run"], ["check", "-t", "x86_64"]])
def test_a_missing_file_among_good_ones_is_one_line_in_its_turn(cli, tmp_path, command):
    good = str(EXAMPLES / "rust" / "SB+scs.litmus")
    missing = str(tmp_path / "nosuch.litmus")
    result = cli([*command, good, missing, good])
    assert result.exit_code == 2
    errors = [ln for ln in result.output.splitlines() if ln.startswith("fencelab: error:")]
    assert len(errors) == 1 and errors[0].startswith(f"fencelab: error: {missing}")
    if command == ["run"]:
        assert result.output.count("Observation SB+scs Never 0 3") == 2  # SC forbids 0/0: both ran
    else:
        assert "2 sound" in result.output


@pytest.mark.parametrize("command", [["run"], ["run", "-j", "2"], ["run", "--json"],
                                     ["check", "-t", "x86_64"]])  # fmt: skip
def test_an_empty_directory_among_good_inputs_is_one_line_in_its_turn(cli, tmp_path, command):
    # before: skipped without a word, exit 0 (alone it was refused)
    (tmp_path / "empty").mkdir()
    (tmp_path / "full").mkdir()
    shutil.copy(EXAMPLES / "rust" / "SB+scs.litmus", tmp_path / "full" / "SB.litmus")
    empty, full = str(tmp_path / "empty"), str(tmp_path / "full")
    result = cli([*command, full, empty, full])
    assert result.exit_code == 2, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("fencelab: error:")]
    assert errors == [f"fencelab: error: no litmus tests found in {empty}"]
    if command == ["check", "-t", "x86_64"]:
        assert "2 sound" in result.output and "1 test could not be read" in result.output
    elif "--json" in command:
        records = [json.loads(ln) for ln in result.output.splitlines() if ln.startswith("{")]
        assert [(r["test"], r["file"]) for r in records] == [
            ("SB+scs", f"{full}/SB.litmus"), (None, empty), ("SB+scs", f"{full}/SB.litmus")]
        assert records[1]["error"] == f"no litmus tests found in {empty}"
    else:
        assert result.output.count("Observation SB+scs Never 0 3") == 2
        assert "2 results; 1 could not run (errors above)" in result.output
    assert one_error(cli([*command, empty])) == f"no litmus tests found in {empty}"


@pytest.mark.parametrize("command", [["run"], ["run", "--json"], ["check", "-t", "x86_64"]])
def test_a_directory_called_x_litmus_below_one_given_is_walked_not_read(cli, tmp_path, command):
    """`run cat` with tests in `cat/rust.litmus/` ran them, then said `no litmus tests found in
    cat/rust.litmus` (a JSON error record too) and exited 2: the directory matched *.litmus
    and was read as a test, which it is not; an empty one was the same error."""
    (tmp_path / "rust.litmus").mkdir()
    (tmp_path / "empty.litmus").mkdir()
    shutil.copy(EXAMPLES / "rust" / "SB+scs.litmus", tmp_path / "rust.litmus" / "SB.litmus")
    result = cli([*command, str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "error" not in result.output
    if "--json" in command:
        (record,) = [json.loads(ln) for ln in result.output.splitlines()]
        assert (record["test"], record["file"]) == ("SB+scs", f"{tmp_path}/rust.litmus/SB.litmus")
    elif command[0] == "check":
        assert "1 sound" in result.output
    else:
        assert "SB+scs" in result.output


@pytest.mark.parametrize("text, says", [
    ("X86_64 t\n{ x=0; }\n P0 ;\n frob (x),%eax ;\nexists (x=1)\n",
     "t.litmus:4:2: P0: cannot assemble 'frob (x),%eax': Invalid mnemonic "
     "(KS_ERR_ASM_MNEMONICFAIL)"),
    ("X86_64 t\n{ y=0; }\n P0 ;\n movq (y),%eax ;\nexists (y=1)\n",
     "t.litmus:4:2: P0: cannot assemble 'movq (y),%eax': the assembler made 0 instructions of it"),
    ("AArch64 t\n{ 0:X1=x; }\n P0 ;\n MOV W0,#1 ;\n STR W0,[X2] ;\nexists (x=1)\n",
     "t.litmus:5:2: P0: STR W0,[X2]: writes address 0x0, which is no location of the test (a "
     "register left uninitialised?)"),
    # an access past the location's type, inside the bytes it spans: was taken, and the write
    # left out of every state ([y]=0, exit 0)
    ("AArch64 t\n{ int y=0; 0:X1=y; }\n P0 ;\n MOV W0,#1 ;\n STR W0,[X1,#4] ;\nexists (y=0)\n",
     "t.litmus:5:2: P0: STR W0,[X1,#4]: model arm cannot run it: a 4-byte write at y+4 goes past "
     "the 32-bit y: an access past a location's type is not covered"),
    ("X86_64 t\n{ x=0; }\n P0 ;\n movl $1,(x) ;\n ud2 ;\nexists (x=1)\n",
     "t.litmus:5:2: P0: ud2: an undefined instruction on the emulated x86_64 CPU"),
    # a label defined twice: keystone's "Invalid symbol redefined", without a line, before
    ("AArch64 t\n{ 0:X1=x; }\n P0 ;\n L0: ;\n LDR W2,[X1] ;\n L0: ;\nexists (0:X2=0)\n",
     "t.litmus:6:2: P0: label 'L0' defined twice"),
    ("X86_64 t\n{ }\n P0 | P1 ;\n L0: | L0: ;\n movl $1,(x) | L1: L0: ;\nexists (x=1)\n",
     "t.litmus:5:20: P1: label 'L0' defined twice"),
])  # fmt: skip
def test_assembly_errors_name_the_line_as_written(cli, tmp_path, text, says):
    path = write(tmp_path, "t.litmus", text)
    assert one_error(cli(["run", path])) == f"{tmp_path}/{says}"


def test_a_branch_to_itself_is_a_loop_not_an_error(cli, tmp_path):
    path = write(tmp_path, "t.litmus", "AArch64 t\n{ }\n P0 ;\n L0: B L0 ;\nexists (0:X0=1)\n")
    result = cli(["run", path])
    assert result.exit_code == 0, result.output
    assert "Loop No" in result.output
    assert "# Budget: 1 execution hit the step budget" in result.output


def test_the_herd_cas_with_a_location_as_expected_value_works_through_every_command(
    cli, tmp_path, monkeypatch
):
    path = write(tmp_path, "cas.litmus", CAS_LOCATION)
    language = cli(["run", path])
    assert language.exit_code == 0 and "Observation cas-loc Sometimes 1 1" in language.output
    every = cli(["run", path, "-t", "all", "--json"])
    assert [json.loads(ln)["observation"] for ln in every.output.splitlines()] == [
        "Sometimes"] * 6  # fmt: skip
    assert "X86_64 cas-loc" in cli(["compile", path, "-t", "x86_64"]).output
    checked = cli(["check", path])
    assert checked.exit_code == 0 and "5 sound, 0 UNSOUND" in checked.output
    assert cli(["graph", path]).exit_code == 0
    assert cli(["graph", path, "-t", "armv8.1"]).exit_code == 0
    assert "atomic_compare_exchange_strong_explicit(x, e0, 1" in cli(["show", path]).output
    apps: list[FencelabApp] = []  # the app `tui` opens, driven below by Textual's pilot
    monkeypatch.setattr(FencelabApp, "run", lambda self: apps.append(self))
    assert cli(["tui", path, "-t", "armv8"]).exit_code == 0

    async def step() -> None:
        async with apps[0].run_test(size=(100, 32)) as pilot:
            await pilot.press("right")

    asyncio.run(step())


@pytest.mark.parametrize("line, target, why", [
    ("LDAPR W0,[X1]", "armv8", "needs ARMv8.3 RCpc (LDAPR); target lacks it — use armv8.3"),
    ("LDADD W0,W2,[X1]", "armv8", "needs ARMv8.1 LSE atomics; target lacks them"),
    ("LDADD W0,W2,[X1,#4]", "armv8.1", "no [<Xn|SP>] memory operand (only a zero offset"),
])  # fmt: skip
def test_an_instruction_our_encoder_refuses_is_named_at_its_place(cli, tmp_path, line, target,
                                                                  why):  # fmt: skip
    path = tmp_path / "t.litmus"
    path.write_text(f"AArch64 t\n{{ 0:X1=x; }}\n P0 ;\n MOV W0,#1 ;\n {line} ;\nexists (x=1)\n")
    result = cli(["run", str(path), "-t", target])
    assert result.exit_code == 2
    assert f"{path}:5:2: P0: cannot assemble '{line}': {why}" in result.output


def test_tests_of_one_name_in_two_folders_are_told_apart(cli, tmp_path):
    for folder, example in (("a", "SB"), ("b", "MP")):
        (tmp_path / folder).mkdir()
        shutil.copy(EXAMPLES / "x86_64" / f"{example}.litmus", tmp_path / folder / "t.litmus")
    result = cli(["run", str(tmp_path / "a"), str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    rows = [ln for ln in result.output.splitlines() if "t.litmus" in ln]
    assert len(rows) == 2
    assert f"{tmp_path}/a/t.litmus" in rows[0] and f"{tmp_path}/b/t.litmus" in rows[1]
    objs = [json.loads(ln) for ln in cli(["run", str(tmp_path / "a"), str(tmp_path / "b"),
                                          "--json"]).output.splitlines() if ln.startswith("{")]
    assert [o["file"] for o in objs] == [f"{tmp_path}/a/t.litmus", f"{tmp_path}/b/t.litmus"]
    shutil.copy(EXAMPLES / "x86_64" / "MP.litmus", tmp_path / "a" / "u.litmus")
    alone = cli(["run", str(tmp_path / "a")]).output  # one folder: named inside it, as before
    assert " t.litmus " in alone and " u.litmus " in alone and str(tmp_path) not in alone


def test_a_folders_tests_run_in_path_order_named_inside_it(cli, tmp_path):
    """A folder's tests, nested ones too, run in the order of their paths' parts (`a/b/x`
    before `a-b/y`, though '-' sorts before '/' in a string) and are named from the folder on."""
    for name in ("a/b/x", "a-b/y", "a.b/z", "a/w", "A"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(EXAMPLES / "x86_64" / "SB.litmus", tmp_path / f"{name}.litmus")
    result = cli(["run", str(tmp_path) + "/"])
    assert result.exit_code == 0, result.output
    rows = [ln.split()[1] for ln in result.output.splitlines() if ".litmus " in ln]
    assert rows == ["A.litmus", "a/b/x.litmus", "a/w.litmus", "a-b/y.litmus", "a.b/z.litmus"]


@pytest.mark.parametrize("command", [["run"], ["check", "-t", "x86_64"], ["tui"]])
def test_a_name_too_long_is_one_line_naming_why(cli, tmp_path, command):
    """A path the system cannot look up (a name over 255 bytes) was a traceback from
    `Path.is_dir`; it is the system's reason in one line, and a catalogue goes on past it."""
    long = str(tmp_path / ("a" * 300 + ".litmus"))
    result = cli([*command, long])
    errors = [ln for ln in result.output.splitlines() if ln.startswith("fencelab: error:")]
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert errors == [f"fencelab: error: {long}: File name too long"]  # (check: and its summary)
    if command[0] == "run":
        result = cli(["run", long, str(EXAMPLES / "x86_64" / "SB.litmus")])
        assert result.exit_code == 2 and "Observation SB Sometimes 1 3" in result.output
        assert f"fencelab: error: {long}: File name too long" in result.output


_LOADS = "".join(f"  let r{i} = x.load(Relaxed);\n" for i in range(16))
_MANY_LOCALS = f"RUST many\n{{ x = 0; }}\nP0 {{\n{_LOADS}}}\nP1 {{ x.store(1, Relaxed); }}\n" \
               "exists (0:r0=1)\n"  # fmt: skip
_DIVISION = """C div
{ x = 0; }
P0 (atomic_int* x) {
  int r0 = atomic_load_explicit(x, memory_order_relaxed);
  int r1 = 10 / r0;
}
exists (0:r1=0)
"""
_MANY_PATHS = ("RUST paths\n{ x = 0; }\nP0 {\n" + _LOADS[: _LOADS.index("  let r10")] + "}\n"
               "P1 { x.store(1, Relaxed); x.store(2, Relaxed); }\nexists (0:r0=1)\n")  # fmt: skip


@pytest.mark.parametrize("text, args, says", [
    (_MANY_LOCALS, ["compile", "-t", "x86_64"],
     ":19:3: P0: out of registers for local r15 on x86_64 (too many locals"),
    (_DIVISION, ["run"], ":5:3: P0: division by zero"),
    (_MANY_PATHS, ["run"], ":3: P0 has more than 20000 paths; the source model cannot"),
], ids=["registers", "division", "paths"])  # fmt: skip
def test_errors_of_compiling_and_of_the_source_model_name_the_file_and_line(cli, tmp_path, text,
                                                                          args, says):  # fmt: skip
    """They said `many.litmus: P0: out of registers ...` (no line), `P0: division by zero`
    (no file) and `paths: P0 has more than 20000 paths` (the test's name, not its file)."""
    path = write(tmp_path, "t.litmus", text)
    assert one_error(cli([args[0], path, *args[1:]])).startswith(path + says)


MP = (EXAMPLES / "aarch64" / "MP.litmus").read_text()


@pytest.mark.parametrize("old, new, says", [
    ("STR W0,[X1]", "FROB W0,[X1]", "t.litmus:9:2: P0: cannot assemble 'FROB W0,[X1]': Invalid "
     "mnemonic (KS_ERR_ASM_MNEMONICFAIL)"),
    ("MOV W0,#1  ", "MOV W0,#" + "9" * 71, "t.litmus:8:2: P0: cannot assemble 'MOV W0,#9999"),
    ("MOV W0,#1  ", "MOV W0,#0x100000000", "t.litmus:8:2: P0: cannot assemble 'MOV "
     "W0,#0x100000000'"),
])  # fmt: skip
def test_show_refuses_an_asm_test_run_refuses_before_running(cli, tmp_path, monkeypatch, old,
                                                             new, says):  # fmt: skip
    """`show` prints a test it has read as `run` reads it: each instruction assembled and
    classified, each immediate encodable (was: printed back, exit 0; herd7 rejects both)."""
    assert old in MP
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "t.litmus", MP.replace(old, new))
    shown = one_error(cli(["show", "t.litmus"]))
    assert shown.startswith(says) and shown == one_error(cli(["run", "t.litmus"]))


def test_show_prints_an_asm_test_that_loads(cli):
    shown = cli(["show", str(EXAMPLES / "aarch64" / "MP.litmus")])
    assert shown.exit_code == 0 and shown.output.startswith("AArch64 MP\n")
    assert " MOV W0,#1   | LDR W0,[X1] ;\n" in shown.output


@pytest.mark.parametrize("insn", ["MOV W0,#0x12345", "ADD W0,W0,#0x12345"])
def test_an_instruction_keystone_refuses_without_a_reason_gets_one(cli, tmp_path, insn):
    # before: `cannot assemble 'MOV W0,#0x12345': Unknown error` (keystone's whole message)
    path = write(tmp_path, "imm.litmus", f"AArch64 imm\n{{ 0:X1=x; }}\n P0 ;\n {insn} ;\n"
                 " STR W0,[X1] ;\nexists (x=0)\n")  # fmt: skip
    assert one_error(cli(["run", path])) == (
        f"{path}:4:2: P0: cannot assemble '{insn}': keystone cannot encode it and gives no "
        "reason (most often an operand the instruction cannot hold, such as an immediate out "
        "of its encoding's range)")


@pytest.mark.parametrize("args, said", [
    (["check", "-", "-t", "x86_64"], "fencelab: note: <stdin>: skipped, an X86_64 test (check "
     "compiles C and Rust tests)\nfencelab: error: no C or Rust tests to check in <stdin>\n"),
    (["compile", "-"], "fencelab: error: <stdin>: SB is an X86_64 test; compile takes C and "
     "Rust tests\n"),
])  # fmt: skip
def test_standard_input_is_named_as_every_command_names_it(cli_input, args, said):
    """check and compile named it `-` (`-: skipped`, `no C or Rust tests to check in -`),
    where run, show, the parser and check's own source lines name it `<stdin>`."""
    result = cli_input(args, (EXAMPLES / "x86_64" / "SB.litmus").read_text())
    assert result.exit_code == 2 and result.stderr == said


@pytest.mark.parametrize("options", [["-j", "2"], ["-j", "1", "--no-reduce", "tso-step"]])
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="makes a FIFO")
def test_a_test_that_can_be_read_once_is_read_once(tmp_path, options):
    """`run <(gen) -j 2` (a pipe, /dev/fd/63) said `/dev/fd/63:1:1: expected the architecture
    name ..., found end of input`, and `run fifo.litmus` waited for ever: the file was read
    where the run was planned (its cost guessed, its header read for --no-reduce) and read
    again where it ran."""
    text = (EXAMPLES / "c" / "SB+rlx.litmus").read_text()
    fifo = tmp_path / "fifo.litmus"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_text, args=(text,))
    writer.start()
    code = "from fencelab.launch import main; main()"
    read, write = os.pipe()  # what a shell's <(...) gives: /dev/fd/N, a pipe
    os.write(write, text.encode())
    os.close(write)
    done = subprocess.run([sys.executable, "-c", code, "run", str(fifo), f"/dev/fd/{read}",
                           str(EXAMPLES / "x86_64" / "SB.litmus"), *options],
                          pass_fds=(read,), capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    os.close(read)
    writer.join()
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout.count("Observation SB+rlx Sometimes 1 3") == 2
    assert done.stdout.rstrip().endswith("3 results")


def test_compile_prints_the_targets_a_test_compiles_for_and_one_line_for_each_other(cli,
                                                                                   tmp_path):  # fmt: skip
    """`compile many.litmus` (all targets) ended at x86_64's `out of registers`: armv8's,
    armv8.1's and armv8.3's tests, which compile, were lost."""
    path = write(tmp_path, "t.litmus", _MANY_LOCALS)
    result = cli(["compile", path])
    assert result.exit_code == 2
    assert [ln[:ln.index(": P0")] for ln in result.stderr.splitlines()] == [
        f"fencelab: error: {path}:19:3", f"fencelab: error: {path}:17:3"]  # x86_64, armv7
    assert "out of registers for local r15 on x86_64" in result.stderr
    assert [ln for ln in result.stdout.splitlines() if ln.startswith("Target=")] == [
        "Target=armv8", "Target=armv8.1", "Target=armv8.3"]
    assert result.stdout.count("\n\nAArch64 many\n") == 2  # a blank line between, as before


@pytest.mark.parametrize("command", [["run"], ["show"], ["check", "-t", "x86_64"], ["graph"]])
def test_an_empty_test_name_says_so(cli, command):
    """It said `fencelab: error: : no such file` (an unset shell variable, `run "$T"`)."""
    result = cli([command[0], "", *command[1:]])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "fencelab: error: '': an empty name names no test file"


@pytest.mark.parametrize("command", [["run"], ["show"], ["run", "-j", "2"]])
def test_a_byte_order_mark_is_no_part_of_the_test(cli, tmp_path, command):
    """A file saved with a UTF-8 byte-order mark (some editors' way) was refused:
    `t.litmus:1:1: expected the architecture name (...), found '\\ufeffC'`."""
    path = tmp_path / "t.litmus"
    path.write_bytes(b"\xef\xbb\xbf" + (EXAMPLES / "c" / "SB+rlx.litmus").read_bytes())
    result = cli([command[0], str(path), *command[1:]])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Test SB+rlx Allowed\n" if command[0] == "run"
                                    else "C SB+rlx\n")  # fmt: skip


MIXED_A32 = """ARM MP
{ 0:R1=x; 0:R3=y; 1:R1=y; 1:R3=x; }
 P0           | P1           ;
 MOV R0,#1    | LDR R0,[R1]  ;
 STR R0,[R1]  | LDRB R2,[R3] ;
 STRB R0,[R3] |              ;
exists (1:R0=1 /\\ 1:R2=0)
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_tests_error_after_reading_names_its_file(cli, tmp_path, jobs):
    """Two tests named MP in a catalogue, refused once read (a model that does not cover their
    code, or mixed sizes): each line names the file, not only the test's name, which both
    share."""
    write(tmp_path, "a.litmus", MIXED_A32)
    shutil.copy(EXAMPLES / "x86_64" / "MP.litmus", tmp_path / "b.litmus")
    result = cli(["run", str(tmp_path), "-m", "armv7-axiomatic", "-j", jobs])
    assert result.exit_code == 2, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("fencelab: error: ")]
    assert errors == [
        f"fencelab: error: {tmp_path}/a.litmus: MP: armv7-axiomatic (arm.cat) has no mixed-size "
        "version: a byte/half-word/word access inside a location, or accesses of two sizes to "
        "one location, are not covered",
        f"fencelab: error: {tmp_path}/b.litmus: MP: the armv7-axiomatic model judges ARM code; "
        "this is an X86_64 test (its models: sc, tso, sc-axiomatic, tso-axiomatic)"]


def test_a_location_the_compiler_cannot_hold_is_named_where_its_type_is_written(cli, tmp_path):
    """A 64-bit location compiled for a 32-bit target, declared in the initial state or by a
    C parameter's type, and a pointer in memory: the error names the line and column of the
    type (it named the file only)."""
    declared = write(tmp_path, "d.litmus", "C V64\n{ int64_t x = 0x100000000; }\n"
                     "P0 (atomic_int64_t* x) { atomic_store_explicit(x, 1, "
                     "memory_order_relaxed); }\nexists (x=1)\n")  # fmt: skip
    param = write(tmp_path, "p.litmus", "C V64\n{ }\nP0 (atomic_int64_t* x) { "
                  "atomic_store_explicit(x, 1, memory_order_relaxed); }\nexists (x=1)\n")  # fmt: skip
    for command in (["run", "-t", "armv7"], ["compile", "-t", "armv7"]):
        assert one_error(cli([*command, declared])) == (
            f"{declared}:2:3: location x is 64-bit: compiling 64-bit values for armv7 (register "
            "pairs) is not supported")
        assert one_error(cli([*command, param])).startswith(f"{param}:3:5: location x is 64-bit")


def test_an_instruction_armv7_does_not_cover_is_named_at_the_users_line(cli, tmp_path):
    """`armv7` met a read of a location a narrower store wrote, and `armv7-axiomatic` an ARMv8
    instruction: each names the line as the user wrote it (they named capstone's spelling,
    `'ldr r0, [r1]'`, and no file)."""
    mixed = write(tmp_path, "m.litmus", MIXED_A32)
    assert one_error(cli(["run", mixed])) == (
        f"{mixed}:4:17: P1: LDR R0,[R1]: model armv7: it reads 4 bytes of y, which a 1-byte "
        "store wrote: mixed-size accesses are not covered")
    words = MIXED_A32.replace("LDR R0,[R1]", "LDA R0,[R1]").replace("STRB", "STR ")
    lda = write(tmp_path, "l.litmus", words.replace("LDRB", "LDR "))
    assert one_error(cli(["run", lda, "-m", "armv7-axiomatic"])).startswith(
        f"{lda}:4:17: P1: LDA R0,[R1]: model armv7 cannot run it: ARMv8 acquire/release "
        "instructions are not ARMv7")
