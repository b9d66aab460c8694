"""How the lowering table prints: one entry explained (`map`), and the whole table in five
formats (`table --format text|markdown|grid|json|csv`)."""

from __future__ import annotations

import csv
import io
import json

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from fencelab.atomics import default_failure_order, parse_order
from fencelab.isa.target import Target
from fencelab.lowering.template import Entry


def print_entry(console: Console, target: Target, entry: Entry) -> None:
    """One lowering: canonical assembly, bytes with capstone's disassembly, roles, rationale."""
    code = entry.assemble(0)
    decoded = target.disassemble(code, 0)
    console.print(f"[bold]{entry.describe()}[/bold]  scheme used: [cyan]{entry.scheme}[/cyan]")
    asm = escape("\n".join(entry.canonical())) or "(no instruction: a compiler-only barrier)"
    console.print(Panel(asm, title="assembly (canonical registers)", expand=False))
    if decoded:
        listing = Table(title="bytes and capstone disassembly")
        for col in ("offset", "bytes", "instruction", "memory-model view"):
            listing.add_column(col)
        for d in decoded:
            listing.add_row(f"{d.address:#06x}", d.bytes.hex(" "), escape(d.text),
                            escape(d.info.describe()))  # fmt: skip
        console.print(listing)
        console.print(f"bytes: {code.hex()}", soft_wrap=True)
    if entry.roles:
        console.print("roles: " + escape("; ".join(r.describe() for r in entry.roles)))
    if entry.ok_role:
        console.print(f"success flag: {entry.ok_role} (1 = stored; may fail spuriously)")
    console.print(f"[italic]why:[/italic] {escape(entry.rationale)}")


def entry_record(entry: Entry) -> dict:
    """One entry as a JSON object (`table --format json`, and the rows of every format)."""
    return {
        "target": entry.target,
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


def format_records(records: list[dict], fmt: str, targets: tuple[str, ...],
                   scheme: str) -> str | Table:  # fmt: skip
    """The table in `fmt`: text (a rich Table), markdown, grid, json or csv (strings)."""
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


def _text(records, targets, scheme) -> Table:
    table = Table(title=f"lowering table ({scheme})", show_lines=True)
    for col in ("target", "op", "order", "width", "asm", "from", "why"):
        table.add_column(col, overflow="fold")
    for r in records:
        order = r["order"] + (f"/{r['failure']}" if r["failure"] else "")
        table.add_row(r["target"], r["op"], order, str(r["width"] or "-"),
                      escape("\n".join(r["asm"])) or "(none)", r["scheme"],
                      escape(r["rationale"]))  # fmt: skip
    return table


_FORMATS = {"text": _text, "markdown": _markdown, "grid": _grid, "json": _json, "csv": _csv}
