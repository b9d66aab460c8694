"""`fencelab map` (one lowering, explained) and `fencelab table` (the whole lowering table)."""

from __future__ import annotations

import click

from fencelab.cli import output
from fencelab.cli.options import Chosen, lowerings, scheme_option, target_option
from fencelab.errors import FencelabError

TABLE_FORMATS = ("text", "markdown", "grid", "json", "csv")
WIDTH_CHOICES = ("8", "16", "32", "64")
CHUNK = 8192  # characters written at a time (`table_command`)


@click.command("map")
@click.argument("op")
@click.argument("order")
@target_option(default="all", help="Targets to lower for: T, T,T,... or all.")
@click.option("--width", "-w", default=None, type=click.Choice(WIDTH_CHOICES),
              help="Access width in bits (default 32; a fence has none).")  # fmt: skip
@scheme_option(help="Lowering scheme")
@click.option("--failure", "-f", default=None,
              help="CAS failure ordering (default: C's rule from the success ordering)")  # fmt: skip
def map_command(op, order, target, width, scheme, failure):
    """Show how one atomic operation is lowered: asm, bytes, disassembly, rationale."""
    from fencelab.atomics import Op, names_consume, parse_op, parse_order
    from fencelab.lowering import lookup
    from fencelab.report.lowering import print_entry

    spelled = (order, failure or "")
    op, order = parse_op(op), parse_order(order)
    failure = parse_order(failure) if failure is not None else None  # ("": refused by name)
    for name in filter(names_consume, spelled):  # (the header says Acquire: say why)
        output.note(f"{name.strip()} is lowered as Acquire, as every compiler implements C's "
                    "memory_order_consume")  # fmt: skip
    if op is Op.FENCE:
        if width is not None:
            raise FencelabError("--width: a fence has no width; drop --width")
        bits = None
    else:
        bits = int(width or 32)
    out = output.stdout()
    for i, (tgt, sch) in enumerate(lowerings(target, Chosen((scheme,)))):
        if i:
            out.print()
        print_entry(out, tgt, lookup(tgt, sch, op, order, bits, failure), sch.name)


@click.command("table")
@target_option(default="all", help="Targets: T, T,T,... or all.")
@scheme_option(help="Lowering scheme (its own targets with --target all)")
@click.option("--width", "-w", "widths", multiple=True, type=click.Choice(WIDTH_CHOICES),
              help="Repeatable (-w 32 -w 64); default: 8 16 32 64.")  # fmt: skip
@click.option("--format", "fmt", default="text", show_default=True,
              type=click.Choice(TABLE_FORMATS, case_sensitive=False))  # fmt: skip
def table_command(target, scheme, widths, fmt):
    """Print the whole lowering table (every valid op x ordering x width).

    `text` is one line per entry, its reason last (in a terminal wide enough, wrapped beside
    the instructions; else, and piped, whole). `grid` is a compact markdown table, one column per target, one row per operation and
    ordering (compare_exchange with C's default failure ordering only).
    """
    from fencelab.atomics import WIDTHS
    from fencelab.lowering import entries
    from fencelab.report.lowering import entry_record, format_records

    targets = tuple(t for t, _ in lowerings(target, Chosen((scheme,))))
    bits = tuple(dict.fromkeys(int(w) for w in widths)) or WIDTHS
    records = [entry_record(e) for e in entries(targets, scheme, bits)]
    out = output.stdout()
    width = out.width if out.is_terminal else None
    text = format_records(records, fmt, tuple(t.name for t in targets), scheme.name, width)
    text += "" if fmt == "csv" else "\n"
    # in pieces: a reader that leaves during one write of the whole table (370 KB) cut it short
    # without an error (Python's buffered writer returns the count written), so `table | head`
    # ended with status 0; the next piece's write fails, the command ends quietly with 141
    for start in range(0, len(text), CHUNK):
        click.echo(text[start:start + CHUNK], nl=False)
