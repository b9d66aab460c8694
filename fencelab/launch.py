"""The `fencelab` command as installed: what its run will wait for first is started before the
commands' modules (fencelab/cli, which imports them all) are imported.

A command that assembles waits, at its first assembly, for keystone's process to boot (Python
and keystone, about 30 ms: fencelab/isa/assembler.py). Started here, it boots on another core
while this process imports click, lark, unicorn, capstone and fencelab's modules (0.15 s), so
the wait is gone: `fencelab run examples/x86_64/SB.litmus` 34 ms sooner (the median of 20
pairs; a C test, which assembles nothing, 7 ms later: bench/RESULTS.md). `-j` workers start
their own as they start (fencelab/parallel).
"""

from __future__ import annotations

import sys

# the commands that assemble (help and the others start nothing)
ASSEMBLING = frozenset({"run", "check", "hunt", "tui", "map", "table", "graph", "show"})
HELP = frozenset({"-h", "--help"})


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ASSEMBLING and HELP.isdisjoint(sys.argv):
        from fencelab.isa import assembler

        assembler.start()
    from fencelab.cli import main as command

    command(prog_name="fencelab")
