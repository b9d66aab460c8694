"""The help screen: keys and what the panes show."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from fencelab.tui.session import ARMV7_NOTE

KEYS = (
    ("0-9", "step core N (its first enabled step that is not a dead end), or say why it "
            "cannot move"),
    ("Enter / click", "take the highlighted transition (↑/↓ to move)"),
    ("← / b", "step back (time travel)"),
    ("→ / f", "step forward again (redo, or the loaded witness)"),
    ("Home / End", "back to the start / on to the end of the redo queue"),
    ("w", "why: the focused core's enabled transitions with the model's reasons"),
    ("r", "random execution to the end (from here)"),
    ("e", "explore all executions (in the background): outcomes"),
    ("c", "configure: target, lowering scheme, memory model"),
    ("s", "source tests: show / hide the source pane"),
    ("i", "source tests: each source op's ordering and rationale"),
    ("g", "execution graph so far / memory (toggle)"),
    ("Tab", "move focus between panes"),
    ("?", "this help (on every screen)"),
    ("q", "quit (on the other screens: close)"),
)

SCREENS = (
    ("outcomes (e)", "Enter replays the outcome's witness · x exhaustive · r 1000 random runs "
                     "· q / Esc back"),
    ("why (w)", "Enter takes a ✓ transition · 0-9 shows another core · q / Esc / w back"),
    ("configure (c)", "only the models that cover the chosen target are offered · Apply · "
                      "q / Esc cancel"),
)

ABOUT = (
    "Each core pane shows its thread's disassembly (capstone) with ▶ at the next "
    "instruction; compiled source tests colour every instruction by the source line it "
    "lowers, and the source pane shows those lines in the same colours (▶N: core N's next "
    "instruction comes from here). Registers the thread uses are listed below, highlighted "
    "when the last step changed them. The memory pane shows the model's state: TSO's memory "
    "and store buffers, the ARM model's messages, views and promises. The why pane gives the "
    "model's reasons for every core, the focused one (double border) first: ✓ what it may do "
    "now, ✗ what holds it back, · the facts they rest on. The status line's schedule replays "
    "with `fencelab run --mode replay --schedule`."
)


def key_table(rows: tuple[tuple[str, str], ...]) -> Table:
    """Keys (right-aligned) and what they do, a description that wraps staying in its
    column (not back under the keys)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold #5fafff", no_wrap=True)
    table.add_column()
    for key, what in rows:
        table.add_row(key, what)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("fencelab — step through a litmus test", style="bold"))
            yield Static(key_table(KEYS), classes="keys")
            yield Static(Text("\nOther screens", style="bold"))
            yield Static(key_table(SCREENS), classes="keys")
            yield Static(ABOUT, classes="about")
            yield Static(Text("Note: " + ARMV7_NOTE + ".", style="italic"), classes="about")
            yield Static(Text("Esc, q or ? closes.", style="dim"))

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
