"""The why screen (`w`): one core's enabled transitions with the model's reasons, and what
holds the core back; Enter takes the highlighted transition, a digit shows another core."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from fencelab.tui.render import reason_text
from fencelab.tui.session import Session

HINT = Text("Enter takes a ✓ transition · 0-9 another core · Esc closes", style="dim")


class WhyScreen(ModalScreen["str | None"]):
    """Dismisses with the key of the transition to take, or None."""

    BINDINGS = [
        Binding("escape,q,w", "close", "close"),
        Binding("0", "core(0)", "core N", key_display="0-9"),
        *(Binding(str(n), f"core({n})", show=False) for n in range(1, 10)),
        Binding("question_mark", "help", "help", key_display="?"),
    ]

    def __init__(self, session: Session, tid: int):
        super().__init__()
        self.session = session
        self.tid = tid

    def compose(self) -> ComposeResult:
        with Vertical(id="why"):
            yield Static(id="why-title")
            yield OptionList(id="why-list")
            yield Static(HINT, id="why-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        s = self.session
        title = Text(f"core {self.tid}: why it can or cannot move now ({s.model})", style="bold")
        self.query_one("#why-title", Static).update(title)
        self.query_one("#why-hint", Static).update(HINT)
        options = self.query_one(OptionList)
        options.clear_options()
        dead = s.dead_ends(self.tid)
        for i, r in enumerate(s.reasons(self.tid)):
            options.add_option(Option(reason_text(r, dead), id=f"{i}:{r.key}",
                                      disabled=not r.key))  # fmt: skip
        options.focus()

    @property
    def text(self) -> str:
        """The list as text (for tests)."""
        options = self.query_one(OptionList)
        return "\n".join(str(options.get_option_at_index(i).prompt)
                         for i in range(options.option_count))  # fmt: skip

    @on(OptionList.OptionSelected, "#why-list")
    def _take(self, event: OptionList.OptionSelected) -> None:
        key = (event.option.id or ":").split(":", 1)[1]
        if key:
            self.dismiss(key)

    def action_core(self, tid: int) -> None:
        cores = len(self.session.program.threads)
        if tid < cores:
            self.tid = tid
            self.show()
        else:  # (as the machine screen says it)
            known = f"cores 0-{cores - 1}" if cores > 1 else "only core 0"
            self.query_one("#why-hint", Static).update(
                Text(f"there is no core {tid} ({known})", style="#ffaf5f"))

    def action_help(self) -> None:
        from fencelab.tui.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_close(self) -> None:
        self.dismiss(None)
