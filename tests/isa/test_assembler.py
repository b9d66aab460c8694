"""keystone behind its guard: refused shapes, a time limit that stops a stuck keystone, a cache."""

from __future__ import annotations

import os
import signal
import time

import keystone
import pytest

from fencelab.isa import assembler
from fencelab.isa.assembler import AssemblyError, Engine, Refused, assemble
from fencelab.isa.registry import get_target

A64 = Engine(keystone.KS_ARCH_ARM64, keystone.KS_MODE_LITTLE_ENDIAN)


@pytest.mark.parametrize("line", ["/", "*", "*/", "L0: :", "\x7fMOV W2,#1", "!", "nop; (",
                                  "MOV W0,#1 ; /"])  # fmt: skip
def test_statements_keystone_hangs_on_are_refused_before_it_runs(line):
    # each of these makes keystone 0.9.2 spin forever (measured)
    with pytest.raises(AssemblyError, match="expected an instruction|control character"):
        get_target("armv8").assemble(["MOV W0,#1", line], 0x10000)


def test_non_ascii_is_refused_with_its_column():
    with pytest.raises(AssemblyError, match=r"U\+00A0 \(a non-ASCII character\) at column 4"):
        get_target("armv8").assemble(["LDR\u00a0W0,[X1]"], 0x10000)


def test_a_stuck_keystone_is_stopped_at_the_time_limit(monkeypatch):
    # `nop=b,` passes the checks but keystone never returns on it (found by fuzzing keystone)
    monkeypatch.setattr(assembler, "BASE_SECONDS", 1.0)
    started = time.perf_counter()
    with pytest.raises(AssemblyError, match="did not finish .* within 1 s"):
        assemble(A64, ["nop=b,"], 0x20000)
    assert time.perf_counter() - started < 4
    # the next program gets a fresh worker
    assert assemble(A64, ["nop"], 0x20000) == bytes.fromhex("1f2003d5")


def test_keystone_refusals_name_the_line():
    with pytest.raises(AssemblyError, match=r"cannot assemble 'FROB W0,\[X1\]'"):
        get_target("armv8").assemble(["MOV W0,#1", "FROB W0,[X1]"], 0x10000)
    with pytest.raises(Refused):
        assemble(A64, ["FROB W0"], 0)


def test_assembled_code_is_cached_by_engine_text_and_base():
    lines = ["MOV W0,#7", "STR W0,[X1]"]
    first = assemble(A64, lines, 0x30000)
    asked = assembler._worker.ask
    try:
        assembler._worker.ask = lambda *a: pytest.fail("asked keystone again")
        assert assemble(A64, lines, 0x30000) == first
    finally:
        assembler._worker.ask = asked
    assert assemble(A64, lines, 0x40000) == first  # no PC-relative bits here: same bytes
    assert (A64, "\n".join(lines), 0x40000) in assembler._cache


def test_keystone_constants_written_out_are_keystones():
    """The targets' engines use keystone's constants written out (importing keystone loads its
    library, which only the assembler process needs): they must be keystone's own."""
    names = [n for n in dir(assembler) if n.startswith(("KS_ARCH_", "KS_MODE_", "KS_OPT_"))]
    assert len(names) == 8
    for name in names:
        assert getattr(assembler, name) == getattr(keystone, name), name


def test_the_keystone_process_starts_without_site_and_answers():
    """The keystone process starts without `site` (its start-up is what the first assembly of a
    run, and of each -j worker, waits for), keystone's folder on its path, and assembles."""
    command = assembler._server_command(5)
    assert command[1] == "-S"
    assert os.path.dirname(os.path.dirname(os.path.abspath(keystone.__file__))) in command[3]
    assert command[4] == "5"  # the descriptor of its socket for forked copies
    assembler._worker.stop()  # a new process, started by this command line
    engine = Engine(assembler.KS_ARCH_ARM64, assembler.KS_MODE_LITTLE_ENDIAN)
    assert assemble(engine, ["add x0, x0, #17"], 0x1000) == bytes.fromhex("00440091")


def test_the_keystone_process_answers_as_keystone_does_in_this_process():
    """The keystone process speaks hex over its pipe (no json to import there: 38 M of its 139 M
    instructions of start-up): whatever the text (several lines, tabs, labels, an empty program),
    its bytes and its refusals are keystone's own, read here from keystone directly."""
    assembler._worker.stop()
    cases = [(A64, ["MOV W0,#7", "\tSTR W0,[X1]", "L0:", "CBZ W0, L0"], 0x2000), (A64, [], 0),
             (Engine(assembler.KS_ARCH_X86, assembler.KS_MODE_64, assembler.KS_OPT_SYNTAX_ATT),
              ["movl $1,(%rax)", "mfence"], 0x10000)]  # fmt: skip
    for engine, lines, base in cases:
        ks = keystone.Ks(engine.arch, engine.mode)
        if engine.syntax:
            ks.syntax = engine.syntax
        assert assemble(engine, lines, base) == bytes(ks.asm("\n".join(lines), base)[0] or b"")
    with pytest.raises(keystone.KsError) as direct:
        keystone.Ks(A64.arch, A64.mode).asm("FROB W0", 0)
    with pytest.raises(Refused) as ours:
        assemble(A64, ["FROB W0"], 0x5000)
    assert ours.value.reason == direct.value.message


def test_start_boots_the_worker_ahead_without_waiting_and_keeps_a_running_one():
    """`start` (the `fencelab` command, before its imports) starts keystone's process and
    returns at once; a running one is kept; the first assembly then uses it."""
    assembler._worker.stop()
    assert not assembler.running()
    started = time.perf_counter()
    assembler.start()
    assert time.perf_counter() - started < 0.02  # not waiting for Python and keystone to load
    assert assembler.running()
    booted = assembler._worker._proc
    assembler.start()
    assert assembler._worker._proc is booted
    assert assemble(A64, ["add x1, x1, #3"], 0x6000) == bytes.fromhex("210c0091")
    assert assembler._worker._proc is booted


def _assemble_in_a_fork(lines: list[str]) -> tuple[bytes, bool, int | None]:
    """In a forked child: the bytes, whether the child has a keystone process before it
    assembles, and that process's pid after."""
    had = assembler.running()
    return assemble(A64, lines, 0x7000), had, assembler._worker._proc.pid


def _parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("PPid:"))


def test_a_forked_process_gets_a_copy_of_its_parents_keystone_and_leaves_it_alone():
    """A forked child (a -j worker) inherits the parent's process and pipes, which are not its
    own to use: it takes the process for gone (not its child) and, at its first assembly, has
    it fork a copy of itself (keystone loaded: no new process to boot); the parent's runs on."""
    import multiprocessing

    assembler.start()
    parent = assembler._worker._proc
    with multiprocessing.get_context("fork").Pool(1) as pool:
        got, had, child = pool.apply(_assemble_in_a_fork, (["add x2, x2, #5"],))
        assert not had and child != parent.pid
        assert _parent_of(child) == parent.pid  # forked by the parent's keystone process
    assert got == bytes.fromhex("42140091")
    assert assembler._worker._proc is parent and parent.poll() is None  # still the parent's
    assert assemble(A64, ["add x3, x3, #9"], 0x8000) == bytes.fromhex("63240091")


def _assemble_after_the_parents_keystone_is_gone(pid: int) -> tuple[bytes, int]:
    os.kill(pid, signal.SIGKILL)
    assert _gone_within(pid, 5.0)
    got = assemble(A64, ["add x4, x4, #1"], 0x7000)
    return got, _parent_of(assembler._worker._proc.pid)


def _gone_within(pid: int, seconds: float) -> bool:
    """Has process `pid` ended (or is it a zombie) within `seconds`?"""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[-1].split()[0] == "Z":
                    return True
        except (FileNotFoundError, ProcessLookupError):  # (gone while it was read)
            return True
        time.sleep(0.01)
    return False


def test_a_forked_process_starts_its_own_keystone_when_its_parents_is_gone():
    import multiprocessing

    assembler._worker.stop()
    assembler.start()
    parent = assembler._worker._proc
    with multiprocessing.get_context("fork").Pool(1) as pool:
        got, whose = pool.apply(_assemble_after_the_parents_keystone_is_gone, (parent.pid,))
    assert got == bytes.fromhex("84040091")
    assert whose != parent.pid  # its own process, started by the child
    assembler._worker.stop()  # (the parent's, killed: reaped)
    assert assemble(A64, ["nop"], 0x20000) == bytes.fromhex("1f2003d5")


def _copy_ends_with_the_parents_keystone(pid: int) -> tuple[bool, bytes, int, int]:
    assemble(A64, ["add x7, x7, #1"], 0x7000)
    copy = assembler._worker._proc.pid
    os.kill(pid, signal.SIGKILL)  # the parent's keystone process, and with it this copy
    gone = _gone_within(copy, 5.0)
    got = assemble(A64, ["add x7, x7, #2"], 0x7000)
    return gone, got, _parent_of(assembler._worker._proc.pid), os.getpid()


def test_a_forked_process_assembles_on_when_its_copy_ends_with_the_parents_keystone():
    """A copy dies with the process that forked it (never left spinning in keystone): the
    assembly that finds it gone is asked again, of the forked process's own keystone process,
    not reported as keystone's crash."""
    import multiprocessing

    assembler._worker.stop()
    assembler.start()
    parent = assembler._worker._proc
    with multiprocessing.get_context("fork").Pool(1) as pool:
        gone, got, whose, child = pool.apply(_copy_ends_with_the_parents_keystone,
                                             (parent.pid,))  # fmt: skip
    assert gone
    assert got == bytes.fromhex("e7080091")
    assert whose == child  # its own process, started by the child
    assembler._worker.stop()


def _stuck_in_a_fork(limit: float) -> tuple[str, int, bytes, int]:
    assembler.BASE_SECONDS = limit
    first = assembler._worker.running() or assembler._worker._start()
    try:
        assemble(A64, ["nop=b,"], 0x21000)  # (not at 0x20000: this process has its answer)
        why = ""
    except AssemblyError as e:
        why = str(e)
    gone = _gone_within(first.pid, 5.0)
    got = assemble(A64, ["nop"], 0x22000)
    return why, gone, got, _parent_of(assembler._worker._proc.pid)


def test_a_forked_copy_stuck_in_keystone_is_stopped_and_replaced_by_another_copy():
    import multiprocessing

    assembler.start()
    parent = assembler._worker._proc
    with multiprocessing.get_context("fork").Pool(1) as pool:
        why, gone, got, whose = pool.apply(_stuck_in_a_fork, (1.0,))
    assert "did not finish 1 line within 1 s" in why
    assert gone  # killed, and reaped by the parent's process
    assert got == bytes.fromhex("1f2003d5") and whose == parent.pid
    assert parent.poll() is None


def test_the_keystone_process_ignores_ctrl_c():
    """A terminal's Ctrl-C goes to every process of the command; fencelab decides what stops
    (an interrupted assembly stops its keystone process: `_Worker.ask`)."""
    assembler.start()
    proc = assembler._worker._proc
    assert assemble(A64, ["add x5, x5, #2"], 0x9000) == bytes.fromhex("a5080091")  # booted
    os.kill(proc.pid, signal.SIGINT)
    assert assemble(A64, ["add x6, x6, #2"], 0x9000) == bytes.fromhex("c6080091")
    assert assembler._worker._proc is proc and proc.poll() is None
