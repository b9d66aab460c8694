"""An execution graph in the terminal: thread columns of events, then each relation's edges.

    P0            P1
    a: W x=1      c: W y=1
    ┆             ┆
    b: R y=0      d: R x=0
    rf  init x→d  init y→b
    fr  b→c  d→a

Program order runs down each column (`│` where the model keeps it, `┆` where it may reorder);
the other edges are listed by relation in the colours the SVG uses. The TUI's graph pane
(fencelab/tui/graph_view.py) shows this.
"""

from __future__ import annotations

from rich.text import Text

from fencelab.graph.model import ExecutionGraph
from fencelab.report.graph_style import CYCLE_BAND, STYLES, style_key

_ORDER = ["po", "rf", "co", "fr", "rmw", "addr", "data", "ctrl", "lob", "ppo", "prop", "ob", "sw", "hb", "psc"]


_UNICODE = {"po": "│", "po-weak": "┆", "to": "→"}
_ASCII = {"po": "|", "po-weak": ":", "to": "->"}  # (a stream in Latin-1 or ASCII: `ascii`)


def graph_lines(graph: ExecutionGraph, ascii: bool = False) -> list[Text]:
    """The picture's lines; `ascii`: its marks in ASCII, for a stream that cannot take
    Unicode's (`report.tables.unicode_boxes`)."""
    marks = _ASCII if ascii else _UNICODE
    names = graph.names
    events = [n for n in graph.nodes if not n.is_init]
    threads = max([len(graph.threads)] + [n.tid + 1 for n in events])
    width = max([len(n.label) for n in events] + [8]) + 3
    rows = max([n.index + 1 for n in events] + [0])
    at = {(n.tid, n.index): n for n in events}
    weak = {(e.src, e.dst) for e in graph.edges if e.rel == "po" and e.weak}
    cycle_nodes = {x for e in graph.cycle.edges for x in (e.src, e.dst)} if graph.cycle else set()
    lines = []
    head = Text()
    for t in range(threads):
        name = graph.threads[t] if t < len(graph.threads) else f"P{t}"
        head.append(name.ljust(width), style="bold")
    lines.append(head)
    for r in range(rows):
        if r:
            link = Text()
            for t in range(threads):
                above, below = at.get((t, r - 1)), at.get((t, r))
                mark = ""
                if above and below:
                    mark = marks["po-weak" if (above.id, below.id) in weak else "po"]
                link.append(f"  {mark}".ljust(width), style="dim")
            lines.append(link)
        line = Text()
        for t in range(threads):
            n = at.get((t, r))
            text = n.label if n else ""
            style = f"bold on {CYCLE_BAND}" if n and n.id in cycle_nodes else ""
            line.append(text, style=style or None)
            line.append(" " * (width - len(text)))
        lines.append(line)
    cycle = {id(e) for e in graph.cycle.edges} if graph.cycle else set()
    by_key: dict[str, list] = {}
    for e in graph.edges:
        key = style_key(e.rel, e.weak)
        if key in ("po", "po-weak") and id(e) not in cycle:
            continue
        key = "po" if key == "po-weak" else key
        by_key.setdefault(key if key in _ORDER else "ob", []).append(e)
    for key in [k for k in _ORDER if k in by_key]:
        colour = STYLES[key].colour
        line = Text()
        line.append(f"{key:<5}", style=f"bold {colour}")
        for e in by_key[key]:
            label = "" if e.text in (key, key + "e", key + "i") else f"({e.text})"
            piece = f"{names[e.src]}{marks['to']}{names[e.dst]}{label}"
            line.append(" ")
            line.append(piece, style=f"{colour} on {CYCLE_BAND}" if id(e) in cycle else colour)
        lines.append(line)
    if graph.cycle is not None:
        lines.append(Text(f"forbidden by {graph.cycle.axiom} ({graph.cycle.rule}): "
                          f"{graph.cycle.describe(graph)}", style="bold"))  # fmt: skip
    for note in graph.notes:
        lines.append(Text(note, style="italic"))
    return lines
