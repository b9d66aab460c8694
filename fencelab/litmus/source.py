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

An array parameter's elements (`v[1]`, `&v[1]`, `v+1`, `*(v+1)`, with a constant index inside
the array the initial state declares) are the locations `v[1]`, ... (element 0 is `v`), so every
later stage sees one location per element.

Pointers, as herd reads them: a parameter used as a value is the location's address (`AddrOf`:
`atomic_store_explicit(p, y, ...)` stores y's address in p, a parameter `atomic_int** p`); a
local declared with `*` holds one (`int *r0 = atomic_load_explicit(p, ...)`); an access through
anything but a parameter or a constant element (`*r0`, `atomic_load_explicit(r0, ...)`, `v[r0]`,
`*(r0+1)`, `**p`, `(int*)e`) keeps the address expression in its `via`, and the location is
whatever address it yields when the thread runs (`models/source/paths.py`). Types are not
checked beyond that: an address assigned to a local not declared a pointer is refused.
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
    AddrOf,
    Assign,
    BinOp,
    Break,
    Cas,
    Const,
    Expr,
    ExprStmt,
    Fence,
    If,
    LitmusTest,
    Load,
    Loop,
    Pos,
    Rmw,
    Stmt,
    Store,
    Thread,
    UnOp,
    Var,
    While,
    walk_expressions,
    walk_statements,
)
from fencelab.litmus.lexing import (
    COMMENT_OR_BRACE,
    TRAILER_START,
    BodyContext,
    array_element,
    skip_c_comment,
)
from fencelab.litmus.types import (
    ctype_width,
    known_types,
    location_type,
    normalise_ctype,
)
from fencelab.values import NumberTooLong, fits, read_int

_THREAD_HEAD = re.compile(r"P(\d+)(?![A-Za-z0-9_])\s*")
_C_PARAM = re.compile(r"\s*(.*?)\s*(\*+)\s*([A-Za-z_][A-Za-z0-9_]*)\s*")
_INT_SUFFIX = re.compile(r"([uUlL]+|[ui](8|16|32|64|size))$")

# rustc names the one token it expected where one of these would have fitted
RUST_EXPECTED = ("';'", "')'", "'}'", "'{'", "'=>'", "'='", "','")
CAS_PREFIX = "$cas"
OK_PREFIX = "$ok"
EXPECTED_PREFIX = "$exp"


def declared_variables(thread: Thread) -> set[str]:
    """The local variables a source thread declares (fresh `$` names excluded)."""
    return {s.var for s in walk_statements(thread.body)
            if isinstance(s, Assign) and s.declared and not s.var.startswith("$")}  # fmt: skip


def check_constants(test: LitmusTest) -> None:
    """In a Rust test, every constant a thread stores, adds, swaps or compares into a location
    lies in the location's type's range, as rustc requires (`overflowing_literals`: an
    `AtomicU8` takes 0..255, an `AtomicI8` -128..127); the source model would wrap it and the
    compiled code keep its low bits, and rustc would have refused the program. C converts such
    a constant to the type (300 stored to a `char` is 44), as herd does: not checked here. One
    `file:line:col` error at the access."""
    if test.arch != "RUST":
        return
    types = {loc.name: location_type(loc) for loc in test.locations}
    for thread in test.threads:
        accesses = [s for s in walk_statements(thread.body) if isinstance(s, Store)]
        accesses += [e for e in walk_expressions(thread.body) if isinstance(e, (Rmw, Cas))]
        for access in accesses:
            vtype = types.get(access.loc)
            if vtype is None:
                continue
            values = ([access.value] if isinstance(access, Store) else [access.operand]
                      if isinstance(access, Rmw) else [access.expected, access.desired])  # fmt: skip
            low = -(1 << (vtype.width - 1)) if vtype.signed else 0
            high = (1 << (vtype.width - 1)) if vtype.signed else (1 << vtype.width)
            for value in values:
                if isinstance(value, Const) and not low <= value.value < high:
                    declared = next(loc.ctype for loc in test.locations if loc.name == access.loc)
                    raise SourceError(
                        f"P{thread.tid}: {value.value} does not fit {access.loc}, "
                        f"{declared or 'i32'} ({low}..{high - 1})", test.file, access.pos.line,
                        access.pos.col)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Splitting the threads out of the file


def parse_threads(ctx: BodyContext, pos: int) -> tuple[list[Thread], int]:
    """Read `P0 (...) { ... }` (C) or `P0 { ... }` (Rust) functions up to the trailer."""
    text = ctx.src.text
    threads: list[Thread] = []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text) or TRAILER_START.match(text, pos):
            break
        m = _THREAD_HEAD.match(text, pos)
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
        end = ctx.bodies.get(at)
        if end is None:
            end = _matching_brace(ctx, text, at, tid)
        line, col = ctx.src.where(at + 1)
        kind = "c" if ctx.arch == "C" else "rust"
        try:
            if kind == "c":
                runs = grammars.statements(text[at + 1 : end], line, col)
            else:
                tree, place = grammars.parse(kind, text[at + 1 : end], line, col)
                runs = [(tree.children, place)]
        except UnexpectedInput as e:
            closing = (*ctx.src.where(end), "'}'")
            prefer = RUST_EXPECTED if kind == "rust" else ()
            body_text = grammars.padded(text[at + 1 : end], line, col)
            raise grammars.lark_error(e, grammars.parser(kind), body_text, ctx.file,
                                      f"the body of P{tid}", end=closing, prefer=prefer) from None  # fmt: skip
        builder = (
            _CBuilder(ctx, tid, dict((n, t) for t, n in params))
            if kind == "c"
            else _RustBuilder(ctx, tid)
        )
        body = []
        for trees, place in runs:
            builder.place = place
            body += builder.stmts(trees)
        span = (ctx.src.where(m.start())[0], ctx.src.where(end)[0])
        threads.append(Thread(tid, f"P{tid}", body=tuple(body), params=params, span=span))
        pos = end + 1
    if not threads:
        raise ctx.src.error(f"expected at least one thread 'P0 ...', found {ctx.src.found(pos)}", pos)
    return threads, pos


# parameter lists read (a catalogue's threads repeat a few): text -> (name, the type the
# location takes if the test declares none, the parameter's type) of each parameter
_PARAMS: dict[str, tuple[tuple[str, str, str], ...]] = {}


def _c_params(ctx: BodyContext, tid: int, text: str, offset: int) -> tuple[tuple[str, str], ...]:
    """`P0 (atomic_int* x, ...)`'s (type, name) pairs, each name a location of the test (its
    type adopted where the test declares none)."""
    known = _PARAMS.get(text)
    if known is None:
        known = _read_c_params(ctx, tid, text, offset)
        if len(_PARAMS) >= 256:
            del _PARAMS[next(iter(_PARAMS))]  # the oldest
        _PARAMS[text] = known
    for name, adopted, _ in known:
        ctx.locs.touch(name)
        ctx.locs.adopt_type(name, adopted, offset)
    return tuple((ctype, name) for name, _, ctype in known)


def _read_c_params(ctx: BodyContext, tid: int, text: str,
                   offset: int) -> tuple[tuple[str, str, str], ...]:  # fmt: skip
    if text.strip() in ("", "void"):
        return ()
    params = []
    at = offset
    for piece in text.split(","):
        m = _C_PARAM.fullmatch(piece)
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
        # `int **p`: p holds an `int*`
        params.append((name, base + stars[1:], normalise_ctype(base + stars)))
        at += len(piece) + 1
    return tuple(params)


def _matching_brace(ctx: BodyContext, text: str, start: int, tid: int) -> int:
    depth, i = 0, start
    while i < len(text):
        stop = COMMENT_OR_BRACE.search(text, i)  # the next comment or brace
        if stop is None:
            break
        i = stop.start()
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


def _pos(node, place: grammars.Place = grammars.HERE) -> Pos:
    """Where `node` starts in the file (`place`: where its tree's positions are, the tree
    being shared, `grammars.parse`): a token's own place; a tree's as lark's
    `propagate_positions` puts it (Rust bodies), or else (C bodies, `grammars.CTrees`) where
    its first child starts, the `(` around that child included."""
    while isinstance(node, Tree):
        meta = node._meta  # (lark's `.meta` would make an empty one: none is empty too)
        if meta is not None and not meta.empty:
            return Pos(*place.of(meta.line, meta.column))
        if not node.children:
            return Pos()
        node = node.children[0]
        if isinstance(node, Tree):
            meta = node._meta
            if meta is not None and hasattr(meta, "container_line"):
                return Pos(*place.of(meta.container_line, meta.container_column))
    if hasattr(node, "type"):
        line, column = place.of(node.line, node.column)
        return Pos(line or 0, column or 0)
    return Pos()


_BOOLEAN_OPS = {"==", "!=", "<", "<=", ">", ">=", "&&", "||"}

_LINUX_PREFIXES = ("smp_", "rcu_", "srcu_", "spin_", "xchg", "cmpxchg")
_LINUX_NAMES = frozenset({"READ_ONCE", "WRITE_ONCE", "synchronize_rcu", "synchronize_srcu",
                          "atomic_read", "atomic_set", "atomic_inc", "atomic_dec", "atomic_add",
                          "atomic_sub", "atomic_xchg", "atomic_cmpxchg",
                          "ATOMIC_INIT"})  # fmt: skip


def linux_refusal(name: str) -> str:
    """The one line refusing a Linux-kernel primitive, named as the test wrote it."""
    return (f"{name!r} is a Linux-kernel primitive (herd's linux-kernel.cat, its catalogue/linux "
            "tests): the Linux-kernel memory model is not supported; write the test with C11 "
            "atomics")


def linux_primitive(name: str) -> bool:
    """Is `name` one of the Linux kernel's primitives herd reads in its LKMM C tests
    (`WRITE_ONCE`, `smp_mb`, `rcu_read_lock`, `atomic_inc_return_relaxed`, ...)?"""
    if name in _LINUX_NAMES or name.startswith(_LINUX_PREFIXES):
        return True
    return name.startswith("atomic_") and name.endswith(("_return", "_relaxed", "_acquire",
                                                         "_release"))  # fmt: skip


class _Builder:
    """What the C and Rust readers share: locals, fresh names, errors, orderings."""

    order_names: str = ""

    def __init__(self, ctx: BodyContext, tid: int):
        self.ctx = ctx
        self.tid = tid
        self.declared: dict[str, bool] = {}  # local -> mutable
        self.fresh_count = 0
        self.place = grammars.HERE  # where the (shared) tree's positions are in the file

    def pos(self, node) -> Pos:
        """Where `node` starts in the file (`_pos`)."""
        return _pos(node, self.place)

    def error(self, message: str, node) -> SourceError:
        pos = self.pos(node)
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
        text = _INT_SUFFIX.sub("", text)
        try:
            if text[:2].lower() == "0x":
                value = read_int(text, 16)
            elif len(text) > 1 and text.startswith("0") and self.ctx.arch == "C":
                value = read_int(text, 8)
                if value != read_int(text, 10):  # herd's C lexer reads `010` as 10 (OCaml)
                    raise self.error(f"number {text} is octal {value} in C but decimal "
                                     f"{read_int(text, 10)} in herd; write it without leading "
                                     "zeros", token)  # fmt: skip
            else:
                value = read_int(text, 10)
        except NumberTooLong as e:
            raise self.error(str(e), token) from None
        except ValueError:
            raise self.error(f"cannot read number {str(token)!r}", token) from None
        if not fits(value, 64):
            raise self.error(f"{str(token)} does not fit in 64 bits", token)
        return value

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


def _is_var_named(tree, names) -> bool:
    return isinstance(tree, Tree) and tree.data == "var" and str(tree.children[0]) in names


def _is_call(tree, kinds: tuple[str, ...]) -> bool:
    if not isinstance(tree, Tree) or tree.data != "call":
        return False
    spec = _C_CALLS.get(str(tree.children[0]))
    return spec is not None and spec.kind in kinds


class _CBuilder(_Builder):
    def __init__(self, ctx: BodyContext, tid: int, params: dict[str, str]):
        super().__init__(ctx, tid)
        self.params = params
        self.pointers: set[str] = set()  # locals declared as pointers (`int *r0`)

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
            return [self.assign(name, name_tok, value, False, self.pos(t))]
        if kind in ("store", "index_store"):
            value = t.children[-1]
            loc, via = self.lvalue(t)
            return [Store(loc, self.expr(value), Order.RELAXED, self.pos(t), plain=True, via=via)]
        if kind == "expr_stmt":
            return self.expr_stmt(t.children[0], self.pos(t))
        if kind == "if_stmt":
            pre, cond = self.condition(t.children[0])
            then = self.body(t.children[1])
            orelse = self.body(t.children[2]) if len(t.children) > 2 else ()
            return [*pre, If(cond, then, orelse, self.pos(t))]
        if kind == "while_stmt":
            pre, cond = self.condition(t.children[0])
            body = self.body(t.children[1])
            return [*pre, While(cond, body + tuple(pre), self.pos(t))]
        raise self.error(f"unsupported statement ({kind})", t)  # pragma: no cover

    def decl(self, t: Tree) -> list[Stmt]:
        types = [str(c) for c in t.children if not isinstance(c, Tree) and c.type == "CTYPE"]
        ctype = " ".join(types)
        if ctype_width(ctype) is None:
            raise self.error(f"unknown type {ctype!r}; known: {known_types()}", t)
        out: list[Stmt] = []
        for d in t.children:
            if not isinstance(d, Tree):
                continue
            stars = [c for c in d.children if not isinstance(c, Tree) and c.type == "STAR"]
            name_tok = d.children[len(stars)]
            name = str(name_tok)
            if stars:
                self.pointers.add(name)
            else:
                self.pointers.discard(name)
            if name in self.params:
                raise self.error(
                    f"local variable {name!r} hides the shared location parameter {name!r} of P{self.tid}",
                    name_tok,
                )
            rest = d.children[len(stars) + 1 :]
            if rest and _is_call(rest[0], ("cas",)):
                out.extend(self.cas_triple(rest[0], ok=name, declared=True))
            else:
                out.append(self.assign(name, name_tok, rest[0] if rest else None, True, self.pos(t)))
            self.declared[name] = True
        return out

    def assign(self, name: str, name_tok: Token, value, declared: bool, pos: Pos) -> Assign:
        """`[int [*]]name = value;`: an address (`x`, a parameter) goes only to a pointer."""
        expr = self.expr(value) if value is not None else Const(0)
        pointer = name in self.pointers
        if isinstance(expr, AddrOf) and not pointer and _is_var_named(value, self.params):
            raise self.error(
                f"{expr.loc!r} is a pointer to a shared location: read it with *{expr.loc} or "
                f"atomic_load_explicit({expr.loc}, ...) (or declare a pointer: int *{name} = ...)",
                value,
            )
        if isinstance(expr, AddrOf) and not pointer:
            raise self.error(f"{name!r} is not a pointer: declare it `int *{name}` to hold the "
                             f"address of {expr.loc}", value)  # fmt: skip
        return Assign(name, expr, declared, pos, pointer=pointer)

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
                (loc, via), args, orders = self.call_args(e, spec)
                order = self.check_order(orders[0], valid_orders(Op.STORE), str(e.children[0]), e)
                return [Store(loc, self.expr(args[0]), order, pos, via=via)]
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
        (loc, via), args, orders = self.call_args(call, spec)
        expected_tree, desired_tree = args
        shared = self.names_location(expected_tree)
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
        tmp, pos = f"{CAS_PREFIX}{n}", self.pos(call)
        out: list[Stmt] = []
        if shared:  # herd's `(x, e, ...)`: read e first, write it back on failure only
            where, e_via = self.target(expected_tree, str(call.children[0]))
            if e_via is not None and not _pure(e_via):
                raise self.error(f"the expected value of {call.children[0]}: a pointer read "
                                 "from memory here is not supported (load it into a local "
                                 "pointer first)", expected_tree)  # fmt: skip
            expected = f"{EXPECTED_PREFIX}{n}"
            read = Load(where, Order.RELAXED, pos, plain=True, via=e_via)
            out.append(Assign(expected, read, True, pos))
            store = Store(where, Var(tmp), Order.RELAXED, pos, plain=True, via=e_via)
            write_back: Stmt = If(BinOp("!=", Var(tmp), Var(expected)), (store,), (), pos)
        else:
            write_back = Assign(expected, Var(tmp), False, pos)
        cas = Cas(loc, Var(expected), desired, success, failure, spec.weak, pos, via=via)
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
            if str(t.children[0]) in self.params:  # herd: a parameter is the location's address
                return AddrOf(str(t.children[0]))
            return Var(self.readable(t.children[0]))
        if kind == "bin":
            left, op, right = t.children
            return BinOp(str(op), self.expr(left), self.expr(right))
        if kind == "un":
            op, operand = t.children
            return self.unop(str(op), self.expr(operand))
        if kind == "cast":
            return self.expr(self.cast_operand(t))
        if kind in ("deref", "index"):
            loc, via = self.lvalue(t)
            return Load(loc, Order.RELAXED, self.pos(t), plain=True, via=via)
        if kind == "addr" and len(t.children) == 3:
            loc, via = self.element(t.children[1], t.children[2])
            return AddrOf(loc) if via is None else via
        if kind == "addr" and str(t.children[1]) in self.params:
            raise self.error(
                f"'&{t.children[1]}': the address of a parameter (a location holding a pointer "
                f"to the pointer {t.children[1]!r}) is not supported; {t.children[1]} is "
                f"already the address of location {t.children[1]!r}",
                t,
            )
        if kind == "addr":
            raise self.error(
                f"'&{t.children[1]}' may only be the expected-value argument of atomic_compare_exchange",
                t,
            )
        if kind == "call":
            return self.call_expr(t)
        raise self.error(f"unsupported expression ({kind})", t)  # pragma: no cover

    def readable(self, tok: Token) -> str:
        name = str(tok)  # a parameter is read as its address (`expr`), never here
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
        if spec is None and linux_primitive(name):
            raise self.error(linux_refusal(name), t)
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
        (loc, via), args, orders = self.call_args(t, spec)
        if spec.kind == "load":
            order = self.check_order(orders[0], valid_orders(Op.LOAD), name, t)
            return Load(loc, order, self.pos(t), via=via)
        assert spec.op is not None
        return Rmw(spec.op, loc, self.expr(args[0]), orders[0], self.pos(t), via=via)

    def call_args(self, t: Tree, spec: _CCall) -> tuple[tuple[str, Expr | None], list, list[Order]]:
        """(location, value arguments, orderings) of a C atomic call, checked."""
        name = str(t.children[0])
        args = list(t.children[1:])
        if len(args) != spec.arity:
            raise self.error(f"{name} takes {spec.arity} argument(s), found {len(args)}", t)
        n_orders = 0 if not spec.explicit else (2 if spec.kind == "cas" else 1)
        if spec.kind == "fence":
            return ("", None), [], [self.order(args[0])]
        loc = self.target(args[0], name)
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

    def lvalue(self, t: Tree) -> tuple[str, Expr | None]:
        """The place a plain access names: `*x`, `*(v+1)`, `v[1]`, `*r0` (a store or a read)."""
        if t.data in ("index", "index_store"):
            return self.element(t.children[0], t.children[1])
        inner = t.children[1]
        if not isinstance(inner, Tree):
            if str(inner) in self.pointers:
                return "", Var(str(inner))
            return self.location(inner, "*"), None
        return self.target(inner, "*")

    def names_location(self, tree) -> bool:
        """Whether `tree` is a pointer to a shared location (`x`, `&v[1]`, `v+1`, a pointer
        local), not `&r0`."""
        if not isinstance(tree, Tree):
            return False
        if tree.data == "addr":
            return len(tree.children) == 3
        if tree.data == "bin" and str(tree.children[1]) == "+":
            tree = tree.children[0]
        return tree.data == "var" and (str(tree.children[0]) in self.params
                                       or str(tree.children[0]) in self.pointers)  # fmt: skip

    def cast_operand(self, t: Tree):
        """The operand of a cast to a pointer type (`(int**)e`, herd's tests cast pointers
        read from memory): values are untyped here, so the cast changes nothing."""
        if not any(not isinstance(c, Tree) and c.type == "STAR" for c in t.children):
            raise self.error("a cast to a non-pointer type is not supported (only casts "
                             "between pointer types, `(int*)e`)", t)  # fmt: skip
        return t.children[-1]

    def target(self, tree, what: str) -> tuple[str, Expr | None]:
        """The place a pointer expression names: `(location, None)` when it is known here (a
        parameter `x`, `&v[1]`, `v+1`), else `("", pointer)` with the expression whose value,
        an address, says it at run time (a pointer local `r0`, `*p`, `v[r0]`)."""
        if isinstance(tree, Tree) and tree.data == "cast":
            return self.target(self.cast_operand(tree), what)
        if isinstance(tree, Tree) and tree.data == "var":
            name = str(tree.children[0])
            if name in self.params:
                return name, None
            if name in self.pointers:
                return "", Var(name)
        if isinstance(tree, Tree) and tree.data == "addr" and len(tree.children) == 3:
            return self.element(tree.children[1], tree.children[2])
        if (isinstance(tree, Tree) and tree.data == "bin" and str(tree.children[1]) == "+"
                and isinstance(tree.children[0], Tree) and tree.children[0].data == "var"):  # fmt: skip
            return self.element(tree.children[0].children[0], tree.children[2])
        if isinstance(tree, Tree) and tree.data in ("deref", "index", "call"):
            return "", self.expr(tree)  # a pointer read from memory
        if (isinstance(tree, Tree) and tree.data == "bin" and str(tree.children[1]) in ("+", "-")
                and _is_var_named(tree.children[0], self.pointers)):  # fmt: skip
            return "", self.expr(tree)  # `r0 + 1`, `r0 - 1`: pointer arithmetic
        names = ", ".join([*self.params, *sorted(self.pointers)]) or "none"
        where = "the location of *(...)" if what == "*" else f"the first argument of {what}"
        raise self.error(
            f"{where} must be a location parameter of P{self.tid} or a pointer local ({names}), "
            "an array element &v[i] or v+i",
            tree,
        )

    def element(self, base: Token, index_tree) -> tuple[str, Expr | None]:
        """Element `index` of the array parameter `base` (`v` for element 0, as `v[0]` is
        `*v`); an index computed at run time (or a pointer local as the base) leaves the
        element to the run: `("", address expression)`."""
        if str(base) in self.pointers:
            return "", BinOp("+", Var(str(base)), self.expr(index_tree))
        name = self.location(base, "")
        index = self.expr(index_tree)
        if not isinstance(index, Const):
            if name not in self.ctx.locs.arrays:
                raise self.error(f"{name}[...]: {name!r} is not an array of the initial state "
                                 f"(declare it there: int {name}[N];)", index_tree)  # fmt: skip
            return "", BinOp("+", AddrOf(name), index)
        size = self.ctx.locs.arrays.get(name)
        if index.value == 0:
            return name, None
        if size is None:
            raise self.error(
                f"{name}[{index.value}]: {name!r} is not an array of the initial state "
                f"(declare it there: int {name}[{index.value + 1}];)",
                index_tree,
            )
        if not 0 <= index.value < size:
            raise self.error(f"{name}[{index.value}] is outside array {name!r} of {size}",
                             index_tree)  # fmt: skip
        return array_element(name, index.value), None

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
    "fetch_nand": Op.FETCH_NAND,
    "fetch_max": Op.FETCH_MAX,
    "fetch_min": Op.FETCH_MIN,
}
_RUST_METHODS = ("load, store, swap, fetch_add, fetch_sub, fetch_and, fetch_or, fetch_xor, "
                 "fetch_nand, fetch_max, fetch_min, fetch_update, compare_exchange, "
                 "compare_exchange_weak")  # fmt: skip
_RUST_ORDERS = "Relaxed, Release, Acquire, AcqRel, SeqCst (or Ordering::...)"
_ATOMIC = ("", "atomic::", "sync::atomic::", "std::sync::atomic::", "core::sync::atomic::")
_FENCE_PATHS = {p + "fence" for p in _ATOMIC}
_COMPILER_FENCE_PATHS = {p + "compiler_fence" for p in _ATOMIC}
_SPIN_PATHS = {"spin_loop", "hint::spin_loop", "std::hint::spin_loop", "core::hint::spin_loop"}
_RESULT_USES = ("use .is_ok(), .is_err(), .unwrap_or(v), .unwrap_or_else(|v| v), match, or "
                "if let Ok(v) / Err(v)")  # fmt: skip
UPDATE_PREFIX = "$prev"


@dataclass(frozen=True)
class _Update:
    """`loc.fetch_update(set, fetch, |p| Some(f))`: what its CAS loop is built from."""

    loc: str
    set_order: Order
    fetch_order: Order
    param: str
    body: Tree
    pos: Pos


class _RustBuilder(_Builder):
    """Rust as the course writes it. What Rust spells with `Result`s and closures is read into
    the AST's plain statements over fresh `$` variables (the printer recognises each shape):

        a.compare_exchange(e, d, s, f).is_ok()      Cas(a, e, d, s, f) == e   (is_err: !=)
        ....unwrap_or_else(|v| v)                  Cas(...)            (the value seen)
        let r = ....unwrap_or(v);                  $casN = Cas(...); let r = v;
                                                   if $casN == e { r = $casN; }
        match ... { Ok(a) => A, Err(b) => B }      $casN = Cas(...);
        if let Ok(a) = ... { A } else { B }        if $casN == e { let a = $casN; A }
                                                   else { let b = $casN; B }
                                                   (if let Err(b): `!=`, B first)
        a.fetch_update(s, f, |p| Some(g(p)))       $prevN = a.load(f);
          (.unwrap() for its value)                loop { $casN = Cas(a, $prevN, g($prevN), s, f);
                                                          if $casN == $prevN { break; }
                                                          $prevN = $casN; }

    The expected value `e` must be a constant or locals where it is compared again (it is
    evaluated twice). fetch_update loops on compare_exchange as std does (std's `_weak` only
    adds spurious failures, which retry: the same outcomes). `compiler_fence` is a Fence with
    `compiler_only`; `std::hint::spin_loop()` has no effect and is not kept."""

    def __init__(self, ctx: BodyContext, tid: int):
        super().__init__(ctx, tid)
        self.loops = 0  # enclosing loops (a `break` needs one)
        self.renames: dict[str, str] = {}  # closure parameters -> their `$` variable

    def spell(self, order: Order) -> str:
        return order.rust

    # -- statements ---------------------------------------------------------------------------
    def stmt(self, t: Tree) -> list[Stmt]:
        kind = t.data
        if kind == "empty":
            return []
        if kind == "block":
            return self.stmts(t.children)
        if kind == "let_stmt":
            children = list(t.children)
            mutable = not isinstance(children[0], Tree) and children[0].type == "MUT"
            if mutable:
                children = children[1:]
            name_tok, value = children[0], children[-1]
            name = str(name_tok)
            if name == "_":
                return self.expr_stmt(value, self.pos(t))
            if name in self.ctx.locs.infos:
                raise self.error(
                    f"local variable {name!r} has the name of a shared location", name_tok
                )
            out = self.value_stmts(name, value, True, self.pos(t))
            self.declared[name] = mutable
            return out
        if kind == "assign":
            name_tok, value = t.children
            name = self.assignable(name_tok)
            return self.value_stmts(name, value, False, self.pos(t))
        if kind == "expr_stmt":
            return self.expr_stmt(t.children[0], self.pos(t))
        if kind == "if_stmt":
            cond = self.expr(t.children[0])
            then = self.body(t.children[1])
            orelse = self.body(t.children[2]) if len(t.children) > 2 else ()
            return [If(cond, then, orelse, self.pos(t))]
        if kind == "if_let_stmt":
            pattern, scrutinee = t.children[0], t.children[1]
            variant, binding = self.pattern(pattern)
            if variant == "_":
                raise self.error("`if let _ = ...` always matches: write the statements "
                                 "without it", pattern)  # fmt: skip
            orelse_tree = t.children[3] if len(t.children) > 3 else None
            return self.on_result(scrutinee, {variant: (binding, t.children[2])},
                                  orelse_tree, self.pos(t))  # fmt: skip
        if kind == "while_stmt":
            cond = self.expr(t.children[0])
            return [While(cond, self.loop_body(t.children[1]), self.pos(t))]
        if kind == "loop_stmt":
            return [Loop(self.loop_body(t.children[0]), self.pos(t))]
        if kind == "break_stmt":
            return [self.break_(t)]
        if kind == "match_stmt":
            return self.match(t)
        raise self.error(f"unsupported statement ({kind})", t)  # pragma: no cover

    def loop_body(self, tree) -> tuple[Stmt, ...]:
        self.loops += 1
        try:
            return self.body(tree)
        finally:
            self.loops -= 1

    def break_(self, node) -> Break:
        if not self.loops:
            raise self.error("`break` outside of a loop", node)
        return Break(self.pos(node))

    def assignable(self, name_tok: Token) -> str:
        name = str(name_tok)
        if name not in self.declared:
            if name in self.ctx.locs.infos:
                raise self.error(
                    f"{name!r} is a shared location: write it with {name}.store(v, ...)", name_tok
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
        return name

    def expr_stmt(self, e, pos: Pos) -> list[Stmt]:
        if isinstance(e, Tree) and e.data == "method" and str(e.children[1]) == "store":
            return [self.store(e)]
        if isinstance(e, Tree) and e.data == "call":
            fence = self.fence(e)
            return [fence] if fence is not None else []
        update = self.update_of(e)
        if update is not None:
            return self.update_stmts(update, None, False)
        cas = self.cas_call(e)
        if cas is not None:  # the Result is dropped (rustc warns; the exchange still happens)
            return [ExprStmt(cas, pos)]
        if isinstance(e, Tree) and e.data == "method":
            return [ExprStmt(self.expr(e), pos)]
        raise self.error("statement has no effect (expected an assignment or an atomic operation)", e)

    def value_stmts(self, name: str, value, declared: bool, pos: Pos) -> list[Stmt]:
        """`let name = value;` / `name = value;`, where value may be a Result's `unwrap_or`
        or a fetch_update, which need statements of their own."""
        update = self.update_of(value)
        if update is not None:
            return self.update_stmts(update, name, declared)
        if _is_method(value, "unwrap_or"):
            cas = self.cas_call(value.children[0])
            if cas is not None:
                self.method_args(value, 1)
                self.check_pure(cas.expected, value, "unwrap_or")
                tmp = f"{CAS_PREFIX}{self.fresh()}"
                default = self.expr(value.children[2])
                return [
                    Assign(tmp, cas, True, pos),
                    Assign(name, default, declared, pos),
                    If(BinOp("==", Var(tmp), cas.expected), (Assign(name, Var(tmp), False, pos),),
                       (), pos),
                ]  # fmt: skip
        return [Assign(name, self.expr(value), declared, pos)]

    def store(self, e: Tree) -> Store:
        loc = self.receiver(e.children[0])
        args = e.children[2:]
        if len(args) != 2:
            raise self.error(
                f"{loc}.store takes 2 arguments (value, ordering), found {len(args)}", e
            )
        order = self.check_order(self.order(args[1]), valid_orders(Op.STORE), "store", args[1])
        return Store(loc, self.expr(args[0]), order, self.pos(e))

    def fence(self, e: Tree) -> Fence | None:
        """`fence(o)`, `compiler_fence(o)`, or None for `std::hint::spin_loop()`."""
        path = self.path(e.children[0])
        args = e.children[1:]
        if path in _SPIN_PATHS:
            if args:
                raise self.error(f"spin_loop takes no arguments, found {len(args)}", e)
            return None
        compiler = path in _COMPILER_FENCE_PATHS
        if path not in _FENCE_PATHS and not compiler:
            raise self.error(f"unknown function {path!r}; supported: fence(ordering), "
                             "compiler_fence(ordering), std::hint::spin_loop()", e)  # fmt: skip
        name = "compiler_fence" if compiler else "fence"
        if len(args) != 1:
            raise self.error(f"{name} takes 1 argument (ordering), found {len(args)}", e)
        order = self.check_order(self.order(args[0]), valid_orders(Op.FENCE), name, args[0])
        return Fence(order, self.pos(e), compiler_only=compiler)

    # -- Results: match, if let, unwrap_or ------------------------------------------------------
    def pattern(self, tree: Tree) -> tuple[str, str]:
        """(`Ok` | `Err` | `_`, the bound name or `_`)."""
        names = [str(c) for c in tree.children]
        if names == ["_"]:
            return "_", "_"
        if len(names) == 2 and names[0] in ("Ok", "Err"):
            if names[1] != "_" and names[1] in self.ctx.locs.infos:
                raise self.error(f"{names[1]!r} is a shared location, not a name to bind", tree)
            return names[0], names[1]
        raise self.error(f"expected a pattern Ok(v), Err(v) or _, found {' '.join(names)!r}",
                         tree)  # fmt: skip

    def match(self, t: Tree) -> list[Stmt]:
        scrutinee, arms = t.children[0], t.children[1:]
        cases: dict[str, tuple[str, object]] = {}
        for arm in arms:
            variant, binding = self.pattern(arm.children[0])
            for v in ("Ok", "Err") if variant == "_" else (variant,):
                if v not in cases:
                    cases[v] = (binding, arm.children[1])
        missing = [v for v in ("Ok", "Err") if v not in cases]
        if missing:
            raise self.error(f"non-exhaustive patterns: {missing[0]}(_) not covered", t)
        return self.on_result(scrutinee, cases, None, self.pos(t))

    def on_result(self, scrutinee, cases: dict[str, tuple[str, object]], orelse,
                  pos: Pos) -> list[Stmt]:  # fmt: skip
        """A compare_exchange's Result taken apart: `cases` maps Ok / Err to (binding, body);
        `orelse` is the `else` of an `if let` (for the variant it does not name)."""
        cas = self.cas_call(scrutinee)
        if cas is None:
            raise self.error("match and if let take apart the Result of compare_exchange or "
                             "compare_exchange_weak here", scrutinee)  # fmt: skip
        self.check_pure(cas.expected, scrutinee, "match / if let")
        tmp = f"{CAS_PREFIX}{self.fresh()}"
        first = "Ok" if "Ok" in cases else "Err"
        then = self.arm(cases[first], tmp)
        if first in cases and len(cases) == 2:
            other = self.arm(cases["Err"], tmp)
        else:
            other = self.body(orelse) if orelse is not None else ()
        op = "==" if first == "Ok" else "!="
        return [Assign(tmp, cas, True, pos), If(BinOp(op, Var(tmp), cas.expected), then, other, pos)]

    def arm(self, case: tuple[str, object], tmp: str) -> tuple[Stmt, ...]:
        binding, body = case
        bind: tuple[Stmt, ...] = ()
        if binding != "_":
            bind = (Assign(binding, Var(tmp), True, self.pos(body)),)
            self.declared[binding] = False
        if isinstance(body, Tree) and body.data == "assign_arm":
            name = self.assignable(body.children[0])
            return (*bind, Assign(name, self.expr(body.children[1]), False, self.pos(body)))
        if isinstance(body, Tree) and body.data == "break_arm":
            return (*bind, self.break_(body))
        if isinstance(body, Tree) and body.data == "block":
            return (*bind, *self.body(body))
        return (*bind, *self.expr_stmt(body, self.pos(body)))

    def check_pure(self, expected: Expr, node, what: str) -> None:
        if not _pure(expected):
            raise self.error(f"{what}: the expected value of compare_exchange must be a "
                             "constant or locals (it is compared again with the value seen); "
                             "load it into a local first", node)  # fmt: skip

    def cas_call(self, tree) -> Cas | None:
        """`loc.compare_exchange[_weak](current, new, success, failure)` as a Cas, else None."""
        if not _is_method(tree, "compare_exchange", "compare_exchange_weak"):
            return None
        loc = self.receiver(tree.children[0])
        name = str(tree.children[1])
        args = tree.children[2:]
        if len(args) != 4:
            raise self.error(
                f"{loc}.{name} takes 4 arguments (current, new, success, failure), found {len(args)}",
                tree,
            )
        failure = self.check_order(self.order(args[3]), valid_failure_orders(),
                                   f"the failure of {name}", args[3])  # fmt: skip
        return Cas(loc, self.expr(args[0]), self.expr(args[1]), self.order(args[2]), failure,
                   name.endswith("_weak"), self.pos(tree))  # fmt: skip

    # -- fetch_update -------------------------------------------------------------------------
    def update_of(self, tree) -> _Update | None:
        """`loc.fetch_update(set, fetch, |p| Some(f))`, possibly under `.unwrap()` (or
        `.unwrap_or(_)` / `.unwrap_or_else(_)`: it always returns Ok here), else None."""
        if _is_method(tree, "unwrap", "unwrap_or", "unwrap_or_else") and _is_method(
                tree.children[0], "fetch_update"):  # fmt: skip
            tree = tree.children[0]
        if not _is_method(tree, "fetch_update"):
            return None
        loc = self.receiver(tree.children[0])
        args = tree.children[2:]
        if len(args) != 3:
            raise self.error(f"{loc}.fetch_update takes 3 arguments (set_order, fetch_order, "
                             f"a closure |v| Some(...)), found {len(args)}", tree)  # fmt: skip
        closure = args[2]
        body = closure.children[-1] if isinstance(closure, Tree) and closure.data == "closure" else None
        if body is None or not (isinstance(body, Tree) and body.data == "call"
                                and self.path(body.children[0]) == "Some"
                                and len(body.children) == 2):  # fmt: skip
            raise self.error("the closure of fetch_update must be |v| Some(expression of v) "
                             "(a closure returning None is not supported)", closure)  # fmt: skip
        fetch = self.check_order(self.order(args[1]), valid_failure_orders(),
                                 "the fetch ordering of fetch_update", args[1])  # fmt: skip
        return _Update(loc, self.order(args[0]), fetch, str(closure.children[1]),
                       body.children[1], self.pos(tree))  # fmt: skip

    def update_stmts(self, u: _Update, name: str | None, declared: bool) -> list[Stmt]:
        n = self.fresh()
        prev, tmp = f"{UPDATE_PREFIX}{n}", f"{CAS_PREFIX}{n}"
        self.renames[u.param] = prev
        try:
            new = self.expr(u.body)
        finally:
            del self.renames[u.param]
        pos = u.pos
        cas = Cas(u.loc, Var(prev), new, u.set_order, u.fetch_order, False, pos)
        out: list[Stmt] = [
            Assign(prev, Load(u.loc, u.fetch_order, pos), True, pos),
            Loop((Assign(tmp, cas, True, pos),
                  If(BinOp("==", Var(tmp), Var(prev)), (Break(pos),), (), pos),
                  Assign(prev, Var(tmp), False, pos)), pos),
        ]  # fmt: skip
        if name is not None:
            out.append(Assign(name, Var(prev), declared, pos))
        return out

    # -- expressions --------------------------------------------------------------------------
    def expr(self, t) -> Expr:
        kind = t.data
        if kind == "int":
            return Const(self.int_value(t.children[0]))
        if kind == "var":
            path_tree = t.children[0]
            path = self.path(path_tree)
            if path in ("true", "false"):
                return Const(int(path == "true"))
            if path in self.renames:
                return Var(self.renames[path])
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
            if path in _FENCE_PATHS | _COMPILER_FENCE_PATHS | _SPIN_PATHS:
                raise self.error(f"{path} has no value; use it as a statement", t)
            raise self.error(f"unknown function {path!r}", t)
        if kind == "closure":
            raise self.error("a closure may only be the argument of fetch_update or "
                             "unwrap_or_else", t)  # fmt: skip
        raise self.error(f"unsupported expression ({kind})", t)  # pragma: no cover

    def method(self, t: Tree) -> Expr:
        name = str(t.children[1])
        args = t.children[2:]
        inner = t.children[0]
        if name in ("is_ok", "is_err", "unwrap_or_else", "unwrap_or", "unwrap"):
            return self.result_method(t, name)
        if name in ("compare_exchange", "compare_exchange_weak"):
            raise self.error(f"mismatched types: {name} returns Result<_, _>, not a value: "
                             f"{_RESULT_USES}", t)  # fmt: skip
        if name == "fetch_update":
            raise self.error("fetch_update needs statements of its own: use it as a statement "
                             "or as `let v = x.fetch_update(...).unwrap();`", t)  # fmt: skip
        loc = self.receiver(inner)
        if name == "load":
            if len(args) != 1:
                raise self.error(f"{loc}.load takes 1 argument (ordering), found {len(args)}", t)
            order = self.check_order(self.order(args[0]), valid_orders(Op.LOAD), "load", args[0])
            return Load(loc, order, self.pos(t))
        if name in _RUST_RMW:
            if len(args) != 2:
                raise self.error(
                    f"{loc}.{name} takes 2 arguments (value, ordering), found {len(args)}", t
                )
            return Rmw(_RUST_RMW[name], loc, self.expr(args[0]), self.order(args[1]), self.pos(t))
        if name == "store":
            raise self.error("store has no value; use it as a statement", t)
        raise self.error(f"unknown atomic method {name!r}; valid: {_RUST_METHODS}", t.children[1])

    def result_method(self, t: Tree, name: str) -> Expr:
        """is_ok / is_err / unwrap_or_else(|v| v) on a compare_exchange, as an expression."""
        cas = self.cas_call(t.children[0])
        if cas is None:
            raise self.error(f".{name}() applies to the Result of compare_exchange here "
                             "(or fetch_update as a statement)", t)  # fmt: skip
        if name in ("is_ok", "is_err"):
            self.method_args(t, 0)
            self.check_pure(cas.expected, t, name)
            return BinOp("==" if name == "is_ok" else "!=", cas, cas.expected)
        if name == "unwrap_or_else":
            self.method_args(t, 1)
            closure = t.children[2]
            if (isinstance(closure, Tree) and closure.data == "closure"
                    and _is_var(closure.children[-1], str(closure.children[1]))):  # fmt: skip
                return cas
            raise self.error("unwrap_or_else takes |v| v here (the value seen either way)",
                             closure)  # fmt: skip
        if name == "unwrap_or":
            raise self.error("unwrap_or(v) may only be the value of a `let` or an assignment "
                             "here", t)  # fmt: skip
        raise self.error("unwrap() panics when the exchange fails: use .unwrap_or_else(|v| v) "
                         "for the value seen, or " + _RESULT_USES, t)  # fmt: skip

    def method_args(self, t: Tree, n: int) -> None:
        args = t.children[2:]
        if len(args) != n:
            raise self.error(f".{t.children[1]}() takes {n} argument(s), found {len(args)}", t)

    def receiver(self, tree) -> str:
        if not (isinstance(tree, Tree) and tree.data == "var" and len(tree.children[0].children) == 1):
            raise self.error("an atomic method is called on a shared location (x.load(...))",
                             tree)  # fmt: skip
        tok = tree.children[0].children[0]
        name = str(tok)
        if name in self.declared or name in self.renames:
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


def _is_method(tree, *names: str) -> bool:
    return isinstance(tree, Tree) and tree.data == "method" and str(tree.children[1]) in names


def _is_var(tree, name: str) -> bool:
    return (isinstance(tree, Tree) and tree.data == "var"
            and [str(c) for c in tree.children[0].children] == [name])  # fmt: skip


def _pure(e: Expr) -> bool:
    """No memory access: evaluating it twice gives the same value."""
    if isinstance(e, (Const, Var)):
        return True
    if isinstance(e, BinOp):
        return _pure(e.left) and _pure(e.right)
    if isinstance(e, UnOp):
        return _pure(e.operand)
    return False
