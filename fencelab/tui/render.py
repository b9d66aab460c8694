"""Rich text for the TUI's panes, built from a Session (no Textual here).

Each function returns `rich.text.Text` lines, so the same text is drawn on screen and read back
by the tests (`.plain`).
"""

from __future__ import annotations

from rich.text import Text

from fencelab.tui.session import InsnView, RegisterView, Session, origin_parts

# Compiler Explorer-like tints: one colour per source operation, in order of appearance.
ORIGIN_COLOURS = ("#5fafff", "#ffaf5f", "#87d787", "#d787d7", "#d7d75f", "#5fd7d7", "#ff8787",
                  "#afafff")  # fmt: skip


def origin_colours(rows: list[InsnView]) -> dict[object, str]:
    colours: dict[object, str] = {}
    for r in rows:
        if r.origin is not None and _origin_key(r.origin) not in colours:
            colours[_origin_key(r.origin)] = ORIGIN_COLOURS[len(colours) % len(ORIGIN_COLOURS)]
    return colours


def _origin_key(origin: object) -> object:
    """Rows from one source position share a colour (the op and the glue that feeds it)."""
    pos = getattr(origin, "pos", None)
    if pos is not None and getattr(pos, "line", 0):
        return pos
    try:
        hash(origin)
        return origin
    except TypeError:
        return repr(origin)


def format_reg(value: int) -> str:
    """Small values in decimal (what litmus conditions speak), addresses in hex."""
    return str(value) if value < 0x10000 else f"{value:#x}"


def core_lines(session: Session, tid: int, details: bool = False) -> list[Text]:
    """A core's disassembly (next instruction marked), the source of each line, registers."""
    rows = session.instructions(tid)
    colours = origin_colours(rows)
    width = max((len(r.text) for r in rows), default=0)
    lines: list[Text] = []
    shown: set[object] = set()
    for r in rows:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("▶ " if r.current else "  ", style="bold #ffd75f" if r.current else "")
        colour = colours.get(_origin_key(r.origin)) if r.origin is not None else None
        if colour:
            line.append("▌", style=colour)
        style = "bold reverse" if r.current else ""
        line.append(r.text.ljust(width), style=style)
        if r.origin is not None:
            text, order, _ = origin_parts(r.origin)
            tag = f"  {text}" + (f" {order}" if order and order not in text else "")
            line.append(tag, style=colour or "")
        elif r.source and _squash(r.source) != _squash(r.text):
            line.append(f"  {r.source}", style="dim")
        lines.append(line)
        key = repr(r.origin)
        if details and r.origin is not None and key not in shown:
            shown.add(key)
            text, order, why = origin_parts(r.origin)
            line_no = getattr(getattr(r.origin, "pos", None), "line", 0)
            where = f"line {line_no}: " if line_no else ""
            info = Text(f"    ↳ {where}{text}", style=colour or "dim")
            if order and order not in text:
                info.append(f" · {order}", style="bold")
            if why:
                info.append(f" · {why}", style="italic")
            lines.append(info)
    if not rows:
        lines.append(Text("  (no instructions)", style="dim"))
    if session.finished(tid):
        lines.append(Text("  ■ finished", style="bold green"))
    lines.append(register_line(session.registers(tid)))
    return lines


def _squash(text: str) -> str:
    return "".join(text.split()).lower()


def register_line(regs: list[RegisterView]) -> Text:
    line = Text()
    for i, r in enumerate(regs):
        if i:
            line.append("  ")
        style = "bold black on #ffd75f" if r.changed else ""
        value = f"&{r.points_to}" if r.points_to else format_reg(r.value)
        name = f"{r.name}({r.local})" if r.local else r.name
        line.append(f"{name}={value}", style=style)
    return line


# -- memory ----------------------------------------------------------------------------------


def memory_lines(view: object, threads: int) -> list[Text]:
    """Any plain-data state (dicts, lists, tuples, scalars) as indented, readable lines.

    A dict of scalars fits on one line (`x=0  y=1`); a pair (name, value) reads `name=value`;
    a list with one entry per core is labelled P0, P1...; a list of records is labelled by the
    record's `thread` / `name` / `ts` field; a record's short fields share one line and
    its empty ones (None, {}) are left out.
    """
    lines: list[Text] = []
    _emit(view, 0, lines, threads, "")
    return lines or [Text("(no state)", style="dim")]


LABEL_FIELDS = ("ts", "thread", "core", "name")
RECORD_LINE = 60  # a record whose fields fit in this many characters takes one line


def _is_scalar(v: object) -> bool:
    return v is None or isinstance(v, (int, float, str, bool))


def _inline_pair(v: object) -> bool:
    return isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str) and _is_scalar(v[1])


def _inline(v: object) -> str | None:
    """A one-line spelling of `v`, or None when it needs several lines."""
    if _is_scalar(v):
        return "—" if v is None else str(v)
    if _inline_pair(v):
        return f"{v[0]}={v[1]}"  # type: ignore[index]
    if isinstance(v, dict) and all(_is_scalar(x) for x in v.values()):
        return "  ".join(f"{k}={_inline(x)}" for k, x in v.items()) or "{}"
    if isinstance(v, (list, tuple)) and all(_is_scalar(x) or _inline_pair(x) for x in v):
        parts = [_inline(x) or "" for x in v]
        return "[" + ", ".join(parts) + "]" if parts else "(empty)"
    return None


def _field(k: object, v: object) -> str | None:
    """`k=v` for a record's field that fits on a line (a dict of scalars in braces)."""
    if isinstance(v, dict) and v and all(_is_scalar(x) for x in v.values()):
        return f"{k}={{{_inline(v)}}}"
    one = _inline(v)
    if one is None:
        return None
    return f"{k}=[]" if one == "(empty)" else f"{k}={one}"


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


def _emit(v: object, depth: int, lines: list[Text], threads: int, key: str) -> None:
    pad = "  " * depth
    if isinstance(v, dict):
        for k, x in v.items():
            one = None if _per_core(x, threads, str(k)) else _inline(x)
            if one is not None:
                line = Text(pad)
                line.append(f"{k}: ", style="bold")
                line.append(one)
                lines.append(line)
            else:
                lines.append(Text(pad + f"{k}:", style="bold"))
                _emit(x, depth + 1, lines, threads, str(k))
        return
    if isinstance(v, (list, tuple)):
        per_core = _per_core(v, threads, key)
        for i, x in enumerate(v):
            label = f"P{i}" if per_core else f"#{i}"
            if isinstance(x, dict):
                label = _label_of(x) or label
                _record(x, label, depth, lines, threads)
                continue
            one = _inline(x)
            line = Text(pad)
            line.append(f"{label}: ", style="bold #87afd7")
            if one is not None:
                line.append(one)
                lines.append(line)
            else:
                lines.append(line)
                _emit(x, depth + 1, lines, threads, key)
        if not v:
            lines.append(Text(pad + "(empty)", style="dim"))
        return
    lines.append(Text(pad + (_inline(v) or repr(v))))


def _record(record: dict, label: str, depth: int, lines: list[Text], threads: int) -> None:
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
    line = Text(pad)
    line.append(f"{label}: ", style="bold #87afd7")
    line.append("  ".join(short))
    lines.append(line)
    for k, x in long:
        lines.append(Text(pad + f"  {k}:", style="bold"))
        _emit(x, depth + 2, lines, threads, str(k))


def transition_text(session: Session, t) -> Text:
    line = Text()
    line.append(f"[{t.key}] ", style="bold #5fafff")
    line.append(session.transition_label(t), style="" if t.executes else "italic")
    return line
