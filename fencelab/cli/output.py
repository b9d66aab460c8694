"""Where the command line's output goes, by the output rules every command follows.

- Data (herd blocks, `#` lines, JSON, check and hunt result lines) goes to stdout and is never
  wrapped, whatever the width: `data()` prints with soft wrapping, so a terminal may fold a
  long line on screen but the text keeps it whole.
- Human tables (`table()`) never split a cell: in a terminal a table fits (without its borders
  if need be) or prints its piped lines, each whole and wider than the terminal. Piped, a table
  has its natural width (no 80-column squeeze).
- Progress goes to stderr, only when stderr is a terminal, and is cleared before anything is
  printed (`Progress.print`), so a bar never sticks to a result line.
- Notes and errors are one line each on stderr: `fencelab: note: ...`, `fencelab: error: ...`.

rich is imported when it draws: on a pipe (no terminal, none of the variables that make rich
draw anyway) stdout is a `Plain` console, which writes plain text and plain tables itself and
makes rich's console only for what needs it (markup, a table in colour); the progress bar is
drawn only on a terminal. Start-up is a large part of a short run, and with `-j N` it is all
serial: rich's console and tables cost about 25 ms of CPU before the first test.
"""

from __future__ import annotations

import builtins
import functools
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

PIPED_WIDTH = 1_000_000  # piped: a table's natural width, never 80 columns; nothing folds
_RICH_REWRITES = "\t\x07\x08\x0b\x0c\r"  # rich expands tabs and drops these control codes


# what makes rich treat a stream that is not a terminal as one, or colour it (rich/console.py)
_RICH_ENVIRONMENT = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS",
                     "JUPYTER_LINES")  # fmt: skip


@functools.cache
def _stdout_class():
    """rich's console class for stdout, made when first needed (rich is not imported before)."""
    from rich.console import Console

    class _Stdout(Console):
        """rich ends the process with exit status 1 when the reader of a pipe leaves; here the
        command line decides (options.Group: quietly, 141), so 1 keeps meaning "unsound"."""

        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return _Stdout


def __getattr__(name: str):
    if name == "_Stdout":
        return _stdout_class()
    raise AttributeError(name)


def plain_stream(stream) -> bool:
    """Is `stream` one rich would write plain text to: not a terminal, no colour? (When in
    doubt, no: rich decides.)"""
    if any(name in os.environ for name in _RICH_ENVIRONMENT):
        return False
    if hasattr(builtins, "get_ipython") or getattr(sys.stdin, "__module__", "").startswith(
            "idlelib"):  # fmt: skip
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is not None and not isatty()
    except ValueError:  # closed
        return False


class Plain:
    """stdout when it is a plain stream (`plain_stream`): what rich's console would be there
    (unbounded width, no colour, soft wrap), without importing rich. `data()` writes plain text
    and `print_table` plain tables to its `file`; anything else (markup, a rich table) goes to
    rich's console, made on first use."""

    width = PIPED_WIDTH
    color_system = None
    soft_wrap = True
    record = False
    is_terminal = False

    def __init__(self, file) -> None:
        self.file = file
        self._rich = None

    @property
    def encoding(self) -> str:
        """The stream's encoding, as rich's console reads it (without making one)."""
        return _encoding(self.file)

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "_rich":  # (copy, pickle: before __init__)
            raise AttributeError(name)
        if self._rich is None:
            self._rich = _stdout_console(self.file)
        return getattr(self._rich, name)


def _stdout_console(file=None) -> Console:
    from rich.console import Console

    probe = Console(file=file, soft_wrap=True)
    return _stdout_class()(file=file, soft_wrap=True, highlight=False, emoji=False,
                   width=None if probe.is_terminal else PIPED_WIDTH)  # fmt: skip


def _encoding(stream) -> str:
    """A stream's encoding, lower case, as rich reads it (UTF-8 when it names none)."""
    return (getattr(stream, "encoding", None) or "utf-8").lower()


def legible_stdout() -> None:
    """stdout in an encoding that cannot take every character (a Latin-1 or ASCII locale):
    a character it cannot take is written as its escape (`\\u2506`), as Python writes stderr,
    rather than ending the command with a UnicodeEncodeError traceback (and the results of
    the tests after it). Tables and graphs are drawn in ASCII there (`report.tables`)."""
    if not _encoding(sys.stdout).startswith("utf") and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")


def stdout() -> Console | Plain:
    """A console on the current stdout (made per command: tests swap the streams)."""
    if plain_stream(sys.stdout):
        return Plain(sys.stdout)
    return _stdout_console()


def stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True, highlight=False, emoji=False)


def data(console: Console, text: str = "", markup: bool = False) -> None:
    """Lines another program may read: never wrapped (markup only for colour). Plain text goes
    straight to the file, as rich would print it (rich takes 1-2 ms a herd block); rich prints
    markup and the text it would change (`_RICH_REWRITES`)."""
    if markup or any(c in text for c in _RICH_REWRITES):
        console.print(text, markup=markup, highlight=False, soft_wrap=True)
    else:
        console.file.write(text + "\n")
    console.file.flush()  # results stream as they come (`| tee`, and what Ctrl-C leaves)


def note(message: str) -> None:
    stderr().print(f"fencelab: note: {message}", markup=False)


def error(message: str) -> None:
    stderr().print(f"fencelab: error: {message}", markup=False)


def table(console: Console, table: Table) -> None:
    from fencelab.report.tables import print_table  # rich's tables: imported when one is drawn

    print_table(console, table)


def watched(stream) -> bool:
    """Is `stream` a terminal someone watches, where progress may be drawn: a tty (or one rich
    is told is interactive, TTY_INTERACTIVE=1)? Not a stream rich only colours (FORCE_COLOR, as
    in a CI log: rich takes it for a terminal, and a bar's frames went into the log)."""
    if os.environ.get("TTY_INTERACTIVE") == "1":
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is not None and isatty()
    except ValueError:  # closed
        return False


class _NoBar:
    """The bar where stderr is not a terminal: nothing drawn (and rich's progress not imported)."""

    def add_task(self, *args, **kwargs) -> int:
        return 0

    def start(self) -> None:
        pass

    stop = start

    def update(self, *args, **kwargs) -> None:
        pass

    advance = update


class Progress:
    """A progress bar on stderr when it is a terminal (else nothing): `describe`, `advance`, and
    `paused()` to print (the bar cleared first, redrawn after)."""

    def __init__(self, label: str, total: int, counts: bool = True):
        err = None if plain_stream(sys.stderr) else stderr()
        self.enabled = err is not None and err.is_terminal and watched(sys.stderr)
        self._bar = _bar(err, counts) if self.enabled else _NoBar()
        self._task = self._bar.add_task(label, total=total)

    def __enter__(self) -> Progress:
        self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self._bar.stop()

    def describe(self, text: str) -> None:
        self._bar.update(self._task, description=text)

    def advance(self, n: int = 1) -> None:
        self._bar.advance(self._task, n)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Print inside this: the bar is cleared first and redrawn after, so it never sticks
        to a line of stdout."""
        if not self.enabled:
            yield
            return
        self._bar.stop()
        try:
            yield
            sys.stdout.flush()
        finally:
            self._bar.start()


def _bar(err: Console, counts: bool):
    """rich's progress bar on `err` (imported here: only a terminal draws one)."""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    columns = [TextColumn("{task.description}"), BarColumn()]
    if counts:
        columns.append(MofNCompleteColumn())
    columns.append(TimeElapsedColumn())
    return RichProgress(*columns, console=err, transient=True, redirect_stdout=False,
                        redirect_stderr=False)  # fmt: skip
