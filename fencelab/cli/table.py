"""`fencelab map` (one lowering, explained) and `fencelab table` (the whole lowering table)."""

from __future__ import annotations

import click

from fencelab.cli.options import console, scheme_option, target_option
from fencelab.errors import FencelabError

TABLE_FORMATS = ("text", "markdown", "grid", "json", "csv")


@click.command("map")
@click.argument("op")
@click.argument("order")
@target_option(default="x86_64")
@click.option("--width", "-w", default=None, help="8, 16, 32 or 64 (default 32; none for fence)")
@scheme_option()
@click.option("--failure", "-f", default=None,
              help="CAS failure ordering (default: C's rule from the success ordering)")  # fmt: skip
def map_command(op, order, target, width, scheme, failure):
    """Show how one atomic operation is lowered: asm, bytes, disassembly, rationale."""
    from fencelab.atomics import Op, parse_op, parse_order, parse_width
    from fencelab.lowering import lookup
    from fencelab.report.lowering import print_entry

    op, order = parse_op(op), parse_order(order)
    failure = parse_order(failure) if failure else None
    if op is Op.FENCE:
        if width is not None:
            raise FencelabError("a fence has no width; drop --width")
        bits = None
    else:
        bits = parse_width(width if width is not None else 32)
    print_entry(console, target, lookup(target, scheme, op, order, bits, failure))


@click.command("table")
@target_option(repeat=True, help="repeatable; default: all five targets")
@scheme_option()
@click.option("--width", "-w", "widths", multiple=True, help="repeatable; default: 8 16 32 64")
@click.option("--format", "fmt", default="text", show_default=True,
              type=click.Choice(TABLE_FORMATS))  # fmt: skip
def table_command(target, scheme, widths, fmt):
    """Print the whole lowering table (every valid op x ordering x width).

    `grid` is a compact markdown table, one column per target, one row per operation and
    ordering (compare_exchange with C's default failure ordering only).
    """
    from fencelab.atomics import WIDTHS, parse_width
    from fencelab.isa.registry import TARGETS
    from fencelab.lowering import entries
    from fencelab.report.lowering import entry_record, format_records

    targets = target or tuple(TARGETS.values())
    bits = tuple(parse_width(w) for w in widths) or WIDTHS
    records = [entry_record(e) for e in entries(targets, scheme, bits)]
    text = format_records(records, fmt, tuple(t.name for t in targets), scheme.name)
    if isinstance(text, str):
        click.echo(text, nl=fmt != "csv")
    else:
        console.print(text)
