"""A rough guess of how long a test takes to explore, read from its text, without parsing it.

`Runner.map` starts the costliest tests first, so that a long test does not start last and run
alone while the other workers idle. The guess only orders work: it changes no result, and the
output keeps the order of the inputs. It costs a file read and a few regular expressions (the
process that prints does not parse the tests when workers do), and it is rough: exploration
grows with the interleavings of memory accesses, which the product over threads of (accesses +
1) stands for; on Arm, where a core may commit its writes ahead of executing them, with the
orders of each thread's writes ((writes + 1)! a thread), the coherence orders of each
location's writes (writes! a location, the location read from the initial state's registers)
and the two ways of each exclusive access (a store-exclusive may fail); scaled by what a state
costs under each architecture's model (bench/RESULTS.md: ARM under armv7 about 10 times
x86-TSO, AArch64 3 times) and by loops. On 400 generated ARM tests its ranks follow their CPU
times with a Spearman correlation of 0.89 (0.75 without coherence and exclusives; 300 AArch64:
0.88, 0.80), and on bench/speed.py's 100 generated tests of the four families it starts the
longest test (47th in input order, 60% of the work) first (sixth before).
"""

from __future__ import annotations

import math
import re

WEIGHT = {"ARM": 10.0, "AARCH64": 3.0}  # the others (x86, C, Rust): 1
LOOPS = 20.0  # a test with a loop (a label in asm; while/for/loop in C and Rust)
_HEADER = re.compile(r"\s*P0\s*[|;]")  # an asm test's table: ` P0 | P1 ;`
_TABLE = re.compile(r"^\s*P0\s*[|;]", re.MULTILINE)  # (where it starts in the text)
_SOURCE_THREAD = re.compile(r"\s*P\d+\b")  # a C/Rust thread: `P0 (atomic_int* x) {`, `P0 {`
_SOURCE_ACCESS = re.compile(r"atomic_\w+\s*\(|\.(?:load|store|swap|fetch_\w+|compare_exchange"
                            r"\w*)\s*\(|\*\s*\w+\s*=")  # fmt: skip
_SOURCE_LOOP = re.compile(r"\b(?:while|for|loop)\b")
_LABEL = re.compile(r"\w+:")
_ARM_WRITE = re.compile(r"ST|SWP|CAS|LD(?:ADD|CLR|EOR|SET|SMAX|SMIN|UMAX|UMIN)", re.IGNORECASE)
_EXCLUSIVE = re.compile(r"(?:LD|ST)(?:REX|A?XR|LXR)", re.IGNORECASE)  # LDREX, STXR, LDAXR, STLXR...
_ADDRESS = re.compile(r"\[\s*(\w+)")  # the register (or location) an access is made through
_INIT = re.compile(r"(\d+)\s*:\s*(\w+)\s*=\s*([A-Za-z_]\w*)")  # `0:R10=x`: R10 holds &x


def estimate(path: str) -> float:
    """The guessed cost of the test in `path` (0 when it cannot be read: its error is quick)."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            return estimate_text(f.read(1 << 20))
    except OSError:
        return 0.0


def estimate_text(text: str) -> float:
    words = text.split(None, 1)
    arch = words[0].upper() if words else ""
    threads, source = _threads(text.splitlines())
    if source:
        accesses = [sum(len(_SOURCE_ACCESS.findall(line)) for line in t) for t in threads]
        loops = any(_SOURCE_LOOP.search(line) for t in threads for line in t)
        orders = 1
    else:
        accesses = [sum(1 for cell in t if "[" in cell or "(" in cell) for t in threads]
        loops = any(_LABEL.match(cell) for t in threads for cell in t)
        writes = [[cell for cell in t if "[" in cell and _ARM_WRITE.match(cell)] for t in threads]
        orders = math.prod(float(math.factorial(min(len(w), 30) + 1)) for w in writes)
        if any(writes):  # (Arm's)
            exclusives = sum(1 for t in threads for cell in t if _EXCLUSIVE.match(cell))
            orders *= _coherence(text, writes) * 2.0 ** min(exclusives, 60)
    return (WEIGHT.get(arch, 1.0) * math.prod(float(a + 1) for a in accesses) * orders
            * (LOOPS if loops else 1))  # fmt: skip


def _coherence(text: str, writes: list[list[str]]) -> float:
    """The orders of each location's writes (Arm's, by the registers holding its address in
    the initial state): the coherence orders the model may choose between."""
    header = _TABLE.search(text)
    init = text[:header.start()] if header else ""
    holds = {(int(t), reg.upper()): loc for t, reg, loc in _INIT.findall(init)}
    per: dict[str, int] = {}
    for thread, cells in enumerate(writes):
        for cell in cells:
            found = _ADDRESS.search(cell)
            reg = found.group(1).upper() if found else "?"
            loc = holds.get((thread, reg), reg)
            per[loc] = per.get(loc, 0) + 1
    return math.prod(float(math.factorial(min(n, 30))) for n in per.values())


def _threads(lines: list[str]) -> tuple[list[list[str]], bool]:
    """Each thread's instructions (asm: the cells of its column) or lines (C, Rust), and
    whether the test is a source test."""
    for i, line in enumerate(lines):
        if _HEADER.match(line):
            columns: list[list[str]] = []
            for row in lines[i + 1:]:
                if not row.rstrip().endswith(";"):
                    break
                cells = row.rstrip().rstrip(";").split("|")
                columns += [[] for _ in range(len(cells) - len(columns))]
                for column, cell in zip(columns, cells):
                    if cell.strip():
                        column.append(cell.strip())
            return columns, False
    threads: list[list[str]] = []
    for line in lines:
        if _SOURCE_THREAD.match(line):
            threads.append([])
        elif threads:
            threads[-1].append(line)
    return threads, True
