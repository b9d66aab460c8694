"""`fencelab tui`: step through a litmus test core by core, travel back, explore outcomes.

The app is a thin shell over a `Session` (fencelab/tui/session.py): every key becomes one call
on it, then every pane redraws from it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from textual.app import App
from textual.screen import Screen

from fencelab.errors import FencelabError, clip
from fencelab.litmus.ast import LitmusTest
from fencelab.pipeline import RunOptions
from fencelab.tui.machine_screen import MachineScreen
from fencelab.tui.session import Session


class FencelabApp(App[None]):
    """The app: holds the Session; the machine view is its default screen."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "fencelab"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, session: Session):
        super().__init__()
        self.session = session

    @classmethod
    def for_test(
        cls, test: LitmusTest, options: RunOptions | None = None, schedule: str = ""
    ) -> FencelabApp:
        """An app on `test`; a schedule is checked, then queued for → to step through. A
        schedule that does not replay is named as written, after the test (the one test of
        `fencelab tui`, as its other errors; compiled, and its target, which the keys are of)."""
        session = Session(test, options)
        session.enabled()  # an instruction that cannot run at the start: its own line
        if schedule:
            try:
                session.load_schedule(schedule)
            except FencelabError as e:
                if type(e) is not FencelabError:  # (an instruction that cannot run: its own line)
                    raise
                target = f"{session.program.target.name}: " if test.is_source else ""
                raise FencelabError(f"{test.name}: {target}--schedule {clip(schedule)} does not "
                                    f"replay: {e}") from None  # fmt: skip
        return cls(session)

    def run(self, *, headless: bool = False, **kwargs):
        """Textual's run, on a terminal (`on_a_terminal`) unless headless (snapshots)."""
        if not headless:
            on_a_terminal()
        return super().run(headless=headless, **kwargs)

    def get_default_screen(self) -> Screen:
        return MachineScreen()

    @property
    def machine_screen(self) -> MachineScreen:
        return self.screen_stack[0]  # type: ignore[return-value]


def on_a_terminal() -> None:
    """Textual reads keys from standard input and draws on standard error. When standard input
    held the test (`fencelab tui -`, or a file redirected to it), keys come from the terminal
    (/dev/tty), as `less` reads them; without a terminal to read keys from or draw on, a
    one-line error (Textual would wait for keys that never come)."""
    if sys.__stdin__ is None or sys.__stderr__ is None:  # closed (`<&-`, `2>&-`)
        raise FencelabError("the TUI reads keys from standard input and draws on standard "
                            "error, and one of them is closed")  # fmt: skip
    if not sys.__stdin__.isatty():
        try:
            tty = os.open("/dev/tty", os.O_RDONLY)
        except OSError:
            raise FencelabError("the TUI reads keys from a terminal, and there is none: "
                                "standard input is not one") from None  # fmt: skip
        os.dup2(tty, sys.__stdin__.fileno())
        os.close(tty)
    if not sys.__stderr__.isatty():
        raise FencelabError("the TUI draws on standard error, which is not a terminal")
