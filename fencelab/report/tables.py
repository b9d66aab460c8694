"""How every human table prints: fitted to a terminal by wrapping free text only."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.segment import Segments
from rich.table import Table

_UNBOUNDED = 1_000_000


def _needed(console: Console, table: Table) -> int:
    return Measurement.get(console, console.options.update_width(_UNBOUNDED), table).minimum


def print_table(console: Console, table: Table) -> None:
    """In a terminal, a table's free text wraps to fit; its names (columns marked `no_wrap`)
    never do. A table too wide for the terminal loses its borders (a rule under the header,
    columns apart by spaces); when its names alone are still wider, the table is too (and the
    terminal folds it on screen, not in the text). On a pipe the console is unbounded: natural
    width, borders kept, printed as it is (measuring it first, which costs more than printing
    it, changes nothing there)."""
    if console.width >= _UNBOUNDED:
        console.print(table)
        return
    for column in table.columns:
        if column.no_wrap:
            cells = [column.header, *column.cells]
            widest = max(Measurement.get(console, console.options, c).maximum for c in cells)
            column.min_width = max(column.min_width or 0, widest)
    needed = _needed(console, table)
    if needed > console.width and table.box is not None:  # too wide: drop the borders first
        table.box, table.show_edge, table.padding = box.SIMPLE_HEAD, False, (0, 0)
        needed = _needed(console, table)
    if needed <= console.width:
        console.print(table)
        return
    wide = console.options.update_width(needed)  # wider than the terminal: it folds on screen
    console.print(Segments(console.render(table, wide)), soft_wrap=True, crop=False)
