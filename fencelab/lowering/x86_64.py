"""x86-64 lowerings (AT&T syntax), as clang 14 and GCC 12 emit them at -O2.

x86-TSO only lets a store be delayed past a later load (store buffering), so plain `mov` is
already an acquire load and a release store; only SeqCst stores (and SeqCst fences) need to
drain the store buffer, which any locked instruction or `mfence` does.
"""

from __future__ import annotations

from fencelab.atomics import Op, Order
from fencelab.lowering.template import Entry, Role

SUFFIX = {8: "b", 16: "w", 32: "l", 64: "q"}
RAX = 0
_ALU = {Op.FETCH_AND: "and", Op.FETCH_OR: "or", Op.FETCH_XOR: "xor"}


def _entry(scheme, op, order, failure, width, lines, roles, why) -> Entry:
    return Entry(scheme, op, order, failure, width, tuple(lines), tuple(roles), why)


def _addr() -> Role:
    return Role("addr", 64)


def _alu16(mnemonic: str, width: int, operands: str) -> str:
    """clang does 16-bit arithmetic in 32-bit registers (no operand-size prefix)."""
    if width == 16:
        return f"{mnemonic}l " + operands.replace("}", ".32}")
    return f"{mnemonic}{SUFFIX[width]} {operands}"


def plain_load(order: Order, width: int, scheme: str = "default", why: str = "") -> Entry:
    s = SUFFIX[width]
    return _entry(
        scheme, Op.LOAD, order, None, width, [f"mov{s} ({{addr}}), {{res}}"],
        [_addr(), Role("res", width)],
        why or "x86-TSO never reorders a load with later loads or stores: a plain mov is "
        "already acquire, and SeqCst loads need nothing because SeqCst stores pay instead",
    )


def plain_store(order: Order, width: int, scheme: str = "default", why: str = "") -> Entry:
    s = SUFFIX[width]
    return _entry(
        scheme, Op.STORE, order, None, width, [f"mov{s} {{val}}, ({{addr}})"],
        [_addr(), Role("val", width)],
        why or "x86-TSO keeps stores in program order and after earlier loads: a plain mov "
        "is already a release store",
    )


def build(op: Op, order: Order, failure: Order | None, width: int | None) -> Entry:
    """The default (clang 14) lowering."""
    if op is Op.FENCE:
        if order is Order.SEQ_CST:
            return _entry("default", op, order, None, None, ["mfence"], [],
                          "only a SeqCst fence must stop a later load from passing an earlier "
                          "store (store buffering); mfence drains the store buffer")  # fmt: skip
        return _entry("default", op, order, None, None, [], [],
                      "x86-TSO already gives acquire/release ordering: the fence only stops "
                      "the compiler, no instruction is needed")  # fmt: skip
    assert width is not None
    s = SUFFIX[width]
    if op is Op.LOAD:
        return plain_load(order, width)
    if op is Op.STORE:
        if order is Order.SEQ_CST:
            return _entry(
                "default", op, order, None, width, [f"xchg{s} {{val}}, ({{addr}})"],
                [_addr(), Role("val", width, clobbered=True)],
                "a SeqCst store must not be passed by later loads: xchg with memory is "
                "implicitly locked, a full barrier, and cheaper than mov + mfence",
            )
        return plain_store(order, width)
    if op is Op.SWAP:
        return _entry(
            "default", op, order, None, width,
            [f"~mov{s} {{val}}, {{res}}", f"xchg{s} {{res}}, ({{addr}})"],
            [_addr(), Role("val", width), Role("res", width)],
            "xchg with a memory operand is an atomic, implicitly locked swap: a full barrier, "
            "so every ordering gets the same instruction",
        )
    if op is Op.FETCH_ADD:
        return _entry(
            "default", op, order, None, width,
            [f"~mov{s} {{val}}, {{res}}", f"lock xadd{s} {{res}}, ({{addr}})"],
            [_addr(), Role("val", width), Role("res", width)],
            "lock xadd adds and returns the old value atomically; locked instructions are full "
            "barriers, so every ordering gets the same code",
        )
    if op is Op.FETCH_SUB:
        return _entry(
            "default", op, order, None, width,
            [f"~mov{s} {{val}}, {{res}}", _alu16("neg", width, "{res}"),
             f"lock xadd{s} {{res}}, ({{addr}})"],
            [_addr(), Role("val", width), Role("res", width)],
            "x86 has no exchange-and-subtract: add the negated operand with lock xadd "
            "(a full barrier for every ordering)",
        )
    if op in _ALU:
        alu = _ALU[op]
        return _entry(
            "default", op, order, None, width,
            [
                f"mov{s} ({{addr}}), {{res}}",
                "{@retry}:",
                f"~mov{s} {{res}}, {{tmp}}",
                _alu16(alu, width, "{val}, {tmp}"),
                f"lock cmpxchg{s} {{tmp}}, ({{addr}})",
                "jne {@retry}",
            ],
            [_addr(), Role("val", width), Role("res", width, fixed=RAX), Role("tmp", width)],
            f"lock {alu} cannot return the old value, so when the result is used compilers "
            "loop on lock cmpxchg (which reloads rax on failure); locked = full barrier",
        )
    if op.is_cas:
        return _entry(
            "default", op, order, failure, width,
            [f"~mov{s} {{exp}}, {{res}}", f"lock cmpxchg{s} {{new}}, ({{addr}})"],
            [_addr(), Role("exp", width), Role("new", width), Role("res", width, fixed=RAX)],
            "lock cmpxchg compares rax with memory, stores on equality and leaves the observed "
            "value in rax; it never fails spuriously, so weak = strong; full barrier",
        )
    raise AssertionError(op)


def mfence_seqcst_store(width: int, scheme: str, why: str) -> Entry:
    """`mov; mfence`: the older SeqCst store mapping (GCC before 4.8-ish, some JITs)."""
    s = SUFFIX[width]
    return _entry(
        scheme, Op.STORE, Order.SEQ_CST, None, width,
        [f"mov{s} {{val}}, ({{addr}})", "mfence"], [_addr(), Role("val", width)], why,
    )
