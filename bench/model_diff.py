"""Differential runs on fresh seeds: operational vs axiomatic twins, and the default scheme's check.

    .venv/bin/python bench/model_diff.py SUITE [--seed 7001] [--count 100] [--timeout 20]

SUITE (each generates `--count` tests of each kind from `--seed`, fencelab/gen):
- `x86`: random loop-free x86_64 tests (families.py) and diy7-style cycles (cycles.py), each
  under `tso` vs `tso-axiomatic` and `sc` vs `sc-axiomatic`;
- `aarch64`: random AArch64 tests (random_tests.py) and cycles, `arm` vs `arm-axiomatic` and
  `sc` vs `sc-axiomatic`;
- `a32`: A32 shapes and random tests (arm_shapes.py) and ARM cycles, `aarch32` vs `arm-axiomatic`;
- `x86-wide`, `aarch64-wide`: `2 * count` tests of this file's own mixes, of what fencelab/gen
  does not draw (x86: byte and half-word parts of a word, LFENCE/SFENCE, LOCK CMPXCHG, locked
  ALU and bit operations; AArch64: LD<op>/ST<op> of every kind, CAS, LDAXR/STLXR, dependencies
  before any of them), the same pairs as `x86` and `aarch64`;
- `c`: random C tests (families.py) and C cycles, `fencelab check`'s checker with the default
  scheme on every target against the default source model (c11): any UNSOUND or error is a
  finding (racy and partial checks are counted apart).
Every comparison runs in this process through fencelab.pipeline, the test given at most
`--timeout` seconds (then counted as a timeout, not compared). Prints each disagreement (the
outcomes only one side has, and the test), then the counts; exits 1 if anything disagreed.
bench/x86_equivalence.py, aarch64_same.py and mixed_crosscheck.py compare on fixed seeds;
this is for new ones.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
from collections import Counter

from fencelab.checker.core import Checker
from fencelab.errors import FencelabError
from fencelab.gen import cycles, random_tests
from fencelab.gen.arm_shapes import generate_many_a32
from fencelab.gen.families import generate_many
from fencelab.isa.registry import TARGETS
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_outcome
from fencelab.lowering.table import get_scheme
from fencelab.pipeline import Pipeline, RunOptions

PAIRS = {
    "x86": (("tso", "tso-axiomatic"), ("sc", "sc-axiomatic")),
    "aarch64": (("arm", "arm-axiomatic"), ("sc", "sc-axiomatic")),
    "a32": (("aarch32", "arm-axiomatic"),),
}
PAIRS["x86-wide"] = PAIRS["x86"]
PAIRS["aarch64-wide"] = PAIRS["aarch64"]


def texts(suite: str, count: int, seed: int) -> list[tuple[str, str]]:
    """(name, herd text) of the suite's generated tests."""
    if suite == "x86":
        made = [*generate_many("x86_64", count, seed), *cycles.generate_many("x86_64", count, seed)]
    elif suite == "aarch64":
        made = [*random_tests.generate_many(count, seed),
                *cycles.generate_many("AArch64", count, seed)]  # fmt: skip
    elif suite == "x86-wide":
        made = [x86_wide(seed * 1_000_003 + i) for i in range(2 * count)]
    elif suite == "aarch64-wide":
        made = [aarch64_wide(seed * 1_000_003 + i) for i in range(2 * count)]
    elif suite == "a32":
        made = [*generate_many_a32(count, seed), *cycles.generate_many("ARM", count, seed)]
    else:
        made = [*generate_many("C", count, seed), *cycles.generate_many("C", count, seed)]
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

def x86_wide(seed, name=None):
    rng = random.Random(seed)
    locs = ["x", "y"][: rng.choice((1, 2, 2))]
    base = {"x": "r8", "y": "r9"}
    init, threads, terms, v = [f"uint32_t {loc};" for loc in locs], [], [], 0
    for tid in range(rng.choice((2, 2, 3))):
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


A64_RMW = ("LDCLR", "LDSET", "LDEOR", "LDSMAX", "LDUMIN", "LDADD", "SWP")
A64_ORD = ("", "A", "L", "AL")

def aarch64_wide(seed, name=None):
    rng = random.Random(seed)
    locs = ["x", "y", "z"][: rng.choice((2, 2, 3))]
    base = {"x": 10, "y": 11, "z": 12}
    init, threads, terms, v = [], [], [], 0
    for tid in range(rng.choice((2, 2, 3))):
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


class Timeout(BaseException):  # not an Exception: nothing in fencelab may catch it
    pass


def _alarm(*_):
    raise Timeout


def _outcomes(result) -> set[str]:
    return {format_outcome(o) for o in result.outcome_set()}


def compare_models(name: str, text: str, pairs, tally: Counter) -> bool:
    """Each pair's outcome sets on one test; prints a disagreement. True if any."""
    differ = False
    for operational, axiomatic in pairs:
        got = {}
        for model in (operational, axiomatic):
            result = Pipeline().run(parse_text(text, name), RunOptions.named(model=model,
                                                                             counts=False))
            if result.partial or result.budget_exhausted:
                tally["partial or budget"] += 1
                break
            got[model] = _outcomes(result)
        else:
            tally[f"{operational} vs {axiomatic}"] += 1
            if got[operational] != got[axiomatic]:
                differ = True
                print(f"DIFFER {name}: {operational} vs {axiomatic}\n"
                      f"  only {operational}: {sorted(got[operational] - got[axiomatic])}\n"
                      f"  only {axiomatic}: {sorted(got[axiomatic] - got[operational])}\n{text}",
                      flush=True)  # fmt: skip
    return differ


def check_default(name: str, text: str, tally: Counter, checker: Checker) -> bool:
    """The default scheme on every target; prints an UNSOUND or error check. True if any."""
    test = parse_text(text, name)
    bad = False
    for target in TARGETS.values():
        check = checker.check(test, target, get_scheme("default"))
        tally[check.verdict] += 1
        if check.verdict in ("UNSOUND", "error"):
            bad = True
            extra = "; ".join(format_outcome(e.outcome) for e in check.extra)
            print(f"{check.verdict} {name} on {target.name} ({check.hardware_model}): "
                  f"{check.error or extra}\n{text}", flush=True)  # fmt: skip
    return bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("suite", choices=(*PAIRS, "c"))
    ap.add_argument("--seed", type=int, default=7001)
    ap.add_argument("--count", type=int, default=100, help="tests of each generator")
    ap.add_argument("--timeout", type=int, default=20, help="seconds a test may take")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGALRM, _alarm)
    tally: Counter = Counter()
    checker = Checker()
    found = 0
    started = time.monotonic()
    for name, text in texts(args.suite, args.count, args.seed):
        signal.alarm(args.timeout)
        try:
            if args.suite == "c":
                found += check_default(name, text, tally, checker)
            else:
                found += compare_models(name, text, PAIRS[args.suite], tally)
            tally["tests"] += 1
        except Timeout:
            tally["timeout"] += 1
        except FencelabError as e:
            tally["refused"] += 1
            print(f"refused {name}: {str(e).splitlines()[0]}", flush=True)
        finally:
            signal.alarm(0)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(tally.items()))
    print(f"{args.suite} seed {args.seed} count {args.count}: {found} with a finding; {counts}; "
          f"{time.monotonic() - started:.0f} s")  # fmt: skip
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
