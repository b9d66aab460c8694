"""Litmus texts built in tests: a thread table from lists of instruction rows."""

from __future__ import annotations


def table(name: str, init: str, threads: list[list[str]], cond: str, arch: str = "AArch64") -> str:
    """An assembly test of `arch` whose thread i runs `threads[i]`, row by row."""
    height = max(len(t) for t in threads)
    head = " | ".join(f"P{i:<23}" for i in range(len(threads)))
    rows = [
        " " + " | ".join(f"{(t[i] if i < len(t) else ''):<24}" for t in threads) + " ;"
        for i in range(height)
    ]
    return "\n".join([f"{arch} {name}", "{", init, "}", f" {head} ;", *rows, cond]) + "\n"


def run_states(cli, tmp_path, text: str, model: str) -> tuple[list[str], str]:
    """`fencelab run --model MODEL` on `text` (written to tmp_path/t.litmus): the state lines
    of herd's block and the Ok/No line after them."""
    path = tmp_path / "t.litmus"
    path.write_text(text)
    result = cli(["run", "--model", model, str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    count = int(lines[1].split()[1])
    return lines[2 : 2 + count], lines[2 + count]
