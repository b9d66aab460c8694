"""Words the reports share."""

from __future__ import annotations


def plural(n: int, noun: str) -> str:
    """`1 test`, `2 tests`: a count and its noun, in agreement."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def interrupted(noun: str, done: int, partial: bool, later: str) -> str:
    """A summary's words for Ctrl-C after `done` results (`noun`s): the last one printed was cut
    short (`partial`), or the one awaited had none to give (a worker stopped before it found
    anything, a cluster's task cancelled), or none came at all."""
    if partial:
        return f"interrupted: the last {noun} is partial, {later} did not run"
    if done:
        return f"interrupted before the next {noun}, {later} did not run"
    return f"interrupted before any {noun}"
