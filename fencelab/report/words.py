"""Words the reports share."""

from __future__ import annotations


def plural(n: int, noun: str) -> str:
    """`1 test`, `2 tests`: a count and its noun, in agreement."""
    return f"{n} {noun}" + ("" if n == 1 else "s")
