"""Screens pushed over the machine view: help, configuration, exploration outcomes."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Label, ProgressBar, Select, Static
from textual.worker import get_current_worker

from fencelab.errors import FencelabError
from fencelab.machine.explore import exhaustive, random_runs
from fencelab.result import TestResult, format_outcome, holds
from fencelab.tui.session import ARMV7_NOTE, Session

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


class ConfigScreen(ModalScreen["tuple[str | None, str, str | None] | None"]):
    """Pick target, scheme and model. Dismisses with (target, scheme, model) or None."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, session: Session):
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        from fencelab.lowering.schemes import SCHEMES

        s = self.session
        targets = s.target_choices()
        models = ["sc", "tso"] + (["arm", "aarch32"] if _arm_available() else []) + ["armv7"]
        with Vertical(id="config"):
            yield Label(Text(f"Configure {s.test.name}", style="bold"))
            yield Label("target" + ("" if s.test.is_source else f" ({s.test.arch} test)"))
            yield Select([(t, t) for t in targets], value=s.target, allow_blank=False,
                         id="target", disabled=len(targets) < 2, compact=True)  # fmt: skip
            yield Label("lowering scheme" + ("" if s.test.is_source else " (source tests only)"))
            yield Select([(f"{n}: {_short(sc.summary)}", n) for n, sc in SCHEMES.items()],
                         value=s.options.scheme, allow_blank=False, id="scheme",
                         disabled=not s.test.is_source, compact=True)  # fmt: skip
            yield Label("memory model")
            yield Select([("the target's own", "")] + [(m, m) for m in models],
                         value=s.options.model or "", allow_blank=False, id="model",
                         compact=True)  # fmt: skip
            yield Static(Text(ARMV7_NOTE, style="italic dim"))
            with Horizontal(id="config-buttons"):
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#apply")
    def apply(self) -> None:
        target = self.query_one("#target", Select).value
        scheme = self.query_one("#scheme", Select).value
        model = self.query_one("#model", Select).value
        self.dismiss((str(target), str(scheme), str(model) or None))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _short(text: str, width: int = 52) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _arm_available() -> bool:
    try:
        import fencelab.models.operational.arm.model  # noqa: F401
    except ImportError:
        return False
    return True


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

        try:
            machine = self.session.fresh_machine()
            if mode == "random":
                result = random_runs(machine, 1000, seed=0, progress=progress)
            else:
                result = exhaustive(machine, progress)
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
        prop = result.condition.prop
        states = sorted(result.states, key=lambda s: (not holds(prop, s.outcome),
                                                      format_outcome(s.outcome)))  # fmt: skip
        table = self.query_one(DataTable)
        table.clear(columns=True)  # fresh columns: their widths follow the new rows
        table.add_columns(*COLUMNS)
        self.witnesses = []
        for s in states:
            ok = holds(prop, s.outcome)
            mark = Text("✓ satisfies" if ok else "✗ does not", style="bold green" if ok else "dim")
            count = str(s.count) if result.mode == "random" else "·"
            steps = str(len([k for k in s.witness.split(",") if k]))
            table.add_row(self.session.outcome_text(s.outcome), mark, count, steps)
            self.witnesses.append(s.witness)
        head = Text(f"{result.test.name}: {result.verdict}", style="bold")
        head.append(f"  ({result.condition.quantifier}: {result.positive} positive, "
                    f"{result.negative} negative)")  # fmt: skip
        if result.mode == "random":
            head.append(f"\n{result.runs} random runs under {result.engine} on {result.target}")
        else:
            head.append(f"\n{len(result.states)} outcomes, {result.explored_states} states, "
                        f"{result.transitions} transitions under {result.engine} on "
                        f"{result.target}")  # fmt: skip
        if result.budget_exhausted:
            head.append(f"; {result.budget_exhausted} executions hit the step budget")
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

    def action_close(self) -> None:
        self.workers.cancel_group(self, "explore")
        self.dismiss(None)
