"""The five targets by name, and the target each herd architecture's tests run on."""

from __future__ import annotations

from fencelab.errors import FencelabError
from fencelab.isa.aarch64 import AArch64
from fencelab.isa.arch import Arch
from fencelab.isa.armv7 import ARMv7
from fencelab.isa.target import Target
from fencelab.isa.x86_64 import X86_64

TARGETS: dict[str, Target] = {
    "x86_64": X86_64(),
    "armv7": ARMv7(),
    "armv8": AArch64("armv8", frozenset(), "AArch64 ARMv8.0 (LL/SC exclusives)"),
    "armv8.1": AArch64("armv8.1", frozenset({"lse"}), "AArch64 ARMv8.1 with LSE atomics"),
    "armv8.3": AArch64(
        "armv8.3", frozenset({"lse", "rcpc"}), "AArch64 ARMv8.3 with LSE and RCpc (LDAPR)"
    ),
}
TARGET_NAMES = tuple(TARGETS)
ALIASES = {"x86-64": "x86_64", "amd64": "x86_64", "x86": "x86_64", "arm": "armv7",
           "aarch64": "armv8", "arm64": "armv8", "armv8.0": "armv8", "lse": "armv8.1",
           "rcpc": "armv8.3"}  # fmt: skip
DEFAULT_SOURCE_TARGET = TARGETS["x86_64"]  # where a source test runs when no target is named


def get_target(name: str) -> Target:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in TARGETS:
        raise FencelabError(f"unknown target {name!r}; valid: {', '.join(TARGET_NAMES)}")
    return TARGETS[key]


def own_target(arch: Arch) -> Target:
    """The target an `arch` test runs on unless told otherwise."""
    return TARGETS[arch.own_target]
