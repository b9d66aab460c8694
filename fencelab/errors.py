"""The one kind of error a user sees: a single line, exit status 2."""

from __future__ import annotations


class FencelabError(Exception):
    """Bad input or an unsupported feature, explained in one line (the CLI exits with 2)."""


class SourceError(FencelabError):
    """An error at a place in a file: printed as `file:line:col: message`."""

    def __init__(self, message: str, file: str = "<input>", line: int = 0, col: int = 0):
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return f"{where}: {self.message}"


def in_file(message: str, file: str) -> str:
    """`message` naming `file` first, as a `SourceError` does: an error met after the test was
    read (planning or running it) names the test (`MP: ...`), which two files of a catalogue
    may share. Unchanged when it names the file already."""
    return message if message.startswith(f"{file}:") else str(SourceError(message, file))


def clip(text: str, limit: int = 60) -> str:
    """`text` quoted for a one-line message, its middle cut when longer than `limit`."""
    if len(text) > limit:
        text = text[: limit - 20] + "..." + text[-17:]
    return repr(text)


class AccessError(FencelabError):
    """A memory access a model cannot place (a mixed-size access it does not cover, one
    spanning two locations...). The machine names the instruction that made it (`at`)."""

    def __init__(self, why: str):
        self.why = why
        super().__init__(why)

    def at(self, pc: int, text: str) -> CodeError:
        return CodeError(pc, text, self.why)


class CodeError(FencelabError):
    """An instruction that cannot run: a fault in the emulator (an unmapped address, an
    undefined instruction) or one a model does not cover. `pc` is its address; the pipeline,
    which knows the program, restates it at the user's line (`Program.locate`)."""

    def __init__(self, pc: int, text: str, why: str):
        self.pc = pc
        self.text = text  # as disassembled (the user's spelling is in the program's source map)
        self.why = why
        super().__init__(f"{text!r} at {pc:#x}: {why}")


class NarrowAddress(CodeError):
    """A load narrower than an address that reads a location's address (herd: 'Illegal
    operation mask32'). `explain` names the location once the program is known."""

    def __init__(self, pc: int, text: str, address: int, size: int, bits: int,
                 reads: tuple = ()):  # fmt: skip
        self.address, self.size, self.bits = address, size, bits
        self.reads = reads  # the instruction's reads (`Access`), that one among them
        super().__init__(pc, text, self.explain(f"{address:#x}"))

    def explain(self, name: str) -> str:
        return (f"reads the address of {name} as {self.size} bytes, but an address is "
                f"{self.bits} bits (herd refuses this too: 'Illegal operation mask32')")


class MemoryFault(CodeError):
    """An access to an address that is no location of the test (the emulator faulted)."""
