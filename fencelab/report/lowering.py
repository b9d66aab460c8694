"""How the lowering table prints: one entry explained (`map`), and the whole table in five
formats (`table --format text|markdown|grid|json|csv`)."""

from __future__ import annotations

import csv
import io
import json
import textwrap

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from fencelab.atomics import default_failure_order, parse_order
from fencelab.isa.target import Target
from fencelab.lowering.template import Entry
from fencelab.report.tables import print_table


def print_entry(console: Console, target: Target, entry: Entry, scheme: str = "") -> None:
    """One lowering: canonical assembly, bytes with capstone's disassembly, roles, rationale.
    `scheme`: the scheme asked for (an overlay that leaves this entry to `default` says so)."""
    code = entry.assemble(0)
    decoded = target.disassemble(code, 0)
    used = f"scheme [cyan]{entry.scheme}[/cyan]"
    if scheme and scheme != entry.scheme:
        used = (f"scheme [cyan]{scheme}[/cyan]: the same as {entry.scheme} here ({scheme} "
                "changes other entries)")  # fmt: skip
    what = entry.describe().removesuffix(f" ({entry.scheme})")
    console.print(f"[bold]{escape(what)}[/bold]  {used}", soft_wrap=True)
    asm = escape("\n".join(entry.canonical())) or "(no instruction: a compiler-only barrier)"
    console.print(Panel(asm, title="assembly (canonical registers)", expand=False))
    if decoded:
        listing = Table(title="bytes and capstone disassembly")
        for col in ("offset", "bytes", "instruction", "memory-model view"):
            listing.add_column(col, no_wrap=True)
        for d in decoded:
            listing.add_row(f"{d.address:#06x}", d.bytes.hex(" "), escape(d.text),
                            escape(d.info.describe()))  # fmt: skip
        print_table(console, listing)
        console.print(f"bytes: {code.hex()}", soft_wrap=True)
    if entry.roles:
        console.print("roles: " + escape("; ".join(r.describe() for r in entry.roles)),
                      soft_wrap=True)  # fmt: skip
    if entry.ok_role:
        console.print(f"success flag: {entry.ok_role} (1 = stored; may fail spuriously)")
    console.print(f"[italic]why:[/italic] {escape(entry.rationale)}", soft_wrap=True)


def entry_record(entry: Entry) -> dict:
    """One entry as a JSON object (`table --format json`, and the rows of every format)."""
    return {
        "target": entry.target.name,
        "scheme": entry.scheme,
        "op": entry.op.value,
        "order": entry.order.value,
        "failure": entry.failure.value if entry.failure else None,
        "width": entry.width,
        "asm": entry.canonical(),
        "bytes": entry.assemble(0).hex(),
        "rationale": entry.rationale,
        "roles": [r.describe() for r in entry.roles],
        "ok_role": entry.ok_role,
    }


def format_records(records: list[dict], fmt: str, targets: tuple[str, ...], scheme: str,
                   width: int | None = None) -> str:  # fmt: skip
    """The table in `fmt`: text, markdown, grid, json or csv. `width`: a terminal's, which the
    text format's reasons wrap to (None: never wrapped)."""
    if fmt == "text":
        return _text(records, scheme, width)
    return _FORMATS[fmt](records, targets, scheme)


def _json(records, targets, scheme) -> str:
    return json.dumps(records, indent=1)


_COLUMNS = ("target", "scheme", "op", "order", "failure", "width", "asm", "bytes", "rationale")


def _csv(records, targets, scheme) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_COLUMNS)
    for r in records:
        writer.writerow([("; ".join(r[c]) if c == "asm" else r[c]) if r[c] is not None
                         else "" for c in _COLUMNS])  # fmt: skip
    return out.getvalue()


def _grid(records, targets, scheme) -> str:
    """One column per target, one row per op x ordering x width (CAS: C's default failure)."""
    rows: dict[tuple[str, str, int | None], dict[str, str]] = {}
    for r in records:
        if r["failure"] and parse_order(r["failure"]) != default_failure_order(
            parse_order(r["order"])
        ):
            continue
        cell = "; ".join(a for a in r["asm"]) or "(nothing)"
        rows.setdefault((r["op"], r["order"], r["width"]), {})[r["target"]] = f"`{cell}`"
    lines = ["| op | ordering | width | " + " | ".join(targets) + " |",
             "|---|---|---|" + "---|" * len(targets)]  # fmt: skip
    for (op, order, width), cells in rows.items():
        lines.append(f"| {op} | {order} | {width or '-'} | "
                     + " | ".join(cells.get(t, "") for t in targets) + " |")  # fmt: skip
    return "\n".join(lines)


def _markdown(records, targets, scheme) -> str:
    head = ("target", "operation", "ordering", "width", "instructions", "from", "why")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in records:
        order = r["order"] + (f" / {r['failure']}" if r["failure"] else "")
        asm = "<br>".join(f"`{a}`" for a in r["asm"]) or "*(none)*"
        row = (r["target"], r["op"], order, str(r["width"] or "-"), asm, r["scheme"],
               r["rationale"].replace("|", "\\|"))  # fmt: skip
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


_WHY_ROOM = 30  # the narrowest column a reason wraps in, beside the names and instructions


def _text(records: list[dict], scheme: str, width: int | None) -> str:
    """One entry a line: the names in aligned columns, then the instructions, then the reason,
    whole (`grep` finds an entry with its reason). In a terminal (`width`) wide enough for the
    names, the instructions and `_WHY_ROOM` columns of reason, an entry's instructions stack one
    a line in their own column and its reason wraps beside them; in a narrower one the lines
    are the pipe's, each whole and wider than the terminal (rather than a name split)."""
    head = ("target", "op", "order", "width", "from")
    names = [(r["target"], r["op"], r["order"] + (f"/{r['failure']}" if r["failure"] else ""),
              str(r["width"] or "-"), r["scheme"]) for r in records]  # fmt: skip
    sizes = [max(len(row[i]) for row in [head, *names]) for i in range(len(head))]

    def aligned(row) -> str:
        return "  ".join(c.ljust(n) for c, n in zip(row, sizes))

    lines = [f"lowering table ({scheme}): {len(records)} entries"]
    asm_size = max(len(a) for r in records for a in r["asm"] or ["(none)"])
    room = (width or 0) - sum(sizes) - 2 * len(sizes) - asm_size - 2
    if room < _WHY_ROOM:  # piped, or a terminal too narrow for the columns: one line an entry
        lines.append(f"{aligned(head)}  asm  -- why")
        for row, r in zip(names, records):
            lines.append(f"{aligned(row)}  {'; '.join(r['asm']) or '(none)'}  -- {r['rationale']}")
        return "\n".join(lines)
    blank = aligned([""] * len(head))
    lines.append(f"{aligned(head)}  {'asm'.ljust(asm_size)}  why")
    for row, r in zip(names, records):
        asm, why = r["asm"] or ["(none)"], textwrap.wrap(r["rationale"], room)
        for k in range(max(len(asm), len(why))):
            left = aligned(row) if k == 0 else blank
            right = f"{(asm[k] if k < len(asm) else '').ljust(asm_size)}  {why[k] if k < len(why) else ''}"
            lines.append(f"{left}  {right}".rstrip())
    return "\n".join(lines)


_FORMATS = {"markdown": _markdown, "grid": _grid, "json": _json, "csv": _csv}
