"""Code generation for one source thread: statements and expressions to assembly rows.

Registers: every local gets its own register for the whole thread (so the final condition can
read it, and so data dependencies stay visible); every location the thread touches gets an
address register (not on x86-64, which uses `(x)`); intermediate values get temporaries that are
freed as soon as they are consumed. Registers a lowering template insists on (x86 `cmpxchg`'s
rax) are kept out of the pool for the whole thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fencelab.atomics import Op, Order, default_failure_order
from fencelab.compiler.glue import ARITHMETIC, COMPARISONS, NEGATED, UNSIGNED, isa_for
from fencelab.errors import FencelabError, SourceError
from fencelab.isa.target import Target
from fencelab.litmus.ast import (
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
    OpOrigin,
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
from fencelab.litmus.types import INT, ValueType, location_type
from fencelab.lowering.schemes import Scheme
from fencelab.lowering.table import lookup
from fencelab.lowering.template import Entry

_LABEL_LINE = re.compile(r"^\s*([A-Za-z_.$][\w.$]*)\s*:\s*(.*)$")


@dataclass(frozen=True)
class Val:
    """A value in a register; `owned` temporaries are freed by whoever consumes them."""

    reg: int
    width: int
    owned: bool


@dataclass
class CompiledThread:
    rows: list[tuple[str, OpOrigin]]  # (herd text, origin) per row
    locals: dict[str, str]  # local -> register as the condition names it
    widths: dict[str, int]  # local -> bits
    types: dict[str, ValueType]  # local -> the type its value is read back in (`local_types`)
    address_regs: dict[str, str] = field(default_factory=dict)  # location -> register name


def thread_locals(thread: Thread) -> list[str]:
    """Locals in order of first assignment."""
    seen: list[str] = []
    for stmt in walk_statements(thread.body):
        if isinstance(stmt, Assign) and stmt.var not in seen:
            seen.append(stmt.var)
    return seen


def _stmt_exprs(stmt: Stmt) -> list[Expr]:
    if isinstance(stmt, Assign):
        return [stmt.expr]
    if isinstance(stmt, Store):
        return [stmt.value]
    if isinstance(stmt, ExprStmt):
        return [stmt.expr]
    if isinstance(stmt, (If, While)):
        return [stmt.cond]
    return []


def _sub_exprs(expr: Expr):
    yield expr
    if isinstance(expr, BinOp):
        yield from _sub_exprs(expr.left)
        yield from _sub_exprs(expr.right)
    elif isinstance(expr, (UnOp, Rmw)):
        yield from _sub_exprs(expr.operand)
    elif isinstance(expr, Cas):
        yield from _sub_exprs(expr.expected)
        yield from _sub_exprs(expr.desired)


def _const_width(value: int) -> int:
    return 32 if -(1 << 31) <= value < (1 << 32) else 64


def _emits(fence: Fence) -> bool:
    """Does a fence make an instruction? Not a compiler fence (`compiler_fence`,
    `atomic_signal_fence`), nor C's `atomic_thread_fence(memory_order_relaxed)`, which has no
    effect (C17 7.17.4.1; Rust refuses `fence(Relaxed)` when the test is read)."""
    return not fence.compiler_only and fence.order is not Order.RELAXED


class ThreadCompiler:
    def __init__(self, test: LitmusTest, target: Target, scheme: Scheme, thread: Thread,
                 initialised: frozenset[str] = frozenset()):  # fmt: skip
        self.test = test
        self.target = target
        self.isa = isa_for(target)
        self.scheme = scheme
        self.thread = thread
        self.tid = thread.tid
        self.rows: list[tuple[str, OpOrigin]] = []
        self.pending_labels: list[str] = []
        self.label_count = 0
        self.origin = OpOrigin(Pos(), f"P{self.tid}")
        self.loc_widths = {loc.name: loc.width for loc in test.locations}
        self.entries: dict[tuple, Entry] = {}
        self.initialised = initialised
        self.breaks: list[str] = []  # the end label of each enclosing loop, innermost last

    # -- errors ---------------------------------------------------------------------------------
    def error(self, message: str, pos: Pos | None = None) -> SourceError:
        pos = pos or self.origin.pos
        return SourceError(f"P{self.tid}: {message}", self.test.file, pos.line, pos.col)

    # -- setup ----------------------------------------------------------------------------------
    def compile(self) -> CompiledThread:
        exprs = [e for s in walk_statements(self.thread.body) for top in _stmt_exprs(s)
                 for e in _sub_exprs(top)]  # fmt: skip
        atomics: list[tuple[Op, Order, Order | None, str, Pos, bool]] = []
        for stmt in walk_statements(self.thread.body):
            if isinstance(stmt, Store):
                atomics.append((Op.STORE, stmt.order, None, stmt.loc, stmt.pos, False))
            elif isinstance(stmt, Fence) and _emits(stmt):
                atomics.append((Op.FENCE, stmt.order, None, "", stmt.pos, False))
        for e in exprs:
            if isinstance(e, Load):
                atomics.append((Op.LOAD, e.order, None, e.loc, e.pos, False))
            elif isinstance(e, Rmw) and e.op.is_cas_loop:  # a load, then a CAS loop
                atomics.append((Op.LOAD, Order.RELAXED, None, e.loc, e.pos, False))
                atomics.append((Op.CAS, e.order, default_failure_order(e.order), e.loc, e.pos,
                                False))  # fmt: skip
            elif isinstance(e, Rmw):
                atomics.append((e.op, e.order, None, e.loc, e.pos, False))
            elif isinstance(e, Cas):
                op = Op.CAS_WEAK if e.weak else Op.CAS
                atomics.append((op, e.success, e.failure, e.loc, e.pos, e.weak))
        reserved: set[int] = set()
        for op, order, failure, loc, pos, _ in atomics:
            entry = self.entry(op, order, failure, loc, pos)
            reserved.update(r.fixed for r in entry.roles if r.fixed is not None)
        self.free = [n for n in self.isa.allocation_order if n not in reserved]
        self.names = self.thread_local_names(exprs)
        self.widths = self.local_widths()
        self.types = self.local_types(exprs)
        self.locals: dict[str, int] = {}
        assigned = {}  # each local's first assignment: where running out of registers is said
        for stmt in walk_statements(self.thread.body):
            if isinstance(stmt, Assign):
                assigned.setdefault(stmt.var, stmt.pos)
        for name in self.names:
            self.locals[name] = self.alloc(f"local {name}", assigned.get(name))
        # each location's address in a register set in the initial state, except where the
        # ISA names a location as an operand (x86's `(x)`); an array element other than the
        # first has no such name (herd's `0:rcx=v[1]`), nor has a location herd's lexer reads
        # as another word (x86 `(lock)`), so each gets a register there too
        self.loc_regs: dict[str, int] = {}
        elements = {loc.name for loc in self.test.locations if loc.index}
        for _, _, _, loc, pos, _ in atomics:
            by_reg = (not self.isa.location_operands or loc in elements
                      or not self.isa.names_location(loc))  # fmt: skip
            if loc and by_reg and loc not in self.loc_regs:
                self.loc_regs[loc] = self.alloc(f"the address of {loc}", pos)
        for stmt in self.thread.body:
            self.stmt(stmt)
        if self.pending_labels:
            self.rows.append((self.isa.spell(" ".join(f"{lab}:" for lab in self.pending_labels)),
                              self.origin))  # fmt: skip
        return CompiledThread(
            self.rows,
            {n: self.isa.condition_name(r) for n, r in self.locals.items()},
            {n: self.widths[n] for n in self.names},
            self.types,
            {loc: self.isa.condition_name(r) for loc, r in self.loc_regs.items()},
        )

    def thread_local_names(self, exprs: list[Expr]) -> list[str]:
        names = [*self.initialised]
        for name in thread_locals(self.thread):
            if name not in names:
                names.append(name)
        for e in exprs:
            if isinstance(e, Var) and e.name not in names:
                raise self.error(f"{e.name} is read but never assigned")
        return names

    def local_widths(self) -> dict[str, int]:
        widths = {n: 32 for n in self.names}
        for _ in range(3):  # a fixpoint over assignments of locals to locals
            for stmt in walk_statements(self.thread.body):
                if isinstance(stmt, Assign):
                    widths[stmt.var] = max(widths[stmt.var], self.expr_width(stmt.expr, widths))
        return widths

    def local_types(self, exprs: list[Expr]) -> dict[str, ValueType]:
        """The type each local's value is read back in. A local every assignment of which is
        a load, RMW or CAS of locations of one type holds that type's values, as the source
        model reads them (an `AtomicU8`'s 200, an `AtomicI32`'s -3, a `u32`'s 3000000000): the
        compiled test declares its register so (`uint8_t 1:X0=0;`), and herd reads the register
        as that type. Any other local is a signed integer of its register's width. A narrow
        signed value is sign-extended in its register after the narrow access (`atomic`), as
        compilers load an i8 (`LDRSB`, `movsbl`): computing with it, comparing it and storing
        it wider see its value."""
        loaded: dict[str, set[ValueType]] = {}
        for stmt in walk_statements(self.thread.body):
            if isinstance(stmt, Assign):
                e = stmt.expr
                kind = (self.loc_type(e.loc) if isinstance(e, (Load, Rmw, Cas))
                        and e.loc in self.loc_widths else None)  # fmt: skip
                loaded.setdefault(stmt.var, set()).add(kind)
        types = {}
        for name in self.names:
            kinds = loaded.get(name, {None})
            kind = next(iter(kinds)) if len(kinds) == 1 and name not in self.initialised else None
            types[name] = kind or ValueType(self.widths[name], True)
        return types

    def loc_type(self, loc: str) -> ValueType:
        """The type of the location `loc` (a name no location has: `int`)."""
        return location_type(self.test.location(loc)) if loc in self.loc_widths else INT

    def expr_width(self, expr: Expr, widths: dict[str, int] | None = None) -> int:
        widths = widths if widths is not None else self.widths
        if isinstance(expr, Const):
            return _const_width(expr.value)
        if isinstance(expr, Var):
            return widths.get(expr.name, 32)
        if isinstance(expr, (Load, Rmw, Cas)):
            return max(32, self.loc_widths.get(expr.loc, 32))
        if isinstance(expr, BinOp):
            if expr.op in ARITHMETIC:
                return max(self.expr_width(expr.left, widths), self.expr_width(expr.right, widths))
            return 32
        if isinstance(expr, UnOp):
            return self.expr_width(expr.operand, widths) if expr.op != "!" else 32
        raise TypeError(expr)

    def entry(self, op: Op, order: Order, failure: Order | None, loc: str, pos: Pos) -> Entry:
        if loc and loc not in self.loc_widths:
            raise self.error(f"unknown location {loc!r}", pos)
        width = self.loc_widths[loc] if loc else None
        key = (op, order, failure, width)
        if key not in self.entries:
            try:
                self.entries[key] = lookup(self.target, self.scheme, op, order, width,
                                           failure)  # fmt: skip
            except SourceError:
                raise
            except FencelabError as e:
                raise self.error(str(e), pos) from None
        return self.entries[key]

    # -- registers ------------------------------------------------------------------------------
    def alloc(self, what: str = "a temporary", pos: Pos | None = None) -> int:
        if not self.free:
            raise self.error(
                f"out of registers for {what} on {self.target.name} (too many locals, locations "
                "and intermediate values in one thread)", pos
            )
        return self.free.pop(0)

    def release(self, *vals: Val | int | None) -> None:
        for v in vals:
            if isinstance(v, Val):
                if not v.owned:
                    continue
                v = v.reg
            if v is None:
                continue
            self.free.append(v)
            self.free.sort(key=self.isa.allocation_order.index)

    def temp(self, width: int) -> Val:
        return Val(self.alloc(), width, True)

    # -- emitting -------------------------------------------------------------------------------
    def new_label(self) -> str:
        """A label no other thread of the test has: herd refuses a label defined twice in a
        test ("Label %s occurs more that once", herd/loader.ml), whichever threads."""
        self.label_count += 1
        return f"LC{self.tid}_{self.label_count:02d}"

    def emit(self, lines: list[str] | str, origin: OpOrigin | None = None) -> None:
        if isinstance(lines, str):
            lines = [lines]
        for line in lines:
            text = line.strip()
            m = _LABEL_LINE.match(text)
            while m:
                self.pending_labels.append(m.group(1))
                text = m.group(2).strip()
                m = _LABEL_LINE.match(text)
            if not text:
                continue
            labels = "".join(f"{lab}: " for lab in self.pending_labels)
            self.pending_labels = []
            self.rows.append((self.isa.spell(labels + text), origin or self.origin))

    def label(self, name: str) -> None:
        self.pending_labels.append(name)

    def glue(self, what: str, pos: Pos, why: str = "") -> OpOrigin:
        return OpOrigin(pos, what, rationale=why)

    # -- statements -----------------------------------------------------------------------------
    def stmt(self, stmt: Stmt) -> None:
        if isinstance(stmt, Assign):
            self.origin = self.glue(f"{stmt.var} = ...", stmt.pos, f"the value of {stmt.var}")
            dest = self.locals[stmt.var]
            width = self.widths[stmt.var]
            v = self.eval(stmt.expr, dest, width)
            self.emit(self.isa.mov(dest, v.reg, width))
            if v.reg != dest:
                self.release(v)
        elif isinstance(stmt, Store):
            self.origin = self.glue(f"store {stmt.loc}", stmt.pos, "the value stored")
            width = self.loc_widths.get(stmt.loc, 32)
            v = self.eval(stmt.value, None, max(32, width))
            self.atomic(Op.STORE, stmt.order, None, stmt.loc, stmt.pos, {"val": v}, None,
                        plain=stmt.plain)  # fmt: skip
            self.release(v)
        elif isinstance(stmt, ExprStmt):
            self.origin = self.glue("expression", stmt.pos)
            self.release(self.eval(stmt.expr, None, None, result_used=False))
        elif isinstance(stmt, Fence):
            if _emits(stmt):
                self.atomic(Op.FENCE, stmt.order, None, "", stmt.pos, {}, None)
        elif isinstance(stmt, If):
            self.origin = self.glue("if", stmt.pos, "compare and branch: a control dependency")
            orelse = self.new_label()
            self.cond_jump(stmt.cond, orelse, when=False)
            for s in stmt.then:
                self.stmt(s)
            if stmt.orelse:
                end = self.new_label()
                self.origin = self.glue("if", stmt.pos, "skip the else branch")
                self.emit(self.isa.jump(end))
                self.label(orelse)
                for s in stmt.orelse:
                    self.stmt(s)
                self.label(end)
            else:
                self.label(orelse)
        elif isinstance(stmt, (While, Loop)):
            top, end = self.new_label(), self.new_label()
            self.label(top)
            word = "while" if isinstance(stmt, While) else "loop"
            if isinstance(stmt, While):
                self.origin = self.glue("while", stmt.pos, "loop test: a control dependency")
                self.cond_jump(stmt.cond, end, when=False)
            self.breaks.append(end)
            for s in stmt.body:
                self.stmt(s)
            self.breaks.pop()
            self.origin = self.glue(word, stmt.pos, "back to the top of the loop (the machine "
                                    "bounds the loop with its step budget)")  # fmt: skip
            self.emit(self.isa.jump(top))
            self.label(end)
        elif isinstance(stmt, Break):
            if not self.breaks:
                raise self.error("`break` outside of a loop", stmt.pos)
            self.origin = self.glue("break", stmt.pos, "leave the loop")
            self.emit(self.isa.jump(self.breaks[-1]))
        else:
            raise self.error(f"cannot compile statement {type(stmt).__name__}")

    # -- conditions -----------------------------------------------------------------------------
    def cond_jump(self, expr: Expr, label: str, when: bool) -> None:
        """Jump to `label` when `expr` is `when` (true/false); fall through otherwise."""
        if isinstance(expr, Const):
            if bool(expr.value) == when:
                self.emit(self.isa.jump(label))
            return
        if isinstance(expr, UnOp) and expr.op == "!":
            self.cond_jump(expr.operand, label, not when)
            return
        if isinstance(expr, BinOp) and expr.op in ("&&", "||"):
            short = (expr.op == "&&") != when  # the left operand alone decides: jump to label
            if short:
                self.cond_jump(expr.left, label, when)
                self.cond_jump(expr.right, label, when)
            else:
                skip = self.new_label()
                self.cond_jump(expr.left, skip, not when)
                self.cond_jump(expr.right, label, when)
                self.label(skip)
            return
        if isinstance(expr, BinOp) and expr.op in COMPARISONS:
            self.compare(expr.left, expr.right)
            self.branch(expr.op if when else NEGATED[expr.op], label)
            return
        self.compare(expr, Const(0))
        self.branch("!=" if when else "==", label)

    def branch(self, cmp_op: str, label: str) -> None:
        """Jump to `label` when signed `cmp_op` held at the last compare: in one instruction
        where the ISA has it, else over a jump, on the negated compare (x86 `jge` for `<`)."""
        if cmp_op in self.isa.direct_branches:
            self.emit(self.isa.branch(cmp_op, label))
            return
        skip = self.new_label()
        self.emit(self.isa.branch(NEGATED[cmp_op], skip))
        self.emit(self.isa.jump(label))
        self.label(skip)

    def setcc(self, cmp_op: str, dst: int) -> None:
        """After a compare: dst = 1 if signed `cmp_op` held, else 0. x86 branches around a
        move (herd reads no `sete`), jumping in one instruction on `cmp_op` or its negation."""
        if not self.isa.setcc_by_branch:
            self.emit(self.isa.setcc(cmp_op, dst, 32))
            return
        skip = self.new_label()
        held = cmp_op in self.isa.direct_branches
        self.emit(self.isa.mov_imm(dst, int(held), 32))  # a move leaves the flags alone
        self.emit(self.isa.branch(cmp_op if held else NEGATED[cmp_op], skip))
        self.emit(self.isa.mov_imm(dst, int(not held), 32))
        self.label(skip)

    def compare(self, left: Expr, right: Expr) -> None:
        width = max(self.expr_width(left), self.expr_width(right))
        a = self.eval(left, None, width)
        if isinstance(right, Const) and self.isa.cmp_imm_ok(right.value, width):
            self.emit(self.isa.cmp(a.reg, None, width, imm=right.value))
            self.release(a)
            return
        b = self.eval(right, None, width)
        self.emit(self.isa.cmp(a.reg, b.reg, width))
        self.release(a, b)

    # -- expressions ----------------------------------------------------------------------------
    def eval(self, expr: Expr, dest: int | None, width: int | None,
             result_used: bool = True) -> Val:  # fmt: skip
        """Compute `expr`; the result is in `dest` when given and possible (check `.reg`).

        `dest` is written only after every input has been read, so `r0 = r0 + 1` is safe."""
        w = max(self.expr_width(expr), width or 32)
        if isinstance(expr, Const):
            reg = dest if dest is not None else self.alloc()
            self.emit(self.isa.mov_imm(reg, expr.value, w))
            return Val(reg, w, dest is None)
        if isinstance(expr, Var):
            return Val(self.locals[expr.name], self.widths[expr.name], False)
        if isinstance(expr, Load):
            return self.atomic(Op.LOAD, expr.order, None, expr.loc, expr.pos, {}, dest,
                               plain=expr.plain)  # fmt: skip
        if isinstance(expr, Rmw) and expr.op.is_cas_loop:
            return self.cas_loop(expr)
        if isinstance(expr, Rmw):
            lw = max(32, self.loc_widths.get(expr.loc, 32))
            v = self.eval(expr.operand, None, lw)
            out = self.atomic(expr.op, expr.order, None, expr.loc, expr.pos, {"val": v}, dest)
            self.release(v)
            return out
        if isinstance(expr, Cas):
            lw = max(32, self.loc_widths.get(expr.loc, 32))
            exp = self.eval(expr.expected, None, lw)
            new = self.eval(expr.desired, None, lw)
            op = Op.CAS_WEAK if expr.weak else Op.CAS
            out = self.atomic(op, expr.success, expr.failure, expr.loc, expr.pos,
                              {"exp": exp, "new": new}, dest)  # fmt: skip
            self.release(exp, new)
            return out
        if isinstance(expr, BinOp):
            return self.binop(expr, dest, w)
        if isinstance(expr, UnOp):
            return self.unop(expr, dest, w)
        raise self.error(f"cannot compile expression {type(expr).__name__}")

    def _dest(self, dest: int | None) -> tuple[int, bool]:
        if dest is not None:
            return dest, False
        return self.alloc(), True

    def binop(self, expr: BinOp, dest: int | None, w: int) -> Val:
        if expr.op in ("&&", "||"):
            # branches write the result before the operands are read: compute in a temporary
            t = self.alloc()
            end, false = self.new_label(), self.new_label()
            self.cond_jump(expr, false, when=False)
            self.emit(self.isa.mov_imm(t, 1, 32))
            self.emit(self.isa.jump(end))
            self.label(false)
            self.emit(self.isa.mov_imm(t, 0, 32))
            self.label(end)
            return Val(t, 32, True)
        if expr.op in COMPARISONS:
            self.compare(expr.left, expr.right)
            reg, owned = self._dest(dest)
            self.setcc(expr.op, reg)
            return Val(reg, 32, owned)
        if expr.op not in ARITHMETIC:
            raise self.error(f"cannot compile operator {expr.op!r}")
        a = self.eval(expr.left, None, w)
        if expr.op in ("<<", ">>") and isinstance(expr.right, Const):
            if not 0 <= expr.right.value < w:
                raise self.error(f"shift by {expr.right.value} is out of range for {w} bits")
            reg, owned = self._dest(dest)
            self.emit(self.isa.alu(expr.op, reg, a.reg, None, w, imm=expr.right.value))
            self.release(a)
            return Val(reg, w, owned)
        b = self.eval(expr.right, None, w)
        reg, owned = self._dest(dest)
        if self.isa.two_address and reg == b.reg and reg != a.reg:
            if owned:
                raise AssertionError("a fresh temporary cannot alias an operand")
            t = self.alloc()
            self.emit(self.isa.alu(expr.op, t, a.reg, b.reg, w))
            self.emit(self.isa.mov(reg, t, w))
            self.release(t)
        else:
            self.emit(self.isa.alu(expr.op, reg, a.reg, b.reg, w))
        self.release(a, b)
        return Val(reg, w, owned)

    def unop(self, expr: UnOp, dest: int | None, w: int) -> Val:
        if expr.op == "!":
            self.compare(expr.operand, Const(0))
            reg, owned = self._dest(dest)
            self.setcc("==", reg)
            return Val(reg, 32, owned)
        if expr.op not in ("-", "~"):
            raise self.error(f"cannot compile unary operator {expr.op!r}")
        a = self.eval(expr.operand, None, w)
        reg, owned = self._dest(dest)
        self.emit(self.isa.unary(expr.op, reg, a.reg, w))
        self.release(a)
        return Val(reg, w, owned)

    def cas_loop(self, expr: Rmw) -> Val:
        """fetch_nand / fetch_max / fetch_min: load the location, compute the new value, and
        compare_exchange it in, retrying from the value the CAS saw. x86 compilers and LL/SC
        code emit such loops (clang uses LDSMAX/LDSMIN on LSE targets, which fencelab does
        not); max and min compare as the source model does, the old value in the location's
        type against the operand: signed 32-bit for a narrow location (the access leaves an
        i8 sign-extended, a u8 zero-extended) and a signed one, unsigned for a u32 or u64."""
        lw = max(32, self.loc_widths.get(expr.loc, 32))
        vtype = self.loc_type(expr.loc)
        start = len(self.rows)
        v = self.eval(expr.operand, None, lw)
        if not v.owned:  # keep the operand in a register of our own across the loop
            t = self.alloc()
            self.emit(self.isa.mov(t, v.reg, lw))
            v = Val(t, lw, True)
        old = self.atomic(Op.LOAD, Order.RELAXED, None, expr.loc, expr.pos, {}, None)
        top, done = self.new_label(), self.new_label()
        self.label(top)
        new = self.alloc()
        if expr.op is Op.FETCH_NAND:
            self.emit(self.isa.alu("&", new, old.reg, v.reg, lw))
            self.emit(self.isa.unary("~", new, new, lw))
        else:
            keep = self.new_label()  # new = old when old already wins, else the operand
            self.emit(self.isa.mov(new, old.reg, lw))
            keeps = ">=" if expr.op is Op.FETCH_MAX else "<="
            if vtype.signed or vtype.width < 32:
                self.emit(self.isa.cmp(old.reg, v.reg, lw))
                self.branch(keeps, keep)
            elif UNSIGNED[keeps] in self.isa.direct_branches:
                self.emit(self.isa.cmp(old.reg, v.reg, lw))
                self.emit(self.isa.branch(UNSIGNED[keeps], keep))
            else:  # x86: old >= v unsigned is no carry from old - v (min: none from v - old)
                flag = self.alloc()
                a, b = (old.reg, v.reg) if keeps == ">=" else (v.reg, old.reg)
                self.emit(self.isa.carry_test(flag, a, b, lw))
                self.release(flag)
                self.emit(self.isa.branch("!=", keep))
            self.emit(self.isa.mov(new, v.reg, lw))
            self.label(keep)
        failure = default_failure_order(expr.order)
        seen = self.atomic(Op.CAS, expr.order, failure, expr.loc, expr.pos,
                           {"exp": old, "new": Val(new, lw, True)}, None)  # fmt: skip
        self.emit(self.isa.cmp(seen.reg, old.reg, lw))
        self.branch("==", done)
        self.emit(self.isa.mov(old.reg, seen.reg, lw))
        self.emit(self.isa.jump(top))
        self.label(done)
        self.release(v, new, seen)
        origin = OpOrigin(expr.pos, f"{expr.op} {expr.loc} {expr.order}", expr.op, expr.order,
                          None, f"{expr.op} is a compare_exchange loop here: load {expr.loc}, "
                          "compute the new value, CAS it in, retry from the value the CAS saw"
                          " (as x86 and LL/SC compilers emit it)", self.scheme.name)  # fmt: skip
        self.rows[start:] = [(text, origin) for text, _ in self.rows[start:]]
        return old

    # -- atomic operations ----------------------------------------------------------------------
    def atomic(self, op: Op, order: Order, failure: Order | None, loc: str, pos: Pos,
               inputs: dict[str, Val], dest: int | None, plain: bool = False) -> Val:  # fmt: skip
        """Instantiate the lowering entry with `inputs` in registers; the result (`res`) is
        in `dest` when possible."""
        entry = self.entry(op, order, failure, loc, pos)
        note = ""
        if entry.ok_role is not None:
            # The source form (Cas) says success == (observed == expected), which a spurious
            # LL/SC failure breaks: use the strong sequence, a valid implementation of weak.
            entry = self.entry(Op.CAS, order, failure, loc, pos)
            note = ("compare_exchange_weak compiled as the strong sequence (the source form "
                    "cannot express a spurious failure); ")  # fmt: skip
        if plain:
            note = "a plain (non-atomic) C access, compiled as Relaxed; " + note
        what = f"{op} {loc} {order}".replace("  ", " ") if loc else f"fence {order}"
        if failure is not None:
            what += f"/{failure}"
        origin = OpOrigin(pos, what.strip(), op, order, failure, note + entry.rationale,
                          entry.scheme)  # fmt: skip
        width = entry.width or 32
        regs: dict[str, int] = {}
        temps: list[int] = []
        input_regs = {v.reg for v in inputs.values()}
        pre: list[str] = []
        for role in entry.roles:
            if role.pair:
                raise self.error(f"{entry.describe()} needs a register pair (not supported)", pos)
            if role.name == "addr":
                if loc in self.loc_regs:
                    regs["addr"] = self.loc_regs[loc]
                else:
                    regs["addr"] = self.alloc()
                    temps.append(regs["addr"])
            elif role.name in inputs:
                v = inputs[role.name]
                reg = v.reg
                must_copy = (role.clobbered and not v.owned) or reg in regs.values()
                if role.fixed is not None and reg != role.fixed:
                    pre += self.isa.mov(role.fixed, reg, max(32, role.width))
                    reg = role.fixed
                elif role.name == "exp" and role.width < 32 and self.isa.extend_narrow_expected:
                    t = self.alloc()
                    temps.append(t)
                    pre += self.isa.zero_extend(t, reg, role.width)
                    reg = t
                elif must_copy:
                    t = self.alloc()
                    temps.append(t)
                    pre += self.isa.mov(t, reg, max(32, role.width))
                    reg = t
                regs[role.name] = reg
            elif role.fixed is not None:
                regs[role.name] = role.fixed
            elif role.name == "res" and dest is not None and dest not in input_regs:
                regs["res"] = dest
            else:
                regs[role.name] = self.alloc()
                temps.append(regs[role.name])
        label_prefix = f"{self.new_label()}_"
        lines = entry.instantiate(regs, label_prefix)
        if "addr" in regs and loc not in self.loc_regs:
            name = self.target.reg(regs["addr"], 64)
            lines = [ln.replace(f"({name})", f"({loc})") for ln in lines]
            if any(name in ln for ln in lines):
                raise FencelabError(f"{entry.describe()}: the address register is used other "
                                    "than as a memory operand")  # fmt: skip
        self.emit(pre)
        self.emit(lines, origin)
        if "res" not in regs:
            for t in temps:
                self.release(t)
            return Val(-1, 0, False)
        res = regs["res"]
        rw = max(32, width)
        if width < 32 and self.loc_type(loc).signed:  # an i8's -1 is -1 in 32 bits too
            self.emit(self.isa.sign_extend(res, res, width), origin)
        elif self.isa.extend_narrow_result and width < 32:
            self.emit(self.isa.zero_extend(res, res, width), origin)
        out_reg = res
        if res not in temps and res != dest:  # a fixed register: move it out at once
            out_reg = dest if dest is not None and dest not in input_regs else self.alloc()
            self.emit(self.isa.mov(out_reg, res, rw), origin)
            if out_reg != dest:
                temps.append(out_reg)
        for t in temps:
            if t != out_reg:
                self.release(t)
        return Val(out_reg, rw, out_reg != dest)
