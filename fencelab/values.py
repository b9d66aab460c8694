"""Integer values at a bit width: the one place that wraps, sign-extends and range-checks."""

from __future__ import annotations


def unsigned(value: int, bits: int) -> int:
    """`value` wrapped to `bits` bits, read as unsigned: unsigned(-1, 8) == 255."""
    return value & ((1 << bits) - 1)


def signed(value: int, bits: int) -> int:
    """`value` wrapped to `bits` bits, read as two's complement: signed(255, 8) == -1."""
    value = unsigned(value, bits)
    return value - (1 << bits) if value >> (bits - 1) else value


def get_bytes(whole: int, offset: int, size: int) -> int:
    """The `size` bytes at byte `offset` of the little-endian value `whole`, unsigned."""
    return unsigned(whole >> (8 * offset), 8 * size)


def put_bytes(whole: int, offset: int, size: int, value: int) -> int:
    """`whole` with its `size` bytes at byte `offset` replaced by `value`'s low bytes (a
    byte/half-word/word write into a wider location, little-endian)."""
    mask = ((1 << (8 * size)) - 1) << (8 * offset)
    return (whole & ~mask) | ((unsigned(value, 8 * size) << (8 * offset)) & mask)


def fits(value: int, bits: int) -> bool:
    """Can `value` be written in `bits` bits, read as signed or as unsigned (-128..255 for 8)?"""
    return -(1 << (bits - 1)) <= value < (1 << bits)


class Wide(int):
    """A value of a 128-bit type (`__int128`): herd7 prints these in hex (`[x]=0x1;`, its
    C05/C06 results), where it prints narrower values in decimal. Equal to, and hashed as, the
    int it is."""

    def __str__(self) -> str:
        return hex(self)

    def __reduce__(self):
        return (Wide, (int(self),))


MAX_DIGITS = 64  # digits a number may be written with: a 64-bit value needs 20 (16 in hex)


class NumberTooLong(ValueError):
    """A number written with more than MAX_DIGITS digits (Python refuses 4,300 with a traceback);
    the caller names where it is."""


def read_int(digits: str, base: int = 10) -> int:
    """`int(digits, base)` for a number as written in a test (`0x` prefix allowed in base 16),
    refusing more than MAX_DIGITS digits: `NumberTooLong`, whose text is the one-line reason."""
    if len(digits) <= MAX_DIGITS:  # no fewer characters than digits: short enough as it is
        return int(digits, base)
    body = digits.strip().lstrip("+-").strip()
    if base == 16 and body[:2].lower() == "0x":
        body = body[2:]
    if len(body) > MAX_DIGITS:
        raise NumberTooLong(f"number {body[:8]}...{body[-4:]} has {len(body):,} digits "
                            f"(at most {MAX_DIGITS})")  # fmt: skip
    return int(digits, base)
