"""Where an execution graph's events go: one column per thread, program order down.

The layout is fixed, as in herd7's and the RC11 paper's figures, so it needs no graph-layout
tool: thread t's k-th event is at column t, row k; the initial writes sit in a row above, each
over the threads that use its location. SVG (fencelab/report/svg.py) and DOT (dot.py) share it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fencelab.graph.model import ExecutionGraph, Node

CHAR_W = 6.4  # width of a character of the 11-12px sans-serif labels (generous)
MONO_W = 6.1  # width of a character of the 10px monospace instruction text
MARGIN = 70
TITLE_H = 44
INIT_H = 26
COL_GAP = 150  # between two columns' boxes: room for cross-thread arrows and their labels
ROW_GAP = 50


@dataclass(frozen=True)
class Box:
    x: float  # top-left
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def overlaps(self, other: Box, pad: float = 0.0) -> bool:
        return not (self.x + self.w + pad <= other.x or other.x + other.w + pad <= self.x
                    or self.y + self.h + pad <= other.y or other.y + other.h + pad <= self.y)  # fmt: skip

    def contains(self, x: float, y: float, pad: float = 0.0) -> bool:
        return (self.x - pad <= x <= self.x + self.w + pad
                and self.y - pad <= y <= self.y + self.h + pad)  # fmt: skip


@dataclass
class Layout:
    width: float
    height: float  # of the graph part (legend and captions go below)
    boxes: dict[int, Box]
    columns: list[float]  # x of each thread column's centre
    header_y: float
    node_w: float
    node_h: float
    text_chars: int  # characters of instruction text that fit in a box


def node_lines(node: Node, chars: int) -> list[str]:
    """The box's lines: the event, the instruction, the source op (compiled tests)."""
    lines = [node.label]
    for text in (node.text if node.kind != "F" else "", node.origin):
        if text:
            lines.append(text if len(text) <= chars else text[: chars - 1] + "…")
    return lines


def layout(graph: ExecutionGraph) -> Layout:
    threads = max([len(graph.threads)] + [n.tid + 1 for n in graph.nodes])
    events = [n for n in graph.nodes if not n.is_init]
    widest = max([len(n.label) * CHAR_W + 20 for n in events]
                 + [len(n.text) * MONO_W + 16 for n in events if n.kind != "F"]
                 + [len(n.origin) * MONO_W + 16 for n in events] + [150])  # fmt: skip
    node_w = min(max(widest, 150), 250)
    text_chars = int((node_w - 12) / MONO_W)
    lines = max([len(node_lines(n, text_chars)) for n in events] + [1])
    node_h = 12 + 15 * lines
    pitch = node_w + COL_GAP
    columns = [MARGIN + node_w / 2 + t * pitch for t in range(threads)]
    width = 2 * MARGIN + threads * node_w + (threads - 1) * COL_GAP
    inits = [n for n in graph.nodes if n.is_init]
    boxes: dict[int, Box] = {}
    y = TITLE_H
    if inits:
        y += 8
        # each initial write over the threads its edges go to (the readers of it), in order
        near: dict[int, list[int]] = {n.id: [] for n in inits}
        for e in graph.edges:
            for a, b in ((e.src, e.dst), (e.dst, e.src)):
                if a in near and not graph.nodes[b].is_init:
                    near[a].append(graph.nodes[b].tid)
        inits.sort(key=lambda n: (sum(near[n.id]) / len(near[n.id]) if near[n.id] else 0,
                                  n.index))  # fmt: skip
        span_lo, span_hi = columns[0], columns[-1]
        for k, n in enumerate(inits):
            w = len(n.label) * CHAR_W + 18
            if len(inits) == 1:
                cx = (span_lo + span_hi) / 2
            else:
                cx = span_lo + (span_hi - span_lo) * k / (len(inits) - 1)
            boxes[n.id] = Box(cx - w / 2, y, w, INIT_H)
        y += INIT_H + 56
    header_y = y
    top = y + 14
    for n in events:
        boxes[n.id] = Box(columns[n.tid] - node_w / 2, top + n.index * (node_h + ROW_GAP),
                          node_w, node_h)  # fmt: skip
    rows = max([n.index + 1 for n in events] + [1])
    height = top + rows * (node_h + ROW_GAP)
    return Layout(width, height, boxes, columns, header_y, node_w, node_h, text_chars)
