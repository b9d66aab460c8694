"""`fencelab tui`: step through a litmus test core by core, travel back, explore outcomes.

The app is a thin shell over a `Session` (fencelab/tui/session.py): every key becomes one call
on it, then every pane redraws from it.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.screen import Screen

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
        """An app on `test`; a schedule is checked, then queued for → to step through."""
        session = Session(test, options)
        if schedule:
            session.load_schedule(schedule)
        return cls(session)

    def get_default_screen(self) -> Screen:
        return MachineScreen()

    @property
    def machine_screen(self) -> MachineScreen:
        return self.screen_stack[0]  # type: ignore[return-value]
