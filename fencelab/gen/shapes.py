"""The classic litmus shapes, instantiated under every valid assignment of orderings (for `hunt`).

A shape is its threads' accesses (`W x=1`, `R y`) and herd's classic `exists` condition. A
variant gives each access an ordering (loads Relaxed / Acquire / SeqCst, stores Relaxed /
Release / SeqCst), and optionally:
- fences: a fence (Acquire / Release / AcqRel / SeqCst) between consecutive accesses of a
  thread, with every access Relaxed (the `+fence` shapes: the fence does the ordering);
- rmw: one access made a read-modify-write (a store becomes `swap`, a load `fetch_add(0)`) with
  any of the five orderings, every other access Relaxed or every other access SeqCst.
Tests are built as `LitmusTest`s in our Rust spelling, named after what they contain
(`SB+sc.sc+rlx.acq`, `MP+rlx.f-rel.rlx+rlx.rlx`, `LB+rlx.rlx+swap-rel.rlx`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from fencelab.atomics import Op, Order
from fencelab.errors import FencelabError
from fencelab.litmus.ast import (
    And,
    Assign,
    Condition,
    Const,
    Eq,
    ExprStmt,
    Fence,
    LitmusTest,
    Load,
    Location,
    LocObs,
    RegObs,
    Rmw,
    Stmt,
    Store,
    Thread,
)

LOAD_ORDERS = (Order.RELAXED, Order.ACQUIRE, Order.SEQ_CST)
STORE_ORDERS = (Order.RELAXED, Order.RELEASE, Order.SEQ_CST)
FENCE_ORDERS = (None, Order.ACQUIRE, Order.RELEASE, Order.ACQ_REL, Order.SEQ_CST)
RMW_ORDERS = tuple(Order)
VARIANTS = ("plain", "fences", "rmw")
SHORT = {Order.RELAXED: "rlx", Order.ACQUIRE: "acq", Order.RELEASE: "rel",
         Order.ACQ_REL: "acqrel", Order.SEQ_CST: "sc"}  # fmt: skip


@dataclass(frozen=True)
class Access:
    kind: str  # "R" or "W"
    loc: str
    value: int = 0  # W: the value stored


@dataclass(frozen=True)
class Shape:
    name: str
    threads: tuple[tuple[Access, ...], ...]
    # the classic condition: (tid, index of the load among the thread's loads) or a location
    exists: tuple[tuple[object, int], ...]
    doc: str

    @property
    def size(self) -> int:
        return sum(len(t) for t in self.threads)


def _w(loc: str, v: int = 1) -> Access:
    return Access("W", loc, v)


def _r(loc: str) -> Access:
    return Access("R", loc)


SHAPES: dict[str, Shape] = {
    s.name: s
    for s in (
        Shape("SB", ((_w("x"), _r("y")), (_w("y"), _r("x"))),
              (((0, 0), 0), ((1, 0), 0)), "store buffering"),  # fmt: skip
        Shape("MP", ((_w("x"), _w("y")), (_r("y"), _r("x"))),
              (((1, 0), 1), ((1, 1), 0)), "message passing"),  # fmt: skip
        Shape("LB", ((_r("x"), _w("y")), (_r("y"), _w("x"))),
              (((0, 0), 1), ((1, 0), 1)), "load buffering"),  # fmt: skip
        Shape("S", ((_w("x", 2), _w("y")), (_r("y"), _w("x"))),
              (((1, 0), 1), ("x", 2)), "S: a write after a read of a message is not older"),  # fmt: skip
        Shape("R", ((_w("x"), _w("y")), (_w("y", 2), _r("x"))),
              (("y", 2), ((1, 0), 0)), "R: a write-write pair against a write-read pair"),  # fmt: skip
        Shape("2+2W", ((_w("x", 2), _w("y")), (_w("y", 2), _w("x"))),
              (("x", 2), ("y", 2)), "two writes against two writes"),  # fmt: skip
        Shape("WRC", ((_w("x"),), (_r("x"), _w("y")), (_r("y"), _r("x"))),
              (((1, 0), 1), ((2, 0), 1), ((2, 1), 0)), "write-to-read causality"),  # fmt: skip
        Shape("ISA2", ((_w("x"), _w("y")), (_r("y"), _w("z")), (_r("z"), _r("x"))),
              (((1, 0), 1), ((2, 0), 1), ((2, 1), 0)), "message passing through a third thread"),  # fmt: skip
        Shape("IRIW", ((_w("x"),), (_w("y"),), (_r("x"), _r("y")), (_r("y"), _r("x"))),
              (((2, 0), 1), ((2, 1), 0), ((3, 0), 1), ((3, 1), 0)),
              "independent reads of independent writes"),  # fmt: skip
    )
}


def parse_shapes(text: str | None) -> tuple[Shape, ...]:
    """A comma list of shapes (any case), each once; None: every shape. An empty name (`SB,`,
    or an empty list) is refused."""
    if text is None:
        return tuple(SHAPES.values())
    chosen = []
    for name in (n.strip() for n in text.split(",")):
        key = next((k for k in SHAPES if k.lower() == name.lower()), None)
        if key is None:
            raise FencelabError(f"unknown shape {name!r}; valid: {', '.join(SHAPES)}")
        chosen.append(SHAPES[key])
    return tuple(dict.fromkeys(chosen))


def parse_variants(text: str | None) -> tuple[str, ...]:
    """A comma list of variant kinds, each once; None: all three. An empty name is refused."""
    if text is None:
        return VARIANTS
    names = tuple(dict.fromkeys(n.strip().lower() for n in text.split(",")))
    for n in names:
        if n not in VARIANTS:
            raise FencelabError(f"unknown variant {n!r}; valid: {', '.join(VARIANTS)}")
    return names


# One access as instantiated: (access, order, rmw?) ; a fence slot: Order | None
_Inst = tuple[Access, Order, bool]


@dataclass(frozen=True)
class Variant:
    """One instantiation of a shape, with the numbers `hunt` ranks counterexamples by."""

    test: LitmusTest
    shape: str
    threads: int
    strong: int  # non-Relaxed accesses and fences: fewer is a smaller counterexample
    size: int  # accesses + fences
    rmws: int = 0  # read-modify-writes (a plain access is the simpler counterexample)


def variants(shape: Shape, kinds: tuple[str, ...] = VARIANTS) -> Iterator[Variant]:
    """Every valid instantiation of `shape` of the requested kinds (no duplicates)."""
    accesses = [a for t in shape.threads for a in t]
    n = len(accesses)
    no_fences = [(None,) * (len(t) - 1) for t in shape.threads]
    seen: set[str] = set()

    def emit(insts: list[_Inst], fences) -> Iterator[Variant]:
        v = _build(shape, insts, fences)
        if v.test.name not in seen:
            seen.add(v.test.name)
            yield v

    if "plain" in kinds:
        choices = [LOAD_ORDERS if a.kind == "R" else STORE_ORDERS for a in accesses]
        for orders in itertools.product(*choices):
            yield from emit([(a, o, False) for a, o in zip(accesses, orders)], no_fences)
    if "fences" in kinds:
        slots = [len(t) - 1 for t in shape.threads]
        relaxed = [(a, Order.RELAXED, False) for a in accesses]
        for picks in itertools.product(FENCE_ORDERS, repeat=sum(slots)):
            fences, k = [], 0
            for s in slots:
                fences.append(tuple(picks[k:k + s]))
                k += s
            yield from emit(relaxed, fences)
    if "rmw" in kinds:
        for i in range(n):
            for others in (Order.RELAXED, Order.SEQ_CST):
                for o in RMW_ORDERS:
                    insts = [(a, o if j == i else others, j == i)
                             for j, a in enumerate(accesses)]
                    yield from emit(insts, no_fences)


def _build(shape: Shape, insts: list[_Inst], fences) -> Variant:
    threads: list[Thread] = []
    names: list[str] = []
    k = 0
    strong = 0
    size = 0
    rmws = 0
    for tid, accesses in enumerate(shape.threads):
        body: list[Stmt] = []
        parts: list[str] = []
        loads = 0
        for i, _ in enumerate(accesses):
            if i > 0 and fences[tid][i - 1] is not None:
                f = fences[tid][i - 1]
                body.append(Fence(f))
                parts.append(f"f-{SHORT[f]}")
                strong += 1
                size += 1
            access, order, rmw = insts[k]
            k += 1
            size += 1
            strong += order is not Order.RELAXED
            rmws += rmw
            if access.kind == "R":
                local = f"r{loads}"
                loads += 1
                expr = Rmw(Op.FETCH_ADD, access.loc, Const(0), order) if rmw else \
                    Load(access.loc, order)
                body.append(Assign(local, expr, declared=True))
                parts.append(("faa-" if rmw else "") + SHORT[order])
            elif rmw:
                body.append(ExprStmt(Rmw(Op.SWAP, access.loc, Const(access.value), order)))
                parts.append("swap-" + SHORT[order])
            else:
                body.append(Store(access.loc, Const(access.value), order))
                parts.append(SHORT[order])
        threads.append(Thread(tid, f"P{tid}", body=tuple(body)))
        names.append(".".join(parts))
    locs = sorted({a.loc for t in shape.threads for a in t})
    test = LitmusTest(
        arch="RUST",
        name=f"{shape.name}+" + "+".join(names),
        threads=tuple(threads),
        locations=tuple(Location(loc) for loc in locs),
        condition=Condition("exists", And(tuple(_eq(shape, e) for e in shape.exists))),
        doc=f"{shape.doc} (generated by fencelab hunt)",
        file=f"<hunt {shape.name}>",
    )
    return Variant(test, shape.name, len(shape.threads), strong, size, rmws)


def _eq(shape: Shape, item: tuple[object, int]) -> Eq:
    what, value = item
    if isinstance(what, str):
        return Eq(LocObs(what), value)
    tid, index = what
    return Eq(RegObs(tid, f"r{index}"), value)
