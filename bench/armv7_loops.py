"""Benchmark: the C and Rust examples compiled to armv7, exhaustively, under `armv7`.

    PYTHONPATH=. .venv/bin/python bench/armv7_loops.py [DIR ...] [--repeat N] [--model M] [--over S]
                                          [--save FILE] [--compare FILE] [--only GLOB]

Each test runs N times through the pipeline (compiled and loaded afresh each time, a fresh
model: nothing cached between runs); the best wall time is printed (the machine is shared:
the best of N is the least noisy), with the states explored and the outcome count. `--save`
writes every test's outcome set (and states, budget-exhausted runs) as JSON; `--compare`
checks the outcome sets against such a file and names every test whose set differs.
The examples with loops (spinlocks, ticket lock, seqlock, treiber, peterson, counter) are
the slow ones; README has the numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from fencelab.isa.registry import get_target
from fencelab.litmus.parser import parse_file
from fencelab.models.registry import get_model
from fencelab.pipeline import RunOptions, run_test


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", default=["examples/c", "examples/rust"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--model", default="armv7")
    ap.add_argument("--over", type=float, default=0.0, help="print only tests slower than this")
    ap.add_argument("--only", action="append", default=[], help="only files matching this glob")
    ap.add_argument("--save", help="write outcome sets to this JSON file")
    ap.add_argument("--compare", help="compare outcome sets with this JSON file")
    args = ap.parse_args(argv)
    files = sorted(
        f for d in args.dirs for f in Path(d).glob("*.litmus")
        if not args.only or any(f.match(g) for g in args.only)
    )  # fmt: skip
    options = RunOptions(target=get_target("armv7"), model=get_model(args.model))
    saved: dict[str, dict] = {}
    total = 0.0
    print(f"{'test':36} {'best s':>8} {'states':>8} {'outcomes':>8} {'budget':>6}")
    for f in files:
        test = parse_file(str(f))
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = run_test(test, options)
            best = min(best, time.perf_counter() - started)
        total += best
        outcomes = sorted(str(s.outcome) for s in result.states)
        saved[str(f)] = {"outcomes": outcomes, "states": result.explored_states,
                         "budget": result.budget_exhausted, "seconds": round(best, 3)}  # fmt: skip
        if best >= args.over:
            print(f"{str(f):36} {best:8.2f} {result.explored_states:8} {len(outcomes):8} "
                  f"{result.budget_exhausted:6}", flush=True)  # fmt: skip
    print(f"total (best of {args.repeat} each): {total:.1f} s")
    if args.save:
        Path(args.save).write_text(json.dumps(saved, indent=1, sort_keys=True))
    if args.compare:
        old = json.loads(Path(args.compare).read_text())
        differ = [f for f in saved if f in old and old[f]["outcomes"] != saved[f]["outcomes"]]
        for f in differ:
            print(f"DIFFERS {f}: before {old[f]['outcomes']}")
            print(f"        after  {saved[f]['outcomes']}")
        print(f"outcome sets compared: {len(saved)}; differing: {len(differ)}")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
