"""C (and Rust) type names as they appear in litmus tests: the width and sign each one means.

The type rules herd7 applies to values, in one place:

- every location and every register has a type. Declared (`uint8_t x;`, `int64_t 0:X2=0;`)
  or herd's default `int` (32-bit signed), for registers too: herd and litmus7 print and
  compare an undeclared register as an `int`, even an X register (`LSL X0,X0,#32` on
  `0:X0=1` ends with `0:X0=0`). Pointers and `long` are 64-bit (LP64).
- a final value is shown as its type says: wrapped to the width, signed or unsigned
  (`uint8_t x` holding 0xff is 255, `int8_t x` is -1);
- a condition's constant is read in the type of what it names, decimal or hex alike: with
  `int` X0, `0:X0=0xffffffffffffffff` and `0:X0=-1` are the same test. A constant must fit
  in 64 bits;
- a location's initial value must fit its type's width, read as signed or unsigned
  (`int8_t x=255` is -1; `x=4294967296` for an `int` is an error); a register's must fit the
  register, and a declared register's is wrapped to its type and sign- or zero-extended into
  the register (`int8_t 0:X0=255` puts -1 in X0, `int16_t 0:X0=65537` puts 1, as herd); an
  undeclared register takes the value as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from fencelab.litmus.ast import LocRef
from fencelab.values import Wide, fits, signed, unsigned

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


@lru_cache(maxsize=4096)  # a test names a few types, again and again
@lru_cache(maxsize=4096)
def normalise_ctype(text: str) -> str:
    """`volatile  int *` -> `volatile int*`: single spaces, stars glued to the type."""
    text = re.sub(r"\s*\*\s*", "*", text.strip())
    return re.sub(r"\s+", " ", text)


@lru_cache(maxsize=4096)
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


_UNSIGNED_NAMES = {
    "bool", "_Bool", "size_t", "uintptr_t", "pteval_t", "__uint128_t", "usize", "AtomicUsize",
    "AtomicBool", "atomic_bool", "atomic_uchar", "atomic_ushort", "atomic_uint", "atomic_ulong",
    "atomic_ullong", "atomic_uintptr_t", "atomic_size_t",
}  # fmt: skip


@dataclass(frozen=True)
class ValueType:
    """How a value of some type is read: its width in bits, signed or not."""

    width: int = 32
    signed: bool = True

    def wrap(self, value: int) -> int:
        """`value` as this type reads it: wrapped to the width, then signed or unsigned (a
        128-bit value is a `Wide`, printed in hex as herd7 does)."""
        out = signed(value, self.width) if self.signed else unsigned(value, self.width)
        return Wide(out) if self.width == 128 else out

    def fits(self, value: int) -> bool:
        return fits(value, self.width)

    def describe(self) -> str:
        return f"{self.width}-bit {'signed' if self.signed else 'unsigned'}"


INT = ValueType(32, True)  # herd's default type, for locations and registers alike
WORD64 = ValueType(64, True)


def ctype_signed(ctype: str) -> bool:
    """Is a declared type signed? (`unsigned ...`, `uint*_t`, `u8`, `bool`, pointers: no)."""
    ctype = normalise_ctype(ctype)
    if ctype.endswith("*"):
        return False
    words = [w for w in ctype.split() if w not in _QUALIFIERS]
    base = " ".join(words)
    if "unsigned" in words or base in _UNSIGNED_NAMES:
        return False
    return not re.fullmatch(r"(?:atomic_)?uint\d+_t|AtomicU\d+|u\d+", base)


@lru_cache(maxsize=4096)
def value_type(ctype: str, width: int | None = None) -> ValueType:
    """The ValueType of a declared C type; "" is herd's default `int` (or `width` bits,
    signed, where the caller knows better, e.g. a location of a compiled test). Remembered:
    a pure function of its arguments, and a ValueType is frozen (callers may share one)."""
    if not ctype:
        return ValueType(width, True) if width else INT
    bits = ctype_width(ctype)
    return ValueType(bits or width or 32, ctype_signed(ctype))



def location_type(loc) -> ValueType:
    """The type a location's values are held and shown in: its declared type, or herd's
    `int` (or its width, signed, where the test's architecture says so)."""
    return value_type(loc.ctype, loc.width)


def held(value, vtype: ValueType):
    """`value` as a location of type `vtype` holds it: an int wrapped to the width, signed or
    unsigned as the type is (an `AtomicU8` holds 200 where an `AtomicI8` holds -56); an address
    is kept whole (a pointer in memory)."""
    if isinstance(value, LocRef):
        return value
    return signed(value, vtype.width) if vtype.signed else unsigned(value, vtype.width)


def known_types() -> str:
    """A short list of accepted type names, for error messages."""
    return "int, char, short, long, [u]int8/16/32/64_t, atomic_int, atomic_long, __int128, ..."


def register_key(reg: str) -> str:
    """A register's name for matching a declaration with a use: `X0`, `x0` alike."""
    return reg.strip().lower()


def declared_register_type(reg_inits, tid: int, reg: str) -> ValueType | None:
    """The type `T:REG` was declared with in the initial state (`int64_t 0:X2`), if any.
    A pointer declaration (`int *0:X1`) is no value type: None."""
    key = register_key(reg)
    for ri in reg_inits:
        if ri.tid == tid and register_key(ri.reg) == key and ri.ctype and not ri.ctype.endswith("*"):
            return value_type(ri.ctype)
    return None


def observable_type(test, obs) -> ValueType:
    """The type a final value of `obs` (a location, or `T:REG`) is shown and compared in."""
    from fencelab.litmus.ast import RegObs

    if isinstance(obs, RegObs):
        if test.is_source:
            return WORD64  # locals: the source model computes them at their own width
        return declared_register_type(test.reg_inits, obs.tid, obs.reg) or INT
    try:
        loc = test.location(obs.name)
    except KeyError:
        return INT
    return value_type(loc.ctype, loc.width)
