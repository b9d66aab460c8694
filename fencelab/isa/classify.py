"""Small helpers shared by the per-architecture classifiers (x86-64, A32).

capstone's `regs_access()` is a good start but not the whole truth (it misses the flags that
`test` or `adds` write, the registers of `ldrexd`, shift registers...), so classifiers combine it
with what they know of each instruction. These helpers only turn capstone's register ids into
canonical name sets and build the `InsnInfo`; the per-architecture knowledge stays in its file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn

import capstone

from fencelab.errors import FencelabError
from fencelab.isa.insn import InsnInfo, Kind


class ReadOnce:
    """A capstone instruction whose answers are read once: capstone's binding builds every
    answer anew from C structures (`groups`, and each `group(g)` with it; a register's name
    through a C call), which a classifier asking a handful of questions of one instruction
    pays again and again. A decoded instruction never changes, so each attribute is kept
    after its first reading (methods too, as bound methods, whose answers are not kept), the
    groups are read once into a set (`group(g)` is capstone's `g in groups`), and register
    and instruction names, constants of one capstone engine's tables, are kept by engine and
    id (`_NAMES`)."""

    __slots__ = ("_insn", "_groups", "__dict__")

    def __init__(self, insn: capstone.CsInsn):
        self._insn = insn
        self._groups: frozenset[int] | None = None

    def __getattr__(self, name: str):  # (only for what is not kept yet)
        value = getattr(self._insn, name)
        self.__dict__[name] = value
        return value

    def group(self, group_id: int) -> bool:
        if self._groups is None:
            self._groups = frozenset(self._insn.groups)
        return group_id in self._groups

    def reg_name(self, reg_id: int, default=None):
        key = (self._insn._cs, "reg", reg_id, default)
        name = _NAMES.get(key, _NONE)
        if name is _NONE:
            name = _NAMES[key] = self._insn.reg_name(reg_id, default)
        return name

    def insn_name(self, default=None):
        key = (self._insn._cs, "insn", self.id, default)
        name = _NAMES.get(key, _NONE)
        if name is _NONE:
            name = _NAMES[key] = self._insn.insn_name(default)
        return name


_NONE = object()
_NAMES: dict[tuple, object] = {}  # (capstone engine, "reg"/"insn", id, default) -> its name


def insn_text(insn: capstone.CsInsn) -> str:
    return f"{insn.mnemonic} {insn.op_str}".strip()


def refuse(target, insn: capstone.CsInsn, why: str) -> NoReturn:
    """Raise the one-line error naming the instruction: `x86_64: 'addl $1, (%rdi)' is ...`."""
    raise FencelabError(f"{target.name}: {insn_text(insn)!r} {why}")


def canonical(target, names: Iterable[str], drop: Iterable[str] = ()) -> frozenset[str]:
    """Canonical full-width names of `names`, without the ones in `drop` (e.g. the PC)."""
    dropped = frozenset(drop)
    out = {target.canonical_reg(n) for n in names if n}
    return frozenset(out - dropped)


def reg_names(insn: capstone.CsInsn, ids: Iterable[int]) -> list[str]:
    return [insn.reg_name(r) for r in ids if r]


def capstone_regs(target, insn: capstone.CsInsn, drop: Iterable[str] = ()):
    """capstone's own (reads, writes), canonicalised; empty sets if capstone can't tell."""
    try:
        read_ids, write_ids = insn.regs_access()
    except capstone.CsError:
        return frozenset(), frozenset()
    return (
        canonical(target, reg_names(insn, read_ids), drop),
        canonical(target, reg_names(insn, write_ids), drop),
    )


def make_info(insn: capstone.CsInsn, kind: Kind, **fields) -> InsnInfo:
    """An InsnInfo for `insn`; register-set fields may be given as any iterable."""
    for key, value in fields.items():
        if key.endswith("_regs") or key in ("reads", "writes"):
            fields[key] = frozenset(value)
    return InsnInfo(insn.address, insn.size, insn.mnemonic, insn.op_str, kind, **fields)
