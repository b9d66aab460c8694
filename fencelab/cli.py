"""The `fencelab` command line.

Every command reports bad input as one line on stderr and exits with status 2 (click's own usage
errors exit with 2 too). Commands live in this file as thin wrappers; the work is done in the
package named after the concept (`lowering`, `litmus`, `machine`, `models`, `tui`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps

import click
from rich.console import Console

from fencelab.errors import FencelabError

console = Console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def user_errors(fn: Callable) -> Callable:
    """Turn a FencelabError into one line on stderr and exit status 2."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FencelabError as e:
            err_console.print(f"fencelab: error: {e}", markup=False)
            sys.exit(2)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fencelab")
def main() -> None:
    """fencelab: memory ordering you can run and watch.

    Map atomic operations to real instructions (x86-64, ARMv7, ARMv8, ARMv8.1 LSE, ARMv8.3
    RCpc), run litmus tests on Unicorn cores under faithful memory models, and step through
    them in a terminal UI.
    """


# Commands are registered below, one block each.
