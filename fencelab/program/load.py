"""Place an assembly litmus test in memory: translate, assemble, lay out, keep a source map.

Each thread's cells are translated from herd's syntax to what the target's assembler takes
(by the test's architecture, fencelab/isa/arch.py: X86_64 location operands `(x)` become
absolute addresses; herd's Intel-like X86 dialect `MOV [x],$1` becomes keystone's Intel syntax),
assembled at the thread's fixed address, and every
instruction is mapped back to its row in the thread table. herd's symbolic registers in ARM and
AArch64 code (`LDR R0,[%x0]`, initialised by `%x0=x`) become registers the thread does not use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from fencelab import reduce
from fencelab.errors import FencelabError, SourceError, clip
from fencelab.isa.arch import ARCHES, Arch, AssemblyError
from fencelab.isa.immediates import without_leading_zeros
from fencelab.isa.registry import own_target
from fencelab.isa.target import Target
from fencelab.litmus.ast import LitmusTest, LocRef, RegObs, Thread
from fencelab.litmus.conditions import filter_observables, observables
from fencelab.litmus.types import value_type
from fencelab.program.layout import (
    CODE_BASE,
    DATA_BASE,
    LOCATION_SIZE,
    LOCATION_STRIDE,
    PlacedLocation,
    Program,
    SourceLine,
    ThreadCode,
)
from fencelab.values import unsigned

_LABEL = re.compile(r"\s*([A-Za-z_.$][\w.$]*)\s*:\s*")
_RETURN = re.compile(r"retq?|bx\s+lr", re.I)
_END_LABEL = "fencelab_end"  # where herd's `ret` goes: the thread's end
# a subroutine call (AArch64 BL/BLR, A32 BL/BLX): in a thread that makes one, a return goes back
# to the link register, which starts at the thread's end (herd: L022, intra-thread calls)
_CALL = re.compile(r"(?:^|:)\s*(?:bl|blr|blx)\s", re.I)  # after the cell's labels, if any
# what puts a code address in a register; only then is a value printed as a label (`0:L0`),
# so that a number a test computes (65536) is not taken for a code address
_CODE_ADDRESS = re.compile(r"(?:^|:)\s*(?:bl|blr|blx|adrp?)\s", re.I)
_LINK = {"AArch64": "x30", "ARM": "lr"}


def target_for(test: LitmusTest, target: Target | None = None) -> Target:
    """The target an assembly test runs on: `target` if it runs the test's code, else its
    architecture's own (the richest variant)."""
    if test.is_source:
        raise FencelabError(f"{test.name}: a {test.arch} test must be compiled to a target first")
    if test.arch not in ARCHES:
        raise FencelabError(f"{test.name}: unsupported architecture {test.arch}")
    own = own_target(ARCHES[test.arch])
    if target is not None:
        if target.arch is not own.arch:
            raise FencelabError(
                f"{test.name}: an {test.arch} test cannot run on target {target.name}"
            )
        return target
    return own


def load(test: LitmusTest, target: Target | None = None) -> Program:
    tgt = target_for(test, target)
    addr_of = _addresses(test)
    locations = [  # a location holding another's address (`x=y`) starts with that address
        PlacedLocation(i, loc.name, addr_of[loc.name],
                       addr_of[loc.init.name] if isinstance(loc.init, LocRef) else loc.init,
                       loc.width, _span(loc))  # fmt: skip
        for i, loc in enumerate(test.locations)
    ]
    arch = ARCHES[test.arch]
    symbolic = _symbolic_registers(test, arch)
    threads = [
        _thread_code(test, tgt, arch, thread.tid, thread.asm, addr_of, symbolic[thread.tid])
        for thread in test.threads
    ]
    for ri in test.reg_inits:
        if ri.tid < len(threads) and ri.reg in symbolic[ri.tid]:
            ri = replace(ri, reg=symbolic[ri.tid][ri.reg])
        at = (test.file, ri.pos.line, ri.pos.col)
        if ri.tid >= len(threads):
            raise SourceError(f"initial state names thread {ri.tid}, which the test lacks", *at)
        if not tgt.has_register(ri.reg) or tgt.canonical_reg(ri.reg) == tgt.zero_register:
            raise SourceError(f"initial state names {ri.tid}:{ri.reg}, a register {test.arch} "
                              f"code cannot set (valid: {tgt.register_list()})", *at)  # fmt: skip
        if tgt.canonical_reg(ri.reg) == tgt.pc_name:
            raise SourceError(
                f"initial value for P{ri.tid}'s program counter {ri.reg!r} is not supported: "
                "each thread starts at its first instruction",
                *at,
            )
        value = ri.value
        if isinstance(value, LocRef):
            if value.name not in addr_of:
                raise SourceError(f"unknown location {value.name!r} in initial state", *at)
            value = addr_of[value.name]
        elif ri.ctype and not ri.ctype.endswith("*"):
            value = value_type(ri.ctype).wrap(value)  # `int8_t 0:X0=255`: X0 holds -1
        threads[ri.tid].init_regs[tgt.canonical_reg(ri.reg)] = unsigned(value, tgt.pointer_width)
    obs = observables(test)
    only = filter_observables(test)  # observed too, last, for the filter (`result.filtered`)
    for o in (*obs, *only):
        at = (test.file, *((o.pos.line, o.pos.col) if isinstance(o, RegObs) else ()))
        named = "filter" if o in only else "condition"
        if isinstance(o, RegObs) and o.tid >= len(threads):
            raise SourceError(f"{named} names thread {o.tid}, which the test lacks", *at)
        if isinstance(o, RegObs) and not tgt.has_register(o.reg):
            raise SourceError(f"{named} names {o.tid}:{o.reg}, a register {test.arch} code "
                              f"does not have (valid: {tgt.register_list()})", *at)  # fmt: skip
    if any(d.info.atomic_pair for t in threads for d in tgt.disassemble(t.code, t.base)):
        locations += pair_groups(locations, test)
    return Program(test, tgt, threads, locations, obs + only)


def pair_groups(locations: list[PlacedLocation], test: LitmusTest) -> list[PlacedLocation]:
    """A location for each two adjacent elements of an array of 32- or 64-bit elements (`t[0]`
    and `t[1]` of `uint64_t t[2]`: `t[0..1]`, 128 bits, at `t`), which an atomic pair access
    (LDXP/STXP/CASP, two W or two X registers) reads or writes as one. herd's own pair tests
    put the pair in such an array."""
    by_array: dict[str, list[PlacedLocation]] = {}
    for loc, decl in zip(locations, test.locations, strict=True):
        if decl.array and decl.width in (32, 64):
            by_array.setdefault(decl.array, []).append(loc)
    out: list[PlacedLocation] = []
    index = len(locations)
    for name, elements in by_array.items():
        elements.sort(key=lambda loc: loc.addr)
        for k in range(0, len(elements) - 1, 2):
            low, high = elements[k], elements[k + 1]
            bits = low.width
            init = unsigned(low.init, bits) | unsigned(high.init, bits) << bits
            out.append(PlacedLocation(index, f"{name}[{k}..{k + 1}]", low.addr, init, 2 * bits,
                                      size=2 * bits // 8, parts=(low.index, high.index)))
            index += 1
    return out


def _addresses(test: LitmusTest) -> dict[str, int]:
    """Each location's address: its own LOCATION_STRIDE slot, or slots; array elements one
    after the other at their type's width (`int64_t v[2]`: `v` at a, `v[1]` at a+8)."""
    out: dict[str, int] = {}
    slot = 0
    for loc in test.locations:
        if loc.array and loc.index:
            continue
        out[loc.name] = DATA_BASE + slot * LOCATION_STRIDE
        count = sum(1 for other in test.locations if other.array == loc.name) if loc.array else 1
        slot += -(-count * max(8, loc.width // 8) // LOCATION_STRIDE)
    for loc in test.locations:
        if loc.array and loc.index:
            out[loc.name] = out[loc.array] + loc.index * max(1, loc.width // 8)
    return out


def _span(loc) -> int:
    """The bytes a location spans: an array element its type's width, any other location at
    least LOCATION_SIZE (herd's tests store X registers into `int` locations)."""
    width = max(1, loc.width // 8)
    return width if loc.array else max(LOCATION_SIZE, width)


_SYMBOLIC = re.compile(r"%([A-Za-z_]\w*)")


def _symbolic_registers(test: LitmusTest, arch: Arch) -> list[dict[str, str]]:
    """Per thread, each symbolic register (`%x0`) its code or initial state names -> a register
    the thread's code does not name: herd too picks a free register for each."""
    out: list[dict[str, str]] = [{} for _ in test.threads]
    used_re = arch.numbered_register
    if not arch.symbolic_pool or used_re is None:
        return out
    for thread in test.threads:
        names = _symbolic_names(test, thread)
        if not names:
            continue
        text = " ".join(c.text for c in thread.asm)
        used = {int(n) for n in used_re.findall(text)}
        used |= {int(m.group(1)) for ri in test.reg_inits if ri.tid == thread.tid
                 for m in [used_re.fullmatch(ri.reg)] if m}  # fmt: skip
        free = [r for r in arch.symbolic_pool if int(r[1:]) not in used]
        if len(free) < len(names):
            raise SourceError(f"P{thread.tid}: more symbolic registers than free registers",
                              test.file)  # fmt: skip
        out[thread.tid] = dict(zip(names, free))
    return out


def _symbolic_names(test: LitmusTest, thread: Thread) -> list[str]:
    names = [f"%{n}" for c in thread.asm for n in _SYMBOLIC.findall(c.text)]
    names += [ri.reg for ri in test.reg_inits if ri.tid == thread.tid and ri.reg.startswith("%")]
    return list(dict.fromkeys(names))


def _thread_code(test, tgt: Target, arch: Arch, tid: int, cells, addr_of,
                 symbolic) -> ThreadCode:  # fmt: skip
    """A thread's code placed at its address, mapped back to its cells. What rests on the
    cells' text alone (the translated lines, keystone's bytes, the decoded instructions,
    the labels) is `_code`'s, remembered under the `reuse` reduction: tests share most of
    their threads."""
    key = (test.arch, tgt.name, tid, tuple([c.text for c in cells]), tuple(addr_of.items()),
           tuple(symbolic.items()))  # fmt: skip
    made = reduce.reused(_MADE, key, lambda: _code(test, tgt, arch, tid, cells, addr_of,
                                                    symbolic))  # fmt: skip
    sources = [SourceLine(cells[k].row, cells[k].text.strip(), translated, cells[k].pos.line,
                          cells[k].pos.col, cells[k].lines)
               for k, translated in made.translated]  # fmt: skip
    lines = {address: src for address, src in zip(made.addresses, sources, strict=True)}
    return ThreadCode(tid, made.base, made.code, lines, dict(made.init_regs), dict(made.labels))


@dataclass(frozen=True)
class _Code:
    """A thread's code as its cells' text makes it (`_code`): by cell index, the translated
    line of each cell holding an instruction; the bytes, placed at `base`; each instruction's
    address, in the cells' order; the link register's start (`_LINK`); the labels printed
    for code addresses."""

    translated: tuple[tuple[int, str], ...]
    base: int
    code: bytes
    addresses: tuple[int, ...]
    init_regs: tuple[tuple[str, int], ...]
    labels: tuple[tuple[int, str], ...]


# a thread's code by (architecture, target, thread, its cells' text, the locations' addresses,
# its symbolic registers): everything `_code` reads but the cells' places in the file, which
# only its errors name (an error is not remembered) and `_thread_code` puts in the source map
_MADE: dict[tuple, _Code] = {}


def _code(test, tgt: Target, arch: Arch, tid: int, cells, addr_of, symbolic) -> _Code:
    base = CODE_BASE * (tid + 1)
    asm_lines: list[str] = []
    sources: list[SourceLine] = []
    translated_at: list[tuple[int, str]] = []
    link = _LINK.get(test.arch) if any(_CALL.search(c.text.strip()) for c in cells) else None
    dotted = _dotted_labels(cells)
    for index, cell in enumerate(cells):
        text = cell.text.strip()
        if not text:
            continue
        start, m = 0, _LABEL.match(text)
        while m:
            asm_lines.append(f"{dotted.get(m.group(1), m.group(1))}:")
            start, m = m.end(), _LABEL.match(text, m.end())
        text = text[start:].strip()
        if not text:
            continue
        for name, safe in dotted.items():
            text = re.sub(rf"(?<![\w.$]){re.escape(name)}(?![\w.$])", safe, text)
        if symbolic:
            text = _SYMBOLIC.sub(lambda m: symbolic.get(m.group(0), m.group(0)), text)

        def unknown(name: str, cell=cell) -> SourceError:
            return SourceError(f"unknown location {name!r}", test.file, cell.pos.line,
                               cell.pos.col)  # fmt: skip

        try:
            # herd's lexers read `#010` as 10 (OCaml's int_of_string), keystone as octal 8
            translated = arch.translate(without_leading_zeros(text), addr_of, unknown)
        except SourceError:
            raise
        except FencelabError as e:
            raise SourceError(str(e), test.file, cell.pos.line, cell.pos.col) from None
        if _RETURN.fullmatch(translated.strip()) and not link:  # herd: a
            # return (`ret`, A32's `bx lr`) from the thread ends it
            translated = f"{'jmp' if test.arch.startswith('X86') else 'b'} {_END_LABEL}"
        asm_lines.append(translated)
        sources.append(SourceLine(cell.row, cell.text.strip(), translated, cell.pos.line,
                                  cell.pos.col, cell.lines))  # fmt: skip
        translated_at.append((index, translated))
    if link or any(_END_LABEL in line for line in asm_lines):
        asm_lines.append(f"{_END_LABEL}:")
    try:
        code = arch.assemble(tgt, asm_lines, base)
    except AssemblyError as e:
        raise _bad_line(test, tid, tgt, arch, asm_lines, sources, base) or SourceError(
            f"P{tid}: {e}", test.file) from None
    try:
        decoded = tgt.disassemble(code, base)
    except FencelabError as e:  # an instruction the target refuses (LDM): name it at its line
        raise _bad_line(test, tid, tgt, arch, asm_lines, sources, base) or e from None
    if len(decoded) != len(sources):
        raise _bad_line(test, tid, tgt, arch, asm_lines, sources, base) or FencelabError(
            f"{test.name}: P{tid}: {len(sources)} instruction lines became {len(decoded)} "
            "instructions"
        )
    labels = (_label_addresses(asm_lines, decoded, base + len(code))
              if any(_CODE_ADDRESS.search(c.text.strip()) for c in cells) else {})  # fmt: skip
    original = {safe: name for name, safe in dotted.items()}
    labels = {a: original.get(name, name) for a, name in labels.items()}
    return _Code(tuple(translated_at), base, code, tuple(d.address for d in decoded),
                 ((tgt.canonical_reg(link), base + len(code)),) if link else (),
                 tuple(labels.items()))  # fmt: skip


def _dotted_labels(cells) -> dict[str, str]:
    """The thread's labels that start with a dot (herd's L061 branches to `.text:`), each -> a
    name of our own: keystone reads `.text` as the section's name (`B .text` is then a
    redefined symbol), so the code is assembled with the label renamed; it prints as written."""
    names = [m.group(1) for c in cells for m in _labels_of(c.text.strip())]
    dotted = [n for n in dict.fromkeys(names) if n.startswith(".")]
    return {name: f"fencelab_label{k}_" + re.sub(r"\W", "_", name) for k, name in enumerate(dotted)}


def _labels_of(text: str):
    m = _LABEL.match(text)
    while m:
        yield m
        m = _LABEL.match(text, m.end())


def _other_thread_label(test, tid: int, asm: str) -> str | None:
    """Why a line naming another thread's label (`BL L1` to P1's code, herd's L023) does not
    assemble: each thread's code is assembled alone."""
    theirs = {m.group(1) for t in test.threads if t.tid != tid for c in t.asm
              for m in [_LABEL.match(c.text)] if m}  # fmt: skip
    named = [w for w in re.findall(r"[A-Za-z_.$][\w.$]*", asm) if w in theirs]
    if not named:
        return None
    return (f"{named[0]} is a label of another thread; each thread's code is assembled alone "
            "(herd lets a thread branch to another's code)")


def _label_addresses(asm_lines: list[str], decoded, end: int) -> dict[int, str]:
    """Each code address the thread labels -> its first label (`L0`), as herd prints a code
    address held in a register (`0:X30=0:L0;` after `BL L0`, its A257)."""
    out: dict[int, str] = {}
    count = 0
    for line in asm_lines:
        if line.endswith(":"):
            if line[:-1] != _END_LABEL:
                out.setdefault(decoded[count].address if count < len(decoded) else end, line[:-1])
        else:
            count += 1
    return out


def _bad_line(test, tid: int, tgt: Target, arch: Arch, asm_lines: list[str],
              sources: list[SourceLine], base: int) -> SourceError | None:  # fmt: skip
    """The first line that does not assemble to exactly one instruction, or that the target
    refuses, named as the user wrote it, at its place in the file (each line is assembled
    alone, its labels stubbed)."""
    labels = {ln[:-1] for ln in asm_lines if ln.endswith(":")}
    for src in sources:
        stubs = [f"{lab}:" for lab in labels if re.search(rf"\b{re.escape(lab)}\b", src.asm)]
        try:
            count = len(tgt.disassemble(arch.assemble(tgt, [src.asm, *stubs], base), base))
        except AssemblyError as e:
            why = _other_thread_label(test, tid, src.asm) or e.why or str(e)
        except FencelabError as e:  # it assembles, but the target refuses it
            return SourceError(f"P{tid}: {e}", test.file, src.line, src.col)
        else:
            if count == 1:
                continue
            why = f"the assembler made {count} instructions of it"
        if src.lines > 1:  # herd reads a row up to its `;`: two instructions in one cell?
            why += (f" (its cell goes on over {src.lines} lines, to the next '|' or ';': herd "
                    "reads a line break in a row as a blank; is a ';' missing?)")
        return SourceError(f"P{tid}: cannot assemble {clip(src.text)}: {why}", test.file,
                           src.line, src.col)  # fmt: skip
    return None
