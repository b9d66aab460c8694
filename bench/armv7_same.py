"""Do two trees give the same ARM results? Outcomes, verdicts and state counts, per test.

    .venv/bin/python bench/armv7_same.py OUT.json            # run this tree, write OUT.json
    .venv/bin/python bench/armv7_same.py --compare A.json B.json

Runs bench/speed.py's ARM sets (herd, diy, generated, looping: `--count` 40) and the generated
catalogue's ARM tests (`--catalogue 100`) under armv7 in this process, and writes per test: the
outcome set, the verdict, explored states, transitions, budget hits and whether it was cut
short (or the refusal). A speed change must leave every entry as it was: run it in the tree
before (`PYTHONPATH=OLD`) and after, then `--compare` (exit 1 if any test differs).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import speed  # bench/speed.py, next to this file

CATALOGUE_FAMILIES = ("x86_64", "AArch64", "ARM", "C")


def results() -> dict[str, list]:
    options = speed.options_for("ARM")
    catalogue = speed.catalogue_texts("generated", 100, CATALOGUE_FAMILIES)
    sets = {"herd": speed.herd_texts("ARM"), "looping": speed.example_texts("ARM"),
            "diy": speed.diy_texts("ARM", 40), "generated": speed.generated_texts("ARM", 40),
            "catalogue": [t for t in catalogue if t[0].endswith("ARM.litmus")]}  # fmt: skip
    return speed.recorded(sets, options)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--compare"] and len(argv) == 3:
        a, b = (json.loads(Path(p).read_text()) for p in argv[1:])
        differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        print(f"{len(a)} tests, {len(differ)} differ" + "".join(f"\n  {k}" for k in differ))
        return 1 if differ else 0
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out = results()
    with open(argv[0], "w") as f:
        json.dump(out, f, indent=0, sort_keys=True)
    print(f"{len(out)} tests, {sum(v[0] == 'refused' for v in out.values())} refused")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
