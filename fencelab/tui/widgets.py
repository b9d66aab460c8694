"""The main screen's panes. Each keeps the rich Text it shows in `lines` (tests read `.text`)."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from fencelab.tui.render import (
    core_lines,
    memory_lines,
    reason_lines,
    source_lines,
    transition_text,
)
from fencelab.tui.session import Session


class Pane(Static):
    """A bordered pane showing a list of rich Text lines."""

    lines: list[Text]

    def show(self, lines: list[Text]) -> None:
        self.lines = lines
        self.update(Group(*lines))

    @property
    def text(self) -> str:
        return "\n".join(line.plain for line in getattr(self, "lines", []))


class CorePane(Pane):
    """One core: its disassembly with the next instruction marked, and its registers."""

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
        self.show(core_lines(session, self.tid, details))


class MemoryPane(Pane):
    """The model's state (TSO's buffers, ARM's messages and views), wrapped to the pane."""

    def refresh_from(self, session: Session) -> None:
        self.border_title = f"memory ({session.model})"
        width = self.content_region.width
        self.show(memory_lines(session.memory_view(), len(session.program.threads), width))


class SourcePane(Pane):
    """A source test's threads as written, each line in the colour of its instructions."""

    def refresh_from(self, session: Session) -> None:
        self.border_title = f"source ({session.test.arch.lower()})"
        self.show(source_lines(session))


class ReasonsPane(Pane):
    """Why each core can or cannot move now, in the model's words (the focused core first)."""

    def refresh_from(self, session: Session, focus: int) -> None:
        self.border_title = f"why ({session.model})"
        self.show(reason_lines(session, focus, self.content_region.width))


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
        self.add_options([Option(transition_text(session, t), id=t.key) for t in enabled])
        self.border_title = f"enabled transitions ({len(enabled)})"
        if enabled:  # stay on the same key if it is still enabled, else the same row
            keys = [t.key for t in enabled]
            same = option.id in keys if option is not None else False
            self.highlighted = keys.index(option.id) if same else min(index or 0, len(keys) - 1)

    @property
    def text(self) -> str:
        return "\n".join(
            str(self.get_option_at_index(i).prompt) for i in range(self.option_count)
        )


class StatusLine(Pane):
    """Schedule so far, redo queue, the execution's status or final outcome, a message."""
