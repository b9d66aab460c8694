"""herdtools7's catalogue/aarch64 tests kept in tests/data/herd/aarch64-catalogue, with herd7's
verdicts (its kinds.txt, current aarch64.cat). The operational model's tests and the axiomatic
checker's tests both read them from here; and herd7's outcome sets of its instruction tests
(`expected.txt` beside them: tests/data/herd/arm, tests/data/herd/aarch64-pairs)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import HERD_DATA

DIR = HERD_DATA / "aarch64-catalogue"


def catalogue() -> dict[str, tuple[str, str]]:
    """name -> (herd7 verdict, test text)."""
    out = {}
    for line in (DIR / "kinds.txt").read_text().splitlines():
        name, verdict = line.split()
        out[name] = (verdict, (DIR / f"{name}.litmus").read_text())
    return out


def expected_outcomes(directory: Path) -> dict[str, tuple[str, set[str]]]:
    """name -> (herd7 verdict, its states as herd prints them) from `directory/expected.txt`:
    one test a line, `name verdict | state | state ...`, `#` comments."""
    out = {}
    for line in (directory / "expected.txt").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        head, *states = line.split("|")
        name, verdict = head.split()
        out[name] = (verdict, {s.strip() for s in states})
    return out
