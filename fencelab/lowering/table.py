"""The lowering table: `lookup` one entry, or enumerate every valid combination."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import cache

from fencelab.atomics import (
    WIDTHS,
    Op,
    Order,
    check_combination,
    default_failure_order,
    valid_failure_orders,
    valid_orders,
)
from fencelab.errors import FencelabError
from fencelab.isa.target import Target
from fencelab.lowering.schemes import SCHEME_NAMES, SCHEMES, Scheme, default_entry
from fencelab.lowering.template import Entry


def get_scheme(name: str) -> Scheme:
    """The scheme named `name`, in any case (`GCC`, as `--target` takes `ARMv8`)."""
    scheme = SCHEMES.get(name.lower())
    if scheme is None:
        raise FencelabError(f"unknown scheme {name!r}; valid: {', '.join(SCHEME_NAMES)}")
    return scheme


def lookup(target: Target, scheme: Scheme, op: Op, order: Order, width: int | None,
           failure: Order | None = None) -> Entry:  # fmt: skip
    """The entry for one operation. CAS without `failure` uses C's default failure ordering;
    a fence takes no width (pass None). Invalid combinations raise FencelabError."""
    check_combination(op, order, failure)
    if op.is_cas_loop:
        raise FencelabError(f"{op} has no entry of its own: it is lowered as a "
                            "compare_exchange loop around the CAS entry")  # fmt: skip
    if op is Op.FENCE:
        if width is not None:
            raise FencelabError("a fence has no width")
    elif width not in WIDTHS:
        raise FencelabError(f"unknown width {width!r}; valid: 8, 16, 32, 64")
    if op.is_cas and failure is None:
        failure = default_failure_order(order)
    return _lookup(target, scheme, op, order, width, failure)


@cache
def _lookup(target: Target, scheme: Scheme, op: Op, order: Order, width: int | None,
            failure: Order | None) -> Entry:  # fmt: skip
    entry = scheme.override(target, op, order, failure, width) if scheme.covers(target) else None
    if entry is None:
        entry = default_entry(target, op, order, failure, width)
    return replace(entry, target=target)


def combinations(widths: Iterable[int] = WIDTHS) -> Iterator[tuple[Op, Order, Order | None, int | None]]:
    """Every valid (op, order, failure, width): CAS over all (success, failure) pairs."""
    widths = tuple(widths)
    for op in Op:
        if op.is_cas_loop:
            continue
        for order in valid_orders(op):
            if op is Op.FENCE:
                yield op, order, None, None
                continue
            failures = valid_failure_orders() if op.is_cas else (None,)
            for failure in failures:
                for width in widths:
                    yield op, order, failure, width


def entries(targets: Iterable[Target], scheme: Scheme,
            widths: Iterable[int] = WIDTHS) -> Iterator[Entry]:  # fmt: skip
    """The whole table for `targets` under `scheme` (fences once per target)."""
    widths = tuple(widths)
    for target in targets:
        for op, order, failure, width in combinations(widths):
            yield lookup(target, scheme, op, order, width, failure)
