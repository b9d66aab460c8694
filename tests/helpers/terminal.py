"""Run `fencelab` as a user at a terminal does: under pseudo-terminals, and read the screen.

`in_terminal(args, columns)` runs the command with stdout and stderr on pseudo-terminals of
`columns` columns: on one (what a user sees, both streams mixed) or on two (each stream apart).
`screen(raw)` plays the bytes a terminal received on a tiny terminal of unbounded width
(carriage return, newline, cursor up, erase line; colours ignored), so a test can check that
a progress bar left nothing behind and that no data line was split.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass

_CSI = re.compile(rb"\x1b\[([0-9;?]*)([A-Za-z])")


@dataclass
class Terminal:
    status: int
    stdout: bytes  # what the stdout terminal received (both streams when `shared`)
    stderr: bytes  # what the stderr terminal received (empty when `shared`)


def _pty(columns: int) -> tuple[int, int]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    return master, slave


def in_terminal(args: list[str], columns: int = 60, shared: bool = False,
                timeout: float = 600, stdin: bytes | None = None) -> Terminal:  # fmt: skip
    """`python -m fencelab.cli`-like: run `fencelab ARGS` with its streams on terminals."""
    out_m, out_s = _pty(columns)
    err_m, err_s = (out_m, out_s) if shared else _pty(columns)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen([sys.executable, "-c", "from fencelab.launch import main; main()", *args],
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=out_s, stderr=err_s, env=env)  # fmt: skip
    if stdin is not None:
        proc.stdin.write(stdin)
        proc.stdin.close()
    os.close(out_s)
    if not shared:
        os.close(err_s)
    got = {out_m: b"", err_m: b""}
    open_fds = list(dict.fromkeys((out_m, err_m)))
    deadline = time.monotonic() + timeout
    while open_fds and time.monotonic() < deadline:
        ready, _, _ = select.select(open_fds, [], [], 0.5)
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # the other end closed (Linux raises EIO)
                data = b""
            if data:
                got[fd] += data
            else:
                open_fds.remove(fd)
    proc.wait(timeout=max(1, deadline - time.monotonic()))
    for fd in {out_m, err_m}:
        os.close(fd)
    return Terminal(proc.returncode, got[out_m], b"" if shared else got[err_m])


def screen(raw: bytes) -> list[str]:
    """The lines a terminal of unbounded width shows after receiving `raw`."""
    lines: list[str] = [""]
    row = col = 0
    text = raw.replace(b"\r\n", b"\n")
    pos = 0
    while pos < len(text):
        m = _CSI.match(text, pos)
        if m:
            arg, op = m.group(1).decode(), m.group(2).decode()
            if op == "A":
                row = max(0, row - int(arg or 1))
            elif op == "K":
                lines[row] = lines[row][:col] if arg in ("", "0") else ""
                if arg == "2":
                    lines[row] = ""
            pos = m.end()
            continue
        ch = text[pos : pos + 1]
        pos += 1
        if ch == b"\n":
            row += 1
            col = 0
            if row == len(lines):
                lines.append("")
        elif ch == b"\r":
            col = 0
        elif ch == b"\x1b":  # another escape (e.g. OSC): skip to its end
            end = text.find(b"\x07", pos)
            pos = end + 1 if end >= 0 else len(text)
        else:
            start = pos - 1
            while pos < len(text) and text[pos] >= 0x20 and text[pos] != 0x1b:
                pos += 1
            chunk = text[start:pos].decode("utf-8", "replace")
            line = lines[row].ljust(col)
            lines[row] = line[:col] + chunk + line[col + len(chunk) :]
            col += len(chunk)
    while lines and not lines[-1]:
        lines.pop()
    return lines
