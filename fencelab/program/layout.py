"""A litmus test placed in memory: each thread's bytes at a fixed address, each location too.

`Program` is what the machine runs. It is built from an assembly litmus test by
`fencelab.program.load.load`, and keeps a source map from every instruction back to its row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from fencelab.errors import AccessError, CodeError, FencelabError, NarrowAddress, SourceError
from fencelab.isa.core import Core
from fencelab.isa.insn import InsnInfo
from fencelab.isa.target import Target
from fencelab.litmus.ast import (
    LitmusTest,
    LocObs,
    LocRef,
    Observable,
    Value,
    element_observable,
    location_name,
)
from fencelab.litmus.types import ValueType, held, observable_type
from fencelab.values import get_bytes, unsigned

CODE_BASE = 0x10000  # thread t's code is at CODE_BASE * (t + 1)
DATA_BASE = 0x100000  # location i is at DATA_BASE + i * LOCATION_STRIDE
LOCATION_STRIDE = 0x40
LOCATION_SIZE = 8  # bytes a location spans at least (an array element: its type's width)
# also for an access across array elements, or an element accessed alone and within a pair:
# sc, tso and arm-axiomatic hold each array whole (`whole_arrays`), arm and aarch32 join the
# elements such accesses meet (`joins`)
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
    lines: int = 1  # the lines of the file it takes (a cell may go on across lines)


@dataclass
class ThreadCode:
    tid: int
    base: int
    code: bytes
    lines: dict[int, SourceLine]  # instruction address -> source
    init_regs: dict[str, int]  # canonical register -> value
    labels: dict[int, str] = field(default_factory=dict)  # labelled code address -> label
    core: Core = field(repr=False, default=None)  # type: ignore[assignment]


@dataclass
class Program:
    test: LitmusTest
    target: Target
    threads: list[ThreadCode]
    locations: list[PlacedLocation]
    observables: tuple[Observable, ...]
    # arrays held whole (`whole_arrays`): each element's own place, by which its final value is
    # found (`final_memory`, `raw_value`); no model accesses these
    elements: tuple[PlacedLocation, ...] = ()
    parted: Program | None = field(default=None, repr=False)  # the same, element by element

    def __post_init__(self) -> None:
        cells = [loc for loc in self.locations if not loc.parts]
        self.by_addr = {loc.addr: loc for loc in cells}
        self.by_name = {loc.name: loc for loc in cells}
        self._element_at = {e.name: e for e in self.elements}
        self._array_of = {e.name: self._inside(e.addr, e.size, "element")[0] for e in self.elements}
        self._element_names = {(e.addr, e.size): self._herd_name(e.name) for e in self.elements}
        self._element_by_addr = {e.addr: self._herd_name(e.name) for e in self.elements}
        # pair groups by (address, bytes); each element's group; how each group was accessed
        self.groups = {(g.addr, g.width // 8): g for g in self.locations if g.parts}
        self._group_of = {p: g for g in self.groups.values() for p in g.parts}
        self._group_use: dict[int, tuple[str, str]] = {}
        self._types: dict[Observable, ValueType] = {}
        self._arrays: dict[str, tuple] = {}  # name -> its elements (`LitmusTest.array`)
        self._spans: dict[str, tuple[int, int]] | None = None  # array -> its bytes' addresses
        regions = [(DATA_BASE, max(1, len(self.locations)) * LOCATION_STRIDE)]
        for thread in self.threads:
            if thread.core is None:
                thread.core = self.target.new_core(thread.code, thread.base, regions)
        self._has_backward_branch = [_has_backward_branch(t.core) for t in self.threads]

    def whole_arrays(self, spans: dict[str, set[tuple[int, int]]] | None = None) -> Program:
        """This program with each array one location over its elements' bytes (herd's memory:
        an array is one block), for the models with byte-addressed memory (sc, tso,
        arm-axiomatic; the operational arm model with the spans it met, `joins`): an access
        may then span elements (`LDR W1,[X2]` of `uint8_t t[4]`) and
        an element may be accessed alone and within an atomic pair. Its elements' final values
        are read from the array's bytes. No pair groups: a pair is an access of two elements'
        bytes. With `spans` (array name -> the (byte offset, size) of every access to it), only
        elements that some access joins are held together; the others stay their own
        locations. The same program when the test has no array (or its arrays are whole
        already)."""
        decls = self.test.locations
        if self.elements or not any(d.array for d in decls):
            return self
        cells = self.locations[:len(decls)]
        members: dict[str, list[PlacedLocation]] = {}
        for c, d in zip(cells, decls, strict=True):
            if d.array:
                members.setdefault(d.array, []).append(c)
        out: list[PlacedLocation] = []
        elements: list[PlacedLocation] = []
        for loc, decl in zip(cells, decls, strict=True):
            if not decl.array:
                out.append(replace(loc, index=len(out)))
            elif decl.index == 0:
                for block in _blocks(members[decl.array], None if spans is None else
                                     spans.get(decl.array, set())):  # fmt: skip
                    if len(block) == 1:
                        out.append(replace(block[0], index=len(out)))
                        continue
                    first, last = block[0], block[-1]
                    size = last.addr + last.size - first.addr
                    init = 0
                    for e in block:
                        init |= unsigned(e.init, 8 * e.size) << 8 * (e.addr - first.addr)
                    name = decl.array if first is loc else first.name
                    out.append(PlacedLocation(len(out), name, first.addr, init, 8 * size, size))
                    elements += [replace(e, index=-1) for e in block]
        return Program(self.test, self.target, self.threads, out, self.observables,
                       tuple(elements), self)  # fmt: skip

    def by_element(self) -> Program:
        """The program with each array element its own location (as `load` made it), for
        what names accesses by location (execution graphs); an access spanning elements is
        refused there."""
        return self.parted or self

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

    def joins(self, addr: int, size: int) -> tuple[str, int, int] | None:
        """For a model that holds together the array elements an access joins, as it meets
        them (the operational arm model runs `whole_arrays` of the spans found): (array, byte
        offset in the array, bytes) of an access of `size` bytes at `addr` that `place` would
        refuse for joining elements of an array — one spanning elements, an atomic pair's
        access to a pair group one of whose elements was accessed alone, or the access of an
        element alone after its pair group's. None for every other access."""
        group = self.groups.get((addr, size))
        if group is not None:
            use = self._group_use.get(group.index)
            return self._array_span(group.addr, size) if use and use[0] != "pair" else None
        inside = [lo for lo in self.by_addr.values() if lo.addr <= addr < lo.addr + lo.size]
        if not inside or not self._is_element(inside[0]):
            return None
        loc = inside[0]
        if addr + size > loc.addr + loc.size:
            return self._array_span(addr, size)
        group = self._group_of.get(loc.index)
        use = self._group_use.get(group.index) if group is not None else None
        if use is not None and use[0] == "pair":
            return self._array_span(group.addr, group.width // 8)
        return None

    def _array_span(self, addr: int, size: int) -> tuple[str, int, int] | None:
        """(array, offset, bytes) of `size` bytes at `addr` if they lie inside one array."""
        for decl in self.test.locations:
            if not decl.array or decl.index:
                continue
            elements = [self._place_of(e.name) for e in self.test.array(decl.array)]
            start, end = elements[0].addr, elements[-1].addr + elements[-1].size
            if start <= addr and addr + size <= end:
                return decl.array, addr - start, size
        return None

    def _inside(self, addr: int, size: int, what: str) -> tuple[PlacedLocation, int]:
        inside = [lo for lo in self.by_addr.values() if lo.addr <= addr < lo.addr + lo.size]
        if not inside:
            raise AccessError(f"{what} of {size} bytes at {addr:#x}, which is no location of "
                              f"the test ({', '.join(lo.name for lo in self.by_addr.values()) or 'none'})")
        loc = inside[0]
        offset = addr - loc.addr
        where = f"{loc.name}+{offset}" if offset else loc.name
        if offset + size > loc.size:
            spans = ("an access spanning array elements: " + MIXED_SIZE_REFUSAL
                     if self._is_element(loc) else "an access spanning two locations is not "
                     "covered")  # fmt: skip
            raise AccessError(f"a {size}-byte {what} at {where} goes past the {loc.size} bytes "
                              f"of {loc.name}: {spans}")
        if offset % size:
            raise AccessError(f"a {size}-byte {what} at {where} is not aligned to its size: "
                              "unaligned (not single-copy atomic) accesses are not covered")
        if offset + size > max(1, loc.width // 8):  # (a location spans LOCATION_SIZE bytes)
            raise AccessError(f"a {size}-byte {what} at {where} goes past the {loc.width}-bit "
                              f"{loc.name}: an access past a location's type is not covered")
        return loc, offset

    def _note_group_use(self, group: PlacedLocation, how: str, name: str,
                        info: InsnInfo | None) -> None:  # fmt: skip
        """Refuse a test that accesses a pair group both as a whole and element by element:
        herd splits a pair into one event per element and keeps them single-copy atomic
        (`para_atomic`), which mixes sizes; here a group and its elements are separate
        locations. The byte-addressed models run such a test with the array whole
        (`whole_arrays`), where a pair is an access of two elements' bytes; the operational
        arm model asks `joins` first and holds the group's elements together."""
        seen = self._group_use.setdefault(group.index, (how, name))
        if seen[0] != how:
            pair, alone = (name, seen[1]) if how == "pair" else (seen[1], name)
            why = (f"{alone} is accessed alone and within the atomic pair {pair}: "
                   f"{MIXED_SIZE_REFUSAL}")
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
        for e in self.elements:  # an array held whole: each element's bytes
            array = self._array_of[e.name]
            raw = unsigned(finals.get(array.index, array.init), 8 * array.size)
            values[e.addr] = get_bytes(raw, e.addr - array.addr, e.size)
        return values

    def locate(self, error: CodeError) -> SourceError:
        """An instruction's error at the user's line: `file:line:col: P0: STR W0,[X2]: why`."""
        for thread in self.threads:
            src = thread.lines.get(error.pc)
            if src is not None:
                why = error.why
                if isinstance(error, NarrowAddress):  # the location by its name
                    loc = self.by_addr.get(error.address)
                    why = error.explain(loc.name if loc else f"{error.address:#x}")
                return SourceError(f"P{thread.tid}: {src.text}: {why}", self.test.file,
                                   src.line, src.col)  # fmt: skip
        return SourceError(str(error), self.test.file)

    def value_type(self, obs: Observable) -> ValueType:
        """The type a final value of `obs` is shown in (fencelab.litmus.types)."""
        typ = self._types.get(obs)
        if typ is None:
            typ = self._types[obs] = observable_type(self.test, obs)
        return typ

    def typed(self, loc: PlacedLocation, value: int, bits: int) -> int:
        """A value of `bits` bits written to or read from `loc` (or a part of it), as the
        panes, graphs and schedules show it: in the location's type, as its final value is
        shown (a `uint8_t`'s 200, not -56), no wider than the access; at the access's width
        where it sets bits beyond the type's (a 64-bit write to an `int`); a location's
        address kept whole (a pointer in memory)."""
        if value in self.by_addr:
            return value
        typ = self.value_type(LocObs(loc.name))
        width = min(loc.width, bits)
        if unsigned(value, bits) >> width:
            width = bits
        return held(value, ValueType(width, typ.signed))

    def value_of(self, obs: Observable, raw: int | tuple[int, ...]) -> Value:
        """A raw register/memory value as herd prints it: in its type, or a location's name;
        a whole array's (`raw_value` gives a tuple) element by element."""
        if isinstance(raw, tuple):
            return tuple(self.value_of(LocObs(element_observable(obs.name, i)), r)
                         for i, r in enumerate(raw))  # fmt: skip
        inside = self._array_address(raw)
        if inside is not None:
            return inside
        loc = self.by_addr.get(raw)
        if loc is not None:  # addresses are far from any small value a test stores
            return LocRef(loc.name)
        for thread in self.threads:  # a code address: herd prints its label (`0:L0`)
            if raw in thread.labels:
                return LocRef(f"{thread.tid}:{thread.labels[raw]}")
        loc = self.by_addr.get(raw - (raw - DATA_BASE) % LOCATION_STRIDE)
        if loc is not None and raw > loc.addr and not self._in_array(loc):
            return LocRef(f"{loc.name}+{raw - loc.addr}")  # herd's `x+4` (its ADDEXT01)
        return self.value_type(obs).wrap(raw)

    def _array_address(self, raw: int) -> LocRef | None:
        """An address inside an array as herd prints it: the array's name plus a byte offset
        (`v+8`, herd's STR-postindex prints `0:X0=x+4` for `int x[2]`), the name alone at its
        start. An element's address keeps the element as its identity (`v[1]`, what a
        condition names), under every model, whether the array is held whole or not."""
        if self._spans is None:
            spans: dict[str, tuple[int, int]] = {}
            for p in (*self.by_addr.values(), *self.elements):
                decl = self._declaration(p.name)
                if decl is not None and decl.array:
                    lo, hi = spans.get(decl.array, (p.addr, p.addr + p.size))
                    spans[decl.array] = (min(lo, p.addr), max(hi, p.addr + p.size))
            self._spans = spans
        for array, (lo, hi) in self._spans.items():
            if lo <= raw < hi:
                if raw == lo:
                    return LocRef(array)
                cell = self.by_addr.get(raw)
                element = (self._element_by_addr.get(raw)
                           or (cell.name if cell is not None and self._is_element(cell) else None))
                return LocRef(element or f"{array}+{raw - lo}", f"{array}+{raw - lo}")
        return None

    def _declaration(self, name: str):
        try:
            return self.test.location(name)
        except KeyError:
            return None

    def _in_array(self, loc: PlacedLocation) -> bool:
        """An array's element, or an array held whole."""
        return self._is_element(loc) or any(d.array == loc.name for d in self.test.locations)

    def _is_element(self, loc: PlacedLocation) -> bool:
        try:
            return bool(self.test.location(loc.name).array)
        except KeyError:
            return False

    def _herd_name(self, name: str) -> str:
        decl = self.test.location(name)
        return element_observable(decl.array, decl.index)

    def part_name(self, loc: PlacedLocation, offset: int, size: int) -> str:
        """The place of an access of `size` bytes at byte `offset` of `loc`, as herd's tests
        name it: `x`, an element of an array held whole (`t[1]`), or `x+1` inside x."""
        element = self._element_names.get((loc.addr + offset, size))
        if element is not None:
            return element
        return f"{loc.name}+{offset}" if offset else loc.name

    def cells(self, values) -> list[tuple[str, int]]:
        """(name, value) of every location for display, from `values` (raw, by location
        index): in its type (`typed`), an array held whole element by element (`t[0]`,
        `t[1]`)."""
        out = []
        for loc in self.locations:
            parts = [e for e in self.elements if self._array_of[e.name] is loc]
            if not parts:
                out.append((loc.name, self.typed(loc, values[loc.index], 8 * loc.size)))
            for e in parts:
                raw = get_bytes(unsigned(values[loc.index], 8 * loc.size), e.addr - loc.addr,
                                e.size)  # fmt: skip
                out.append((self._herd_name(e.name), self.typed(e, raw, 8 * e.size)))
        return out

    def _place_of(self, name: str) -> PlacedLocation | None:
        """Where location `name` is (an element of an array held whole: its own place)."""
        return self._element_at.get(name) or self.by_name.get(name)

    def raw_value(self, obs: Observable, threads, memory: dict[int, int]) -> int | tuple[int, ...]:
        """`obs`'s final value as stored: a register's, a location's (an array element named
        `v[0]` too), or a tuple of every element's for a whole array (`v={1,2}`)."""
        if isinstance(obs, LocObs):
            elements = self._arrays.get(obs.name)
            if elements is None:
                elements = self._arrays[obs.name] = self.test.array(obs.name)
            if elements:
                return tuple(memory[self._place_of(e.name).addr] for e in elements)
            loc = self._place_of(location_name(obs.name))
            if loc is None:
                raise FencelabError(f"{self.test.name}: condition names unknown location {obs.name}")
            return memory[loc.addr]
        thread = self.threads[obs.tid]
        if self.target.canonical_reg(obs.reg) == self.target.zero_register:
            return 0  # the zero register (herd lets a condition name it)
        return thread.core.reg(threads[obs.tid], obs.reg)


def _blocks(elements: list[PlacedLocation],
            spans: set[tuple[int, int]] | None) -> list[list[PlacedLocation]]:  # fmt: skip
    """An array's elements (in address order) in blocks held as one location: all of them
    (`spans` None), or those that an access of some (offset, size) of `spans` joins."""
    elements = sorted(elements, key=lambda e: e.addr)
    if spans is None:
        return [elements]
    base = elements[0].addr
    blocks = [[e] for e in elements]
    for offset, size in spans:
        lo, hi = base + offset, base + offset + size
        hit = [b for b in blocks if any(e.addr < hi and lo < e.addr + e.size for e in b)]
        if len(hit) > 1:
            blocks = [b for b in blocks if b not in hit] + [[e for b in hit for e in b]]
    return sorted((sorted(b, key=lambda e: e.addr) for b in blocks), key=lambda b: b[0].addr)


def _has_backward_branch(core: Core) -> bool:
    return any(info.branch_target is not None and info.branch_target <= addr
               for addr, info in core.infos.items())  # fmt: skip
