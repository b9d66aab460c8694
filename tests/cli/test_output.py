"""The output rules, piped and in a terminal: data lines never wrapped, human tables that fit
the terminal or print whole lines (never a split cell), progress on stderr only on a terminal
and cleared before results."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from tests.helpers import EXAMPLES, REPO
from tests.helpers.terminal import in_terminal, screen

BAR = re.compile(r"\d+/\d+ \S* ?\d:\d\d:\d\d")  # a progress bar's count and elapsed time
NARROW = 50  # columns: narrower than a witness line, a check line, a summary row


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """Three tests named SB in three folders, and a long-named one."""
    root = tmp_path_factory.mktemp("catalogue")
    for arch in ("aarch64", "x86_64", "arm"):
        (root / arch).mkdir()
        shutil.copy(EXAMPLES / arch / "SB.litmus", root / arch / "SB.litmus")
    shutil.copy(EXAMPLES / "x86_64" / "counter+lock-xadd.litmus", root / "x86_64")
    return root


def data_lines(text: str) -> list[str]:
    """herd's lines and our `#` lines (what another program reads)."""
    keep = ("Test ", "States ", "Observation ", "Condition ", "Time ", "# ", "Positive:")
    return [ln for ln in text.splitlines() if ln.startswith(keep)]


def test_piped_run_keeps_every_line_whole_and_names_tests_by_path(cli, catalogue):
    result = cli(["run", str(catalogue)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    witnesses = [ln for ln in lines if ln.startswith("# Witness")]
    assert witnesses and all(" schedule " in ln for ln in witnesses)
    assert all(not ln.startswith(("schedule", "0.", "1.")) for ln in lines)
    for label in ("aarch64/SB.litmus", "x86_64/SB.litmus", "arm/SB.litmus",
                  "x86_64/counter+lock-xadd.litmus"):  # fmt: skip
        assert any(label in ln for ln in lines), label  # the summary tells the SBs apart
    assert "4 results" in lines[-1]


@pytest.mark.parametrize("shared", [False, True], ids=["own-terminals", "one-terminal"])
def test_run_in_a_terminal_wraps_no_data_line_and_clears_its_progress(cli, catalogue, shared):
    piped = data_lines(cli(["run", str(catalogue)]).output)
    term = in_terminal(["run", str(catalogue)], NARROW, shared=shared)
    assert term.status == 0
    seen = screen(term.stdout)
    assert untimed(data_lines("\n".join(seen))) == untimed(piped)
    assert not any(BAR.search(ln) for ln in seen), "a progress bar was left on the screen"
    if not shared:
        assert b"0:00:0" not in term.stdout and b"running" not in term.stdout  # no bar on stdout
        assert screen(term.stderr) == []  # and it was cleared from stderr
    summary = [ln for ln in seen if "counter+lock-xadd.litmus" in ln]
    assert summary, "a test name was cut in the summary table"


def test_a_summary_too_wide_for_the_terminal_drops_its_borders_and_fits(cli):
    """The x86_64 examples' summary is 94 columns with borders: in an 80-column terminal it
    prints without them, one line a test, nothing folded; piped it keeps its borders."""
    folder = str(EXAMPLES / "x86_64")
    term = in_terminal(["run", folder, "-j", "1"], 80)
    seen = screen(term.stdout)
    head = seen.index(next(ln for ln in seen if ln.strip() == "Summary"))
    table = seen[head + 1:-1]
    assert table[0].split() == ["test", "run", "on", "kind", "result", "observation", "states",
                                "time"]  # fmt: skip
    rows = [ln for ln in table[2:] if ln.strip()]
    assert len(rows) == len(list((EXAMPLES / "x86_64").glob("*.litmus")))
    assert all(len(ln) <= 80 and ".litmus" in ln and "x86_64 tso" in ln for ln in rows)
    piped = cli(["run", folder, "-j", "1"]).output.splitlines()
    assert any(ln.startswith("│ n6.litmus") for ln in piped)


def untimed(lines: list[str]) -> list[str]:
    return [ln for ln in lines if not ln.startswith("Time ")]


def test_check_result_lines_are_whole_in_a_narrow_terminal():
    term = in_terminal(["check", str(EXAMPLES / "rust" / "SB+scs.litmus"), "-t", "x86_64,armv8",
                        "-s", "tutorial"], NARROW, shared=True)  # fmt: skip
    assert term.status == 1
    seen = screen(term.stdout)
    unsound = [ln for ln in seen if ln.startswith("UNSOUND")]
    assert unsound == ["UNSOUND  SB+scs  x86_64  scheme tutorial  (tso vs c11): 1 of 4 hardware "
                       "outcomes are not among the 3 c11 allows"]  # fmt: skip
    assert any(ln.startswith("    replay: fencelab tui ") and ln.endswith("d0,0") for ln in seen)
    assert not any(BAR.search(ln) for ln in seen)


def test_map_and_hunt_lines_are_whole_in_a_narrow_terminal():
    term = in_terminal(["map", "store", "Release", "-t", "armv7"], 40)
    why = [ln for ln in screen(term.stdout) if ln.startswith("why:")]
    assert len(why) == 1 and len(why[0]) > 40
    term = in_terminal(["hunt", "-t", "x86_64", "-s", "tutorial", "--shapes", "SB",
                        "--variants", "plain"], NARROW)  # fmt: skip
    first = screen(term.stdout)[0]
    assert first.startswith("hunt: ") and first.endswith("s")
    assert "compiled programs explored in" in first


def test_json_lines_are_whole_in_a_terminal():
    term = in_terminal(["run", str(EXAMPLES / "aarch64" / "MP.litmus"), "--json"], 40)
    (line,) = screen(term.stdout)
    assert json.loads(line)["test"] == "MP"


def test_table_text_is_one_line_per_entry_piped_and_wraps_only_reasons_in_a_terminal(cli):
    records = json.loads(cli(["table", "--format", "json", "-t", "x86_64"]).output)
    text = cli(["table", "-t", "x86_64"]).output.splitlines()
    assert len(text) == len(records) + 2  # title, header, one line per entry
    assert all(r["rationale"] in ln for r, ln in zip(records, text[2:]))
    term = screen(in_terminal(["table", "-t", "armv7", "-w", "32"], 120).stdout)
    asm_column = term[1].index("asm")
    continued = [ln for ln in term[2:] if ln.startswith(" ")]  # stacked asm, wrapped reasons
    assert continued and all(ln[:asm_column].strip() == "" for ln in continued)
    assert all(len(ln) <= 120 for ln in term)


def _untimed_cells(line: str) -> str:
    """A line of output with its timings and its cells' padding (spaces, rules) taken out."""
    return " ".join(re.sub(r"([━─])\1+", r"\1", re.sub(r"\d+ ms\b", "ms", line)).split())


TABLES = {
    "run-summary": ["run", str(EXAMPLES / "x86_64" / "IRIW.litmus"),
                    str(EXAMPLES / "aarch64" / "SB.litmus")],
    "run-side-by-side": ["run", str(EXAMPLES / "c" / "SB+scs.litmus"),
                         str(EXAMPLES / "rust" / "SB+scs.litmus"), "-t", "all"],
    "check-summary": ["check", str(EXAMPLES / "rust" / "SB+scs.litmus"), "-t", "all", "-s", "all"],
    "map": ["map", "cas", "SeqCst", "-t", "armv7,x86_64"],
    "table": ["table", "-t", "x86_64"],
}  # fmt: skip


@pytest.mark.parametrize("columns", [80, 40])
@pytest.mark.parametrize("args", TABLES.values(), ids=TABLES.keys())
def test_a_table_in_a_terminal_fits_it_or_prints_its_piped_lines_whole(cli, args, columns):
    """No cell is ever split: every line on the screen fits the terminal, or is a line the pipe
    prints (a whole row, wider than the terminal, which folds it on screen only). At 40 columns
    no table here fits; at 80 the summary drops its borders or prints whole."""
    piped = {_untimed_cells(ln) for ln in cli(args).output.splitlines()}
    term = in_terminal(args, columns)
    assert term.status in (0, 1)
    seen = screen(term.stdout)
    assert seen
    for line in seen:
        assert len(line) <= columns or _untimed_cells(line) in piped, line


def test_a_summary_row_keeps_where_it_ran_whole_in_a_narrow_terminal(cli):
    """`run -t all` at 40 columns: one line a result in the summary, "x86_64 tso, scheme
    default" on it (it was split over four lines: x86_64 / tso, / scheme / default)."""
    args = ["run", str(EXAMPLES / "c" / "SB+scs.litmus"), "-t", "all"]
    seen = screen(in_terminal(args, 40).stdout)
    head = seen.index("Summary")
    rows = [ln for ln in seen[head:] if "SB+scs.litmus" in ln]
    assert len(rows) == 6  # c11 and five targets
    assert any("x86_64 tso, scheme default" in ln for ln in rows)
    assert len(seen) - head == 1 + 3 + 6 + 2  # title, head, rows, rule and count: no more


def test_table_text_in_an_80_column_terminal_is_the_piped_lines(cli):
    """The names and instructions take 90 columns and a reason at least 30: at 80 the entries
    print as on a pipe, one whole line each (they were 123 wide, their reasons wrapped)."""
    piped = cli(["table", "-t", "x86_64"]).output.splitlines()
    assert screen(in_terminal(["table", "-t", "x86_64"], 80).stdout) == piped


def test_pictures_are_written_in_utf_8_whatever_the_locale(tmp_path):
    """In an ASCII locale (LC_ALL=C without Python's UTF-8 mode; a Latin-1 one alike) `graph
    -o MP.svg` and `run --graph DIR` were a UnicodeEncodeError traceback, exit 1, leaving a
    truncated picture: every SVG says `—` (each event's title) and `rf⁻¹`. SVG and DOT are UTF-8."""
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONPATH": str(REPO)}
    env.pop("PYTHONIOENCODING", None)
    mp = str(EXAMPLES / "x86_64" / "MP.litmus")

    def fencelab(*args):
        return subprocess.run([sys.executable, "-c", "from fencelab.launch import main; main()",
                               *args], cwd=tmp_path, env=env, capture_output=True)  # fmt: skip

    done = fencelab("graph", mp, "-o", "MP.svg")
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    svg = (tmp_path / "MP.svg").read_text(encoding="utf-8")
    assert "\u2014" in svg and "rf\u207b\u00b9" in svg and 'data-verdict="forbidden"' in svg
    ET.fromstring(svg)  # whole, and XML
    done = fencelab("run", mp, "--graph", "pictures", "--graph-format", "both")
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    written = sorted(p.name for p in (tmp_path / "pictures").iterdir())
    assert written == ["MP-x86_64-tso-1.rax=0_1.rbx=0.dot", "MP-x86_64-tso-1.rax=0_1.rbx=0.svg",
                       "MP-x86_64-tso-1.rax=0_1.rbx=1.dot", "MP-x86_64-tso-1.rax=0_1.rbx=1.svg",
                       "MP-x86_64-tso-1.rax=1_1.rbx=0-forbidden.dot",
                       "MP-x86_64-tso-1.rax=1_1.rbx=0-forbidden.svg",
                       "MP-x86_64-tso-1.rax=1_1.rbx=1.dot", "MP-x86_64-tso-1.rax=1_1.rbx=1.svg"]
    for name in written:
        text = (tmp_path / "pictures" / name).read_text(encoding="utf-8")
        if name.endswith(".svg"):
            ET.fromstring(text)
    assert "\u2014" in (tmp_path / "pictures" / written[5]).read_text(encoding="utf-8")


def test_a_picture_of_a_name_the_file_system_cannot_spell_is_written_under_underscores(tmp_path):
    """In an ASCII locale (LC_ALL=C without Python's UTF-8 mode) `run --graph` of a test named
    `café→` was a UnicodeEncodeError traceback as it opened `café→-x86_64-...svg`, the
    test's result lost; in a Latin-1 locale `→` alone."""
    (tmp_path / "t.litmus").write_text("X86_64 caf\u00e9\u2192\n{ x=0; }\n P0 ;\n movl $1,(x) ;\n"
                                       "exists (x=1)\n", encoding="utf-8")  # fmt: skip
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONPATH": str(REPO)}
    env.pop("PYTHONIOENCODING", None)
    done = subprocess.run([sys.executable, "-c", "from fencelab.launch import main; main()",
                           "run", "t.litmus", "--graph", "g"], cwd=tmp_path, env=env,
                          capture_output=True)  # fmt: skip
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    assert done.stdout.decode("ascii").startswith("Test caf\\xe9\\u2192 Allowed\n")
    assert [p.name for p in (tmp_path / "g").iterdir()] == ["caf__-x86_64-tso-x_=1.svg"]
    svg = (tmp_path / "g" / "caf__-x86_64-tso-x_=1.svg").read_text(encoding="utf-8")
    assert 'data-test="caf\u00e9\u2192"' in svg  # (the picture says the name as it is)

@pytest.mark.parametrize("args", [["run", str(EXAMPLES / "x86_64"), "-j", "1"],
                                  ["run", str(EXAMPLES / "x86_64"), "-j", "2", "--json"],
                                  ["check", str(EXAMPLES / "c"), "--target", "x86_64"],
                                  ["table"], ["table", "--format", "csv"]])
def test_a_reader_that_leaves_early_ends_the_command_quietly_with_141(args):
    """`fencelab run DIR | head -1`: the command stops at its next line, prints nothing on
    stderr, and exits 141 (a shell's status for SIGPIPE), not 1 (`check`'s "unsound").
    (`table | head -1` exited 0: the reader left during its one write of 370 KB.)

    The pipe holds one page and the first line is read byte by byte, so that the command
    cannot have written all its output (each 7-370 KB) before the reader leaves: with Linux's
    64 KB pipe, `run examples/x86_64 -j 2 --json` (13 KB) on a loaded machine once wrote it all
    and ended 0 before the reader closed its end."""
    code = "from fencelab.launch import main; main()"
    reader, writer = os.pipe()
    fcntl.fcntl(reader, fcntl.F_SETPIPE_SZ, 4096)
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=writer,
                            stderr=subprocess.PIPE)  # fmt: skip
    os.close(writer)
    first = b""
    while not first.endswith(b"\n") and (byte := os.read(reader, 1)):
        first += byte
    os.close(reader)  # what `head -1` does after its line
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 141, err
    assert first.strip() and err == b""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["run", str(EXAMPLES / "x86_64" / "SB.litmus")],
                                  ["run", str(EXAMPLES / "x86_64"), "-j", "2", "--json"],
                                  ["check", str(EXAMPLES / "c" / "SB+rlx.litmus"), "-t", "x86_64"],
                                  ["table"], ["map", "store", "SeqCst"], ["--help"]])
def test_a_standard_output_that_cannot_be_written_is_one_line_and_status_2(args):
    """`fencelab run SB.litmus > /dev/full` (a full disk): one line, as for a file that cannot
    be written, and status 2 (it was Python's traceback and status 1, `check`'s "unsound")."""
    code = "from fencelab.launch import main; main()"
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-c", code, *args], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == ("fencelab: error: standard output: cannot be written (No space left "
                           "on device)\n")  # fmt: skip


LATIN_1 = [
    (["run", str(EXAMPLES / "c" / "SB+rlx.litmus"), str(EXAMPLES / "x86_64" / "SB.litmus")],
     "| c/SB+rlx.litmus"),
    (["map", "load", "Acquire", "-t", "x86_64"], "| 0x0000 | 8b 07 | movl (%rdi), %eax"),
    (["graph", str(EXAMPLES / "aarch64" / "MP+dmb.sy+addr.litmus")], "rf    init x->e c->d"),
]  # fmt: skip


@pytest.mark.parametrize("args, line", LATIN_1, ids=[a[0] for a, _ in LATIN_1])
def test_a_stream_not_in_utf_8_gets_ascii_boxes_and_marks_not_a_traceback(tmp_path, args, line):
    """stdout in Latin-1 (a Latin-1 locale; PYTHONIOENCODING): the piped summary and plain
    tables (drawn without rich, in Unicode) and the graph's marks were a UnicodeEncodeError
    traceback, exit 1, after the results; a name it cannot take is written as its escape."""
    args = [a.replace(str(EXAMPLES) + "/", "") for a in args]
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", "from fencelab.launch import main; main()",
                           *args], cwd=EXAMPLES, env=env, capture_output=True)  # fmt: skip
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    assert any(ln.startswith(line) for ln in done.stdout.decode("latin-1").splitlines())


def test_a_name_a_latin_1_stream_cannot_take_is_written_as_its_escape(tmp_path):
    (tmp_path / "t.litmus").write_text("X86_64 caf\u00e9\u2192\n{ x=0; }\n P0 ;\n movl $1,(x) ;\n"
                                       "exists (x=1)\n")  # fmt: skip
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", "from fencelab.launch import main; main()",
                           "run", "t.litmus", "t.litmus"], cwd=tmp_path, env=env,
                          capture_output=True)  # fmt: skip
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    lines = done.stdout.decode("latin-1").splitlines()
    assert lines[0] == "Test caf\u00e9\\u2192 Allowed" and lines[-1] == "2 results"


@pytest.mark.parametrize("args", [["run", str(EXAMPLES / "x86_64"), "-j", "1"],
                                  ["check", str(EXAMPLES / "rust" / "SB+scs.litmus"),
                                   str(EXAMPLES / "rust" / "MP+rlx.litmus"), "-t", "armv7"]])  # fmt: skip
def test_forced_colour_draws_no_progress_into_a_piped_stderr(args):
    """FORCE_COLOR (a CI log's colours) made rich take the piped stderr for a terminal: the
    progress bar's frames, escape codes and all, went into the log."""
    env = {**os.environ, "FORCE_COLOR": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", "from fencelab.launch import main; main()",
                           *args], env=env, capture_output=True, timeout=300)  # fmt: skip
    assert done.returncode == 0 and done.stderr == b""
    assert b"Observation " in done.stdout or b" sound" in done.stdout
