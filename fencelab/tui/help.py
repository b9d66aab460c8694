"""The help screen: keys and what the panes show."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from fencelab.tui.session import ARMV7_NOTE

KEYS = (
    ("0-9", "take core N's first enabled transition"),
    ("Enter / click", "take the highlighted transition (↑/↓ to move)"),
    ("← / b", "step back (time travel)"),
    ("→ / f", "step forward again (redo, or the loaded witness)"),
    ("Home / End", "back to the start / on to the end of the redo queue"),
    ("r", "random execution to the end (from here)"),
    ("e", "explore all executions (in the background): outcomes"),
    ("c", "configure: target, lowering scheme, memory model"),
    ("i", "source tests: each source op's ordering and rationale"),
    ("g", "execution graph so far / memory (toggle)"),
    ("Tab", "move focus between panes"),
    ("?", "this help"),
    ("q", "quit"),
)

ABOUT = (
    "Each core pane shows its thread's disassembly (capstone) with ▶ at the next "
    "instruction and the test's own line beside it; compiled source tests colour every "
    "instruction by the source operation it lowers. Registers the thread uses are listed "
    "below, highlighted when the last step changed them. The memory pane shows the model's "
    "state: TSO's memory and store buffers, the ARM model's messages, views and promises. "
    "The status line's schedule replays with `fencelab run --mode replay --schedule`."
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "close")]

    def compose(self) -> ComposeResult:
        keys = Text()
        for key, what in KEYS:
            keys.append(f"{key:>13}  ", style="bold #5fafff")
            keys.append(what + "\n")
        with VerticalScroll(id="help"):
            yield Static(Text("fencelab — step through a litmus test", style="bold"))
            yield Static(keys)
            yield Static(ABOUT, classes="about")
            yield Static(Text("Note: " + ARMV7_NOTE + ".", style="italic"), classes="about")
            yield Static(Text("Esc closes.", style="dim"))

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
