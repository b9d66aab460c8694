"""Do two trees give the same AArch64 results? Outcomes, witnesses and state counts, per test.

    .venv/bin/python bench/aarch64_same.py OUT.json [--count 200] [--no-reduce NAME]
                                           [--model MODEL] [--sets examples,herd,generated,diy]
    .venv/bin/python bench/aarch64_same.py --compare A.json B.json [--outcomes]

Runs examples/aarch64, every AArch64 test in tests/data/herd/aarch64* and `--count` generated
and diy7-style AArch64 tests (bench/speed.py's, fixed seeds) in this process, under `arm` or
`--model`, and writes per test: each outcome with its witness, the verdict, explored states,
transitions, budget hits and whether it was cut short (or the refusal). A speed change must
leave every entry as it was: run it in the tree before (`PYTHONPATH=OLD`) and after, then
`--compare` (exit 1 if any test differs; `--outcomes`: compare outcome sets and refusals only,
for two models or a reduction that changes the search by design).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import speed  # bench/speed.py, next to this file

from fencelab import reduce
from fencelab.pipeline import RunOptions

HERD_DIRS = ("aarch64", "aarch64-arrays", "aarch64-catalogue", "aarch64-pairs")


def sets(count: int, wanted: list[str]) -> dict[str, list[tuple[str, str]]]:
    herd = sorted(f for d in HERD_DIRS for f in (speed.HERD / d).glob("*.litmus"))
    made = {
        "examples": lambda: speed.example_texts("AArch64"),
        "herd": lambda: [(str(f), f.read_text()) for f in herd],
        "generated": lambda: speed.generated_texts("AArch64", count),
        "diy": lambda: speed.diy_texts("AArch64", count),
    }
    return {name: made[name]() for name in wanted}


def results(count: int, wanted: list[str], model: str | None) -> dict[str, list]:
    return speed.recorded(sets(count, wanted), RunOptions.named(model=model), witnesses=True)


def compare(a: dict, b: dict, outcomes_only: bool) -> int:
    def view(entry):
        if entry is None or not outcomes_only or entry[0] == "refused":
            return entry
        return [sorted(o for o, _ in entry[0]), entry[1]]

    differ = sorted(k for k in a.keys() | b.keys() if view(a.get(k)) != view(b.get(k)))
    print(f"{len(a)} and {len(b)} tests, {len(differ)} differ"
          + "".join(f"\n  {k}" for k in differ))  # fmt: skip
    return 1 if differ else 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?")
    ap.add_argument("--compare", nargs=2, metavar=("A", "B"))
    ap.add_argument("--outcomes", action="store_true")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--sets", default="examples,herd,generated,diy")
    ap.add_argument("--model")
    ap.add_argument("--no-reduce", action="append", default=[])
    args = ap.parse_args(argv)
    if args.compare:
        a, b = (json.loads(Path(p).read_text()) for p in args.compare)
        return compare(a, b, args.outcomes)
    if not args.out:
        ap.error("give OUT.json, or --compare A B")
    for name in args.no_reduce:
        reduce.disable(name)
    out = results(args.count, args.sets.split(","), args.model)
    Path(args.out).write_text(json.dumps(out, indent=0, sort_keys=True))
    print(f"{len(out)} tests, {sum(v[0] == 'refused' for v in out.values())} refused")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
