"""Random loop-free litmus tests for every family fencelab runs: x86_64, AArch64, ARM and C.

`generate(family, seed, threads, ops)` gives herd text, the same for the same arguments;
`threads` (2-4) and `ops` (operations per thread) are drawn when not given, in the proportions
of diy7's catalogues of cycles (2-4 threads, mostly 2-3; 1-3 operations a thread, mostly 2). AArch64 and ARM come from fencelab/gen/random_tests.py; x86_64 and C
are built here, in the same spirit: every store writes a fresh value, and the condition names
every register a load wrote and every location's final value, so outcome sets compare whole.

    x86_64   movl $v,(x) | movl (x),%exx | mfence | xchgl %exx,(x) | lock xaddl %exx,(x)
    C        atomic_store/load/exchange/fetch_add_explicit and atomic_thread_fence, any valid
             memory order

They feed the benchmarks (bench/speed.py) and the reduced-vs-unreduced comparisons.
"""

from __future__ import annotations

import random

from fencelab.gen.random_tests import generate as generate_arm

FAMILIES = ("x86_64", "AArch64", "ARM", "C")
LOCATIONS = ("x", "y", "z")
X86_REGS = ("ax", "bx", "cx", "dx", "si", "di")  # %eXX receives loads, %rXX initialises RMWs
C_LOAD_ORDERS = ("relaxed", "acquire", "seq_cst")
C_STORE_ORDERS = ("relaxed", "release", "seq_cst")
C_RMW_ORDERS = ("relaxed", "acquire", "release", "acq_rel", "seq_cst")
C_FENCE_ORDERS = ("acquire", "release", "acq_rel", "seq_cst")
THREADS = (2, 2, 3, 3, 4)
OPS = (1, 2, 2, 2, 3)


def generate(family: str, seed: int, threads: int | None = None, ops: int | None = None,
             name: str | None = None) -> str:  # fmt: skip
    """One random loop-free test of `family` (see FAMILIES) as herd text."""
    rng = random.Random(seed)
    threads = threads or rng.choice(THREADS)
    ops = ops or OPS
    name = name or f"GEN-{family}-{seed}"
    if family in ("AArch64", "ARM"):
        return generate_arm(seed, name, family, threads, ops)
    if family == "x86_64":
        return _x86(rng, name, threads, ops)
    if family == "C":
        return _c(rng, name, threads, ops)
    raise ValueError(f"no generator for {family!r}; valid: {', '.join(FAMILIES)}")


def generate_many(family: str, count: int, seed: int = 0, threads: int | None = None,
                  ops: int | None = None) -> list[str]:  # fmt: skip
    return [generate(family, seed * 1_000_003 + i, threads, ops, f"GEN-{family}-{seed}-{i}")
            for i in range(count)]  # fmt: skip


class _Values:
    def __init__(self) -> None:
        self.counter = 0
        self.written: dict[str, list[int]] = {}

    def fresh(self, loc: str) -> int:
        self.counter += 1
        self.written.setdefault(loc, []).append(self.counter)
        return self.counter

    def final(self, rng: random.Random, loc: str) -> int:
        return rng.choice((0, *self.written.get(loc, ())))


def _count(rng: random.Random, ops: int | tuple[int, ...]) -> int:
    return ops if isinstance(ops, int) else rng.choice(ops)


def _x86(rng: random.Random, name: str, n: int, ops) -> str:
    locs = LOCATIONS[: rng.choice((2, 2, 3))]
    values = _Values()
    columns, inits, terms = [], [], []
    for tid in range(n):
        rows, used = [], 0
        for _ in range(_count(rng, ops)):
            op = rng.choice(("store", "store", "load", "load", "mfence", "xchg", "xadd"))
            loc = rng.choice(locs)
            if op == "store":
                rows.append(f"movl ${values.fresh(loc)},({loc})")
            elif op == "mfence":
                rows.append("mfence")
            elif used == len(X86_REGS):
                rows.append(f"movl ${values.fresh(loc)},({loc})")
            else:
                reg = X86_REGS[used]
                used += 1
                terms.append(f"{tid}:r{reg}={rng.choice((0, 1))}")
                if op == "load":
                    rows.append(f"movl ({loc}),%e{reg}")
                else:  # xchg stores a fresh value; xadd adds 1 (writes a value seen before)
                    value = values.fresh(loc) if op == "xchg" else 1
                    inits.append(f"{tid}:r{reg}={value};")
                    rows.append(f"xchgl %e{reg},({loc})" if op == "xchg"
                                else f"lock xaddl %e{reg},({loc})")  # fmt: skip
        columns.append(rows)
    terms += [f"[{loc}]={values.final(rng, loc)}" for loc in locs]
    # herd refuses a condition naming a location nothing before it names: declare those
    unnamed = [loc for loc in locs if not any(f"({loc})" in r for rows in columns for r in rows)]
    inits += [f"{loc}=0;" for loc in unnamed]
    return _herd_table("X86_64", name, " ".join(inits), columns, terms)


def _herd_table(arch: str, name: str, init: str, columns: list[list[str]], terms) -> str:
    width = max(len(r) for tid, rows in enumerate(columns) for r in (*rows, f"P{tid}")) + 1
    lines = [f"{arch} {name}", "{", init, "}"]
    lines.append(" " + " | ".join(f"P{t}".ljust(width) for t in range(len(columns))) + " ;")
    for i in range(max(len(rows) for rows in columns)):
        cells = [(rows[i] if i < len(rows) else "").ljust(width) for rows in columns]
        lines.append(" " + " | ".join(cells) + " ;")
    lines.append("exists (" + " /\\ ".join(terms) + ")")
    return "\n".join(lines) + "\n"


def _c(rng: random.Random, name: str, n: int, ops) -> str:
    locs = LOCATIONS[: rng.choice((2, 2, 3))]
    values = _Values()
    params = ", ".join(f"atomic_int* {loc}" for loc in locs)
    lines = [f"C {name}", "{", *(f" atomic_int {loc}=0;" for loc in locs), "}", ""]
    terms = []
    for tid in range(n):
        body, regs = [], 0
        for _ in range(_count(rng, ops)):
            op = rng.choice(("store", "store", "load", "load", "fence", "exchange", "fetch_add"))
            loc = rng.choice(locs)
            if op == "store":
                order = rng.choice(C_STORE_ORDERS)
                body.append(f"atomic_store_explicit({loc}, {values.fresh(loc)}, "
                            f"memory_order_{order});")  # fmt: skip
            elif op == "fence":
                body.append(f"atomic_thread_fence(memory_order_{rng.choice(C_FENCE_ORDERS)});")
            else:
                reg = f"r{regs}"
                regs += 1
                terms.append(f"{tid}:{reg}={rng.choice((0, 1))}")
                if op == "load":
                    call = f"atomic_load_explicit({loc}, memory_order_{rng.choice(C_LOAD_ORDERS)})"
                else:
                    value = values.fresh(loc) if op == "exchange" else 1
                    order = rng.choice(C_RMW_ORDERS)
                    call = f"atomic_{op}_explicit({loc}, {value}, memory_order_{order})"
                body.append(f"int {reg} = {call};")
        lines += [f"P{tid} ({params}) {{", *(f"  {s}" for s in body), "}", ""]
    terms += [f"[{loc}]={values.final(rng, loc)}" for loc in locs]
    lines.append("exists (" + " /\\ ".join(terms) + ")")
    return "\n".join(lines) + "\n"
