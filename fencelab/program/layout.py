"""A litmus test placed in memory: each thread's bytes at a fixed address, each location too.

`Program` is what the machine runs. It is built from an assembly litmus test by
`fencelab.program.load.load`, and keeps a source map from every instruction back to its row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fencelab.errors import AccessError, CodeError, FencelabError, SourceError
from fencelab.isa.core import Core
from fencelab.isa.insn import InsnInfo, Kind
from fencelab.isa.target import Target
from fencelab.litmus.ast import LitmusTest, LocObs, LocRef, Observable, Value
from fencelab.litmus.types import ValueType, observable_type
from fencelab.values import get_bytes, unsigned

CODE_BASE = 0x10000  # thread t's code is at CODE_BASE * (t + 1)
DATA_BASE = 0x100000  # location i is at DATA_BASE + i * LOCATION_STRIDE
LOCATION_STRIDE = 0x40
LOCATION_SIZE = 8  # bytes a location spans at least (an array element: its type's width)
MIXED_SIZE_REFUSAL = ("mixed-size accesses are covered by the sc, tso, arm, aarch32 and "
                      "arm-axiomatic models only")


@dataclass(frozen=True)
class PlacedLocation:
    index: int
    name: str
    addr: int
    init: int
    width: int  # bits, for printing values signed as herd does
    size: int = LOCATION_SIZE  # bytes it spans: what a byte/half-word/word access may address
    # a pair group (`t[0..1]`): two adjacent array elements, by index, that an atomic pair
    # access (LDXP/STXP/CASP) reads or writes as one single-copy-atomic location
    parts: tuple[int, ...] = ()


@dataclass(frozen=True)
class SourceLine:
    """Where one instruction came from."""

    row: int  # row in the herd thread table
    text: str  # the line as written in the test
    asm: str  # the line as given to the assembler
    line: int = 0  # where it is written in the file (1-based; 0: unknown)
    col: int = 0


@dataclass
class ThreadCode:
    tid: int
    base: int
    code: bytes
    lines: dict[int, SourceLine]  # instruction address -> source
    init_regs: dict[str, int]  # canonical register -> value
    core: Core = field(repr=False, default=None)  # type: ignore[assignment]


@dataclass
class Program:
    test: LitmusTest
    target: Target
    threads: list[ThreadCode]
    locations: list[PlacedLocation]
    observables: tuple[Observable, ...]

    def __post_init__(self) -> None:
        cells = [loc for loc in self.locations if not loc.parts]
        self.by_addr = {loc.addr: loc for loc in cells}
        self.by_name = {loc.name: loc for loc in cells}
        # pair groups by (address, bytes); each element's group; how each group was accessed
        self.groups = {(g.addr, g.width // 8): g for g in self.locations if g.parts}
        self._group_of = {p: g for g in self.groups.values() for p in g.parts}
        self._group_use: dict[int, tuple[str, str]] = {}
        self._types: dict[Observable, ValueType] = {}
        regions = [(DATA_BASE, max(1, len(self.locations)) * LOCATION_STRIDE)]
        for thread in self.threads:
            if thread.core is None:
                thread.core = self.target.new_core(thread.code, thread.base, regions)
        self._has_backward_branch = [_has_backward_branch(t.core) for t in self.threads]

    def release(self) -> None:
        """Free the threads' Unicorn engines (a test's run is over)."""
        for thread in self.threads:
            if thread.core is not None:
                thread.core.release()

    def may_fail_spuriously(self, tid: int) -> bool:
        """May a store-exclusive of this thread fail for no reason? Only explored where the
        thread has no loop: in a retry loop a spurious failure just repeats the same work."""
        return not self._has_backward_branch[tid]

    def has_loop(self, tid: int) -> bool:
        """Does this thread's code branch backwards (so it may run an instruction twice)?"""
        return self._has_backward_branch[tid]

    def location_at(self, addr: int, size: int, what: str = "access",
                    info: InsnInfo | None = None) -> PlacedLocation:  # fmt: skip
        """The location an access of `size` bytes at `addr` names, for a model that keeps one
        value per location; `info`, the instruction making it, places a refusal at its line.
        Refused (`AccessError`): an access inside a location (at an offset), and a narrow
        write that must keep bytes of the initial value it does not cover (memory is
        byte-addressed, as in herd's -variant mixed: replacing the whole value would be
        wrong)."""
        loc, offset = self.place(addr, size, what, info)
        if offset:
            raise AccessError(f"a {size}-byte {what} at {loc.name}+{offset}: {MIXED_SIZE_REFUSAL}")
        if what == "write" and self.keeps_initial_bytes(loc, size):
            raise AccessError(f"a {size}-byte write into {loc.name}, whose other bytes keep "
                              f"its initial value {loc.init:#x}: {MIXED_SIZE_REFUSAL}")  # fmt: skip
        return loc

    @staticmethod
    def keeps_initial_bytes(loc: PlacedLocation, size: int) -> bool:
        """Would a write of `size` bytes at the start of `loc` leave initial bytes that show in
        its value (within its type's width) and are not zero? Then the value it writes is not
        the location's value."""
        shown = min(loc.size, max(1, loc.width // 8))
        return size < shown and get_bytes(loc.init, size, shown - size) != 0

    def place(self, addr: int, size: int, what: str = "access",
              info: InsnInfo | None = None) -> tuple[PlacedLocation, int]:  # fmt: skip
        """(location, byte offset) of an access of `size` bytes at `addr`, which may be a part
        of a location (herd's mixed-size accesses): it must lie inside the location and be
        aligned to its size (a single-copy atomic access). An atomic pair's access to two
        array elements is to their pair group. Else `AccessError`."""
        group = self.groups.get((addr, size))
        if group is not None:
            self._note_group_use(group, "pair", group.name, info)
            return group, 0
        loc = self.by_addr.get(addr)
        if loc is not None and size <= loc.size:
            offset = 0
        else:
            loc, offset = self._inside(addr, size, what)
        if info is not None and info.atomic_pair and 8 * size > loc.width:
            raise CodeError(info.address, info.text,
                            f"an atomic pair of {size} bytes at the {loc.width}-bit {loc.name}: "
                            f"a pair needs a {8 * size}-bit location"
                            f"{' (__int128)' if size == 16 else ''} or two elements of an "
                            "array")  # fmt: skip
        group = self._group_of.get(loc.index)
        if group is not None:  # element 0 is named as its array: say `t[0]`
            name = loc.name if "[" in loc.name else f"{loc.name}[0]"
            self._note_group_use(group, "element", name, info)
        return loc, offset

    def _inside(self, addr: int, size: int, what: str) -> tuple[PlacedLocation, int]:
        inside = [lo for lo in self.by_addr.values() if lo.addr <= addr < lo.addr + lo.size]
        if not inside:
            raise AccessError(f"{what} of {size} bytes at {addr:#x}, which is no location of "
                              f"the test ({', '.join(lo.name for lo in self.by_addr.values()) or 'none'})")
        loc = inside[0]
        offset = addr - loc.addr
        where = f"{loc.name}+{offset}" if offset else loc.name
        if offset + size > loc.size:
            raise AccessError(f"a {size}-byte {what} at {where} goes past the {loc.size} bytes "
                              f"of {loc.name}: an access spanning two locations is not covered")
        if offset % size:
            raise AccessError(f"a {size}-byte {what} at {where} is not aligned to its size: "
                              "unaligned (not single-copy atomic) accesses are not covered")
        return loc, offset

    def _note_group_use(self, group: PlacedLocation, how: str, name: str,
                        info: InsnInfo | None) -> None:  # fmt: skip
        """Refuse a test that accesses a pair group both as a whole and element by element:
        herd splits a pair into one event per element and keeps them single-copy atomic
        (`para_atomic`), which mixes sizes; here a group and its elements are separate
        locations, so no model (not even the byte-addressed ones) can relate the two."""
        seen = self._group_use.setdefault(group.index, (how, name))
        if seen[0] != how:
            pair, alone = (name, seen[1]) if how == "pair" else (seen[1], name)
            why = (f"{alone} is accessed alone and within the atomic pair {pair}: mixed-size "
                   "accesses to a pair group are not covered by any model")
            if info is not None:
                raise CodeError(info.address, info.text, why)
            raise FencelabError(f"{self.test.name}: {why}")

    def final_memory(self, finals: dict[int, int]) -> dict[int, int]:
        """Address -> value of every location at the end, from `finals` (location index ->
        its final value; a location left out keeps its initial value). A pair group's value
        goes to its elements, low half first, once it is not its initial value (a group and its
        elements are never both accessed, `_note_group_use`: an unwritten group must not put
        the initial values back over elements written alone)."""
        values = {loc.addr: finals.get(loc.index, loc.init)
                  for loc in self.locations if not loc.parts}  # fmt: skip
        for loc in self.locations:
            if loc.parts and loc.index in finals and (unsigned(finals[loc.index], loc.width)
                                                      != unsigned(loc.init, loc.width)):
                bits = loc.width // len(loc.parts)
                for k, part in enumerate(loc.parts):
                    part_value = (finals[loc.index] >> (k * bits)) & ((1 << bits) - 1)
                    values[self.locations[part].addr] = part_value
        return values

    def locate(self, error: CodeError) -> SourceError:
        """An instruction's error at the user's line: `file:line:col: P0: STR W0,[X2]: why`."""
        for thread in self.threads:
            src = thread.lines.get(error.pc)
            if src is not None:
                return SourceError(f"P{thread.tid}: {src.text}: {error.why}", self.test.file,
                                   src.line, src.col)  # fmt: skip
        return SourceError(str(error), self.test.file)

    def value_type(self, obs: Observable) -> ValueType:
        """The type a final value of `obs` is shown in (fencelab.litmus.types)."""
        typ = self._types.get(obs)
        if typ is None:
            typ = self._types[obs] = observable_type(self.test, obs)
        return typ

    def value_of(self, obs: Observable, raw: int) -> Value:
        """A raw register/memory value as herd prints it: in its type, or a location's name."""
        loc = self.by_addr.get(raw)
        if loc is not None:  # addresses are far from any small value a test stores
            return LocRef(loc.name)
        return self.value_type(obs).wrap(raw)

    def raw_value(self, obs: Observable, threads, memory: dict[int, int]) -> int:
        if isinstance(obs, LocObs):
            if obs.name not in self.by_name:
                raise FencelabError(f"{self.test.name}: condition names unknown location {obs.name}")
            return memory[self.by_name[obs.name].addr]
        thread = self.threads[obs.tid]
        if self.target.canonical_reg(obs.reg) == self.target.zero_register:
            return 0  # the zero register (herd lets a condition name it)
        return thread.core.reg(threads[obs.tid], obs.reg)


def _has_backward_branch(core: Core) -> bool:
    for addr, decoded in core.decoded.items():
        if decoded.info.kind is Kind.BRANCH:
            numbers = re.findall(r"0x[0-9a-fA-F]+", decoded.op_str)
            if numbers and int(numbers[-1], 16) <= addr:
                return True
    return False
