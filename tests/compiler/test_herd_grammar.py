"""The tests `fencelab compile` writes are tests herd7 reads. herd7 is not installed here, so its
grammar is kept below as data, each list citing the herdtools7 file it comes from, and every
test compiled from the examples and from sources that reach each form of the compiler's glue
(narrow signed and unsigned atomics, unsigned fetch_max / fetch_min, compares made values and
branches, arithmetic, 64-bit constants, locations named like x86 instructions) is checked
against it, on every target and scheme:

- each instruction's mnemonic is one herd's lexer knows, or one of the forms README.md lists
  as not read by herd7 ("Compiled tests and herd7", `NOT_READ` here, which the README is
  checked to name);
- no label is defined twice in a test (herd/loader.ml: "Label %s occurs more that once", the
  labels of every thread in one map);
- x86 `cmpxchg` names its memory operand first (X86_64Parser.mly `I_CMPXCHG effaddr COMMA
  reg`), and no x86 memory operand names a location herd's lexer reads as another word
  (`(lock)` is LPAR I_LOCK RPAR).

The compiled tests' verdicts: the last tests run the glue's new forms against c11; the typed
fetch_max / fetch_min and CAS tests (test_typed_compares.py) and every example on every target
(tests/tui/test_replay_examples.py, tests/cli) run the rest."""

from __future__ import annotations

import json
import re

import pytest

from fencelab.litmus.parser import parse_text
from fencelab.lowering.schemes import SCHEMES
from tests.helpers import EXAMPLES, REPO

# herdtools7 lib/X86_64Lexer.mll (the version at commit 0ba05b6d): its instruction keywords,
# each in lower case or capitals, with lib/X86_64Parser.mly's rules for them. `and` and `shl`:
# master's lib/X86_64Base.ml has I_AND and I_SHL, spelled unsuffixed by herd's own tests
# herd/tests/instructions/X86_64/A008 (`and %eax,%eax`) and A007 (`shl 2,%eax`).
_SIZED = ("add", "xor", "or", "mov", "dec", "inc", "cmp", "cmovc", "xchg", "uxch", "cmpxchg")
HERD_X86_64 = frozenset(m + s for m in _SIZED for s in ("", "b", "w", "l", "q")) | {
    "movnti", "movntil", "movntiq", "jmp", "je", "jne", "jle", "jlt", "jgt", "jge", "js", "jns",
    "lock", "mfence", "setnb", "and", "shl"}  # fmt: skip
# what the lexer reads as a register (X86_64Base.ml `gen_regs`): not a location's name
X86_64_REGISTERS = frozenset(
    [f"r{x}" for x in ("ax", "bx", "cx", "dx", "si", "di", "bp", "sp")]
    + [f"e{x}" for x in ("ax", "bx", "cx", "dx", "si", "di", "bp", "sp")]
    + ["ax", "bx", "cx", "dx", "si", "di", "bp", "sp", "al", "bl", "cl", "dl", "sil", "dil",
       "bpl", "spl", "ah", "bh", "ch", "dh"]
    + [f"r{n}{v}" for n in range(8, 16) for v in ("", "d", "w", "b")])  # fmt: skip

# herdtools7 lib/AArch64Lexer.mll `check_name` (master: with LDIAPP, ABS, SME), the keywords of
# general-purpose integer code, memory and barriers (not SIMD, SVE, SME, Morello, PAC, caches);
# UXTB, UXTH, SXTB, SXTH, UXTW are only an operand's extension in AArch64Parser.mly, SXTW also
# an instruction (`TOK_SXTW xreg COMMA wreg`). No CLREX.
_LSE = [f"{op}{o}{s}" for op in ("ldadd", "ldeor", "ldset", "ldclr", "ldsmax", "ldsmin",
                                  "ldumax", "ldumin")
        for o in ("", "a", "l", "al") for s in ("", "h", "b")]  # fmt: skip
_LSE += [f"{op}{o}{s}" for op in ("stadd", "steor", "stset", "stclr", "stsmax", "stsmin",
                                   "stumax", "stumin")
         for o in ("", "l") for s in ("", "h", "b")]  # fmt: skip
_LSE += [f"{op}{o}{s}" for op in ("cas", "swp") for o in ("", "a", "l", "al")
         for s in ("", "h", "b")]  # fmt: skip
HERD_AARCH64 = frozenset(_LSE) | {
    "nop", "hint", "hlt", "b", "br", "bl", "blr", "ret", "eret", "cbz", "cbnz", "tbnz", "tbz",
    *(f"b.{c}" for c in ("eq", "ne", "ge", "gt", "le", "lt", "cs", "cc", "mi", "pl", "vs",
                         "vc", "hi", "ls", "al")),
    "ldr", "ldrsw", "ldur", "ldapur", "ldp", "ldpsw", "ldnp", "ldiapp", "stp", "stnp", "stilp",
    "ldrb", "ldrh", "ldrsb", "ldrsh", "ldar", "ldarb", "ldarh", "ldapr", "ldaprb", "ldaprh",
    "ldxr", "ldxrb", "ldxrh", "ldaxr", "ldaxrb", "ldaxrh", "ldxp", "ldaxp", "str", "stlr",
    "stxr", "stlxr", "strb", "strh", "stlrb", "stlrh", "stxrb", "stlxrb", "stxrh", "stlxrh",
    "stxp", "stlxp", "stur", "stlur", "casp", "caspa", "caspl", "caspal", "svc", "udf",
    "ubfm", "sbfm", "mov", "movz", "movn", "movk", "mvn", "adr", "rev16", "rev32", "rev64",
    "rev", "extr", "rbit", "abs", "cmp", "tst", "eor", "eon", "orr", "orn", "and", "ands",
    "bic", "bics", "asr", "lsl", "lsr", "ror", "asrv", "lslv", "lsrv", "rorv", "sxtw", "sub",
    "subs", "add", "adds", "neg", "negs", "smaddl", "smsubl", "umaddl", "umsubl", "smull",
    "smnegl", "umull", "umnegl", "madd", "msub", "mneg", "mul", "csel", "csinc", "csinv",
    "csneg", "cset", "csetm", "cinc", "dmb", "dsb", "isb", "mrs", "msr"}  # fmt: skip

# herdtools7 lib/ARMLexer.mll `check_name`: the whole of herd's A32 instructions
HERD_ARM = frozenset({
    "add", "adds", "bx", "sub", "subs", "and", "orr", "ands", "bne", "beq", "cbz", "cbnz",
    "cmp", "ldr", "ldm", "ldrd", "ldmib", "ldrex", "ldaex", "ldrne", "ldreq", "lda", "str",
    "strne", "streq", "strex", "stlex", "stl", "mov", "movw", "movt", "movne", "moveq", "xor",
    "eor", "eors", "dmb", "dsb", "isb", "b"})  # fmt: skip

HERD = {"X86_64": HERD_X86_64, "AArch64": HERD_AARCH64, "ARM": HERD_ARM}

# What a compiled test may hold that herd7 does not read: README.md, "Compiled tests and herd7"
# (each is named there). `and-reg`, `orr-reg`: ARMParser.mly reads AND and ORR with an
# immediate only.
NOT_READ = {
    "X86_64": {"lock xaddb", "lock xaddw", "lock xaddl", "lock xaddq", "negb", "negl", "negq",
               "imull", "imulq", "sarl", "sarq"},
    "AArch64": {"clrex"},
    "ARM": {"clrex", "ldrb", "ldrh", "strb", "strh", "ldrexb", "ldrexh", "strexb", "strexh",
            "sxtb", "sxth", "uxtb", "uxth", "mvn", "mul", "lsl", "asr", "rsb", "and-reg",
            "orr-reg",
            *(f"{i}{c}" for i in ("b", "mov")
              for c in ("lt", "le", "gt", "ge", "hi", "ls", "cs", "cc"))},
}  # fmt: skip

# Sources that reach the glue's forms the examples do not. Each thread stays small: armv7 has
# 13 registers for locals, addresses and temporaries.
SOURCES = {
    "narrow": """RUST narrow
{ AtomicI8 a = -1; AtomicU8 b = 200; AtomicI16 c = -2; AtomicU16 d = 60000; }
P0 {
  let r0 = a.compare_exchange(-1, 5, SeqCst, Relaxed).is_ok();
  let r1 = b.swap(7, AcqRel);
}
P1 {
  let r0 = c.load(Acquire);
  let r1 = d.fetch_add(1, Relaxed);
}
P2 {
  let r0 = a.fetch_max(3, Relaxed);
  let r1 = c.fetch_and(6, Release);
}
P3 {
  a.store(-3, Release);
  let r0 = b.compare_exchange_weak(200, 1, Acquire, Relaxed).is_ok();
}
P4 {
  let r0 = d.fetch_sub(3, SeqCst);
  let r1 = b.fetch_xor(3, Relaxed);
}
exists (0:r0=1)
""",
    "unsigned": """RUST unsigned
{ AtomicU32 x = 3000000000; }
P0 {
  let r0 = x.fetch_max(1, SeqCst);
  let r1 = x.fetch_min(7, Relaxed);
}
P1 {
  let r0 = x.fetch_nand(5, Relaxed);
  let r1 = x.fetch_or(2, Acquire);
}
exists (0:r0=3000000000)
""",
    "wide": """RUST wide
{ AtomicU64 y = 1; AtomicI64 z = -5; }
P0 {
  let r0 = y.fetch_min(18446744073709551615, Relaxed);
  let r1 = y.fetch_max(9223372036854775808, AcqRel);
}
P1 {
  let r0 = z.fetch_min(-7, Relaxed);
  let r1 = z.fetch_sub(2, Relaxed);
  z.store(81985529216486895, Relaxed);
}
exists (0:r0=1)
""",
    "arith": """C arith
{ int x = 5; int y = 0; }
P0 (atomic_int* x, atomic_int* y) {
  int r0 = atomic_load_explicit(x, memory_order_relaxed);
  int r1 = (r0 < 7) + (r0 > 7) + !r0 + (r0 != 1) + (r0 <= 1) + (r0 >= 3);
  int r2 = (r0 - 9) + -r0 + ~r0 + (r0 - r0);
  int r3 = ((r0 & 12) * r0) + ((r0 << 3) >> 1) - 100000;
  if (r0 < 6 && r0 > 2) { atomic_store_explicit(y, r1 + r2 + r3, memory_order_relaxed); }
}
exists (y=1)
""",
    "names": """C names
{ int lock = 0; int add = 0; int mov = 0; }
P0 (atomic_int* lock, atomic_int* add, atomic_int* mov) {
  int e = 0;
  int r0 = atomic_compare_exchange_strong_explicit(lock, &e, 1, memory_order_acquire,
                                                   memory_order_relaxed);
  int r1 = atomic_fetch_add_explicit(add, 2, memory_order_relaxed);
  atomic_store_explicit(mov, 3, memory_order_seq_cst);
}
P1 (atomic_int* lock, atomic_int* add) {
  atomic_store_explicit(lock, 2, memory_order_release);
  int r0 = atomic_load_explicit(add, memory_order_acquire);
}
exists (0:r0=1)
""",
}

PROGRAMS = [*sorted((EXAMPLES / "c").glob("*.litmus")), *sorted((EXAMPLES / "rust").glob("*.litmus")),
            *SOURCES]  # fmt: skip
_LABEL = re.compile(r"\s*([A-Za-z_.$][\w.$]*)\s*:(?!\S)")  # a cell's leading `NAME:`
_X86_NAMED = re.compile(r"\(\s*([A-Za-z_][\w.]*)\s*\)")  # `(x)`


def _compiled(cli, tmp_path, program) -> list:
    """The herd tests `fencelab compile` writes for `program` under every scheme, on each
    target the scheme is written for (armv7 skips 64-bit locations, which it refuses)."""
    if isinstance(program, str):
        path = tmp_path / f"{program}.litmus"
        path.write_text(SOURCES[program])
    else:
        path = program
    tests = []
    for scheme in SCHEMES.values():
        targets = [t for t in scheme.targets if not (t == "armv7" and program == "wide")]
        result = cli(["compile", str(path), "-t", ",".join(targets), "-s", scheme.name])
        assert result.exit_code == 0, result.output
        blocks = re.split(r"\n\n(?=(?:X86_64|AArch64|ARM) )", result.output.strip())
        assert len(blocks) == len(targets)
        tests += [(scheme.name, target, parse_text(block))
                  for target, block in zip(targets, blocks)]  # fmt: skip
    return tests


def _instructions(test):
    """(labels, instruction text) of every code cell of every thread."""
    for thread in test.threads:
        for cell in thread.asm:
            text, labels = cell.text, []
            while m := _LABEL.match(text):
                labels.append(m.group(1))
                text = text[m.end():]
            yield labels, text.strip()


def _mnemonic(arch: str, text: str) -> str:
    words = text.replace(",", " ").split()
    mnemonic = words[0].lower()
    if mnemonic == "lock":
        return f"lock {words[1].lower()}"
    if arch == "ARM" and mnemonic in ("and", "orr") and words[-1].upper().startswith("R"):
        return f"{mnemonic}-reg"
    return mnemonic


@pytest.mark.parametrize("program", PROGRAMS,
                         ids=lambda p: p if isinstance(p, str) else f"{p.parent.name}/{p.stem}")  # fmt: skip
def test_compiled_tests_are_written_in_herds_grammar(cli, tmp_path, program):
    for scheme, target, test in _compiled(cli, tmp_path, program):
        where = f"{program} on {target}, scheme {scheme}"
        labels, mnemonics = [], set()
        for cell_labels, text in _instructions(test):
            labels += cell_labels
            if not text:
                continue
            mnemonics.add(_mnemonic(test.arch, text))
            if test.arch == "X86_64":
                if "cmpxchg" in text:
                    assert re.search(r"cmpxchg[bwlq]? \(.*\),%\w+$", text), (where, text)
                for name in _X86_NAMED.findall(text):
                    assert name.lower() not in HERD_X86_64 | X86_64_REGISTERS, (where, text)
        unread = {m for m in mnemonics if m.removeprefix("lock ") not in HERD[test.arch]
                  and m not in NOT_READ[test.arch]}  # fmt: skip
        assert not unread, (where, sorted(unread))
        assert len(labels) == len(set(labels)), (where, sorted(labels))


def test_every_form_herd_does_not_read_is_named_in_the_readme():
    """The README's one list of what a compiled test may hold that herd7 does not read."""
    text = REPO.joinpath("README.md").read_text()
    section = text[text.index("### Compiled tests and herd7"):]
    section = section[:section.index("\n## ")].lower()
    conditional = re.compile(r"(b|mov)(lt|le|gt|ge|hi|ls|cs|cc)")
    for arch, forms in NOT_READ.items():
        for form in forms:
            if arch == "X86_64":  # `lock xadd`, `neg`: each size
                word = form.removeprefix("lock ").rstrip("bwlq")
            elif arch == "ARM" and conditional.fullmatch(form):
                word = conditional.sub(r"\1<c>", form)
            else:
                word = form.split("-")[0]
            assert word in section, (arch, form)


def _states(cli, tmp_path, text: str, targets: str) -> dict[str, set[str]]:
    """`fencelab run --json` of `text` under c11 and on each target: its states, by target."""
    path = tmp_path / "t.litmus"
    path.write_text(text)
    by_target = {}
    for more in ([], ["-t", targets]):
        result = cli(["run", str(path), *more, "--json"])
        assert result.exit_code == 0, result.output
        for line in result.output.splitlines():
            record = json.loads(line)
            by_target[record["target"] or "c11"] = {
                json.dumps(s["outcome"], sort_keys=True) for s in record["states"]}
    return by_target


VALUES = """C values
{{ int x = {x}; int y = 0; int z = 0; }}
P0 (atomic_int* x, atomic_int* y, atomic_int* z) {{
  int r0 = atomic_load_explicit(x, memory_order_relaxed);
  int r1 = r0 < 7;
  int r2 = r0 > -7;
  int r3 = !r0;
  int r4 = r0 - 9;
  int r5 = -r0;
  int r6 = ~r0;
  int r7 = r0 - r0;
  if (r0 < 3) {{ atomic_store_explicit(y, 1, memory_order_relaxed); }}
  if (r0 > 3) {{ atomic_store_explicit(z, 1, memory_order_relaxed); }}
}}
exists (0:r1={r1} /\\ 0:r2={r2} /\\ 0:r3={r3} /\\ 0:r4={r4} /\\ 0:r5={r5} /\\ 0:r6={r6}
        /\\ 0:r7=0 /\\ y={y} /\\ z={z})
"""


@pytest.mark.parametrize("x", [-2147483639, -8, 0, 3, 7, 2147483647])
def test_x86_compares_and_negations_herd_reads_give_c11_s_values(cli, tmp_path, x):
    """`sete` became a branch around `movl $1`, `jl` / `jg` a `jge` / `jle` over a `jmp`,
    `sub` `~(~a + b)`, `neg` and `not` `xor $-1` (+1): every value is c11's, near the edges
    of int too (short of a signed overflow, which C leaves undefined and c11 does not wrap), on
    x86 and on the ARM targets (whose glue kept its instructions)."""
    values = {"x": x, "r1": int(x < 7), "r2": int(x > -7), "r3": int(not x), "r4": x - 9,
              "r5": -x, "r6": ~x, "y": int(x < 3), "z": int(x > 3)}  # fmt: skip
    state = {f"0:r{i}": values.get(f"r{i}", 0) for i in range(1, 8)}
    state.update({"[y]": values["y"], "[z]": values["z"]})
    got = _states(cli, tmp_path, VALUES.format(**values), "x86_64,armv7,armv8")
    assert got == dict.fromkeys(("c11", "x86_64", "armv7", "armv8"),
                                {json.dumps(state, sort_keys=True)})  # fmt: skip


def test_x86_locations_named_like_herds_words_are_addressed_through_registers(cli, tmp_path):
    """`(lock)` herd's lexer reads as LPAR I_LOCK RPAR: the compiled test gives lock's and
    add's addresses in registers, and runs as c11 does."""
    text = SOURCES["names"].replace("exists (0:r0=1)", "exists (0:r0=1 /\\ lock=2)")
    path = tmp_path / "t.litmus"
    path.write_text(text)
    compiled = cli(["compile", str(path), "-t", "x86_64"]).output
    assert re.search(r"0:r\w+=lock;", compiled) and re.search(r"0:r\w+=add;", compiled)
    assert "(lock)" not in compiled and "(add)" not in compiled and "(mov)" not in compiled
    got = _states(cli, tmp_path, text, "x86_64")
    assert got["x86_64"] == got["c11"] and len(got["c11"]) == 2
