"""Integer values at a bit width: the one place that wraps, sign-extends and range-checks."""

from __future__ import annotations


def unsigned(value: int, bits: int) -> int:
    """`value` wrapped to `bits` bits, read as unsigned: unsigned(-1, 8) == 255."""
    return value & ((1 << bits) - 1)


def signed(value: int, bits: int) -> int:
    """`value` wrapped to `bits` bits, read as two's complement: signed(255, 8) == -1."""
    value = unsigned(value, bits)
    return value - (1 << bits) if value >> (bits - 1) else value


def fits(value: int, bits: int) -> bool:
    """Can `value` be written in `bits` bits, read as signed or as unsigned (-128..255 for 8)?"""
    return -(1 << (bits - 1)) <= value < (1 << bits)
