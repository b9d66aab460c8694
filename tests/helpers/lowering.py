"""Per-entry checks of the lowering table, run by the per-architecture files in tests/lowering/:
each entry assembles and disassembles back to itself, and does what its operation promises on a
Unicorn core."""

from __future__ import annotations

import re

import pytest

from fencelab.atomics import Op
from fencelab.isa.insn import Kind
from fencelab.isa.registry import get_target
from fencelab.lowering import SCHEME_NAMES, entries, get_scheme
from fencelab.lowering.execute import run_entry

# Values chosen so that add/sub wrap at every width and and/or/xor change every nibble.
MEMORY = {8: 0xA5, 16: 0xA55A, 32: 0xA55A3CC3, 64: 0xA55A3CC396699669}
OPERAND = {8: 0x7E, 16: 0x7EE7, 32: 0x7EE7F00F, 64: 0x7EE7F00F12345678}
OTHER = {8: 0x3C, 16: 0x3CC3, 32: 0x3CC35AA5, 64: 0x3CC35AA5DEADBEEF}


def all_entries(targets):
    """(id, entry) for every scheme's entries on `targets` (an overlay's fallbacks included)."""
    seen = {}
    for scheme in SCHEME_NAMES:
        for e in entries([get_target(t) for t in targets], get_scheme(scheme)):
            key = (e.target.name, e.scheme, e.op, e.order, e.failure, e.width)
            seen.setdefault(key, e)
    return [
        pytest.param(e, id=f"{e.target.name}-{e.scheme}-{e.op}-{e.order}"
                     + (f"-{e.failure}" if e.failure else "") + (f"-{e.width}" if e.width else ""))
        for e in seen.values()
    ]  # fmt: skip


# -- per-entry checks ---------------------------------------------------------------------------
_ALIASES = {"ip": "r12", "sb": "r9", "sl": "r10", "fp": "r11"}


def _operands(text: str) -> str:
    text = text.lower().replace(" ", "")
    text = re.sub(r"#(-?0x[0-9a-f]+|-?\d+)", lambda m: f"#{int(m.group(1), 0)}", text)
    text = re.sub(r"\$(-?0x[0-9a-f]+|-?\d+)", lambda m: f"${int(m.group(1), 0)}", text)
    return re.sub(r"\b(ip|sb|sl|fp)\b", lambda m: _ALIASES[m.group(1)], text)


def check_roundtrip(entry) -> None:
    """Assemble, disassemble with capstone: same instructions, branches to the right labels."""
    target = entry.target
    lines = entry.instantiate(entry.canonical_regs(), "L_")
    base = 0x10000
    decoded = target.disassemble(target.assemble(lines, base), base)
    labels, insns = {}, []
    for line in lines:
        if line.endswith(":"):
            labels[line[:-1]] = len(insns)
        else:
            insns.append(line)
    assert len(decoded) == len(insns), (insns, [d.text for d in decoded])
    ends = [d.address for d in decoded] + [decoded[-1].address + len(decoded[-1].bytes)
                                           if decoded else base]  # fmt: skip
    for want, got in zip(insns, decoded):
        mnemonic, _, ops = want.partition(" ")
        if mnemonic == "lock":
            second, _, ops = ops.partition(" ")
            mnemonic = f"lock {second}"
        assert got.mnemonic.lower() == mnemonic.lower(), (want, got.text)
        label = next((lab for lab in labels if ops.endswith(lab)), None)
        if label is not None:  # a branch: its target must be the label's address
            target_addr = int(re.findall(r"0x[0-9a-f]+", got.op_str)[-1], 16)
            assert target_addr == ends[labels[label]], (want, got.text)
            ops, got_ops = ops[: -len(label)], got.op_str[: got.op_str.rfind("0x")]
            assert _operands(ops).rstrip(",") == _operands(got_ops).rstrip(",#").rstrip(","), (
                want, got.text)  # fmt: skip
        else:
            assert _operands(ops) == _operands(got.op_str), (want, got.text)


def _mask(width: int) -> int:
    return (1 << width) - 1


def _expected_rmw(op: Op, old: int, operand: int, width: int) -> int:
    return {
        Op.SWAP: operand,
        Op.FETCH_ADD: old + operand,
        Op.FETCH_SUB: old - operand,
        Op.FETCH_AND: old & operand,
        Op.FETCH_OR: old | operand,
        Op.FETCH_XOR: old ^ operand,
    }[op] & _mask(width)


def _result(entry, outcome, role: str = "res") -> int:
    """A role's value: on x86 only the low `width` bits of a sub-word result are defined;
    ARM's loads zero-extend, so there the whole register must equal the value."""
    value = outcome.registers[role]
    if entry.target.name == "x86_64":
        return value & _mask(entry.role(role).width)
    return value


def _is_llsc(outcome) -> bool:
    return Kind.LOAD_EXCL in outcome.kinds


def _unclobbered_inputs_kept(entry, inputs, outcome) -> None:
    for name, value in inputs.items():
        if not entry.role(name).clobbered:
            got = outcome.registers[name] & _mask(entry.role(name).width)
            assert got == value, f"input {name} changed: {got:#x} != {value:#x}"


def check_semantics(entry) -> None:
    """Run the entry on Unicorn with a dictionary as memory; check its effect."""
    op, width = entry.op, entry.width
    if op is Op.FENCE:
        out = run_entry(entry, {}, MEMORY[64])
        assert out.memory == MEMORY[64] and not out.written
        assert all(k is Kind.FENCE for k in out.kinds)
        return
    m, v = MEMORY[width], OPERAND[width]
    if op is Op.LOAD:
        out = run_entry(entry, {}, m)
        assert _result(entry, out) == m and out.memory == m and not out.written
        return
    if op is Op.STORE:
        out = run_entry(entry, {"val": v}, m)
        assert out.memory == v
        assert out.written == set(range(0x40000, 0x40000 + width // 8))
        if _is_llsc(out):  # ARMv7 64-bit store: retries when the exclusive store fails
            again = run_entry(entry, {"val": v}, m, fail_store_exclusive=1)
            assert again.memory == v and again.store_exclusive_attempts == 2
        else:
            _unclobbered_inputs_kept(entry, {"val": v}, out)
        return
    if op.is_cas:
        check_cas(entry)
        return
    out = run_entry(entry, {"val": v}, m)
    assert _result(entry, out) == m, f"old value {out.registers['res']:#x} != {m:#x}"
    assert out.memory == _expected_rmw(op, m, v, width)
    assert out.written <= set(range(0x40000, 0x40000 + width // 8))
    _unclobbered_inputs_kept(entry, {"val": v}, out)
    if _is_llsc(out):
        again = run_entry(entry, {"val": v}, m, fail_store_exclusive=1)
        assert again.store_exclusive_attempts == 2
        assert _result(entry, again) == m and again.memory == out.memory
    elif Kind.LOAD in out.kinds:  # x86 cmpxchg loop: another thread writes before the cmpxchg
        other = OTHER[width]
        again = run_entry(entry, {"val": v}, m, interfere={1: other})
        assert again.kinds.count(Kind.RMW) == 2
        assert _result(entry, again) == other
        assert again.memory == _expected_rmw(op, other, v, width)


def check_cas(entry) -> None:
    width = entry.width
    m, new = MEMORY[width], OPERAND[width]
    inputs = {"exp": m, "new": new}
    ok = entry.ok_role
    hit = run_entry(entry, inputs, m)
    assert _result(entry, hit) == m and hit.memory == new
    if ok:
        assert hit.registers[ok] == 1
    _unclobbered_inputs_kept(entry, inputs, hit)
    miss = run_entry(entry, {"exp": OTHER[width], "new": new}, m)
    assert _result(entry, miss) == m, "a failed CAS reports the value it observed"
    assert miss.memory == m and not miss.written
    if ok:
        assert miss.registers[ok] == 0
    if _is_llsc(hit):
        lost = run_entry(entry, inputs, m, fail_store_exclusive=1)
        if entry.op is Op.CAS:  # strong: retries after losing the reservation
            assert lost.store_exclusive_attempts == 2 and lost.memory == new
            assert _result(entry, lost) == m
        else:  # weak: fails spuriously, reports it through ok
            assert lost.store_exclusive_attempts == 1 and lost.memory == m
            assert lost.registers[ok] == 0


# -- API ------------------------------------------------------------------------------------------


def entry_tests(targets: list[str]):
    """The per-entry tests of `targets` (every scheme), for a test module to bind:
    `test_roundtrip, test_runs_with_the_right_effect = entry_tests(["armv7"])`."""
    params = all_entries(targets)

    @pytest.mark.parametrize("entry", params)
    def test_roundtrip(entry):
        check_roundtrip(entry)

    @pytest.mark.parametrize("entry", params)
    def test_runs_with_the_right_effect(entry):
        check_semantics(entry)

    return test_roundtrip, test_runs_with_the_right_effect
