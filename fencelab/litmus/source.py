"""Thread bodies of source tests: herd's C format and our Rust spelling, read into one AST.

Both spellings produce the same statements (`ast.py`); only `LitmusTest.arch` differs.

C's `atomic_compare_exchange_*(x, &e, d, s, f)` writes the observed value back into `e` and
returns whether it succeeded. It is read as three assignments over fresh variables whose names
start with `$` (no C or Rust identifier, and no condition, can name them):

    $casN = Cas(x, e, d, s, f)      the value observed
    ok    = $casN == e              only when the result is used (`ok` is the user's variable,
                                    or `$okN` for an `if`/`while` condition)
    e     = $casN

herd also lets the expected value be a shared location (`atomic_compare_exchange_*(x, e, d, s, f)`
with `e` a parameter): it is read first, and written with the observed value on failure:

    $expN = *e                      a plain read of the location
    $casN = Cas(x, $expN, d, s, f)
    ok    = $casN == $expN          only when the result is used, as above
    if ($casN != $expN) *e = $casN  a plain write, on failure only

`if ([!]CAS) A else B` becomes the three assignments then `if ([!]$okN) A else B`;
`while ([!]CAS) B` becomes the three assignments then `while ([!]$okN) { B; the three again }`.
A CAS anywhere else in a C expression is refused with a message saying where it may go. The
printer recognises exactly these shapes and prints the C call back.

C's plain accesses (`*x = 1`, `r0 = *x`, what herd's `volatile int*` tests use) are read as
Relaxed with `plain=True`, so later stages can say so instead of pretending they are atomics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from fencelab.atomics import Op, Order, parse_order, valid_failure_orders, valid_orders
from fencelab.errors import FencelabError, SourceError
from fencelab.litmus import grammars
from fencelab.litmus.ast import (
    Assign,
    BinOp,
    Cas,
    Const,
    Expr,
    ExprStmt,
    Fence,
    If,
    Load,
    Pos,
    Rmw,
    Stmt,
    Store,
    Thread,
    UnOp,
    Var,
    While,
    walk_statements,
)
from fencelab.litmus.lexing import BodyContext, skip_c_comment
from fencelab.litmus.types import ctype_width, known_types, normalise_ctype
from fencelab.values import NumberTooLong, read_int

_TRAILER_START = re.compile(
    r"(?:~\s*exists|exists|forall|locations|filter|final|cases|observed|Observed)(?![A-Za-z0-9_])"
)

CAS_PREFIX = "$cas"
OK_PREFIX = "$ok"
EXPECTED_PREFIX = "$exp"


def declared_variables(thread: Thread) -> set[str]:
    """The local variables a source thread declares (fresh `$` names excluded)."""
    return {s.var for s in walk_statements(thread.body)
            if isinstance(s, Assign) and s.declared and not s.var.startswith("$")}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Splitting the threads out of the file


def parse_threads(ctx: BodyContext, pos: int) -> tuple[list[Thread], int]:
    """Read `P0 (...) { ... }` (C) or `P0 { ... }` (Rust) functions up to the trailer."""
    text = ctx.src.text
    threads: list[Thread] = []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text) or _TRAILER_START.match(text, pos):
            break
        m = re.compile(r"P(\d+)(?![A-Za-z0-9_])\s*").match(text, pos)
        if not m and text.startswith("regions:", pos):
            raise ctx.src.error("herd's `regions:` clause (memory regions) is not supported", pos)
        if not m:
            what = "P0 (atomic_int* x, ...) { ... }" if ctx.arch == "C" else "P0 { ... }"
            raise ctx.src.error(
                f"expected a thread '{what}' or the final condition, found {ctx.src.found(pos)}", pos
            )
        try:
            tid = read_int(m.group(1))
        except NumberTooLong as e:
            raise ctx.src.error(str(e), pos) from None
        if tid != len(threads):
            raise ctx.src.error(f"expected thread P{len(threads)}, found P{tid}", pos)
        at = m.end()
        params: tuple[tuple[str, str], ...] = ()
        if ctx.arch == "C":
            if not text.startswith("(", at):
                raise ctx.src.error(
                    f"expected '(' and the parameters of P{tid}, found {ctx.src.found(at)}", at
                )
            close = text.find(")", at)
            if close < 0:
                raise ctx.src.error(f"expected ')' after the parameters of P{tid}", at)
            params = _c_params(ctx, tid, text[at + 1 : close], at + 1)
            at = close + 1
            while at < len(text) and text[at].isspace():
                at += 1
        if not text.startswith("{", at):
            raise ctx.src.error(
                f"expected '{{' to open the body of P{tid}, found {ctx.src.found(at)}", at
            )
        end = _matching_brace(ctx, text, at, tid)
        line, col = ctx.src.where(at + 1)
        kind = "c" if ctx.arch == "C" else "rust"
        lark = grammars.parser(kind)
        body_text = grammars.padded(text[at + 1 : end], line, col)
        try:
            tree = lark.parse(body_text)
        except UnexpectedInput as e:
            closing = (*ctx.src.where(end), "'}'")
            raise grammars.lark_error(
                e, lark, body_text, ctx.file, f"the body of P{tid}", end=closing
            ) from None
        builder = (
            _CBuilder(ctx, tid, dict((n, t) for t, n in params))
            if kind == "c"
            else _RustBuilder(ctx, tid)
        )
        body = builder.stmts(tree.children)
        threads.append(Thread(tid, f"P{tid}", body=tuple(body), params=params))
        pos = end + 1
    if not threads:
        raise ctx.src.error(f"expected at least one thread 'P0 ...', found {ctx.src.found(pos)}", pos)
    return threads, pos


def _c_params(ctx: BodyContext, tid: int, text: str, offset: int) -> tuple[tuple[str, str], ...]:
    if text.strip() in ("", "void"):
        return ()
    params = []
    at = offset
    for piece in text.split(","):
        m = re.fullmatch(r"\s*(.*?)\s*(\*+)\s*([A-Za-z_][A-Za-z0-9_]*)\s*", piece)
        where = at + len(piece) - len(piece.lstrip())
        if not m or not m.group(1):
            raise ctx.src.error(
                f"parameter {piece.strip()!r} of P{tid} must be a pointer to a shared location "
                "(e.g. atomic_int* x)",
                where,
            )
        base, stars, name = m.group(1), m.group(2), m.group(3)
        if ctype_width(base) is None:
            raise ctx.src.error(
                f"unknown type {base!r} for parameter {name!r}; known: {known_types()}", where
            )
        if len(stars) > 1:
            raise ctx.src.error(
                f"parameter {name!r} of P{tid}: pointers to pointers are not supported", where
            )
        ctx.locs.touch(name)
        ctx.locs.adopt_type(name, base)
        params.append((normalise_ctype(base + stars), name))
        at += len(piece) + 1
    return tuple(params)


def _matching_brace(ctx: BodyContext, text: str, start: int, tid: int) -> int:
    depth, i = 0, start
    while i < len(text):
        after = skip_c_comment(text, i, ctx.src)
        if after is not None:
            i = after
            continue
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ctx.src.error(f"expected '}}' to close the body of P{tid}, found end of input", start)


# ---------------------------------------------------------------------------------------------
# Shared helpers of both builders


def _pos(node) -> Pos:
    if isinstance(node, Token):
        return Pos(node.line or 0, node.column or 0)
    meta = getattr(node, "meta", None)
    if meta is None or getattr(meta, "empty", True):
        return Pos()
    return Pos(meta.line, meta.column)


_BOOLEAN_OPS = {"==", "!=", "<", "<=", ">", ">=", "&&", "||"}


class _Builder:
    """What the C and Rust readers share: locals, fresh names, errors, orderings."""

    order_names: str = ""

    def __init__(self, ctx: BodyContext, tid: int):
        self.ctx = ctx
        self.tid = tid
        self.declared: dict[str, bool] = {}  # local -> mutable
        self.fresh_count = 0

    def error(self, message: str, node) -> SourceError:
        pos = _pos(node)
        return SourceError(message, self.ctx.file, pos.line, pos.col)

    def fresh(self) -> int:
        n = self.fresh_count
        self.fresh_count += 1
        return n

    def stmts(self, trees) -> list[Stmt]:
        out: list[Stmt] = []
        for t in trees:
            out.extend(self.stmt(t))
        return out

    def body(self, tree) -> tuple[Stmt, ...]:
        return tuple(self.stmts([tree]))

    def stmt(self, t: Tree) -> list[Stmt]:  # pragma: no cover - overridden
        raise NotImplementedError

    def check_order(self, order: Order, allowed: tuple[Order, ...], what: str, node) -> Order:
        if order not in allowed:
            valid = ", ".join(self.spell(o) for o in allowed)
            raise self.error(
                f"{self.spell(order)} is not a valid ordering for {what}; valid: {valid}", node
            )
        return order

    def spell(self, order: Order) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def int_value(self, token: Token) -> int:
        text = str(token).replace("_", "")
        text = re.sub(r"([uUlL]+|[ui](8|16|32|64|size))$", "", text)
        try:
            if text[:2].lower() == "0x":
                return read_int(text, 16)
            if len(text) > 1 and text.startswith("0") and self.ctx.arch == "C":
                return read_int(text, 8)
            return read_int(text, 10)
        except NumberTooLong as e:
            raise self.error(str(e), token) from None
        except ValueError:
            raise self.error(f"cannot read number {str(token)!r}", token) from None

    def unop(self, op: str, operand: Expr) -> Expr:
        if op == "-" and isinstance(operand, Const):
            return Const(-operand.value)
        return UnOp(op, operand)


# ---------------------------------------------------------------------------------------------
# C


@dataclass(frozen=True)
class _CCall:
    kind: str  # load | store | rmw | cas | fence
    op: Op | None = None
    explicit: bool = True
    weak: bool = False

    @property
    def arity(self) -> int:
        base = {"load": 1, "store": 2, "rmw": 2, "cas": 3, "fence": 1}[self.kind]
        if self.kind == "fence":
            return 1
        return base + (2 if self.kind == "cas" else 1) * self.explicit


_C_CALLS: dict[str, _CCall] = {}
for _explicit in (True, False):
    _sfx = "_explicit" if _explicit else ""
    _C_CALLS["atomic_load" + _sfx] = _CCall("load", Op.LOAD, _explicit)
    _C_CALLS["atomic_store" + _sfx] = _CCall("store", Op.STORE, _explicit)
    _C_CALLS["atomic_exchange" + _sfx] = _CCall("rmw", Op.SWAP, _explicit)
    for _name in ("add", "sub", "and", "or", "xor"):
        _C_CALLS[f"atomic_fetch_{_name}{_sfx}"] = _CCall("rmw", Op(f"fetch_{_name}"), _explicit)
    _C_CALLS["atomic_compare_exchange_strong" + _sfx] = _CCall("cas", Op.CAS, _explicit)
    _C_CALLS["atomic_compare_exchange_weak" + _sfx] = _CCall(
        "cas", Op.CAS_WEAK, _explicit, weak=True
    )
_C_CALLS["atomic_thread_fence"] = _CCall("fence", Op.FENCE)

C_RMW_NAMES = {
    Op.SWAP: "atomic_exchange_explicit",
    Op.FETCH_ADD: "atomic_fetch_add_explicit",
    Op.FETCH_SUB: "atomic_fetch_sub_explicit",
    Op.FETCH_AND: "atomic_fetch_and_explicit",
    Op.FETCH_OR: "atomic_fetch_or_explicit",
    Op.FETCH_XOR: "atomic_fetch_xor_explicit",
}

_C_ORDER_NAMES = (
    "memory_order_relaxed, memory_order_consume, memory_order_acquire, memory_order_release, "
    "memory_order_acq_rel, memory_order_seq_cst"
)
_CAS_PLACES = (
    "it may only be a statement, the value of an assignment (`ok = ...;`), or the "
    "(negated) condition of if/while"
)


def _is_call(tree, kinds: tuple[str, ...]) -> bool:
    if not isinstance(tree, Tree) or tree.data != "call":
        return False
    spec = _C_CALLS.get(str(tree.children[0]))
    return spec is not None and spec.kind in kinds


class _CBuilder(_Builder):
    def __init__(self, ctx: BodyContext, tid: int, params: dict[str, str]):
        super().__init__(ctx, tid)
        self.params = params

    def spell(self, order: Order) -> str:
        return order.c

    # statements

    def stmt(self, t: Tree) -> list[Stmt]:
        kind = t.data
        if kind == "empty":
            return []
        if kind == "block":
            return self.stmts(t.children)
        if kind == "decl":
            return self.decl(t)
        if kind == "assign":
            name_tok, value = t.children
            name = self.assignable(name_tok)
            if _is_call(value, ("cas",)):
                return self.cas_triple(value, ok=name, declared=False)
            return [Assign(name, self.expr(value), False, _pos(t))]
        if kind == "store":
            _star, name_tok, value = t.children
            loc = self.location(name_tok, "*")
            return [Store(loc, self.expr(value), Order.RELAXED, _pos(t), plain=True)]
        if kind == "expr_stmt":
            return self.expr_stmt(t.children[0], _pos(t))
        if kind == "if_stmt":
            pre, cond = self.condition(t.children[0])
            then = self.body(t.children[1])
            orelse = self.body(t.children[2]) if len(t.children) > 2 else ()
            return [*pre, If(cond, then, orelse, _pos(t))]
        if kind == "while_stmt":
            pre, cond = self.condition(t.children[0])
            body = self.body(t.children[1])
            return [*pre, While(cond, body + tuple(pre), _pos(t))]
        raise self.error(f"unsupported statement ({kind})", t)  # pragma: no cover

    def decl(self, t: Tree) -> list[Stmt]:
        types = [str(c) for c in t.children if isinstance(c, Token) and c.type == "CTYPE"]
        ctype = " ".join(types)
        if ctype_width(ctype) is None:
            raise self.error(f"unknown type {ctype!r}; known: {known_types()}", t)
        out: list[Stmt] = []
        for d in t.children:
            if not isinstance(d, Tree):
                continue
            name_tok = d.children[0]
            name = str(name_tok)
            if name in self.params:
                raise self.error(
                    f"local variable {name!r} hides the shared location parameter {name!r} of P{self.tid}",
                    name_tok,
                )
            if len(d.children) > 1 and _is_call(d.children[1], ("cas",)):
                out.extend(self.cas_triple(d.children[1], ok=name, declared=True))
            else:
                value = self.expr(d.children[1]) if len(d.children) > 1 else Const(0)
                out.append(Assign(name, value, True, _pos(t)))
            self.declared[name] = True
        return out

    def assignable(self, name_tok: Token) -> str:
        name = str(name_tok)
        if name in self.params:
            raise self.error(
                f"{name!r} is a pointer to a shared location: store with *{name} = ... or "
                f"atomic_store_explicit({name}, ...)",
                name_tok,
            )
        if name not in self.declared:
            raise self.error(
                f"assignment to undeclared variable {name!r} (declare it: int {name} = ...;)",
                name_tok,
            )
        return name

    def expr_stmt(self, e, pos: Pos) -> list[Stmt]:
        if isinstance(e, Tree) and e.data == "call":
            spec = _C_CALLS.get(str(e.children[0]))
            if spec is not None and spec.kind == "cas":
                return self.cas_triple(e, ok=None, declared=False)
            if spec is not None and spec.kind == "store":
                loc, args, orders = self.call_args(e, spec)
                order = self.check_order(orders[0], valid_orders(Op.STORE), str(e.children[0]), e)
                return [Store(loc, self.expr(args[0]), order, pos)]
            if spec is not None and spec.kind == "fence":
                _loc, _args, orders = self.call_args(e, spec)
                return [Fence(orders[0], pos)]
            return [ExprStmt(self.expr(e), pos)]
        raise self.error(
            "statement has no effect (expected an assignment or an atomic operation)", e
        )

    def condition(self, tree) -> tuple[list[Stmt], Expr]:
        negated, inner = False, tree
        is_not = isinstance(tree, Tree) and tree.data == "un" and str(tree.children[0]) == "!"
        if is_not and _is_call(tree.children[1], ("cas",)):
            negated, inner = True, tree.children[1]
        if _is_call(inner, ("cas",)):
            n = self.fresh()
            ok = f"{OK_PREFIX}{n}"
            pre = self.cas_triple(inner, ok=ok, declared=True, n=n)
            cond: Expr = Var(ok)
            return pre, UnOp("!", cond) if negated else cond
        return [], self.expr(tree)

    def cas_triple(
        self, call: Tree, ok: str | None, declared: bool, n: int | None = None
    ) -> list[Stmt]:
        spec = _C_CALLS[str(call.children[0])]
        loc, args, orders = self.call_args(call, spec)
        expected_tree, desired_tree = args
        shared = (isinstance(expected_tree, Tree) and expected_tree.data == "var"
                  and str(expected_tree.children[-1]) in self.params)  # fmt: skip
        if not (isinstance(expected_tree, Tree) and expected_tree.data == "addr") and not shared:
            raise self.error(
                f"the expected value of {call.children[0]} must be the address of a local "
                "variable (&r0) or a shared location",
                expected_tree,
            )
        e_tok = expected_tree.children[-1]
        expected = str(e_tok)
        if not shared and expected in self.params:
            raise self.error(
                f"the expected value of {call.children[0]} must be a local variable, not the "
                f"shared location {expected!r}",
                e_tok,
            )
        if not shared and expected not in self.declared:
            raise self.error(
                f"unknown variable {expected!r} (declare it: int {expected} = ...;)", e_tok
            )
        desired = self.expr(desired_tree)
        success = orders[0] if orders else Order.SEQ_CST
        failure = orders[1] if len(orders) > 1 else Order.SEQ_CST
        self.check_order(
            failure, valid_failure_orders(), f"the failure of {call.children[0]}", call
        )
        n = self.fresh() if n is None else n
        tmp, pos = f"{CAS_PREFIX}{n}", _pos(call)
        out: list[Stmt] = []
        if shared:  # herd's `(x, e, ...)`: read e first, write it back on failure only
            where, expected = self.location(e_tok, ""), f"{EXPECTED_PREFIX}{n}"
            out.append(Assign(expected, Load(where, Order.RELAXED, pos, plain=True), True, pos))
            store = Store(where, Var(tmp), Order.RELAXED, pos, plain=True)
            write_back: Stmt = If(BinOp("!=", Var(tmp), Var(expected)), (store,), (), pos)
        else:
            write_back = Assign(expected, Var(tmp), False, pos)
        cas = Cas(loc, Var(expected), desired, success, failure, spec.weak, pos)
        out.append(Assign(tmp, cas, True, pos))
        if ok is not None:
            out.append(Assign(ok, BinOp("==", Var(tmp), Var(expected)), declared, pos))
        out.append(write_back)
        return out

    # expressions

    def expr(self, t) -> Expr:
        kind = t.data
        if kind == "int":
            return Const(self.int_value(t.children[0]))
        if kind == "var":
            return Var(self.readable(t.children[0]))
        if kind == "bin":
            left, op, right = t.children
            return BinOp(str(op), self.expr(left), self.expr(right))
        if kind == "un":
            op, operand = t.children
            return self.unop(str(op), self.expr(operand))
        if kind == "deref":
            loc = self.location(t.children[1], "*")
            return Load(loc, Order.RELAXED, _pos(t), plain=True)
        if kind == "addr":
            raise self.error(
                f"'&{t.children[1]}' may only be the expected-value argument of atomic_compare_exchange",
                t,
            )
        if kind == "call":
            return self.call_expr(t)
        raise self.error(f"unsupported expression ({kind})", t)  # pragma: no cover

    def readable(self, tok: Token) -> str:
        name = str(tok)
        if name in self.params:
            raise self.error(
                f"{name!r} is a pointer to a shared location: read it with *{name} or "
                f"atomic_load_explicit({name}, ...)",
                tok,
            )
        if name.startswith("memory_order_"):
            raise self.error(
                f"{name} may only be the ordering argument of an atomic operation", tok
            )
        if name not in self.declared:
            raise self.error(f"unknown variable {name!r} in P{self.tid}", tok)
        return name

    def call_expr(self, t: Tree) -> Expr:
        name = str(t.children[0])
        spec = _C_CALLS.get(name)
        if spec is None:
            known = ", ".join(
                sorted(n for n in _C_CALLS if n.endswith("_explicit") or n == "atomic_thread_fence")
            )
            raise self.error(
                f"unknown function {name!r}; supported: {known} (and the forms without _explicit)",
                t,
            )
        if spec.kind == "cas":
            raise self.error(f"{name} cannot be used inside an expression: {_CAS_PLACES}", t)
        if spec.kind in ("store", "fence"):
            raise self.error(f"{name} has no value; use it as a statement", t)
        loc, args, orders = self.call_args(t, spec)
        if spec.kind == "load":
            order = self.check_order(orders[0], valid_orders(Op.LOAD), name, t)
            return Load(loc, order, _pos(t))
        assert spec.op is not None
        return Rmw(spec.op, loc, self.expr(args[0]), orders[0], _pos(t))

    def call_args(self, t: Tree, spec: _CCall) -> tuple[str, list, list[Order]]:
        """(location, value arguments, orderings) of a C atomic call, checked."""
        name = str(t.children[0])
        args = list(t.children[1:])
        if len(args) != spec.arity:
            raise self.error(f"{name} takes {spec.arity} argument(s), found {len(args)}", t)
        n_orders = 0 if not spec.explicit else (2 if spec.kind == "cas" else 1)
        if spec.kind == "fence":
            return "", [], [self.order(args[0])]
        loc_tree = args[0]
        if not (
            isinstance(loc_tree, Tree)
            and loc_tree.data == "var"
            and str(loc_tree.children[0]) in self.params
        ):
            names = ", ".join(self.params) or "none"
            raise self.error(
                f"the first argument of {name} must be a location parameter of P{self.tid} "
                f"({names})",
                loc_tree,
            )
        loc = str(loc_tree.children[0])
        values = args[1 : len(args) - n_orders]
        orders = (
            [self.order(a) for a in args[len(args) - n_orders :]] if n_orders else [Order.SEQ_CST]
        )
        return loc, values, orders

    def order(self, tree) -> Order:
        text = str(tree.children[0]) if isinstance(tree, Tree) and tree.data == "var" else ""
        if not text.startswith("memory_order_"):
            shown = text or "this argument"
            raise self.error(f"unknown ordering {shown!r}; valid: {_C_ORDER_NAMES}", tree)
        try:
            return parse_order(text)
        except FencelabError:
            raise self.error(f"unknown ordering {text!r}; valid: {_C_ORDER_NAMES}", tree) from None

    def location(self, tok: Token, how: str) -> str:
        name = str(tok)
        if name not in self.params:
            names = ", ".join(self.params) or "none"
            raise self.error(
                f"{how}{name}: {name!r} is not a location parameter of P{self.tid} (parameters: {names})",
                tok,
            )
        return name


# ---------------------------------------------------------------------------------------------
# Rust

_RUST_RMW = {
    "swap": Op.SWAP,
    "fetch_add": Op.FETCH_ADD,
    "fetch_sub": Op.FETCH_SUB,
    "fetch_and": Op.FETCH_AND,
    "fetch_or": Op.FETCH_OR,
    "fetch_xor": Op.FETCH_XOR,
}
_RUST_METHODS = "load, store, swap, fetch_add, fetch_sub, fetch_and, fetch_or, fetch_xor, compare_exchange, compare_exchange_weak"
_RUST_ORDERS = "Relaxed, Release, Acquire, AcqRel, SeqCst (or Ordering::...)"
_FENCE_PATHS = {"fence", "atomic::fence", "std::sync::atomic::fence", "core::sync::atomic::fence"}


class _RustBuilder(_Builder):
    def spell(self, order: Order) -> str:
        return order.rust

    def stmt(self, t: Tree) -> list[Stmt]:
        kind = t.data
        if kind == "empty":
            return []
        if kind == "block":
            return self.stmts(t.children)
        if kind == "let_stmt":
            children = list(t.children)
            mutable = isinstance(children[0], Token) and children[0].type == "MUT"
            if mutable:
                children = children[1:]
            name_tok, value = children[0], children[-1]
            name = str(name_tok)
            if name in self.ctx.locs.infos:
                raise self.error(
                    f"local variable {name!r} has the name of a shared location", name_tok
                )
            expr = self.expr(value)
            self.declared[name] = mutable
            return [Assign(name, expr, True, _pos(t))]
        if kind == "assign":
            name_tok, value = t.children
            name = str(name_tok)
            if name not in self.declared:
                if name in self.ctx.locs.infos:
                    raise self.error(
                        f"{name!r} is a shared location: write it with {name}.store(v, ...)",
                        name_tok,
                    )
                raise self.error(
                    f"assignment to undeclared variable {name!r} (declare it: let mut {name} = ...;)",
                    name_tok,
                )
            if not self.declared[name]:
                raise self.error(
                    f"cannot assign twice to immutable variable {name!r} (declare it with `let mut {name}`)",
                    name_tok,
                )
            return [Assign(name, self.expr(value), False, _pos(t))]
        if kind == "expr_stmt":
            e = t.children[0]
            if isinstance(e, Tree) and e.data == "method" and str(e.children[1]) == "store":
                return [self.store(e)]
            if isinstance(e, Tree) and e.data == "call":
                return [self.fence(e)]
            if isinstance(e, Tree) and e.data == "method":
                return [ExprStmt(self.expr(e), _pos(t))]
            raise self.error(
                "statement has no effect (expected an assignment or an atomic operation)", e
            )
        if kind == "if_stmt":
            cond = self.expr(t.children[0])
            then = self.body(t.children[1])
            orelse = self.body(t.children[2]) if len(t.children) > 2 else ()
            return [If(cond, then, orelse, _pos(t))]
        if kind == "while_stmt":
            cond = self.expr(t.children[0])
            return [While(cond, self.body(t.children[1]), _pos(t))]
        raise self.error(f"unsupported statement ({kind})", t)  # pragma: no cover

    def store(self, e: Tree) -> Store:
        loc = self.receiver(e.children[0])
        args = e.children[2:]
        if len(args) != 2:
            raise self.error(
                f"{loc}.store takes 2 arguments (value, ordering), found {len(args)}", e
            )
        order = self.check_order(self.order(args[1]), valid_orders(Op.STORE), "store", args[1])
        return Store(loc, self.expr(args[0]), order, _pos(e))

    def fence(self, e: Tree) -> Fence:
        path = self.path(e.children[0])
        if path not in _FENCE_PATHS:
            raise self.error(f"unknown function {path!r}; supported: fence(ordering)", e)
        args = e.children[1:]
        if len(args) != 1:
            raise self.error(f"fence takes 1 argument (ordering), found {len(args)}", e)
        order = self.check_order(self.order(args[0]), valid_orders(Op.FENCE), "fence", args[0])
        return Fence(order, _pos(e))

    def expr(self, t) -> Expr:
        kind = t.data
        if kind == "int":
            return Const(self.int_value(t.children[0]))
        if kind == "var":
            path_tree = t.children[0]
            path = self.path(path_tree)
            if "::" in path or path in {o.value for o in Order}:
                raise self.error(
                    f"{path} may only be the ordering argument of an atomic operation", t
                )
            if path in self.declared:
                return Var(path)
            if path in self.ctx.locs.infos:
                raise self.error(f"{path!r} is a shared location: read it with {path}.load(...)", t)
            raise self.error(f"unknown variable {path!r} in P{self.tid}", t)
        if kind == "bin":
            left, op, right = t.children
            return BinOp(str(op), self.expr(left), self.expr(right))
        if kind == "un":
            op, operand = t.children
            inner = self.expr(operand)
            if str(op) == "!":
                logical = isinstance(inner, BinOp) and inner.op in _BOOLEAN_OPS
                logical = logical or (isinstance(inner, UnOp) and inner.op == "!")
                return UnOp("!" if logical else "~", inner)
            return self.unop(str(op), inner)
        if kind == "method":
            return self.method(t)
        if kind == "call":
            path = self.path(t.children[0])
            if path in _FENCE_PATHS:
                raise self.error("fence has no value; use it as a statement", t)
            raise self.error(f"unknown function {path!r}", t)
        raise self.error(f"unsupported expression ({kind})", t)  # pragma: no cover

    def method(self, t: Tree) -> Expr:
        loc = self.receiver(t.children[0])
        name = str(t.children[1])
        args = t.children[2:]
        if name == "load":
            if len(args) != 1:
                raise self.error(f"{loc}.load takes 1 argument (ordering), found {len(args)}", t)
            order = self.check_order(self.order(args[0]), valid_orders(Op.LOAD), "load", args[0])
            return Load(loc, order, _pos(t))
        if name in _RUST_RMW:
            if len(args) != 2:
                raise self.error(
                    f"{loc}.{name} takes 2 arguments (value, ordering), found {len(args)}", t
                )
            return Rmw(_RUST_RMW[name], loc, self.expr(args[0]), self.order(args[1]), _pos(t))
        if name in ("compare_exchange", "compare_exchange_weak"):
            if len(args) != 4:
                raise self.error(
                    f"{loc}.{name} takes 4 arguments (current, new, success, failure), found {len(args)}",
                    t,
                )
            failure = self.check_order(
                self.order(args[3]), valid_failure_orders(), f"the failure of {name}", args[3]
            )
            return Cas(
                loc,
                self.expr(args[0]),
                self.expr(args[1]),
                self.order(args[2]),
                failure,
                name.endswith("_weak"),
                _pos(t),
            )
        if name == "store":
            raise self.error("store has no value; use it as a statement", t)
        raise self.error(f"unknown atomic method {name!r}; valid: {_RUST_METHODS}", t.children[1])

    def receiver(self, tok: Token) -> str:
        name = str(tok)
        if name in self.declared:
            raise self.error(f"{name!r} is a local variable, not a shared location", tok)
        self.ctx.locs.touch(name)
        return name

    def path(self, tree) -> str:
        return "::".join(str(c) for c in tree.children)

    def order(self, tree) -> Order:
        path = self.path(tree.children[0]) if isinstance(tree, Tree) and tree.data == "var" else ""
        last = path.split("::")[-1]
        prefix = path[: -len(last)].rstrip(":")
        valid_prefix = prefix in (
            "",
            "Ordering",
            "atomic::Ordering",
            "std::sync::atomic::Ordering",
            "core::sync::atomic::Ordering",
        )
        for o in Order:
            if o.value == last and valid_prefix:
                return o
        raise self.error(
            f"unknown ordering {path or 'this argument'!r}; valid: {_RUST_ORDERS}", tree
        )
