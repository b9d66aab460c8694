"""Execution graphs of the source models (rc11, c11, sc-source), as the RC11 paper draws them.

An allowed outcome is drawn from the consistent candidate execution the checker accepted
(fencelab/models/source/rc11.py keeps one per outcome); a forbidden one from the candidate
execution with that outcome that breaks the fewest axioms of rc11.cat, with the cycle:

    coherence     irreflexive hb; eco?        an hb path and an eco path back
    atomicity     empty rmw & (rb; mo)        an RMW's read, a write between, its write
    SC            acyclic psc                 psc edges, named sb / mo / rb / hb
    no-thin-air   acyclic sb | rf             (rc11 only)
    sc            acyclic sb | rf | mo | rb   (sc-source)

Forbidden outcomes are searched over every rf and mo (not only the coherent ones the checker
enumerates), so that a coherence or atomicity violation can be shown too. An RMW is one event
(U) for the checker and two in the picture: its read and its write, joined by `rmw`.
"""

from __future__ import annotations

import itertools
from collections import deque
from pathlib import Path

from fencelab.atomics import Order
from fencelab.graph.build import immediate, rel_of
from fencelab.graph.explain import best_candidate, explanation_notes
from fencelab.graph.model import Cycle, Edge, ExecutionGraph, Node
from fencelab.graph.views import Violation, shortest_cycle
from fencelab.litmus.conditions import Outcome
from fencelab.litmus.printer import format_state
from fencelab.models.relations import bits, pairs, plus
from fencelab.models.source.axioms import (
    derived,
    happens_before,
    psc,
    synchronises_with,
)
from fencelab.models.source.rc11 import (
    _AXIOMS,
    Candidates,
    _Enumerator,
    candidate_paths,
)

ORDER_NAMES = {Order.RELAXED: "rlx", Order.ACQUIRE: "acq", Order.RELEASE: "rel",
               Order.ACQ_REL: "acq_rel", Order.SEQ_CST: "sc"}  # fmt: skip

# which half of an RMW an edge of each relation leaves from / arrives at
_ENDS = {"rf": ("W", "R"), "mo": ("W", "W"), "rb": ("R", "W")}


def _bfs(succ: dict[int, list[tuple[int, str]]], start: int, goal: int):
    """A shortest path start -> goal as (src, dst, label) edges, or None."""
    parent: dict[int, tuple[int, str]] = {}
    queue = deque([start])
    seen = {start}
    while queue:
        node = queue.popleft()
        for nxt, label in succ.get(node, ()):
            if nxt in seen and nxt != goal:
                continue
            parent.setdefault(nxt, (node, label))
            if nxt == goal:
                path = []
                cur = goal
                while True:
                    prev, lab = parent[cur]
                    path.append((prev, cur, lab))
                    cur = prev
                    if cur == start:
                        return path[::-1]
            seen.add(nxt)
            queue.append(nxt)
    return None


def _hb_eco_hb(hb_succ, eco_succ, start: int, goal: int):
    """A shortest path start -> goal of the shape hb; eco?; hb? (what a psc edge between SC
    fences, or an hb edge, stands for), as (src, dst, label) edges."""
    parent: dict[tuple[int, int], tuple[tuple[int, int], str]] = {}
    queue = deque([(start, 0)])
    seen = {(start, 0)}
    while queue:
        node, phase = queue.popleft()
        moves = [(n, lab, phase if phase != 1 else 2) for n, lab in hb_succ.get(node, ())]
        if phase < 2:
            moves += [(n, lab, 1) for n, lab in eco_succ.get(node, ()) if phase == 1 or node != start]
        for nxt, label, nphase in moves:
            state = (nxt, nphase)
            if state in seen:
                continue
            seen.add(state)
            parent[state] = ((node, phase), label)
            if nxt == goal and nphase != 1:
                path, cur = [], state
                while cur != (start, 0):
                    prev, lab = parent[cur]
                    path.append((prev[0], cur[0], lab))
                    cur = prev
                return path[::-1]
            queue.append(state)
    return None


def _succ(*named: tuple[str, set[tuple[int, int]]]) -> dict[int, list[tuple[int, str]]]:
    out: dict[int, list[tuple[int, str]]] = {}
    for label, rel in named:
        for a, b in sorted(rel):
            out.setdefault(a, []).append((b, label))
    return out


def _atomicity(st, rb, mo) -> list[Violation]:
    """empty rmw & (rb; mo): a write between an RMW's read and its write."""
    for u in bits(st.updates):
        for w in bits(rb[u]):
            if (mo[w] >> u) & 1:
                return [Violation("atomicity", "empty rmw & (rb; mo)",
                                  ((u, w, "rb"), (w, u, "mo")))]  # fmt: skip
    return []


def violations(model: str, space: Candidates, pick) -> list[Violation]:
    """The axioms of `model` ("rc11", "c11" or "sc") this candidate breaks, with cycles."""
    st = space.static
    rf, mo, rf_src = space.relations(pick)
    rb = derived(st, rf, mo, rf_src)
    tids = space.tids

    def ext(label: str, a: int, b: int) -> str:
        if label != "rf":
            return label
        return "rfe" if tids[a] != tids[b] or tids[a] < 0 else "rfi"

    sb1 = set(pairs(immediate(st.sb)))
    rf_p, mo_p, rb_p = set(pairs(rf)), set(pairs(mo)), set(pairs(rb))
    found: list[Violation] = []
    if model == "sc":
        found.extend(_atomicity(st, rb, mo))
        labelled = {}
        for label, rel in (("sb", set(pairs(st.sb))), ("rf", rf_p), ("mo", mo_p), ("rb", rb_p)):
            for a, b in rel:
                labelled.setdefault((a, b), ext(label, a, b))
        cycle = shortest_cycle(labelled)
        if cycle:
            found.append(Violation("sc", "acyclic sb | rf | mo | rb", cycle))
        return found
    sw = synchronises_with(st, rf)
    hb = happens_before(st, rf)
    eco = plus([rf[i] | mo[i] | rb[i] for i in range(st.n)])
    # coherence: irreflexive hb; eco?
    hb_succ = _succ(("sb", sb1), ("sw", set(pairs(sw))))
    eco_succ = _succ(("rf", rf_p), ("mo", mo_p), ("rb", rb_p))
    best = None
    for a in range(st.n):
        for b in bits(hb[a]):
            if a != b and not (eco[b] >> a) & 1:
                continue
            there = _bfs(hb_succ, a, b)
            back = [] if a == b else _bfs(eco_succ, b, a)
            if there is None or back is None:
                continue
            cycle = tuple((s, d, ext(lab, s, d)) for s, d, lab in there + back)
            if best is None or len(cycle) < len(best):
                best = cycle
    if best is not None:
        found.append(Violation("coherence", "irreflexive hb; eco?", best))
    found.extend(_atomicity(st, rb, mo))
    # SC: acyclic psc
    if st.sc_events:
        rows = psc(st, hb, mo, rb, eco)
        sbl = set(pairs(st.sb))
        labelled = {}
        for a, b in pairs(rows):
            for label, rel in (("sb", sbl), ("mo", mo_p), ("rb", rb_p), ("hb", set(pairs(hb)))):
                if (a, b) in rel:
                    labelled[(a, b)] = label
                    break
            else:
                labelled[(a, b)] = "psc"
        cycle = shortest_cycle(labelled)
        if cycle:
            steps = []  # an hb or fence psc edge, spelt out as its sb / sw / rf / mo / rb path
            for a, b, label in cycle:
                path = _hb_eco_hb(hb_succ, eco_succ, a, b) if label in ("hb", "psc") else None
                if path:
                    steps.extend((s, d, ext(lab, s, d)) for s, d, lab in path)
                else:
                    steps.append((a, b, label))
            found.append(Violation("SC", "acyclic psc", tuple(steps)))
    if model == "rc11":
        labelled = {(a, b): "sb" for a, b in sb1}
        for a, b in rf_p:
            labelled.setdefault((a, b), ext("rf", a, b))
        cycle = shortest_cycle(labelled)
        if cycle:
            found.append(Violation("no-thin-air", "acyclic sb | rf", cycle))
    return found


# -- drawing ----------------------------------------------------------------------------------


def _line_texts(test) -> list[str]:
    path = Path(test.file) if test.file else None
    if path is not None and path.is_file():
        return path.read_text(errors="replace").splitlines()
    return []


class _Drawing:
    """Nodes for one candidate's events (two per RMW) and edges between them."""

    def __init__(self, test, space: Candidates):
        self.space = space
        lines = _line_texts(test)
        names = space.names()
        self.nodes: list[Node] = []
        self.halves: list[dict[str, int]] = []  # event -> {"R": node, "W": node}
        position: dict[int, int] = {}
        for i in range(space.n):
            tid, kind, loc = space.tids[i], space.kinds[i], space.locs[i]
            annot = ORDER_NAMES.get(space.orders[i], "")
            line = space.lines[i]
            text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            if line:
                text = f"line {line}: {text}" if text else f"line {line}"
            halves = {}
            parts = [("R", space.rvals[i], names[i][0]), ("W", space.wvals[i], names[i][1])]
            if kind == "U":
                pass
            elif kind == "R":
                parts = parts[:1]
            elif kind == "W":
                parts = parts[1:]
            else:  # a fence
                parts = [("F", None, names[i][0])]
            for half, value, name in parts:
                nid = len(self.nodes)
                if tid < 0:
                    node = Node(nid, -1, self.space.enumerator.locations.index(loc),
                                name.replace(":", " "), "W", loc, value)  # fmt: skip
                else:
                    index = position.get(tid, 0)
                    position[tid] = index + 1
                    fence = half == "F"  # a fence's label is its kind: the line goes below
                    node = Node(nid, tid, index, name, half, "" if fence else loc, value, annot,
                                "" if fence else text, text if fence else "")  # fmt: skip
                self.nodes.append(node)
                halves[half] = nid
            halves.setdefault("R", halves.get("W", halves.get("F")))
            halves.setdefault("W", halves.get("R"))
            self.halves.append(halves)

    def edge(self, a: int, b: int, label: str) -> Edge:
        base = label[:2] if label in ("rfe", "rfi") else label
        src_half, dst_half = _ENDS.get(base, ("W", "R"))
        rel = {"sb": "po"}.get(label, rel_of(label, "psc"))
        return Edge(self.halves[a][src_half], self.halves[b][dst_half], rel, label)

    def edges(self, pick) -> list[Edge]:
        space = self.space
        st = space.static
        rf, mo, rf_src = space.relations(pick)
        rb = derived(st, rf, mo, rf_src)
        out: list[Edge] = []
        for i in range(space.n):  # sb between neighbours, rmw inside an RMW
            if space.kinds[i] == "U":
                out.append(Edge(self.halves[i]["R"], self.halves[i]["W"], "rmw"))
        for a, b in pairs(immediate(st.sb)):
            out.append(self.edge(a, b, "sb"))
        tids = space.tids
        for w, r in pairs(rf):
            out.append(self.edge(w, r, "rfe" if tids[w] != tids[r] or tids[w] < 0 else "rfi"))
        mo1 = set(pairs(immediate(mo)))
        for a, b in sorted(mo1):
            if tids[a] >= 0:  # the initial write is mo-first by definition: not drawn
                out.append(self.edge(a, b, "mo"))
        for r, w in pairs(rb):
            if (rf_src[r], w) in mo1:
                out.append(self.edge(r, w, "rb"))
        for a, b in pairs(synchronises_with(st, rf)):
            out.append(self.edge(a, b, "sw"))  # often alongside an rf: drawn as its own arc
        if st.sc_events:
            hb = happens_before(st, rf)
            eco = plus([rf[i] | mo[i] | rb[i] for i in range(st.n)])
            drawn = {(e.src, e.dst) for e in out}
            reach = _reach(out)
            for a, b in pairs(immediate(plus(psc(st, hb, mo, rb, eco)))):
                e = self.edge(a, b, "psc")
                if (e.src, e.dst) not in drawn and (e.src, e.dst) not in reach:
                    out.append(e)
        return out


def _reach(edges: list[Edge]) -> set[tuple[int, int]]:
    """Pairs already connected by the drawn sb / sw edges (psc edges they imply are left out)."""
    succ: dict[int, set[int]] = {}
    for e in edges:
        if e.rel in ("po", "sw", "rmw"):
            succ.setdefault(e.src, set()).add(e.dst)
    out = set()
    for start in succ:
        stack, seen = list(succ[start]), set()
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                stack.extend(succ.get(n, ()))
        out.update((start, n) for n in seen)
    return out


def graph_of(test, model: str, space: Candidates, pick, allowed: bool,
             violation: Violation | None = None) -> ExecutionGraph:  # fmt: skip
    drawing = _Drawing(test, space)
    edges = drawing.edges(pick)
    cycle = None
    if violation is not None:
        cycle_edges = []
        for a, b, label in violation.edges:
            e = drawing.edge(a, b, label)
            found = next((d for d in edges if (d.src, d.dst, d.text) == (e.src, e.dst, e.text)),
                         None)  # fmt: skip
            if found is None:
                edges.append(e)
                found = e
            cycle_edges.append(found)
        cycle = Cycle(violation.axiom, violation.rule, tuple(cycle_edges))
    outcome = space.outcome(pick)
    threads = [t.name or f"P{t.tid}" for t in test.threads]
    return ExecutionGraph(test.name, model, "", format_state(outcome, test.arch) if outcome else "",
                          allowed, drawing.nodes, edges, threads, cycle,
                          space.describe(pick))  # fmt: skip


def witness_graphs(test, model: str, budget: int = 40) -> dict[Outcome, ExecutionGraph]:
    """The graph of the execution the checker accepted, for every allowed outcome."""
    enumerator = _Enumerator(test, _AXIOMS[model])
    for combo in candidate_paths(test, model, budget):
        enumerator.judge(combo)
    return {o: graph_of(test, model, space, pick, True)
            for o, (space, pick) in enumerator.executions.items()}  # fmt: skip


def _all_picks(space: Candidates):
    """Every rf (a write of the value read, not the read itself) and every mo per location —
    incoherent ones too, so that coherence and atomicity can be shown broken."""
    per_loc = []
    for name in space.enumerator.locations:
        events = [i for i in range(space.n) if space.locs[i] == name]
        writes = [i for i in events if space.kinds[i] in ("W", "U")]
        reads = [i for i in events if space.kinds[i] in ("R", "U")]
        init, others = writes[0], writes[1:]
        sources = [[w for w in writes if space.wvals[w] == space.rvals[r] and w != r]
                   for r in reads]  # fmt: skip
        if any(not s for s in sources):
            return
        options = []
        for order in itertools.permutations(others):
            for choice in itertools.product(*sources):
                options.append((tuple(zip(reads, choice)), [init, *order]))
        per_loc.append(options)
    yield from itertools.product(*per_loc)


def explain_source(test, model: str, matches, budget: int = 40, seeds: tuple[int, ...] = (),
                   missed: str = "") -> ExecutionGraph | None:  # fmt: skip
    """The forbidding cycle of an outcome (`matches(outcome)` picks it) under a source model;
    `seeds` are values to try reading besides those written (the outcome's: thin air);
    `missed`: why the run that did not reach it may simply have missed it (`explanation_notes`)."""
    axioms = _AXIOMS[model]
    enumerator = _Enumerator(test, axioms)

    def candidates():
        for combo in candidate_paths(test, model, budget, seeds=seeds, coherent_reads=False):
            if not all(p.complete for p in combo):
                continue
            space = Candidates(enumerator, combo)
            for pick in _all_picks(space):
                outcome = space.outcome(pick)
                if outcome is not None and matches(outcome):
                    yield (space, pick), violations(axioms, space, pick)

    found = best_candidate(candidates())
    if found is None:
        return None
    (space, pick), broken, cut = found
    graph = graph_of(test, model, space, pick, not broken, broken[0] if broken else None)
    graph.witness = "candidate execution: " + space.describe(pick)
    explanation_notes(graph, broken, cut, missed)
    return graph
