"""Differential runs on fresh seeds: operational vs axiomatic twins, and the lowering schemes' checks.

    .venv/bin/python bench/model_diff.py SUITE [--seed 7001] [--count 100] [--timeout 20]
                                         [--threads 2|3|4] [--scheme S,...|all]
                                         [--unreduced REDUCTION,...]

SUITE (each generates `--count` tests of each kind from `--seed`, fencelab/gen):
- `x86`: random loop-free x86_64 tests (families.py) and diy7-style cycles (cycles.py), each
  under `tso` vs `tso-axiomatic` and `sc` vs `sc-axiomatic`;
- `aarch64`: random AArch64 tests (random_tests.py) and cycles, `arm` vs `arm-axiomatic` and
  `sc` vs `sc-axiomatic`;
- `a32`: A32 shapes and random tests (arm_shapes.py) and ARM cycles, `aarch32` vs `arm-axiomatic`;
- `armv7`: the same tests, `armv7` vs `armv7-axiomatic` (arm.cat);
- `x86-wide`, `aarch64-wide`: `2 * count` tests of this file's own mixes, of what fencelab/gen
  does not draw (x86: byte and half-word parts of a word, LFENCE/SFENCE, LOCK CMPXCHG, locked
  ALU and bit operations; AArch64: LD<op>/ST<op> of every kind, CAS, LDAXR/STLXR, dependencies
  before any of them), the same pairs as `x86` and `aarch64`;
- `x86-bytes`: `2 * count` x86 tests of one 32-bit location read and written in bytes,
  half-words and words by 2-3 threads (loads taking their bytes from more than one place),
  the same pairs as `x86`;
- `aarch64-atoms`: `2 * count` AArch64 cycles (cycles.py) with other orders on their accesses
  (LDAPR, LDAR, STLR; SWP, LDADD and CAS, each plain, A, L or AL, for the cycle's SWP), the
  same pairs as `aarch64`;
- `armv7-wide`: `2 * count` ARM tests of predicated instructions (STREQ/STRNE, LDREQ/LDRNE,
  MOVEQ/MOVNE deciding a store's value or cutting an address dependency, after a CMP of a value
  read), `armv7` vs `armv7-axiomatic` and `aarch32` vs `arm-axiomatic`;
- `armv7-excl`: `2 * count` ARM tests of LDREX/STREX pairs (plain, fetch-add, and
  compare-and-swap without a loop: LDREX, CMP, STREXEQ) among plain accesses, barriers and
  dependencies, under the same pairs as `armv7-wide`;
- `c`: random C tests (families.py) and C cycles, `fencelab check`'s checker with `--scheme`
  (default `default`; `all`: every scheme but `tutorial`, each on the targets it is written for)
  against the default source model (c11): any UNSOUND or error is a finding (racy and partial
  checks are counted apart);
- `c-wide`: the same checks on `2 * count` C tests of this file's own mix (compare-exchange
  strong and weak with every valid pair of orders, fetch_sub/or/and/xor, fences of every order);
- `c-source`: the `c` tests and `count` of the `c-wide` mix under `rc11` and `c11` (rc11 without
  no-thin-air): rc11 may allow nothing c11 forbids, and the two must agree where fewer than two
  threads read before they write (no sb | rf cycle can form).
`--threads` fixes the number of threads of every test (the A32 shapes, of fixed sizes, give way
to free-form A32 tests of that many threads); by default it is drawn (2-4 threads).
Every comparison runs in this process through fencelab.pipeline, the test given at most
`--timeout` seconds (then counted as a timeout, not compared, and named with the model that was
running: `timeout NAME: MODEL (S s)`, S that model's share). `--unreduced` (the model suites)
runs each compared axiomatic twin again with those reductions off (fencelab/reduce.py), given
`--timeout` seconds of its own, and compares it with itself: a reduction may cut candidates,
never an outcome. Prints each disagreement (the outcomes only one side has, and the test),
then the counts; exits 1 if anything disagreed. A disagreement where the run said it might
(a `# Caution:` line, a known difference: `MemoryModel.cautions`) is one `CAUTIONED` line and
counted apart, not a finding.
bench/x86_equivalence.py, aarch64_same.py and mixed_crosscheck.py compare on fixed seeds;
this is for new ones.
"""

from __future__ import annotations

import argparse
import random
import re
import signal
import sys
import time
from collections import Counter

from fencelab import reduce
from fencelab.checker.core import Checker
from fencelab.errors import FencelabError
from fencelab.gen import cycles, random_tests
from fencelab.gen.arm_shapes import generate_many_a32
from fencelab.gen.families import generate_many
from fencelab.isa.registry import TARGETS
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state
from fencelab.lowering.schemes import SCHEME_NAMES
from fencelab.lowering.table import get_scheme
from fencelab.pipeline import Pipeline, RunOptions

PAIRS = {
    "x86": (("tso", "tso-axiomatic"), ("sc", "sc-axiomatic")),
    "aarch64": (("arm", "arm-axiomatic"), ("sc", "sc-axiomatic")),
    "a32": (("aarch32", "arm-axiomatic"),),
}
PAIRS["x86-wide"] = PAIRS["x86-bytes"] = PAIRS["x86"]
PAIRS["aarch64-wide"] = PAIRS["aarch64-atoms"] = PAIRS["aarch64"]
PAIRS["armv7"] = (("armv7", "armv7-axiomatic"),)
PAIRS["armv7-wide"] = (("armv7", "armv7-axiomatic"), ("aarch32", "arm-axiomatic"))
PAIRS["armv7-excl"] = PAIRS["armv7-wide"]
SOURCE_PAIR = ("rc11", "c11")  # the `c-source` suite's
SUITES = (*PAIRS, "c", "c-wide", "c-source")


def texts(suite: str, count: int, seed: int, threads: int | None = None) -> list[tuple[str, str]]:
    """(name, herd text) of the suite's generated tests; `threads` fixes their number of threads
    (the wide mixes' and the A32 shapes' own counts aside: those suites then draw free-form
    A32 tests and cycles of that many threads instead)."""
    if suite == "x86":
        made = [*generate_many("x86_64", count, seed, threads),
                *cycles.generate_many("x86_64", count, seed, threads)]  # fmt: skip
    elif suite == "aarch64":
        made = [*random_tests.generate_many(count, seed, "AArch64", threads),
                *cycles.generate_many("AArch64", count, seed, threads)]  # fmt: skip
    elif suite == "x86-wide":
        made = [x86_wide(seed * 1_000_003 + i, n_threads=threads) for i in range(2 * count)]
    elif suite == "x86-bytes":
        made = [x86_bytes(seed * 1_000_003 + i, n_threads=threads) for i in range(2 * count)]
    elif suite == "aarch64-wide":
        made = [aarch64_wide(seed * 1_000_003 + i, n_threads=threads) for i in range(2 * count)]
    elif suite == "aarch64-atoms":
        made = [a64_atoms(text, seed * 1_000_003 + i) for i, text in
                enumerate(cycles.generate_many("AArch64", 2 * count, seed, threads))]
    elif suite == "armv7-wide":
        made = [a32_predicated(seed * 1_000_003 + i, n_threads=threads) for i in range(2 * count)]
    elif suite == "armv7-excl":
        made = [a32_exclusive(seed * 1_000_003 + i, n_threads=threads) for i in range(2 * count)]
    elif suite in ("a32", "armv7"):
        shapes = (generate_many_a32(count, seed) if threads is None
                  else random_tests.generate_many(count, seed, "ARM", threads))  # fmt: skip
        made = [*shapes, *cycles.generate_many("ARM", count, seed, threads)]
    elif suite == "c-wide":
        made = [c_wide(seed * 1_000_003 + i, n_threads=threads) for i in range(2 * count)]
    else:
        made = [*generate_many("C", count, seed, threads),
                *cycles.generate_many("C", count, seed, threads)]  # fmt: skip
        if suite == "c-source":
            made += [c_wide(seed * 1_000_003 + i, n_threads=threads) for i in range(count)]
    return [(text.split("\n", 1)[0].split()[1], text) for text in made]


# -- the wide mixes: instructions the fencelab/gen generators do not draw

def _table(arch, name, init, threads, terms):
    height = max(len(t) for t in threads)
    w = max(len(r) for t in threads for r in t) + 1
    head = " | ".join(f"P{i}".ljust(w) for i in range(len(threads)))
    rows = [" " + " | ".join((t[i] if i < len(t) else "").ljust(w) for t in threads) + " ;"
            for i in range(height)]
    return "\n".join([f"{arch} {name}", "{", init, "}", f" {head} ;", *rows,
                      "exists (" + " /\\ ".join(terms) + ")"]) + "\n"

X86_LOAD_REGS = ("bx", "si", "di", "bp")

def x86_wide(seed, name=None, n_threads=None):
    rng = random.Random(seed)
    locs = ["x", "y"][: rng.choice((1, 2, 2))]
    base = {"x": "r8", "y": "r9"}
    n = n_threads or rng.choice((2, 2, 3))  # not given: drawn, the same tests as before
    init, threads, terms, v = [f"uint32_t {loc};" for loc in locs], [], [], 0
    for tid in range(n):
        rows, regs, cas = [], list(X86_LOAD_REGS), False
        init += [f"{tid}:{base[loc]}={loc};" for loc in locs]
        for _ in range(rng.choice((1, 2, 2, 3))):
            loc = rng.choice(locs)
            b = base[loc]
            k = rng.random()
            v += 1
            if k < 0.2:
                rows.append(f"movl ${v},({loc})")
            elif k < 0.3:
                off = rng.randrange(4)
                rows.append(f"movb ${v},{off}(%{b})")
            elif k < 0.35:
                off = rng.choice((0, 2))
                rows.append(f"movw ${v + 256 * rng.choice((0, 1))},{off}(%{b})")
            elif k < 0.45:
                rows.append(rng.choice(("mfence", "lfence", "sfence")))
            elif not regs:
                rows.append(f"movl ${v},({loc})")
            elif k < 0.6:
                r = regs.pop(0)
                rows.append(f"movl ({loc}),%e{r}" if rng.random() < 0.7
                            else f"movzbl {rng.randrange(4)}(%{b}),%e{r}")
                terms.append(f"{tid}:r{r}=0")
            elif k < 0.68:
                r = regs.pop(0)
                init.append(f"{tid}:r{r}={v};")
                rows.append(f"xchgl %e{r},({loc})")
                terms.append(f"{tid}:r{r}=0")
            elif k < 0.76:
                r = regs.pop(0)
                init.append(f"{tid}:r{r}={v};")
                rows.append(f"lock xaddl %e{r},({loc})")
                terms.append(f"{tid}:r{r}=0")
            elif k < 0.86 and not cas:
                r = regs.pop(0)
                cas = True
                init.append(f"{tid}:r{r}={v};")
                init.append(f"{tid}:rax={rng.choice((0, 0, v - 1, 1))};")
                rows.append(f"lock cmpxchgl %e{r},({loc})")
                terms.append(f"{tid}:rax=0")
            else:
                rows.append(rng.choice((f"lock addl ${v},({loc})", f"lock incl ({loc})",
                                        f"lock orl ${v},({loc})", f"lock btsl ${rng.randrange(8)},({loc})",
                                        f"lock addb $1,{rng.randrange(4)}(%{b})",
                                        f"lock decw {rng.choice((0, 2))}(%{b})")))
        threads.append(rows or ["mfence"])
    terms += [f"[{loc}]=0" for loc in locs]
    return _table("X86_64", name or f"X86W{seed}", " ".join(init), threads, terms)


def x86_bytes(seed, name=None, n_threads=None):
    """One 32-bit location accessed in bytes, half-words and words by 2-3 threads: loads that
    take their bytes from more than one place, and the cycles of x86tso-mixed.cat's
    `internal` through other cores' accesses (tso_internal.py)."""
    rng = random.Random(seed)
    n = n_threads or rng.choice((2, 2, 3))
    init, threads, terms, v = ["uint32_t x;"], [], [], 0
    for tid in range(n):
        rows, regs = [], list(X86_LOAD_REGS)
        init.append(f"{tid}:r8=x;")
        for _ in range(rng.choice((2, 2, 3))):
            k = rng.random()
            size = rng.choice((1, 2, 4))
            off = rng.randrange(0, 4, size)
            if k < 0.45 or not regs:
                v += 1
                value = v * 0x0101 if size > 1 else v
                suffix = {1: "b", 2: "w", 4: "l"}[size]
                rows.append(f"mov{suffix} ${value},{off}(%r8)")
            elif k < 0.9:
                r = regs.pop(0)
                load = {1: "movzbl", 2: "movzwl", 4: "movl"}[size]
                rows.append(f"{load} {off}(%r8),%e{r}")
                terms.append(f"{tid}:r{r}=0")
            elif k < 0.95:
                rows.append("mfence")
            else:
                v += 1
                rows.append(f"lock addb ${v},{rng.randrange(4)}(%r8)")
        threads.append(rows)
    terms.append("[x]=0")
    return _table("X86_64", name or f"X86B{seed}", " ".join(init), threads, terms)


A64_RMW = ("LDCLR", "LDSET", "LDEOR", "LDSMAX", "LDUMIN", "LDADD", "SWP")
A64_ORD = ("", "A", "L", "AL")

def aarch64_wide(seed, name=None, n_threads=None):
    rng = random.Random(seed)
    locs = ["x", "y", "z"][: rng.choice((2, 2, 3))]
    base = {"x": 10, "y": 11, "z": 12}
    n = n_threads or rng.choice((2, 2, 3))  # not given: drawn, the same tests as before
    init, threads, terms, v = [], [], [], 0
    for tid in range(n):
        rows, reg, last = [], 0, None
        init += [f"{tid}:X{base[loc]}={loc};" for loc in locs]
        for _ in range(rng.choice((1, 2, 2, 3))):
            loc = rng.choice(locs)
            b = f"X{base[loc]}"
            k = rng.random()
            v += 1
            if last is not None and rng.random() < 0.25:
                dep = rng.choice(("addr", "ctrl", "data"))
                if dep == "ctrl":
                    rows += [f"CBNZ W{last},L{tid}{len(rows)}", f"L{tid}{len(rows)}:"]
                    if rng.random() < 0.5:
                        rows.append("ISB")
                elif dep == "addr":
                    rows += [f"EOR X8,X{last},X{last}", f"ADD X9,{b},X8"]
                    b = "X9"
                else:
                    rows += [f"EOR W7,W{last},W{last}", f"ADD W7,W7,#{v}"]
                    rows.append(f"STR W7,[{b}]")
                    continue
            if k < 0.2:
                rows += [f"MOV W6,#{v}", f"{rng.choice(('STR', 'STLR'))} W6,[{b}]"]
            elif k < 0.3:
                rows.append(rng.choice(("DMB ISH", "DMB ISHLD", "DMB ISHST", "DSB SY", "ISB")))
            elif k < 0.5:
                rows.append(f"{rng.choice(('LDR', 'LDAR', 'LDAPR'))} W{reg},[{b}]")
                terms.append(f"{tid}:X{reg}=0")
                last, reg = reg, reg + 1
            elif k < 0.65:
                op = rng.choice(A64_RMW) + rng.choice(A64_ORD)
                rows += [f"MOV W6,#{v}", f"{op} W6,W{reg},[{b}]"]
                terms.append(f"{tid}:X{reg}=0")
                last, reg = reg, reg + 1
            elif k < 0.75:
                op = rng.choice(("STADD", "STADDL", "STCLR", "STSET", "STEORL"))
                rows += [f"MOV W6,#{v}", f"{op} W6,[{b}]"]
            elif k < 0.87:
                op = "CAS" + rng.choice(A64_ORD)
                rows += [f"MOV W{reg},#{rng.choice((0, 0, v - 1, 1))}", f"MOV W6,#{v}",
                         f"{op} W{reg},W6,[{b}]"]
                terms.append(f"{tid}:X{reg}=0")
                last, reg = reg, reg + 1
            else:
                ld, st = rng.choice((("LDXR", "STXR"), ("LDAXR", "STXR"), ("LDXR", "STLXR"),
                                     ("LDAXR", "STLXR")))
                rows += [f"{ld} W{reg},[{b}]", f"MOV W6,#{v}", f"{st} W{reg + 1},W6,[{b}]"]
                terms += [f"{tid}:X{reg}=0", f"{tid}:X{reg + 1}=0"]
                last, reg = reg, reg + 2
        threads.append(rows or ["DMB ISH"])
    terms += [f"[{loc}]=0" for loc in locs]
    return _table("AArch64", name or f"A64W{seed}", " ".join(init), threads, terms)


A64_CYCLE_LOAD = re.compile(r"^(LDA?R) (W\d+),\[(X\d+)\]$")  # no register offset
A64_CYCLE_STORE = re.compile(r"^(STL?R) (W\d+),\[(X\d+)\]$")
A64_CYCLE_SWP = re.compile(r"^SWP (W\d+),W(\d+),\[(X\d+)\]$")


def a64_atoms(text, seed):
    """A diy-style AArch64 cycle (fencelab/gen/cycles.py, which draws plain accesses, LDAR,
    STLR and a plain SWP) with its accesses given other orders: a load without a register
    offset becomes LDR, LDAR or LDAPR, a store STR or STLR, and the SWP one of SWP, LDADD and
    CAS, each plain, A, L or AL (the CAS expects the value the cycle's condition reads, so the
    cycle's own execution still succeeds; LDADD adds instead of writing: the condition's
    values are then not the cycle's, the outcome sets are still compared whole). Its name is
    `Q<seed>+` and the cycle's; its `Cycle=`/`Orig=` lines are still the plain cycle's."""
    rng = random.Random(seed)
    head, body = text.split("\n", 1)
    lines = body.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(" P0")) + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("exists"))
    init = {}  # thread -> rows to add to its initial state
    for i in range(start, end):
        cells = lines[i].rstrip()[:-1].split("|")
        for tid, cell in enumerate(cells):
            row = cell.strip()
            if m := A64_CYCLE_LOAD.match(row):
                row = f"{rng.choice(('LDR', 'LDAR', 'LDAPR', 'LDAPR'))} {m[2]},[{m[3]}]"
            elif m := A64_CYCLE_STORE.match(row):
                row = f"{rng.choice(('STR', 'STLR'))} {m[2]},[{m[3]}]"
            elif m := A64_CYCLE_SWP.match(row):
                op = rng.choice(("SWP", "LDADD", "CAS")) + rng.choice(A64_ORD)
                if op.startswith("CAS"):
                    read = re.search(rf"\b{tid}:X{m[2]}=(\d+)", lines[end])
                    init.setdefault(tid, []).append(f"{tid}:X{m[2]}={read[1] if read else 0};")
                    row = f"{op} W{m[2]},{m[1]},[{m[3]}]"
                else:
                    row = f"{op} {m[1]},W{m[2]},[{m[3]}]"
            cells[tid] = f" {row}".ljust(len(cell))
        lines[i] = "|".join(cells) + ";"
    for tid, rows in init.items():
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{tid}:"))
        lines[at] += " " + " ".join(rows)
    return f"{head.split()[0]} Q{seed}+{head.split()[1]}\n" + "\n".join(lines)


A32_CONDS = ("EQ", "NE")

def a32_predicated(seed, name=None, n_threads=None):
    """An ARM test whose threads decide, by the flags of a CMP of a value they read, whether a
    later STR, LDR or MOV runs (STREQ/LDRNE/MOVEQ...), mixed with plain accesses, DMB, DMB ST,
    ISB and address or data dependencies through or around the predicated instruction."""
    rng = random.Random(seed)
    locs = ["x", "y", "z"][: rng.choice((2, 2, 3))]
    base = {"x": 10, "y": 11, "z": 12}
    n = n_threads or rng.choice((2, 2, 3))
    init, threads, terms, v = [], [], [], 0
    for tid in range(n):
        rows, reg, last = [], 0, None
        init += [f"{tid}:R{base[loc]}={loc};" for loc in locs]
        for _ in range(rng.choice((1, 2, 2, 3))):
            loc = rng.choice(locs)
            b = f"R{base[loc]}"
            v += 1
            k = rng.random()
            if last is not None and k < 0.5:  # predicated on the last read's value
                cc = rng.choice(A32_CONDS)
                rows.append(f"CMP R{last},#{rng.choice((0, 1, 1, v - 1))}")
                kind = rng.choice(("str", "str", "ldr", "mov-str", "mov-addr", "str-data"))
                if kind == "str":
                    rows[-1:-1] = [f"MOV R9,#{v}"]
                    rows.append(f"STR{cc} R9,[{b}]")
                elif kind == "str-data":
                    rows.append(f"STR{cc} R{last},[{b}]")
                elif kind == "ldr":
                    rows.append(f"LDR{cc} R{reg},[{b}]")
                    terms.append(f"{tid}:R{reg}=0")
                    reg += 1
                elif kind == "mov-str":
                    if f"{tid}:R7=" not in " ".join(init):  # R7's value where the MOV fails
                        init.append(f"{tid}:R7={v};")
                    v += 1
                    rows += [f"MOV{cc} R7,{rng.choice((f'#{v}', f'R{last}'))}", f"STR R7,[{b}]"]
                else:  # an address dependency the MOV may cut
                    rows[-1:-1] = [f"EOR R8,R{last},R{last}"]
                    rows += [f"MOV{cc} R8,#0", f"LDR R{reg},[{b},R8]"]
                    terms.append(f"{tid}:R{reg}=0")
                    last, reg = reg, reg + 1
                if rng.random() < 0.3:
                    rows.append(rng.choice(("DMB", "ISB", "DMB ST")))
            elif k < 0.7:
                rows.append(f"LDR R{reg},[{b}]")
                terms.append(f"{tid}:R{reg}=0")
                last, reg = reg, reg + 1
            elif k < 0.78:
                rows.append(rng.choice(("DMB", "DMB ST", "ISB")))
            else:
                rows += [f"MOV R9,#{v}", f"STR R9,[{b}]"]
        threads.append(rows or ["DMB"])
    terms += [f"[{loc}]=0" for loc in locs]
    return _table("ARM", name or f"A32P{seed}", " ".join(init), threads, terms)


def a32_exclusive(seed, name=None, n_threads=None):
    """An ARM test of LDREX/STREX pairs on one location: plain, storing a value computed from
    the read (fetch-add), or compare-and-swap without a loop (LDREX, CMP with an expected
    value, STREXEQ: its status register keeps its initial 7 where the condition fails), mixed
    with plain loads and stores, DMB, DMB ST, ISB and address or control dependencies on the
    last value read (an exclusive's included)."""
    rng = random.Random(seed)
    locs = ["x", "y", "z"][: rng.choice((1, 2, 2, 3))]
    base = {"x": 10, "y": 11, "z": 12}
    n = n_threads or rng.choice((2, 2, 3))
    init, threads, terms, v = [], [], [], 0
    for tid in range(n):
        rows, reg, last = [], 0, None
        init += [f"{tid}:R{base[loc]}={loc};" for loc in locs]
        for _ in range(rng.choice((1, 2, 2, 3))):
            loc = rng.choice(locs)
            b = f"R{base[loc]}"
            v += 1
            k = rng.random()
            if last is not None and k < 0.25:  # a dependency on the last read, then an access
                if rng.random() < 0.5:
                    rows += [f"EOR R8,R{last},R{last}"]
                    b = f"R8,{b}"
                else:
                    rows += [f"CMP R{last},R{last}", f"BNE LC{tid}{len(rows)}", f"LC{tid}{len(rows)}:"]
                    if rng.random() < 0.3:
                        rows.append("ISB")
                k = rng.choice((0.3, 0.5, 0.9))
            if k < 0.4:
                rows.append(f"LDR R{reg},[{b}]")
                terms.append(f"{tid}:R{reg}=0")
                last, reg = reg, reg + 1
            elif k < 0.55:
                rows += [f"MOV R9,#{v}", f"STR R9,[{b}]"]
            elif k < 0.65:
                rows.append(rng.choice(("DMB", "DMB ST", "ISB")))
            elif "," in b:  # no exclusive with a register offset
                rows += [f"MOV R9,#{v}", f"STR R9,[{b}]"]
            else:
                kind = rng.choice(("plain", "add", "cas", "cas"))
                rows.append(f"LDREX R{reg},[{b}]")
                if kind == "plain":
                    rows.append(f"MOV R9,#{v}")
                elif kind == "add":
                    rows.append(f"ADD R9,R{reg},#{v}")
                else:
                    rows += [f"CMP R{reg},#{rng.choice((0, 0, 1, v - 1))}", f"MOV R9,#{v}"]
                    init.append(f"{tid}:R{reg + 1}=7;")
                rows.append(f"STREX{'EQ' if kind == 'cas' else ''} R{reg + 1},R9,[{b}]")
                terms += [f"{tid}:R{reg}=0", f"{tid}:R{reg + 1}=0"]
                last, reg = reg, reg + 2
            if rng.random() < 0.2:
                rows.append(rng.choice(("DMB", "DMB ST")))
        threads.append(rows or ["DMB"])
    terms += [f"[{loc}]=0" for loc in locs]
    return _table("ARM", name or f"A32X{seed}", " ".join(init), threads, terms)


C_ORDERS = ("relaxed", "acquire", "release", "acq_rel", "seq_cst")
C_FAILURES = {"relaxed": ("relaxed",), "release": ("relaxed",), "acquire": ("relaxed", "acquire"),
              "acq_rel": ("relaxed", "acquire"), "seq_cst": ("relaxed", "acquire", "seq_cst")}


def c_wide(seed, name=None, n_threads=None):
    """A C test of what fencelab/gen's C tests do not draw: compare-exchange (strong and weak,
    every valid pair of orders, expecting the initial value, a written one or a value never
    written), fetch_sub/or/and/xor, SC fences between them, loads and stores of any order."""
    rng = random.Random(seed)
    locs = ["x", "y", "z"][: rng.choice((1, 2, 2, 3))]
    n = n_threads or rng.choice((2, 2, 3))
    params = ", ".join(f"atomic_int* {loc}" for loc in locs)
    lines = [f"C {name or f'CW{seed}'}", "{", *(f" atomic_int {loc}=0;" for loc in locs), "}", ""]
    terms, v = [], 0
    for tid in range(n):
        body, r = [], 0
        for _ in range(rng.choice((1, 2, 2, 3))):
            loc = rng.choice(locs)
            v += 1
            k = rng.random()
            if k < 0.2:
                order = rng.choice(("relaxed", "release", "seq_cst"))
                body.append(f"atomic_store_explicit({loc}, {v}, memory_order_{order});")
            elif k < 0.4:
                order = rng.choice(("relaxed", "acquire", "seq_cst"))
                body.append(f"int r{r} = atomic_load_explicit({loc}, memory_order_{order});")
                terms.append(f"{tid}:r{r}=0")
                r += 1
            elif k < 0.5:
                order = rng.choice(("acquire", "release", "acq_rel", "seq_cst", "seq_cst"))
                body.append(f"atomic_thread_fence(memory_order_{order});")
            elif k < 0.75:
                ok = rng.choice(C_ORDERS)
                fail = rng.choice(C_FAILURES[ok])
                weak = rng.choice(("strong", "strong", "weak"))
                body += [f"int e{r} = {rng.choice((0, 0, v - 1, 99))};",
                         f"int r{r} = atomic_compare_exchange_{weak}_explicit({loc}, &e{r}, {v}, "
                         f"memory_order_{ok}, memory_order_{fail});"]  # fmt: skip
                terms += [f"{tid}:r{r}=0", f"{tid}:e{r}=0"]
                r += 1
            else:
                op = rng.choice(("sub", "or", "and", "xor", "add"))
                arg = {"sub": 1, "or": 1 << (v % 4), "and": rng.choice((0, 3)), "xor": v,
                       "add": v}[op]  # fmt: skip
                body.append(f"int r{r} = atomic_fetch_{op}_explicit({loc}, {arg}, "
                            f"memory_order_{rng.choice(C_ORDERS)});")  # fmt: skip
                terms.append(f"{tid}:r{r}=0")
                r += 1
        lines += [f"P{tid} ({params}) {{", *(f"  {b}" for b in body), "}", ""]
    lines.append("exists (" + " /\\ ".join(terms + [f"{loc}=0" for loc in locs]) + ")")
    return "\n".join(lines) + "\n"


class Timeout(BaseException):  # not an Exception: nothing in fencelab may catch it
    pass


class Alarm:
    """The per-test time limit (SIGALRM). A signal's handler runs between any two bytecodes;
    when that is the first line of a Unicorn hook's wrapper, before its `try`, ctypes prints
    "Exception ignored on calling ctypes callback" and drops the Timeout: the hook's work is
    skipped and the test runs on, unlimited (armv7-excl seed 9201: 172 s against a 60 s limit).
    So a rung alarm rings again each second until a Timeout gets through, and a test whose
    alarm rang is a timeout even if it finished: its result may miss a hook's effect."""

    def __init__(self) -> None:
        self.running = False
        self.rang = False

    def start(self, seconds: int) -> None:
        self.running, self.rang = True, False
        signal.alarm(seconds)

    def stop(self) -> None:
        self.running = False
        signal.alarm(0)

    def ring(self, *_) -> None:
        if not self.running:
            return  # rang again after the test ended
        self.rang = True
        signal.alarm(1)
        raise Timeout

    def check(self) -> None:
        """Before a result is used: raise Timeout if the alarm rang during it."""
        if self.rang:
            raise Timeout


ALARM = Alarm()


def _outcomes(result) -> set[str]:
    return {format_state(o) for o in result.outcome_set()}


RUNNING = {"model": None, "since": 0.0}  # what a timeout interrupted, for its line


def _run_model(name: str, text: str, model: str):
    RUNNING["model"], RUNNING["since"] = model, time.monotonic()
    return Pipeline().run(parse_text(text, name), RunOptions.named(model=model, counts=False))


def compare_models(name: str, text: str, pairs, tally: Counter, unreduced=(),
                   timeout: int = 0) -> bool:  # fmt: skip
    """Each pair's outcome sets on one test; prints a disagreement. True if any.

    `unreduced` (reduction names): each compared axiomatic twin runs again with those off,
    given `timeout` seconds of its own, and must give the same outcomes (a reduction may drop
    candidates, never an outcome); a run over the limit is counted, not compared."""
    differ = False
    for operational, axiomatic in pairs:
        got = {}
        cautions = ()
        for model in (operational, axiomatic):
            result = _run_model(name, text, model)
            if result.partial or result.budget_exhausted:
                tally["partial or budget"] += 1
                break
            got[model] = _outcomes(result)
            cautions = cautions or result.cautions
        else:
            ALARM.check()
            tally[f"{operational} vs {axiomatic}"] += 1
            if got[operational] != got[axiomatic] and cautions:
                tally[f"{operational} vs {axiomatic}: differ, the run said so"] += 1
                print(f"CAUTIONED {name}: {operational} vs {axiomatic} (# Caution: "
                      f"{cautions[0][:60]}...)", flush=True)  # fmt: skip
            elif got[operational] != got[axiomatic]:
                differ = True
                print(f"DIFFER {name}: {operational} vs {axiomatic}\n"
                      f"  only {operational}: {sorted(got[operational] - got[axiomatic])}\n"
                      f"  only {axiomatic}: {sorted(got[axiomatic] - got[operational])}\n{text}",
                      flush=True)  # fmt: skip
            if unreduced:
                differ |= _compare_unreduced(name, text, axiomatic, got[axiomatic], unreduced,
                                             tally, timeout)  # fmt: skip
    return differ


def _compare_unreduced(name, text, model, reduced, names, tally, timeout) -> bool:
    """`model` on the test with the reductions `names` off, against its `reduced` outcomes."""
    label = f"{model} vs --no-reduce {','.join(names)}"
    ALARM.stop()
    ALARM.start(timeout)
    reduce.set_disabled(names)
    try:
        result = _run_model(name, text, model)
        ALARM.check()
    except Timeout:
        tally[f"{label}: timeout"] += 1
        print(f"timeout {name}: {model} --no-reduce {','.join(names)}", flush=True)
        return False
    finally:
        reduce.enable_all()
        ALARM.stop()
        ALARM.start(timeout)  # the test's next pair: a time limit of its own
    if result.partial or result.budget_exhausted:
        tally[f"{label}: partial or budget"] += 1
        return False
    tally[label] += 1
    full = _outcomes(result)
    if full == reduced:
        return False
    print(f"DIFFER {name}: {label}\n  only reduced: {sorted(reduced - full)}\n"
          f"  only unreduced: {sorted(full - reduced)}\n{text}", flush=True)
    return True


LIMIT_REFUSALS = ("cannot enumerate", "gives up")  # the source model's and checker's limits


def check_schemes(name: str, text: str, schemes, tally: Counter, checker: Checker) -> bool:
    """Each scheme on every target it is written for; prints an UNSOUND or error check.
    True if any."""
    test = parse_text(text, name)
    bad = False
    for scheme in schemes:
        for target in TARGETS.values():
            if not scheme.covers(target):
                continue
            check = checker.check(test, target, scheme)
            ALARM.check()
            if check.verdict == "error" and any(w in check.error for w in LIMIT_REFUSALS):
                tally["refused (a limit)"] += 1  # one line, as a user meets it: not a finding
                continue
            tally[check.verdict] += 1
            if check.verdict in ("UNSOUND", "error"):
                bad = True
                extra = "; ".join(format_state(e.outcome) for e in check.extra)
                print(f"{check.verdict} {name}: {scheme.name} on {target.name} "
                      f"({check.hardware_model}): {check.error or extra}\n{text}", flush=True)  # fmt: skip
    return bad


def _reads_then_writes(body: str) -> bool:
    """Does a (generated) C thread read and then write, an RMW included: the sb; rf cycles that
    rc11's no-thin-air forbids and c11 allows go through two such threads at least."""
    read = False
    for line in body.splitlines():
        rmw = "exchange" in line or "fetch_" in line
        if (read or rmw) and ("store" in line or rmw):
            return True
        read = read or "load" in line or rmw
    return False


def compare_sources(name: str, text: str, tally: Counter) -> bool:
    """`rc11` against `c11`, which is rc11 without no-thin-air (acyclic sb | rf): rc11 allows
    no outcome c11 forbids, and where fewer than two threads read before they write no
    execution has such a cycle, so they must agree. Prints a disagreement; True if any."""
    got = {}
    for model in SOURCE_PAIR:
        result = Pipeline().run(parse_text(text, name), RunOptions.named(model=model,
                                                                         counts=False))
        if result.partial or result.budget_exhausted:
            tally["partial or budget"] += 1
            return False
        got[model] = _outcomes(result)
    ALARM.check()
    bodies = re.findall(r"^P\d+ \(.*?^}", text, re.M | re.S)
    may_differ = sum(map(_reads_then_writes, bodies)) >= 2
    tally["c11 vs rc11" + (" (sb; rf cycles possible)" if may_differ else "")] += 1
    strict, loose = got["rc11"], got["c11"]
    if strict <= loose and (may_differ or strict == loose):
        tally["c11 looser" if strict != loose else "c11 = rc11"] += 1
        return False
    print(f"DIFFER {name}: rc11 vs c11 (sb; rf cycles {'possible' if may_differ else 'none'})\n"
          f"  only rc11: {sorted(strict - loose)}\n  only c11: {sorted(loose - strict)}\n{text}",
          flush=True)  # fmt: skip
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("suite", choices=SUITES)
    ap.add_argument("--seed", type=int, default=7001)
    ap.add_argument("--count", type=int, default=100, help="tests of each generator")
    ap.add_argument("--timeout", type=int, default=20, help="seconds a test may take")
    ap.add_argument("--threads", type=int, choices=(2, 3, 4),
                    help="threads of every test (default: drawn, 2-4)")
    ap.add_argument("--unreduced", default="", metavar="NAME,...",
                    help="model suites: also run each compared axiomatic twin with these "
                         "reductions off (fencelab/reduce.py) and compare")
    ap.add_argument("--scheme", default="default",
                    help="`c`: schemes to check, S,S,... or all (every one but tutorial)")
    args = ap.parse_args(argv)
    names = ([n for n in SCHEME_NAMES if n != "tutorial"] if args.scheme == "all"
             else args.scheme.split(","))  # fmt: skip
    schemes = [get_scheme(n) for n in names]
    signal.signal(signal.SIGALRM, ALARM.ring)
    tally: Counter = Counter()
    checker = Checker()
    found = 0
    started = time.monotonic()
    unreduced = reduce.check([args.unreduced]) if args.unreduced else []
    for name, text in texts(args.suite, args.count, args.seed, args.threads):
        RUNNING["model"] = None
        ALARM.start(args.timeout)
        try:
            try:
                if args.suite in ("c", "c-wide"):
                    found += check_schemes(name, text, schemes, tally, checker)
                elif args.suite == "c-source":
                    found += compare_sources(name, text, tally)
                else:
                    found += compare_models(name, text, PAIRS[args.suite], tally, unreduced,
                                            args.timeout)  # fmt: skip
                tally["tests"] += 1
            except Timeout:
                tally["timeout"] += 1
                if RUNNING["model"] is not None:  # which model ran out of time, for how long
                    print(f"timeout {name}: {RUNNING['model']} "
                          f"({time.monotonic() - RUNNING['since']:.0f} s)", flush=True)
            except FencelabError as e:
                tally["refused"] += 1
                print(f"refused {name}: {str(e).splitlines()[0]}", flush=True)
            finally:
                ALARM.stop()
        except Timeout:  # it rang as the test ended, before `stop` turned it off (armv7-excl
            ALARM.stop()  # seed 9102 ended there, its counts lost); it rings again 1 s later
    counts = ", ".join(f"{k} {v}" for k, v in sorted(tally.items()))
    print(f"{args.suite} seed {args.seed} count {args.count} threads {args.threads or 'drawn'}"
          f"{' schemes ' + ','.join(names) if args.suite in ('c', 'c-wide') else ''}: {found} with a finding; {counts}; "
          f"{time.monotonic() - started:.0f} s")  # fmt: skip
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
