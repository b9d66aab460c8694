"""The package's layering holds: imports only point down, and no modules import each other in a
circle. Every `import` counts, function-local ones and `if TYPE_CHECKING:` ones included
(ARCHITECTURE.md draws the layers)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "fencelab"

# Bottom to top; a module may import its own layer and the layers below it.
LAYERS = (
    ("fencelab", "errors", "atomics", "values", "limits", "interrupts", "reduce"),
    ("isa",),
    ("lowering",),
    ("litmus",),
    ("compiler",),
    ("program",),
    ("result",),
    ("machine",),
    ("models",),
    ("pipeline",),
    ("graph",),
    ("gen",),
    ("checker",),
    ("hw",),
    ("report",),
    ("parallel",),
    ("tui",),
    ("cli",),
    ("launch", "__main__"),
)
LAYER_OF = {name: i for i, names in enumerate(LAYERS) for name in names}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The fencelab modules `name` imports (a package's submodule when one is named)."""
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, *([base] if base else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.add(sub if sub in MODULES else base)
    return {m for m in out if m == "fencelab" or m.startswith("fencelab.")}


GRAPH = {name: _imports(name, path) - {name} for name, path in MODULES.items()}


def layer(module: str) -> int:
    parts = module.split(".")
    return LAYER_OF[parts[1] if len(parts) > 1 else parts[0]]


def test_every_module_has_a_layer():
    unknown = sorted(m for m in MODULES if (m.split(".") + [""])[1 if "." in m else 0]
                     not in LAYER_OF)  # fmt: skip
    assert not unknown, f"add these to LAYERS (and ARCHITECTURE.md): {unknown}"


def test_imports_point_down():
    upward = [f"{m} (layer {layer(m)}) imports {d} (layer {layer(d)})"
              for m, deps in sorted(GRAPH.items()) for d in sorted(deps)
              if layer(d) > layer(m)]  # fmt: skip
    assert not upward, "imports pointing up:\n" + "\n".join(upward)


def _cycle() -> list[str] | None:
    """One import circle, if there is any (depth-first search with colours)."""
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        colour[m] = 1
        stack.append(m)
        for d in sorted(GRAPH.get(m, ())):
            if colour.get(d) == 1:
                return [*stack[stack.index(d):], d]
            if d not in colour and (found := visit(d)):
                return found
        stack.pop()
        colour[m] = 2
        return None

    for m in sorted(GRAPH):
        if m not in colour and (found := visit(m)):
            return found
    return None


def test_no_import_circles():
    cycle = _cycle()
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_check_sees_a_violation():
    """The checks above can fail: an upward edge and a circle added by hand are found."""
    GRAPH["fencelab.isa.target"].add("fencelab.cli")
    GRAPH["fencelab.cli"].add("fencelab.isa.target")
    try:
        assert layer("fencelab.cli") > layer("fencelab.isa.target")
        assert _cycle() is not None
    finally:
        GRAPH["fencelab.isa.target"].discard("fencelab.cli")
        GRAPH["fencelab.cli"].discard("fencelab.isa.target")


def _drawn_layers(doc: str, block_start: str) -> list[int]:
    """The layer of each module a document's picture names at the head of a line, in the order
    drawn: `  isa/ ...`, `  errors.py, atomics.py, values.py   ...` (several on one line)."""
    text = (PACKAGE.parent / doc).read_text()
    start = text.index(block_start)
    block = text[start:text.index("```", start)]
    drawn = []
    for line in block.splitlines():
        head = re.match(r"  ((?:\w+(?:\.py|/)(?:, )?)+)", line)
        for name in head.group(1).split(", ") if head else ():
            drawn.append(LAYER_OF[name.removesuffix("/").removesuffix(".py")])
    return drawn


def test_readme_layout_and_architecture_draw_these_layers():
    """README's Layout says "bottom layer first" and ARCHITECTURE.md's diagram is LAYERS top
    down: each lists every layer once in that order (a module added to LAYERS, or moved, is
    drawn where it stands)."""
    every = {LAYER_OF[name] for names in LAYERS for name in names if name != "fencelab"}
    readme = _drawn_layers("README.md", "fencelab/             (bottom layer first")
    architecture = _drawn_layers("ARCHITECTURE.md", "  launch.py")
    assert readme == sorted(readme) and set(readme) == every
    assert architecture == sorted(architecture, reverse=True) and set(architecture) == every
