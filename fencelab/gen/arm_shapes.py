"""Random A32 (herd ARM) litmus tests with the shapes where ARMv7 is not multicopy-atomic.

diy-style: a classic cycle shape (WRC, IRIW, ISA2, R, S, RWC, W+RWC, WWC, Z6.3, 3.LB, MP, SB,
LB, 2+2W; 2 to 4 threads), each access a plain LDR/STR or an exclusive (LDREX, or an
LDREX/STREX pair for a write), and between two consecutive accesses of a thread a random
decoration: nothing, an address, data or control dependency (with or without ISB), DMB (any
option), DMB ST, or ISB. `generate_many_a32` mixes these with the free-form random tests of
fencelab/gen/random_tests.py on 2 to 4 threads.

The condition is `exists` over every loaded register, every store-exclusive status and every
location's final value, so two engines' outcome sets can be compared whole.
"""

from __future__ import annotations

import random

from fencelab.gen.random_tests import BASE_REG, LOCATIONS, _Builder

# shape: per thread, its accesses ("W" or "R" and a location index)
SHAPES = {
    "MP": [["Wx", "Wy"], ["Ry", "Rx"]],
    "SB": [["Wx", "Ry"], ["Wy", "Rx"]],
    "LB": [["Rx", "Wy"], ["Ry", "Wx"]],
    "2+2W": [["Wx", "Wy"], ["Wy", "Wx"]],
    "R": [["Wx", "Wy"], ["Wy", "Rx"]],
    "S": [["Wx", "Wy"], ["Ry", "Wx"]],
    "WRC": [["Wx"], ["Rx", "Wy"], ["Ry", "Rx"]],
    "WWC": [["Wx"], ["Rx", "Wy"], ["Ry", "Wx"]],
    "RWC": [["Wx"], ["Rx", "Ry"], ["Wy", "Rx"]],
    "ISA2": [["Wx", "Wy"], ["Ry", "Wz"], ["Rz", "Rx"]],
    "W+RWC": [["Wx", "Wy"], ["Ry", "Rz"], ["Wz", "Rx"]],
    "Z6.3": [["Wx", "Wy"], ["Wy", "Wz"], ["Rz", "Rx"]],
    "3.LB": [["Rx", "Wy"], ["Ry", "Wz"], ["Rz", "Wx"]],
    "IRIW": [["Wx"], ["Rx", "Ry"], ["Wy"], ["Ry", "Rx"]],
    "IRRWIW": [["Wx"], ["Rx", "Ry"], ["Wy"], ["Ry", "Wx"]],
}
NON_MCA = ("WRC", "IRIW", "ISA2", "R", "S", "RWC", "W+RWC", "WWC", "Z6.3", "IRRWIW")
DECORATIONS = ("po", "addr", "data", "ctrl", "ctrl+isb", "dmb", "dmb.st", "isb")
DMBS = ("DMB", "DMB", "DMB ISH", "DSB")
DMB_STS = ("DMB ST", "DMB ST", "DMB ISHST")


class _Thread:
    def __init__(self, tid: int):
        self.tid = tid
        self.rows: list[str] = []
        self.next_reg = 0
        self.last_load: int | None = None
        self.observed: list[int] = []
        self.labels = 0

    def fresh(self) -> int:
        reg = self.next_reg
        self.next_reg += 1
        return reg


class _ShapeBuilder:
    def __init__(self, rng: random.Random, name: str):
        self.rng = rng
        self.name = name
        self.values: dict[str, list[int]] = {}
        self.counter = 0

    def value_for(self, loc: str) -> int:
        self.counter += 1
        self.values.setdefault(loc, []).append(self.counter)
        return self.counter

    def build(self, shape: str) -> str:
        accesses = SHAPES[shape]
        threads = [_Thread(t) for t in range(len(accesses))]
        locs = sorted({a[1] for row in accesses for a in row})
        for th, row in zip(threads, accesses):
            for k, acc in enumerate(row):
                deco = "po" if k == 0 else self.rng.choice(DECORATIONS)
                self.access(th, acc[0], acc[1], deco)
        return self.render(threads, locs)

    def access(self, th: _Thread, kind: str, loc: str, deco: str) -> None:
        last = th.last_load
        if deco in ("addr", "data", "ctrl", "ctrl+isb") and last is None:
            deco = "po"  # the previous access was a write: nothing to depend on
        if deco == "data" and kind == "R":
            deco = "addr"
        base = f"[R{BASE_REG[loc]}]"
        if deco == "dmb":
            th.rows.append(self.rng.choice(DMBS))
        elif deco == "dmb.st":
            th.rows.append(self.rng.choice(DMB_STS))
        elif deco == "isb":
            th.rows.append("ISB")
        elif deco == "addr":
            th.rows.append(f"EOR R8,R{last},R{last}")
            base = f"[R{BASE_REG[loc]},R8]"
        elif deco in ("ctrl", "ctrl+isb"):
            label = f"LC{th.tid}{th.labels}"
            th.labels += 1
            th.rows += [f"CMP R{last},R{last}", f"BNE {label}", f"{label}:"]
            if deco == "ctrl+isb":
                th.rows.append("ISB")
        exclusive = self.rng.random() < 0.15 and "," not in base
        if kind == "R":
            dest = th.fresh()
            th.rows.append(f"{'LDREX' if exclusive else 'LDR'} R{dest},{base}")
            th.observed.append(dest)
            th.last_load = dest
            return
        value = self.value_for(loc)
        if deco == "data":
            th.rows += [f"EOR R9,R{last},R{last}", f"ADD R9,R9,#{value}"]
        else:
            th.rows.append(f"MOV R9,#{value}")
        if exclusive:  # an LDREX/STREX pair around the write
            dest, status = th.fresh(), th.fresh()
            th.rows.insert(len(th.rows) - (2 if deco == "data" else 1), f"LDREX R{dest},{base}")
            th.rows.append(f"STREX R{status},R9,{base}")
            th.observed += [dest, status]
            th.last_load = dest
        else:
            th.rows.append(f"STR R9,{base}")
            th.last_load = None

    def render(self, threads: list[_Thread], locs: list[str]) -> str:
        names = [loc for loc in LOCATIONS if loc in locs]
        init = " ".join(f"{th.tid}:R{BASE_REG[loc]}={loc};" for th in threads for loc in names)
        width = max(len(r) for th in threads for r in (*th.rows, f"P{th.tid}")) + 1
        height = max(len(th.rows) for th in threads)
        lines = [f"ARM {self.name}", "{", init, "}"]
        lines.append(" " + " | ".join(f"P{th.tid}".ljust(width) for th in threads) + " ;")
        for i in range(height):
            cells = [(th.rows[i] if i < len(th.rows) else "").ljust(width) for th in threads]
            lines.append(" " + " | ".join(cells) + " ;")
        terms = [f"{th.tid}:R{r}={self.rng.choice((0, 1))}"
                 for th in threads for r in th.observed]  # fmt: skip
        terms += [f"[{loc}]={self.rng.choice((0, *self.values.get(loc, ())))}" for loc in names]
        lines.append("exists (" + " /\\ ".join(terms) + ")")
        return "\n".join(lines) + "\n"


def generate_shape(seed: int, name: str | None = None, shape: str | None = None) -> str:
    """One decorated classic shape, as herd ARM text (the same for the same seed); `name`
    gets the shape's name in front."""
    rng = random.Random(seed)
    shape = shape or rng.choice(list(SHAPES) + list(NON_MCA))  # non-MCA shapes twice as often
    return _ShapeBuilder(rng, f"{shape}+{name or seed}").build(shape)


def generate_many_a32(count: int, seed: int = 0) -> list[str]:
    """`count` A32 tests: two in three decorated shapes, one in three free-form on 2-4 threads."""
    out = []
    for i in range(count):
        s = seed * 1_000_003 + i
        if i % 3 == 2:
            rng = random.Random(s)
            out.append(_Builder(rng.choice, f"A32R{seed}-{i}", "ARM", threads=(2, 3, 3, 4)).build())
        else:
            out.append(generate_shape(s, f"A32G{seed}-{i}"))
    return out
