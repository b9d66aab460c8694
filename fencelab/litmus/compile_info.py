"""What a compiled test remembers of its source: registers of locals, origins of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fencelab.litmus.ast import Observable, Pos, RegObs
from fencelab.lowering.atomics import Op, Order

if TYPE_CHECKING:
    from fencelab.litmus.ast import LitmusTest


@dataclass(frozen=True)
class OpOrigin:
    """Where one assembly row comes from: the source operation it lowers (or glue around one)."""

    pos: Pos  # the source operation (or statement) in the source file
    what: str  # `store y Release`, `if`, `r0 = ...`
    op: Op | None = None  # None for glue: constants, arithmetic, compares, branches
    order: Order | None = None
    failure: Order | None = None  # CAS failure ordering
    rationale: str = ""  # the lowering entry's why (or what the glue is for)
    scheme: str = ""  # the scheme the entry came from (`default` when an overlay fell back)

    @property
    def is_atomic(self) -> bool:
        return self.op is not None


@dataclass(frozen=True, eq=False)
class CompileInfo:
    """The map from a compiled test back to its source."""

    source: LitmusTest
    target: str
    scheme: str
    registers: dict[tuple[int, str], str]  # (tid, source local) -> register as in the condition
    ops: dict[tuple[int, int], OpOrigin]  # (tid, asm row) -> what it lowers
    widths: dict[tuple[int, str], int] = field(default_factory=dict)  # local -> bits (32/64)

    def source_obs(self, obs: Observable) -> Observable:
        """`1:X0` back to `1:r0` (locations are unchanged)."""
        if isinstance(obs, RegObs):
            back = self._back.get((obs.tid, obs.reg))
            if back is not None:
                return RegObs(obs.tid, back)
        return obs

    def source_value(self, obs: Observable, value):
        """A register value re-read at the source local's width (a 32-bit -1 in X0 is -1)."""
        if isinstance(obs, RegObs) and isinstance(value, int):
            width = self.widths.get((obs.tid, obs.reg), 64)
            value &= (1 << width) - 1
            return value - (1 << width) if value >> (width - 1) else value
        return value

    def source_outcome(self, outcome):
        """An outcome of the compiled test in source terms: `0:r0=1` instead of `0:X0=1`."""
        out = []
        for obs, value in outcome:
            src = self.source_obs(obs)
            out.append((src, self.source_value(src, value)))
        return tuple(out)

    @property
    def _back(self) -> dict[tuple[int, str], str]:
        return {(tid, reg): local for (tid, local), reg in self.registers.items()}
