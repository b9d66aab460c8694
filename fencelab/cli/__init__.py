"""The `fencelab` command line: one module per command group, options shared in `options.py`.

Commands: `run` (run.py); `map`, `table` (table.py); `compile`, `show` (compile.py); `check`,
`hunt` (check.py); `tui` (tui.py); `graph` and the shared `--graph` option (graph.py); `hw` (hw.py). A command is a thin wrapper: it reads files, calls the
package named after the concept (pipeline, lowering, compiler, checker, tui) and prints with
fencelab/report/. Adding a command is one module here and one line in `COMMANDS`.
"""

from __future__ import annotations

import gc

# The commands' modules (click, unicorn, capstone, lark, fencelab's: most of a short command's
# instructions) are imported with the cycle collector off, which would otherwise traverse the
# growing heap again and again (27 M instructions); a command then freezes them
# (`options.collector_tuned`) and ends without finalizing them (`options.exit_now`).
_collecting = gc.isenabled()
gc.disable()
try:
    import click

    from fencelab.cli.check import check_command, hunt_command
    from fencelab.cli.compile import compile_command, show_command
    from fencelab.cli.graph import graph_command
    from fencelab.cli.hw import hw
    from fencelab.cli.options import Group
    from fencelab.cli.run import run
    from fencelab.cli.table import map_command, table_command
    from fencelab.cli.tui import tui
finally:
    if _collecting:
        gc.enable()

COMMANDS = (run, map_command, table_command, tui, compile_command, show_command, check_command,
            hunt_command, graph_command, hw)  # fmt: skip


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fencelab")
def main() -> None:
    """fencelab: memory ordering you can run and watch.

    Map atomic operations to real instructions (x86-64, ARMv7, ARMv8, ARMv8.1 LSE, ARMv8.3
    RCpc), run litmus tests on Unicorn cores under faithful memory models, and step through
    them in a terminal UI.
    """


for _command in COMMANDS:
    main.add_command(_command)
