"""An execution graph as a standalone SVG picture, in pure Python.

Events sit in the fixed column layout of fencelab/report/graph_layout.py. Edges are routed so
their labels stay apart: program order runs straight down a column; other edges inside a
thread are arcs beside the column (dependencies and the model's order on the right, rf / co /
fr / rmw on the left), stacked outwards when their spans overlap; edges between threads are
curves bent away from the boxes in between. Every label gets a free spot along its edge (boxes
and labels already placed are avoided). A forbidden execution's cycle is drawn over an amber
band, named under the picture with the axiom it breaks; a legend lists the relations drawn.

The markup is plain and machine-readable: each event is a `<g class="node">` and each edge a
`<g class="edge">` with `data-rel`, `data-label`, `data-src`, `data-dst` (event names) and
`data-cycle`, and each label's background a `<rect class="label">` — tests read them back.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from fencelab.graph.model import Edge, ExecutionGraph
from fencelab.litmus.printer import format_value
from fencelab.report.graph_layout import CHAR_W, Box, Layout, layout, node_lines
from fencelab.report.graph_style import (
    CYCLE_BAND,
    INIT_FILL,
    NODE_FILL,
    NODE_STROKE,
    STYLES,
    meaning,
    style_key,
    style_of,
)

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"
LABEL_H = 14
MARGIN_TITLE = 24
RIGHT_SIDE = ("addr", "data", "ctrl", "lob", "ppo", "ob", "sw", "hb", "psc")

Point = tuple[float, float]


@dataclass
class Route:
    edge: Edge
    path: str  # SVG path data
    points: list[Point]  # samples along the path, for label placement
    normal: list[Point]  # unit normals at those samples


# -- geometry -----------------------------------------------------------------------------------


def _quad(p0: Point, c: Point, p1: Point, t: float) -> Point:
    u = 1 - t
    return (u * u * p0[0] + 2 * u * t * c[0] + t * t * p1[0],
            u * u * p0[1] + 2 * u * t * c[1] + t * t * p1[1])  # fmt: skip


def _cubic(p0: Point, c0: Point, c1: Point, p1: Point, t: float) -> Point:
    u = 1 - t
    return (u**3 * p0[0] + 3 * u * u * t * c0[0] + 3 * u * t * t * c1[0] + t**3 * p1[0],
            u**3 * p0[1] + 3 * u * u * t * c0[1] + 3 * u * t * t * c1[1] + t**3 * p1[1])  # fmt: skip


def _border(box: Box, toward: Point) -> Point:
    """Where the segment from the box's centre toward `toward` leaves the box."""
    dx, dy = toward[0] - box.cx, toward[1] - box.cy
    if dx == 0 and dy == 0:
        return box.cx, box.cy
    sx = (box.w / 2) / abs(dx) if dx else math.inf
    sy = (box.h / 2) / abs(dy) if dy else math.inf
    s = min(sx, sy)
    return box.cx + dx * s, box.cy + dy * s


def _normals(points: list[Point]) -> list[Point]:
    out = []
    for i in range(len(points)):
        a = points[max(i - 1, 0)]
        b = points[min(i + 1, len(points) - 1)]
        dx, dy = b[0] - a[0], b[1] - a[1]
        n = math.hypot(dx, dy) or 1.0
        out.append((-dy / n, dx / n))
    return out


SAMPLES = [i / 40 for i in range(41)]


# -- routing ------------------------------------------------------------------------------------


class _Router:
    def __init__(self, graph: ExecutionGraph, lay: Layout):
        self.graph = graph
        self.lay = lay
        self.slots: dict[tuple[int, int], list[tuple[int, int, int]]] = {}  # (tid, side) -> spans

    def route(self, edge: Edge, parallel: int) -> Route:
        g, lay = self.graph, self.lay
        a, b = g.node(edge.src), g.node(edge.dst)
        ba, bb = lay.boxes[a.id], lay.boxes[b.id]
        if a.tid == b.tid and not a.is_init:
            if edge.rel == "po" and abs(a.index - b.index) == 1 and parallel == 0:
                p0 = (ba.cx, ba.y + ba.h) if b.index > a.index else (ba.cx, ba.y)
                p1 = (bb.cx, bb.y) if b.index > a.index else (bb.cx, bb.y + bb.h)
                points = [(p0[0] + (p1[0] - p0[0]) * t, p0[1] + (p1[1] - p0[1]) * t)
                          for t in SAMPLES]  # fmt: skip
                return Route(edge, f"M{p0[0]:.1f},{p0[1]:.1f} L{p1[0]:.1f},{p1[1]:.1f}",
                             points, _normals(points))  # fmt: skip
            return self._arc(edge, a, b, ba, bb)
        return self._curve(edge, ba, bb, parallel)

    def _arc(self, edge, a, b, ba: Box, bb: Box) -> Route:
        side = 1 if edge.rel in RIGHT_SIDE else -1
        lo, hi = sorted((a.index, b.index))
        taken = self.slots.setdefault((a.tid, side), [])
        slot = 0
        while any(k == slot and lo <= h and l <= hi for l, h, k in taken):  # noqa: E741
            slot += 1
        taken.append((lo, hi, slot))
        bulge = 30 + 26 * slot + 6 * (hi - lo)
        x0 = ba.x + ba.w if side > 0 else ba.x
        x1 = bb.x + bb.w if side > 0 else bb.x
        y0 = ba.cy + (5 if b.index > a.index else -5)
        y1 = bb.cy + (-5 if b.index > a.index else 5)
        p0, p1 = (x0, y0), (x1, y1)
        c0, c1 = (x0 + side * bulge, y0), (x1 + side * bulge, y1)
        points = [_cubic(p0, c0, c1, p1, t) for t in SAMPLES]
        path = (f"M{p0[0]:.1f},{p0[1]:.1f} C{c0[0]:.1f},{c0[1]:.1f} "
                f"{c1[0]:.1f},{c1[1]:.1f} {p1[0]:.1f},{p1[1]:.1f}")  # fmt: skip
        return Route(edge, path, points, _normals(points))

    def _curve(self, edge, ba: Box, bb: Box, parallel: int) -> Route:
        others = [box for nid, box in self.lay.boxes.items() if nid not in (edge.src, edge.dst)]
        bends = [0, 34, -34, 68, -68, 102, -102, 140, -140, 180, -180]
        bends = bends[parallel:] + bends[:parallel]
        best = None
        for bend in bends:
            mid = ((ba.cx + bb.cx) / 2, (ba.cy + bb.cy) / 2)
            dx, dy = bb.cx - ba.cx, bb.cy - ba.cy
            n = math.hypot(dx, dy) or 1.0
            control = (mid[0] - dy / n * bend * 2, mid[1] + dx / n * bend * 2)
            p0, p1 = _border(ba, control), _border(bb, control)
            points = [_quad(p0, control, p1, t) for t in SAMPLES]
            hits = sum(1 for p in points[2:-2] for box in others if box.contains(*p, pad=6))
            if best is None or hits < best[0]:
                best = (hits, p0, control, p1, points)
            if hits == 0:
                break
        _, p0, control, p1, points = best
        path = (f"M{p0[0]:.1f},{p0[1]:.1f} Q{control[0]:.1f},{control[1]:.1f} "
                f"{p1[0]:.1f},{p1[1]:.1f}")  # fmt: skip
        return Route(edge, path, points, _normals(points))


def _label_box(route: Route, text: str, taken: list[Box]) -> Box:
    """A free spot for the label along its edge (the least crowded one if none is free)."""
    w = len(text) * CHAR_W + 6
    best = None
    n = len(route.points) - 1
    for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85):
        i = round(t * n)
        (x, y), (nx, ny) = route.points[i], route.normal[i]
        for off in (0, 10, -10, 20, -20, 30, -30):
            box = Box(x + nx * off - w / 2, y + ny * off - LABEL_H / 2, w, LABEL_H)
            clash = sum(1 for other in taken if box.overlaps(other, pad=2))
            if clash == 0:
                return box
            if best is None or clash < best[0]:
                best = (clash, box)
    return best[1]


# -- drawing ------------------------------------------------------------------------------------


def _markers(keys: set[str]) -> list[str]:
    out = ["<defs>"]
    for key in sorted(keys):
        colour = STYLES[key].colour
        out.append(f'<marker id="arrow-{key}" viewBox="0 0 10 10" refX="9" refY="5" '
                   f'markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" '
                   f'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')  # fmt: skip
    out.append("</defs>")
    return out


def _wrap(text: str, chars: int) -> list[str]:
    """Break a long caption line at spaces, or after a comma (a schedule `0.p1.x=1,0.w1,...`
    has no spaces); each piece keeps what stood before it, a space or nothing, so a line put
    back together is the text (a caption read "candidate,yet" for "candidate, yet")."""
    lines, line = [], ""
    for gap, word in re.findall(r"(\s*)([^\s,]*,|[^\s,]+)", text):
        joined = f"{line}{' ' if gap else ''}{word}" if line else word
        if line and len(joined) > chars:
            lines.append(line)
            line = word
        else:
            line = joined
    if line:
        lines.append(line)
    return lines


def render_svg(graph: ExecutionGraph) -> str:
    lay = layout(graph)
    source = not graph.target
    cycle_ids = {id(e) for e in graph.cycle.edges} if graph.cycle else set()
    router = _Router(graph, lay)
    taken: list[Box] = list(lay.boxes.values())
    # thread headers are text: keep labels off them
    for cx in lay.columns:
        taken.append(Box(cx - 40, lay.header_y - 14, 80, 18))
    # route in a stable order: po first (straight), then the rest by relation
    order = sorted(range(len(graph.edges)),
                   key=lambda i: (graph.edges[i].rel != "po", graph.edges[i].rel, i))  # fmt: skip
    routes: list[tuple[Route, Box | None]] = []
    seen_pairs: dict[frozenset, int] = {}
    for i in order:
        e = graph.edges[i]
        pair = frozenset((e.src, e.dst))
        parallel = seen_pairs.get(pair, 0)
        seen_pairs[pair] = parallel + 1
        route = router.route(e, parallel)
        label_box = None
        if not (e.rel == "po" and e.text == "po") or id(e) in cycle_ids:
            label_box = _label_box(route, e.text, taken)
            taken.append(label_box)
        routes.append((route, label_box))

    # legend and captions under the graph
    keys = {style_key(e.rel, e.weak) for e in graph.edges}
    legend_items = [(k, meaning(k, source)) for k in STYLES if k in keys]
    legend_lines: list[list[tuple[str, str]]] = [[]]
    x = 0.0
    avail = lay.width - 2 * 30
    for key, words in legend_items:
        w = 44 + len(words) * CHAR_W + 18
        if legend_lines[-1] and x + w > avail:
            legend_lines.append([])
            x = 0.0
        legend_lines[-1].append((key, words))
        x += w
    captions: list[tuple[str, str]] = []  # (text, style)
    chars = int(avail / (CHAR_W * 1.15))  # captions are bold or italic: wider
    if graph.cycle is not None:
        head = f"Forbidden by {graph.cycle.axiom} ({graph.cycle.rule}): "
        for k, line in enumerate(_wrap(head + graph.cycle.describe(graph), chars)):
            captions.append((line, "bold" if k == 0 else ""))
    elif graph.allowed:
        captions.append((f"Allowed: an execution {graph.model} reaches.", "bold"))
    for note in graph.notes:
        captions.extend((line, "italic") for line in _wrap(note, chars))
    if graph.witness:
        what = graph.witness if graph.witness.startswith("candidate") else (
            ("schedule " if graph.target else "execution ") + graph.witness)
        captions.extend((line, "mono") for line in _wrap("witness: " + what, int(avail / 6.2)))
    legend_top = lay.height + 6
    height = legend_top + 24 * len(legend_lines) + 10 + 18 * len(captions) + 16

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width:.0f}" '
           f'height="{height:.0f}" viewBox="0 0 {lay.width:.0f} {height:.0f}" '
           f'font-family="{FONT}" data-test={quoteattr(graph.test)} '
           f'data-model={quoteattr(graph.model)} data-target={quoteattr(graph.target)} '
           f'data-outcome={quoteattr(graph.outcome)} data-verdict="{graph.verdict}" '
           f'data-axiom={quoteattr(graph.cycle.axiom if graph.cycle else "")}>',
           f"<title>{escape(graph.title)}</title>",
           '<rect width="100%" height="100%" fill="#ffffff"/>']  # fmt: skip
    out += _markers({style_key(e.rel, e.weak) for e in graph.edges})
    out.append(f'<text x="{MARGIN_TITLE}" y="28" font-size="15" font-weight="bold">'
               f"{escape(graph.title)}</text>")  # fmt: skip
    for t, cx in enumerate(lay.columns):
        name = graph.threads[t] if t < len(graph.threads) else f"P{t}"
        out.append(f'<text x="{cx:.1f}" y="{lay.header_y:.1f}" font-size="13" '
                   f'font-weight="bold" text-anchor="middle">{escape(name)}</text>')  # fmt: skip
    # the cycle's band first, under everything
    for route, _ in routes:
        if id(route.edge) in cycle_ids:
            out.append(f'<path d="{route.path}" fill="none" stroke="{CYCLE_BAND}" '
                       'stroke-width="9" stroke-opacity="0.6" stroke-linecap="round"/>')  # fmt: skip
    names = graph.names
    for route, _ in routes:
        e = route.edge
        key = style_key(e.rel, e.weak)
        st = style_of(e.rel, e.weak)
        in_cycle = id(e) in cycle_ids
        dash = f' stroke-dasharray="{st.dash}"' if st.dash else ""
        width = st.width + (0.6 if in_cycle else 0)
        out.append(f'<g class="edge" data-rel="{e.rel}" data-label={quoteattr(e.text)} '
                   f"data-src={quoteattr(names[e.src])} data-dst={quoteattr(names[e.dst])} "
                   f'data-weak="{int(e.weak)}" data-cycle="{int(in_cycle)}">')  # fmt: skip
        out.append(f'<path d="{route.path}" fill="none" stroke="{st.colour}" '
                   f'stroke-width="{width:.1f}"{dash} marker-end="url(#arrow-{key})"/>')  # fmt: skip
        out.append("</g>")
    for route, box in routes:  # labels over every line
        e = route.edge
        st = style_of(e.rel, e.weak)
        in_cycle = id(e) in cycle_ids
        if box is not None:
            out.append(f'<g class="edge-label" data-src={quoteattr(names[e.src])} '
                       f"data-dst={quoteattr(names[e.dst])} data-label={quoteattr(e.text)}>")  # fmt: skip
            weight = ' font-weight="bold"' if in_cycle else ""
            out.append(f'<rect class="label" x="{box.x:.1f}" y="{box.y:.1f}" '
                       f'width="{box.w:.1f}" height="{box.h:.1f}" rx="3" fill="#ffffff" '
                       f'fill-opacity="0.88"/>')  # fmt: skip
            out.append(f'<text x="{box.x + box.w / 2:.1f}" y="{box.y + 11:.1f}" '
                       f'font-size="11" text-anchor="middle" fill="{st.colour}"{weight}>'
                       f"{escape(e.text)}</text>")  # fmt: skip
            out.append("</g>")
    cycle_nodes = {n for e in graph.cycle.edges for n in (e.src, e.dst)} if graph.cycle else set()
    for node in graph.nodes:
        box = lay.boxes[node.id]
        stroke_w = 2.4 if node.id in cycle_nodes else 1.2
        fill = INIT_FILL if node.is_init else NODE_FILL
        dash = ' stroke-dasharray="3,2"' if node.is_init else ""
        full = " — ".join(x for x in (node.label, node.text, node.origin) if x)
        out.append(f'<g class="node" data-name={quoteattr(names[node.id])} '
                   f'data-tid="{node.tid}" data-index="{node.index}" data-kind="{node.kind}" '
                   f'data-loc={quoteattr(node.loc)} '
                   f'data-value="{"" if node.value is None else format_value(node.value)}">'
                   f"<title>{escape(full)}</title>")  # fmt: skip
        out.append(f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" '
                   f'height="{box.h:.1f}" rx="6" fill="{fill}" stroke="{NODE_STROKE}" '
                   f'stroke-width="{stroke_w}"{dash}/>')  # fmt: skip
        if node.is_init:
            out.append(f'<text x="{box.cx:.1f}" y="{box.y + 17:.1f}" font-size="12" '
                       f'text-anchor="middle">{escape(node.label)}</text>')  # fmt: skip
        else:
            for k, line in enumerate(node_lines(node, lay.text_chars)):
                y = box.y + 18 + 15 * k
                if k == 0:
                    out.append(f'<text x="{box.x + 8:.1f}" y="{y:.1f}" font-size="12.5" '
                               f'font-weight="bold">{escape(line)}</text>')  # fmt: skip
                else:
                    out.append(f'<text x="{box.x + 8:.1f}" y="{y:.1f}" font-size="10" '
                               f'font-family="{MONO}" fill="#555555">{escape(line)}</text>')  # fmt: skip
        out.append("</g>")
    # legend
    y = legend_top
    for line in legend_lines:
        x = 30.0
        for key, words in line:
            st = STYLES[key]
            dash = f' stroke-dasharray="{st.dash}"' if st.dash else ""
            out.append(f'<g class="legend-item" data-rel="{key}">'
                       f'<line x1="{x:.1f}" y1="{y + 8:.1f}" x2="{x + 34:.1f}" y2="{y + 8:.1f}" '
                       f'stroke="{st.colour}" stroke-width="{st.width + 0.4:.1f}"{dash} '
                       f'marker-end="url(#arrow-{key})"/>'
                       f'<text x="{x + 44:.1f}" y="{y + 12:.1f}" font-size="11.5">'
                       f"{escape(words)}</text></g>")  # fmt: skip
            x += 44 + len(words) * CHAR_W + 18
        y += 24
    y += 10
    for text, style in captions:
        attrs = {"bold": ' font-size="12.5" font-weight="bold"',
                 "italic": ' font-size="12.5" font-style="italic"',
                 "mono": f' font-size="11" font-family="{MONO}" fill="#555555"'}.get(
                     style, ' font-size="12.5"')  # fmt: skip
        if graph.cycle is not None and style == "bold":
            out.append(f'<rect x="26" y="{y - 2:.1f}" width="{len(text) * CHAR_W + 10:.1f}" '
                       f'height="18" fill="{CYCLE_BAND}" fill-opacity="0.45" rx="3"/>')  # fmt: skip
        out.append(f'<text class="caption" x="30" y="{y + 12:.1f}"{attrs}>'
                   f"{escape(text)}</text>")  # fmt: skip
        y += 18
    out.append("</svg>")
    return "\n".join(out) + "\n"

