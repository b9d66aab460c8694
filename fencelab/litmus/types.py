"""C (and Rust) type names as they appear in litmus tests, and the bit width each one means.

herd's default location type is `int` (32 bits); declared types set the width. Pointers and
`long` are 64-bit (LP64, as on every target fencelab runs).
"""

from __future__ import annotations

import re

_QUALIFIERS = {"const", "volatile", "_Atomic", "static", "signed"}

_BASE_WIDTHS = {
    "char": 8,
    "unsigned char": 8,
    "bool": 8,
    "_Bool": 8,
    "short": 16,
    "short int": 16,
    "unsigned short": 16,
    "unsigned short int": 16,
    "int": 32,
    "unsigned": 32,
    "unsigned int": 32,
    "long": 64,
    "long int": 64,
    "unsigned long": 64,
    "unsigned long int": 64,
    "long long": 64,
    "long long int": 64,
    "unsigned long long": 64,
    "unsigned long long int": 64,
    "__int128": 128,
    "__int128_t": 128,
    "__uint128_t": 128,
    "unsigned __int128": 128,
    "intptr_t": 64,
    "uintptr_t": 64,
    "size_t": 64,
    "pteval_t": 64,
}
for _n in (8, 16, 32, 64):
    _BASE_WIDTHS[f"int{_n}_t"] = _n
    _BASE_WIDTHS[f"uint{_n}_t"] = _n
    _BASE_WIDTHS[f"atomic_int{_n}_t"] = _n
    _BASE_WIDTHS[f"atomic_uint{_n}_t"] = _n
    _BASE_WIDTHS[f"AtomicI{_n}"] = _n
    _BASE_WIDTHS[f"AtomicU{_n}"] = _n
    _BASE_WIDTHS[f"i{_n}"] = _n
    _BASE_WIDTHS[f"u{_n}"] = _n
_BASE_WIDTHS.update(
    {
        "atomic_bool": 8,
        "atomic_char": 8,
        "atomic_schar": 8,
        "atomic_uchar": 8,
        "atomic_short": 16,
        "atomic_ushort": 16,
        "atomic_int": 32,
        "atomic_uint": 32,
        "atomic_long": 64,
        "atomic_ulong": 64,
        "atomic_llong": 64,
        "atomic_ullong": 64,
        "atomic_intptr_t": 64,
        "atomic_uintptr_t": 64,
        "atomic_size_t": 64,
        "AtomicBool": 8,
        "AtomicUsize": 64,
        "AtomicIsize": 64,
        "usize": 64,
        "isize": 64,
    }
)


def normalise_ctype(text: str) -> str:
    """`volatile  int *` -> `volatile int*`: single spaces, stars glued to the type."""
    text = re.sub(r"\s*\*\s*", "*", text.strip())
    return re.sub(r"\s+", " ", text)


def ctype_width(ctype: str) -> int | None:
    """The width in bits of a declared C/Rust type, or None when the type is unknown."""
    ctype = normalise_ctype(ctype)
    if ctype.endswith("*"):
        base = ctype.rstrip("*").strip()
        return 64 if base and ctype_width(base) is not None else None
    words = [w for w in ctype.split() if w not in _QUALIFIERS]
    if not words:
        return 32 if "signed" in ctype.split() else None
    return _BASE_WIDTHS.get(" ".join(words))


def known_types() -> str:
    """A short list of accepted type names, for error messages."""
    return "int, char, short, long, [u]int8/16/32/64_t, atomic_int, atomic_long, __int128, ..."
