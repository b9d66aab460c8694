"""Compile a source litmus test (C or Rust spelling) to an assembly litmus test for one target.

Every atomic operation is instantiated from the lowering scheme's table entry; everything else is
the plain code a compiler emits around it, kept honest about dependencies: locals live in
registers for the whole thread, a store of `r0` stores r0's register (data dependency), an `if`
compares and branches on the value (control dependency), a `while` is a backward branch. Each
location's address sits in a register set in the initial state (`0:X1=x;`, as herd's tests do);
on x86-64 the location operand `(x)` is used instead, as herd's X86_64 tests write it.

The result is an ordinary herdtools7 test for the target (AArch64, ARM or X86_64) plus a
`CompileInfo` in its `origin`: which register holds which source local, and which source
operation every assembly row comes from, so results and the TUI can speak source again.
"""

from __future__ import annotations

from dataclasses import replace

from fencelab.compiler.thread import CompiledThread, ThreadCompiler, thread_locals
from fencelab.errors import FencelabError, SourceError
from fencelab.isa.target import Target
from fencelab.litmus.ast import (
    And,
    AsmLine,
    CompileInfo,
    Condition,
    Eq,
    LitmusTest,
    Location,
    LocRef,
    Not,
    Observable,
    OpOrigin,
    Or,
    Prop,
    RegInit,
    RegObs,
    Thread,
    uses_pointers,
)
from fencelab.litmus.types import ValueType, location_type
from fencelab.lowering.schemes import DEFAULT_SCHEME, Scheme

# Each thread's compilation, by what it depends on: the thread (its statements with their
# positions, which its rows' origins carry), the test's locations (widths, arrays), the target,
# the scheme and the locals set in the initial state. `hunt`'s variants share threads: its
# 2,100 variants have 5,430 threads but 470 distinct ones, and compiling them was most of the
# work of the process that prints (bench/RESULTS.md). A failure is not remembered (its message
# names the test's file).
THREADS_KEPT = 4096
_threads: dict[tuple, CompiledThread] = {}


def _compile_thread(test: LitmusTest, target: Target, scheme: Scheme, thread: Thread,
                    initialised: frozenset[str]) -> CompiledThread:  # fmt: skip
    key = (thread, test.locations, target, scheme, initialised)
    compiled = _threads.get(key)
    if compiled is None:
        compiled = ThreadCompiler(test, target, scheme, thread, initialised).compile()
        if len(_threads) >= THREADS_KEPT:
            del _threads[next(iter(_threads))]
        _threads[key] = compiled
    return compiled


def compile_test(test: LitmusTest, target: Target, scheme: Scheme = DEFAULT_SCHEME) -> LitmusTest:
    """The assembly litmus test for `target` that `test` compiles to under `scheme`."""
    if not test.is_source:
        raise FencelabError(
            f"{test.name}: only C and Rust tests can be compiled ({test.name} is {test.arch})"
        )
    tgt = target
    _check_pointers(test)
    _check_locations(test, tgt)
    registers: dict[tuple[int, str], str] = {}
    types: dict[tuple[int, str], ValueType] = {}
    ops: dict[tuple[int, int], OpOrigin] = {}
    threads: list[Thread] = []
    reg_inits: list[RegInit] = []
    for thread in test.threads:
        inits = {ri.reg: ri for ri in test.reg_inits if ri.tid == thread.tid}
        compiled = _compile_thread(test, tgt, scheme, thread, frozenset(inits))
        rows = tuple(AsmLine(text, i) for i, (text, _) in enumerate(compiled.rows))
        threads.append(Thread(thread.tid, thread.name or f"P{thread.tid}", asm=rows))
        for i, (_, origin) in enumerate(compiled.rows):
            ops[(thread.tid, i)] = origin
        for local, reg in compiled.locals.items():
            registers[(thread.tid, local)] = reg
            types[(thread.tid, local)] = compiled.types[local]
        for loc, reg in compiled.address_regs.items():
            reg_inits.append(RegInit(thread.tid, reg, LocRef(loc)))
        for local, reg in compiled.locals.items():  # herd reads undeclared registers as `int`
            ctype = _ASM_TYPES[compiled.types[local]]
            if local in inits:
                reg_inits.append(RegInit(thread.tid, reg, inits[local].value, ctype))
            elif ctype:
                reg_inits.append(RegInit(thread.tid, reg, 0, ctype))
    threads = _rectangular(threads)
    tids = {t.tid for t in test.threads}
    for ri in test.reg_inits:
        if ri.tid not in tids:
            raise SourceError(f"initial state names thread {ri.tid}, which the test lacks",
                              test.file)  # fmt: skip

    def reg(obs: Observable) -> Observable:
        if not isinstance(obs, RegObs):
            return obs
        if obs.tid not in tids:
            raise SourceError(f"{obs.tid}:{obs.reg} names thread {obs.tid}, which the test lacks",
                              test.file)  # fmt: skip
        name = registers.get((obs.tid, obs.reg))
        if name is None:
            raise SourceError(
                f"{obs.tid}:{obs.reg}: P{obs.tid} has no local {obs.reg!r} (locals: "
                f"{', '.join(sorted(thread_locals(test.threads[obs.tid]))) or 'none'})",
                test.file,
            )
        return RegObs(obs.tid, name)

    asm = LitmusTest(
        arch=tgt.arch.name,
        name=test.name,
        threads=tuple(threads),
        locations=tuple(_asm_location(loc) for loc in test.locations),
        reg_inits=tuple(reg_inits),
        condition=Condition(test.condition.quantifier, _map_prop(test.condition.prop, reg)),
        observed=tuple(reg(o) for o in test.observed),
        doc=test.doc,
        info=test.info,
        comments=test.comments,
        file=test.file,
        filter=_map_prop(test.filter, reg) if test.filter is not None else None,
    )
    info = CompileInfo(test, tgt.name, scheme.name, registers, ops, types)
    return replace(asm, origin=info)


def _check_pointers(test: LitmusTest) -> None:
    """Pointers in memory (herd's `int *p = &x;`, `*r0` through a pointer read) are run by the
    source models only: the lowering has no address arithmetic or pointer registers."""
    held = next((loc for loc in test.locations if isinstance(loc.init, LocRef)), None)
    thread = next((t for t in test.threads if uses_pointers(t)), None)
    if held is None and thread is None:
        return
    where = (f"location {held.name!r} holds the address of {held.init.name!r}" if held
             else f"P{thread.tid} uses a pointer as a value or accesses memory through one")  # fmt: skip
    at = (held.pos.line, held.pos.col) if held else ()
    raise SourceError(f"{where}: compiling pointers in memory to a target is not supported; run "
                      "the test under a source model (--model c11, rc11 or sc-source)", test.file,
                      *at)  # fmt: skip


def _rectangular(threads: list[Thread]) -> list[Thread]:
    """Pad with empty cells to herd's rectangular table (what the parser reads back)."""
    rows = max((len(t.asm) for t in threads), default=0)
    return [
        replace(t, asm=t.asm + tuple(AsmLine("", i) for i in range(len(t.asm), rows)))
        for t in threads
    ]


def _check_locations(test: LitmusTest, tgt: Target) -> None:
    """Refuse, at the type's line and column, a location the compiler cannot hold."""
    for loc in test.locations:
        if loc.width not in (8, 16, 32, 64):
            raise SourceError(f"location {loc.name} is {loc.width}-bit: only 8, 16, 32 and 64-bit "
                              "locations can be compiled", test.file, loc.pos.line, loc.pos.col)  # fmt: skip
        if loc.width == 64 and tgt.pointer_width == 32:
            raise SourceError(f"location {loc.name} is 64-bit: compiling 64-bit values for "
                              f"{tgt.name} (register pairs) is not supported", test.file,
                              loc.pos.line, loc.pos.col)  # fmt: skip


# herd's assembly tests know C base types only: `atomic_int` becomes plain `int`, an
# `AtomicU8` `uint8_t`
_ASM_TYPES = {ValueType(bits, sign): f"{'' if sign else 'u'}int{bits}_t"
              for bits in (8, 16, 32, 64) for sign in (True, False)}  # fmt: skip
_ASM_TYPES[ValueType(32, True)] = ""  # (herd's default)


def _asm_location(loc: Location) -> Location:
    """`loc` as the assembly test declares it: its width and sign in a C base type."""
    return Location(loc.name, loc.init, _ASM_TYPES[location_type(loc)], loc.width, loc.array,
                    loc.index)  # fmt: skip


def _map_prop(prop: Prop, reg) -> Prop:
    if isinstance(prop, Eq):
        return Eq(reg(prop.obs), prop.value)
    if isinstance(prop, Not):
        return Not(_map_prop(prop.prop, reg))
    if isinstance(prop, And):
        return And(tuple(_map_prop(p, reg) for p in prop.parts))
    if isinstance(prop, Or):
        return Or(tuple(_map_prop(p, reg) for p in prop.parts))
    return prop


__all__ = ["CompileInfo", "OpOrigin", "compile_test"]
