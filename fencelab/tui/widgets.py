"""The main screen's panes. Each keeps the rich Text it shows in `lines` (tests read `.text`)."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group
from rich.measure import Measurement
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from fencelab.tui.render import (
    core_lines,
    memory_lines,
    reason_lines,
    source_lines,
    transition_text,
    wrap_hanging,
)
from fencelab.tui.session import Session


class AtWidth:
    """A renderable laid out at the width it is drawn at: `make(width)` gives its lines, so a
    pane wraps (in aligned columns, under its items) to its real size, whatever the terminal."""

    def __init__(self, make: Callable[[int], list[Text]]):
        self.make = make

    def __rich_console__(self, console, options):
        yield Group(*self.make(options.max_width))

    def __rich_measure__(self, console, options) -> Measurement:
        return Measurement(options.max_width, options.max_width)  # all the width there is


class Pane(Static):
    """A bordered pane showing a list of rich Text lines."""

    lines: list[Text]

    def show(self, lines: list[Text]) -> None:
        self.lines = lines
        self.update(Group(*lines))

    def show_at_width(self, make: Callable[[int], list[Text]]) -> None:
        """Lines laid out at the pane's width when drawn (`.text` reads them at its width
        now)."""
        self.lines = make(self.content_region.width)
        self.update(AtWidth(make))

    @property
    def text(self) -> str:
        return "\n".join(line.plain for line in getattr(self, "lines", []))


class ScrollPane(VerticalScroll):
    """A bordered pane of lines that scrolls, with a scrollbar, where they do not fit (a
    Static's own content is cut off at its height without a sign): its `body` is the Pane."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.body = Pane()

    def compose(self):
        yield self.body

    @property
    def lines(self) -> list[Text]:
        return getattr(self.body, "lines", [])

    @property
    def text(self) -> str:
        return self.body.text

    def show(self, lines: list[Text]) -> None:
        self.body.show(lines)

    def show_at_width(self, make: Callable[[int], list[Text]]) -> None:
        self.body.show_at_width(make)


class CorePane(ScrollPane):
    """One core: its disassembly with the next instruction marked, and its registers. A pane
    shorter than its thread scrolls (a Static's own content does not), kept on ▶ as it steps."""

    def __init__(self, tid: int, **kwargs):
        super().__init__(id=f"core{tid}", classes="core", **kwargs)
        self.tid = tid

    def refresh_from(self, session: Session, details: bool, focus: int = -1) -> None:
        thread = session.program.test.threads[self.tid]
        name = thread.name or f"P{self.tid}"
        self.border_title = f"{name} (core {self.tid})"
        finished = session.finished(self.tid)
        self.border_subtitle = "finished" if finished else ""
        self.set_class(finished, "finished")
        self.set_class(self.tid == focus, "focused")
        self.body.show_at_width(lambda width: core_lines(session, self.tid, details, width))
        self.call_after_refresh(self.keep_next_in_view)

    def keep_next_in_view(self) -> None:
        """Scroll so that ▶ (the next instruction) and the row after it are in view."""
        lines = self.lines
        here = next((i for i, line in enumerate(lines) if line.plain.startswith("▶")), None)
        if here is None:
            return
        width = max(1, self.body.content_region.width)
        y = sum(len(line.wrap(self.app.console, width)) for line in lines[:here])  # (↳ wraps)
        self.scroll_to_region(Region(0, y, 1, 2), animate=False, immediate=True)


class MemoryPane(ScrollPane):
    """The model's state (TSO's buffers, ARM's messages and views), wrapped to the pane."""

    def refresh_from(self, session: Session) -> None:
        self.border_title = f"memory ({session.model})"
        view, threads = session.memory_view(), len(session.program.threads)
        self.show_at_width(lambda width: memory_lines(view, threads, width))


class SourcePane(Pane):
    """A source test's threads as written, each line in the colour of its instructions."""

    def refresh_from(self, session: Session) -> None:
        self.border_title = f"source ({session.test.arch.lower()})"
        self.show(source_lines(session))


class ReasonsPane(ScrollPane):
    """Why each core can or cannot move now, in the model's words (the focused core first)."""

    def refresh_from(self, session: Session, focus: int) -> None:
        self.border_title = f"why ({session.model})"
        self.show_at_width(lambda width: reason_lines(session, focus, width))


class TransitionList(OptionList):
    """Every enabled transition; Enter or a click takes the highlighted one."""

    BINDINGS = [
        Binding("home", "screen.rewind", "start", show=False),
        Binding("end", "screen.to_end", "end", show=False),
    ]

    def refresh_from(self, session: Session) -> None:
        enabled = session.enabled()
        index = self.highlighted
        option = self.highlighted_option
        self.clear_options()
        self.add_options([Option(AtWidth(lambda width, t=t: [transition_text(session, t, width)]),
                                 id=t.key) for t in enabled])  # fmt: skip
        self.border_title = f"enabled transitions ({len(enabled)})"
        if enabled:  # stay on the same key if it is still enabled, else the same row
            keys = [t.key for t in enabled]
            same = option.id in keys if option is not None else False
            self.highlighted = keys.index(option.id) if same else min(index or 0, len(keys) - 1)

    @property
    def text(self) -> str:
        session = self.screen.session  # type: ignore[attr-defined]
        return "\n".join(transition_text(session, t).plain for t in session.enabled())


class StatusLine(Pane):
    """Schedule so far, redo queue, the execution's status or final outcome, a message."""

    ROWS = 3  # (app.tcss: its max-height)

    def show(self, lines: list[Text]) -> None:
        self.show_at_width(lambda width: self.laid_out(lines, width))

    @classmethod
    def laid_out(cls, lines: list[Text], width: int) -> list[Text]:
        """Long lines wrap under themselves; where they would take more than the pane's rows,
        the first (the schedule) keeps its end, after `… `, so that the status or final
        outcome below it stays in sight (a long schedule at 80x24 hid it), and a message
        longer than the rows below it keeps its start, ending in `…` (its end was cut off
        without a sign)."""
        head, *rest = [wrap_hanging(line, "  ", width) for line in lines]
        below = [piece for pieces in rest for piece in pieces]
        if len(below) > cls.ROWS - 1:
            below = below[: cls.ROWS - 1]
            last = below[-1]
            below[-1] = last[: max(0, min(len(last), width - 1))] + Text("…", style=last.style)
        room = max(1, cls.ROWS - len(below))
        if len(head) > room:
            head = head[-room:]
            head[0] = Text("… ") + head[0][2:]  # (a continuation: indented by two)
        return head + below
