"""Benchmark: examples on this machine's CPU (`fencelab hw`): speed and how often weak outcomes show.

    .venv/bin/python bench/hw_examples.py [DIR ...] [--runs N] [--target T] [--repeat K]

For every test of the host's architecture (asm tests of other architectures are skipped; source
tests are compiled to --target, default the host's): threads, runs per second on the CPU (the
runs alone, median of --repeat), the runs whose final state satisfies the condition (`exists`
tests: the weak outcome) per 100,000, the model's verdict, and states the model forbids (should
be none).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from fencelab.errors import FencelabError
from fencelab.hw.native import HOST_TARGETS, host_arch
from fencelab.hw.run import run_hw
from fencelab.litmus.parser import parse_file
from fencelab.program.load import ARCH_TARGETS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", default=["examples/x86_64"])
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--target", default=None)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each test; medians reported")
    args = ap.parse_args(argv)
    host = HOST_TARGETS.get(host_arch())
    files = sorted(f for d in args.dirs for f in Path(d).rglob("*.litmus"))
    table = Table(title=f"fencelab hw, {args.runs} runs a test, median of {args.repeat}")
    for col in ("test", "threads", "runs/s", "cond per 100k", "model says", "forbidden"):
        table.add_column(col, justify="left" if col in ("test", "model says") else "right")
    for f in files:
        test = parse_file(f)
        if not test.is_source and ARCH_TARGETS.get(test.arch) != ARCH_TARGETS.get(
            {"x86_64": "X86_64", "armv8": "AArch64"}.get(host or "", "")
        ):
            continue
        try:
            results = [run_hw(test, args.runs, args.target) for _ in range(args.repeat)]
        except FencelabError as e:
            print(f"{f}: {e}", file=sys.stderr)
            continue
        speed = statistics.median(r.runs_per_second for r in results)
        positive = statistics.median(
            sum(n for o, n in r.counts.items() if r.cond(o)) for r in results
        )
        model = results[0].model
        table.add_row(
            test.name, str(len(test.threads)), f"{speed:,.0f}",
            f"{positive * 100_000 / args.runs:,.0f}",
            f"{model.observation} {model.positive} {model.negative}",
            str(max(len(r.forbidden()) for r in results)),
        )  # fmt: skip
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
