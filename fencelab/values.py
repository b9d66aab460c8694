"""Two's-complement views of a machine value: one helper each, used by every layer.

`unsigned(value, bits)` keeps the low `bits` bits; `signed(value, bits)` reads them as a
two's-complement number (herd prints values signed: a 32-bit 0xffffffff is -1).
"""

from __future__ import annotations


def unsigned(value: int, bits: int) -> int:
    """The low `bits` bits of `value`, as a non-negative number."""
    return value & ((1 << bits) - 1)


def signed(value: int, bits: int) -> int:
    """The low `bits` bits of `value`, read as a two's-complement number."""
    value = unsigned(value, bits)
    return value - (1 << bits) if value >> (bits - 1) else value
