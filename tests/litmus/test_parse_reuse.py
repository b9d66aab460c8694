"""Reading C bodies and conditions: trees reused by exact text (`grammars.parse`), the basic
lexer with the contextual one behind it, and lark-cython where installed, all as lark alone
with the contextual lexer would read them: same ASTs, positions and error messages."""

from pathlib import Path

import pytest

from fencelab.errors import FencelabError, SourceError
from fencelab.litmus import grammars
from fencelab.litmus.ast import Assign, Const, Pos, Store, Var
from fencelab.litmus.parser import parse_text, read_test

ROOT = Path(__file__).resolve().parents[2]

BODY = "int r1 = r9;\n  int r0 = 1;\n"  # r9 unknown, on the body's first line


def test_test(header_lines: int, body: str = BODY, opening: str = "\n") -> str:
    return ("C T\n" + "\n" * header_lines + "{ x = 0; }\n"
            + "P0 (atomic_int* x) {" + opening + body + "}\nexists (0:r0=0)\n")  # fmt: skip


test_test.__test__ = False  # a helper, not a test


def forget() -> None:
    """Trees read before are forgotten (bodies, conditions, C bodies' lines): read afresh."""
    grammars._PARSED.clear()
    grammars._LINES.clear()


def error_of(text: str) -> str:
    with pytest.raises(SourceError) as e:
        parse_text(text, "t.litmus")
    return str(e.value)


@pytest.mark.parametrize("opening", ["\n", " ", "   "])
def test_a_body_read_again_elsewhere_keeps_its_own_positions(opening):
    """The same body text lower in another file (and, on its first line, further right):
    its error names the place where it is in that file, as a fresh reading does."""
    forget()
    first = error_of(test_test(0, opening=opening))
    again = error_of(test_test(5, opening=opening))  # the tree reused, moved 5 lines down
    forget()
    fresh = error_of(test_test(5, opening=opening))
    assert again == fresh
    if opening == "\n":
        line, col = 9, 10
    else:  # on the line of `P0 (...) {`
        line, col = 8, len("P0 (atomic_int* x) {") + len(opening) + 10
    assert fresh == f"t.litmus:{line}:{col}: unknown variable 'r9' in P0"
    assert first == f"t.litmus:{line - 5}:{col}: unknown variable 'r9' in P0"


def test_a_reused_tree_gives_the_same_ast_as_a_fresh_one():
    body = "  int r0 = (1 + 2) * 3;\n  if (r0 == 9) { atomic_store_explicit(x, r0, memory_order_release); }\n"
    forget()
    parse_text(test_test(0, body, " "), "t.litmus")
    reused = parse_text(test_test(3, body, " "), "t.litmus")
    forget()
    fresh = parse_text(test_test(3, body, " "), "t.litmus")
    assert reused == fresh
    assert reused.threads[0].body[0].pos == Pos(6, 24)


def test_a_keyword_used_as_a_name_is_read_as_the_contextual_lexer_reads_it():
    """`int if = 1;`: the basic lexer makes `if` the keyword and fails; the contextual parser
    reads it again, where `if` after a type is a name."""
    body = "  int if = 1;\n  atomic_store_explicit(x, if, memory_order_relaxed);\n  int r0 = 0;\n"
    test = parse_text(test_test(0, body), "t.litmus")
    assert test.threads[0].body[:2] == (
        Assign("if", Const(1), True, Pos(4, 3)),
        Store("x", Var("if"), test.threads[0].body[1].order, Pos(5, 3)),
    )


@pytest.mark.parametrize("body, message", [
    ("int r0 = 1 + ;", "t.litmus:4:16: syntax error in the body of P0: found ';'; expected "
                       "'!', '&', '(', '*', '-', '~', a name, a number"),
    ("while r0 {}", "t.litmus:4:9: syntax error in the body of P0: found 'r0'; expected '('"),
    ("int r0 = 1 @ 2;", "t.litmus:4:14: syntax error in the body of P0: found '@ 2;'; expected "
                        "';', ')', ']', ',', '%', '&&', '&', '*', ..."),
    # the list is cut at eight, what a statement most often lacks first: its ';' came tenth
    ("atomic_store_explicit(x, 1, memory_order_relaxed) }",
     "t.litmus:4:53: syntax error in the body of P0: found '}'; expected ';', ')', ']', ',', "
     "'%', '&&', '&', '*', ..."),
    ("int if = 1; if (if) { if = 2; }",
     "t.litmus:4:28: syntax error in the body of P0: found '='; expected '('"),
])  # fmt: skip
def test_syntax_errors_are_the_contextual_parsers(body, message):
    assert error_of(test_test(0, "  " + body + "\n")) == message


def test_lark_cython_reads_every_example_as_lark_does(monkeypatch):
    pytest.importorskip("lark_cython")
    files = sorted((ROOT / "examples" / "c").glob("*.litmus"))
    files += sorted((ROOT / "examples" / "rust").glob("*.litmus"))
    files += sorted((ROOT / "tests" / "data" / "herd" / "c").glob("*.litmus"))
    assert grammars._PLUGINS

    def read_all():
        forget()
        out = []
        for f in files:
            try:
                out.append(repr(parse_text(f.read_text(), str(f))))
            except SourceError as e:
                out.append(str(e))
        return out

    compiled = read_all()
    monkeypatch.setattr(grammars, "_PLUGINS", {})
    grammars.parser.cache_clear()
    try:
        assert read_all() == compiled
    finally:
        grammars.parser.cache_clear()
        forget()


def test_a_deeply_nested_body_read_again_elsewhere_is_read_as_the_first_time():
    """Copying a reused tree recurses; one nested deeper than that is read again instead,
    so a later error in it is still the one a first reading reports."""
    deep = "!" * 600 + "1"  # 600 nested `un` trees
    body = f"int r1 = r9;\n  int r0 = {deep};\n"
    forget()
    first = error_of(test_test(0, body))
    again = error_of(test_test(2, body))
    assert first == "t.litmus:4:10: unknown variable 'r9' in P0"
    assert again == "t.litmus:6:10: unknown variable 'r9' in P0"


@pytest.mark.parametrize("condition, message", [
    ("exists (0:r9=0)", "{line}:9: 0:r9 is not a variable of P0 (declare it in the thread)"),
    ("exists (3:r0=0)", "{line}:9: 3:r0 names thread P3, but the test has 1 thread(s)"),
    ("exists (0:r0=99999999999999999999999)",
     "{line}:14: condition value 99999999999999999999999 does not fit in 64 bits"),
])  # fmt: skip
def test_a_condition_read_again_elsewhere_keeps_its_own_positions(condition, message):
    """The same condition text lower in another file: its tree is shared (`grammars.parse`
    gives where its positions are), and an error found in it names its place in that file."""
    def text(lines: int) -> str:
        return ("C T\n" + "\n" * lines + "{ x = 0; }\nP0 (atomic_int* x) {\n  int r0 = 1;\n}\n"
                + condition + "\n")  # fmt: skip

    forget()
    first = error_of(text(0))
    again = error_of(text(4))  # the tree reused, 4 lines down
    forget()
    assert again == error_of(text(4))
    assert first == "t.litmus:" + message.format(line=6)
    assert again == "t.litmus:" + message.format(line=10)


def test_a_reused_condition_gives_the_same_test_as_a_fresh_one():
    text = "C T\n{ x = 0; }\nP0 (atomic_int* x) {\n  int r0 = 1;\n}\nexists (0:r0=1 /\\ x=0)\n"
    forget()
    parse_text(text, "t.litmus")
    reused = parse_text(text.replace("{ x", "\n\n{ x"), "t.litmus")
    forget()
    assert reused == parse_text(text.replace("{ x", "\n\n{ x"), "t.litmus")


def test_a_path_read_is_checked_as_a_command_names_it(tmp_path):
    """`read_test` (the one-test commands, `run`'s workers): a directory and a missing file
    are one line each, naming the path; a file is read."""
    with pytest.raises(FencelabError, match=rf"^{tmp_path}: is a directory \(show takes one"):
        read_test(str(tmp_path), "show")
    with pytest.raises(FencelabError, match=r": no such file$"):
        read_test(str(tmp_path / "missing.litmus"))
    (tmp_path / "t.litmus").write_text(test_test(0, "  int r0 = 1;\n"))
    assert read_test(str(tmp_path / "t.litmus")).name == "T"


# -- C bodies read line by line (`grammars.statements`) ----------------------------------------

LINE_BODIES = [
    "  int r0 = atomic_load_explicit(x, memory_order_acquire);\n  int r1 = r0 + 1;\n",
    "int r0 = 1; int r1 = 2;\n\tatomic_store_explicit(x, r1, memory_order_relaxed); // done\n",
    "  int r0 = 0;\n  if (r0 == 0)\n    r0 = 1;\n  else\n    r0 = 2;\n",  # an `else` alone
    "  int r0 = 0;\n  if (r0 == 0) r0 = 1;\n  else r0 = 2;\n",
    "  int r0 = 0;\n  while (r0 < 2) {\n    r0 = r0 + 1;\n  }\n",
    "  int r0 = atomic_load_explicit(x,\n      memory_order_relaxed);\n",  # a call over two lines
    "  int r0 = 1;\n  int r1 = r0 /*c;\n  *x; /* */ ;\n",  # a comment over two lines
    "  int r0 = 1; /* a\n  b */ int r1 = 2;\n",
    "  int if = 1;\n  atomic_store_explicit(x, if, memory_order_relaxed);\n",  # keyword as name
    "  int r0 = 1;\n  int r1 = r9;\n",  # an error in the builder, on the second line
    "  int r0 = 1;\n  int r1 = 1 +;\n",  # a syntax error on the second line
    "  int r0 = 1;\n  int r1 = r0\n  ;\n  int r2 = \x0b 1;\n",
]


def _read_each(bodies, opening="\n", header_lines=0):
    out = []
    for body in bodies:
        try:
            out.append(repr(parse_text(test_test(header_lines, body, opening), "t.litmus")))
        except SourceError as e:
            out.append(str(e))
    return out


@pytest.mark.parametrize("opening", ["\n", " "])
def test_bodies_read_line_by_line_are_the_bodies_read_whole(monkeypatch, opening):
    """Each line's trees, shared between bodies and moved to where the line stands, make the
    same test (positions included) or the same error as the body read whole."""
    forget()
    first = _read_each(LINE_BODIES, opening)
    moved = _read_each(LINE_BODIES, opening, header_lines=3)  # every line's trees shared
    monkeypatch.setattr(grammars, "_read_line", lambda code, line, col: None)
    forget()
    assert first == _read_each(LINE_BODIES, opening)
    forget()
    assert moved == _read_each(LINE_BODIES, opening, header_lines=3)
    line = 4 if opening == "\n" else 3  # the body's second line
    assert first[-3] == f"t.litmus:{line + 1}:12: unknown variable 'r9' in P0"
    assert moved[-3] == f"t.litmus:{line + 4}:12: unknown variable 'r9' in P0"
    assert first[-2].startswith(f"t.litmus:{line + 1}:15: syntax error in the body of P0")
    forget()


def test_a_line_two_bodies_share_is_read_once(monkeypatch):
    """diy7's catalogues combine few statement lines into many bodies: a line already read
    is not read again by lark, wherever it stands."""
    forget()
    read = []
    real = grammars._read_line
    monkeypatch.setattr(grammars, "_read_line",
                        lambda code, line, col: read.append(code) or real(code, line, col))  # fmt: skip
    store = "atomic_store_explicit(x, 1, memory_order_release);"
    one = parse_text(test_test(0, f"  {store}\n  int r0 = 1;\n"), "t.litmus")
    two = parse_text(test_test(2, f"  int r0 = 2;\n    {store}\n"), "t.litmus")
    assert read == [store, "int r0 = 1;", "int r0 = 2;"]
    assert two.threads[0].body[1].pos == Pos(7, 5)
    assert one.threads[0].body[0].pos == Pos(4, 3)
    forget()


def test_a_parameter_list_read_again_gives_each_test_its_own_locations():
    """The same `P0 (...)` text in two tests: the second's locations take the parameters'
    types where it declares none, as the first's did, and keep those it declares."""
    def text(init: str) -> str:
        return (f"C T\n{{ {init} }}\nP0 (atomic_int* x, int* y) {{\n  int r0 = *y;\n}}\n"
                "exists (0:r0=0)\n")  # fmt: skip

    first = parse_text(text("x = 0;"), "a.litmus")
    second = parse_text(text("int64_t y = 0;"), "b.litmus")
    assert [(loc.name, loc.ctype, loc.width) for loc in first.locations] == \
        [("x", "atomic_int", 32), ("y", "int", 32)]  # fmt: skip
    assert [(loc.name, loc.ctype, loc.width) for loc in second.locations] == \
        [("y", "int64_t", 64), ("x", "atomic_int", 32)]  # fmt: skip
    assert first.threads[0].params == second.threads[0].params == \
        (("atomic_int*", "x"), ("int*", "y"))  # fmt: skip


@pytest.mark.parametrize("body", [
    "  int r0 = 1; // }\n",
    "  int r0 = 1; /* } { */\n",
    "  int r0 = 1;\n  if (r0 == 1) { r0 = 2; }\n",
])  # fmt: skip
def test_a_body_ends_at_its_own_closing_brace(body):
    """Where a body closes (found once, while comments outside the bodies are blanked): braces
    in its comments do not count, a block's do."""
    test = parse_text(test_test(0, body) + "// } {\n", "t.litmus")
    assert test.threads[0].span == (3, 3 + body.count("\n") + 1)
