"""The reader's bounds: numbers, characters, file size, and time linear in the input's size."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fencelab.errors import SourceError
from fencelab.litmus.parser import MAX_FILE_BYTES, parse_file, parse_text
from tests.helpers import EXAMPLES

MP = (EXAMPLES / "aarch64" / "MP.litmus").read_text()
SB = (EXAMPLES / "x86_64" / "SB.litmus").read_text()
CORR = (EXAMPLES / "c" / "CoRR.litmus").read_text()
BIG = "9" * 5000  # past Python's 4,300-digit int-string limit


def _error(text: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        parse_text(text, "t.litmus")
    return caught.value


@pytest.mark.parametrize("text, where", [
    (MP.replace("1:X2=0)", f"1:X2={BIG})"), (12, 24)),  # a condition's value
    (MP.replace("0:X3=y;", f"0:X3=y; 0:X5={BIG};"), (4, 23)),  # an initial value
    (MP.replace("0:X3=y;", f"0:X3=y; x=0x{'f' * 5000};"), (4, 20)),  # a hex initial value
    (MP.replace("1:X2=0)", f"{BIG}:X2=0)"), (12, 19)),  # a thread id in the condition
    (MP.replace("0:X3=y;", f"0:X3=y; {BIG}:X5=1;"), (4, 18)),  # a thread id in the init
    (MP.replace("0:X3=y;", f"0:X3=y; int v[{BIG}];"), (4, 18)),  # an array size
    (CORR.replace("(x, 1,", f"(x, {BIG},"), (9, 28)),  # a number in a C body
    (CORR.replace("P1", f"P{BIG}"), (12, 1)),  # a C thread's number
], ids=["condition", "init", "hex init", "condition tid", "init tid", "array", "C body",
        "C thread"])  # fmt: skip
def test_a_number_with_too_many_digits_is_one_error_at_its_place(text, where):
    e = _error(text)
    assert (e.line, e.col) == where
    assert "has 5,000 digits (at most 64)" in e.message


@pytest.mark.parametrize("cell, col, what", [
    ("LDR\u00a0W0,[X1]", 4, "U+00A0 (a non-ASCII character)"),
    ("LDR W0,\x01[X1]", 8, "U+0001 (a control character)"),
    ("\x7fLDR W0,[X1]", 1, "U+007F (a control character)"),
    ("/", 1, "expected an instruction, found '/'"),
    ("*/", 1, "expected an instruction, found '*/'"),
    ("L0: :", 5, "expected an instruction, found ':'"),
], ids=["nbsp", "SOH", "DEL", "slash", "comment end", "colon"])  # fmt: skip
def test_an_instruction_is_printable_ascii_starting_with_its_mnemonic(cell, col, what):
    text = MP.replace("LDR W0,[X1]", cell.ljust(11))
    e = _error(text)
    assert (e.line, e.col) == (8, 16 + col - 1), e
    assert what in e.message


def test_a_file_past_the_size_limit_is_refused_without_reading_it_all(tmp_path):
    with pytest.raises(SourceError, match="larger than 1,024 KiB"):
        parse_file("/dev/zero")
    big = tmp_path / "big.litmus"
    big.write_text(MP + " " * MAX_FILE_BYTES)
    with pytest.raises(SourceError, match="larger than"):
        parse_file(big)


def test_long_quoted_text_is_clipped_in_messages():
    e = _error(MP.replace("0:X3=y;", "0:X3=y; " + "a" * 200_000 + " 1:X5=1;"))
    assert len(str(e)) < 300 and "..." in str(e)


# -- time linear in the input's size ----------------------------------------------------------

SLOTS = {  # where a generated fragment is repeated: each part of a test the reader splits
    "init": lambda f: MP.replace("0:X3=y;", "0:X3=y; " + f + " 1:X5=1;"),
    "cell": lambda f: MP.replace("LDR W2,[X3]", f),
    "rows": lambda f: MP.replace(" STR W2,[X3] |             ;\n",
                                 f" STR W2,[X3] |             ;\n {f} | NOP ;\n"),  # fmt: skip
    "condition": lambda f: MP.replace("exists (1:X0=1 /\\ 1:X2=0)", f"exists ({f})"),
    "header": lambda f: MP.replace("AArch64 MP", "AArch64 MP " + f),
    "x86": lambda f: SB.replace("movl (y),%eax | ", f"movl (y),%eax {f}| "),
    "c body": lambda f: CORR.replace("int r1 =", f + " int r1 ="),
}
FRAGMENT = st.text(alphabet="aX0: ;=|/\\*(){}[]~,#$%x1y\n\t-.&\"'P9", min_size=1, max_size=12)


def _seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        with contextlib.suppress(SourceError):
            parse_text(text)
        best = min(best, time.perf_counter() - started)
    return best


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slot=st.sampled_from(sorted(SLOTS)), fragment=FRAGMENT)
@example(slot="init", fragment="a")  # a long name, then an item without `;`: once quadratic
@example(slot="init", fragment="v[1]={1};")
@example(slot="condition", fragment="1:X0=1 /\\ ")
@example(slot="cell", fragment="L0:")
def test_reading_time_grows_linearly_with_the_input(slot, fragment):
    small, large = 4_000, 32_000  # 8 times the text: linear is 8 times the time, quadratic 64
    make = SLOTS[slot]

    def text(size: int) -> str:
        return make(fragment * (size // len(fragment)))

    t_small, t_large = _seconds(text(small)), _seconds(text(large))
    assert t_large <= 32 * t_small + 0.05, (slot, fragment, t_small, t_large)
