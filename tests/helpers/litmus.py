"""Litmus texts built in tests: a thread table from lists of instruction rows."""

from __future__ import annotations


def table(name: str, init: str, threads: list[list[str]], cond: str, arch: str = "AArch64") -> str:
    """An assembly test of `arch` whose thread i runs `threads[i]`, row by row."""
    height = max(len(t) for t in threads)
    head = " | ".join(f"P{i:<23}" for i in range(len(threads)))
    rows = [
        " " + " | ".join(f"{(t[i] if i < len(t) else ''):<24}" for t in threads) + " ;"
        for i in range(height)
    ]
    return "\n".join([f"{arch} {name}", "{", init, "}", f" {head} ;", *rows, cond]) + "\n"
