"""The TUI's graph pane: the current execution as a graph, redrawn at every step.

`g` on the machine screen swaps the memory pane for this one: the events each core has
executed so far in thread columns (program order down, `┆` where the model may reorder), then
rf, co, fr, dependencies and the model's own order (ARM's lob, x86-TSO's ppo), as
fencelab/report/graph_text.py prints them. rf and co come from the model's own report of each
step (fencelab/graph/trace.py), so they are exactly the ones of the execution being stepped.
"""

from __future__ import annotations

from rich.text import Text

from fencelab.errors import FencelabError
from fencelab.tui.session import Session
from fencelab.tui.widgets import ScrollPane


def graph_text(session: Session) -> list[Text]:
    from fencelab.graph.api import partial_graph
    from fencelab.report.graph_text import graph_lines

    final = session.final_summary()
    walk = session.walk
    try:
        graph = partial_graph(session.machine, walk.states, walk.taken,
                              final[0] if final else "")  # fmt: skip
    except FencelabError as e:
        return [Text(str(e), style="italic")]
    if not walk.taken:
        return [Text("no step yet: the graph grows as you step", style="dim")]
    lines = graph_lines(graph)
    for line in lines:  # a thread's column stays one column: where they do not fit, the pane
        line.no_wrap = True  # scrolls sideways (its width: `GraphPane`; `auto` is the pane's)
    return lines


class GraphPane(ScrollPane):
    """The execution so far as an execution graph (toggled with `g`)."""

    def refresh_from(self, session: Session) -> None:
        steps = session.steps
        self.border_title = f"execution graph ({session.model}, {steps} steps)"
        lines = graph_text(session)
        drawn = bool(lines) and all(line.no_wrap for line in lines)  # (a message wraps)
        self.body.styles.width = max(line.cell_len for line in lines) if drawn else "auto"
        self.show(lines)
