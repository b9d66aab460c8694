"""ARMv7-A (A32) lowerings: `dmb ish` around plain accesses and LDREX/STREX loops.

ARMv7 has no acquire/release instructions, so orderings become full barriers: a release puts
`dmb ish` before the access, an acquire puts one after it, SeqCst stores get both. 64-bit
atomics need the exclusive pair instructions LDREXD/STREXD (on an even/odd register pair), even
for a plain load (LDREXD is the only single-copy-atomic 64-bit load on ARMv7 without LPAE) and a
plain store (an LDREXD/STREXD loop).

`build` is clang 14's code (-O2 -marm -march=armv7-a); `gcc_*` are GCC 12's where it differs.
"""

from __future__ import annotations

from fencelab.atomics import Op, Order
from fencelab.lowering.template import Entry, Role

SIZE = {8: "b", 16: "h", 32: "", 64: "d"}
_ALU = {Op.FETCH_ADD: ("adds", "adc", "add"), Op.FETCH_SUB: ("subs", "sbc", "sub"),
        Op.FETCH_AND: ("and", "and", "and"), Op.FETCH_OR: ("orr", "orr", "orr"),
        Op.FETCH_XOR: ("eor", "eor", "eor")}  # fmt: skip
DMB = "dmb ish"


def _entry(scheme, op, order, failure, width, lines, roles, why, ok=None) -> Entry:
    return Entry(scheme, op, order, failure, width, tuple(lines), tuple(roles), why, ok)


def _value(name: str, width: int, **kw) -> Role:
    return Role(name, width, pair=width == 64, **kw)


def _addr() -> Role:
    return Role("addr", 32)


def _fence_if(flag: bool) -> list[str]:
    return [DMB] if flag else []


def _ldrex(width: int, reg: str) -> str:
    if width == 64:
        return f"ldrexd {{{reg}}}, {{{reg}.hi}}, [{{addr}}]"
    return f"ldrex{SIZE[width]} {{{reg}}}, [{{addr}}]"


def _strex(width: int, reg: str, cond: str = "") -> str:
    if width == 64:
        return f"strexd{cond} {{status}}, {{{reg}}}, {{{reg}.hi}}, [{{addr}}]"
    return f"strex{SIZE[width]}{cond} {{status}}, {{{reg}}}, [{{addr}}]"


def _compare(width: int) -> list[str]:
    """clang: set Z iff res == exp (64-bit: xor both halves and or them, needing tmp)."""
    if width == 64:
        return ["eor {tmp.hi}, {res.hi}, {exp.hi}", "eor {tmp}, {res}, {exp}",
                "orrs {tmp.hi}, {tmp}, {tmp.hi}"]  # fmt: skip
    return ["cmp {res}, {exp}"]


def _gcc_compare(width: int) -> list[str]:
    if width == 64:
        return ["cmp {res.hi}, {exp.hi}", "cmpeq {res}, {exp}"]
    return ["cmp {res}, {exp}"]


def fence(order: Order, scheme: str = "default") -> Entry:
    return _entry(scheme, Op.FENCE, order, None, None, [DMB], [],
                  "ARMv7 has only the full data barrier for ordering loads against later "
                  "accesses: every fence is dmb ish")  # fmt: skip


def load(order: Order, width: int, scheme: str = "default", leading: bool = False,
         clrex: bool = True, trailing: str = DMB, why: str = "") -> Entry:  # fmt: skip
    roles = [_addr(), _value("res", width)]
    lines = [DMB] if leading else []
    if width == 64:
        lines.append(_ldrex(64, "res"))
        if clrex:
            lines.append("clrex")
        base = "a 64-bit load is single-copy atomic only as ldrexd"
        if clrex:
            base += " (clrex drops the unused reservation)"
    else:
        lines.append(f"ldr{SIZE[width]} {{res}}, [{{addr}}]")
        base = "an aligned ldr is single-copy atomic"
    if order.is_acquire:
        lines.append(trailing)
    if why:
        pass  # the caller explains
    elif not order.is_acquire:
        why = base + "; relaxed needs no barrier"
    elif leading:
        why = base + "; GCC also puts dmb ish before a SeqCst load (to order it after earlier " \
            "SeqCst stores) and after it (acquire)"
    else:
        why = base + "; the dmb ish after it keeps later accesses after the load (acquire); " \
            "SeqCst stores carry the trailing barrier that SeqCst loads rely on"
    return _entry(scheme, Op.LOAD, order, None, width, lines, roles, why)


def store(order: Order, width: int, scheme: str = "default", leading: str = DMB,
          why: str = "") -> Entry:  # fmt: skip
    roles = [_addr(), _value("val", width)]
    lines = [leading] if order.is_release else []
    if width == 64:
        lines += ["{@retry}:", _ldrex(64, "tmp"), _strex(64, "val"), "cmp {status}, #0",
                  "bne {@retry}"]  # fmt: skip
        roles += [_value("tmp", 64), Role("status", 32)]
        base = "a 64-bit store is single-copy atomic only as an ldrexd/strexd loop"
    else:
        lines.append(f"str{SIZE[width]} {{val}}, [{{addr}}]")
        base = "an aligned str is single-copy atomic"
    if order is Order.SEQ_CST:
        lines.append(DMB)
    if not why:
        if order is Order.RELAXED:
            why = base + "; relaxed needs no barrier"
        elif order is Order.RELEASE:
            why = base + "; dmb ish before it orders every earlier load and store (release)"
        else:
            why = base + "; dmb ish before (release) and after (so a later SeqCst load cannot " \
                "pass it)"
    return _entry(scheme, Op.STORE, order, None, width, lines, roles, why)


def rmw(op: Op, order: Order, width: int, scheme: str = "default") -> Entry:
    roles = [_addr(), _value("val", width), _value("res", width)]
    lines = _fence_if(order.is_release) + ["{@retry}:", _ldrex(width, "res")]
    if op is Op.SWAP:
        lines.append(_strex(width, "val"))
    else:
        lo, hi, single = _ALU[op]
        if width == 64:
            lines += [f"{lo} {{tmp}}, {{res}}, {{val}}", f"{hi} {{tmp.hi}}, {{res.hi}}, {{val.hi}}"]
        else:
            lines.append(f"{single} {{tmp}}, {{res}}, {{val}}")
        lines.append(_strex(width, "tmp"))
        roles.append(_value("tmp", width if width == 64 else 32))
    lines += ["cmp {status}, #0", "bne {@retry}", *_fence_if(order.is_acquire)]
    roles.append(Role("status", 32))
    fences = {
        Order.RELAXED: "no barriers for relaxed",
        Order.ACQUIRE: "dmb ish after the loop (acquire)",
        Order.RELEASE: "dmb ish before the loop (release)",
        Order.ACQ_REL: "dmb ish before (release) and after (acquire)",
        Order.SEQ_CST: "dmb ish before and after",
    }[order]
    pair = "ldrexd/strexd" if width == 64 else "ldrex/strex"
    return _entry(scheme, op, order, None, width, lines, roles,
                  f"{pair} loop until the exclusive store succeeds; {fences}")  # fmt: skip


def _cas_roles(width: int, weak: bool) -> list[Role]:
    roles = [_addr(), _value("exp", width), _value("new", width), _value("res", width),
             Role("status", 32)]  # fmt: skip
    if width == 64:
        roles.append(_value("tmp", 64))
    if weak:
        roles.append(Role("ok", 32))
    return roles


def cas(op: Op, order: Order, failure: Order, width: int) -> Entry:
    """clang's shape: the release barrier only once the compare has matched, then a loop on
    the exclusive store; success and failure paths get their own acquire barrier."""
    succ, fail = _fence_if(order.is_acquire), _fence_if(failure.is_acquire)
    cmp = _compare(width)
    if op is Op.CAS_WEAK:
        lines = [_ldrex(width, "res"), *cmp, "bne {@fail}", *_fence_if(order.is_release),
                 _strex(width, "new"), "cmp {status}, #0", "bne {@nostore}", "mov {ok}, #1",
                 *succ, "b {@done}", "{@fail}:", "clrex", "{@nostore}:", "mov {ok}, #0",
                 *fail, "{@done}:"]  # fmt: skip
        return _entry("default", op, order, failure, width, lines, _cas_roles(width, True),
                      _cas_why(order, failure, weak=True), ok="ok")  # fmt: skip
    if order.is_release:
        lines = [_ldrex(width, "res"), *cmp, "bne {@fail}", DMB, "{@store}:",
                 _strex(width, "new"), "cmp {status}, #0", "beq {@succ}",
                 _ldrex(width, "res"), *cmp, "beq {@store}", "{@fail}:", "clrex"]  # fmt: skip
        if succ == fail:
            lines += ["{@succ}:", *succ]
        else:
            lines += [*fail, "b {@done}", "{@succ}:", *succ, "{@done}:"]
    else:
        lines = ["{@retry}:", _ldrex(width, "res"), *cmp, "bne {@fail}",
                 _strex(width, "new"), "cmp {status}, #0", "bne {@retry}", *succ,
                 "b {@done}", "{@fail}:", "clrex", *fail, "{@done}:"]  # fmt: skip
    return _entry("default", op, order, failure, width, lines, _cas_roles(width, False),
                  _cas_why(order, failure, weak=False))  # fmt: skip


def _cas_why(order: Order, failure: Order, weak: bool, gcc: bool = False) -> str:
    parts = []
    if weak:
        parts.append("one ldrex/strex attempt that may fail spuriously (`ok` reports success)")
    else:
        parts.append("ldrex, compare, strex until the exclusive store succeeds or the value "
                     "differs")  # fmt: skip
    if order.is_release:
        parts.append("dmb ish before the store (release)" if not gcc
                     else "dmb ish first (release)")  # fmt: skip
    if order.is_acquire:
        parts.append("dmb ish after success (acquire)")
    if failure.is_acquire:
        parts.append("dmb ish after failure (failure ordering acquires)")
    if not gcc:
        parts.append("clrex on a mismatch")
    return "; ".join(parts)


def build(op: Op, order: Order, failure: Order | None, width: int | None) -> Entry:
    if op is Op.FENCE:
        return fence(order)
    assert width is not None
    if op is Op.LOAD:
        return load(order, width)
    if op is Op.STORE:
        return store(order, width)
    if op.is_cas:
        assert failure is not None
        return cas(op, order, failure, width)
    return rmw(op, order, width)


# -- GCC 12 ---------------------------------------------------------------------------------
# GCC's memmodel enum order (consume = 1 is never produced here)
_GCC_RANK = {Order.RELAXED: 0, Order.ACQUIRE: 2, Order.RELEASE: 3, Order.ACQ_REL: 4,
             Order.SEQ_CST: 5}  # fmt: skip


def gcc_effective(order: Order, failure: Order, aarch64: bool = False) -> Order:
    """The success ordering GCC 12 really uses for a CAS.

    GCC takes a failure ordering "stronger" than the success one (by its enum order) as invalid
    and uses SeqCst for success; AArch64 also promotes Release/Acquire to AcqRel.
    """
    if _GCC_RANK[failure] > _GCC_RANK[order]:
        return Order.SEQ_CST
    if aarch64 and failure is Order.ACQUIRE and order is Order.RELEASE:
        return Order.ACQ_REL
    return order


def gcc_cas(op: Op, order: Order, failure: Order, width: int, scheme: str) -> Entry:
    """GCC's shape: dmb ish first (release), one loop, dmb ish after (acquire); no clrex."""
    eff = gcc_effective(order, failure)
    # the failure path joins before the trailing barrier unless failure is relaxed
    succ = _fence_if(eff.is_acquire)
    fail = succ if failure is not Order.RELAXED else []
    cmp = _gcc_compare(width)
    if op is Op.CAS_WEAK:
        lines = [*_fence_if(eff.is_release), _ldrex(width, "res"), *cmp]
        if succ == fail:  # both paths meet the same barrier: predicate the store instead
            lines += [_strex(width, "new", cond="eq"), "cmpeq {status}, #0", *succ]
        else:
            lines += ["bne {@fail}", _strex(width, "new"), "cmp {status}, #0", *succ, "{@fail}:"]
        lines += ["moveq {ok}, #1", "movne {ok}, #0"]
        roles = [r for r in _cas_roles(width, True) if r.name != "tmp"]
        return _entry(scheme, op, order, failure, width, lines, roles,
                      _cas_why(eff, failure, weak=True, gcc=True)
                      + "; GCC predicates the strex on the compare instead of branching",
                      ok="ok")  # fmt: skip
    lines = [*_fence_if(eff.is_release), "{@retry}:", _ldrex(width, "res"), *cmp,
             "bne {@fail}", _strex(width, "new"), "cmp {status}, #0", "bne {@retry}"]  # fmt: skip
    if succ == fail:
        lines += ["{@fail}:", *succ]
    else:
        lines += [*succ, "b {@done}", "{@fail}:", *fail, "{@done}:"]
    roles = [r for r in _cas_roles(width, False) if r.name != "tmp"]
    return _entry(scheme, op, order, failure, width, lines, roles,
                  _cas_why(eff, failure, weak=False, gcc=True))  # fmt: skip
