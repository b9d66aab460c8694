"""Ctrl-C is never lost: once pressed, every long loop stops at its next step.

Python raises KeyboardInterrupt wherever the main thread happens to be, which can be inside a
callback from C (a Unicorn hook, a ctypes call) where the binding may keep the exception to
itself. `catch_ctrl_c` (installed by the CLI) also remembers that Ctrl-C was pressed, and
`stop_if_interrupted`, called by the exploration and checking loops at each step, raises it
again there, so a command always ends with its partial results and exit status 130. Inside a
finalizer (where Python would print the exception as "ignored", traceback and all) or the
Unicorn binding, Ctrl-C is only remembered, for the next `stop_if_interrupted`. Worker processes
(fencelab/parallel) take their parent's stop request the same way; a cluster's task, a thread of
a Dask worker that a signal cannot reach, is asked to stop alone (`stop_thread`).
"""

from __future__ import annotations

import os
import signal
import threading

EXIT_INTERRUPTED = 130  # a command's exit status when Ctrl-C ended it (128 + SIGINT)

# importlib's weakref callback that drops a module's lock (CPython's `_get_module_lock`)
_MODULE_LOCK_DROPPED = ("<frozen importlib._bootstrap>", "cb")

_pressed = False
_asked: set[int] = set()  # threads asked to stop (their process's other threads run on)


def _on_sigint(signum, frame) -> None:
    interrupt(frame)


def interrupt(frame) -> None:
    """Ctrl-C (or a parent's stop request) arrived while `frame` ran: remember it, and raise
    KeyboardInterrupt there unless that would leave an object half-made or print it as an
    "ignored" exception (`_safe_to_raise`); the next `stop_if_interrupted` raises it then."""
    global _pressed
    _pressed = True
    if _safe_to_raise(frame):
        raise KeyboardInterrupt


def _safe_to_raise(frame) -> bool:
    """Not inside a finalizer (a `__del__`, a weakref callback: weakref.py's, importlib's that
    drops a module's lock at the end of each import (`_MODULE_LOCK_DROPPED`): Python prints the
    exception as ignored, traceback and all, and goes on: a Ctrl-C while the `fencelab`
    command imported its modules was lost) nor inside the Unicorn binding (a `UcContext`
    interrupted in its constructor fails again in its `__del__`) or capstone's (its `disasm`
    generator frees its instructions when it is closed, possibly by the garbage collector,
    where the exception is printed as ignored: a worker stopped by `fencelab check DIR |
    head -1` did)."""
    while frame is not None:
        code = frame.f_code
        if (code.co_name == "__del__" or code.co_filename.endswith("weakref.py")
                or (code.co_filename, code.co_name) == _MODULE_LOCK_DROPPED
                or any(f"{os.sep}{binding}{os.sep}" in code.co_filename
                       for binding in ("unicorn", "capstone"))):  # fmt: skip
            return False
        frame = frame.f_back
    return True


def clear() -> None:
    """Forget a Ctrl-C already handled (a worker process starting its next task)."""
    global _pressed
    _pressed = False


def catch_ctrl_c() -> None:
    """Remember Ctrl-C as well as raising it (main thread, Python's own handler only)."""
    if (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler):  # fmt: skip
        signal.signal(signal.SIGINT, _on_sigint)


def stop_thread(ident: int) -> None:
    """Ask the thread `ident` to stop at its next `stop_if_interrupted`, as if Ctrl-C had been
    pressed there (until `forget_thread`)."""
    _asked.add(ident)


def forget_thread(ident: int) -> None:
    _asked.discard(ident)


def pressed() -> bool:
    """Was Ctrl-C pressed (since the last `clear`)? For a command that shows what a run cut
    short found and must still end with exit status 130."""
    return _pressed


def stop_if_interrupted() -> None:
    """Raise KeyboardInterrupt again if Ctrl-C was pressed and its exception was swallowed, or
    if this thread was asked to stop."""
    if _pressed or (_asked and threading.get_ident() in _asked):
        raise KeyboardInterrupt
