"""Names of the files one command writes into a directory, kept apart."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

Contents = TypeVar("Contents")


def kept_apart(stem: str, contents: Callable[[str], Contents],
               taken: dict[str, Contents]) -> tuple[str, Contents]:  # fmt: skip
    """The name (`stem`, else `stem-2`, `stem-3`, ...) under which `contents(name)` is written,
    and those contents, noted in `taken` (one per command: each name written, with what it
    holds). Two things of one name (two tests named alike; a hunt's counterexample found on two
    targets, whose saved test names its target) never overwrite each other: the later one gets
    the next free name; the same contents again is the same file."""
    name, n = stem, 1
    made = contents(name)
    while taken.get(name, made) != made:
        n += 1
        name = f"{stem}-{n}"
        made = contents(name)
    taken[name] = made
    return name, made
