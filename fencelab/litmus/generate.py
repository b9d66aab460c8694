"""Small random AArch64 litmus tests, as herd text, for cross-checking memory models.

Each test has 2-3 threads of 1-4 operations over 2-3 locations (x, y, z). An operation is one
access or barrier, possibly preceded by the instructions that make a dependency on the thread's
last load:

    store     MOV W9,#v ; STR|STLR W9,[Xb]          (every store writes a fresh value v)
    load      LDR|LDAR|LDAPR Wn,[Xb]
    fence     DMB SY | DMB LD | DMB ST | ISB
    addr      EOR W8,Wl,Wl ; <access> [Xb,W8,SXTW]     (herd's false-dependency idiom)
    data      EOR W8,Wl,Wl ; ADD W8,W8,#v ; STR W8,[Xb]
    ctrl      CBNZ Wl,LCn ; LCn: <access>             (a branch to the very next row)
    ctrl+isb  CBNZ Wl,LCn ; LCn: ISB ; <load>
    excl      LDXR Wn,[Xb] ; MOV W9,#v ; STXR Ws,W9,[Xb]
    lse       MOV W9,#v ; LDADD|SWP{,A,L,AL} W9,Wn,[Xb]  or  STADD{,L} W9,[Xb]
    cas       MOV Wn,#e ; MOV W9,#v ; CAS{,A,L,AL} Wn,W9,[Xb]

The condition is `exists` over every register a load wrote (and every store-exclusive status)
and every location's final value, so two engines' outcome sets can be compared whole.

Two front ends share one builder: `generate(seed)` (plain `random.Random`) and the hypothesis
strategy `litmus_texts()`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

LOCATIONS = ("x", "y", "z")
BASE_REG = {"x": 10, "y": 11, "z": 12}  # Xb holding each location's address
OPS = ("store", "load", "fence", "addr", "data", "ctrl", "ctrl+isb", "excl", "lse", "cas")
LOADS = ("LDR", "LDAR", "LDAPR")
STORES = ("STR", "STLR")
FENCES = ("DMB SY", "DMB LD", "DMB ST", "ISB")
ORDERINGS = ("", "A", "L", "AL")


@dataclass
class _Thread:
    tid: int
    rows: list[str] = field(default_factory=list)
    next_reg: int = 0  # W0..W7 receive loaded values
    last_load: int | None = None  # register of the last plain/acquire load
    observed: list[int] = field(default_factory=list)  # registers the condition names
    labels: int = 0

    def fresh(self) -> int:
        reg = self.next_reg
        self.next_reg += 1
        return reg


class _Builder:
    """Builds one test from choices made by `pick` (an option from a sequence)."""

    def __init__(self, pick: Callable[[Sequence[T]], T], name: str):
        self.pick = pick
        self.name = name
        self.values: dict[str, list[int]] = {}
        self.counter = 0

    def value_for(self, loc: str) -> int:
        self.counter += 1
        self.values.setdefault(loc, []).append(self.counter)
        return self.counter

    def build(self) -> str:
        n_threads = self.pick((2, 2, 3))
        locs = LOCATIONS[: self.pick((2, 2, 3))]
        threads = [_Thread(t) for t in range(n_threads)]
        for th in threads:
            for _ in range(self.pick((1, 2, 2, 3, 3, 4))):
                self.operation(th, locs)
        return self.render(threads, locs)

    # -- operations --------------------------------------------------------------------------
    def operation(self, th: _Thread, locs: Sequence[str]) -> None:
        op = self.pick(OPS)
        loc = self.pick(locs)
        base = BASE_REG[loc]
        if op in ("addr", "data", "ctrl", "ctrl+isb") and th.last_load is None:
            op = "load"  # nothing to depend on yet
        if op == "store":
            self.store(th, self.pick(STORES), loc, f"[X{base}]")
        elif op == "load":
            self.load(th, self.pick(LOADS), f"[X{base}]")
        elif op == "fence":
            th.rows.append(self.pick(FENCES))
        elif op == "addr":
            th.rows.append(f"EOR W8,W{th.last_load},W{th.last_load}")
            if self.pick((True, False)):
                self.load(th, "LDR", f"[X{base},W8,SXTW]")
            else:
                self.store(th, "STR", loc, f"[X{base},W8,SXTW]")
        elif op == "data":
            value = self.value_for(loc)
            th.rows += [f"EOR W8,W{th.last_load},W{th.last_load}", f"ADD W8,W8,#{value}",
                        f"STR W8,[X{base}]"]  # fmt: skip
        elif op in ("ctrl", "ctrl+isb"):
            label = f"LC{th.tid}{th.labels}"
            th.labels += 1
            th.rows += [f"CBNZ W{th.last_load},{label}", f"{label}:"]
            if op == "ctrl+isb":
                th.rows.append("ISB")
                self.load(th, "LDR", f"[X{base}]")
            elif self.pick((True, False)):
                self.load(th, "LDR", f"[X{base}]")
            else:
                self.store(th, "STR", loc, f"[X{base}]")
        elif op == "excl":
            dest, status = th.fresh(), th.fresh()
            value = self.value_for(loc)
            th.rows += [f"LDXR W{dest},[X{base}]", f"MOV W9,#{value}",
                        f"STXR W{status},W9,[X{base}]"]  # fmt: skip
            th.observed += [dest, status]
            th.last_load = dest
        elif op == "lse":
            dest = th.fresh()
            value = self.value_for(loc)
            kind = self.pick(("LDADD", "SWP", "STADD"))
            if kind == "STADD":  # LDADD into the zero register: its read is herd's NoRet
                th.rows += [f"MOV W9,#{value}", f"STADD{self.pick(('', 'L'))} W9,[X{base}]"]
                return
            th.rows += [f"MOV W9,#{value}", f"{kind}{self.pick(ORDERINGS)} W9,W{dest},[X{base}]"]
            th.observed.append(dest)
            th.last_load = dest
        else:  # cas
            dest = th.fresh()
            expected = self.pick((0, *self.values.get(loc, ())))
            value = self.value_for(loc)
            th.rows += [f"MOV W{dest},#{expected}", f"MOV W9,#{value}",
                        f"CAS{self.pick(ORDERINGS)} W{dest},W9,[X{base}]"]  # fmt: skip
            th.observed.append(dest)
            th.last_load = dest

    def store(self, th: _Thread, mnemonic: str, loc: str, operand: str) -> None:
        if mnemonic == "STLR" and "," in operand:
            mnemonic = "STR"  # STLR has no register-offset form
        th.rows += [f"MOV W9,#{self.value_for(loc)}", f"{mnemonic} W9,{operand}"]

    def load(self, th: _Thread, mnemonic: str, operand: str) -> None:
        if mnemonic != "LDR" and "," in operand:
            mnemonic = "LDR"  # LDAR/LDAPR have no register-offset form
        dest = th.fresh()
        th.rows.append(f"{mnemonic} W{dest},{operand}")
        th.observed.append(dest)
        th.last_load = dest

    # -- herd text ---------------------------------------------------------------------------
    def render(self, threads: list[_Thread], locs: Sequence[str]) -> str:
        init = " ".join(f"{th.tid}:X{BASE_REG[loc]}={loc};" for th in threads for loc in locs)
        width = max(len(r) for th in threads for r in (*th.rows, f"P{th.tid}")) + 1
        height = max(len(th.rows) for th in threads)
        lines = [f"AArch64 {self.name}", "{", init, "}"]
        lines.append(" " + " | ".join(f"P{th.tid}".ljust(width) for th in threads) + " ;")
        for i in range(height):
            cells = [(th.rows[i] if i < len(th.rows) else "").ljust(width) for th in threads]
            lines.append(" " + " | ".join(cells) + " ;")
        terms = [f"{th.tid}:X{r}={self.pick((0, 1))}" for th in threads for r in th.observed]
        terms += [f"[{loc}]={self.pick((0, *self.values.get(loc, ())))}" for loc in locs]
        lines.append("exists (" + " /\\ ".join(terms) + ")")
        return "\n".join(lines) + "\n"


def generate(seed: int, name: str | None = None) -> str:
    """One random test as herd text, the same for the same seed."""
    rng = random.Random(seed)
    return _Builder(rng.choice, name or f"GEN{seed}").build()


def generate_many(count: int, seed: int = 0) -> list[str]:
    return [generate(seed * 1_000_003 + i, f"GEN{seed}-{i}") for i in range(count)]


def litmus_texts():
    """A hypothesis strategy of herd texts (shrinks toward fewer threads and operations)."""
    from hypothesis import strategies as st

    @st.composite
    def texts(draw) -> str:
        return _Builder(lambda options: draw(st.sampled_from(list(options))), "HYP").build()

    return texts()
