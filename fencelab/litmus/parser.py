"""Read litmus tests in herdtools7's format (AArch64, ARM, X86_64, X86, C) and our RUST spelling.

A test is split by hand the way herd's own splitter does it: the header line (`ARCH name`), an
optional quoted description, `Key=Value` metadata lines, the initial state `{ ... }`, the threads
(a `|`-separated table for assembly, `P0 (...) { ... }` functions for C and Rust), and a trailer
(`locations [...]`, `filter P`, `exists/~exists/forall P`) read with a lark grammar. Thread bodies
of source tests are read by `source.py`, given a `lexing.BodyContext` (the text, positions and
locations table both readers share).

`(* ... *)` comments (nested) may appear anywhere outside source thread bodies, and in C and
Rust tests so may `//` comments, as herd reads them; they are kept in `LitmusTest.comments`. Every problem is a `SourceError` at the offending place.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from lark import Tree
from lark.exceptions import UnexpectedInput

from fencelab.errors import FencelabError, SourceError, clip
from fencelab.isa.arch import get_arch
from fencelab.isa.assembler import NOT_PRINTABLE, describe_char
from fencelab.litmus import grammars
from fencelab.litmus.ast import (
    SOURCE_ARCHES,
    And,
    AsmLine,
    Condition,
    Eq,
    LitmusTest,
    LocObs,
    LocRef,
    Not,
    Observable,
    Or,
    Pos,
    Prop,
    RegInit,
    RegObs,
    Thread,
    TrueProp,
    Value,
    element_observable,
    location_name,
)
from fencelab.litmus.lexing import (
    CODE_AS_DATA,
    COMMENT_OR_BRACE,
    TRAILER_START,
    BodyContext,
    Locations,
    Text,
    array_element,
    skip_c_comment,
    unknown_type,
)
from fencelab.litmus.source import (
    check_constants,
    declared_variables,
    linux_primitive,
    linux_refusal,
    parse_threads,
)
from fencelab.litmus.types import (
    ValueType,
    ctype_width,
    declared_register_type,
    known_types,
    normalise_ctype,
)
from fencelab.values import NumberTooLong, fits, read_int

ARCH_SPELLINGS = {
    "aarch64": "AArch64",
    "arm": "ARM",
    "x86_64": "X86_64",
    "x86": "X86",
    "c": "C",
    "rust": "RUST",
}

MAX_FILE_BYTES = 1 << 20  # a larger test file is refused (herd's tests are a few KiB)
STDIN = "-"  # a test read from standard input (`read_test`)
STDIN_FILE = "<stdin>"  # such a test's file name (its errors, its source lines)
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
# the left of an initial-state item ends with what it names: `0:X0` (herd's `P0:X0` too), `[x]`,
# `%x0` or `x` (the look-behind keeps the search linear: a name starts only where a word does)
# an AArch64 SIMD&FP register in the initial state: `0:V0.2D`, `0:Q1`, `0:D2`
_SIMD_FP_REGISTER = re.compile(r"\bP?\d+\s*:\s*[VQDSHB]\d+(?:\.\w+(?:\[\d+\])?)?", re.I)
_INIT_LEFT = re.compile(
    rf"(?<![A-Za-z0-9_%])(P?\d+\s*:\s*%?{_IDENT}|\[\s*{_IDENT}\s*\]|%{_IDENT}|{_IDENT})\s*$"
)
_TRAILING_IDENT = re.compile(rf"(?<![A-Za-z0-9_]){_IDENT}$")
_CELL_LABEL = re.compile(r"[A-Za-z_.$][A-Za-z0-9_.$]*[ \t]*:(?!:)[ \t]*")
# herd's x86 `LOCK ; instr` (X86Parser.mly, X86_64Parser.mly `I_LOCK semi_opt instr`): a cell
# that is LOCK (after any labels) takes the instruction after it, past a `;` and line breaks
_LOCK_ARCHES = ("X86", "X86_64")
_LOCK_CELL = re.compile(rf"\s*(?:{_CELL_LABEL.pattern})*lock\s*", re.I)
_LOCK_GAP = re.compile(rf"((?:{_CELL_LABEL.pattern})*lock)(?![\w.$]|[ \t]*:)(\s*;?\s*)", re.I)
# a line break in a cell, with the blanks around it: herd's lexers read it as one blank
_LINE_BREAK = re.compile(r"[ \t]*\n\s*")
# where herd's splitter ends the code (lib/splitter.mll `inside_prog`): at one of these words,
# unless it is inside a longer name (a name starts with a letter: `1exists` is 1, exists)
_CODE_END = re.compile(
    r"(?:~[ \t\r]*exists|final|forall|exists|cases|observed|Observed|locations|filter)"
    r"(?![A-Za-z0-9_/.\-])"
)
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_/.-")
# herd's variants that turn on what fencelab does not model (herd's Variant.ml)
UNMODELLED_VARIANTS = {
    "vmsa": "virtual memory: page tables, TLB maintenance",
    "ifetch": "instruction fetch: code as data", "self": "instruction fetch: code as data",
    "memtag": "memory tags (MTE)", "mte": "memory tags (MTE)",
    **dict.fromkeys(("pac", "fpac", "pauth1", "pauth2", "const-pac-field"),
                    "pointer authentication"),
    "nv2": "nested virtualisation, FEAT_NV2: system registers held in memory",
}
# herd's condition atoms for what fencelab does not model, named when the condition does not
# parse: code as a value, faults (`Fault(P0:L0,x)`, herd's -variant fatal), page-table
# entries and physical addresses (Variant=vmsa), memory tags (Variant=memtag)
_PAGE_TABLE = r"\b(?:PTE|PA|TTD)\s*\([^()]*\)?|\b(?:pteval_t|parel1_t)\b"  # `[PTE(x)]=(oa:PA(x))`
_MEMORY_TAG = r"\w:(?:red|green|blue|black)\b"  # herd's `x:red`, `=x:green`
_TAG_VALUE = r"(?<==)\s*[A-Za-z_]\w*:t\d+\b"  # a condition's `0:X1=x:t2` (its AArch64.MTE Y001)
# an AArch64 system register in the initial state: herd's `0:GCR_EL1=...`, `0:VNCR_EL2=...`
_SYSTEM_REGISTER = re.compile(r"P?\d+\s*:\s*[A-Za-z][A-Za-z0-9]*_EL[0-3]\b", re.I)
# herd's pointer-authentication values (its AArch64.PAC tests): `pac(x, da, 42, 7)`
_PAC_VALUE = re.compile(r"\bpac\s*\([^()]*\)?", re.I)
_PAC_WHY = ("is herd's pointer-authentication value (a pointer signed by FEAT_PAuth, its "
             "AArch64.PAC tests), which fencelab does not model")
_HERD_CONDITION_FEATURES = re.compile(
    r"((?:instr|label)\s*:\s*\"[^\"]*\")|(\b[Ff]ault\s*\([^()]*\)?)"
    rf"|({_PAGE_TABLE})|(\btag\s*\(|{_MEMORY_TAG}|{_TAG_VALUE})|({_PAC_VALUE.pattern})"
)
_CONDITION_FEATURE_NAMES = (
    CODE_AS_DATA.removeprefix("is "),
    "herd's fault atoms (its instruction faults, -variant fatal) are not modelled: in "
    "fencelab a faulting access in an allowed execution is an error",
    "herd's page-table entries and physical addresses (Variant=vmsa) are not modelled",
    "herd's memory tags (Variant=memtag) are not modelled",
    "herd's pointer-authentication values (FEAT_PAuth, its AArch64.PAC tests) are not modelled",
)
_HEADER_WORDS = re.compile(r"[A-Za-z_][\w.\-]*(?:[ \t]+[\w.\-+]+)*")
_INFO_LINE = re.compile(r"([A-Za-z][A-Za-z0-9_/.\-]*)[ \t]*=[ \t]*(.*)")

# where `_blank_comments` may have something to do outside the bodies: a `//` comment (source
# tests), a `(* *)` comment, a string, a brace
_SPACE = re.compile(r"\s*")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[A-Za-z_]\w*")
_MNEMONIC_START = re.compile(r"[A-Za-z_.]")
_INT = re.compile(r"([+-]?)\s*(0[xX][0-9a-fA-F]+|[0-9]+)")
# (each alternative a literal character first: `re` then looks for the next place by a set of
# first characters, not by trying every alternative at every character)
_OUTSIDE_STOP = re.compile(r'//|\(\*|"|\{|\}')
# what stands before a thread body's `{` (`_blank_comments`: `P0 (...)`, `P0`)
_BODY_HEAD = re.compile(r"P\d+\s*(?:\([^(){}]*\))?\s*$")


def read_test(path: str, command: str = "") -> LitmusTest:
    """One test named on a command line: a file, or `-` (standard input); a directory is
    refused by name (`command` says who takes one file; without it, the command reads the
    tests in a directory, and one left among its inputs has none: `cli.options.litmus_files`)."""
    if path == STDIN:
        return parse_text(_read_text(sys.stdin.buffer, STDIN_FILE), STDIN_FILE)
    if not path:  # (an unset shell variable: it was `: no such file`)
        raise FencelabError("'': an empty name names no test file")
    if os.path.isdir(path):  # (os.path: a catalogue's run reads thousands of paths)
        if not command:
            raise FencelabError(f"no litmus tests found in {path}")
        raise FencelabError(f"{path}: is a directory ({command} takes one test file)")
    if not os.path.exists(path):
        try:
            os.stat(path)
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as e:  # a name too long, a component not searchable
            raise FencelabError(f"{path}: {getattr(e, 'strerror', None) or e}") from None
        raise FencelabError(f"{path}: no such file")
    return parse_file(path)


def read_once(path: str) -> bool:
    """Can `path` be read only once: `-` (standard input), a pipe (`run <(gen)`), a FIFO, a
    device? A command that reads a test file twice (`run` looks at its header where it plans,
    and a worker reads it) reads such a test once, where it plans: a second read found it
    empty (`expected the architecture name ..., found end of input`) or waited for ever."""
    if path == STDIN:
        return True
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # (its reading says why)
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def header_arch(path: str) -> str | None:
    """The architecture a test file's header names (`AArch64`, `C`), read without parsing the
    test; None when the file cannot be read or names none (reading the test says why)."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            text = f.read(MAX_FILE_BYTES)
        parser = _Parser(text, path)
        head = parser._header_offset()
    except (OSError, SourceError):
        return None
    word = re.match(r"[A-Za-z0-9_]+", parser.raw.text[head:])
    return ARCH_SPELLINGS.get(word.group(0).lower()) if word else None


def parse_file(path: str | Path) -> LitmusTest:
    """Read and parse the litmus test in `path` (errors name the file)."""
    name = str(path)
    try:
        with open(path, "rb") as f:
            text = _read_text(f, name)
    except OSError as e:
        raise SourceError(f"cannot read litmus file: {e.strerror or e}", name) from None
    return parse_text(text, name)


def _read_text(stream: BinaryIO, name: str) -> str:
    """The text of a litmus file or of standard input: at most MAX_FILE_BYTES, UTF-8, a
    leading byte-order mark dropped (errors name the file)."""
    try:
        data = stream.read(MAX_FILE_BYTES + 1)  # bounded: `/dev/zero` never ends
    except OSError as e:
        raise SourceError(f"cannot read litmus file: {e.strerror or e}", name) from None
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"litmus file is larger than {MAX_FILE_BYTES // 1024:,} KiB "
                          "(the most fencelab reads)", name)  # fmt: skip
    try:  # (a byte-order mark first, as some editors save UTF-8, is no part of the text)
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:  # where the byte is, counted as the parser counts: the
        # text before it (`e.object`, the bytes after a byte-order mark) reads, in characters
        before = e.object[: e.start].decode("utf-8")
        line, col = before.count("\n") + 1, len(before) - before.rfind("\n")
        raise SourceError(f"litmus file is not UTF-8 text: byte 0x{e.object[e.start]:02x} "
                          f"({e.reason})", name, line, col) from None  # fmt: skip
    return text


def parse_text(text: str, file: str = "<input>") -> LitmusTest:
    """Parse one litmus test; raise SourceError (file:line:col) on any problem."""
    try:
        return _Parser(text, file).parse()
    except RecursionError:
        raise SourceError("test is nested too deeply to read", file) from None


def asm_label(text: str) -> tuple[str | None, str]:
    """Split an assembly cell into its label (`L0:`) and instruction: `("L0", "MOV W0,#1")`."""
    m = re.match(r"\s*([A-Za-z_.$][A-Za-z0-9_.$]*)\s*:(?!:)\s*(.*)$", text)
    if m and not re.match(r"\d", m.group(1)):
        return m.group(1), m.group(2).strip()
    return None, text.strip()


# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, file: str):
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.raw = Text(text, file)
        self.file = file
        self.comments: list[str] = []

    # -- top level -----------------------------------------------------------------------------

    def parse(self) -> LitmusTest:
        head = self._header_offset()
        arch_word = re.match(r"[A-Za-z0-9_]+", self.raw.text[head:])
        if not arch_word:
            raise self.raw.error(
                f"expected the architecture name (AArch64, ARM, X86_64, X86, C, RUST), found {self.raw.found(head)}",
                head,
            )
        arch = ARCH_SPELLINGS.get(arch_word.group(0).lower())
        if arch is None:
            raise self.raw.error(
                f"unsupported architecture {clip(arch_word.group(0))}; supported: AArch64, ARM, X86_64, X86, C, RUST",
                head,
            )
        self.arch = arch
        self.is_source = arch in SOURCE_ARCHES
        self.asm_arch = None if self.is_source else get_arch(arch)  # how its code is written
        blanked = self._blank_comments(self.raw.text, source=self.is_source)
        # the same text when there was no comment to blank: its line table is reused
        self.src = self.raw if blanked is self.raw.text else Text(blanked, self.file)
        self.locs = Locations(self.src)

        pos, name, doc = self._header(head + len(arch_word.group(0)))
        pos, info, more_doc = self._metadata(pos)
        doc = doc or more_doc
        self.unplaced: list[tuple[str, Value, str, int]] = []
        # registers declared with a type fencelab does not know (`_untyped_register`)
        self.untyped: dict[tuple[int, str], tuple[str, int]] = {}
        self.reg_values: dict[tuple[int | None, str], Value] = {}  # `_register_once`
        pos, reg_inits = self._init(pos)
        if self.is_source:
            threads, pos = parse_threads(BodyContext(self.arch, self.src, self.locs,
                                                     self.bodies), pos)  # fmt: skip
        else:
            threads, pos = self._table(pos)
            reg_inits += self._place_symbolic(threads)
        self.reg_inits = reg_inits
        observed, filt, condition = self._trailer(pos, threads)
        test = LitmusTest(
            arch=arch,
            name=name,
            threads=tuple(threads),
            locations=self.locs.result(),
            reg_inits=tuple(reg_inits),
            condition=condition,
            observed=observed,
            doc=doc,
            info=tuple(info),
            comments=tuple(self.comments),
            file=self.file,
            filter=filt,
            text=self.raw.text,
        )
        if self.is_source:
            check_constants(test)
        return test

    def _header_offset(self) -> int:
        """Where the header starts: after blank space and any `(* ... *)` comments."""
        text, i = self.raw.text, 0
        while True:
            while i < len(text) and text[i].isspace():
                i += 1
            if text.startswith("(*", i):
                i = self._comment_end(text, i)
            else:
                return i

    def _comment_end(self, text: str, start: int) -> int:
        depth, i = 0, start
        while i < len(text):
            if text.startswith("(*", i):
                depth += 1
                i += 2
            elif text.startswith("*)", i):
                depth -= 1
                i += 2
                if depth == 0:
                    return i
            else:
                i += 1
        raise self.raw.error("unterminated comment: '(*' without a matching '*)'", start)

    @staticmethod
    def _header_line_comment(text: str, start: int) -> int | None:
        """herd's splitter reads the header (before the initial state's `{`) line by line: a
        `(*` not closed before that `{` is no comment there, its line is skipped (herd's
        AArch64.neon V61: `(* Test ADDV * )`). The end of that line, or None for a comment
        closed in time."""
        eol = text.find("\n", start)
        eol = len(text) if eol < 0 else eol
        close = text.find("*)", start + 2)
        brace = text.find("{", start)
        if close >= 0 and (close < eol or brace < 0 or close < brace):
            return None
        return eol

    def _blank_comments(self, text: str, source: bool) -> str:
        """Replace `(* ... *)` comments by spaces (newlines kept) and remember their text.

        In source tests, thread bodies are left alone: there `(*` is C syntax, and `//`, `/* */`
        comments belong to the body grammar (braces inside them must not count). Where each
        body's `{` is closed is kept (`self.bodies`: the thread reader finds it there).
        """
        out: list[str] | None = None  # the characters, copied at the first comment blanked
        i, depth = 0, 0
        body_depth: int | None = None
        self.bodies: dict[int, int] = {}
        body_start = 0
        seen_brace = False  # before the initial state's `{`: herd reads the header by lines
        while i < len(text):
            # jump to the next character that matters (the others are kept as they are)
            stop = (COMMENT_OR_BRACE if body_depth is not None else _OUTSIDE_STOP).search(text, i)
            if stop is None:
                break
            i = stop.start()
            c = text[i]
            if body_depth is not None:
                after = skip_c_comment(text, i, self.raw)
                if after is not None:
                    i = after
                    continue
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth == body_depth:
                        body_depth = None
                        self.bodies[body_start] = i
                i += 1
                continue
            if source and text.startswith("//", i):  # herd's C tests: `//` to the end of line
                end = text.find("\n", i)
                end = len(text) if end < 0 else end
                kept = text[i + 2 : end].strip()
                if kept and "(*" not in kept and "*)" not in kept:  # printed back as (* ... *)
                    self.comments.append(kept)
                out = list(text) if out is None else out
                out[i:end] = " " * (end - i)
                i = end
                continue
            if text.startswith("(*", i):
                eol = None if source or seen_brace else self._header_line_comment(text, i)
                if eol is not None:  # herd skips the line
                    self.comments.append(text[i + 2 : eol].strip())
                    out = list(text) if out is None else out
                    out[i:eol] = " " * (eol - i)
                    i = eol
                    continue
                end = self._comment_end(text, i)
                self.comments.append(text[i + 2 : end - 2].strip())
                out = list(text) if out is None else out
                for k in range(i, end):
                    if out[k] != "\n":
                        out[k] = " "
                i = end
                continue
            if c == '"' and depth == 0:
                j = text.find('"', i + 1)
                i = len(text) if j < 0 else j + 1
                continue
            seen_brace = seen_brace or c == "{"
            if source and c == "{":
                if depth == 0 and _BODY_HEAD.search(text[max(0, i - 400) : i]):
                    body_depth, body_start = depth, i
                depth += 1
            elif source and c == "}":
                depth -= 1
            i += 1
        return text if out is None else "".join(out)

    # -- header and metadata ------------------------------------------------------------------

    def _header(self, pos: int) -> tuple[int, str, str]:
        text = self.src.text
        eol = text.find("\n", pos)
        eol = len(text) if eol < 0 else eol
        line = text[pos:eol]
        m = re.match(r"[ \t]+(\S+)", line)
        if not m:
            raise self.src.error(
                f"expected a test name after {self.arch!r}", pos + len(line.rstrip()) or pos
            )
        name = m.group(1)
        rest = line[m.end() :].strip()
        rest_at = pos + m.end()
        texname = re.match(r"\(\s*[^()]*\)", rest)  # herd's optional `(texname)`
        if texname:
            rest = rest[texname.end() :].strip()
        doc = ""
        if rest.startswith('"'):
            end = text.find('"', text.find('"', rest_at) + 1)
            if end < 0:  # herd's splitter skips the text, as any before the initial state
                self.comments.append(rest)
                return eol, name, doc
            doc = text[text.find('"', rest_at) + 1 : end]
            tail_end = text.find("\n", end)
            tail_end = len(text) if tail_end < 0 else tail_end
            tail = text[end + 1 : tail_end].strip()
            if tail not in ("", ";"):
                raise self.src.error(f"unexpected {clip(tail)} after the description", end + 1)
            return tail_end, name, doc
        if rest not in ("", ";"):
            raise self.src.error(
                f"unexpected {clip(rest)} after the test name (a description goes in double quotes)",
                rest_at + line[m.end() :].find(rest[0]),
            )
        return eol, name, doc

    def _metadata(self, pos: int) -> tuple[int, list[tuple[str, str]], str]:
        """Lines between the header and `{`: a quoted description and `Key=Value` lines."""
        text, info, doc = self.src.text, [], ""
        while True:
            pos = _skip_space(text, pos)
            if pos >= len(text):
                raise self.src.error(
                    "expected '{' to open the initial state, found end of input", pos
                )
            if text[pos] == "{":
                return pos, info, doc
            if text[pos] == '"':
                end = text.find('"', pos + 1)
                if end < 0:  # never closed: herd's splitter skips the line (its herding-cats
                    # MP+dmb+fri-rfi-ctrlisb+BIS), as any text before the initial state
                    eol = text.find("\n", pos)
                    eol = len(text) if eol < 0 else eol
                    self.comments.append(text[pos:eol].strip())
                    pos = eol
                    continue
                if doc:
                    raise self.src.error(
                        "a test has one quoted description; found a second one", pos
                    )
                doc = text[pos + 1 : end]
                pos = end + 1
                continue
            eol = text.find("\n", pos)
            eol = len(text) if eol < 0 else eol
            m = _INFO_LINE.fullmatch(text[pos:eol].rstrip())
            if not m and _HEADER_WORDS.fullmatch(text[pos:eol].strip()):
                # words before the initial state that are not `key=value` (herd's A181 has a
                # lone word, AArch64.ASL's NOP `variant ASL`): herd's splitter reads past such
                # a line; kept as a comment
                self.comments.append(text[pos:eol].strip())
                pos = eol
                continue
            if not m:
                raise self.src.error(
                    f"expected '{{' to open the initial state (or a Key=Value line), found {self.src.found(pos)}",
                    pos,
                )
            if m.group(1).lower() == "variant":
                self._check_variant(m.group(2), pos + m.start(2))
            info.append((m.group(1), m.group(2).strip()))
            pos = eol

    def _check_variant(self, value: str, pos: int) -> None:
        """herd's `Variant=` switches on parts of its models fencelab does not have: refused at
        the variant, naming it (the others, `mixed`, `Quad`, `telechat`..., change nothing)."""
        for word in re.finditer(r"[A-Za-z0-9_-]+", value):
            what = UNMODELLED_VARIANTS.get(word.group(0).lower())
            if what:
                raise self.src.error(
                    f"herd's Variant={word.group(0)} ({what}) is not modelled by fencelab",
                    pos + word.start(),
                )

    # -- initial state ------------------------------------------------------------------------

    def _simd_fp(self, found: re.Match, base: int = 0) -> SourceError:
        """herd's AArch64.neon registers (`0:V0.2D`, `0:Q1`, `0:S2`), in the initial state or
        the condition: one refusal, at the register."""
        return self.src.error(f"SIMD&FP registers ({clip(found.group(0))}, herd's AArch64.neon "
                              "tests) are not modelled", base + found.start())  # fmt: skip

    def _init(self, pos: int) -> tuple[int, list[RegInit]]:
        text = self.src.text
        close = text.find("}", pos + 1)
        inner_open = text.find("{", pos + 1)
        item_start = pos + 1
        while inner_open >= 0 and close >= 0 and inner_open < close:  # `v[2] = {1,2}`
            item_start = max(item_start, text.rfind(";", item_start, inner_open) + 1)
            simd = _SIMD_FP_REGISTER.search(text, item_start, inner_open)
            if simd:  # `0:V0.4S={1,2,3,4}`
                raise self._simd_fp(simd)
            if not re.search(r"\]\s*=\s*$", text[item_start:inner_open]):
                raise self.src.error(
                    "structured values in the initial state are not supported (only arrays: "
                    "v[2]={1,2})",
                    inner_open,
                )
            item_start = close + 1
            close = text.find("}", close + 1)
            inner_open = text.find("{", inner_open + 1)
        if close < 0:
            raise self.src.error("expected '}' to close the initial state, found end of input", pos)
        reg_inits: list[RegInit] = []
        start = pos + 1
        for item_text, at in _split_items(text[start:close], start):
            self._init_item(item_text, at, reg_inits)
        return close + 1, reg_inits

    def _init_item(self, item: str, at: int, reg_inits: list[RegInit]) -> None:
        left, eq, right = item.partition("=")
        array = _array_declarator(left)
        if array and not re.match(r"P?\d+\s*:", left.strip()):
            self._array_item(array, right.strip() if eq else None, at, item)
            return
        left_s = left.strip()
        if re.search(_MEMORY_TAG, item):
            raise self.src.error(f"memory tags ({clip(item.strip())}, herd's Variant=memtag) "
                                 "are not modelled", at)  # fmt: skip
        system = _SYSTEM_REGISTER.match(left_s) if self.arch == "AArch64" else None
        if system:  # herd's MTE tests set GCR_EL1, its NV2 tests VNCR_EL2
            raise self.src.error(f"system registers ({clip(system.group(0))}) are not modelled", at)
        simd = _SIMD_FP_REGISTER.search(item)
        if self.arch == "AArch64" and simd:  # herd's `uint128_t 0:V0.2D`
            raise self._simd_fp(simd, at - (len(item) - len(item.lstrip())))  # `at`: its first word
        if re.search(_PAGE_TABLE, item):
            raise self.src.error(f"page-table entries and physical addresses ({clip(item.strip())}, "
                                 "herd's Variant=vmsa) are not modelled", at)  # fmt: skip
        m = _INIT_LEFT.search(left_s)
        if not m or (eq and not right.strip()) or "==" in item:
            raise self.src.error(f"cannot read initial-state item {clip(item.strip())}", at)
        ctype = left_s[: m.start()].strip()
        lhs = re.sub(r"\s+", "", m.group(1))
        if ctype and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ \t]*\**|\*+", ctype):
            raise self.src.error(f"cannot read initial-state item {clip(item.strip())}", at)
        value_at = at + len(left.lstrip()) + 1 + len(right) - len(right.lstrip())
        value = self._init_value(right.strip(), value_at) if eq else 0
        reg = re.fullmatch(r"P?(\d+):(%?[A-Za-z_]\w*)", lhs)  # herd's `P0:X1` is `0:X1`
        if reg:
            if ctype and ctype_width(ctype) is None:
                if not self._untyped_register(reg, ctype, value, at):
                    note = UNTYPED_REGISTER if _TYPE_WORD.fullmatch(ctype) else ""
                    raise self.src.error(unknown_type(ctype, clip(lhs), note), at)
                ctype = ""  # herd's default type, `int`
            self._check_register_value(reg.group(2), ctype, value, value_at)
            tid, name = self._int(reg.group(1), at), self._register_name(reg.group(2))
            if eq:
                self._register_once(tid, reg.group(2), lhs, value, at)
            else:  # `int64_t 0:X0;` declares a type: the value given before, if any, stays
                value = self.reg_values.get((tid, name), value)
            # a register declared and given its value apart (`0:W0=1; int64_t 0:X0;`, either
            # order) has that value and type in each of its items
            ctype = normalise_ctype(ctype)
            same = [k for k, r in enumerate(reg_inits)
                    if r.tid == tid and self._register_name(r.reg) == name]  # fmt: skip
            ctype = ctype or next((reg_inits[k].ctype for k in same if reg_inits[k].ctype), "")
            for k in same:
                reg_inits[k] = replace(reg_inits[k], value=value, ctype=ctype)
            reg_inits.append(RegInit(tid, reg.group(2), value, ctype, self.src.pos(at)))
            return
        if lhs.startswith("%"):
            if self.asm_arch is None or not self.asm_arch.symbolic_pool:
                raise self.src.error(
                    f"symbolic register {lhs!r} needs a thread: write T:{lhs}", at
                )
            # herd's ARM tests (`%x0=x`): the register belongs to the thread using it
            self._check_register_value(lhs, ctype, value, value_at)
            self._register_once(None, lhs, lhs, value, at)
            self.unplaced.append((lhs, value, normalise_ctype(ctype), at))
            return
        name = lhs.strip("[]").strip()
        if isinstance(value, LocRef) and self.arch == "RUST":
            raise self.src.error(
                f"location {name!r} initialised with the address of {value.name!r}: "
                "pointers in memory are not supported in RUST tests",
                value_at,
            )
        self.locs.declare(name, ctype, value if eq else None, at)

    def _register_once(self, tid: int | None, reg: str, lhs: str, value: Value, at: int) -> None:
        """A register is given one initial value, as a location is (`Locations.declare`): a
        second, different one is refused, not the last taken (`0:X1=x; 0:W1=y` name one
        register, as herd prints it)."""
        if self.reg_values.setdefault((tid, self._register_name(reg)), value) != value:
            raise self.src.error(f"register {lhs!r} initialised twice", at)

    def _register_name(self, reg: str) -> str:
        """One name for the spellings of a register (`X1`, `W1`: `#1`; `eax`, `rax`: `rax`)."""
        number = self.asm_arch.numbered_register if self.asm_arch else None
        same = number.fullmatch(reg) if number else None
        return f"#{int(same.group(1))}" if same else (
            self.asm_arch.register_of(reg) if self.asm_arch else reg)  # fmt: skip

    def _untyped_register(self, reg: re.Match, ctype: str, value: Value, at: int) -> bool:
        """herd reads a register declared with a type it does not know (`unit64_t 0:X1=1`,
        its A73) and gives it the value. fencelab does too where the type cannot matter: a
        word of up to 40 characters, a value from 0 to 2^31-1 (the same register bits
        whatever the type), a register the condition does not print (`_read_observable`);
        the register is read as herd's default `int`."""
        if not _TYPE_WORD.fullmatch(ctype) or ctype == "ins_t" or not isinstance(value, int) \
                or not 0 <= value < 1 << 31:  # fmt: skip
            return False
        self.untyped[(int(reg.group(1)), reg.group(2).lower())] = (ctype, at)
        return True

    def _array_item(self, m: tuple[str, str, str], right: str | None, at: int,
                    item: str) -> None:  # fmt: skip
        """`int64_t v[2] = {1,2};` declares an array, with a value for each element or none (all
        0); `v[1] = 5;` is refused, as herd refuses it (its stateParser.mly: "prohibit v[i] =
        scalar form in init"). Element k is the location `v[k]` (`v` for element 0), laid out
        after element k-1."""
        if self.arch == "RUST":
            raise self.src.error("arrays are not supported in RUST tests", at)
        ctype, name, count = m
        if ctype or count and name not in self.locs.arrays:  # a declaration
            if not count:
                raise self.src.error(f"array {name!r} needs a size: {name}[N]", at)
            values: list[Value] = []
            if right is not None:
                inner = re.fullmatch(r"\{(.*)\}", right, re.S)
                if not inner:
                    raise self.src.error(f"cannot read the values of array {clip(name)}: {clip(right)}", at)
                values = [self._init_value(v.strip(), at) for v in inner.group(1).split(",")
                          if v.strip()]  # fmt: skip
            size = self._int(count, at)
            if size < 1 or len(values) > size or (right is not None and len(values) != size):
                raise self.src.error(f"array {name!r} of {size} has {len(values)} values (herd: "
                                     "the declared size must match the values)", at)  # fmt: skip
            self.locs.arrays[name] = size
            for k in range(size):
                element = array_element(name, k)
                self.locs.declare(element, ctype, values[k] if k < len(values) else 0, at)
                self.locs.infos[element].array = (name, k)
            return
        if name not in self.locs.arrays or right is None:
            raise self.src.error(f"cannot read initial-state item {clip(item.strip())}", at)
        raise self.src.error(f"{clip(item.strip())}: herd refuses an element set alone in the "
                             f"initial state; give every element's value where {name!r} is "
                             f"declared ({name}[{self.locs.arrays[name]}]={{...}})", at)  # fmt: skip

    def _check_register_value(self, reg: str, ctype: str, value: Value, at: int) -> None:
        """A register's initial value must fit the register; a narrower declared type wraps
        it, as herd does (`int16_t 0:X0=65537` holds 1)."""
        if isinstance(value, LocRef):
            return
        bits = 64 if self.is_source else self.asm_arch.reg_width(reg)
        if not fits(value, bits):
            raise self.src.error(
                f"initial value {value} of {reg!r} does not fit its {bits}-bit register", at
            )

    def _place_symbolic(self, threads: list[Thread]) -> list[RegInit]:
        """`%x0=x` without a thread: herd gives it to the thread whose code names `%x0`."""
        out = []
        for name, value, ctype, at in self.unplaced:
            pattern = re.compile(re.escape(name) + r"(?!\w)")
            users = [t.tid for t in threads if any(pattern.search(c.text) for c in t.asm)]
            if not users:
                raise self.src.error(f"symbolic register {name!r} is used by no thread", at)
            out += [RegInit(tid, name, value, ctype, self.src.pos(at)) for tid in users]
        return out

    def _int(self, digits: str, at: int, base: int = 10) -> int:
        """A number of the initial state (a bounded `read_int`: an error at `at`)."""
        try:
            return read_int(digits, base)
        except NumberTooLong as e:
            raise self.src.error(str(e), at) from None

    def _init_value(self, text: str, at: int) -> Value:
        if _NEGATIVE_HEX.match(text):
            raise self.src.error(_negative_hex(text), at)
        try:
            num = parse_int(text)
        except NumberTooLong as e:
            raise self.src.error(str(e), at) from None
        if num is not None:
            return num
        m = re.fullmatch(rf"&?\s*({_IDENT})\s*(?:\[\s*(\d+)\s*\])?", text)
        if m and text == "NOP" and self.arch == "AArch64":  # herd's self tests: `0:X0=NOP`
            raise self.src.error(f"{text} {CODE_AS_DATA}", at)
        if m:
            name = array_element(m.group(1), self._int(m.group(2) or "0", at))
            self.locs.touch(name)
            return LocRef(name)
        if re.fullmatch(r"P\d+:\w+|(?:instr|label)\s*:.*", text):  # `P1:L0`, `instr:"NOP"`
            raise self.src.error(f"{clip(text)} {CODE_AS_DATA}", at)
        if _PAC_VALUE.match(text):  # herd's `0:X0=pac(x, da, 42, 7)`
            raise self.src.error(f"{clip(text)} {_PAC_WHY}", at)
        call = re.match(rf"({_IDENT})\s*\(", text)
        if call and self.is_source and linux_primitive(call.group(1)):  # `ATOMIC_INIT(0)`
            raise self.src.error(linux_refusal(call.group(1)), at)
        raise self.src.error(
            f"unsupported initial value {clip(text)}; expected a number or a location name", at
        )

    # -- assembly thread table ----------------------------------------------------------------

    def _table(self, pos: int) -> tuple[list[Thread], int]:
        """The thread table as herd's lexers read it: a line break is a blank, so the header
        and a row may go on across lines, up to the `;` that ends them, and a cell up to its
        `|` (herd's `semi_opt proc_list iol_list`; its splitter ends the code at the word
        that starts the condition, `_code_end`)."""
        text = self.src.text
        nthreads, pos = self._table_header(text, pos)
        cells: list[list[AsmLine]] = [[] for _ in range(nthreads)]
        labels: list[set[str]] = [set() for _ in range(nthreads)]  # `_check_cell`
        row = 0
        while True:
            pos = _skip_space(text, pos)
            if pos >= len(text) or TRAILER_START.match(text, pos):
                break
            semi = self._row_end(text, pos)
            stop = _code_end(text, pos, semi if semi >= 0 else len(text))
            if stop is not None or semi < 0:  # at the end of the row, or at the word
                found = repr(_CODE_END.match(text, stop).group(0)) if stop is not None else (
                    "end of input")
                end = pos + len(text[pos:stop].rstrip())
                raise self.src.error(f"expected ';' after instruction row, found {found}",
                                     end if "\n" in text[end:stop] or semi < 0 else stop)
            parts = text[pos:semi].split("|")
            if len(parts) > nthreads:
                raise self._row_too_long(parts, pos, nthreads)
            if len(parts) < nthreads:
                raise self.src.error(
                    f"instruction row has {len(parts)} cell(s) but the table has {nthreads} threads; "
                    "expected '|'",
                    semi,
                )
            at = pos
            for tid, part in enumerate(parts):
                lead = len(part) - len(part.lstrip())
                cell = part.strip()
                gap = _LOCK_GAP.match(cell) if self.arch in _LOCK_ARCHES else None
                if gap and gap.end() == len(cell):  # herd's grammar: an instruction follows
                    raise self.src.error(f"'LOCK' needs its instruction after it, found "
                                         f"{self.src.found(at + len(part))}", at + len(part))
                # herd's `LOCK ;` before the instruction: checked as blanks, kept as one space
                checked = (cell[: gap.start(2)] + " " * len(gap.group(2)) + cell[gap.end():]
                           if gap else cell)  # fmt: skip
                self._check_cell(checked.replace("\n", " "), at + lead, tid, labels[tid])
                height = cell.count("\n") + 1  # the lines of the file the cell takes
                if gap:
                    cell = f"{gap.group(1)} {cell[gap.end():]}"
                cell = _LINE_BREAK.sub(" ", cell)  # a cell across lines is one line of text
                cells[tid].append(AsmLine(cell, row, self.src.pos(at + (lead if cell else 0)),
                                          height))  # fmt: skip
                for name in self.asm_arch.named_locations(cell):
                    self.locs.touch(name)
                at += len(part) + 1
            pos, row = semi + 1, row + 1
        threads = [Thread(tid, f"P{tid}", asm=tuple(lines)) for tid, lines in enumerate(cells)]
        return threads, pos

    def _table_header(self, text: str, pos: int) -> tuple[int, int]:
        """`P0 | P1 ... ;` (herd reads `P0:` too, its AArch64.neon V59; and a `;` before it,
        its `semi_opt`): the number of threads and where the rows start."""
        pos = _skip_space(text, pos)
        if text.startswith(";", pos):
            pos = _skip_space(text, pos + 1)
        semi = text.find(";", pos)
        if semi < 0:
            raise self.src.error(
                f"expected the thread table header 'P0 | P1 ... ;', found {self.src.found(pos)}",
                pos,
            )
        at = pos
        for tid, part in enumerate(text[pos:semi].split("|")):
            cell = part.strip()
            cell_at = at + len(part) - len(part.lstrip())
            name = re.match(rf"P{tid}:?(?![\w:])", cell)
            if name is None:
                raise self.src.error(
                    f"expected 'P{tid}' in the thread table header, found "
                    f"{clip(cell.splitlines()[0] if cell else cell)}",
                    cell_at if cell else at,
                )
            if name.end() < len(cell):  # `P1 MOV ...`: the header's `;` is missing
                rest = cell_at + name.end()
                raise self.src.error(f"expected '|' or ';' after {name.group(0)!r} in the "
                                     f"thread table header, found {self.src.found(rest)}",
                                     _skip_space(text, rest))  # fmt: skip
            at += len(part) + 1
        return tid + 1, semi + 1

    def _row_too_long(self, parts: list[str], pos: int, nthreads: int) -> SourceError:
        """A row with more cells than the table has threads: its `;` is missing where its last
        cell goes on to the next line (`NOP | NOP` above `NOP | NOP ;`), else the `|` is one
        too many."""
        last = parts[nthreads - 1].strip()
        if "\n" in last:
            end = pos + sum(len(p) + 1 for p in parts[: nthreads - 1])
            end += parts[nthreads - 1].index(last) + last.index("\n")
            end = pos + len(self.src.text[pos:end].rstrip())
            word = last[last.index("\n"):].split()[0]
            return self.src.error(f"expected ';' after instruction row, found "
                                  f"{clip(word, 20)} on the next line", end)  # fmt: skip
        bar = pos + sum(len(p) + 1 for p in parts[:nthreads]) - 1
        return self.src.error(
            f"expected ';' after instruction row (the table has {nthreads} "
            f"thread{'s' if nthreads > 1 else ''}), found '|'",
            bar,
        )

    def _row_end(self, text: str, pos: int) -> int:
        """The `;` ending the row that starts at `pos` (-1: none). In x86 tests a cell that is
        `LOCK` (after any labels) takes the instruction after it, past a `;` (herd's
        `I_LOCK semi_opt instr`): that `;` is the cell's, and the row goes on."""
        semi = text.find(";", pos)
        while self.arch in _LOCK_ARCHES and semi >= 0:
            if not _LOCK_CELL.fullmatch(text, text.rfind("|", pos, semi) + 1 or pos, semi):
                break
            after = _skip_space(text, semi + 1)
            if after >= len(text) or text[after] in "|;" or TRAILER_START.match(text, after):
                raise self.src.error("'LOCK' needs its instruction after it, found "
                                     f"{self.src.found(after)}", after)  # fmt: skip
            semi = text.find(";", after)
        return semi

    def _check_cell(self, cell: str, at: int, tid: int, labels: set[str]) -> None:
        """An instruction is printable ASCII and starts with its mnemonic (after any labels):
        what else reaches the assembler can hang it (fencelab/isa/assembler.py). A label is
        defined once in its thread (`labels`: those before it)."""
        bad = NOT_PRINTABLE.search(cell)
        if bad:
            raise self.src.error(f"{describe_char(bad.group())} in an instruction (instructions "
                                 "are printable ASCII)", at + bad.start())  # fmt: skip
        start = 0
        label = _CELL_LABEL.match(cell)
        while label:
            name = label.group(0).rstrip(" \t:")
            if name in labels:
                raise self.src.error(f"P{tid}: label {name!r} defined twice", at + start)
            labels.add(name)
            start = label.end()
            label = _CELL_LABEL.match(cell, start)
        if start < len(cell) and not _MNEMONIC_START.match(cell[start]):
            raise self.src.error(f"expected an instruction, found {clip(cell[start:], 20)}",
                                 at + start)  # fmt: skip

    # -- trailer: locations, filter, final condition ------------------------------------------

    def _trailer(
        self, pos: int, threads: list[Thread]
    ) -> tuple[tuple[Observable, ...], Prop | None, Condition]:
        text = self.src.text
        line, col = self.src.where(pos)
        simd = _SIMD_FP_REGISTER.search(text, pos) if self.arch == "AArch64" else None
        if simd:  # herd's `0:V0.4S={1,1,1,1}` (its AArch64.neon V59)
            raise self._simd_fp(simd)
        try:
            tree, self._place = grammars.parse("trailer", text[pos:], line, col)
        except UnexpectedInput as e:
            feature = _HERD_CONDITION_FEATURES.search(text, pos)
            if feature:  # herd's atoms fencelab has no model for: named, not a syntax error
                what = next(w for w, g in zip(_CONDITION_FEATURE_NAMES, feature.groups()) if g)
                raise self.src.error(f"{clip(feature.group(0))} in the condition: {what}",
                                     feature.start()) from None  # fmt: skip
            trailer = grammars.padded(text[pos:], line, col)
            raise grammars.lark_error(e, grammars.parser("trailer"), trailer, self.file,
                                      "the condition") from None  # fmt: skip
        observed: tuple[Observable, ...] = ()
        filt: Prop | None = None
        condition = Condition("forall", TrueProp())  # herd: no condition is `forall (true)`
        self._threads = threads
        self._declared_by: dict[int, set[str]] = {}
        known = self._named_before_trailer(threads)
        for part in tree.children:
            if part.data == "locations":  # an array named alone: all of it, as herd has it
                observed = tuple(self._observable(c, whole=True) for c in part.children)
            elif part.data == "filter":
                filt = self._prop(part.children[0])
            elif part.data == "final":
                condition = Condition(_quantifier(part.children[0]), self._prop(part.children[1]))
                self._check_condition_names(part.children[1], known)
            elif part.data == "exists_final":  # herd's `final P` and `(P)`
                condition = Condition("exists", self._prop(part.children[-1]))
                self._check_condition_names(part.children[-1], known)
            elif part.data == "observed":  # herd's `observed a; b; and c;`: one of the lists
                ors = [_conjunction([self._prop(atom) for atom in group.children])
                       for group in part.children[1:]]  # fmt: skip
                condition = Condition("exists", ors[0] if len(ors) == 1 else Or(tuple(ors)))
                self._check_condition_names(part, known)
            elif part.data == "kinds":  # read and ignored, as herd does; kept as a comment
                self.comments.append("with " + "; ".join(
                    f"{k.children[0]}:{_quantifier(k.children[1])}"
                    for k in part.children))  # fmt: skip
        return observed, filt, condition

    def _at(self, token) -> tuple[int, int]:
        """Where a token of the condition's (shared) tree is in the file (0, 0: no token)."""
        if token is None:
            return 0, 0
        return self._place.of(token.line, token.column)

    def _named_before_trailer(self, threads: list[Thread]) -> set[str]:
        """What a test names before its condition: the initial state's locations and location
        values, and what its code uses (a C parameter, a Rust test's location the code makes;
        the words of assembly code: x86's `[x]`)."""
        words = {w for t in threads for c in t.asm for w in _WORD.findall(c.text)}
        return set(self.locs.infos) | words

    def _check_condition_names(self, tree: Tree, known: set[str]) -> None:
        """herd refuses a final condition naming a location that neither the initial state
        nor the code names ('Post-condition introduces new symbolic location(s)'); so does
        fencelab, rather than inventing the location with value 0."""
        for token in tree.scan_values(lambda v: getattr(v, "type", "") == "NAME"):
            name = _element_name(str(token))
            if name not in known and "[" not in name:  # elements: the array checks name them
                raise SourceError(
                    f"the condition names location {name!r}, which neither the initial state "
                    "nor the code names (herd: 'Post-condition introduces new symbolic "
                    f"location(s)'); declare it in the initial state, e.g. '{name}=0;'",
                    self.file, *self._at(token))  # fmt: skip

    def _prop(self, tree: Tree) -> Prop:
        try:
            return self._read_prop(tree)
        except NumberTooLong as e:  # the innermost token with a position names the place
            raise SourceError(str(e), self.file, *self._at(_first_token(tree))) from None

    def _read_prop(self, tree: Tree) -> Prop:
        kind = tree.data
        if kind == "true":
            return TrueProp()
        if kind == "false":
            return Not(TrueProp())
        if kind == "not_":
            return Not(self._prop(tree.children[-1]))
        if kind == "implies_":  # herd's `p => q`, read as `~p \/ q`
            then = self._prop(tree.children[1])
            rest = then.parts if isinstance(then, Or) else (then,)
            return Or((Not(self._prop(tree.children[0])), *rest))
        if kind in ("or_", "and_"):
            parts: list[Prop] = []
            for child in tree.children:
                p = self._prop(child)
                same = (kind == "or_" and isinstance(p, Or)) or (
                    kind == "and_" and isinstance(p, And)
                )
                if same:  # `a /\ (b /\ c)`, `x={1,0}` and `p => q` flatten alike
                    parts.extend(p.parts)
                else:
                    parts.append(p)
            return Or(tuple(parts)) if kind == "or_" else And(tuple(parts))
        if kind in ("eq", "ne"):
            obs = self._observable(tree.children[0])
            value_tree = tree.children[2]
            token = value_tree.children[0]
            if value_tree.data == "ints":  # herd's `x={1,0}`: every element of array x
                atom = self._array_values(tree.children[0], value_tree.children, token)
                return atom if kind == "eq" else Not(atom)
            if value_tree.data == "int":
                value: Value = self._typed_constant(obs, token)
            else:
                self.locs.touch(_element_name(str(token)))
                value = LocRef(_element_name(str(token)))
            atom = Eq(obs, value)
            return atom if kind == "eq" else Not(atom)
        raise SourceError(f"unexpected {kind} in condition", self.file)  # pragma: no cover

    def _array_values(self, tree: Tree, tokens, at) -> Prop:
        """`x={1,0}`: array `x` as a whole (herd prints it so), one value for each element."""
        name = re.sub(r"\s+", "", str(tree.children[0]))
        if tree.data != "loc" or self.locs.arrays.get(name) != len(tokens):
            raise SourceError(f"{name}={{...}} needs {name} to be an array of {len(tokens)} "
                              "elements", self.file, *self._at(at))  # fmt: skip
        elements = [LocObs(element_observable(name, i)) for i in range(len(tokens))]
        return Eq(LocObs(name), tuple(self._typed_constant(e, t)
                                      for e, t in zip(elements, tokens, strict=True)))  # fmt: skip

    def _typed_constant(self, obs: Observable, token) -> int:
        """A condition's number read in the type of what it names (`0:X0=0xffffffffffffffff`
        is -1 for an `int` register, `x=255` is -1 for an `int8_t` x)."""
        if _NEGATIVE_HEX.match(str(token)):
            raise SourceError(_negative_hex(str(token)), self.file, *self._at(token))
        try:
            number = parse_int(str(token))
        except NumberTooLong as e:
            raise SourceError(str(e), self.file, *self._at(token)) from None
        if isinstance(obs, RegObs):
            typ = ValueType(64) if self.is_source else (
                declared_register_type(self.reg_inits, obs.tid, obs.reg) or ValueType())
        else:
            typ = self.locs.value_type(location_name(obs.name))
        bits = max(64, typ.width)  # 128 for a `__int128` location
        if not fits(number, bits):
            raise SourceError(f"condition value {token} does not fit in {bits} bits", self.file,
                              *self._at(token))  # fmt: skip
        return typ.wrap(number)

    def _observable(self, tree: Tree, whole: bool = False) -> Observable:
        try:
            return self._read_observable(tree, whole)
        except NumberTooLong as e:
            token = tree.children[0]
            raise SourceError(str(e), self.file, *self._at(token)) from None

    def _declared(self, tid: int) -> set[str]:
        """The variables thread `tid` declares, found once per test."""
        known = self._declared_by.get(tid)
        if known is None:
            known = self._declared_by[tid] = declared_variables(self._threads[tid])
        return known

    def _read_observable(self, tree: Tree, whole: bool = False) -> Observable:
        """`T:REG`, or a location: an array element spelled as herd prints it (`v[0]`, `v[1]`;
        a bare array name is its element 0, or with `whole` the array itself)."""
        token = tree.children[0]
        if tree.data == "loc":
            name = _element_name(str(token))
            self.locs.touch(name)
            info = self.locs.infos[name]
            if info.array[0]:
                array, index = info.array
                bare = "[" not in str(token)
                return LocObs(array if whole and bare else element_observable(array, index))
            return LocObs(name)
        tid_text, reg = _SPACES.sub("", str(token)).split(":", 1)
        tid = read_int(tid_text.removeprefix("P"))  # herd's `P1:X0` is `1:X0`
        if (tid, reg.lower()) in self.untyped:
            ctype, at = self.untyped[(tid, reg.lower())]
            raise SourceError(
                f"{tid}:{reg} is printed in its declared type, {clip(ctype)} (line "
                f"{self.src.where(at)[0]}), which fencelab does not know; known: {known_types()}",
                self.file, *self._at(token))  # fmt: skip
        if tid >= len(self._threads):
            raise SourceError(
                f"{tid}:{reg} names thread P{tid}, but the test has {len(self._threads)} thread(s)",
                self.file,
                *self._at(token),
            )
        if self.is_source and reg not in self._declared(tid):
            raise SourceError(
                f"{tid}:{reg} is not a variable of P{tid} (declare it in the thread)",
                self.file,
                *self._at(token),
            )
        return RegObs(tid, reg, Pos(*self._at(token)))


# ---------------------------------------------------------------------------------------------
# small helpers

_TYPE_WORD = re.compile(r"[A-Za-z_]\w{0,39}")  # a misspelled type: one word (not `int *`)
UNTYPED_REGISTER = ("herd reads the register's value; fencelab does for a value from 0 to 2^31-1 "
                    "of a register the condition does not print")


_ELEMENT_SPELLING = re.compile(r"\s*([A-Za-z_][\w.]*)\s*\[\s*(\d+)\s*\]\s*")


def _element_name(text: str) -> str:
    """`v[0]` -> `v`, `v[ 1 ]` -> `v[1]`, `x` -> `x` (a condition's spelling of an element)."""
    m = _ELEMENT_SPELLING.fullmatch(text)
    return array_element(m.group(1), read_int(m.group(2))) if m else text.strip()


def _array_declarator(left: str) -> tuple[str, str, str] | None:
    """`int64_t v[2]` -> ("int64_t", "v", "2"), `v[1]` -> ("", "v", "1"); None if `left` is
    not one (found from the right, in linear time)."""
    text = left.strip()
    if not text.endswith("]") or "[" not in text:
        return None
    head, _, count = text[:-1].rpartition("[")
    count = count.strip()
    if not re.fullmatch(r"[0-9]*", count):
        return None
    head = head.rstrip()
    name = _TRAILING_IDENT.search(head)
    if not name:
        return None
    return head[: name.start()].strip(), name.group(0), count


def _code_end(text: str, start: int, stop: int) -> int | None:
    """Where herd's splitter ends the code between `start` and `stop` (a word that starts the
    condition, `_CODE_END`), or None."""
    for m in _CODE_END.finditer(text, start, stop):
        i = m.start()
        while i > start and text[i - 1] in _NAME_CHARS:
            i -= 1
        if not any(c.isalpha() for c in text[i : m.start()]):  # not inside an earlier name
            return m.start()
    return None


def _skip_space(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()  # (`\s` is `str.isspace`: Py_UNICODE_ISSPACE)


def _split_items(text: str, offset: int):
    """`;`-separated items with the offset of each item's first non-blank character."""
    at = 0
    for piece in text.split(";"):
        stripped = piece.strip()
        if stripped:
            yield piece, offset + at + (len(piece) - len(piece.lstrip()))
        at += len(piece) + 1


def parse_int(text: str) -> int | None:
    """A number as herd writes one (`-3`, `0x1f`), None if `text` is not one; `NumberTooLong`."""
    m = _INT.fullmatch(text.strip())
    if not m:
        return None
    value = read_int(m.group(2), 16 if m.group(2)[:2].lower() == "0x" else 10)
    return -value if m.group(1) == "-" else value


def _quantifier(token) -> str:
    """`exists`, `forall` or `~exists` (herd's `~` or `not`, then any blank, then `exists`)."""
    text = str(token)
    return "~exists" if text[0] in "~n" else text


_NEGATIVE_HEX = re.compile(r"-\s*0[xX]")


def _negative_hex(text: str) -> str:
    """The refusal of `-0x1` in the initial state or a condition, as herd's stateLexer has it."""
    return (f"negative hexadecimal number {clip(text)}: herd reads a number as decimal, maybe "
            "negative, or hexadecimal without a sign; write it in decimal")


def _conjunction(atoms: list[Prop]) -> Prop:
    """`a /\\ b ...` of `atoms` (none: true)."""
    if not atoms:
        return TrueProp()
    return atoms[0] if len(atoms) == 1 else And(tuple(atoms))


def _first_token(tree: Tree):
    """The first token under `tree` (None: none)."""
    for token in tree.scan_values(lambda v: hasattr(v, "line")):
        return token
    return None
