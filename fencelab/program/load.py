"""Place an assembly litmus test in memory: translate, assemble, lay out, keep a source map.

Each thread's cells are translated from herd's syntax to what the target's assembler takes
(X86_64 location operands `(x)` become absolute addresses; herd's Intel-like X86 dialect
`MOV [x],$1` becomes keystone's Intel syntax), assembled at the thread's fixed address, and every
instruction is mapped back to its row in the thread table. herd's symbolic registers in ARM and
AArch64 code (`LDR R0,[%x0]`, initialised by `%x0=x`) become registers the thread does not use.
"""

from __future__ import annotations

import re
from dataclasses import replace

import keystone

from fencelab.errors import FencelabError, SourceError
from fencelab.isa.immediates import a32_immediate_error
from fencelab.isa.registry import get_target
from fencelab.isa.target import AssemblyError, Target
from fencelab.litmus.ast import LitmusTest, LocRef, RegObs, Thread
from fencelab.litmus.types import value_type
from fencelab.program.layout import (
    CODE_BASE,
    DATA_BASE,
    LOCATION_STRIDE,
    PlacedLocation,
    Program,
    SourceLine,
    ThreadCode,
)
from fencelab.result import observables

ARCH_TARGETS = {"AArch64": "armv8.3", "ARM": "armv7", "X86_64": "x86_64", "X86": "x86_64"}
_LABEL = re.compile(r"^\s*([A-Za-z_.$][\w.$]*)\s*:\s*(.*)$")
_END_LABEL = "fencelab_end"  # where herd's `ret` goes: the thread's end


def target_for(test: LitmusTest, target: str | None = None) -> Target:
    """The target an assembly test runs on: its own architecture (the richest variant)."""
    if test.is_source:
        raise FencelabError(f"{test.name}: a {test.arch} test must be compiled to a target first")
    if test.arch not in ARCH_TARGETS:
        raise FencelabError(f"{test.name}: unsupported architecture {test.arch}")
    own = get_target(ARCH_TARGETS[test.arch])
    if target is not None:
        chosen = get_target(target)
        if chosen.herd_arch != own.herd_arch:
            raise FencelabError(
                f"{test.name}: an {test.arch} test cannot run on target {chosen.name}"
            )
        return chosen
    return own


def load(test: LitmusTest, target: str | None = None) -> Program:
    tgt = target_for(test, target)
    addr_of = _addresses(test)
    locations = [  # a location holding another's address (`x=y`) starts with that address
        PlacedLocation(i, loc.name, addr_of[loc.name],
                       addr_of[loc.init.name] if isinstance(loc.init, LocRef) else loc.init,
                       loc.width)  # fmt: skip
        for i, loc in enumerate(test.locations)
    ]
    symbolic = _symbolic_registers(test)
    threads = [
        _thread_code(test, tgt, thread.tid, thread.asm, addr_of, symbolic[thread.tid])
        for thread in test.threads
    ]
    for ri in test.reg_inits:
        if ri.tid < len(threads) and ri.reg in symbolic[ri.tid]:
            ri = replace(ri, reg=symbolic[ri.tid][ri.reg])
        if ri.tid >= len(threads):
            raise SourceError(f"initial state names thread {ri.tid}, which the test lacks",
                              test.file)  # fmt: skip
        if tgt.canonical_reg(ri.reg) == tgt.pc_name:
            raise SourceError(
                f"initial value for P{ri.tid}'s program counter {ri.reg!r} is not supported: "
                "each thread starts at its first instruction",
                test.file,
            )
        value = ri.value
        if isinstance(value, LocRef):
            if value.name not in addr_of:
                raise SourceError(f"unknown location {value.name!r} in initial state", test.file)
            value = addr_of[value.name]
        elif ri.ctype and not ri.ctype.endswith("*"):
            value = value_type(ri.ctype).wrap(value)  # `int8_t 0:X0=255`: X0 holds -1
        threads[ri.tid].init_regs[tgt.canonical_reg(ri.reg)] = value & _mask(tgt.pointer_width)
    obs = observables(test)
    for o in obs:
        if isinstance(o, RegObs) and o.tid >= len(threads):
            raise SourceError(f"condition names thread {o.tid}, which the test lacks", test.file)
    return Program(test, tgt, threads, locations, obs)


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


_SYMBOLIC = re.compile(r"%([A-Za-z_]\w*)")
_FREE = {  # registers a symbolic one may become, in the order they are handed out
    "ARM": [f"R{n}" for n in range(12, -1, -1)],
    "AArch64": [f"X{n}" for n in range(28, -1, -1)],
}
_USED = {"ARM": re.compile(r"\bR(\d+)\b", re.I), "AArch64": re.compile(r"\b[XW](\d+)\b", re.I)}


def _symbolic_registers(test: LitmusTest) -> list[dict[str, str]]:
    """Per thread, each symbolic register (`%x0`) its code or initial state names -> a register
    the thread's code does not name: herd too picks a free register for each."""
    out: list[dict[str, str]] = [{} for _ in test.threads]
    if test.arch not in _FREE:
        return out
    for thread in test.threads:
        names = _symbolic_names(test, thread)
        if not names:
            continue
        text = " ".join(c.text for c in thread.asm)
        used = {int(n) for n in _USED[test.arch].findall(text)}
        used |= {int(m.group(1)) for ri in test.reg_inits if ri.tid == thread.tid
                 for m in [_USED[test.arch].fullmatch(ri.reg)] if m}  # fmt: skip
        free = [r for r in _FREE[test.arch] if int(r[1:]) not in used]
        if len(free) < len(names):
            raise SourceError(f"P{thread.tid}: more symbolic registers than free registers",
                              test.file)  # fmt: skip
        out[thread.tid] = dict(zip(names, free))
    return out


def _symbolic_names(test: LitmusTest, thread: Thread) -> list[str]:
    names = [f"%{n}" for c in thread.asm for n in _SYMBOLIC.findall(c.text)]
    names += [ri.reg for ri in test.reg_inits if ri.tid == thread.tid and ri.reg.startswith("%")]
    return list(dict.fromkeys(names))


def _mask(bits: int) -> int:
    return (1 << bits) - 1


def _thread_code(test, tgt: Target, tid: int, cells, addr_of, symbolic) -> ThreadCode:
    base = CODE_BASE * (tid + 1)
    asm_lines: list[str] = []
    sources: list[SourceLine] = []
    for cell in cells:
        text = cell.text.strip()
        if not text:
            continue
        m = _LABEL.match(text)
        while m:
            asm_lines.append(f"{m.group(1)}:")
            text = m.group(2).strip()
            m = _LABEL.match(text)
        if not text:
            continue
        if symbolic:
            text = _SYMBOLIC.sub(lambda m: symbolic.get(m.group(0), m.group(0)), text)
        translated = _translate(test, tgt, text, addr_of, cell)
        if re.fullmatch(r"retq?", translated.strip(), re.I):  # herd: `ret` ends the thread
            translated = f"{'jmp' if test.arch.startswith('X86') else 'b'} {_END_LABEL}"
        asm_lines.append(translated)
        sources.append(SourceLine(cell.row, cell.text.strip(), translated))
    if any(_END_LABEL in line for line in asm_lines):
        asm_lines.append(f"{_END_LABEL}:")
    try:
        code = _assemble(test, tgt, asm_lines, base)
    except AssemblyError as e:
        raise SourceError(f"P{tid}: {e}", test.file) from None
    decoded = tgt.disassemble(code, base)
    if len(decoded) != len(sources):
        raise FencelabError(
            f"{test.name}: P{tid}: {len(sources)} instruction lines became {len(decoded)} "
            "instructions (a pseudo-instruction expanded?)"
        )
    lines = {d.address: src for d, src in zip(decoded, sources)}
    return ThreadCode(tid, base, code, lines, {})


def _translate(test: LitmusTest, tgt: Target, text: str, addr_of, cell) -> str:
    if test.arch == "X86_64":

        def absolute(m: re.Match) -> str:
            name = m.group(1)
            if name not in addr_of:
                raise SourceError(f"unknown location {name!r}", test.file, cell.pos.line,
                                  cell.pos.col)  # fmt: skip
            return f"{addr_of[name]:#x}"

        return re.sub(r"\(\s*([A-Za-z_]\w*)\s*\)", absolute, text)
    if test.arch == "X86":
        return _translate_x86_intel(test, text, addr_of, cell)
    adr = re.fullmatch(r"\s*adrp?\s+\w+\s*,\s*([A-Za-z_]\w*)\s*", text, re.I)
    if adr and adr.group(1) in addr_of:
        raise SourceError(f"ADR of the location {adr.group(1)!r} is not supported: give its "
                          f"address in a register (0:X1={adr.group(1)})", test.file,
                          cell.pos.line, cell.pos.col)  # fmt: skip
    return text


_X86_REG = re.compile(r"\b(E?[ABCD]X|E?[SD]I|E?[BS]P|R[A-Z0-9]+|[ABCD][LH])\b", re.I)


def _translate_x86_intel(test, text: str, addr_of, cell) -> str:
    """herd's X86 dialect (`MOV [x],$1`, `MOV EAX,[y]`) to keystone's Intel syntax."""

    def memory(m: re.Match) -> str:
        inner = m.group(1).strip()
        if inner in addr_of:
            return f"[{addr_of[inner]:#x}]"
        if re.fullmatch(r"[A-Za-z_]\w*", inner) and not _X86_REG.fullmatch(inner):
            raise SourceError(f"unknown location {inner!r}", test.file, cell.pos.line,
                              cell.pos.col)  # fmt: skip
        return f"[{inner}]"

    why = a32_immediate_error(text.replace("$", "#"))  # herd's X86 is 32-bit: imm32 at most
    if why:
        raise SourceError(why.replace("#", "$") + " (x86, 32-bit)", test.file, cell.pos.line,
                          cell.pos.col)  # fmt: skip
    out = re.sub(r"\[([^\]]*)\]", memory, text)
    out = re.sub(r"\$(-?\w+)", r"\1", out)
    regs = [r.upper() for r in _X86_REG.findall(out.split(None, 1)[1] if " " in out else "")]
    if "[" in out and not regs:
        out = out.replace("[", "dword ptr [", 1)
    return "%intel% " + out


def _assemble(test: LitmusTest, tgt: Target, lines: list[str], base: int) -> bytes:
    if test.arch != "X86":
        return tgt.assemble(lines, base)
    ks = keystone.Ks(keystone.KS_ARCH_X86, keystone.KS_MODE_64)
    src = "\n".join(ln.removeprefix("%intel% ") for ln in lines)
    try:
        encoding, _ = ks.asm(src, base)
    except keystone.KsError as e:
        for ln in lines:
            try:
                ks.asm(ln.removeprefix("%intel% "), base)
            except keystone.KsError:
                raise AssemblyError(f"x86: cannot assemble {ln.removeprefix('%intel% ')!r}") from e
        raise AssemblyError(f"x86: cannot assemble program ({e})") from e
    return bytes(encoding or b"")
