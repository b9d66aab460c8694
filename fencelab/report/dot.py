"""An execution graph in graphviz's DOT language, for people who draw with graphviz.

Node positions are the fixed column layout (fencelab/report/graph_layout.py), pinned with
`pos="x,y!"` as herd7's own DOT output does, so `neato -n2 -Tsvg` keeps herd's picture;
`dot` ignores them and lays the threads out as clusters. Colours and styles are those of the
SVG; the forbidding cycle's edges are drawn bold with an amber halo colour list.
"""

from __future__ import annotations

from fencelab.graph.model import ExecutionGraph
from fencelab.report.graph_layout import layout
from fencelab.report.graph_style import CYCLE_BAND, INIT_FILL, NODE_FILL, style_key, style_of


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(graph: ExecutionGraph) -> str:
    lay = layout(graph)
    names = graph.names
    cycle = {id(e) for e in graph.cycle.edges} if graph.cycle else set()
    out = [f"digraph {_q(graph.test)} {{",
           f"  label={_q(graph.title)}; labelloc=t; fontname=Helvetica;",
           "  splines=true; node [shape=box, style=\"rounded,filled\", fontname=Helvetica, "
           "fontsize=11]; edge [fontname=Helvetica, fontsize=10];"]  # fmt: skip
    inits = [n for n in graph.nodes if n.is_init]
    for n in inits:
        box = lay.boxes[n.id]
        out.append(f"  n{n.id} [label={_q(n.label)}, fillcolor={_q(INIT_FILL)}, "
                   f"style=\"rounded,filled,dashed\", pos=\"{box.cx:.0f},{-box.cy:.0f}!\"];")  # fmt: skip
    for t, name in enumerate(graph.threads):
        out.append(f"  subgraph cluster_{t} {{ label={_q(name)}; color=white;")
        for n in graph.nodes:
            if n.tid != t:
                continue
            box = lay.boxes[n.id]
            lines = "\\n".join(_q(x)[1:-1] for x in (n.label, n.text if n.kind != "F" else "",
                                                   n.origin) if x)  # fmt: skip
            out.append(f"    n{n.id} [label=\"{lines}\", fillcolor={_q(NODE_FILL)}, "
                       f"pos=\"{box.cx:.0f},{-box.cy:.0f}!\"];")  # fmt: skip
        out.append("  }")
    for e in graph.edges:
        st = style_of(e.rel, e.weak)
        attrs = [f"color={_q(st.colour)}", f"fontcolor={_q(st.colour)}"]
        if not (e.rel == "po" and e.text == "po"):
            attrs.append(f"label={_q(e.text)}")
        if st.dash:
            attrs.append("style=dashed")
        if e.rel != "po":
            attrs.append("constraint=false")
        else:
            attrs.append("weight=10")
        if id(e) in cycle:
            attrs += ["penwidth=2.5", f"color=\"{st.colour}:{CYCLE_BAND}:{st.colour}\""]
            attrs = [a for a in attrs if not a.startswith("color=") or ":" in a]
        out.append(f"  n{e.src} -> n{e.dst} [{', '.join(attrs)}]; "
                   f"// {names[e.src]} {e.text} {names[e.dst]} ({style_key(e.rel, e.weak)})")  # fmt: skip
    if graph.cycle is not None:
        words = f"forbidden by {graph.cycle.axiom} ({graph.cycle.rule}): "
        out.append(f"  // {words}{graph.cycle.describe(graph)}")
    if graph.witness:
        out.append(f"  // witness: {graph.witness}")
    out.append("}")
    return "\n".join(out) + "\n"
