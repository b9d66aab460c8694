"""diy7-style litmus tests: critical cycles of relaxations, laid out and named as diy7 does.

A test is a cycle of edges (diy's relaxations) between memory accesses:
- communications between threads: `Rfe` (W to a R that reads it), `Fre` (R to a W coherence-after
  what it read), `Wse` (W to a coherence-later W); the same inside a thread: `Rfi`, `Fri`, `Wsi`;
- program order inside a thread: `Pod**`/`Pos**` (different/same location), `Fenced**` with
  the family's fences (`MFencedWR`, `DMB.SYdWW`, `DMBdRW`, `FenceScdWR`), dependencies from a
  read for AArch64 and ARM (`DpAddrdR`, `DpDatadW`, `DpCtrldW`, `DpCtrlIsbdR`), and an atomic
  read-modify-write where diy has one in a single instruction (`Rmw`: x86 `xchg`, C
  `atomic_exchange_explicit`; `Amo.Swp`: AArch64 `SWP`). C accesses carry memory orders and
  AArch64 accesses may be acquire/release (`PodWWPL`: a plain store then an `STLR`), as diy's
  atoms.

`generate(family, seed)` draws a random valid cycle of 2-4 threads (deterministic from the
seed; at most 6 accesses, diy7's default `-size`) and writes it as diy7 would: the cycle
normalised (its first thread by diy's order of thread shapes, normaliser.ml), the family name from the shapes (`MP`, `SB`, `LB`, `S`, `R`,
`2+2W`, `WRC`, `ISA2`, `IRIW`, `Z6.3`, ...), one name part per thread from its internal edges
(namer.ml: `po`, `dmb.sy`, `addr`, `rfi-po`, `s` when all threads agree: `SB+mfences`),
locations x, y, z, ... in cycle order, fresh values in coherence order, and the final condition
the cycle's own outcome: every read's value and the last value of each location written twice.
`parse_cycle(family, "PodWR Fre PodWR Fre")` reads a cycle in diy's edge syntax (what `diyone7`
takes). The layout follows herd's catalogue tests (`tests/data/herd/x86`, `aarch64-catalogue`,
`arm/A025.litmus`) so herd7 reads them.

Limits: a location is written at most twice (its final value then fixes coherence, as diy's
default observation does) and every read is next to a communication (its value is fixed by the
cycle); ARM has no `Rmw` (diy's LDREX/STREX pair needs a loop or a status check), C has no
dependencies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

FAMILIES = ("x86_64", "AArch64", "ARM", "C")
LOCS = ("x", "y", "z", "a", "b", "c", "d", "e")
THREADS = (2, 2, 2, 3, 3, 4)
INTERNALS = (0, 1, 1, 1, 1, 2)  # internal edges a thread has (0: one access)
MAX_EDGES = 6  # accesses in a cycle: diy7 -size (default 6; -nprocs 4 keeps 2-4 threads)

# ------------------------------------------------------------------------------------------
# edges


@dataclass(frozen=True)
class Edge:
    kind: str  # Rf Fr Ws (communications), Po, Fenced, Dp, Rmw
    src: str  # "R" or "W"
    dst: str
    ext: bool = False  # a communication between threads
    same: bool = True  # the next access is to the same location
    fence: str = ""  # Fenced: as diy spells it (MFence, DMB.SY, DMB, FenceSc)
    dp: str = ""  # Dp: Addr Data Ctrl CtrlIsb
    rmw: str = ""  # Rmw: Rmw or Amo.Swp
    a1: str | None = None  # atoms: the source's and the target's (diy's a1, a2)
    a2: str | None = None

    @property
    def com(self) -> bool:
        return self.kind in ("Rf", "Fr", "Ws")

    def pp(self) -> str:
        """diy's spelling (`PodWR`, `Rfe`, `DMB.SYdWW`, `DpAddrdR`, `PodWWPL`)."""
        sd = "s" if self.same else "d"
        if self.com:
            text = self.kind + ("e" if self.ext else "i")
        elif self.kind == "Rmw":
            text = self.rmw
        elif self.kind == "Po":
            text = f"Po{sd}{self.src}{self.dst}"
        elif self.kind == "Fenced":
            text = f"{self.fence}{sd}{self.src}{self.dst}"
        else:
            text = f"Dp{self.dp}{sd}{self.dst}"
        if self.a1 is None and self.a2 is None:
            return text
        return text + (self.a1 or "P") + (self.a2 or "P")

    def name(self) -> str:
        """The edge's part of a test name (namer.ml, edge_name)."""
        s = "s" if self.same else ""
        if self.kind == "Po":
            return "pos" if self.same else "po"
        if self.kind == "Fenced":
            return self.fence.lower() + s
        if self.kind == "Dp":
            return self.dp.lower() + s
        if self.kind == "Rmw":
            return self.rmw.lower()
        return self.kind.lower() + ("e" if self.ext else "i")


def _ambiguous_target(e: Edge) -> bool:
    return e.kind in ("Po", "Fenced", "Dp")


def _ambiguous_source(e: Edge) -> bool:
    return e.kind in ("Po", "Fenced")


def com_edge(src: str, dst: str) -> Edge | None:
    """The communication between threads from an access of `src` to one of `dst`."""
    kind = {("W", "R"): "Rf", ("R", "W"): "Fr", ("W", "W"): "Ws"}.get((src, dst))
    return Edge(kind, src, dst, ext=True) if kind else None


# ------------------------------------------------------------------------------------------
# families: their internal relaxations, atoms and layout


@dataclass(frozen=True)
class Family:
    arch: str
    fences: tuple[str, ...]
    deps: tuple[str, ...] = ()
    rmw: str = ""
    read_atoms: tuple[str | None, ...] = (None,)
    write_atoms: tuple[str | None, ...] = (None,)


SPEC = {
    "x86_64": Family("X86_64", ("MFence",), rmw="Rmw"),
    "AArch64": Family("AArch64", ("DMB.SY", "DMB.LD", "DMB.ST"), ("Addr", "Data", "Ctrl", "CtrlIsb"),
                      "Amo.Swp", (None,) * 5 + ("A",), (None,) * 5 + ("L",)),
    "ARM": Family("ARM", ("DMB", "DSB", "DMB.ST"), ("Addr", "Data", "Ctrl", "CtrlIsb")),
    "C": Family("C", ("FenceSc", "FenceAcq", "FenceRel", "FenceAR"), rmw="Rmw",
                read_atoms=("Rlx", "Rlx", "Acq", "Sc"), write_atoms=("Rlx", "Rlx", "Rel", "Sc")),
}  # fmt: skip
C_RMW_ATOMS = (("Rlx", "Rlx"), ("Acq", "Rel"), ("Sc", "Sc"), ("Acq", "Rlx"), ("Rlx", "Rel"))
C_ORDER = {"Rlx": "relaxed", "Acq": "acquire", "Rel": "release", "AR": "acq_rel", "Sc": "seq_cst"}
C_RMW_ORDER = {("Rlx", "Rlx"): "Rlx", ("Acq", "Rel"): "AR", ("Sc", "Sc"): "Sc",
               ("Acq", "Rlx"): "Acq", ("Rlx", "Rel"): "Rel"}  # fmt: skip


def _internal(rng: random.Random, fam: Family, src: str) -> Edge:
    """One internal relaxation from an access of direction `src`."""
    kinds = ["Po", "Po", "Fenced", "Fenced", "Fenced", "Com"]
    if fam.deps and src == "R":
        kinds += ["Dp", "Dp", "Dp"]
    if fam.rmw and src == "R":
        kinds.append("Rmw")
    kind = rng.choice(kinds)
    dst = rng.choice("RW")
    if kind == "Po":
        return Edge("Po", src, dst, same=rng.random() < 0.15)
    if kind == "Fenced":
        fence = rng.choice(fam.fences)
        if fence in ("DMB.ST",):
            src = dst = "W"  # a store barrier between stores (diy: any, but this is its use)
        if fence == "DMB.LD" and src == "W":
            fence = "DMB.SY"
        return Edge("Fenced", src, dst, same=False, fence=fence)
    if kind == "Dp":
        dp = rng.choice(fam.deps)
        dst = "W" if dp == "Data" else "R" if dp == "CtrlIsb" else dst
        return Edge("Dp", "R", dst, same=False, dp=dp)
    if kind == "Rmw":
        return Edge("Rmw", "R", "W", rmw=fam.rmw)
    return _internal_com(src, rng)


def _internal_com(src: str, rng: random.Random) -> Edge:
    if src == "R":
        return Edge("Fr", "R", "W")
    kind = rng.choice(("Rf", "Rf", "Ws"))
    return Edge(kind, "W", "R" if kind == "Rf" else "W")


# ------------------------------------------------------------------------------------------
# the cycle and what it fixes


@dataclass
class Access:
    dir: str
    loc: str = ""
    atom: str | None = None
    value: int = 0  # W: the value written; R: the value the cycle reads
    rmw: bool = False  # R or W half of a one-instruction read-modify-write


class Invalid(Exception):
    """The drawn cycle is not one this generator writes (see the module's limits)."""


@dataclass
class Cycle:
    edges: list[Edge]  # edge i goes from access i to access i+1 (mod n)

    @property
    def n(self) -> int:
        return len(self.edges)

    def threads(self) -> list[list[int]]:
        """Accesses by thread, in program order, from the first access (if the last edge is a
        communication between threads) or else from the first access after one."""
        start = 0 if self.edges[-1].ext else next(i for i, e in enumerate(self.edges) if e.ext) + 1
        out, cur = [], []
        for k in range(self.n):
            i = (start + k) % self.n
            cur.append(i)
            if self.edges[i].ext:
                out.append(cur)
                cur = []
        return out

    def rotated(self, first: int) -> Cycle:
        return Cycle(self.edges[first:] + self.edges[:first])


def _points(cycle: Cycle) -> list[str]:
    out = []
    for t in cycle.threads():
        first, last = cycle.edges[t[0]].src, cycle.edges[t[-1]].src
        out.append(first if len(t) == 1 else first + last)
    return out


POINT_ORDER = {"W": 0, "WW": 1, "RR": 2, "RW": 6, "WR": 8, "R": 10}
_KIND_RANK = {"Rf": 0, "Fr": 1, "Ws": 2, "Rmw": 4, "Po": 9, "Fenced": 10, "Dp": 11}
_DIR = {"W": 0, "R": 1}


def _edge_key(e: Edge) -> tuple:
    """OCaml's structural order on diy's edges, as far as it decides between rotations."""
    if e.com:
        fields = (int(e.ext),)
    elif e.kind == "Po":
        fields = (int(not e.same), _DIR[e.src], _DIR[e.dst])
    elif e.kind == "Fenced":
        fields = (e.fence, int(not e.same), _DIR[e.src], _DIR[e.dst])
    elif e.kind == "Dp":
        fields = (e.dp, int(not e.same), _DIR[e.dst])
    else:
        fields = (e.rmw,)
    return (_KIND_RANK[e.kind], fields, e.a1 or "", e.a2 or "")


def _compare_edges(e1: Edge, e2: Edge) -> int:
    strong = ("Fenced", "Dp")
    if e1.kind in ("Po", "Rf") and e2.kind in strong or (e1.kind, e2.kind) == ("Dp", "Fenced"):
        return 1
    if e1.kind in strong and e2.kind in ("Po", "Rf") or (e1.kind, e2.kind) == ("Fenced", "Dp"):
        return -1
    k1, k2 = _edge_key(e1), _edge_key(e2)
    return (k1 > k2) - (k1 < k2)


def _compare(c1: Cycle, c2: Cycle) -> int:
    p1 = [POINT_ORDER[p] for p in _points(c1)]
    p2 = [POINT_ORDER[p] for p in _points(c2)]
    if p1 != p2:
        return -1 if p1 < p2 else 1
    i1 = next(i for i, e in enumerate(c1.edges) if e.ext)
    i2 = next(i for i, e in enumerate(c2.edges) if e.ext)
    if i1 != i2:
        return -1 if i1 < i2 else 1
    for e1, e2 in zip(c1.edges, c2.edges, strict=True):
        if c := _compare_edges(e1, e2):
            return c
    return 0


def normalise(cycle: Cycle) -> Cycle:
    """diy's normal form (normaliser.ml): of the rotations that start a thread, the least by
    the threads' shapes (W < WW < RR < RW < WR < R), then by the edges."""
    starts = [(i + 1) % cycle.n for i, e in enumerate(cycle.edges) if e.ext]
    best = cycle.rotated(starts[0])
    for s in starts[1:]:
        other = cycle.rotated(s)
        if _compare(best, other) >= 0:
            best = other
    return best


FAMILY_NAMES = {
    "WW+RR": "MP", "WR+WR": "SB", "WR+WR+WR": "3.SB", "WR+WR+WR+WR": "4.SB",
    "W+RW+RR": "WRC", "W+RR+WR": "RWC", "RW+RW": "LB", "RW+RW+RW": "3.LB",
    "RW+RW+RW+RW": "4.LB", "WW+WR": "R", "W+RW+WR": "WRW+WR", "W+RR+WW": "WRR+2W",
    "WW+RW": "S", "W+RW+RW": "WWC", "WW+WW": "2+2W", "WW+WW+WW": "3.2W", "WW+WW+WW+WW": "4.2W",
    "W+RW+WW": "WRW+2W", "WW+RR+WR": "W+RWC", "WW+RW+RR": "ISA2", "W+RR+W+RR": "IRIW",
    "W+RR+W+RW": "IRRWIW", "W+RW+W+RR": "IRRWIW", "W+RW+W+RW": "IRWIW", "WW+RW+WR": "Z6.0",
    "WW+WW+RW": "Z6.1", "WW+RW+RW": "Z6.2", "WW+WW+RR": "Z6.3", "WW+WR+WR": "Z6.4",
    "WW+WW+WR": "Z6.5",
}  # fmt: skip


def family_name(cycle: Cycle) -> str:
    key = "+".join(_points(cycle))
    return FAMILY_NAMES.get(key, key)


def test_name(cycle: Cycle) -> str:
    """diy's name for a normalised cycle (namer.ml): the family, then each thread's internal
    edges joined by `-` (with the direction between two edges that would leave it unsaid),
    `po` alone left out, one name shared by every thread given once with an `s`."""
    parts = []
    for t in cycle.threads():
        internal = [cycle.edges[i] for i in t[:-1]]
        if not internal:
            continue
        words = []
        for k, e in enumerate(internal):
            nxt = internal[k + 1] if k + 1 < len(internal) else None
            word = e.name()
            if nxt is not None and _ambiguous_target(e) and _ambiguous_source(nxt):
                word += e.dst
            if e.a1 is not None or e.a2 is not None:
                word += ((e.a1 or "P") + (e.a2 or "P")).lower()
            words.append(word)
        parts.append("-".join(words))
    lone = _isolated_atoms(cycle)
    tail = [lone] if lone else []
    if parts and all(p == parts[0] for p in parts):
        if parts[0] == "po" or (parts[0] == "pos" and len(parts) == 1):
            parts = []
        elif len(parts) > 1:
            parts = [parts[0] + "s"]
    return "+".join([family_name(cycle), *parts, *tail])


def _isolated_atoms(cycle: Cycle) -> str:
    """Atoms of the threads made of one access (namer.ml, isolated_writes)."""
    atoms = [cycle.edges[i].a1 or "P" for t in cycle.threads() if len(t) == 1 for i in t]
    return "" if all(a == "P" for a in atoms) else "".join(atoms)


# ------------------------------------------------------------------------------------------
# drawing a cycle and fixing its accesses


def draw(family: str, rng: random.Random, threads: int | None = None) -> Cycle:
    """A random valid cycle of `family` (retries until one is)."""
    fam = SPEC[family]
    for _ in range(10_000):
        try:
            cycle = _draw_once(fam, rng, threads or rng.choice(THREADS))
            accesses(cycle)
            return normalise(cycle)
        except Invalid:
            continue
    raise RuntimeError(f"no valid {family} cycle drawn")  # pragma: no cover


def _draw_once(fam: Family, rng: random.Random, n: int) -> Cycle:
    procs: list[list[Edge]] = []
    dirs: list[tuple[str, str]] = []
    for _ in range(n):
        k = rng.choice(INTERNALS)
        src = rng.choice("RW")
        first, edges = src, []
        for _ in range(k):
            e = _internal(rng, fam, src)
            if e.src != src:
                raise Invalid
            edges.append(e)
            src = e.dst
        procs.append(edges)
        dirs.append((first, src))
    if sum(len(p) for p in procs) + n > MAX_EDGES:
        raise Invalid
    edges: list[Edge] = []
    for p, internal in enumerate(procs):
        edges += internal
        com = com_edge(dirs[p][1], dirs[(p + 1) % n][0])
        if com is None:
            raise Invalid
        edges.append(com)
    cycle = Cycle(edges)
    return _with_atoms(cycle, fam, rng)


def _with_atoms(cycle: Cycle, fam: Family, rng: random.Random) -> Cycle:
    n = cycle.n
    atoms: list[str | None] = []
    for i, e in enumerate(cycle.edges):
        into = cycle.edges[i - 1]
        if e.kind == "Rmw" or into.kind == "Rmw":
            atoms.append(None)  # the pair's atoms are set below
        elif into.kind == "Dp" and into.dp == "Addr":
            atoms.append(None)  # no register offset on LDAR/STLR
        else:
            atoms.append(rng.choice(fam.read_atoms if e.src == "R" else fam.write_atoms))
    if fam.arch == "C":
        for i, e in enumerate(cycle.edges):
            if e.kind == "Rmw":
                atoms[i], atoms[(i + 1) % n] = rng.choice(C_RMW_ATOMS)
    edges = [replace(e, a1=atoms[i], a2=atoms[(i + 1) % n]) for i, e in enumerate(cycle.edges)]
    return Cycle(edges)


def accesses(cycle: Cycle) -> list[Access]:
    """The cycle's accesses with their locations and values (Invalid where it doesn't fix
    them: see the module's limits)."""
    n, edges = cycle.n, cycle.edges
    acc = [Access(e.src, atom=e.a1) for e in edges]
    for i, e in enumerate(edges):
        if e.dst != edges[(i + 1) % n].src:
            raise Invalid
        if e.kind == "Rmw":
            acc[i].rmw = acc[(i + 1) % n].rmw = True
    # locations: a run of same-location edges is one location; each different-location edge
    # moves to a new one
    diffs = [i for i, e in enumerate(edges) if not e.same]
    if len(diffs) < 2:
        raise Invalid
    start = (diffs[-1] + 1) % n  # the first access of a location run
    order = [(start + k) % n for k in range(n)]
    loc = 0
    for i in order:
        acc[i].loc = str(loc)
        if not edges[i].same:
            loc += 1
    # name the locations x, y, ... in the order the cycle (from its first thread) meets them
    names: dict[str, str] = {}
    for i in [(cycle.threads()[0][0] + k) % n for k in range(n)]:
        names.setdefault(acc[i].loc, LOCS[len(names)])
    for a in acc:
        a.loc = names[a.loc]
    _coherence(cycle, acc)
    return acc


def _coherence(cycle: Cycle, acc: list[Access]) -> None:
    n, edges = cycle.n, cycle.edges
    thread_of = {i: t for t, th in enumerate(cycle.threads()) for i in th}
    pos = {i: k for th in cycle.threads() for k, i in enumerate(th)}
    source = {}  # read -> the write it reads from (absent: unknown or initial)
    for i, e in enumerate(edges):
        if e.kind == "Rf":
            source[(i + 1) % n] = i
    before: set[tuple[int, int]] = set()
    for i, e in enumerate(edges):
        j = (i + 1) % n
        if e.kind == "Ws":
            before.add((i, j))
        if e.kind in ("Fr", "Rmw") and i in source:
            before.add((source[i], j))
    writes: dict[str, list[int]] = {}
    for i, a in enumerate(acc):
        if a.dir == "W":
            writes.setdefault(a.loc, []).append(i)
    for i, a in enumerate(acc):  # program order on one location (coherence follows it)
        for w in writes.get(a.loc, ()):
            if w != i and thread_of[w] == thread_of[i] and pos[i] < pos[w]:
                if a.dir == "W":
                    before.add((i, w))
                elif i in source:
                    before.add((source[i], w))
    co: dict[str, list[int]] = {}
    for loc, ws in writes.items():
        if len(ws) > 2:
            raise Invalid
        if len(ws) == 2:
            a, b = ws
            if (a, b) in before and (b, a) in before or not ({(a, b), (b, a)} & before):
                raise Invalid
            ws = [a, b] if (a, b) in before else [b, a]
        co[loc] = ws
        for v, w in enumerate(ws, 1):
            acc[w].value = v
    for i, a in enumerate(acc):
        if a.dir != "R":
            continue
        out = edges[i]
        if i in source:
            a.value = acc[source[i]].value
            if out.kind in ("Fr", "Rmw"):
                ws = co[a.loc]
                if ws.index((i + 1) % n) != ws.index(source[i]) + 1:
                    raise Invalid
        elif out.kind in ("Fr", "Rmw"):
            ws = co[a.loc]
            k = ws.index((i + 1) % n)
            a.value = acc[ws[k - 1]].value if k else 0
        else:
            raise Invalid


def parse_cycle(family: str, text: str) -> Cycle:
    """A cycle written in diy's edge syntax (`MFencedWR Fre PodWR Fre`, `DMB.SYdWW Rfe DpAddrdR
    Fre`, `PodWWRlxRel RfeRelAcq PodRRAcqRlx FreRlxRlx`), checked and normalised as diy does;
    ValueError names a word it can't read or says why the cycle is not one it writes."""
    fam = SPEC[family]
    edges = [_parse_edge(fam, word) for word in text.split()]
    if not edges:
        raise ValueError("an empty cycle")
    for i, e in enumerate(edges):
        nxt = edges[(i + 1) % len(edges)]
        if e.dst != nxt.src:
            raise ValueError(f"{e.pp()} ends on {e.dst} but {nxt.pp()} starts from {nxt.src}")
        if e.a2 != nxt.a1:
            raise ValueError(f"{e.pp()} and {nxt.pp()} give their access different atoms")
        if fam.arch == "C" and e.a1 is None:
            raise ValueError(f"{e.pp()}: C edges carry their memory orders (PodWWRlxRel)")
    cycle = Cycle(edges)
    if not any(e.ext for e in edges):
        raise ValueError(f"{text!r}: no communication between threads")
    try:
        accesses(cycle)
    except Invalid:
        raise ValueError(f"{text!r}: not a cycle this generator writes (locations, coherence "
                         "or a read's value not fixed by it)") from None  # fmt: skip
    return normalise(cycle)


def _parse_edge(fam: Family, word: str) -> Edge:
    edge = _parse_plain(fam, word)
    if edge is not None:
        return edge
    names = {a for a in (*fam.read_atoms, *fam.write_atoms) if a}
    names = sorted(names | ({"P", "AR"} if names else set()), key=len, reverse=True)
    for first in names:
        for second in names:
            tail = first + second
            if word.endswith(tail) and (edge := _parse_plain(fam, word[: -len(tail)])):
                return replace(edge, a1=None if first == "P" else first,
                               a2=None if second == "P" else second)  # fmt: skip
    raise ValueError(f"unknown edge {word!r} for {fam.arch}")


def _parse_plain(fam: Family, word: str) -> Edge | None:
    word = {"Coe": "Wse", "Coi": "Wsi"}.get(word, word)  # newer diy spells Ws as Co
    if word in ("Rfe", "Fre", "Wse", "Rfi", "Fri", "Wsi"):
        kind, ext = word[:2], word[2] == "e"
        src = {"Rf": "W", "Fr": "R", "Ws": "W"}[kind]
        return Edge(kind, src, {"Rf": "R"}.get(kind, "W"), ext=ext)
    if fam.rmw and word == fam.rmw:
        return Edge("Rmw", "R", "W", rmw=fam.rmw)
    dirs = word[-2:]
    if len(word) > 3 and set(dirs) <= {"R", "W"} and word[-3] in "sd":
        head, same = word[:-3], word[-3] == "s"
        if head == "Po":
            return Edge("Po", dirs[0], dirs[1], same=same)
        if head in fam.fences:
            return Edge("Fenced", dirs[0], dirs[1], same=same, fence=head)
    if word.startswith("Dp") and len(word) > 4 and word[-1] in "RW" and word[-2] in "sd":
        dp = word[2:-2]
        if dp in fam.deps:
            return Edge("Dp", "R", word[-1], same=word[-2] == "s", dp=dp)
    return None


# ------------------------------------------------------------------------------------------
# writing the test


def generate(family: str, seed: int, threads: int | None = None) -> str:
    """One diy7-style test of `family` (x86_64, AArch64, ARM, C) as herd text."""
    if family not in SPEC:
        raise ValueError(f"no cycle generator for {family!r}; valid: {', '.join(FAMILIES)}")
    return write(family, draw(family, random.Random(seed), threads))


def generate_many(family: str, count: int, seed: int = 0, threads: int | None = None) -> list[str]:
    """`count` tests of different names (diy writes each cycle once); `threads` fixes the
    number of threads (else 2-4, drawn: the same tests as without it)."""
    rng = random.Random(f"{family}-{seed}")
    out, seen = [], set()
    for _ in range(count * 200):
        cycle = draw(family, rng, threads)
        name = test_name(cycle)
        if name not in seen:
            seen.add(name)
            out.append(write(family, cycle))
            if len(out) == count:
                break
    return out


def write(family: str, cycle: Cycle) -> str:
    acc = accesses(cycle)
    name = test_name(cycle)
    edges = cycle.edges
    first_ext = next(i for i, e in enumerate(edges) if e.ext)
    header = [
        f"{SPEC[family].arch} {name}",
        '"' + " ".join(e.pp() for e in edges) + '"',
        "Cycle=" + " ".join(e.pp() for e in edges[first_ext:] + edges[:first_ext]),
        "Generator=fencelab gen/cycles.py (diy7 style)",
        "Com=" + " ".join(e.kind for e in edges if e.ext),
        "Orig=" + " ".join(e.pp() for e in edges),
    ]
    threads = cycle.threads()
    writes: dict[str, list[int]] = {}
    for a in acc:
        if a.dir == "W":
            writes.setdefault(a.loc, []).append(a.value)
    finals = [f"{loc}={max(vs)}" for loc, vs in sorted(writes.items(), key=_loc_order)
              if len(vs) == 2]  # fmt: skip
    writer = {"x86_64": _X86, "AArch64": _AArch64, "ARM": _ARM, "C": _C}[family]
    return writer(cycle, acc, threads).text(header, finals)


def _loc_order(item) -> int:
    return LOCS.index(item[0])


class _Writer:
    """Code for each thread, from its accesses and the edges between them."""

    def __init__(self, cycle: Cycle, acc: list[Access], threads: list[list[int]]) -> None:
        self.cycle, self.acc, self.threads = cycle, acc, threads
        self.labels = 0
        self.code: list[list[str]] = []
        self.regs: list[list[tuple[str, int]]] = []  # per thread: (register, value)
        for tid, th in enumerate(threads):
            self.begin(tid)
            lines: list[str] = []
            observed: list[tuple[str, int]] = []
            k = 0
            while k < len(th):
                i = th[k]
                into = cycle.edges[th[k - 1]] if k else None
                if into is not None and into.kind == "Fenced":
                    lines += self.fence(into.fence)
                dep = (into, self.last_reg) if into is not None and into.kind == "Dp" else None
                a = acc[i]
                if cycle.edges[i].kind == "Rmw":
                    reg, code = self.rmw(tid, a, acc[th[k + 1]])
                    lines += code
                    observed.append((reg, a.value))
                    k += 2
                    continue
                reg, code = self.access(tid, a, dep)
                lines += code
                if a.dir == "R":
                    observed.append((reg, a.value))
                    self.last_reg = reg
                k += 1
            self.code.append(lines)
            self.regs.append(observed)

    def label(self) -> str:
        name = f"LC{self.labels:02d}"
        self.labels += 1
        return name


class _X86(_Writer):
    REGS = ("ax", "bx", "cx", "dx", "si", "di")

    def begin(self, tid: int) -> None:
        self.used = 0
        self.last_reg = ""

    def next_reg(self) -> str:
        reg = self.REGS[self.used]
        self.used += 1
        return reg

    def fence(self, fence: str) -> list[str]:
        return ["mfence"]

    def access(self, tid, a: Access, dep) -> tuple[str, list[str]]:
        if a.dir == "W":
            return "", [f"movl ${a.value},({a.loc})"]
        reg = self.next_reg()
        return f"{tid}:r{reg}", [f"movl ({a.loc}),%e{reg}"]

    def rmw(self, tid, r: Access, w: Access) -> tuple[str, list[str]]:
        reg = self.next_reg()
        return f"{tid}:r{reg}", [f"movl ${w.value},%e{reg}", f"xchgl %e{reg},({r.loc})"]

    def text(self, header: list[str], finals: list[str]) -> str:
        return _table(header, ["{", "}"], self.code, finals, self.regs)


class _Numbered(_Writer):
    """Arm families: registers numbered from 0 in each thread, addresses set in the initial
    state, fences as diy spells them (`DMB.SY` is written `DMB SY`)."""

    def begin(self, tid: int) -> None:
        self.tid = tid
        self.next = 0
        self.addr: dict[str, int] = {}
        if tid == 0:
            self.init: list[list[str]] = []
        self.init.append([])
        self.last_reg = ""

    def reg(self) -> int:
        self.next += 1
        return self.next - 1

    def fence(self, fence: str) -> list[str]:
        return [fence.replace(".", " ")]

    def text(self, header: list[str], finals: list[str]) -> str:
        init = ["{", *(" ".join(row) for row in self.init), "}"]
        return _table(header, init, self.code, finals, self.regs)


class _AArch64(_Numbered):
    def address(self, loc: str) -> int:
        if loc not in self.addr:
            self.addr[loc] = self.reg()
            self.init[-1].append(f"{self.tid}:X{self.addr[loc]}={loc};")
        return self.addr[loc]

    def access(self, tid, a: Access, dep) -> tuple[str, list[str]]:
        lines: list[str] = []
        offset = ""
        if dep is not None:
            edge, src = dep
            src = src.split(":")[1].replace("X", "W")
            if edge.dp in ("Ctrl", "CtrlIsb"):
                lab = self.label()
                lines += [f"CBNZ {src},{lab}", f"{lab}:"]
                lines += ["ISB"] if edge.dp == "CtrlIsb" else []
            else:
                t = self.reg()
                lines.append(f"EOR W{t},{src},{src}")
                if edge.dp == "Data":
                    lines.append(f"ADD W{t},W{t},#{a.value}")
                    return "", lines + [f"STR W{t},[X{self.address(a.loc)}]"]
                offset = f",W{t},SXTW"
        if a.dir == "W":
            v = self.reg()
            op = "STLR" if a.atom == "L" else "STR"
            store = f"{op} W{v},[X{self.address(a.loc)}{offset}]"
            return "", [*lines, f"MOV W{v},#{a.value}", store]
        d = self.reg()
        op = "LDAR" if a.atom == "A" else "LDR"
        return f"{tid}:X{d}", lines + [f"{op} W{d},[X{self.address(a.loc)}{offset}]"]

    def rmw(self, tid, r: Access, w: Access) -> tuple[str, list[str]]:
        v, d = self.reg(), self.reg()
        return f"{tid}:X{d}", [f"MOV W{v},#{w.value}", f"SWP W{v},W{d},[X{self.address(r.loc)}]"]



class _ARM(_Numbered):
    def address(self, loc: str) -> str:
        sym = f"%{loc}{self.tid}"
        if f"{sym}={loc};" not in self.init[-1]:
            self.init[-1].append(f"{sym}={loc};")
        return sym

    def access(self, tid, a: Access, dep) -> tuple[str, list[str]]:
        lines: list[str] = []
        base = self.address(a.loc)
        if dep is not None:
            edge, src = dep
            src = src.split(":")[1]
            if edge.dp in ("Ctrl", "CtrlIsb"):
                lab = self.label()
                lines += [f"CMP {src},{src}", f"BNE {lab}", f"{lab}:"]
                lines += ["ISB"] if edge.dp == "CtrlIsb" else []
            else:
                t = self.reg()
                lines.append(f"EOR R{t},{src},{src}")
                if edge.dp == "Data":
                    lines.append(f"ADD R{t},R{t},#{a.value}")
                    return "", lines + [f"STR R{t},[{base}]"]
                base = f"R{t},{base}"
        if a.dir == "W":
            v = self.reg()
            return "", lines + [f"MOV R{v},#{a.value}", f"STR R{v},[{base}]"]
        d = self.reg()
        return f"{tid}:R{d}", lines + [f"LDR R{d},[{base}]"]

    def rmw(self, tid, r, w):  # pragma: no cover - ARM draws no Rmw
        raise Invalid


class _C(_Writer):
    def begin(self, tid: int) -> None:
        self.used = 0
        self.last_reg = ""

    def fence(self, fence: str) -> list[str]:
        return [f"atomic_thread_fence(memory_order_{C_ORDER[fence[5:]]});"]

    def access(self, tid, a: Access, dep) -> tuple[str, list[str]]:
        order = f"memory_order_{C_ORDER[a.atom]}"
        if a.dir == "W":
            return "", [f"atomic_store_explicit({a.loc},{a.value},{order});"]
        reg = f"r{self.used}"
        self.used += 1
        return f"{tid}:{reg}", [f"int {reg} = atomic_load_explicit({a.loc},{order});"]

    def rmw(self, tid, r: Access, w: Access) -> tuple[str, list[str]]:
        order = C_ORDER[C_RMW_ORDER[(r.atom, w.atom)]]
        reg = f"r{self.used}"
        self.used += 1
        return f"{tid}:{reg}", [f"int {reg} = atomic_exchange_explicit({r.loc},{w.value},"
                                f"memory_order_{order});"]  # fmt: skip

    def text(self, header: list[str], finals: list[str]) -> str:
        lines = [*header, "{}", ""]
        for tid, (th, code) in enumerate(zip(self.threads, self.code, strict=True)):
            locs = sorted({self.acc[i].loc for i in th}, key=LOCS.index)
            params = ",".join(f"atomic_int* {loc}" for loc in locs)
            lines += [f"P{tid} ({params}) {{", *(f"  {c}" for c in code), "}", ""]
        lines.append(_condition(finals, self.regs))
        return "\n".join(lines) + "\n"


def _condition(finals: list[str], regs: list[list[tuple[str, int]]]) -> str:
    terms = finals + [f"{r}={v}" for rows in regs for r, v in rows]
    return "exists (" + " /\\ ".join(terms) + ")"


def _table(header, init, columns, finals, regs) -> str:
    width = max(len(r) for tid, rows in enumerate(columns) for r in (*rows, f"P{tid}"))
    lines = [*header, *init]
    lines.append(" " + " | ".join(f"P{t}".ljust(width) for t in range(len(columns))) + " ;")
    for i in range(max(len(rows) for rows in columns)):
        cells = [(rows[i] if i < len(rows) else "").ljust(width) for rows in columns]
        lines.append(" " + " | ".join(cells) + " ;")
    lines.append(_condition(finals, regs))
    return "\n".join(lines) + "\n"
