"""Benchmark: every ARM test of a folder under `armv7` and under `aarch32`, exhaustively.

    .venv/bin/python bench/armv7_vs_aarch32.py [DIR ...] [--repeat N]

Each test is explored N times (process time: the machine is shared) under each model, alternating (the machine is shared, so a
burst of load hits both); a fresh model each time (no cached certification), the Unicorn cores
warmed once before. Prints the median times, states explored and the ratio armv7 / aarch32.
Target (README): no test in examples/arm over 3x.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from fencelab.litmus.parser import parse_file
from fencelab.machine.explore import exhaustive
from fencelab.machine.machine import Machine
from fencelab.models.registry import get_model
from fencelab.program.load import load

MODELS = ("aarch32", "armv7")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="*", default=["examples/arm"])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    files = sorted(f for d in args.dirs for f in Path(d).glob("*.litmus"))
    worst = 0.0
    print(f"{'test':28} {'aarch32 ms':>11} {'states':>7} {'armv7 ms':>10} {'states':>7} {'x':>5}")
    for f in files:
        program = load(parse_file(f))
        for m in MODELS:  # warm the cores' memoized runs once
            exhaustive(Machine(program, get_model(m).new()))
        times: dict[str, list[float]] = {m: [] for m in MODELS}
        states = {}
        for _ in range(args.repeat):
            for m in MODELS:
                started = time.process_time()
                result = exhaustive(Machine(program, get_model(m).new()))
                times[m].append(time.process_time() - started)
                states[m] = result.explored_states
        a, b = (statistics.median(times[m]) * 1000 for m in MODELS)
        worst = max(worst, b / a)
        print(f"{f.stem:28} {a:11.1f} {states['aarch32']:7} {b:10.1f} {states['armv7']:7} "
              f"{b / a:5.1f}")  # fmt: skip
    print(f"worst ratio armv7 / aarch32: {worst:.1f}")


if __name__ == "__main__":
    main()
