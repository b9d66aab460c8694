"""How far one exploration may go: a state limit and a memory limit, checked as it runs.

An exploration that reaches a limit stops and reports what it found so far, marked partial
(`TestResult.partial` names the limit and the option that raises it), the way herd reports
`Loop` for executions cut by its unrolling bound: honest, never silently incomplete. The
defaults keep one fencelab process under about 2 GB resident; `--max-states` and
`--max-memory` raise them. "States" are what the engine counts: machine states (exhaustive),
transitions taken (random), candidate executions checked (axiomatic and source models), and
the states of a model's own searches (`SideStates`: armv7's solo runs).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from dataclasses import dataclass

DEFAULT_MAX_STATES = 300_000  # stops a 4-thread x 6-access x86 test in ~30 s
DEFAULT_MAX_MEMORY = 1536 << 20  # bytes resident in the whole process
MEMORY_EVERY = 1024  # states between two looks at the process's memory


@dataclass(frozen=True)
class Limits:
    max_states: int = DEFAULT_MAX_STATES
    max_memory: int = DEFAULT_MAX_MEMORY  # bytes

    def meter(self, what: str = "state") -> Meter:
        """A fresh count for one exploration."""
        return Meter(self, what)


DEFAULT_LIMITS = Limits()


class LimitReached(Exception):
    """Raised from deep inside an enumeration at a limit; its text is the result's `partial`."""


class Meter:
    """Counts one exploration's states against its `Limits`; `over()` says why it must stop."""

    def __init__(self, limits: Limits, what: str = "state"):
        self.limits = limits
        self.what = what  # "state", "candidate": the unit named in messages
        self.started = time.perf_counter()
        self._next_look = MEMORY_EVERY

    @property
    def due(self) -> int:
        """The count below which `over()` says nothing (a caller may skip it until then)."""
        return min(self.limits.max_states, self._next_look)

    def over(self, count: int, solo: int = 0) -> str:
        """"" while `count` states are within the limits, else the reason to stop (the
        result's `partial`). Memory is looked at every MEMORY_EVERY states. `solo`: how many
        of them are a model's own searches' (`SideStates`), which the reason says: they are
        not in `# Explored` (peterson+sc compiled for armv7 stopped at "state limit 300,000"
        beside "Explored 128901 states")."""
        if count >= self.limits.max_states:
            solo = min(solo, self.limits.max_states)  # (a search passes the limit by one)
            of_them = f", {solo:,} of them in the cores' solo runs" if solo else ""
            return (f"{self.what} limit {self.limits.max_states:,} reached{of_them} "
                    f"(raise with --max-states N)")  # fmt: skip
        if count >= self._next_look:
            self._next_look = count + MEMORY_EVERY
            used = resident_bytes()
            if used >= self.limits.max_memory:
                return (f"memory limit {format_bytes(self.limits.max_memory)} reached after "
                        f"{count:,} {self.what}s (raise with --max-memory SIZE)")  # fmt: skip
        return ""

    def out_of_memory(self, count: int) -> str:
        """The reason to report when Python ran out of memory after `count` states."""
        return (f"out of memory after {count:,} {self.what}s (lower --max-memory to stop "
                "earlier, or free memory)")  # fmt: skip

    def progress(self, count: int) -> str:
        """`123,456 states, 30,200/s, 812 MB`: for progress lines."""
        seconds = max(time.perf_counter() - self.started, 1e-9)
        return (f"{count:,} {self.what}s, {count / seconds:,.0f}/s, "
                f"{format_bytes(resident_bytes())}")  # fmt: skip


class SideStates:
    """The states a model visits in searches of its own, apart from the machine states the
    exploration counts (ARMv7's solo runs, which certify the writes a core commits ahead:
    over 90% of the time of a lock test compiled for armv7), counted toward the same
    `Limits`. Without it `--max-states` bounded the machine states only, and a search with
    costly certification ran for many minutes below it (examples/c's spinlock+rlx: 100
    machine states a second). The exploration keeps `base`, its own count, up to date; the
    model's searches `check` as they go, which raises `LimitReached` (the search's `partial`)
    once `base`, the side states counted so far and those of the search running pass a
    limit, and add theirs to `count` when they end. `# Explored N states` stays the machine's
    count (a split search's parts, in other processes, share no side searches: the count
    would differ)."""

    def __init__(self, meter: Meter):
        self.meter = meter
        self.base = 0  # the exploration's own count (machine states) so far
        self.count = 0  # states the model's own searches visited so far

    def check(self, running: int) -> None:
        """Raise `LimitReached` if the exploration's count, the side states counted and
        `running` (the search in progress's) pass the limits."""
        total = self.base + self.count + running
        if total > self.meter.due:
            why = self.meter.over(total - 1, self.count + running)
            if why:
                raise LimitReached(why)


def resident_bytes() -> int:
    """The process's resident memory now (Linux: /proc), else its peak so far."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def format_bytes(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}".replace(".0 ", " ")
    return f"{n} B"


_UNITS = {"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10, "M": 1 << 20,
          "MB": 1 << 20, "MIB": 1 << 20, "G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30,
          "T": 1 << 40, "TB": 1 << 40, "TIB": 1 << 40}  # fmt: skip
# (T: a size past the range is told it is, `--max-memory 1T` was "not a size")


def parse_bytes(text: str) -> int:
    """`1.5G`, `800MB`, `2048` (bytes) -> bytes; ValueError with the reason."""
    body = text.strip().upper()
    number = body.rstrip("KMGTIB ")
    unit = body[len(number) :].strip()
    if unit not in _UNITS or not number or len(number) > 20:
        raise ValueError(f"{text!r} is not a size (write 800M, 1.5G or 2GB)")
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"{text!r} is not a size (write 800M, 1.5G or 2GB)") from None
    if not value > 0 or value * _UNITS[unit] > 1 << 50:
        raise ValueError(f"{text!r} is not a positive size up to 1 PB")
    return int(value * _UNITS[unit])
