"""Run one lowering entry alone on a Unicorn core, with a dictionary playing memory.

This is how the tests (and anyone curious) check that a sequence does what its operation
promises: a load returns memory, a fetch_add writes the sum and returns the old value, a CAS
stores only on a match, an LL/SC loop retries when its exclusive store fails. The core asks for
every value it reads (`NeedRead`); here memory answers, except where the caller asked for
interference: a different value at a given memory event, or a failing exclusive store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fencelab.errors import FencelabError
from fencelab.isa.core import NeedRead
from fencelab.isa.insn import Kind
from fencelab.lowering.template import Entry

CODE_BASE = 0x10000
DATA_ADDR = 0x40000
STEP_LIMIT = 200


@dataclass
class Outcome:
    """What running an entry did."""

    registers: dict[str, int]  # every role's final value (pairs combined, low word first)
    memory: int  # the location's final value (entry.width bits; 64 bits for fences)
    kinds: list[Kind] = field(default_factory=list)  # memory events, in order
    store_exclusive_attempts: int = 0
    written: set[int] = field(default_factory=set)  # every byte address written


def run_entry(entry: Entry, inputs: Mapping[str, int], memory: int, *,
              fail_store_exclusive: int = 0, interfere: Mapping[int, int] | None = None,
              regs: Mapping[str, int] | None = None) -> Outcome:  # fmt: skip
    """Run `entry` with role values `inputs` (addr is set for you) and the location = `memory`.

    `fail_store_exclusive`: make that many exclusive stores fail (monitor lost).
    `interfere`: {memory-event index: value} - another thread stores `value` just before that
    event (so a cmpxchg loop or an exclusive pair sees the change).
    """
    target = entry.target
    regs = dict(regs or entry.canonical_regs())
    code = target.assemble(entry.instantiate(regs, "L_"), CODE_BASE)
    core = target.new_core(code, CODE_BASE, regions=[(DATA_ADDR, 0x1000)])
    size = (entry.width or 64) // 8
    mem: dict[int, int] = {}
    _store(mem, DATA_ADDR, size, memory)
    initial = {_canonical(target, regs["addr"]): DATA_ADDR} if "addr" in regs else {}
    for name, value in inputs.items():
        role = entry.role(name)
        n = regs[name]
        if role.pair:
            initial[_canonical(target, n)] = value & 0xFFFFFFFF
            initial[_canonical(target, n + 1)] = (value >> 32) & 0xFFFFFFFF
        else:
            initial[_canonical(target, n)] = value
    state = core.initial_state(initial).state
    outcome = Outcome({}, 0)
    exclusive_snapshot: dict[int, int] = {}
    interfere = dict(interfere or {})
    fails_left = fail_store_exclusive
    for _ in range(STEP_LIMIT):
        if core.halted(state):
            break
        info = core.info(state)
        event = len(outcome.kinds)
        if event in interfere:
            _store(mem, DATA_ADDR, size, interfere.pop(event))
        outcome.kinds.append(info.kind)
        if info.kind is Kind.LOAD_EXCL:
            exclusive_snapshot = dict(mem)
        reads: tuple[int, ...] = ()
        while True:
            result = core.run(state, reads)
            if not isinstance(result, NeedRead):
                break
            if info.kind is Kind.STORE_EXCL:
                value = _load(exclusive_snapshot, result.addr, result.size)
                if fails_left:
                    value ^= 1
            else:
                value = _load(mem, result.addr, result.size)
            reads = (*reads, value)
        if info.kind is Kind.STORE_EXCL:
            outcome.store_exclusive_attempts += 1
            if fails_left:
                fails_left -= 1
        for w in result.writes:
            _store(mem, w.addr, w.size, w.value)
            outcome.written.update(range(w.addr, w.addr + w.size))
        state = result.state
    else:
        raise FencelabError(f"{entry.describe()} did not finish in {STEP_LIMIT} memory events")
    outcome.memory = _load(mem, DATA_ADDR, size)
    for role in entry.roles:
        n = regs[role.name]
        value = core.reg(state, _canonical(target, n))
        if role.pair:
            value |= core.reg(state, _canonical(target, n + 1)) << 32
        outcome.registers[role.name] = value
    return outcome


def _canonical(target, n: int) -> str:
    return target.canonical_reg(target.reg(n, 64 if target.pointer_width == 64 else 32))


def _store(mem: dict[int, int], addr: int, size: int, value: int) -> None:
    for i in range(size):
        mem[addr + i] = (value >> (8 * i)) & 0xFF


def _load(mem: dict[int, int], addr: int, size: int) -> int:
    return sum(mem.get(addr + i, 0) << (8 * i) for i in range(size))
