"""Writing execution graphs to files: SVG (pure Python), DOT (for graphviz), or both."""

from __future__ import annotations

from pathlib import Path

from fencelab.errors import FencelabError
from fencelab.graph.api import file_stem
from fencelab.graph.model import ExecutionGraph
from fencelab.report.dot import render_dot
from fencelab.report.names import kept_apart
from fencelab.report.svg import render_svg

FORMATS = ("svg", "dot", "both")
RENDER = {"svg": render_svg, "dot": render_dot}


def formats_of(fmt: str) -> tuple[str, ...]:
    if fmt not in FORMATS:
        raise FencelabError(f"unknown graph format {fmt!r}; valid: {', '.join(FORMATS)}")
    return ("svg", "dot") if fmt == "both" else (fmt,)


def write_graphs(graphs: list[ExecutionGraph], directory: Path, fmt: str = "svg",
                 taken: dict[str, dict[str, str]] | None = None) -> list[Path]:  # fmt: skip
    """One file per graph and format; returns the paths written. `taken` (one per command:
    each name written, with its pictures) keeps two graphs of one name apart (two tests named
    alike, a C and a Rust spelling): the later one is NAME-2, never written over the first;
    the same picture again is the same file."""
    written = []
    taken = {} if taken is None else taken
    for graph in graphs:
        texts = {ext: RENDER[ext](graph) for ext in formats_of(fmt)}
        name, _ = kept_apart(file_stem(graph), lambda _name, texts=texts: texts, taken)
        for ext, text in texts.items():
            path = directory / f"{name}.{ext}"
            try:  # (SVG and DOT are UTF-8, whatever the locale: `⁻¹`, `—` in every cycle's)
                path.write_text(text, encoding="utf-8")
            except OSError as e:
                raise FencelabError(f"{path}: cannot be written ({e.strerror or e})") from None
            written.append(path)
    return written


def write_counterexample_graphs(check, directory: Path, fmt: str = "svg",
                                taken: dict[str, dict[str, str]] | None = None) -> list[str]:
    """For each extra outcome of an unsound check: the hardware execution the source model
    forbids and the source model's cycle (fencelab.graph.api.counterexample_graphs). Returns
    a line per file written, or per counterexample that could not be drawn."""
    from fencelab.graph.api import counterexample_graphs
    from fencelab.litmus.printer import format_state

    lines = []
    arch = check.test.arch
    for extra in check.extra:
        try:
            graphs = counterexample_graphs(check, extra)
        except FencelabError as e:
            lines.append(f"{format_state(extra.outcome, arch)} not drawn: {e}")
            continue
        if not extra.witness:
            lines.append(f"{format_state(extra.outcome, arch)} hardware execution not drawn: "
                         f"{check.hardware_model} is axiomatic, it runs no schedule")  # fmt: skip
        lines.extend(str(p) for p in write_graphs(graphs, directory, fmt, taken))
    return lines
