"""Ctrl-C is remembered; raised at once except inside a finalizer (fencelab/interrupts.py)."""

from __future__ import annotations

import signal
import sys

import pytest

from fencelab import interrupts


@pytest.fixture(autouse=True)
def _not_pressed(monkeypatch):
    monkeypatch.setattr(interrupts, "_pressed", False)


def test_ctrl_c_raises_where_the_program_is():
    with pytest.raises(KeyboardInterrupt):
        interrupts._on_sigint(signal.SIGINT, sys._getframe())
    with pytest.raises(KeyboardInterrupt):  # and is remembered for a loop that swallowed it
        interrupts.stop_if_interrupted()


def test_ctrl_c_in_a_finalizer_is_remembered_for_the_next_step():
    raised = []

    class Engine:
        def __del__(self):
            try:
                interrupts._on_sigint(signal.SIGINT, sys._getframe())
            except KeyboardInterrupt:
                raised.append("in __del__")  # Python would print it as "ignored", traceback

    Engine()
    assert raised == []
    with pytest.raises(KeyboardInterrupt):
        interrupts.stop_if_interrupted()


def test_nothing_pressed_nothing_raised():
    interrupts.stop_if_interrupted()


def test_ctrl_c_inside_the_unicorn_binding_waits_for_the_next_step():
    """A UcContext interrupted in its constructor fails again in its __del__ (seen on stderr
    when a worker was stopped): inside the binding Ctrl-C is only remembered."""
    import unicorn

    raised = []
    namespace = {"interrupts": interrupts, "sys": sys, "signal": signal, "raised": raised}
    code = compile("try:\n    interrupts._on_sigint(signal.SIGINT, sys._getframe())\n"
                   "except KeyboardInterrupt:\n    raised.append(1)\n",
                   unicorn.__file__, "exec")  # fmt: skip
    exec(code, namespace)  # a frame whose code is the binding's
    assert raised == []
    with pytest.raises(KeyboardInterrupt):
        interrupts.stop_if_interrupted()


def test_ctrl_c_inside_capstones_disasm_generator_waits_for_the_next_step():
    """capstone's `disasm` generator frees its instructions when closed, maybe by the garbage
    collector, where an exception is printed as ignored (seen on stderr when `fencelab check
    DIR | head -1` stopped a worker): inside the binding Ctrl-C is only remembered."""
    import capstone

    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    walk = md.disasm(b"\x90\x90", 0x1000)
    next(walk)  # suspended inside the binding's generator
    assert walk.gi_frame.f_code.co_filename == capstone.__file__
    raised = []
    try:
        interrupts._on_sigint(signal.SIGINT, walk.gi_frame)
    except KeyboardInterrupt:
        raised.append(1)
    walk.close()
    assert raised == []
    with pytest.raises(KeyboardInterrupt):
        interrupts.stop_if_interrupted()


def test_clear_forgets_a_handled_ctrl_c():
    with pytest.raises(KeyboardInterrupt):
        interrupts._on_sigint(signal.SIGINT, sys._getframe())
    interrupts.clear()
    interrupts.stop_if_interrupted()


def test_ctrl_c_inside_importlibs_module_lock_callback_waits_for_the_next_step():
    """importlib drops a module's lock at the end of each import in a weakref callback, where
    an exception is printed as ignored, traceback and all, and Python goes on: a Ctrl-C while
    the `fencelab` command imported its modules printed `Exception ignored in: <function
    _get_module_lock.<locals>.cb>` and was lost (the command ran to its end). Inside it,
    Ctrl-C is only remembered. (The callback is importlib's own, run by dropping a lock.)"""
    import importlib._bootstrap as bootstrap

    name = "fencelab-test-module-lock"
    lock = bootstrap._get_module_lock(name)
    callback = bootstrap._module_locks[name].__callback__
    raised, seen = [], []

    def trace(frame, event, arg):
        if event == "call" and frame.f_code is callback.__code__:
            seen.append(1)
            try:
                interrupts._on_sigint(signal.SIGINT, frame)
            except KeyboardInterrupt:
                raised.append(1)

    before = sys.gettrace()
    sys.settrace(trace)
    try:
        del lock  # the callback runs
    finally:
        sys.settrace(before)
    assert (seen, raised) == ([1], [])
    assert name not in bootstrap._module_locks
    with pytest.raises(KeyboardInterrupt):
        interrupts.stop_if_interrupted()
