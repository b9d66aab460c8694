"""AArch64 lowerings: v8.0 LL/SC loops, v8.1 LSE single instructions, as clang 14 emits them.

ARMv8 has RCsc acquire/release instructions (LDAR/STLR and their exclusive and LSE forms),
so orderings are attributes of the access itself and fences are only needed for fences.
An LDAR is never reordered with an earlier STLR, which is what makes them SeqCst too.
"""

from __future__ import annotations

from fencelab.atomics import Op, Order
from fencelab.lowering.template import Entry, Role

SIZE = {8: "b", 16: "h", 32: "", 64: ""}
_LLSC_ALU = {Op.FETCH_ADD: "add", Op.FETCH_SUB: "sub", Op.FETCH_AND: "and",
             Op.FETCH_OR: "orr", Op.FETCH_XOR: "eor"}  # fmt: skip
_LSE_OP = {Op.SWAP: "swp", Op.FETCH_ADD: "ldadd", Op.FETCH_SUB: "ldadd", Op.FETCH_AND: "ldclr",
           Op.FETCH_OR: "ldset", Op.FETCH_XOR: "ldeor"}  # fmt: skip


def _entry(scheme, op, order, failure, width, lines, roles, why, ok=None) -> Entry:
    return Entry(scheme, op, order, failure, width, tuple(lines), tuple(roles), why, ok)


def merged_order(order: Order, failure: Order) -> Order:
    """LLVM's getMergedAtomicOrdering: the one ordering clang uses for both halves of an
    AArch64 CAS (Release + Acquire failure = AcqRel; otherwise the stronger of the two)."""
    if failure is Order.SEQ_CST:
        return Order.SEQ_CST
    if failure is Order.ACQUIRE:
        if order is Order.RELAXED:
            return Order.ACQUIRE
        if order is Order.RELEASE:
            return Order.ACQ_REL
    return order


def _merge_note(order: Order, failure: Order) -> str:
    merged = merged_order(order, failure)
    if merged is order:
        return ""
    return f" (one ordering for both halves: {order} merged with failure {failure} = {merged})"


def _lse_suffix(acquire: bool, release: bool) -> str:
    return ("a" if acquire else "") + ("l" if release else "")


def fence(order: Order, scheme: str = "default") -> Entry:
    if order is Order.ACQUIRE:
        return _entry(scheme, Op.FENCE, order, None, None, ["dmb ishld"], [],
                      "an acquire fence orders earlier loads before everything later: "
                      "dmb ishld (load-load and load-store) is enough")  # fmt: skip
    return _entry(scheme, Op.FENCE, order, None, None, ["dmb ish"], [],
                  "release/acq_rel/SeqCst fences must order earlier stores too: only the full "
                  "dmb ish does that")  # fmt: skip


def load(order: Order, width: int, scheme: str = "default",
         ldapr: bool = False) -> Entry:  # fmt: skip
    sz = SIZE[width]
    roles = [Role("addr", 64), Role("res", width)]
    if order is Order.RELAXED:
        return _entry(scheme, Op.LOAD, order, None, width,
                      [f"ldr{sz} {{res}}, [{{addr}}]"], roles,
                      "a relaxed load needs atomicity only: an aligned ldr is single-copy "
                      "atomic")  # fmt: skip
    if ldapr and order is Order.ACQUIRE:
        return _entry(scheme, Op.LOAD, order, None, width,
                      [f"ldapr{sz} {{res}}, [{{addr}}]"], roles,
                      "RCpc acquire (v8.3): ldapr orders later accesses after the load but, "
                      "unlike ldar, may pass an earlier stlr to another address - exactly "
                      "C/Rust acquire, not SeqCst")  # fmt: skip
    return _entry(scheme, Op.LOAD, order, None, width,
                  [f"ldar{sz} {{res}}, [{{addr}}]"], roles,
                  "ldar is an RCsc load-acquire: nothing later passes it, and it never passes "
                  "an earlier stlr, which makes it a SeqCst load as well")  # fmt: skip


def store(order: Order, width: int, scheme: str = "default") -> Entry:
    sz = SIZE[width]
    roles = [Role("addr", 64), Role("val", width)]
    if order is Order.RELAXED:
        return _entry(scheme, Op.STORE, order, None, width,
                      [f"str{sz} {{val}}, [{{addr}}]"], roles,
                      "a relaxed store needs atomicity only: an aligned str is single-copy "
                      "atomic")  # fmt: skip
    return _entry(scheme, Op.STORE, order, None, width,
                  [f"stlr{sz} {{val}}, [{{addr}}]"], roles,
                  "stlr is a store-release: every earlier load and store is ordered before "
                  "it, and a later ldar cannot pass it (so it is SeqCst too)")  # fmt: skip


def llsc_rmw(op: Op, order: Order, width: int, scheme: str = "default") -> Entry:
    sz = SIZE[width]
    ld = "ldaxr" if order.is_acquire else "ldxr"
    st = "stlxr" if order.is_release else "stxr"
    roles = [Role("addr", 64), Role("val", width), Role("res", width)]
    lines = ["{@retry}:", f"{ld}{sz} {{res}}, [{{addr}}]"]
    if op is Op.SWAP:
        lines.append(f"{st}{sz} {{status}}, {{val}}, [{{addr}}]")
    else:
        lines.append(f"{_LLSC_ALU[op]} {{tmp}}, {{res}}, {{val}}")
        lines.append(f"{st}{sz} {{status}}, {{tmp}}, [{{addr}}]")
        roles.append(Role("tmp", width if width == 64 else 32))
    lines.append("cbnz {status}, {@retry}")
    roles.append(Role("status", 32))
    return _entry(scheme, op, order, None, width, lines, roles,
                  f"v8.0 has no single-instruction RMW: loop {ld}/{st} until the exclusive "
                  "store succeeds; the acquire/release forms carry the ordering")  # fmt: skip


def llsc_cas(op: Op, order: Order, failure: Order, width: int,
             scheme: str = "default") -> Entry:  # fmt: skip
    sz = SIZE[width]
    merged = merged_order(order, failure)
    ld = "ldaxr" if merged.is_acquire else "ldxr"
    st = "stlxr" if merged.is_release else "stxr"
    roles = [Role("addr", 64), Role("exp", width), Role("new", width), Role("res", width),
             Role("status", 32)]  # fmt: skip
    fail = ["{@fail}:", "clrex"]
    if op is Op.CAS:
        lines = ["{@retry}:", f"{ld}{sz} {{res}}, [{{addr}}]", "cmp {res}, {exp}",
                 "b.ne {@fail}", f"{st}{sz} {{status}}, {{new}}, [{{addr}}]",
                 "cbnz {status}, {@retry}"]  # fmt: skip
        lines += ["b {@done}", *fail, "{@done}:"]
        why = (f"LL/SC loop: {ld} and compare; on a match {st}, retrying only when the "
               "exclusive store fails (strong CAS); clrex drops the reservation on a mismatch")
        why += _merge_note(order, failure)
        return _entry(scheme, op, order, failure, width, lines, roles, why)
    extend = {8: ", uxtb", 16: ", uxth"}.get(width, "")
    lines = [f"{ld}{sz} {{res}}, [{{addr}}]", f"cmp {{res}}, {{exp}}{extend}", "b.ne {@fail}",
             f"{st}{sz} {{status}}, {{new}}, [{{addr}}]", "cbnz {status}, {@nostore}",
             "mov {ok}, #1", "b {@done}", *fail, "{@nostore}:", "mov {ok}, #0", "{@done}:"]  # fmt: skip
    roles.append(Role("ok", 32))
    return _entry(scheme, op, order, failure, width, lines, roles,
                  f"weak CAS: one {ld}/{st} attempt, no retry; it may fail spuriously (the "
                  "exclusive store fails although the value matched), so `ok` reports success"
                  + _merge_note(order, failure),
                  ok="ok")  # fmt: skip


def gcc_llsc_cas(op: Op, order: Order, failure: Order, width: int,
                 scheme: str) -> Entry:  # fmt: skip
    """GCC 12's v8.0 CAS: no clrex; sub-word compares extend in the cmp; a weak CAS sets `ok`
    with cset from the flags of whichever compare ran last. `order` is GCC's effective one."""
    sz = SIZE[width]
    ld = "ldaxr" if order.is_acquire else "ldxr"
    st = "stlxr" if order.is_release else "stxr"
    extend = {8: ", uxtb", 16: ", uxth"}.get(width, "")
    roles = [Role("addr", 64), Role("exp", width), Role("new", width), Role("res", width),
             Role("status", 32)]  # fmt: skip
    if op is Op.CAS:
        lines = ["{@retry}:", f"{ld}{sz} {{res}}, [{{addr}}]", f"cmp {{res}}, {{exp}}{extend}",
                 "b.ne {@fail}", f"{st}{sz} {{status}}, {{new}}, [{{addr}}]",
                 "cbnz {status}, {@retry}", "{@fail}:"]  # fmt: skip
        return _entry(scheme, op, order, failure, width, lines, roles,
                      f"LL/SC loop: {ld} and compare; on a match {st}, retrying only when the "
                      "exclusive store fails (strong CAS); GCC leaves the reservation open on a "
                      "mismatch (no clrex)")  # fmt: skip
    lines = [f"{ld}{sz} {{res}}, [{{addr}}]", f"cmp {{res}}, {{exp}}{extend}", "b.ne {@fail}",
             f"{st}{sz} {{status}}, {{new}}, [{{addr}}]", "cmp {status}, #0", "{@fail}:",
             "cset {ok}, eq"]  # fmt: skip
    roles.append(Role("ok", 32))
    return _entry(scheme, op, order, failure, width, lines, roles,
                  f"weak CAS: one {ld}/{st} attempt; `ok` = Z from the value compare or from "
                  "the exclusive store's status (GCC, no clrex)", ok="ok")  # fmt: skip


def lse_rmw(op: Op, order: Order, width: int, scheme: str = "default") -> Entry:
    sz = SIZE[width]
    suffix = _lse_suffix(order.is_acquire, order.is_release)
    mnemonic = f"{_LSE_OP[op]}{suffix}{sz}"
    roles = [Role("addr", 64), Role("val", width), Role("res", width)]
    if op is Op.FETCH_SUB:
        roles.append(Role("tmp", width if width == 64 else 32))
        lines = ["neg {tmp}, {val}", f"{mnemonic} {{tmp}}, {{res}}, [{{addr}}]"]
        why = f"LSE has no atomic subtract: negate, then {mnemonic} (add) returns the old value"
    elif op is Op.FETCH_AND:
        roles.append(Role("tmp", width if width == 64 else 32))
        lines = ["mvn {tmp}, {val}", f"{mnemonic} {{tmp}}, {{res}}, [{{addr}}]"]
        why = f"LSE has bit-clear, not and: invert the operand, then {mnemonic} clears its bits"
    else:
        lines = [f"{mnemonic} {{val}}, {{res}}, [{{addr}}]"]
        why = f"v8.1 LSE: {mnemonic} is one atomic instruction returning the old value"
    if suffix:
        why += f"; the {suffix.upper()} suffix carries the ordering"
    return _entry(scheme, op, order, None, width, lines, roles, why)


def lse_cas(op: Op, order: Order, failure: Order, width: int,
            scheme: str = "default") -> Entry:  # fmt: skip
    sz = SIZE[width]
    merged = merged_order(order, failure)
    suffix = _lse_suffix(merged.is_acquire, merged.is_release)
    mnemonic = f"cas{suffix}{sz}"
    roles = [Role("addr", 64), Role("exp", width), Role("new", width), Role("res", width)]
    return _entry(scheme, op, order, failure, width,
                  ["~mov {res}, {exp}", f"{mnemonic} {{res}}, {{new}}, [{{addr}}]"], roles,
                  f"v8.1 LSE: {mnemonic} compares and swaps in one instruction, leaving the "
                  "observed value in its first register; it never fails spuriously, so weak = "
                  "strong" + _merge_note(order, failure))  # fmt: skip


def build(op: Op, order: Order, failure: Order | None, width: int | None,
          lse: bool) -> Entry:  # fmt: skip
    if op is Op.FENCE:
        return fence(order)
    assert width is not None
    if op is Op.LOAD:
        return load(order, width)
    if op is Op.STORE:
        return store(order, width)
    if op.is_cas:
        assert failure is not None
        if lse:
            return lse_cas(op, order, failure, width)
        return llsc_cas(op, order, failure, width)
    if lse:
        return lse_rmw(op, order, width)
    return llsc_rmw(op, order, width)
