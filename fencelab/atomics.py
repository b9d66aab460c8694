"""Atomic operations and memory orderings, as Rust and C name them.

This is the vocabulary every other part of fencelab speaks: the lowering table is keyed by
(`Op`, `Order`, width), source litmus tests are parsed into these, and the source model
(RC11) reasons about them.
"""

from __future__ import annotations

import enum

from fencelab.errors import FencelabError


class Order(enum.Enum):
    """A memory ordering (Rust's `Ordering`, C's `memory_order`)."""

    RELAXED = "Relaxed"
    ACQUIRE = "Acquire"
    RELEASE = "Release"
    ACQ_REL = "AcqRel"
    SEQ_CST = "SeqCst"

    @property
    def rust(self) -> str:
        return self.value

    @property
    def c(self) -> str:
        return "memory_order_" + _C_NAMES[self]

    @property
    def is_acquire(self) -> bool:
        return self in (Order.ACQUIRE, Order.ACQ_REL, Order.SEQ_CST)

    @property
    def is_release(self) -> bool:
        return self in (Order.RELEASE, Order.ACQ_REL, Order.SEQ_CST)

    def __str__(self) -> str:
        return self.value


_C_NAMES = {
    Order.RELAXED: "relaxed",
    Order.ACQUIRE: "acquire",
    Order.RELEASE: "release",
    Order.ACQ_REL: "acq_rel",
    Order.SEQ_CST: "seq_cst",
}

_ORDER_SPELLINGS: dict[str, Order] = {}
for _o in Order:
    for _s in (_o.value, _C_NAMES[_o], "memory_order_" + _C_NAMES[_o], "Ordering::" + _o.value):
        _ORDER_SPELLINGS[_s.lower()] = _o
_ORDER_SPELLINGS["acqrel"] = Order.ACQ_REL
_ORDER_SPELLINGS["seqcst"] = Order.SEQ_CST
# C's memory_order_consume is implemented as acquire by every compiler.
_CONSUME = ("consume", "memory_order_consume")
for _s in _CONSUME:
    _ORDER_SPELLINGS[_s] = Order.ACQUIRE


def names_consume(text: str) -> bool:
    """Does `text` spell C's consume (which `parse_order` reads as Acquire)?"""
    return text.strip().lower() in _CONSUME


def parse_order(text: str) -> Order:
    """Accept `SeqCst`, `seq_cst`, `memory_order_seq_cst`, `Ordering::SeqCst` (any case)."""
    order = _ORDER_SPELLINGS.get(text.strip().lower())
    if order is None:
        valid = ", ".join(o.value for o in Order)
        raise FencelabError(f"unknown ordering {text!r}; valid: {valid} (or C's memory_order_*)")
    return order


class Op(enum.Enum):
    """An atomic operation on one location (or a fence)."""

    LOAD = "load"
    STORE = "store"
    SWAP = "swap"
    FETCH_ADD = "fetch_add"
    FETCH_SUB = "fetch_sub"
    FETCH_AND = "fetch_and"
    FETCH_OR = "fetch_or"
    FETCH_XOR = "fetch_xor"
    FETCH_NAND = "fetch_nand"
    FETCH_MAX = "fetch_max"
    FETCH_MIN = "fetch_min"
    CAS = "compare_exchange"
    CAS_WEAK = "compare_exchange_weak"
    FENCE = "fence"

    @property
    def is_rmw(self) -> bool:
        return self not in (Op.LOAD, Op.STORE, Op.FENCE)

    @property
    def is_cas(self) -> bool:
        return self in (Op.CAS, Op.CAS_WEAK)

    @property
    def is_fetch(self) -> bool:
        return self.value.startswith("fetch_")

    @property
    def is_cas_loop(self) -> bool:
        """An RMW the compiler lowers as a compare_exchange loop around the table's CAS entry
        (the lowering table has no entry of its own for it): Rust's fetch_nand / fetch_max /
        fetch_min, which x86 and LL/SC code implement as such loops."""
        return self in (Op.FETCH_NAND, Op.FETCH_MAX, Op.FETCH_MIN)

    def __str__(self) -> str:
        return self.value


_OP_SPELLINGS = {op.value: op for op in Op}
_OP_SPELLINGS.update(
    {
        "cas": Op.CAS,
        "cas_weak": Op.CAS_WEAK,
        "exchange": Op.SWAP,
        "xchg": Op.SWAP,
        "compare_exchange_strong": Op.CAS,
    }
)


def parse_op(text: str) -> Op:
    op = _OP_SPELLINGS.get(text.strip().lower())
    if op is None:
        valid = ", ".join(o.value for o in Op)
        raise FencelabError(f"unknown operation {text!r}; valid: {valid}")
    return op


WIDTHS = (8, 16, 32, 64)


def parse_width(text: str | int) -> int:
    try:
        width = int(text)
    except ValueError:
        width = -1
    if width not in WIDTHS:
        raise FencelabError(f"unknown width {text!r}; valid: 8, 16, 32, 64")
    return width


def valid_orders(op: Op) -> tuple[Order, ...]:
    """The orderings Rust accepts for `op` (for CAS: the success ordering)."""
    if op is Op.LOAD:
        return (Order.RELAXED, Order.ACQUIRE, Order.SEQ_CST)
    if op is Op.STORE:
        return (Order.RELAXED, Order.RELEASE, Order.SEQ_CST)
    if op is Op.FENCE:
        return (Order.ACQUIRE, Order.RELEASE, Order.ACQ_REL, Order.SEQ_CST)
    return tuple(Order)


def valid_failure_orders() -> tuple[Order, ...]:
    return (Order.RELAXED, Order.ACQUIRE, Order.SEQ_CST)


def default_failure_order(success: Order) -> Order:
    """What `compare_exchange` uses on failure when only one ordering is given (C rules)."""
    return {
        Order.RELAXED: Order.RELAXED,
        Order.ACQUIRE: Order.ACQUIRE,
        Order.RELEASE: Order.RELAXED,
        Order.ACQ_REL: Order.ACQUIRE,
        Order.SEQ_CST: Order.SEQ_CST,
    }[success]


def check_combination(op: Op, order: Order, failure: Order | None = None) -> None:
    """Refuse what Rust refuses, with a message naming the rule."""
    if order not in valid_orders(op):
        allowed = ", ".join(o.value for o in valid_orders(op))
        what = {Op.LOAD: "a load", Op.STORE: "a store", Op.FENCE: "a fence"}.get(op, str(op))
        raise FencelabError(
            f"{order.value} is not a valid ordering for {what} (as in Rust); use one of: {allowed}"
        )
    if failure is not None:
        if not op.is_cas:
            raise FencelabError(f"a failure ordering only applies to compare_exchange, not {op}")
        if failure not in valid_failure_orders():
            raise FencelabError(
                f"{failure.value} is not a valid failure ordering for {op} (a failed "
                "compare_exchange is only a load); use Relaxed, Acquire or SeqCst"
            )
