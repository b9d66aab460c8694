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


# a uint8_t location written 200, one test an architecture: its events, witnesses and final
# values carry 200 (tests/graph, tests/cli/test_run.py)
UINT8_TESTS = {
    "AArch64": """AArch64 U8
{ uint8_t x=0; 0:X1=x; 1:X1=x; }
 P0           | P1           ;
 MOV W0,#200  | LDRB W0,[X1] ;
 STRB W0,[X1] |              ;
exists (1:X0=200 /\\ x=200)
""",
    "ARM": """ARM U8
{ uint8_t x=0; 0:R1=x; 1:R1=x; }
 P0           | P1           ;
 MOV R0,#200  | LDRB R0,[R1] ;
 STRB R0,[R1] |              ;
exists (1:R0=200 /\\ x=200)
""",
    "X86_64": """X86_64 U8
{ uint8_t x=0; }
 P0            | P1               ;
 movb $200,(x) | movzbl (x),%eax  ;
exists (1:rax=200 /\\ x=200)
""",
}
