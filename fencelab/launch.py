"""The `fencelab` command as installed: what its run will wait for first is started before the
commands' modules (fencelab/cli, which imports them all) are imported.

A command that assembles waits, at its first assembly, for keystone's process to boot (Python
and keystone, about 30 ms: fencelab/isa/assembler.py). Started here, it boots on another core
while this process imports click, lark, unicorn, capstone and fencelab's modules (0.15 s), so
the wait is gone: `fencelab run examples/x86_64/SB.litmus` 34 ms sooner (the median of 20
pairs; a C test, which assembles nothing, 7 ms later: bench/RESULTS.md). `-j` workers start
their own as they start (fencelab/parallel).

Those modules are imported with Python's cycle collector off, and frozen before it is turned
back on: they live as long as the command, and the collection that turning it on would start
traverses them all (15-25 ms of a 0.38 s import; 67 M of 902 M instructions). A program that
imports fencelab.cli itself keeps its own objects unfrozen (fencelab/cli only turns the
collector off while it imports).

Ctrl-C while those modules are imported (the command's first 0.2-0.4 s), before the command
can take it (fencelab/cli/options.py, `Group.main`), ends the command as a Ctrl-C outside a
command's own handling does: one line, exit status 130 (it printed Python's traceback of the
import it cut short).
"""

from __future__ import annotations

import gc
import signal
import sys

from fencelab import interrupts

# the commands that assemble (help and the others start nothing)
ASSEMBLING = frozenset({"run", "check", "hunt", "tui", "map", "table", "graph", "show"})
HELP = frozenset({"-h", "--help"})


def main() -> None:
    signal.signal(signal.SIGINT, _ctrl_c_while_importing)
    try:
        if len(sys.argv) > 1 and sys.argv[1] in ASSEMBLING and HELP.isdisjoint(sys.argv):
            from fencelab.isa import assembler

            assembler.start()
        collecting = gc.isenabled()
        gc.disable()
        from fencelab.cli import main as command

        if collecting:
            gc.freeze()
            gc.enable()

        interrupts.stop_if_interrupted()  # (a Ctrl-C remembered where it could not be raised)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # the command's to take
        command(prog_name="fencelab")
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.stderr.write("fencelab: error: interrupted\n")  # (`Group.main`'s line)
        sys.exit(interrupts.EXIT_INTERRUPTED)


def _ctrl_c_while_importing(_signum, frame) -> None:
    """The command is ending: a second Ctrl-C is ignored (raised while the first one's
    exception is handled, it printed a traceback), and the first is raised where it is safe
    (`interrupts.interrupt`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    interrupts.interrupt(frame)
