"""Benchmark: every example, exhaustively, under its default model, in one process.

    .venv/bin/python bench/run_examples.py [DIR ...] [--target T] [--model M]

Prints per-test time, states explored and states per second, then medians by thread count.
Targets (README): median < 50 ms per 2-thread test under tso, < 100 ms under arm; < 1 s (tso) and
< 2 s (arm) for each 3- and 4-thread test. Source tests are compiled to --target (default: every
target).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from fencelab.errors import FencelabError
from fencelab.isa.registry import TARGET_NAMES, get_target
from fencelab.litmus.parser import parse_file
from fencelab.models.registry import get_model
from fencelab.pipeline import RunOptions, run_test


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", default=["examples"])
    ap.add_argument("--target", default=None, help="target for source tests (default: all)")
    ap.add_argument("--model", default=None)
    ap.add_argument("--stream", action="store_true", help="also print each row as it is measured")
    ap.add_argument("--exclude", action="append", default=[],
                    help="skip files whose name matches this glob (repeatable)")  # fmt: skip
    args = ap.parse_args(argv)
    console = Console()
    files = sorted(
        f for d in args.dirs for f in Path(d).rglob("*.litmus")
        if not any(f.match(pattern) for pattern in args.exclude)
    )  # fmt: skip
    rows = []
    table = Table(title="fencelab exhaustive exploration, one process")
    for col in ("test", "target", "model", "threads", "ms", "states", "states/s", "outcomes"):
        table.add_column(col, justify="left" if col in ("test", "target", "model") else "right")
    for path in files:
        test = parse_file(str(path))
        targets = ([args.target] if args.target else list(TARGET_NAMES)) if test.is_source else [None]
        for target in targets:
            started = time.perf_counter()
            try:
                options = RunOptions(target=get_target(target) if target else None,
                                     model=get_model(args.model) if args.model else None)
                result = run_test(test, options)
            except FencelabError as e:
                console.print(f"[yellow]skip[/] {path} {target or ''}: {e}")
                continue
            seconds = time.perf_counter() - started
            n = len(test.threads)
            rows.append((n, result.engine, seconds))
            row = (
                test.name, result.target, result.engine, str(n), f"{seconds * 1000:.1f}",
                str(result.explored_states),
                f"{result.explored_states / seconds:,.0f}" if seconds else "-",
                str(len(result.states)),
            )  # fmt: skip
            table.add_row(*row)
            if args.stream:
                print("\t".join(row), flush=True)
    console.print(table)
    summary = Table(title="medians")
    for col in ("model", "threads", "tests", "median ms", "max ms"):
        summary.add_column(col)
    for model in sorted({m for _, m, _ in rows}):
        for n in sorted({n for n, m, _ in rows if m == model}):
            times = [s for k, m, s in rows if k == n and m == model]
            summary.add_row(model, str(n), str(len(times)),
                            f"{statistics.median(times) * 1000:.1f}", f"{max(times) * 1000:.1f}")  # fmt: skip
    console.print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
