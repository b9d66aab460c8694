"""The common trailers read without lark (fencelab/litmus/trailer.py): the same trees and
tokens as lark's trailer grammar wherever it answers, None (lark reads it) elsewhere."""

from __future__ import annotations

import random

import pytest
from lark import Token, Tree

from fencelab.gen import cycles
from fencelab.gen.families import FAMILIES, generate_many
from fencelab.litmus import grammars, parser
from fencelab.litmus.parser import parse_text
from fencelab.litmus.trailer import parse_common
from tests.helpers import EXAMPLES, HERD_DATA


def _same(a, b) -> bool:
    """Equal trees, tokens compared with their types and every position (lark's Token
    equality compares the text alone)."""
    if isinstance(a, Tree):
        return (isinstance(b, Tree) and a.data == b.data and len(a.children) == len(b.children)
                and all(_same(x, y) for x, y in zip(a.children, b.children)))  # fmt: skip
    return (isinstance(a, Token) and isinstance(b, Token) and a.type == b.type and str(a) == str(b)
            and (a.start_pos, a.line, a.column, a.end_line, a.end_column, a.end_pos)
            == (b.start_pos, b.line, b.column, b.end_line, b.end_column, b.end_pos))  # fmt: skip


def _texts() -> list[str]:
    files = sorted(HERD_DATA.rglob("*.litmus")) + sorted(EXAMPLES.rglob("*.litmus"))
    texts = [f.read_text() for f in files]
    for family in FAMILIES:
        texts += generate_many(family, 30, 7) + cycles.generate_many(family, 30, 7)
    return texts


def _trailers() -> list[str]:
    out = []
    for text in _texts():
        m = parser._TRAILER_START.search(text)
        if m:
            out.append(text[m.start():])
    return out


def _agrees(trailer: str, line: int, col: int) -> bool | None:
    """None when the fast reader leaves the text to lark; else whether both agree (lark
    refusing what it accepts is a disagreement)."""
    text = grammars.padded(trailer, line, col)
    fast = parse_common(text)
    if fast is None:
        return None
    try:
        return _same(fast, grammars.parser("trailer").parse(text))
    except Exception:
        return False


def test_every_trailer_of_the_corpus_reads_as_lark_reads_it():
    trailers = _trailers()
    answered = [ok for t in trailers if (ok := _agrees(t, 7, 3)) is not None]
    assert all(answered)
    assert len(answered) > 0.8 * len(trailers)  # the common ones are read here


def test_mutated_trailers_never_read_otherwise():
    """Random edits (operators, keywords, brackets, names spelled like keywords): wherever
    the fast reader answers, lark accepts the text and builds the same tree."""
    rng = random.Random(17)
    pieces = [*" \t\n()[]{};,=~/\\<>!-:%xyz019_.", "exists", "forall", "~exists", "locations",
              "filter", "true", "false", "not", "not.x", "/\\", "\\/", "=>", "0:rax", "x[1]",
              "0x1F", "-1", "P0:L0", "=="]  # fmt: skip
    trailers = _trailers()
    answered = 0
    for _ in range(4000):
        chars = list(rng.choice(trailers))
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(chars) + 1)
            if rng.random() < 0.4 and chars:
                del chars[min(i, len(chars) - 1)]
            else:
                chars.insert(i, rng.choice(pieces))
        ok = _agrees("".join(chars), rng.randint(1, 4), rng.randint(1, 4))
        assert ok is not False, "".join(chars)
        answered += ok is True
    assert answered > 100


@pytest.mark.parametrize("trailer", [
    "filter 0:rax=1\nexists (x=1)",  # a filter
    "exists (true)", "exists (x=1 \\/ false)",  # herd's true and false
    "exists (not x=1)", "exists (not.x=1)",  # NOT.3 wins over a name
    "exists (x=true)",  # a name lark reads as a value here, a keyword elsewhere
    "locations [x;]",  # no condition
    "exists (0:X0.4S={1,2})", "forall fault(P0:L0,x)",  # what lark refuses
])  # fmt: skip
def test_what_the_fast_reader_leaves_to_lark(trailer):
    assert parse_common(grammars.padded(trailer, 3, 1)) is None


def test_whole_tests_parse_the_same_without_the_fast_reader(monkeypatch):
    """Every herd test parses to the same LitmusTest (condition, observed locations, types)
    read either way; an error in a condition is the same line and column."""
    texts = _texts()[:400]
    fast = [_parsed(t) for t in texts]
    monkeypatch.setattr(parser, "parse_common", lambda text: None)
    assert [_parsed(t) for t in texts] == fast


def _parsed(text: str):
    try:
        return parse_text(text, "t.litmus")
    except Exception as e:  # the one-line error, as the user sees it
        return str(e)


def test_a_bad_value_in_a_fast_read_condition_is_named_at_its_place():
    text = "X86_64 T\n{ }\n P0          ;\n movl $1,(x) ;\nexists (x=1 /\\ 0:rax=0x1ffffffffffffffff)\n"
    with pytest.raises(Exception) as e:
        parse_text(text, "t.litmus")
    assert str(e.value).startswith("t.litmus:5:22: condition value 0x1ffffffffffffffff")
