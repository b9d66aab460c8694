"""The outcomes screen: explore every execution (or 1000 random runs) in a worker, list the
outcomes; Enter replays one's witness."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, ProgressBar, Static
from textual.worker import get_current_worker

from fencelab.errors import FencelabError
from fencelab.litmus.conditions import satisfies
from fencelab.litmus.printer import format_condition, format_state
from fencelab.pipeline import run_test
from fencelab.report.words import plural
from fencelab.result import TestResult
from fencelab.tui.session import Session

COLUMNS = ("outcome", "condition", "count", "steps")


class ExplorationCancelled(Exception):
    pass


class OutcomesScreen(Screen[str | None]):
    """Runs an exploration in a worker thread, then lists every outcome; Enter replays one."""

    BINDINGS = [
        Binding("escape,q", "close", "back"),
        Binding("enter", "choose", "replay witness", show=True),
        Binding("x", "explore('exhaustive')", "exhaustive"),
        Binding("r", "explore('random')", "1000 random runs"),
        Binding("question_mark", "help", "help", key_display="?"),
    ]

    def __init__(self, session: Session, mode: str = "exhaustive"):
        super().__init__()
        self.session = session
        self.mode = mode
        self.result: TestResult | None = None
        self.witnesses: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(id="outcomes-title")
        yield ProgressBar(total=None, show_eta=False, id="outcomes-progress")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="outcomes")
        yield Static(id="outcomes-hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        cached = self.session.explored
        if cached is not None and cached.mode == self.mode:
            self._show(cached)
        else:
            self.action_explore(self.mode)

    def action_explore(self, mode: str) -> None:
        self.mode = mode
        self.query_one("#outcomes-progress").display = True
        self.query_one(DataTable).clear()
        self._title(Text(f"Exploring {self.session.title()} ({mode})…", style="bold"))
        self._run(mode)

    @work(thread=True, exclusive=True, group="explore")
    def _run(self, mode: str) -> None:
        worker = get_current_worker()

        def progress(n: int) -> None:
            if worker.is_cancelled:
                raise ExplorationCancelled
            self.app.call_from_thread(self._progress, n, mode)

        options = replace(self.session.options, mode=mode, runs=1000, seed=0, schedule="")
        try:  # the pipeline's own machine (own Unicorn cores), results in source terms
            result = run_test(self.session.test, options, progress)
        except ExplorationCancelled:
            return
        except FencelabError as e:
            self.app.call_from_thread(self._failed, str(e))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, result)

    def _progress(self, n: int, mode: str) -> None:
        what = "runs" if mode == "random" else "states"
        self._title(Text(f"Exploring {self.session.title()}: {n} {what}…", style="bold"))

    def _failed(self, message: str) -> None:
        self.query_one("#outcomes-progress").display = False
        self._title(Text(f"exploration failed: {message}", style="bold red"))

    def _show(self, result: TestResult) -> None:
        self.result = result
        self.session.explored = result
        self.query_one("#outcomes-progress").display = False
        condition, arch = result.condition, result.test.arch
        states = sorted(result.states, key=lambda s: (not satisfies(condition, s.outcome),
                                                      format_state(s.outcome, arch)))  # fmt: skip
        table = self.query_one(DataTable)
        table.clear(columns=True)  # fresh columns: their widths follow the new rows
        table.add_columns(*COLUMNS)
        self.witnesses = []
        for s in states:
            ok = satisfies(condition, s.outcome)
            mark = Text("✓ satisfies" if ok else "✗ does not", style="bold green" if ok else "dim")
            count = str(s.count) if result.mode == "random" else "·"
            steps = str(len([k for k in s.witness.split(",") if k]))
            # (Text: a string cell is read as markup, and `[x]=1;` showed as `=1;`)
            table.add_row(Text(format_state(s.outcome, arch)), mark, count, steps)
            self.witnesses.append(s.witness)
        verdict = (result.verdict if result.judged else "no verdict (cut short)"
                   if result.partial else "no verdict (no execution ended within the step budget)")
        head = Text(f"{result.test.name}: {verdict}", style="bold")
        head.append(f"  {format_condition(result.condition)}")
        positive, negative = result.witnesses  # herd's (and run's) `Positive: p Negative: n`
        head.append(f"  ({condition.quantifier}: {positive} positive, {negative} negative)")
        if result.mode == "random":
            head.append(f"\n{plural(result.runs, 'random run')} under {result.engine} on "
                        f"{result.target}")  # fmt: skip
        else:
            head.append(f"\n{plural(len(result.states), 'outcome')}, "
                        f"{plural(result.explored_states, 'state')}, "
                        f"{plural(result.transitions, 'transition')} under {result.engine} on "
                        f"{result.target}")  # fmt: skip
        if result.budget_exhausted:
            head.append(f"; {plural(result.budget_exhausted, 'execution')} hit the step budget")
        if result.partial:
            head.append(f"\npartial: {result.partial}: the outcomes found so far, not all",
                        style="bold yellow")  # fmt: skip
        for caution in result.cautions:  # (as run's `# Caution` lines)
            head.append(f"\ncaution: {caution}", style="bold yellow")
        self._title(head)
        self.query_one("#outcomes-hint", Static).update(
            Text("Enter: replay the outcome's witness from the start (→ steps through it)",
                 style="dim"))  # fmt: skip
        table.focus()

    def _title(self, text: Text) -> None:
        self.query_one("#outcomes-title", Static).update(text)

    @property
    def rows(self) -> list[list[str]]:
        """The table as text (for tests)."""
        table = self.query_one(DataTable)
        return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self.witnesses[event.cursor_row])

    def action_choose(self) -> None:
        table = self.query_one(DataTable)
        if self.witnesses and table.cursor_row is not None:
            self.dismiss(self.witnesses[table.cursor_row])

    def action_help(self) -> None:
        from fencelab.tui.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_close(self) -> None:
        self.workers.cancel_group(self, "explore")
        self.dismiss(None)
