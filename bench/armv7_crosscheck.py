"""Cross-check, offline: the operational `armv7` model against the arm.cat checker.

    .venv/bin/python bench/armv7_crosscheck.py [--count N] [--seed S] [--start K] [--limit SEC]

Generates N A32 tests (fencelab/gen/arm_shapes.py: two in three decorated WRC / IRIW / ISA2 /
R / S / ... shapes, one in three free-form on 2-4 threads), runs each exhaustively under both,
and prints one line per test (threads, outcomes, both times) and every disagreement in full. A
test either side cannot finish within --limit seconds is reported as skipped, never counted as
agreeing. Summary at the end: tests, agreements, disagreements, skipped, by thread count and
by feature (dependencies, DMB kinds, ISB, exclusives).
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import time
from collections import Counter

from fencelab.gen.arm_shapes import generate_many_a32
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state
from fencelab.machine.explore import exhaustive
from fencelab.machine.machine import Machine
from fencelab.models.axiomatic.arm import run_axiomatic
from fencelab.models.registry import get_model
from fencelab.program.load import load


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def _timed(fn, limit: float):
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    started = time.perf_counter()
    try:
        return fn(), time.perf_counter() - started
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


# what a generated test exercises, for the summary (the generator's own spellings)
FEATURES = {
    "addr": r"\[R\d+,R8\]",
    "data": r"STR R8,",
    "ctrl": r"CMP R\d+,R\d+",
    "DMB": r"\bDMB\s*(;|\|)",
    "DMB ST": r"DMB ST",
    "DSB": r"\bDSB",
    "ISB": r"\bISB",
    "exclusives": r"LDREX|STREX",
}


def _features(text: str) -> list[str]:
    return [name for name, pattern in FEATURES.items() if re.search(pattern, text)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--limit", type=float, default=300.0)
    args = ap.parse_args()
    tally: Counter = Counter()
    by_threads: Counter = Counter()
    by_feature: Counter = Counter()
    for i, text in enumerate(generate_many_a32(args.count, args.seed)):
        if i < args.start:
            continue
        program = load(parse_text(text))
        n = len(program.threads)
        try:
            op, t_op = _timed(lambda p=program: exhaustive(Machine(p, get_model("armv7").new())),
                              args.limit)  # fmt: skip
            ax, t_ax = _timed(lambda p=program: run_axiomatic(p, "armv7"), args.limit)
        except _Timeout:
            tally["skipped"] += 1
            print(f"{i} {program.test.name} threads={n} SKIPPED (over {args.limit:.0f} s)",
                  flush=True)  # fmt: skip
            continue
        same = op.outcome_set() == ax.outcome_set() and not op.budget_exhausted
        tally["agree" if same else "disagree"] += 1
        by_threads[(n, same)] += 1
        for feature in _features(text):
            by_feature[(feature, same)] += 1
        print(f"{i} {program.test.name} threads={n} outcomes={len(op.states)} "
              f"op={t_op:.2f}s ax={t_ax:.2f}s {'ok' if same else 'DISAGREE'}",
              flush=True)  # fmt: skip
        if not same:
            print(text)
            for o in sorted(op.outcome_set() - ax.outcome_set(), key=format_state):
                print("  only operational:", format_state(o))
            for o in sorted(ax.outcome_set() - op.outcome_set(), key=format_state):
                print("  only arm.cat:    ", format_state(o))
            if op.budget_exhausted:
                print("  operational hit the step budget")
    total = sum(tally.values())
    print(f"\n{total} tests: {tally['agree']} agree, {tally['disagree']} disagree, "
          f"{tally['skipped']} skipped")  # fmt: skip
    for threads in sorted({t for t, _ in by_threads}):
        print(f"  {threads} threads: {by_threads[(threads, True)]} agree, "
              f"{by_threads[(threads, False)]} disagree")  # fmt: skip
    for feature in FEATURES:
        print(f"  with {feature}: {by_feature[(feature, True)]} agree, "
              f"{by_feature[(feature, False)]} disagree")  # fmt: skip
    return 1 if tally["disagree"] else 0


if __name__ == "__main__":
    sys.exit(main())
