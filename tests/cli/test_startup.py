"""Start-up: a command imports what it uses (a short run is mostly start-up), and the shortcuts
taken for speed print what rich would have printed."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from rich.errors import MarkupError
from rich.table import Table

from fencelab.cli import output
from fencelab.report.tables import print_table
from tests.helpers import EXAMPLES, REPO

# Imported by a command that needs them only: the TUI, graphs, the native harness, Dask,
# rich (piped: plain text and plain tables are written without it; a bar only on a terminal),
# worker processes (-j 1 starts none), the C/Rust compiler (an asm test compiles nothing);
# keystone runs in its own process (fencelab/isa/assembler.py): this one never loads it.
NOT_FOR_ONE_ASM_TEST = ("textual", "distributed", "fencelab.tui", "fencelab.graph",
                        "fencelab.hw", "rich", "multiprocessing", "fencelab.compiler",
                        "keystone")  # fmt: skip

_MODULES_AFTER = """
import atexit, sys
from fencelab.isa import assembler
start = assembler._Worker._start
def noted(self):  # keystone's process starting: were the commands' modules imported yet?
    print("KEYSTONE STARTS", "fencelab.cli.run" in sys.modules, file=sys.stderr)
    return start(self)
assembler._Worker._start = noted
atexit.register(lambda: print("MODULES", *sorted(sys.modules), file=sys.stderr))
from fencelab.launch import main  # what the installed `fencelab` runs
main()
"""


def modules_after(*args: str, keystone: list[str] | None = None) -> set[str]:
    """The modules a `fencelab` command has imported when it ends (piped, in a fresh process);
    `keystone` gets a line for each start of keystone's process: whether `run`'s module was
    imported by then."""
    done = subprocess.run([sys.executable, "-c", _MODULES_AFTER, *args], capture_output=True,
                          text=True, cwd=REPO, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("MODULES "))
    if keystone is not None:
        keystone += [ln.split()[-1] for ln in done.stderr.splitlines()
                     if ln.startswith("KEYSTONE STARTS ")]  # fmt: skip
    return set(line.split()[1:])


@pytest.mark.parametrize("args, starts", [
    (["run", str(EXAMPLES / "x86_64" / "SB.litmus")], ["False"]),  # once, and used
    (["run", str(EXAMPLES / "c" / "SB+rlx.litmus")], ["False"]),  # (then not used)
    (["--help"], []),
    (["run", "--help"], []),
    (["check", "-h"], []),
    (["compile", str(EXAMPLES / "c" / "SB+rlx.litmus"), "-t", "x86_64"], []),
    (["show", str(EXAMPLES / "x86_64" / "SB.litmus")], ["False"]),  # (it assembles the test)
])  # fmt: skip
def test_the_command_starts_keystone_before_its_imports_when_it_assembles(args, starts):
    """fencelab/launch.py: keystone's process boots on another core while the command
    imports (its first assembly waited about 30 ms for it); a command that assembles nothing
    starts none."""
    keystone: list[str] = []
    modules_after(*args, keystone=keystone)
    assert keystone == starts


def test_the_commands_that_start_keystone_ahead_are_commands():
    """launch.py names them before the CLI is imported: a renamed command would silently
    start nothing."""
    from fencelab.cli import main
    from fencelab.launch import ASSEMBLING

    assert ASSEMBLING.issubset(main.commands)


def test_a_run_of_one_asm_test_imports_only_what_it_uses():
    # every core by default, but one task: no workers (fencelab/parallel, `Runner.at_most`)
    loaded = modules_after("run", str(EXAMPLES / "x86_64" / "SB.litmus"))
    assert "fencelab.models.operational.tso" in loaded  # it did run
    unused = sorted(m for m in loaded for name in NOT_FOR_ONE_ASM_TEST
                    if m == name or m.startswith(name + "."))  # fmt: skip
    assert not unused, f"imported without a use: {unused}"


def test_a_catalogue_run_imports_workers_when_it_needs_them_and_piped_no_rich():
    """Piped, `run` writes its results and its summary table without rich (issue 17: rich's
    console and tables were 25 ms of serial start-up a run)."""
    loaded = modules_after("run", "-j", "2", str(EXAMPLES / "x86_64" / "SB.litmus"),
                           str(EXAMPLES / "x86_64" / "MP.litmus"))  # fmt: skip
    assert {"multiprocessing", "concurrent.futures.process"} <= loaded
    assert not sorted(m for m in loaded if m == "rich" or m.startswith("rich."))


def test_a_piped_summary_is_what_rich_printed():
    """The summary `run` writes on a pipe without rich (`summary_lines`) is byte for byte
    rich's `summary_table`; a name rich would change (markup, non-ASCII) is left to rich."""
    from fencelab.report.run import summary_lines, summary_table

    rows = [("x86_64/SB.litmus", ("x86_64 tso", "Allowed", "Ok", "Sometimes 1 3", "4", "3 ms")),
            ("a b/MP+dmb.litmus", ("armv8 arm", "Forbidden", "No (partial)", "Never 0 12",
                                   "12", "12345 ms"))]  # fmt: skip
    by_rich = output._Stdout(file=io.StringIO(), soft_wrap=True, highlight=False, emoji=False,
                             width=output.PIPED_WIDTH)  # fmt: skip
    by_rich.print(summary_table(rows))
    assert "\n".join(summary_lines(by_rich, rows)) + "\n" == by_rich.file.getvalue()
    assert summary_lines(by_rich, [("[bold]x.litmus", rows[0][1])]) is None
    assert summary_lines(by_rich, [("é.litmus", rows[0][1])]) is None
    latin = output.Plain(io.TextIOWrapper(io.BytesIO(), encoding="latin-1"))
    assert summary_lines(latin, rows) is None  # (rich draws its box in ASCII there)


def test_plain_stdout_only_where_rich_would_write_plain_text(monkeypatch):
    """`output.stdout()` is rich-free (`Plain`) on a stream that is not a terminal, unless a
    variable makes rich draw there anyway (then rich decides); what `Plain` cannot write
    itself goes to rich's console."""
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stdout", pipe)
    for name in output._RICH_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    out = output.stdout()
    assert isinstance(out, output.Plain)
    output.data(out, "[bold]markup[/bold]", markup=True)  # rich's console, made on demand
    output.data(out, "plain")
    assert pipe.getvalue() == "markup\nplain\n"
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not isinstance(output.stdout(), output.Plain)


def printed_by_rich(text: str) -> str:
    console = output._Stdout(file=io.StringIO(), soft_wrap=True, highlight=False, emoji=False,
                             width=output.PIPED_WIDTH)  # fmt: skip
    console.print(text, markup=False, highlight=False, soft_wrap=True)
    return console.file.getvalue()


@pytest.mark.parametrize("text", [
    "Test SB Allowed\nStates 4\n0:rax=0; 1:rax=0;\nOk\n", "", "x" * 3000, "trailing  ",
    "ünïcödé ☃ [bold]not markup[/bold] :smile:", "tab\there", "carriage\r\nreturn",
    "bell\x07 backspace\x08 vt\x0b ff\x0c", "escape \x1b[31m kept",
])  # fmt: skip
def test_data_lines_are_what_rich_prints(text):
    """`output.data` writes plain text itself: byte for byte what rich printed before."""
    console = output._Stdout(file=io.StringIO(), soft_wrap=True, highlight=False, emoji=False,
                             width=output.PIPED_WIDTH)  # fmt: skip
    output.data(console, text)
    assert console.file.getvalue() == printed_by_rich(text)


def test_a_piped_table_is_what_measuring_it_first_gave():
    """On a pipe (an unbounded console) a table is printed without the terminal's fitting:
    the same text as fitted, no_wrap columns (whose minimum width the fitting raises) and a
    wrapping column with long text included."""
    table = Table(title="Summary")
    table.add_column("test", no_wrap=True)
    table.add_column("run on")
    table.add_column("states", justify="right", no_wrap=True)
    table.add_row("a/very/long/path/" * 6 + "SB.litmus", "x86_64 tso " * 12, "4")
    table.add_row("MP.litmus", "armv8 arm, scheme rcpc", "12345")
    piped = output._Stdout(file=io.StringIO(), width=output.PIPED_WIDTH)
    print_table(piped, table)
    fitted = output._Stdout(file=io.StringIO(), width=output.PIPED_WIDTH - 1)  # fitted path
    print_table(fitted, table)
    assert piped.file.getvalue() == fitted.file.getvalue()
    assert "a/very/long/path/" * 6 + "SB.litmus" in piped.file.getvalue()


def _random_table(rng) -> Table:
    alphabet = "abcXYZ019 -_./:+()]" + "[" * rng.randint(0, 1) + "é" * rng.randint(0, 1)
    table = Table(title=rng.choice([None, "Summary", "sound / checked against rc11", ""]))
    for c in range(rng.randint(1, 7)):
        table.add_column("".join(rng.choices(alphabet, k=rng.randint(0, 12))) or f"c{c}",
                         justify=rng.choice(["left", "right"]), no_wrap=rng.random() < 0.5)  # fmt: skip
    for _ in range(rng.randint(0, 30)):
        table.add_row(*("".join(rng.choices(alphabet, k=rng.randint(0, 40)))
                        for _ in table.columns))  # fmt: skip
    return table


N_TABLES = 300


def test_a_piped_plain_table_is_written_as_rich_prints_it():
    """A plain table on a pipe is written by `plain_lines`, byte for byte what rich prints;
    what it cannot be sure of (markup, non-ASCII) goes to rich."""
    import random

    from fencelab.report.tables import plain_lines

    rng = random.Random(17)
    written = 0
    for _ in range(N_TABLES):
        table = _random_table(rng)
        console = output._Stdout(file=io.StringIO(), soft_wrap=True, highlight=False,
                                 emoji=False, width=output.PIPED_WIDTH)  # fmt: skip
        by_rich = output._Stdout(file=io.StringIO(), soft_wrap=True, highlight=False,
                                 emoji=False, width=output.PIPED_WIDTH)  # fmt: skip
        try:
            by_rich.print(table)
        except MarkupError:  # rich's own refusal of a cell: the same here
            with pytest.raises(MarkupError):
                print_table(console, table)
            continue
        written += plain_lines(console, table) is not None
        print_table(console, table)
        assert console.file.getvalue() == by_rich.file.getvalue()
    assert written > 50  # the direct path was taken (89 of these 300), not only rich's


def test_a_coloured_or_marked_up_table_is_left_to_rich():
    from fencelab.report.tables import plain_lines

    table = Table(title="Summary")
    table.add_column("test")
    table.add_row("[bold]x[/bold].litmus")
    piped = output._Stdout(file=io.StringIO(), soft_wrap=True, width=output.PIPED_WIDTH)
    assert plain_lines(piped, table) is None
    table = Table(title="Summary")
    table.add_column("test")
    table.add_row("x.litmus")
    assert plain_lines(piped, table) is not None
    coloured = output._Stdout(file=io.StringIO(), soft_wrap=True, width=output.PIPED_WIDTH,
                              force_terminal=True, color_system="standard")  # fmt: skip
    assert plain_lines(coloured, table) is None


def test_a_command_tunes_the_cycle_collector_and_restores_it(monkeypatch):
    """`fencelab` runs its command with full collections rare (`collector_tuned`: they took a
    third of a 26,853-state armv7 test's CPU) and what was imported frozen; the settings
    before are restored after it. The results are the same."""
    import gc

    from click.testing import CliRunner

    from fencelab.cli import main
    from fencelab.cli.options import FULL_COLLECTION
    from fencelab.parallel import tasks

    seen = []
    run_file = tasks.run_file

    def spy(*args, **kwargs):
        seen.append((gc.get_threshold(), gc.get_freeze_count()))
        return run_file(*args, **kwargs)

    monkeypatch.setattr(tasks, "run_file", spy)
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    got = CliRunner().invoke(main, ["run", "-j", "1", str(EXAMPLES / "x86_64" / "SB.litmus")])
    assert got.exit_code == 0, got.output
    assert "Observation SB Sometimes 1 3" in got.output
    ((threshold, frozen_then),) = seen
    assert threshold == (before[0], before[1], max(before[2], FULL_COLLECTION))
    assert frozen_then > frozen
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, frozen)


_EXIT_CHECK = """
import atexit, gc, sys
from fencelab.cli import main
print("collecting", gc.isenabled(), file=sys.stderr)
class Torn:
    def __del__(self):
        print("torn down", file=sys.stderr)
kept = Torn()
atexit.register(lambda: print("atexit ran", file=sys.stderr))
sys.argv[0] = "fencelab"
main()
"""


@pytest.mark.parametrize("args, status", [(["--help"], 0), (["run", "-j", "1", "missing.litmus"], 2),
                                          (["run", "-j", "1", str(EXAMPLES / "x86_64" / "SB.litmus")], 0)])  # fmt: skip
def test_a_command_ends_without_tearing_down_its_objects(args, status):
    """A command ends as Python's exit would, atexit handlers run and output flushed, but
    without finalizing every object (serial work after the last line: 64 M instructions after
    `--help`): a module's object is never torn down. The exit status is the command's."""
    done = subprocess.run([sys.executable, "-c", _EXIT_CHECK, *args], capture_output=True,
                          text=True, cwd=REPO, timeout=300)  # fmt: skip
    assert done.returncode == status, done.stderr
    assert "collecting True" in done.stderr  # off while fencelab.cli imports, then on
    assert "atexit ran" in done.stderr
    assert "torn down" not in done.stderr
    if status == 0 and args[0] == "run":
        assert done.stdout.startswith("Test SB Allowed") and done.stdout.rstrip().endswith(" transitions")


def test_python_dash_m_fencelab_is_the_fencelab_command():
    """`python -m fencelab` runs what the installed `fencelab` runs (fencelab/launch.py), named
    `fencelab` in its messages."""
    test = str(EXAMPLES / "x86_64" / "SB.litmus")
    ran = [subprocess.run([sys.executable, *how, "run", test, "--json"], capture_output=True,
                          text=True, cwd=REPO)  # fmt: skip
           for how in (["-m", "fencelab"], ["-c", "from fencelab.launch import main; main()"])]
    assert [r.returncode for r in ran] == [0, 0]
    drop = lambda out: {k: v for k, v in json.loads(out).items() if k != "seconds"}  # noqa: E731
    assert drop(ran[0].stdout) == drop(ran[1].stdout)
    assert json.loads(ran[0].stdout)["result"] == "Ok"
    bad = subprocess.run([sys.executable, "-m", "fencelab", "run", "--frob"], capture_output=True,
                         text=True, cwd=REPO)  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.startswith("fencelab: error: no such option '--frob'")
    assert len(bad.stderr.splitlines()) == 1 and "Traceback" not in bad.stderr
