"""Ctrl-C is never lost: once pressed, every long loop stops at its next step.

Python raises KeyboardInterrupt wherever the main thread happens to be, which can be inside a
callback from C (a Unicorn hook, a ctypes call) where the binding may keep the exception to
itself. `catch_ctrl_c` (installed by the CLI) also remembers that Ctrl-C was pressed, and
`stop_if_interrupted`, called by the exploration and checking loops at each step, raises it
again there, so a command always ends with its partial results and exit status 130. Inside a
finalizer (where Python would print the exception as "ignored", traceback and all) Ctrl-C is
only remembered, for the next `stop_if_interrupted`.
"""

from __future__ import annotations

import signal
import threading

_pressed = False


def _on_sigint(signum, frame) -> None:
    global _pressed
    _pressed = True
    if not _in_finalizer(frame):
        raise KeyboardInterrupt
    # in a finalizer (a Unicorn engine's __del__, a weakref callback) Python would print the
    # exception as "ignored" with its traceback: the next `stop_if_interrupted` raises it


def _in_finalizer(frame) -> bool:
    while frame is not None:
        code = frame.f_code
        if code.co_name == "__del__" or code.co_filename.endswith("weakref.py"):
            return True
        frame = frame.f_back
    return False


def catch_ctrl_c() -> None:
    """Remember Ctrl-C as well as raising it (main thread, Python's own handler only)."""
    if (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler):  # fmt: skip
        signal.signal(signal.SIGINT, _on_sigint)


def stop_if_interrupted() -> None:
    """Raise KeyboardInterrupt again if Ctrl-C was pressed and its exception was swallowed."""
    if _pressed:
        raise KeyboardInterrupt
