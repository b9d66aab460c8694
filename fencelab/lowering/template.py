"""A lowering entry: an instruction-sequence template over register *roles*.

The compiler instantiates the same entry inside many threads, so an entry never names real
registers. It names roles (`addr`, `val`, `res`, `exp`, `new`, `tmp`, `tmp2`, `status`, `ok`)
and says what each needs: its width, whether it must sit in a fixed register (x86 `cmpxchg`
wants `rax`), whether it is an ARMv7 even/odd register pair (`ldrexd`/`strexd`), and whether
the sequence overwrites it.

Template lines are plain assembler with placeholders:

- `{res}`: the register of role `res`, named at the role's width (`w3`, `%eax`, `r4`);
- `{res.hi}`: the second register of an ARMv7 pair role (`r5` for the pair r4/r5);
- `{res.32}`: the role's register named at 32 bits (x86 works on 16-bit values in 32-bit
  registers, as clang does, to avoid the operand-size prefix);
- `{@retry}`: a label, made unique by the instantiation's label prefix;
- a line starting with `~` is a register move, dropped when both operands are the same register.

Contract for every entry (what the compiler may rely on):

- sub-word inputs (`val`, `exp`, `new` at 8/16 bits) are zero-extended in their registers;
  sub-word results are zero-extended on ARM (LDRB/LDREXB/LDADDB... zero-extend) but on x86
  only the low `width` bits are defined (as in the ABI: `movb`, `xaddw` leave the rest);
- CAS: after the sequence `res` holds the value observed in memory; a strong CAS succeeded iff
  `res == exp`. A weak CAS built from LL/SC can fail spuriously (observed value == expected
  but no store): such entries have an `ok` role (1 = stored, 0 = not) named by `ok_role`;
- roles are all in distinct registers (instantiate refuses aliasing);
- the sequence falls through at its end; every label it uses is its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fencelab.atomics import Op, Order
from fencelab.errors import FencelabError

if TYPE_CHECKING:
    from fencelab.isa.target import Target

ROLE_NAMES = ("addr", "val", "exp", "new", "res", "tmp", "tmp2", "status", "ok")
INPUT_ROLES = frozenset({"addr", "val", "exp", "new"})
OUTPUT_ROLES = frozenset({"res", "ok"})

_PLACEHOLDER = re.compile(r"\{(@?)([a-z0-9_]+)(?:\.(hi|32))?\}")


@dataclass(frozen=True)
class Role:
    """One register an entry needs."""

    name: str
    width: int  # bits the role holds (addr: the pointer width)
    fixed: int | None = None  # the register number it must be in
    pair: bool = False  # ARMv7: an even register n and n+1, low word in n
    clobbered: bool = False  # an input the sequence overwrites

    @property
    def kind(self) -> str:
        if self.name in INPUT_ROLES:
            return "input"
        if self.name in OUTPUT_ROLES:
            return "output"
        return "scratch"

    def describe(self) -> str:
        parts = [f"{self.name}: {self.kind}, {self.width}-bit"]
        if self.pair:
            parts.append("even/odd register pair")
        if self.fixed is not None:
            parts.append(f"fixed register #{self.fixed}")
        if self.clobbered:
            parts.append("clobbered")
        return ", ".join(parts)


@dataclass(frozen=True)
class Entry:
    """One row of the lowering table. The per-family modules (x86_64.py, armv7.py, aarch64.py)
    write a family's sequences; `lookup` (table.py), the one way entries leave lowering/, sets
    the target they were looked up for."""

    scheme: str  # the scheme the sequence came from (`default` when an overlay fell back)
    op: Op
    order: Order
    failure: Order | None  # CAS failure ordering, else None
    width: int | None  # None for fences
    template: tuple[str, ...]
    roles: tuple[Role, ...]
    rationale: str
    ok_role: str | None = None  # weak LL/SC CAS: the role holding 1 on success, 0 on failure
    target: Target | None = None  # set by `lookup`

    # -- roles -----------------------------------------------------------------------------
    def role(self, name: str) -> Role:
        for r in self.roles:
            if r.name == name:
                return r
        raise KeyError(name)

    @property
    def role_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.roles)

    @property
    def clobbers(self) -> tuple[str, ...]:
        """Input roles whose registers hold garbage afterwards."""
        return tuple(r.name for r in self.roles if r.clobbered)

    @property
    def key(self) -> tuple:
        return (self.target, self.op, self.order, self.failure, self.width)

    # -- instantiation -----------------------------------------------------------------------
    def instantiate(self, regs: Mapping[str, int], label_prefix: str = "L_") -> list[str]:
        """Assembler lines (executed order, keystone syntax) with roles in registers `regs`."""
        target = self.target
        self._check_registers(regs)
        names: dict[str, str] = {}
        for r in self.roles:
            n = regs[r.name]
            names[r.name] = target.reg(n, r.width if not r.pair else 32)
            names[r.name + ".32"] = target.reg(n, 32)
            if r.pair:
                names[r.name + ".hi"] = target.reg(n + 1, 32)

        def fill(match: re.Match) -> str:
            label, name, view = match.groups()
            if label:
                return f"{label_prefix}{name}"
            key = name + (f".{view}" if view else "")
            if key not in names:
                raise FencelabError(f"lowering template for {self.describe()} uses unknown {key}")
            return names[key]

        out: list[str] = []
        for line in self.template:
            is_move = line.startswith("~")
            text = _PLACEHOLDER.sub(fill, line.lstrip("~"))
            if is_move and _is_self_move(text):
                continue
            out.append(text)
        return out

    def _check_registers(self, regs: Mapping[str, int]) -> None:
        target = self.target
        limit = target.allocatable
        used: dict[int, str] = {}
        for r in self.roles:
            if r.name not in regs:
                raise FencelabError(
                    f"{self.describe()} needs a register for role {r.name!r} "
                    f"(roles: {', '.join(self.role_names)})"
                )
            n = regs[r.name]
            if r.fixed is not None and n != r.fixed:
                raise FencelabError(
                    f"{self.describe()}: role {r.name!r} must be in {target.reg(r.fixed, r.width)}"
                )
            cells = [n, n + 1] if r.pair else [n]
            if r.pair and n % 2:
                raise FencelabError(
                    f"{self.describe()}: role {r.name!r} needs an even/odd register pair "
                    f"(r{n} is odd)"
                )
            for c in cells:
                if c not in limit:
                    raise FencelabError(
                        f"{self.describe()}: register #{c} cannot hold role {r.name!r}"
                    )
                if c in used:
                    raise FencelabError(
                        f"{self.describe()}: roles {used[c]!r} and {r.name!r} share register #{c}"
                    )
                used[c] = r.name

    # -- canonical display ---------------------------------------------------------------------
    def canonical_regs(self) -> dict[str, int]:
        """A register assignment like clang's (addr in x0 / rdi / r0 ...), for display."""
        target = self.target
        prefs = target.register_preferences
        limit = target.allocatable
        taken: set[int] = set()
        out: dict[str, int] = {}
        ordered = sorted(self.roles, key=lambda r: (r.fixed is None, not r.pair))
        for r in ordered:
            candidates = [r.fixed] if r.fixed is not None else [*prefs.get(r.name, ()), *limit]
            for c in candidates:
                cells = [c, c + 1] if r.pair else [c]
                if r.pair and c % 2:
                    continue
                if all(x in limit and x not in taken for x in cells):
                    out[r.name] = c
                    taken.update(cells)
                    break
            else:  # pragma: no cover - the role sets are small
                raise FencelabError(f"{self.describe()}: no register left for {r.name!r}")
        return out

    def canonical(self) -> list[str]:
        return self.instantiate(self.canonical_regs(), label_prefix=".L")

    def assemble(self, base: int = 0) -> bytes:
        """The canonical instantiation, assembled by the target."""
        return self.target.assemble(self.canonical(), base)

    def describe(self) -> str:
        what = f"{self.op} {self.order}"
        if self.failure is not None:
            what += f"/{self.failure}"
        if self.width:
            what += f" {self.width}-bit"
        return f"{what} on {self.target.name} ({self.scheme})"


def _is_self_move(text: str) -> bool:
    _, _, ops = text.strip().partition(" ")
    parts = [p.strip() for p in ops.split(",")]
    return len(parts) == 2 and parts[0] == parts[1]
