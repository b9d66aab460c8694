"""How every human table prints: fitted to a terminal by wrapping free text only.

On a pipe a plain table (rich's default box, plain ASCII cells) is written directly, line for
line what rich prints: rich takes about 1.5 ms a row to lay out a table, so a 100-test run's
summary cost 0.15-0.2 s of CPU after the last result, all of it serial (with `-j N` the workers
are done by then)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich is imported where a table is drawn by rich (`grid_lines` needs none)
    from rich.console import Console
    from rich.table import Table

_UNBOUNDED = 1_000_000


def literal(text: str):
    """A title or cell printed as written: rich reads a string's `[x]` as markup and drops it
    (an outcome's `[x]=1;` showed as `=1;`). A string without `[` stays a string (plain
    tables are written without rich: `plain_lines`)."""
    if "[" not in text:
        return text
    from rich.text import Text

    return Text(text)


def _natural(console: Console, table: Table) -> int:
    """The width `table` takes when no cell is wrapped."""
    from rich.measure import Measurement

    return Measurement.get(console, console.options.update_width(_UNBOUNDED), table).maximum


def print_table(console: Console, table: Table) -> None:
    """No cell is ever split: in a terminal, a table that fits prints as it is; one too wide
    loses its borders (a rule under the header, columns a space apart); one still too wide
    prints as on a pipe, each line whole and wider than the terminal (which folds it on screen,
    not in the text). On a pipe the console is unbounded: natural width, borders kept, printed
    as it is (measuring it first, which costs more than printing it, changes nothing there)."""
    from rich import box
    from rich.segment import Segments

    if console.width >= _UNBOUNDED:
        lines = plain_lines(console, table)
        if lines is None:
            console.print(table)
        else:
            console.file.write("".join(line + "\n" for line in lines))
            console.file.flush()
        return
    for column in table.columns:
        column.no_wrap = True
    looks = table.box, table.show_edge, table.padding
    if table.box is not None and _natural(console, table) > console.width:
        table.box, table.show_edge, table.padding = box.SIMPLE_HEAD, False, (0, 0)
        if _natural(console, table) > console.width:  # no narrower without splitting a cell
            table.box, table.show_edge, table.padding = looks
    natural = _natural(console, table)
    if natural <= console.width:
        console.print(table)
        return
    # wider than the terminal: the pipe's lines (`print` with soft wrap does not centre a title)
    wide = console.options.update(width=natural, no_wrap=True, overflow="ignore")
    console.print(Segments(console.render(table, wide)), soft_wrap=True, crop=False)


_PLAIN = frozenset(chr(c) for c in range(0x20, 0x7F)) - {"["}  # "[": rich's markup


def unicode_boxes(console) -> bool:
    """Does `console` write to a UTF stream, where a table's box is drawn in Unicode lines?
    Elsewhere (a Latin-1 or ASCII locale) rich draws it in ASCII (`+`, `-`, `|`), and so the
    lines made here (in Unicode) are not drawn: writing them was a UnicodeEncodeError."""
    return console.encoding.startswith("utf")


def plain_lines(console: Console, table: Table) -> list[str] | None:
    """The lines rich prints for `table` on `console` at an unbounded width (as rich does, a
    right-justified cell loses its trailing spaces), made here, or None when rich's own
    rendering is needed: styles shown (colour), a recording console, a stream not in UTF
    (`unicode_boxes`), anything but the default
    look (rich's `Table(title=...)`, columns justified left or right), or a cell that is not
    printable ASCII without `[` (markup, wide and control characters)."""
    from rich import box

    if (console.color_system is not None or not console.soft_wrap or console.record
            or not unicode_boxes(console)
            or table.box is not box.HEAVY_HEAD
            or not table.show_header or not table.show_edge or table.show_lines
            or table.show_footer or table.caption is not None or table.padding != (0, 1, 0, 1)
            or not table.pad_edge or table.collapse_padding or table.expand
            or table.width is not None or table.min_width is not None or table.row_styles
            or table.leading or not table.columns):  # fmt: skip
        return None
    columns = []
    for column in table.columns:
        if (column.justify not in ("left", "right") or column.width is not None
                or column.min_width is not None or column.max_width is not None
                or column.ratio is not None or column.footer):  # fmt: skip
            return None
        columns.append([column.header, *column.cells])
    if any(row.style or row.end_section for row in table.rows):
        return None
    rows = [[c[i] for c in columns] for i in range(1, len(columns[0]))]
    return grid_lines(table.title, [c[0] for c in columns],
                      [column.justify == "right" for column in table.columns], rows)  # fmt: skip


def grid_lines(title, headers: Sequence, right: Sequence[bool],
               rows: Sequence[Sequence]) -> list[str] | None:  # fmt: skip
    """The lines rich prints, on a plain console at an unbounded width, for a table in its
    default look (`Table(title=title)`, a column for each header, right-justified where
    `right` says, these rows), made without rich; None when a title or cell is not printable
    ASCII without `[` (markup, wide and control characters) or a column is empty: rich's own."""
    texts = [title] if title else []
    columns = [[h, *(row[i] for row in rows)] for i, h in enumerate(headers)]
    for cells in columns:
        texts += cells
    if not all(isinstance(t, str) and _PLAIN.issuperset(t) for t in texts):
        return None
    widths = [max(map(len, cells)) for cells in columns]
    if not widths or not all(widths):  # no column, an empty column: rich's own
        return None

    def rule(left: str, fill: str, cross: str, right_edge: str) -> str:
        return left + cross.join(fill * (w + 2) for w in widths) + right_edge

    def row(i: int, edge: str) -> str:
        cells = (c[i].rstrip().rjust(w) if r else c[i].ljust(w)
                 for c, w, r in zip(columns, widths, right))  # fmt: skip
        return edge + edge.join(f" {cell} " for cell in cells) + edge

    lines = [title] if title else []
    lines += [rule("┏", "━", "┳", "┓"), row(0, "┃"), rule("┡", "━", "╇", "┩")]
    lines += [row(i, "│") for i in range(1, len(columns[0]))]
    lines.append(rule("└", "─", "┴", "┘"))
    return lines
