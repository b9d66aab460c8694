"""The machine view, the app's default screen: one pane per core, memory, the enabled
transitions and the schedule; every key is one call on the Session."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static

from fencelab.errors import FencelabError
from fencelab.machine.machine import Status
from fencelab.tui.config import ConfigScreen
from fencelab.tui.graph_view import GraphPane
from fencelab.tui.help import HelpScreen
from fencelab.tui.outcomes import OutcomesScreen
from fencelab.tui.session import Session
from fencelab.tui.widgets import CorePane, MemoryPane, StatusLine, TransitionList

STATUS_STYLE = {
    Status.RUNNING: "bold #5fafff",
    Status.FINAL: "bold green",
    Status.BUDGET: "bold #ffaf5f",
    Status.STUCK: "bold red",
}


class MachineScreen(Screen[None]):
    """The machine view: one pane per core, memory, enabled transitions, schedule."""

    BINDINGS = [
        Binding("0", "core(0)", "core N", key_display="0-9"),
        *(Binding(str(n), f"core({n})", show=False) for n in range(1, 10)),
        Binding("left,b", "back", "back", key_display="←"),
        Binding("right,f", "forward", "fwd", key_display="→"),
        Binding("home", "rewind", "start", show=False),
        Binding("end", "to_end", "end", show=False),
        Binding("r", "random", "random"),
        Binding("e", "explore", "explore"),
        Binding("c", "configure", "config"),
        Binding("i", "details", "op info", show=False),
        Binding("g", "graph", "graph", show=False),  # listed in the help (?)
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("q", "app.quit", "quit"),
    ]

    def __init__(self):
        super().__init__()
        self.details = False
        self.message = Text()

    @property
    def session(self) -> Session:
        return self.app.session  # type: ignore[attr-defined]

    # -- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Horizontal(id="cores"):
            for tid in range(len(self.session.program.threads)):
                yield CorePane(tid)
        with Horizontal(id="bottom"):
            yield MemoryPane(id="memory")
            yield GraphPane(id="graph")  # `g` swaps it with the memory pane
            yield TransitionList(id="transitions")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(GraphPane).display = False
        self.query_one(TransitionList).focus()
        self.refresh_view()

    def refresh_view(self) -> None:
        s = self.session
        title = Text(s.title(), style="bold")
        status = s.status()
        title.append(f"  step {s.steps}", style="dim")
        title.append(f"  {status.value}", style=STATUS_STYLE[status])
        for note in s.notes():
            title.append(f"  ({note})", style="italic #ffaf5f")
        self.query_one("#title", Static).update(title)
        for pane in self.query(CorePane):
            pane.refresh_from(s, self.details)
        self.query_one(MemoryPane).refresh_from(s)
        graph = self.query_one(GraphPane)
        if graph.display:
            graph.refresh_from(s)
        self.query_one(TransitionList).refresh_from(s)
        self.query_one(StatusLine).show(self._status_lines(status))

    def _status_lines(self, status: Status) -> list[Text]:
        s = self.session
        line = Text()
        line.append("schedule: ", style="bold")
        line.append(s.schedule or "(start)")
        if s.redo:
            ahead = ",".join(s.redo[::-1])
            line.append(f" → {ahead}", style="dim")
        lines = [line]
        end = Text()
        final = s.final_summary()
        if final is not None:
            outcome, ok = final
            end.append("final: ", style="bold green")
            end.append(outcome + "  ")
            quant = s.test.condition.quantifier
            end.append(f"✓ satisfies the {quant} condition" if ok else
                       f"✗ does not satisfy the {quant} condition",
                       style="bold green" if ok else "bold #ffaf5f")  # fmt: skip
        elif status is Status.BUDGET:
            end.append("a core hit the step budget (loop?) — ← to step back", style="bold #ffaf5f")
        elif status is Status.STUCK:
            end.append("stuck: nothing enabled but the model cannot end here", style="bold red")
        elif self.message:
            end = self.message
        if end:
            lines.append(end)
        return lines

    def say(self, text: str, style: str = "#ffaf5f") -> None:
        self.message = Text(text, style=style)

    def after_action(self) -> None:
        self.refresh_view()
        self.message = Text()

    # -- stepping ---------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#transitions")
    def _take_selected(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id
        if key is not None:
            self.session.take(key)
            self.after_action()

    def action_core(self, tid: int) -> None:
        if tid >= len(self.session.program.threads):
            self.say(f"there is no core {tid}")
        elif self.session.take_core(tid) is None:
            self.say(f"core {tid} has nothing enabled now")
        self.after_action()

    def action_back(self) -> None:
        if not self.session.back():
            self.say("at the start")
        self.after_action()

    def action_forward(self) -> None:
        if not self.session.forward():
            self.say("nothing to redo: take a transition (0-9, Enter)")
        self.after_action()

    def action_rewind(self) -> None:
        self.session.rewind()
        self.after_action()

    def action_to_end(self) -> None:
        self.session.to_end()
        self.after_action()

    def action_random(self) -> None:
        n = self.session.run_random()
        self.say(f"random execution: {n} steps" if n else "the execution has ended",
                 style="dim")  # fmt: skip
        self.after_action()

    def action_details(self) -> None:
        if not self.session.origins:
            self.say("op info is for compiled source tests (C / Rust)")
        self.details = not self.details
        self.after_action()

    def action_graph(self) -> None:
        graph = self.query_one(GraphPane)
        graph.display = not graph.display
        self.query_one(MemoryPane).display = not graph.display
        self.after_action()

    # -- screens ----------------------------------------------------------------------------
    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_explore(self) -> None:
        self.app.push_screen(OutcomesScreen(self.session), self.replay_witness)

    def replay_witness(self, witness: str | None) -> None:
        if witness is None:
            return
        try:
            self.session.load_schedule(witness)
        except FencelabError as e:
            self.say(str(e), style="bold red")
        else:
            self.say("witness loaded: → steps through it, End jumps to its end", style="dim")
        self.after_action()

    def action_configure(self) -> None:
        self.app.push_screen(ConfigScreen(self.session), self.reconfigure)

    def reconfigure(self, choice: tuple[str | None, str, str | None] | None) -> None:
        if choice is None:
            return
        target, scheme, model = choice
        try:
            session = self.session.reconfigured(target, scheme, model)
        except FencelabError as e:
            self.notify(str(e), title="cannot switch", severity="error", timeout=8)
            return
        self.app.session = session  # type: ignore[attr-defined]
        self.details = False
        self.say(f"now {session.title()}", style="dim")
        self.after_action()  # same test, same threads: the panes stay, their content changes
