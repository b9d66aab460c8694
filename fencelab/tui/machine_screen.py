"""The machine view, the app's default screen: one pane per core, memory, the enabled
transitions and the schedule; every key is one call on the Session."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static

from fencelab.errors import FencelabError
from fencelab.litmus.printer import format_condition
from fencelab.machine.machine import Status
from fencelab.tui.config import ConfigScreen
from fencelab.tui.graph_view import GraphPane
from fencelab.tui.help import HelpScreen
from fencelab.tui.outcomes import OutcomesScreen
from fencelab.tui.session import Session
from fencelab.tui.why import WhyScreen
from fencelab.tui.widgets import (
    CorePane,
    MemoryPane,
    ReasonsPane,
    SourcePane,
    StatusLine,
    TransitionList,
)

SOURCE_PANE_ROOM = 26  # columns each pane needs before the source pane takes its share
CORES_HEIGHT = 0.6  # of the screen, at most, for the core panes and the source pane
CORE_PANE_ROWS = 5  # the least a core pane is given (3 lines); below it, #cores scrolls

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
        # (priority: a focused pane that scrolls, a core pane's code, would take them)
        Binding("home", "rewind", "start", show=False, priority=True),
        Binding("end", "to_end", "end", show=False, priority=True),
        Binding("w", "why", "why"),
        Binding("r", "random", "random"),
        Binding("e", "explore", "explore"),
        Binding("c", "configure", "config"),
        Binding("s", "source", "source", show=False),
        Binding("i", "details", "op info", show=False),
        Binding("g", "graph", "graph", show=False),  # listed in the help (?)
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("q", "app.quit", "quit"),
    ]

    def __init__(self):
        super().__init__()
        self.details = False
        self.message = Text()
        self._said = False  # did the action under way `say` something?
        self.focus_tid = 0  # the core the reasons pane and `w` are about
        self.source_wanted = True  # `s` hides / shows the source pane (source tests only)

    @property
    def session(self) -> Session:
        return self.app.session  # type: ignore[attr-defined]

    # -- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Container(id="cores"):
            yield SourcePane(id="source")
            for tid in range(len(self.session.program.threads)):
                yield CorePane(tid)
        with Horizontal(id="bottom"):
            yield MemoryPane(id="memory")
            yield GraphPane(id="graph")  # `g` swaps it with the memory pane
            yield ReasonsPane(id="reasons")
            yield TransitionList(id="transitions")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(GraphPane).display = False
        self._lay_out()
        self.query_one(TransitionList).focus()
        self.refresh_view()

    def on_resize(self) -> None:
        self._lay_out()
        self.call_after_refresh(self.refresh_view)  # the panes' new widths

    def _lay_out(self) -> None:
        """The source pane, for source tests, when the cores keep room for their code; the
        core panes side by side, or in rows of equal columns (2x2 for 4 cores at 80 columns)
        where they do not fit in one, each row its share of the height."""
        cores = len(self.session.program.threads)
        source = self.query_one(SourcePane)
        wide = self.size.width >= (cores + 1) * SOURCE_PANE_ROOM
        source.display = self.session.test.is_source and self.source_wanted and wide
        rows = -(-cores // max(1, self.size.width // SOURCE_PANE_ROOM))
        tall = int(self.size.height * CORES_HEIGHT)
        grid = self.query_one("#cores")
        grid.styles.grid_size_columns = -(-cores // rows) + source.display
        grid.styles.max_height = tall
        for pane in self.query(CorePane):  # below CORE_PANE_ROWS a row, #cores scrolls
            pane.styles.max_height = max(CORE_PANE_ROWS, tall // rows)

    def refresh_view(self) -> None:
        s = self.session
        status = s.status()
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(s.title(), style="bold")
        title.append(f"  step {s.steps}", style="dim")
        title.append(f"  {status.value}", style=STATUS_STYLE[status])
        self.query_one("#title", Static).update(title)
        for pane in self.query(CorePane):
            pane.refresh_from(s, self.details, self.focus_tid)
        source = self.query_one(SourcePane)
        if source.display:
            source.refresh_from(s)
        self.query_one(MemoryPane).refresh_from(s)
        graph = self.query_one(GraphPane)
        if graph.display:
            graph.refresh_from(s)
        self.query_one(ReasonsPane).refresh_from(s, self.focus_tid)
        self.query_one(TransitionList).refresh_from(s)
        self.query_one(StatusLine).show(self._status_lines(status))

    def focus_core(self, tid: int) -> None:
        if tid != self.focus_tid and 0 <= tid < len(self.session.program.threads):
            self.focus_tid = tid
            for pane in self.query(CorePane):
                pane.refresh_from(self.session, self.details, tid)
            self.query_one(ReasonsPane).refresh_from(self.session, tid)

    def on_click(self, event) -> None:
        """A click on a core pane focuses that core (the why pane and `w` follow)."""
        widget = event.widget
        while widget is not None and not isinstance(widget, CorePane):
            widget = widget.parent
        if isinstance(widget, CorePane):
            self.focus_core(widget.tid)

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
            condition = format_condition(s.test.condition)
            end.append(f"✓ satisfies {condition}" if ok else f"✗ does not satisfy {condition}",
                       style="bold green" if ok else "bold #ffaf5f")  # fmt: skip
        elif status is Status.BUDGET:
            end.append("a core hit the step budget (loop?) — ← to step back", style="bold #ffaf5f")
        elif status is Status.STUCK:
            end.append("stuck: nothing enabled but the model cannot end here", style="bold red")
        elif self.message:
            end = self.message
        elif s.doomed():
            end.append("no run from here finishes: every enabled step is a dead end — ← to "
                       "step back", style="bold #ffaf5f")  # fmt: skip
        if end:
            lines.append(end)
        return lines

    def say(self, text: str, style: str = "#ffaf5f") -> None:
        """Show `text` on the status line until the next action that says nothing."""
        self.message = Text(text, style=style)
        self._said = True

    def after_action(self) -> None:
        if not self._said:
            self.message = Text()
        self._said = False
        self.refresh_view()

    # -- stepping ---------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#transitions")
    def _take_selected(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id
        if key is not None:
            self._stepping(self.session.take, key)
            self.after_action()

    def _stepping(self, step, *args):
        """`step(*args)` on the session; where it stops at an instruction that cannot run (an
        access to no location), the status line says so at the instruction's line and the
        walk stays where it was (None)."""
        try:
            return step(*args)
        except FencelabError as e:
            self.say(f"cannot step on: {e}", style="bold red")
            return None

    def action_core(self, tid: int) -> None:
        if tid >= len(self.session.program.threads):
            self.say(f"there is no core {tid}")
        else:
            self.focus_tid = tid
            if self._stepping(self.session.take_core, tid) is None and not self._said:
                self.say(self.session.why_not(tid))
            pane = self.query_one(f"#core{tid}", CorePane)  # in view, where #cores scrolls
            self.call_after_refresh(self.query_one("#cores").scroll_to_widget, pane,
                                    animate=False)  # fmt: skip
        self.after_action()

    def action_why(self) -> None:
        self.app.push_screen(WhyScreen(self.session, self.focus_tid), self._take_why)

    def _take_why(self, key: str | None) -> None:
        if key is not None:
            self._stepping(self.session.take, key)
            self.after_action()

    def action_back(self) -> None:
        if not self.session.back():
            self.say("at the start")
        self.after_action()

    def action_forward(self) -> None:
        if self._stepping(self.session.forward) is False:
            self.say("nothing to redo: take a transition (0-9, Enter)")
        self.after_action()

    def action_rewind(self) -> None:
        self.session.rewind()
        self.after_action()

    def action_to_end(self) -> None:
        self._stepping(self.session.to_end)
        self.after_action()

    def action_random(self) -> None:
        n = self._stepping(self.session.run_random)  # (None: it said why)
        if n is not None and self.session.status() is Status.RUNNING:  # every way on ends stuck
            self.say("no random run from here finishes: every way on ends where the model "
                     "cannot go on — ← to step back")  # fmt: skip
        elif n is not None:
            self.say(f"random execution: {n} steps" if n else "the execution has ended",
                     style="dim")  # fmt: skip
        self.after_action()

    def action_details(self) -> None:
        if not self.session.origins:
            self.say(f"op info is for compiled source tests (C / Rust): {self.session.test.name} "
                     f"is an {self.session.test.arch} test, its lines are the instructions")
        else:
            self.details = not self.details
        self.after_action()

    def action_source(self) -> None:
        if not self.session.test.is_source:
            self.say(f"the source pane is for C / Rust tests: {self.session.test.name} is an "
                     f"{self.session.test.arch} test, written in assembly")
        else:  # (hidden for want of room, it is wanted: it shows once there is room)
            self.source_wanted = not self.query_one(SourcePane).display
            self._lay_out()
            if self.source_wanted and not self.query_one(SourcePane).display:
                self.say("no room for the source pane: widen the terminal")
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
            self.say(f"cannot switch: {e}", style="bold red")
            self.after_action()
            return
        self.app.session = session  # type: ignore[attr-defined]
        self.details = False
        self.say(f"now {session.title()}", style="dim")
        self.after_action()  # same test, same threads: the panes stay, their content changes
