"""keystone behind its guard: refused shapes, a time limit that stops a stuck keystone, a cache."""

from __future__ import annotations

import os
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
    command = assembler._server_command()
    assert command[1] == "-S"
    assert os.path.dirname(os.path.dirname(os.path.abspath(keystone.__file__))) in command[3]
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


def test_a_forked_process_starts_its_own_keystone_and_leaves_its_parents_alone():
    """A forked child (a -j worker) inherits the parent's process and pipes, which are not its
    own to use: it takes the process for gone (not its child), starts its own at its first
    assembly, and leaves the parent's running."""
    import multiprocessing

    assembler.start()
    parent = assembler._worker._proc
    with multiprocessing.get_context("fork").Pool(1) as pool:
        got, had, child = pool.apply(_assemble_in_a_fork, (["add x2, x2, #5"],))
    assert got == bytes.fromhex("42140091")
    assert not had and child != parent.pid
    assert assembler._worker._proc is parent and parent.poll() is None  # still the parent's
    assert assemble(A64, ["add x3, x3, #9"], 0x8000) == bytes.fromhex("63240091")
