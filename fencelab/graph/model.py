"""The execution graph: what one execution of a litmus test did, and why it is (not) allowed.

An `ExecutionGraph` is what herd7 draws with `-show prop` and the RC11 paper draws in its
figures: the memory events of every thread in program order (one column per thread), the
initial writes, and labelled edges between them:

- `po` (program order, between neighbours), `rf`, `co`, `fr` (herd's names; RC11's `sb`, `mo`,
  `rb`), each internal or external (`rfi`/`rfe`, ...) as herd distinguishes them;
- `rmw` (the read and the write of one atomic read-modify-write, or an exclusive pair), the
  dependencies `addr`, `data`, `ctrl`;
- the relations the model decides with: ARM's locally-ordered-before (`lob`, part of `ob`),
  x86-TSO's `ppo`/`mfence`/`implied` (part of `ghb`), RC11's `sw` (in `hb`) and `psc`.

A graph is either an *allowed* execution (the witness of an outcome the model reaches) or a
*forbidden* candidate with `cycle` set: the axiom it breaks and the edges of the cycle that
breaks it. Graphs are plain data; fencelab/report/svg.py, dot.py and text.py draw them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fencelab.litmus.ast import LocRef
from fencelab.litmus.printer import format_value


@dataclass(frozen=True)
class Node:
    """One event. Initial writes have `tid` -1 and `index` the location's index."""

    id: int
    tid: int
    index: int  # position in its thread's program order
    name: str  # herd's event letter: a, b, c ... (`init x` for an initial write)
    kind: str  # R, W or F
    loc: str = ""
    value: int | LocRef | None = None  # a location's address when a pointer is stored
    annot: str = ""  # A, Q, L, X (hardware) / rlx, rel, acq, acq_rel, sc (source)
    text: str = ""  # the instruction or source operation that made it
    origin: str = ""  # compiled tests: the source operation and its line

    @property
    def is_init(self) -> bool:
        return self.tid < 0

    @property
    def label(self) -> str:
        """`a: W[L] x=1`, `c: F dmb sy`, `init x=0`."""
        if self.is_init:
            return f"init {self.loc}={format_value(self.value)}"
        annot = f"[{self.annot}]" if self.annot else ""
        if self.kind == "F":
            return f"{self.name}: F{annot} {self.text}".rstrip()
        return f"{self.name}: {self.kind}{annot} {self.loc}={format_value(self.value)}"


@dataclass(frozen=True)
class Edge:
    src: int
    dst: int
    rel: str  # po rf co fr rmw addr data ctrl lob ppo mfence implied sw hb psc ...
    label: str = ""  # as drawn: rfe, fri, dmb.full (defaults to rel)
    weak: bool = False  # a po pair the model does not keep in order (drawn dashed)

    @property
    def text(self) -> str:
        return self.label or self.rel


@dataclass(frozen=True)
class Cycle:
    """Why a candidate execution is forbidden: the axiom, in its cat spelling, and the edges
    of the cycle (or, for an emptiness axiom, of the pattern) that break it."""

    axiom: str  # the axiom's name: external, internal, atomic, tso, sc, coherence, ...
    rule: str  # what it says: `irreflexive ob`, `acyclic po | rf | co | fr`
    edges: tuple[Edge, ...]

    def describe(self, graph: ExecutionGraph) -> str:
        """`a -dmb.sy-> b -rfe-> c ...`: the cycle in words."""
        if not self.edges:
            return ""
        names = graph.names
        chains: list[list[str]] = []
        last = None
        for e in self.edges:
            if e.src != last:  # not a continuation (an emptiness axiom's pattern)
                chains.append([names[e.src]])
            chains[-1] += [f"-{e.text}->", names[e.dst]]
            last = e.dst
        return ", and ".join(" ".join(c) for c in chains)


@dataclass
class ExecutionGraph:
    test: str
    model: str  # the engine: arm, tso, sc, c11, rc11, sc-source
    target: str  # the ISA ("" for source models)
    outcome: str  # herd's spelling: `1:X0=1; 1:X2=0;`
    allowed: bool
    nodes: list[Node]
    edges: list[Edge]
    threads: list[str] = field(default_factory=list)  # column titles (P0, P1 ...)
    cycle: Cycle | None = None
    witness: str = ""  # the schedule (operational) or rf/co (axiomatic) it comes from
    notes: list[str] = field(default_factory=list)  # anything the picture should say
    scheme: str = ""  # a check's counterexample: the scheme that compiled it (in its file name)

    @property
    def names(self) -> dict[int, str]:
        return {n.id: (f"init {n.loc}" if n.is_init else n.name) for n in self.nodes}

    def node(self, nid: int) -> Node:
        return self.nodes[nid]

    def relation(self, rel: str) -> list[Edge]:
        return [e for e in self.edges if e.rel == rel]

    def external(self, edge: Edge) -> bool:
        """herd's `ext`: different threads (initial writes belong to none)."""
        a, b = self.nodes[edge.src], self.nodes[edge.dst]
        return a.tid != b.tid or a.is_init

    @property
    def verdict(self) -> str:
        return "allowed" if self.allowed else "forbidden"

    @property
    def title(self) -> str:
        where = f"{self.model} on {self.target}" if self.target else self.model
        return f"{self.test} ({where}): {self.outcome} {self.verdict}"




def with_ext(rel: str, external: bool) -> str:
    """rf -> rfe / rfi (and co, fr), as herd labels them."""
    return rel + ("e" if external else "i") if rel in ("rf", "co", "fr") else rel
