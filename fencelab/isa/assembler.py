"""keystone behind a guard: checked input, a worker process with a time limit, and a cache.

keystone 0.9.2 never returns on some malformed input: a statement that starts with `/`, `*`,
`:`, `!`, `(`, a control character... (measured; a label followed by one, `L0: :`, too), and
some stranger ones mid-line. Stuck in C, it cannot be interrupted, not even by Ctrl-C. So
fencelab never runs keystone in its own process:

- `check_text` refuses, naming the line, what is not printable ASCII and statements that do not
  start with a name (a label, a mnemonic, a directive): the shapes seen hanging;
- the rest goes to one worker process (started at first need, or ahead of it by `start`, and
  kept for the next programs), which is killed when it has not answered within
  `time_limit(lines)`: an `AssemblyError`, never a hang. The worker caps its own address space,
  ignores Ctrl-C (fencelab's to take) and dies with fencelab (Linux). A forked process (a `-j`
  worker) has its own: the process it inherits is not its child, so `poll` takes it for gone
  (Python's Popen, ECHILD), `stop` leaves it alone and closes only this process's copies of its
  pipes, and the inherited one forks a copy of itself for it (`_Spawned`: keystone already
  loaded, 1.3 ms instead of a new process's 28 ms of CPU, which the workers' first assemblies
  waited for while every core was busy); a new one when that one is gone;
- answers, bytes or keystone's refusal, are cached by (engine, text, base): a program assembled
  again (hunt and check compile the same code many times, a test run under several models, the
  TUI reloading) costs one dict lookup, and the guard costs one pipe round trip per distinct
  program.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass

from fencelab.errors import FencelabError, clip

BASE_SECONDS = 5.0  # the time limit of one assembly: this, plus
SECONDS_PER_LINE = 0.002  # this per line (keystone does ~10,000 lines a second here)
CACHE_ENTRIES = 4096
WORKER_MEMORY = 1 << 30  # the worker's address-space cap (keystone needs ~30 MB)


# keystone's constants (keystone/keystone_const.py) for the targets' `Engine`s, written out:
# importing keystone loads its library (6 ms), which only the assembler process needs (the
# process that runs fencelab never calls keystone). tests/isa/test_assembler.py compares them.
KS_ARCH_ARM, KS_ARCH_ARM64, KS_ARCH_X86 = 1, 2, 4
KS_MODE_LITTLE_ENDIAN, KS_MODE_ARM, KS_MODE_64, KS_MODE_V8 = 0, 1, 8, 64
KS_OPT_SYNTAX_ATT = 2


class AssemblyError(FencelabError):
    """keystone (or our own encoder) refused a line; names the line. `why`: the reason alone,
    without the line (the loader names the line as the user wrote it)."""

    def __init__(self, message: str, why: str = ""):
        super().__init__(message)
        self.why = why


@dataclass(frozen=True)
class Engine:
    """What keystone is opened with: `Ks(arch, mode)`, and `syntax` if not 0 (AT&T)."""

    arch: int
    mode: int
    syntax: int = 0


# keystone's message when it gives no reason (KS_ERR_ASM, "Unknown error"): what it most often
# means for a line that reads well, an operand the encoding cannot hold (`MOV W0,#0x12345`,
# `ADD W0,W0,#0x12345`: GNU as says "immediate cannot be moved by a single instruction")
NO_REASON = ("keystone cannot encode it and gives no reason (most often an operand the "
             "instruction cannot hold, such as an immediate out of its encoding's range)")


class Refused(AssemblyError):
    """keystone refused the text; `reason` is its message (`Invalid operand (KS_ERR_...)`),
    or `NO_REASON` for its bare "Unknown error"."""

    def __init__(self, reason: str):
        if reason.strip().lower().startswith("unknown error"):
            reason = NO_REASON
        self.reason = reason
        super().__init__(reason, reason)


_LABEL = re.compile(r"[A-Za-z_.$][A-Za-z0-9_.$]*[ \t]*:(?!:)")
_STATEMENT_START = re.compile(r"[A-Za-z_.]")
NOT_PRINTABLE = re.compile(r"[^ -~\t]")  # a character no instruction has (printable ASCII, tab)


def check_text(lines: list[str]) -> None:
    """Refuse what keystone may never return from: a character that is not printable ASCII, a
    statement (lines and `;`-separated parts, after their labels) not starting with a name."""
    for line in lines:
        bad = NOT_PRINTABLE.search(line)
        if bad:
            why = (f"{describe_char(bad.group())} at column {bad.start() + 1} (instructions are "
                   "printable ASCII)")  # fmt: skip
            raise AssemblyError(f"cannot assemble {clip(line.strip())}: {why}", why)
        for statement in line.split(";"):
            rest = statement.lstrip(" \t")
            label = _LABEL.match(rest)
            while label:
                rest = rest[label.end() :].lstrip(" \t")
                label = _LABEL.match(rest)
            if rest and not _STATEMENT_START.match(rest):
                why = f"expected an instruction, found {rest[:10]!r}"
                raise AssemblyError(f"cannot assemble {clip(line.strip())}: {why}", why)


def describe_char(c: str) -> str:
    """`U+00A0 (a non-ASCII character)`, `U+0007 (a control character)`."""
    kind = "a control character" if ord(c) < 0x20 or ord(c) == 0x7F else "a non-ASCII character"
    return f"U+{ord(c):04X} ({kind})"


def time_limit(lines: int) -> float:
    return BASE_SECONDS + SECONDS_PER_LINE * lines


def assemble(engine: Engine, lines: list[str], base: int = 0) -> bytes:
    """keystone's bytes for `lines` at `base`; `Refused` with keystone's reason, or an
    `AssemblyError` when the text is refused by `check_text` or keystone does not finish."""
    check_text(lines)
    text = "\n".join(lines)
    key = (engine, text, base)
    with _lock:
        answer = _cache.get(key)
        if answer is None:
            answer = _worker.ask(engine, text, base, time_limit(len(lines)))
            _cache[key] = answer
            if len(_cache) > CACHE_ENTRIES:
                _cache.popitem(last=False)
        else:
            _cache.move_to_end(key)
    kind, value = answer
    if kind == "ok":
        return bytes.fromhex(value)
    if kind == "refused":
        raise Refused(value)
    raise AssemblyError(value, value)


# -- the worker ----------------------------------------------------------------------------------

_SERVER = r"""
import os, select, signal, socket, sys
try:  # die with the parent (Linux), and never grow past a cap
    import ctypes, resource
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
except Exception:
    pass
signal.signal(signal.SIGINT, signal.SIG_IGN)  # (Ctrl-C is fencelab's to take; it stops this)
import keystone
engines = {}

def answer(line):
    arch, mode, syntax, base, text = line.rstrip("\n").split(" ")
    ks = engines.get((arch, mode, syntax))
    if ks is None:
        ks = engines[(arch, mode, syntax)] = keystone.Ks(int(arch), int(mode))
        if int(syntax):
            ks.syntax = int(syntax)
    try:
        encoding, _ = ks.asm(bytes.fromhex(text).decode(), int(base))
        return "ok " + bytes(encoding or b"").hex() + "\n"
    except keystone.KsError as e:
        return "refused " + str(e.message).encode().hex() + "\n"

def serve_spawned(fd):
    # a forked copy of this process, for the process that sent `fd`: its pid, then answers;
    # it dies with this process (which dies with fencelab): stuck in keystone, it never reads
    # that its client is gone
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass
    os.close(0)
    os.close(1)
    spawns.close()
    client = socket.socket(fileno=fd)
    read, write = client.makefile("r"), client.makefile("w")
    write.write(f"{os.getpid()}\n")
    write.flush()
    for line in read:
        write.write(answer(line))
        write.flush()
    os._exit(0)

spawns = socket.socket(fileno=int(sys.argv[1]))
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the copies are reaped as they end
while True:
    ready, _, _ = select.select([sys.stdin, spawns], [], [])
    if spawns in ready:
        _, fds, _, _ = socket.recv_fds(spawns, 16, 1)
        if fds and os.fork() == 0:
            serve_spawned(fds[0])
        for fd in fds:
            os.close(fd)
    if sys.stdin in ready:
        line = sys.stdin.readline()  # (one request at a time: nothing stays buffered)
        if not line:
            break
        sys.stdout.write(answer(line))
        sys.stdout.flush()
""".replace("WORKER_MEMORY", str(WORKER_MEMORY))


class _Spawned:
    """A keystone process forked, on request, by another process's (the process that forked
    this one: a `-j` worker's parent), with keystone already loaded: about 1.3 ms, where a new
    one boots in 28 ms of CPU (Python 7, keystone's library 21), which a worker's first
    assembly waited for while the other workers took the cores. It talks over a socket, with
    the parts of `subprocess.Popen` that `_Worker` uses. It is not this process's child: it is
    stopped by its pid, and reaped by the process that forked it."""

    def __init__(self, spawns: socket.socket, seconds: float = BASE_SECONDS):
        self._handle = None  # a handle on the process (Linux): its pid, once it ended and was
        # reaped, may be another's
        ours, theirs = socket.socketpair()
        try:
            socket.send_fds(spawns, [b"s"], [theirs.fileno()])
        finally:
            theirs.close()
        self.stdin, self.stdout = ours.makefile("wb"), ours.makefile("rb")
        ours.close()  # (the files keep the socket open)
        ready, _, _ = select.select([self.stdout], [], [], seconds)
        line = self.stdout.readline() if ready else b""
        if not line.strip().isdigit():  # that process is gone, or stuck in keystone
            self.close()
            raise OSError("no keystone process was forked")
        self.pid = int(line)
        self.returncode: int | None = None
        with contextlib.suppress(AttributeError, OSError):
            self._handle = os.pidfd_open(self.pid)

    def poll(self) -> int | None:
        return self.returncode

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            if self._handle is None:
                os.kill(self.pid, signal.SIGKILL)
            else:
                signal.pidfd_send_signal(self._handle, signal.SIGKILL)
        self.returncode = -signal.SIGKILL

    def wait(self) -> int | None:
        return self.returncode

    def close(self) -> None:
        for stream in (self.stdin, self.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        if self._handle is not None:
            os.close(self._handle)
            self._handle = None


class _Worker:
    """One keystone process, started at first need; replaced when it hangs or dies. A process
    that starts one keeps a socket on which it forks copies of itself (`_Spawned`) for the
    processes forked from this one, which inherit the socket."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | _Spawned | None = None
        self._spawns: socket.socket | None = None  # the socket to the process this one started
        self._spawns_owner = 0  # the pid of the process that started it

    def running(self) -> subprocess.Popen | _Spawned | None:
        return self._proc if self._proc and self._proc.poll() is None else None

    def ask(self, engine: Engine, text: str, base: int, seconds: float,
            again: bool = True) -> tuple[str, str]:  # fmt: skip
        proc = self.running() or self._start()
        request = f"{engine.arch} {engine.mode} {engine.syntax} {base} {text.encode().hex()}\n"
        try:
            proc.stdin.write(request.encode())
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], seconds)
            reply = proc.stdout.readline() if ready else b""
        except OSError:  # the worker died under us (a broken pipe)
            ready, reply = True, b""
        except BaseException:  # Ctrl-C while keystone works: it may be stuck, stop it
            self.stop()
            raise
        if not ready:
            self.stop()
            lines = text.count("\n") + 1
            return ("error", f"the assembler did not finish {lines} line{'s' * (lines > 1)} "
                    f"within {seconds:.0f} s and was stopped (keystone hangs on some "
                    "malformed instructions)")  # fmt: skip
        if not reply:
            self.stop()
            if again and isinstance(proc, _Spawned):  # (it also ends with the process that
                return self.ask(engine, text, base, seconds, False)  # forked it: once more)
            return ("error", "the assembler stopped without an answer (keystone crashed)")
        kind, _, value = reply.decode().strip().partition(" ")
        return kind, value if kind == "ok" else bytes.fromhex(value).decode()

    def _start(self) -> subprocess.Popen | _Spawned:
        self.stop()
        if self._spawns is not None and self._spawns_owner != os.getpid():  # a forked process
            try:
                self._proc = _Spawned(self._spawns)
                return self._proc
            except OSError:  # that process is gone: start one as it did
                self._spawns.close()
                self._spawns = None
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self._proc = subprocess.Popen(
                _server_command(theirs.fileno()), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, pass_fds=(theirs.fileno(),),
                env={**os.environ, "PYTHONSAFEPATH": "1"},
            )  # fmt: skip
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        if self._spawns is not None:
            self._spawns.close()
        self._spawns, self._spawns_owner = ours, os.getpid()
        return self._proc

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.kill()
        proc.wait()
        if isinstance(proc, _Spawned):
            proc.close()
            return
        for stream in (proc.stdin, proc.stdout):
            stream.close()
        if self._spawns_owner == os.getpid():
            self._spawns.close()  # (its forked copies serve on: the processes they serve stop them)
            self._spawns = None


def _server_command(spawns: int) -> list[str]:
    """The worker's command line: Python without `site` (its start-up is most of the worker's,
    which a run waits for at its first assembly: 10 ms of 36 here), keystone's folder on the
    path; with `site` when keystone is not found where this process would import it from.
    `spawns`: the descriptor of its socket for forked copies (`_Spawned`)."""
    spec = importlib.util.find_spec("keystone")
    if spec is None or not spec.submodule_search_locations:
        return [sys.executable, "-c", _SERVER, str(spawns)]
    folder = os.path.dirname(os.path.abspath(list(spec.submodule_search_locations)[0]))
    return [sys.executable, "-S", "-c", f"import sys; sys.path.insert(0, {folder!r})\n" + _SERVER,
            str(spawns)]  # fmt: skip


def running() -> bool:
    """Is this process's worker running (started ahead by `start`, or by an assembly)?"""
    return _worker.running() is not None


def start() -> None:
    """Start the worker now, if it is not running, without waiting for it: it boots (Python
    and keystone, about 30 ms) on another core while this process imports or reads, instead of
    while the first assembly waits for it (the `fencelab` command, fencelab/launch.py; each
    `-j` worker as it starts, fencelab/parallel)."""
    with _lock:
        if _worker.running() is None:
            _worker._start()


_worker = _Worker()
_cache: OrderedDict[tuple[Engine, str, int], tuple[str, str]] = OrderedDict()
_lock = threading.Lock()
atexit.register(_worker.stop)
