"""Execution graphs of the hardware models: from a witness schedule, or from a candidate.

`witness_execution` turns a trace (fencelab/graph/trace.py) into an axiomatic `Execution`:
each thread is re-run on its Unicorn core along exactly the steps the witness took (the same
values read, the same store-exclusive successes) by the axiomatic event builder
(fencelab/models/axiomatic/events.py), which gives the events and their dependencies; the
trace's rf and co connect them. `graph_of` draws an `Execution` under a model's `View`:
events and po, rf / co / fr, rmw, dependencies, the model's local order where po alone does
not show it, and a violated axiom's cycle.
"""

from __future__ import annotations

from fencelab.graph.model import Cycle, Edge, ExecutionGraph, Node
from fencelab.graph.trace import Trace
from fencelab.graph.views import View, Violation
from fencelab.isa.insn import Kind
from fencelab.litmus.printer import event_names
from fencelab.models.axiomatic.candidates import Execution, Skeleton
from fencelab.models.axiomatic.events import PathExplorer, _Builder
from fencelab.models.relations import Rel, bits, from_pairs, has, pairs, plus

# the relation (colour) of an edge by its label, for labels that are clauses of a model
_DEPENDENCIES = ("addr", "data", "ctrl")


class _Guided(PathExplorer):
    """The event builder, made to follow the steps one execution took."""

    def __init__(self, program, trace: Trace, register_deps: bool = False):
        super().__init__(program, budget=1 << 30, register_deps=register_deps)
        self.trace = trace

    def _explore(self, tid, core, state, b: _Builder, values, out) -> None:
        if b.steps >= len(self.trace.steps[tid]):  # the trace ends here (the TUI, mid-run)
            out.append(b.path(tid, state))
            return
        super()._explore(tid, core, state, b, values, out)

    def _options(self, tid, core, state, b: _Builder, info, values):
        want = self.trace.steps[tid][b.steps]
        if info.kind is Kind.STORE_EXCL:  # the builder's own success / failure bookkeeping
            options = super()._options(tid, core, state, b, info, values)
            return [o for o in options if bool(o[0].writes) == bool(want.writes)]
        reads = tuple(a.value for a in want.reads)
        return [(self._finish(core, state, reads), b.copy(), reads)]


def witness_execution(program, trace: Trace, register_deps: bool = False) -> Execution:
    """The execution the trace records, as the axiomatic checker sees executions (with herd's
    register-only dependencies for arm.cat: `register_deps`)."""
    explorer = _Guided(program, trace, register_deps)
    paths = []
    for thread in program.threads:
        found = explorer.thread_paths(thread.tid, {})
        paths.append(found[0])  # a CAS gives two data provenances of its result: the first
    sk = Skeleton.build(program, tuple(paths))
    write_event: dict[tuple[int, int], int] = {(-1, loc.index): loc.index
                                               for loc in program.locations}  # fmt: skip
    read_event: dict[tuple[int, int], int] = {}
    base = len(program.locations)
    for path in paths:
        r = w = 0
        for i, e in enumerate(path.events):
            if e.kind == "R":
                read_event[(path.tid, r)] = base + i
                r += 1
            elif e.kind == "W":
                write_event[(path.tid, w)] = base + i
                w += 1
        base += len(path.events)
    rf = from_pairs(sk.n, ((write_event[wid], read_event[rid]) for rid, wid in trace.rf.items()
                           if wid is not None and rid in read_event and wid in write_event))
    co = [0] * sk.n
    for chain in trace.co.values():
        later = 0
        for w in reversed([write_event[w] for w in chain if w in write_event]):
            co[w] |= later
            later |= 1 << w
    return Execution(sk, rf, co)


# -- drawing an Execution ---------------------------------------------------------------------


def _annot(e) -> str:
    marks = []
    if e.acquire:
        marks.append("A")
    if e.acquire_pc:
        marks.append("Q")
    if e.release:
        marks.append("L")
    if e.info is not None and e.info.kind in (Kind.LOAD_EXCL, Kind.STORE_EXCL):
        marks.append("X")
    return ",".join(marks)


def _texts(program, e) -> tuple[str, str]:
    """The instruction as the test writes it, and (compiled tests) the source op and line."""
    if e.info is None:
        return "", ""
    thread = program.threads[e.tid]
    line = thread.lines.get(e.info.address)
    text = line.text if line is not None else e.info.text
    origin = ""
    info = program.test.origin
    if info is not None and line is not None:
        op = info.ops.get((e.tid, line.row))
        if op is not None:
            origin = f"{op.what} (line {op.pos.line})" if op.pos.line else op.what
    return text, origin


def nodes_of(program, sk: Skeleton) -> list[Node]:
    names = iter(event_names(sum(1 for e in sk.events if e.tid >= 0)))
    nodes = []
    for i, e in enumerate(sk.events):
        if e.tid < 0:
            loc = program.locations[e.loc]
            nodes.append(Node(i, -1, e.loc, f"init {loc.name}", "W", loc.name,
                              program.typed(loc, loc.init, loc.width)))  # fmt: skip
            continue
        text, origin = _texts(program, e)
        loc = program.locations[e.loc] if e.loc is not None else None
        value = None
        if loc is not None:
            value = program.typed(loc, e.value, 8 * e.size)
        if e.kind == "F":
            text = text or (e.info.text if e.info else "")
        nodes.append(Node(i, e.tid, e.po, next(names), e.kind, loc.name if loc else "", value,
                          _annot(e), text, origin))  # fmt: skip
    return nodes


def rel_of(label: str, local_name: str) -> str:
    """The relation (hence colour) an edge label belongs to."""
    for rel in ("rf", "co", "fr"):
        if label in (rel, rel + "e", rel + "i"):
            return rel
    if label in ("po", "po-loc", "sb"):
        return "po"
    if label in ("rmw", *_DEPENDENCIES, "sw", "hb", "psc", "mo", "rb"):
        return {"mo": "co", "rb": "fr"}.get(label, label)
    if label == "haz-ob":
        return "ob"
    if label == "prop":  # arm.cat's propagation order
        return "prop"
    return local_name


def immediate(order: Rel) -> Rel:
    """The transitive reduction of a strict order (transitively closed)."""
    out = []
    for row in order:
        further = 0
        for c in bits(row):
            further |= order[c] & ~(1 << c)  # (a, b) stays unless a -> c -> b with c != b
        out.append(row & ~further)
    return out


def base_edges(x: Execution) -> list[Edge]:
    """po between neighbours, rf, immediate co and fr, rmw and the dependencies."""
    sk = x.sk
    ev = sk.events
    edges: list[Edge] = []
    by_thread: dict[int, list[int]] = {}
    for i, e in enumerate(ev):
        if e.tid >= 0:
            by_thread.setdefault(e.tid, []).append(i)
    for ids in by_thread.values():
        edges.extend(Edge(a, b, "po") for a, b in zip(ids, ids[1:]))

    def ext(a: int, b: int) -> str:
        return "e" if ev[a].tid != ev[b].tid else "i"

    edges.extend(Edge(w, r, "rf", "rf" + ext(w, r)) for w, r in pairs(x.rf))
    co1 = immediate(x.co)
    # the initial write is coherence-first by definition: like herd, do not draw its co edge
    edges.extend(Edge(a, b, "co", "co" + ext(a, b)) for a, b in pairs(co1) if ev[a].tid >= 0)
    source = {r: w for w, r in pairs(x.rf)}
    for r, w in pairs(x.fr):
        if r in source and has(co1, source[r], w):
            edges.append(Edge(r, w, "fr", "fr" + ext(r, w)))
    edges.extend(Edge(a, b, "rmw") for a, b in pairs(sk.rmw))
    edges.extend(Edge(a, b, "addr") for a, b in pairs(sk.addr))
    edges.extend(Edge(a, b, "data") for a, b in pairs(sk.data))
    # ctrl reaches every event after the branch: draw it to the first one only
    first_ctrl: dict[int, int] = {}
    for a, b in pairs(sk.ctrl):
        first_ctrl.setdefault(a, b)
    edges.extend(Edge(a, b, "ctrl") for a, b in sorted(first_ctrl.items()))
    return edges


def decide(edges: list[Edge], x: Execution, view: View) -> list[Edge]:
    """Mark po pairs the model does not keep (drawn dashed); add the model's local order
    where po neighbours and the other edges do not already show it."""
    ev = x.sk.events
    n = len(ev)
    local = view.local(x)
    ordered = plus(from_pairs(n, local))
    out = []
    for e in edges:
        across = _across(ev, e.src, e.dst) if e.rel == "po" else None
        if across is not None and not has(ordered, *across):
            e = Edge(e.src, e.dst, "po", "po", weak=True)
        out.append(e)
    drawn = {(e.src, e.dst) for e in out}
    po_kept = {(e.src, e.dst) for e in out if e.rel == "po" and not e.weak
               and ev[e.src].kind != "F" and ev[e.dst].kind != "F"}  # fmt: skip
    implied = plus(from_pairs(n, po_kept | {(e.src, e.dst) for e in out
                                            if e.rel in (*_DEPENDENCIES, "rmw")}))  # fmt: skip
    for a, b in pairs(immediate(ordered)):
        if (a, b) in drawn or has(implied, a, b):
            continue
        label = local.get((a, b), view.local_name)
        out.append(Edge(a, b, rel_of(label, view.local_name), label))
    return out


def _across(ev, a: int, b: int) -> tuple[int, int] | None:
    """The memory events a po step between a and b connects, looking past fences: the po
    edges around a fence are dashed when the accesses on either side are not kept in order."""
    while ev[a].kind == "F":
        a -= 1
        if a < 0 or ev[a].tid != ev[b].tid:
            return None
    while ev[b].kind == "F":
        b += 1
        if b >= len(ev) or ev[b].tid != ev[a].tid:
            return None
    return a, b


def with_cycle(edges: list[Edge], violation: Violation, local_name: str) -> tuple[list, Cycle]:
    """The cycle's edges, reusing drawn edges where they are the same pair and relation."""
    cycle = []
    for a, b, label in violation.edges:
        rel = rel_of(label, local_name)
        found = next((e for e in edges if (e.src, e.dst) == (a, b) and e.text == label), None)
        if found is None:
            same = next((i for i, e in enumerate(edges) if (e.src, e.dst) == (a, b)
                         and e.rel == rel), None)  # fmt: skip
            if same is None and rel == local_name:  # a kept po pair: name the clause on it
                same = next((i for i, e in enumerate(edges) if (e.src, e.dst) == (a, b)
                             and e.rel == "po" and not e.weak), None)  # fmt: skip
                rel = "po" if same is not None else rel
            found = Edge(a, b, rel, label)  # named as the axiom names it (po-loc, not po)
            if same is None:
                edges.append(found)
            else:
                edges[same] = found
        cycle.append(found)
    return edges, Cycle(violation.axiom, violation.rule, tuple(cycle))


def graph_of(
    program,
    x: Execution,
    view: View | None,
    *,
    model: str,
    outcome: str,
    allowed: bool,
    violation: Violation | None = None,
    witness: str = "",
) -> ExecutionGraph:
    edges = base_edges(x)
    if view is not None:
        edges = decide(edges, x, view)
    cycle = None
    if violation is not None:
        edges, cycle = with_cycle(edges, violation, view.local_name if view else "ob")
    threads = [t.name or f"P{t.tid}" for t in program.test.threads]
    return ExecutionGraph(program.test.name, model, program.target.name, outcome, allowed,
                          nodes_of(program, x.sk), edges, threads, cycle, witness)  # fmt: skip
