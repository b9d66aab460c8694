"""Rich text for the TUI's panes, built from a Session (no Textual here).

Each function returns `rich.text.Text` lines, so the same text is drawn on screen and read back
by the tests (`.plain`).
"""

from __future__ import annotations

from rich.text import Text

from fencelab.tui.session import RegisterView, Session, origin_parts

# Compiler Explorer-like tints: one colour per source line, in the order of the file.
ORIGIN_COLOURS = ("#5fafff", "#ffaf5f", "#87d787", "#d787d7", "#d7d75f", "#5fd7d7", "#ff8787",
                  "#afafff")  # fmt: skip


def line_colours(session: Session) -> dict[int, str]:
    """Source line -> its colour, shared by the source pane and the core panes."""
    lines = sorted({o.pos.line for o in session.origins.values() if o.pos.line})
    return {line: ORIGIN_COLOURS[i % len(ORIGIN_COLOURS)] for i, line in enumerate(lines)}


def format_reg(value: int) -> str:
    """Small values in decimal (what litmus conditions speak), addresses in hex."""
    return str(value) if value < 0x10000 else f"{value:#x}"


def core_lines(session: Session, tid: int, details: bool = False, width: int = 0) -> list[Text]:
    """A core's disassembly (next instruction marked); compiled tests colour each row by the
    source line it lowers and give that line's text beside the first row of its group."""
    rows = session.instructions(tid)
    colours = line_colours(session)
    column = max((len(r.text) for r in rows), default=0)
    lines: list[Text] = []
    shown: set[str] = set()
    previous = None
    for r in rows:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("▶ " if r.current else "  ", style="bold #ffd75f" if r.current else "")
        source_line = r.origin.pos.line if r.origin is not None else 0
        colour = colours.get(source_line)
        if colour:
            line.append("▌", style=colour)
        style = "bold reverse" if r.current else ""
        line.append(r.text.ljust(column), style=style)
        if r.origin is not None and source_line != previous:
            text = session.source_text(source_line) or origin_parts(r.origin)[0]
            line.append(f"  {text}", style=colour or "")
        elif r.origin is None and r.source and _squash(r.source) != _squash(r.text):
            line.append(f"  {r.source}", style="dim")
        previous = source_line if r.origin is not None else None
        lines.append(line)
        if details and r.origin is not None and repr(r.origin) not in shown:
            shown.add(repr(r.origin))
            text, order, why = origin_parts(r.origin)
            where = f"line {source_line}: " if source_line else ""
            info = Text(f"    ↳ {where}{text}", style=colour or "dim")
            if order and order not in text:
                info.append(f" · {order}", style="bold")
            if why:
                info.append(f" · {why}", style="italic")
            lines += wrap_hanging(info, "      ", width)  # (under its text, not flush left)
    if not rows:
        lines.append(Text("  (no instructions)", style="dim"))
    if session.finished(tid):
        lines.append(Text("  ■ finished", style="bold green"))
    lines += register_line(session.registers(tid), width)
    return lines


def source_lines(session: Session) -> list[Text]:
    """The source test's threads as written, each line in its colour, `▶N` where core N's next
    instruction comes from."""
    colours = line_colours(session)
    lines = []
    for row in session.source_rows():
        line = Text(no_wrap=True, overflow="ellipsis")
        here = "".join(str(t) for t in row.cores)
        line.append(f"▶{here:<2}" if here else "   ", style="bold #ffd75f")
        colour = colours.get(row.line)
        line.append("▌" if colour else " ", style=colour or "")
        line.append(row.text, style=(f"bold {colour}" if row.cores else colour) or "dim")
        lines.append(line)
    return lines or [Text("(an assembly test has no source)", style="dim")]


DEAD_END = "  ✗ dead end: no run finishes"  # (`Session.leads_nowhere`)
REASON_MARKS = {True: ("✓ ", "green"), False: ("✗ ", "#ff8787"), None: ("· ", "dim")}


def reason_lines(session: Session, focus: int, width: int) -> list[Text]:
    """Every core's reasons, the focused core's first, wrapped under their text."""
    lines: list[Text] = []
    order = [focus] + [t for t in range(len(session.program.threads)) if t != focus]
    for note in session.notes():
        lines += wrap_hanging(Text(note, style="italic #ffaf5f"), "", width)
    for tid in order:
        head = Text(f"core {tid}", style="bold reverse" if tid == focus else "bold")
        lines.append(head)
        dead = session.dead_ends(tid)
        for r in session.reasons(tid):
            lines += wrap_hanging(reason_text(r, dead), "  ", width)
    return lines


def reason_text(r, dead: set[str]) -> Text:
    """One of the model's reasons: its mark, its transition's key, its words, and whether that
    transition is in `dead` (`Session.dead_ends`)."""
    mark, colour = REASON_MARKS[r.can]
    text = Text()
    text.append(mark, style=colour)
    if r.key:
        text.append(f"[{r.key}] ", style="bold #5fafff")
    text.append(r.text, style="" if r.can is not None else "dim")
    if r.key in dead:
        text.append(DEAD_END, style="#ff8787")
    return text


def wrap_hanging(text: Text, indent: str, width: int) -> list[Text]:
    """`text` wrapped at `width` with every continuation line indented by `indent` (under the
    text, never flush left), breaking at spaces."""
    if width <= len(indent) + 8 or len(text.plain) <= width:
        return [text]
    out: list[Text] = []
    rest = text
    first = True
    while rest.plain:
        room = width - (0 if first else len(indent))
        if len(rest.plain) <= room:
            piece, rest = rest, Text()
        else:
            cut = rest.plain.rfind(" ", 0, room + 1)
            cut = cut if cut > room // 3 else room
            piece, rest = rest[:cut], rest[cut:]
            rest = rest[len(rest.plain) - len(rest.plain.lstrip(" ")):]
        line = Text(no_wrap=True, overflow="ellipsis") if first else Text(indent, no_wrap=True,
                                                                           overflow="ellipsis")
        line.append_text(piece)
        out.append(line)
        first = False
    return out


def _squash(text: str) -> str:
    return "".join(text.split()).lower()


def register_line(regs: list[RegisterView], width: int = 0) -> list[Text]:
    """The registers, `name(local)=value`, changed ones highlighted: one line when they fit
    (or the width is unknown), else in aligned columns."""
    items = []
    for r in regs:
        style = "bold black on #ffd75f" if r.changed else ""
        value = f"&{r.points_to}" if r.points_to else format_reg(r.value)
        name = f"{r.name}({r.local})" if r.local else r.name
        items.append(Text(f"{name}={value}", style=style))
    return grid(items, width)


def grid(items: list[Text], width: int) -> list[Text]:
    """`items` on one line two spaces apart when they fit in `width` (or it is 0), else in
    columns as wide as the widest item."""
    joined = Text("  ").join(items)
    if width <= 0 or len(joined.plain) <= width:
        return [joined]
    column = max(len(i.plain) for i in items) + 2
    per_line = max(1, (width + 2) // column)
    lines = []
    for k in range(0, len(items), per_line):
        line = Text(no_wrap=True, overflow="ellipsis")
        chunk = items[k : k + per_line]
        for i, item in enumerate(chunk):
            line.append_text(item)
            if i < len(chunk) - 1:
                line.append(" " * (column - len(item.plain)))
        lines.append(line)
    return lines


# -- memory ----------------------------------------------------------------------------------


def memory_lines(view: object, threads: int, width: int = 0) -> list[Text]:
    """Any plain-data state (dicts, lists, tuples, scalars) as indented, readable lines.

    A dict of scalars fits on one line (`x=0  y=1`); a pair (name, value) reads `name=value`;
    a list with one entry per core is labelled P0, P1...; a list of records is labelled by the
    record's `thread` / `name` / `ts` field; a record's short fields share one line and
    its empty ones (None, {}) are left out. Given the pane's `width`, a line that does not fit
    wraps into aligned columns under its first item, never back to the left edge.
    """
    lines: list[Text] = []
    _emit(view, 0, lines, threads, "", width)
    return lines or [Text("(no state)", style="dim")]


LABEL_FIELDS = ("ts", "thread", "core", "name")


def _is_scalar(v: object) -> bool:
    return v is None or isinstance(v, (int, float, str, bool))


def _inline_pair(v: object) -> bool:
    return isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str) and _is_scalar(v[1])


def _items(v: object) -> list[str] | None:
    """The one-line pieces of `v` (flowed into columns by `flow`), or None when it needs
    several lines."""
    if _is_scalar(v):
        return ["—" if v is None else str(v)]
    if _inline_pair(v):
        return [f"{v[0]}={v[1]}"]  # type: ignore[index]
    if isinstance(v, dict) and all(_is_scalar(x) for x in v.values()):
        return [f"{k}={_items(x)[0]}" for k, x in v.items()] or ["{}"]  # type: ignore[index]
    if isinstance(v, (list, tuple)) and all(_is_scalar(x) or _inline_pair(x) for x in v):
        parts = [(_items(x) or [""])[0] for x in v]
        return ["[" + ", ".join(parts) + "]"] if parts else ["(empty)"]
    return None


def _field(k: object, v: object) -> str | None:
    """`k=v` for a record's field that fits on a line (a dict of scalars in braces)."""
    if isinstance(v, dict) and v and all(_is_scalar(x) for x in v.values()):
        return f"{k}={{{' '.join(_items(v) or [])}}}"
    one = _items(v)
    if one is None:
        return None
    return f"{k}=[]" if one == ["(empty)"] else f"{k}={' '.join(one)}"


def flow(prefix: Text, items: list[str], width: int, style: str = "") -> list[Text]:
    """`prefix` then `items`: on one line when they fit (or the width is unknown), else in
    aligned columns, continuation lines indented to where the items start. An item too long
    for its column breaks at its spaces, also indented."""
    start = len(prefix.plain)
    one = "  ".join(items)
    if width <= 0 or start + len(one) <= width:
        line = prefix.copy()
        line.append(one, style=style)
        return [line]
    room = max(width - start, 12)
    pieces: list[str] = []
    for item in items:
        pieces += _split(item, room)
    short = [len(p) for p in pieces if 2 * (len(p) + 2) <= room + 2]  # two fit on a line
    column = max(short) + 2 if short else room  # a longer item takes a line of its own
    rows: list[list[str]] = [[]]
    for p in pieces:
        alone = len(p) + 2 > column
        if rows[-1] and (alone or (len(rows[-1]) + 1) * column > room + 2):
            rows.append([])
        rows[-1].append(p)
        if alone:
            rows.append([])
    out = []
    for i, chunk in enumerate(r for r in rows if r):
        line = prefix.copy() if i == 0 else Text(" " * start)
        line.append("".join(p.ljust(column) for p in chunk[:-1]) + chunk[-1], style=style)
        line.no_wrap, line.overflow = True, "ellipsis"
        out.append(line)
    return out


def _split(item: str, room: int) -> list[str]:
    """An item broken at spaces into pieces of at most `room` characters (if it can be)."""
    pieces: list[str] = []
    while len(item) > room and " " in item[1:room]:
        cut = item.rfind(" ", 1, room)
        pieces.append(item[:cut])
        item = " " + item[cut + 1 :]
    return pieces + [item]


def _per_core(v: object, threads: int, key: str) -> bool:
    """A list with one entry per core (store buffers, views), not a message list."""
    return (
        isinstance(v, (list, tuple)) and len(v) == threads and threads > 1
        and not _inline_pair(v) and "message" not in key.lower() and key != "memory"
        and not all(isinstance(x, dict) and _label_of(x) for x in v)
    )  # fmt: skip


def _label_of(record: dict) -> str:
    for name in LABEL_FIELDS:
        value = record.get(name)
        if value is not None and _is_scalar(value):
            return f"@{value}" if name == "ts" else str(value)
    return ""


def _emit(v: object, depth: int, lines: list[Text], threads: int, key: str, width: int) -> None:
    pad = "  " * depth
    if isinstance(v, dict):
        for k, x in v.items():
            items = None if _per_core(x, threads, str(k)) else _items(x)
            if items is not None:
                prefix = Text(pad)
                prefix.append(f"{k}: ", style="bold")
                lines += flow(prefix, items, width)
            else:
                lines.append(Text(pad + f"{k}:", style="bold"))
                _emit(x, depth + 1, lines, threads, str(k), width)
        return
    if isinstance(v, (list, tuple)):
        per_core = _per_core(v, threads, key)
        for i, x in enumerate(v):
            label = f"P{i}" if per_core else f"#{i}"
            if isinstance(x, dict):
                label = _label_of(x) or label
                _record(x, label, depth, lines, threads, width)
                continue
            items = _items(x)
            prefix = Text(pad)
            prefix.append(f"{label}: ", style="bold #87afd7")
            if items is not None:
                lines += flow(prefix, items, width)
            else:
                lines.append(prefix)
                _emit(x, depth + 1, lines, threads, key, width)
        if not v:
            lines.append(Text(pad + "(empty)", style="dim"))
        return
    lines += flow(Text(pad), _items(v) or [repr(v)], width)


def _record(record: dict, label: str, depth: int, lines: list[Text], threads: int,
            width: int) -> None:  # fmt: skip
    """One list entry that is a dict: its short fields on the label's line, the rest below."""
    pad = "  " * depth
    short, long = [], []
    for k, x in record.items():
        if x is None or x == {} or (k in LABEL_FIELDS and label.lstrip("@") == str(x)):
            continue
        text = _field(k, x)
        if text is None:
            long.append((k, x))
        else:
            short.append(text)
    prefix = Text(pad)
    prefix.append(f"{label}: ", style="bold #87afd7")
    lines += flow(prefix, short, width) if short else [prefix]
    for k, x in long:
        lines.append(Text(pad + f"  {k}:", style="bold"))
        _emit(x, depth + 2, lines, threads, str(k), width)


def transition_text(session: Session, t, width: int = 0) -> Text:
    """`[key] label`, wrapped under the label (not flush left) when `width` is given."""
    line = Text()
    line.append(f"[{t.key}] ", style="bold #5fafff")
    line.append(session.transition_label(t), style="" if t.executes else "italic")
    if session.leads_nowhere(t):
        line.append(DEAD_END, style="#ff8787")
    return Text("\n").join(wrap_hanging(line, "    ", width))
