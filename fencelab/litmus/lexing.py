"""What the test-file reader (`parser.py`) and the source thread reader (`source.py`) share.

`Text` is a test's text with positions (`file:line:col` errors, "found ..." quotes);
`Locations` collects the shared locations a test declares or uses; `BodyContext` is what
reading a source thread body needs from the file around it. Both readers import this module,
neither imports the other's internals.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from fencelab.errors import SourceError, clip
from fencelab.litmus.ast import Location, LocRef, Pos, Value
from fencelab.litmus.types import ValueType, ctype_width, known_types, normalise_ctype, value_type
from fencelab.values import fits

# herd's values that are code (a label's address, an instruction): fencelab has no
# instruction-fetch model, so code is not data
CODE_AS_DATA = ("is code as a value (herd's instruction-fetch tests), which fencelab does not "
                "support: code is not data here")

# where the trailer (locations, filter, the final condition) starts, after the threads: herd's
# constraint keywords (`~` and `exists` are two tokens, any blank between), `with` (test kinds
# after an empty condition) and a bare `(P)`, herd's `exists (P)`
TRAILER_START = re.compile(
    r"(?:(?:~\s*|not\s+)exists|exists|forall|locations|filter|final|cases|observed|Observed"
    r"|with)(?![A-Za-z0-9_])|\("
)


def unknown_type(ctype: str, what: str, note: str = "") -> str:
    """The one line refusing a type: herd's instruction type, or one fencelab does not know
    (`note`: what fencelab would accept instead)."""
    if ctype.replace("*", " ").strip() == "ins_t":  # `ins_t 0:X0`, `ins_t *y`
        return f"type {' '.join(ctype.split())} of {what} {CODE_AS_DATA}"
    return f"unknown type {clip(ctype)} for {what}{f' ({note})' if note else ''}; known: {known_types()}"


class Text:
    """The text of a test with offset -> (line, col) and error helpers."""

    def __init__(self, text: str, file: str):
        self.text = text
        self.file = file
        self._starts = [0, *accumulate(len(line) + 1 for line in text.split("\n")[:-1])]

    def where(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def pos(self, offset: int) -> Pos:
        return Pos(*self.where(offset))

    def error(self, message: str, offset: int) -> SourceError:
        line, col = self.where(offset)
        return SourceError(message, self.file, line, col)

    def found(self, offset: int) -> str:
        """A short quote of the text at `offset`, for "found ..." in messages."""
        rest = self.text[offset:].lstrip()
        if not rest:
            return "end of input"
        word = re.match(r"\S+", rest)
        return repr(word.group(0)[:20] if word else rest[:1])


@dataclass
class LocInfo:
    name: str
    init: Value = 0
    ctype: str = ""
    width: int = 32
    explicit_init: bool = False
    explicit_type: bool = False
    init_at: int = 0  # where the initial value was written, for a range error
    type_at: int = -1  # where its type was written (a declaration, a C parameter list), or -1
    array: tuple[str, int] = ("", 0)  # an array element: (array name, index)


_ELEMENT = re.compile(r"(\w+)\[(\d+)\]")  # `v[1]`: an array element named (`Locations.result`)


@dataclass
class Locations:
    """Shared locations in first-seen order, with what the test declared about each."""

    src: Text
    infos: dict[str, LocInfo] = field(default_factory=dict)
    arrays: dict[str, int] = field(default_factory=dict)  # array name -> element count

    def touch(self, name: str) -> LocInfo:
        if name not in self.infos:
            self.infos[name] = LocInfo(name)
        return self.infos[name]

    def declare(self, name: str, ctype: str, init: Value | None, offset: int) -> None:
        info = self.touch(name)
        if ctype:
            width = ctype_width(ctype)
            if width is None:
                raise self.src.error(unknown_type(ctype, repr(name)), offset)
            if info.explicit_type and normalise_ctype(ctype) != info.ctype:
                raise self.src.error(
                    f"location {name!r} declared twice with different types", offset
                )
            info.ctype, info.width, info.explicit_type = normalise_ctype(ctype), width, True
            info.type_at = offset
        if init is not None:
            if info.explicit_init and info.init != init:
                raise self.src.error(f"location {name!r} initialised twice", offset)
            info.init, info.explicit_init, info.init_at = init, True, offset
            if isinstance(init, LocRef) and not info.explicit_type:
                info.width = 64  # a pointer in memory (`x=y`, `x=&y`): as herd, 64-bit
                info.type_at = offset

    def adopt_type(self, name: str, ctype: str, offset: int) -> None:
        """A type seen elsewhere (a C parameter list, at `offset`): used only if the test
        declared none (for an array, by every element alike)."""
        width = ctype_width(ctype)
        for k in range(self.arrays.get(name, 1)):
            info = self.touch(array_element(name, k))
            if not info.explicit_type and not info.ctype and ctype and width is not None:
                info.ctype, info.width, info.type_at = normalise_ctype(ctype), width, offset

    def result(self) -> tuple[Location, ...]:
        for i in self.infos.values():
            element = "[" in i.name and not i.array[0] and _ELEMENT.fullmatch(i.name)
            if element:
                size = self.arrays.get(element.group(1))
                raise self.src.error(
                    f"{i.name} is outside array {element.group(1)!r} of {size}" if size else
                    f"{i.name}: {element.group(1)!r} is not an array of the initial state", 0
                )  # fmt: skip
            # a declared type wraps a value of up to 64 bits, as herd does (its A15: `int8_t
            # x = 257` holds 1); an undeclared one (int) must fit, and nothing wider than 64 bits
            bits = 64 if i.explicit_type and i.width < 64 else i.width
            if i.explicit_init and isinstance(i.init, int) and not fits(i.init, bits):
                raise self.src.error(
                    f"initial value {i.init} of {i.name!r} does not fit "
                    + (f"its {bits}-bit type {i.ctype or 'int'}" if bits == i.width else
                       f"in {bits} bits"),
                    i.init_at,
                )  # fmt: skip
        return tuple(Location(i.name, i.init, i.ctype, i.width, *i.array,
                              pos=self.src.pos(i.type_at) if i.type_at >= 0 else Pos())
                     for i in self.infos.values())  # fmt: skip

    def value_type(self, name: str) -> ValueType:
        info = self.touch(name)
        return value_type(info.ctype, info.width)


@dataclass
class BodyContext:
    """What reading source thread bodies needs: the language (`C` or `RUST`), the text (comments
    outside the bodies blanked), the locations table to record what the bodies use, and where
    the bodies the comment blanking went through close (the offset of a body's `{` -> that of
    its `}`, found as `skip_c_comment` and brace counting find it; a body not there is looked
    for again)."""

    arch: str
    src: Text
    locs: Locations
    bodies: dict[int, int] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return self.src.file


def array_element(name: str, index: int) -> str:
    """The location name of element `index` of array `name`: `v` for 0, else `v[index]`."""
    return name if index == 0 else f"{name}[{index}]"


# the next place a C/Rust body may hold a comment or a brace (the characters between need no
# look: scanners jump there; each alternative a literal first, which `re` finds by their set)
COMMENT_OR_BRACE = re.compile(r"//|/\*|\{|\}")


def skip_c_comment(text: str, i: int, src: Text) -> int | None:
    """Where a `//` or `/* */` comment starting at `i` ends (None: no comment starts there);
    a `/*` with no `*/` is an error."""
    if text.startswith("//", i):
        j = text.find("\n", i)
        return len(text) if j < 0 else j
    if text.startswith("/*", i):
        j = text.find("*/", i + 2)
        if j < 0:
            raise src.error("unterminated comment: '/*' without a matching '*/'", i)
        return j + 2
    return None
