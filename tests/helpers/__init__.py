"""What several test files share: where things are, and small helpers (fixtures are in
tests/conftest.py). Test files import from here, never from each other."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLES = REPO / "examples"
HERD_DATA = REPO / "tests" / "data" / "herd"

# herd's store-buffering test on x86-64 (the machine's and the TUI's running example)
X86_SB = """X86_64 SB
{ x=0; y=0; }
 P0            | P1            ;
 movl $1,(x)   | movl $1,(y)   ;
 movl (y),%eax | movl (x),%eax ;
exists (0:rax=0 /\\ 1:rax=0)
"""

X86_SB_MFENCES = """X86_64 SB+mfences
{ x=0; y=0; }
 P0            | P1            ;
 movl $1,(x)   | movl $1,(y)   ;
 mfence        | mfence        ;
 movl (y),%eax | movl (x),%eax ;
exists (0:rax=0 /\\ 1:rax=0)
"""

# message passing ordered by a DMB SY and, on the reader, an address dependency (EOR of a
# register with itself into the index): forbidden under ARMv8
AARCH64_MP_DMB_ADDR = r"""AArch64 MP+dmb.sy+addr
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1                  ;
 MOV W0,#1   | LDR W0,[X1]         ;
 STR W0,[X1] | EOR W2,W0,W0        ;
 DMB SY      | LDR W4,[X3,W2,SXTW] ;
 MOV W2,#1   |                     ;
 STR W2,[X3] |                     ;
exists (1:X0=1 /\ 1:X4=0)
"""

# every core writes, a barrier, then writes the next core's location (DMB ST, DSB, DSB): the
# commit order reaches P0's commit of y from P1's only through P1's commit of z and P2's of x
# (tests of armv7's reductions)
ARM_3_2W_DMB_DSB = """ARM 3.2W+dmb.st+dsb+dsb
{
%x0=x; %y0=y;
%y1=y; %z1=z;
%z2=z; %x2=x;
}
 P0           | P1           | P2           ;
 MOV R0,#2    | MOV R0,#2    | MOV R0,#2    ;
 STR R0,[%x0] | STR R0,[%y1] | STR R0,[%z2] ;
 DMB ST       | DSB          | DSB          ;
 MOV R1,#1    | MOV R1,#1    | MOV R1,#1    ;
 STR R1,[%y0] | STR R1,[%z1] | STR R1,[%x2] ;
exists (x=2 /\\ y=2 /\\ z=2)
"""

# C/Rust examples with spin or retry loops that take minutes under the armv7 model (commits
# explored in every order and at every place in coherence; README "armv7 and aarch32"): tests
# that run every example on every target run these on armv7 under `aarch32`.
SLOW_ON_ARMV7 = frozenset({
    "peterson+rel+acq", "peterson+sc", "spinlock+cas", "spinlock+rlx", "ticketlock",
})  # fmt: skip


def model_for(target: str, example: Path) -> str | None:
    """The model a whole-catalogue test runs `example` under on `target` (None: the target's
    default)."""
    return "aarch32" if target == "armv7" and example.stem in SLOW_ON_ARMV7 else None


def one_error(result) -> str:
    """The one line a refused command prints (a click `Result`: stdout and stderr mixed):
    `fencelab: error: ...`, status 2, no traceback."""
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("fencelab: error: ") and "Traceback" not in result.output
    return lines[0]


def armv7_accesses_seen(program, contexts) -> None:
    """Record in armv7's thread contexts what the model records as cores run (its thread.py):
    each memory access's location, as if every access had run (tests of `CommitOrder`)."""
    from fencelab.models.operational.armv7.order import ACCESS_LOCS

    for ctx in contexts:
        for pc, info in ctx.core.infos.items():
            if info.kind.touches_memory:
                addr = program.threads[ctx.tid].init_regs[sorted(info.addr_regs)[0]]
                ctx.__dict__.setdefault(ACCESS_LOCS, {})[pc] = next(
                    loc.index for loc in program.locations if loc.addr == addr)


def outcomes_and_states(text: str, off=(), model: str = "armv7"):
    """Run `text` under `model` with the reductions `off` turned off: (its outcome set, the
    states explored), what tests of a reduction compare with it on and off."""
    from fencelab import reduce
    from fencelab.litmus.parser import parse_text
    from fencelab.pipeline import Pipeline, RunOptions

    reduce.set_disabled(off)
    try:
        result = Pipeline().run(parse_text(text, "t"), RunOptions.named(model=model))
    finally:
        reduce.enable_all()
    return frozenset(s.outcome for s in result.states), result.explored_states


def herd_counts(cli, tmp_path, text: str, model: str) -> tuple[str, str, int]:
    """`fencelab run --model MODEL` of `text`: its `Positive:` line, its `Observation` line
    without the test's name, and the number of states."""
    path = tmp_path / "t.litmus"
    path.write_text(text)
    result = cli(["run", "--model", model, str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    positive = next(ln for ln in lines if ln.startswith("Positive:"))
    observation = next(ln for ln in lines if ln.startswith("Observation "))
    return positive, " ".join(observation.split()[2:]), int(lines[1].split()[1])


def c_tests(diy: tuple[int, int], generated: tuple[int, int]) -> list:
    """Every C example, herd's C tests that fencelab reads (not C13: a feature it does not
    read), `diy` = (count, seed) diy7-style C tests and `generated` = (count, first seed)
    generated ones, parsed."""
    from fencelab.errors import FencelabError
    from fencelab.gen import cycles
    from fencelab.gen.families import generate
    from fencelab.litmus.parser import parse_file, parse_text

    tests = []
    for path in [*sorted((EXAMPLES / "c").glob("*.litmus")),
                 *sorted((HERD_DATA / "c").glob("*.litmus"))]:  # fmt: skip
        try:
            tests.append(parse_file(path))
        except FencelabError:
            continue
    tests += [parse_text(t, f"<diy {i}>") for i, t in enumerate(cycles.generate_many("C", *diy))]
    tests += [parse_text(generate("C", generated[1] + i), f"<gen {i}>")
              for i in range(generated[0])]  # fmt: skip
    return tests
