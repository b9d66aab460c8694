"""Run a Program's bytes on this machine's CPU, many times, in a child process.

`run_native(program, runs)` builds the C harness (harness.c, once per host and compiler, cached),
writes the test's description to it (every thread's bytes and base address, initial registers,
locations, observables, the CPU each thread is pinned to) and reads back one record of raw values
per run, counted. The child has a watchdog for endless loops and a signal handler for faults;
either becomes one `FencelabError` naming the test, the thread and the instruction.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import signal
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fencelab.errors import FencelabError
from fencelab.litmus.ast import LocObs, RegObs, location_name
from fencelab.program.layout import DATA_BASE, LOCATION_STRIDE, Program

# herd's architecture name of the machine we run on, from `uname -m`
_MACHINES = {"x86_64": "X86_64", "amd64": "X86_64", "aarch64": "AArch64", "arm64": "AArch64"}
# the target a source test is compiled to by default on each host (armv8: no LSE, no RCpc, which
# every AArch64 CPU runs; pass --target armv8.1 / armv8.3 for a CPU that has them)
HOST_TARGETS = {"X86_64": "x86_64", "AArch64": "armv8"}
# the harness's register array, in its order (harness.c: fl_call)
REGISTERS = {
    "X86_64": ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp",
               "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"),  # fmt: skip
    "AArch64": tuple(f"x{i}" for i in range(30)),
}
DEFAULT_DELAY = 256  # random delay after the barrier, in empty loop iterations (SB: most 0/0)
DEFAULT_STALL_MS = 2000  # a run in which a thread runs this long is an endless loop


def host_arch() -> str:
    """herd's name for this machine's architecture (`X86_64`, `AArch64`), or `uname -m`."""
    machine = platform.machine()
    return _MACHINES.get(machine.lower(), machine)


@dataclass(frozen=True)
class NativeRuns:
    """What the CPU did: how many runs ended in each tuple of raw observed values."""

    counts: Counter  # tuple[int, ...] (one raw value per program.observables) -> runs
    seconds: float  # the runs alone, measured in the child (no start-up, no compile)
    cpus: tuple[int, ...]  # the CPU thread i was pinned to; () when not pinned


def pinning(nthreads: int) -> tuple[int, ...]:
    """One allowed CPU per thread, or () when there are fewer allowed CPUs than threads."""
    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    return tuple(allowed[:nthreads]) if len(allowed) >= nthreads else ()


@dataclass(frozen=True)
class Harness:
    """A built harness: the architecture its calling convention is for, and how to start it."""

    arch: str  # herd's name: X86_64, AArch64
    command: tuple[str, ...]


def host_harness() -> Harness:
    return Harness(host_arch(), (str(harness_binary()),))


MAX_WAIT = (2**31 - 1) // 1000  # seconds: the longest wait poll() takes (--runs 5,000,000 at
# the default stall asked for more: an OverflowError traceback before the first run)


def run_native(
    program: Program,
    runs: int,
    delay: int = DEFAULT_DELAY,
    stall_ms: int = DEFAULT_STALL_MS,
    cpus: tuple[int, ...] | None = None,
    harness: Harness | None = None,
) -> NativeRuns:
    """Run the program's threads `runs` times. `harness` defaults to this host's (another one:
    a cross-built harness under an emulator such as qemu-user, which is how AArch64 is tested on
    an x86-64 machine)."""
    arch = program.target.arch.name
    for t in program.threads:
        for d in program.target.disassemble(t.code, t.base):
            if why := program.target.not_native(d.info):
                raise FencelabError(f"{program.test.file}: P{t.tid}: {why}")
    if harness is None:
        if arch != host_arch():
            raise FencelabError(f"{program.test.file}: {program.target.name} ({arch}) code "
                                f"cannot run natively on this {platform.machine()} host")  # fmt: skip
        harness = host_harness()
    if arch != harness.arch or arch not in REGISTERS:
        raise FencelabError(f"{program.test.file}: {arch} code cannot run in a {harness.arch} "
                            "harness")  # fmt: skip
    if runs < 1:
        raise FencelabError(f"--runs must be at least 1 (got {runs})")
    cpus = pinning(len(program.threads)) if cpus is None else cpus
    spec = _describe(program, runs, delay, stall_ms, cpus)
    try:
        child = subprocess.run(
            list(harness.command),
            input=spec.encode(),
            capture_output=True,
            timeout=min(60 + runs * stall_ms / 1000, MAX_WAIT),  # a safety net: the child's
            # watchdog acts first
        )
    except subprocess.TimeoutExpired:
        raise FencelabError(f"{program.test.file}: the native runs did not finish; stopped") \
            from None
    err = child.stderr.decode(errors="replace")
    if child.returncode != 0:
        raise FencelabError(_failure(program, child.returncode, err, stall_ms))
    seconds = next((int(ln.split()[1]) / 1e9 for ln in err.splitlines()
                    if ln.startswith("elapsed ")), 0.0)  # fmt: skip
    return NativeRuns(_count(child.stdout, len(program.observables), runs), seconds, cpus)


def _count(data: bytes, nobs: int, runs: int) -> Counter:
    if nobs == 0:
        return Counter({(): runs})
    values = memoryview(data).cast("Q")
    if len(values) != runs * nobs:
        raise FencelabError(f"the native harness returned {len(values)} values, not {runs * nobs}")
    return Counter(zip(*[iter(values)] * nobs))


def _describe(program: Program, runs: int, delay: int, stall_ms: int, cpus) -> str:
    """The harness's input (harness.c's header comment gives the grammar)."""
    arch = program.target.arch.name
    index = {name: i for i, name in enumerate(REGISTERS[arch])}
    name = program.test.file
    data_size = max(1, len(program.locations)) * LOCATION_STRIDE
    out = [f"runs {runs} delay {delay} stall {stall_ms}",
           f"data {DATA_BASE:#x} {data_size:#x}",
           f"threads {len(program.threads)}"]  # fmt: skip
    for t in program.threads:
        cpu = cpus[t.tid] if cpus else -1
        out.append(f"thread {t.tid} {t.base:#x} {len(t.code)} {cpu}")
        out.append(t.code.hex() or "")
        regs = []
        for reg, value in t.init_regs.items():
            if reg not in index:
                raise FencelabError(f"{name}: P{t.tid}: register {reg} cannot be set natively")
            regs.append(f"{index[reg]} {value & (2**64 - 1):#x}")
        out.append(f"regs {len(regs)} " + " ".join(regs))
    out.append(f"locs {len(program.locations)}")
    for loc in program.locations:
        nbytes = max(1, loc.width // 8)
        out.append(f"loc {loc.addr:#x} {loc.init & ((1 << loc.width) - 1):#x} {nbytes}")
    out.append(f"obs {len(program.observables)}")
    for obs in program.observables:
        if isinstance(obs, RegObs):
            reg = program.target.canonical_reg(obs.reg)
            if reg not in index:
                raise FencelabError(f"{name}: {obs.tid}:{obs.reg} cannot be observed natively")
            out.append(f"obs r {obs.tid} {index[reg]}")
        elif isinstance(obs, LocObs):
            if program.test.array(obs.name):
                raise FencelabError(f"{name}: a whole array ({obs.name}) cannot be observed "
                                    "natively; name its elements (`v[0]=1 /\\ v[1]=2`)")  # fmt: skip
            loc = program.by_name.get(location_name(obs.name))
            if loc is None:
                raise FencelabError(f"{name}: condition names unknown location {obs.name}")
            out.append(f"obs m {loc.addr:#x} {max(1, loc.width // 8)}")
    return "\n".join(out) + "\n"


def _failure(program: Program, code: int, err: str, stall_ms: int) -> str:
    """The child's last words as one line naming the test (and thread, instruction)."""
    name = program.test.file
    for line in err.splitlines():
        words = line.split()
        if words[:1] == ["fault"] and len(words) == 5:
            sig, tid, pc, addr = words[1], words[2], int(words[3], 16), int(words[4], 16)
            where = _instruction_at(program, pc)
            who = f"P{int(tid, 16)}" if tid != "-" else "the harness"
            what = {"SIGSEGV": "a memory fault", "SIGBUS": "a bus error",
                    "SIGILL": "an undefined instruction", "SIGFPE": "an arithmetic fault",
                    "SIGTRAP": "a trap"}.get(sig, sig)  # fmt: skip
            at = f" at address {addr:#x}" if sig in ("SIGSEGV", "SIGBUS") else ""
            return f"{name}: {who} faulted on this CPU: {what} ({sig}){at}, {where}"
        if words[:1] == ["stall"]:
            stuck = ", ".join(f"P{t}" for t in words[2:]) or "a thread"
            return (f"{name}: {stuck} did not finish within {stall_ms / 1000:g} s in run "
                    f"{int(words[1]) + 1} (an endless loop?); stopped")  # fmt: skip
        if words[:1] == ["map"]:
            errno = int(words[2])
            return (f"{name}: cannot map the test's code or memory at {words[1]} on this host "
                    f"({os.strerror(errno)})")  # fmt: skip
    if code < 0:
        return f"{name}: the native harness was killed by {signal.Signals(-code).name}"
    return f"{name}: the native harness failed (status {code}): {err.strip()[:200]}"


def _instruction_at(program: Program, pc: int) -> str:
    for t in program.threads:
        if t.base <= pc < t.base + len(t.code):
            src = t.lines.get(pc)
            return f"at `{src.text}` (pc {pc:#x})" if src else f"at pc {pc:#x} in P{t.tid}'s code"
        if pc == t.base + len(t.code):
            return f"at pc {pc:#x}, the end of P{t.tid}'s code"
    return f"at pc {pc:#x}, outside the test's code"


# --- the harness binary -------------------------------------------------------------------------


def compiler() -> str:
    """The system's C compiler: $CC, else cc, gcc or clang on PATH."""
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name.split()[0]):
            return name
    raise FencelabError(
        "fencelab hw builds its native harness with a C compiler and found none "
        "(install cc, gcc or clang, or set CC)"
    )


def harness_binary(cc: str | None = None) -> Path:
    """The harness built with `cc` (default: this host's C compiler), compiled on first use and
    cached by content."""
    source = resources.files("fencelab.hw").joinpath("harness.c").read_bytes()
    cc = cc or compiler()
    key = hashlib.sha256(source + cc.encode() + platform.machine().encode()).hexdigest()[:16]
    path = _cache_dir() / f"harness-{key}"
    if path.exists():
        return path
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "harness.c"
        src.write_bytes(source)
        exe = Path(tmp) / "harness"
        cmd = [*cc.split(), "-O2", "-pthread", "-o", str(exe), str(src)]
        built = subprocess.run(cmd, capture_output=True, text=True)
        if built.returncode != 0:
            first = (built.stderr.strip().splitlines() or ["?"])[0]
            raise FencelabError(f"cannot build the native harness with {cc}: {first}")
        staged = path.with_name(f"{path.name}.{os.getpid()}")
        shutil.copyfile(exe, staged)
        staged.chmod(0o755)
        os.replace(staged, path)  # atomic: concurrent builds agree
    return path


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "fencelab"
    try:
        path.mkdir(parents=True, exist_ok=True)
        if os.access(path, os.W_OK):
            return path
    except OSError:
        pass
    path = Path(tempfile.gettempdir()) / f"fencelab-{os.getuid() if hasattr(os, 'getuid') else 0}"
    path.mkdir(exist_ok=True)
    return path



def cpu_name() -> str:
    """The CPU's model name as Linux reports it ("" when it does not)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith(("model name", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""
