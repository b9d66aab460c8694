"""herdtools7's catalogue/aarch64 tests kept in tests/data/herd/aarch64-catalogue, with herd7's
verdicts (its kinds.txt, current aarch64.cat). The operational model's tests and the axiomatic
checker's tests both read them from here."""

from __future__ import annotations

from tests.helpers import HERD_DATA

DIR = HERD_DATA / "aarch64-catalogue"


def catalogue() -> dict[str, tuple[str, str]]:
    """name -> (herd7 verdict, test text)."""
    out = {}
    for line in (DIR / "kinds.txt").read_text().splitlines():
        name, verdict = line.split()
        out[name] = (verdict, (DIR / f"{name}.litmus").read_text())
    return out
