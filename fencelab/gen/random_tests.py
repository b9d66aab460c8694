"""Small random litmus tests, as herd text, for cross-checking memory models.

Each test has 2-3 threads of 1-4 operations over 2-3 locations (x, y, z). An operation is one
access or barrier, possibly preceded by the instructions that make a dependency on the thread's
last load. AArch64 (`arch="AArch64"`, the default):

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
    pick      CMP Wl,#1 ; CSEL W8,WZR,WZR,EQ ; <access> [Xb,W8,SXTW]   (a pick dependency:
              or MOV W9,#v ; CMP Wl,#1 ; CSEL W8,W9,W9,EQ ; STR W8,[Xb]   the flags choose)

A32 (`arch="ARM"`, herd's ARM format; ARMv7 code, run under the ARMv8 AArch32 model): the same
shapes with ARMv7 instructions only — LDR/STR, LDREX/STREX, DMB/DMB ST/ISB, the address
dependency `[Rb,R8]`, the control dependency `CMP Rl,Rl ; BNE LCn ; LCn:`; no acquire/release
accesses and no single-instruction atomics.

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
OPS = ("store", "load", "fence", "addr", "data", "ctrl", "ctrl+isb", "excl", "lse", "cas",
       "pick")
LOADS = ("LDR", "LDAR", "LDAPR")
STORES = ("STR", "STLR")
FENCES = ("DMB SY", "DMB LD", "DMB ST", "ISB")
ORDERINGS = ("", "A", "L", "AL")
A32_OPS = ("store", "load", "fence", "addr", "data", "ctrl", "ctrl+isb", "excl")
A32_FENCES = ("DMB", "DMB ST", "ISB")


@dataclass(frozen=True)
class Flavour:
    """What the tests of one architecture are written with (a one-option choice is not
    drawn: the same seed gives the same test as before the option existed)."""

    arch: str  # herd's header
    prefix: str  # generate_many's test names: GEN<seed>-<i>, GENA32-<seed>-<i>
    value: str  # value registers: W0 / R0
    base: str  # address registers: X10 / R10
    ops: tuple[str, ...]
    stores: tuple[str, ...]
    loads: tuple[str, ...]
    fences: tuple[str, ...]
    offset: str  # an address dependency's operand, `{base}` the location's register number
    exclusive: tuple[str, str]  # load- and store-exclusive
    branch: tuple[str, ...]  # a control dependency on register `{reg}` to `{label}`


FLAVOURS = {f.arch: f for f in (
    Flavour("AArch64", "GEN", "W", "X", OPS, STORES, LOADS, FENCES, "[X{base},W8,SXTW]",
            ("LDXR", "STXR"), ("CBNZ W{reg},{label}", "{label}:")),
    Flavour("ARM", "GENA32-", "R", "R", A32_OPS, ("STR",), ("LDR",), A32_FENCES, "[R{base},R8]",
            ("LDREX", "STREX"), ("CMP R{reg},R{reg}", "BNE {label}", "{label}:")),
)}  # fmt: skip
ARCHES = tuple(FLAVOURS)


def flavour_of(arch: str) -> Flavour:
    if arch not in FLAVOURS:
        raise ValueError(f"no generator for {arch!r}; valid: {', '.join(ARCHES)}")
    return FLAVOURS[arch]


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

    def __init__(self, pick: Callable[[Sequence[T]], T], name: str, arch: str = "AArch64",
                 threads: int | Sequence[int] | None = None,
                 ops: int | Sequence[int] | None = None):  # fmt: skip
        self.flavour = flavour_of(arch)
        self.pick = pick
        self.name = name
        self.w = self.flavour.value  # value registers
        self.x = self.flavour.base  # base registers
        self.values: dict[str, list[int]] = {}
        self.counter = 0
        self.threads = threads  # a number, the choices to draw from, or None: 2 or 3, drawn
        self.ops = ops if ops is not None else (1, 2, 2, 3, 3, 4)  # per thread: fixed or drawn

    def value_for(self, loc: str) -> int:
        self.counter += 1
        self.values.setdefault(loc, []).append(self.counter)
        return self.counter

    def build(self) -> str:
        n_threads = (self.threads if isinstance(self.threads, int)
                     else self.pick(self.threads or (2, 2, 3)))  # fmt: skip
        locs = LOCATIONS[: self.pick((2, 2, 3))]
        threads = [_Thread(t) for t in range(n_threads)]
        for th in threads:
            for _ in range(self.ops if isinstance(self.ops, int) else self.pick(self.ops)):
                self.operation(th, locs)
        return self.render(threads, locs)

    # -- operations --------------------------------------------------------------------------
    def choose(self, options: Sequence[T]) -> T:
        """`pick`, except that one option is taken without drawing."""
        return options[0] if len(options) == 1 else self.pick(options)

    def operation(self, th: _Thread, locs: Sequence[str]) -> None:
        w, x, flavour = self.w, self.x, self.flavour
        op = self.pick(flavour.ops)
        loc = self.pick(locs)
        base = BASE_REG[loc]
        if op in ("addr", "data", "ctrl", "ctrl+isb", "pick") and th.last_load is None:
            op = "load"  # nothing to depend on yet
        last = th.last_load
        if op == "store":
            self.store(th, self.choose(flavour.stores), loc, f"[{x}{base}]")
        elif op == "load":
            self.load(th, self.choose(flavour.loads), f"[{x}{base}]")
        elif op == "fence":
            th.rows.append(self.pick(flavour.fences))
        elif op == "addr":
            th.rows.append(f"EOR {w}8,{w}{last},{w}{last}")
            offset = flavour.offset.format(base=base)
            if self.pick((True, False)):
                self.load(th, "LDR", offset)
            else:
                self.store(th, "STR", loc, offset)
        elif op == "pick":
            if self.pick((True, False)):
                th.rows += [f"CMP W{last},#1", "CSEL W8,WZR,WZR,EQ"]
                if self.pick((True, False)):
                    self.load(th, "LDR", f"[X{base},W8,SXTW]")
                else:
                    self.store(th, "STR", loc, f"[X{base},W8,SXTW]")
            else:
                th.rows += [f"MOV W9,#{self.value_for(loc)}", f"CMP W{last},#1",
                            "CSEL W8,W9,W9,EQ", f"STR W8,[X{base}]"]  # fmt: skip
        elif op == "data":
            value = self.value_for(loc)
            th.rows += [f"EOR {w}8,{w}{last},{w}{last}", f"ADD {w}8,{w}8,#{value}",
                        f"STR {w}8,[{x}{base}]"]  # fmt: skip
        elif op in ("ctrl", "ctrl+isb"):
            label = f"LC{th.tid}{th.labels}"
            th.labels += 1
            th.rows += [row.format(reg=last, label=label) for row in flavour.branch]
            if op == "ctrl+isb":
                th.rows.append("ISB")
                self.load(th, "LDR", f"[{x}{base}]")
            elif self.pick((True, False)):
                self.load(th, "LDR", f"[{x}{base}]")
            else:
                self.store(th, "STR", loc, f"[{x}{base}]")
        elif op == "excl":
            dest, status = th.fresh(), th.fresh()
            value = self.value_for(loc)
            ld, st = flavour.exclusive
            th.rows += [f"{ld} {w}{dest},[{x}{base}]", f"MOV {w}9,#{value}",
                        f"{st} {w}{status},{w}9,[{x}{base}]"]  # fmt: skip
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
        th.rows += [f"MOV {self.w}9,#{self.value_for(loc)}", f"{mnemonic} {self.w}9,{operand}"]

    def load(self, th: _Thread, mnemonic: str, operand: str) -> None:
        if mnemonic != "LDR" and "," in operand:
            mnemonic = "LDR"  # LDAR/LDAPR have no register-offset form
        dest = th.fresh()
        th.rows.append(f"{mnemonic} {self.w}{dest},{operand}")
        th.observed.append(dest)
        th.last_load = dest

    # -- herd text ---------------------------------------------------------------------------
    def render(self, threads: list[_Thread], locs: Sequence[str]) -> str:
        init = " ".join(f"{th.tid}:{self.x}{BASE_REG[loc]}={loc};"
                        for th in threads for loc in locs)  # fmt: skip
        width = max(len(r) for th in threads for r in (*th.rows, f"P{th.tid}")) + 1
        height = max(len(th.rows) for th in threads)
        lines = [f"{self.flavour.arch} {self.name}", "{", init, "}"]
        lines.append(" " + " | ".join(f"P{th.tid}".ljust(width) for th in threads) + " ;")
        for i in range(height):
            cells = [(th.rows[i] if i < len(th.rows) else "").ljust(width) for th in threads]
            lines.append(" " + " | ".join(cells) + " ;")
        terms = [f"{th.tid}:{self.x}{r}={self.pick((0, 1))}"
                 for th in threads for r in th.observed]  # fmt: skip
        terms += [f"[{loc}]={self.pick((0, *self.values.get(loc, ())))}" for loc in locs]
        lines.append("exists (" + " /\\ ".join(terms) + ")")
        return "\n".join(lines) + "\n"


def generate(seed: int, name: str | None = None, arch: str = "AArch64",
             threads: int | None = None, ops: int | Sequence[int] | None = None) -> str:  # fmt: skip
    """One random test as herd text, the same for the same seed (and arch); `threads` fixes
    the number of threads (else 2-3), `ops` the operations per thread (a number, or the
    choices to draw from for each thread; else 1-4)."""
    rng = random.Random(seed)
    return _Builder(rng.choice, name or f"GEN{seed}", arch, threads, ops).build()


def generate_many(count: int, seed: int = 0, arch: str = "AArch64",
                  threads: int | None = None) -> list[str]:  # fmt: skip
    prefix = flavour_of(arch).prefix
    return [generate(seed * 1_000_003 + i, f"{prefix}{seed}-{i}", arch, threads)
            for i in range(count)]  # fmt: skip


def litmus_texts(arch: str = "AArch64"):
    """A hypothesis strategy of herd texts (shrinks toward fewer threads and operations)."""
    from hypothesis import strategies as st

    @st.composite
    def texts(draw) -> str:
        pick = lambda options: draw(st.sampled_from(list(options)))  # noqa: E731
        return _Builder(pick, "HYP", arch).build()

    return texts()
