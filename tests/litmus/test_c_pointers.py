"""Pointers in memory in C litmus tests (issue 14): a location holding another's address.

herd's forms: `int *p = &x;`, `int* p = x;`, `p=x;`, `p=&x;` in the initial state; a parameter
`int **p` for a location holding a pointer; a parameter used as a value (`x`, the location's
address); pointer locals (`int *r0 = atomic_load_explicit(p, ...)`, `*r0`, `r0[1]`); indices
computed at run time (`v[r0]`); pointer values in conditions (`1:r0=x`, `p=y`). The source
models branch on the address a pointer read returns, so every path still names the location of
each access. Compiling such a test to a target is refused with one line.
"""

from __future__ import annotations

import pytest

from fencelab.errors import FencelabError
from fencelab.litmus.ast import LocRef
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state, format_test, same_meaning
from fencelab.pipeline import RunOptions, run_test

MODELS = ("rc11", "c11", "sc-source")


def outcomes(text: str, model: str = "rc11") -> tuple[set[str], bool]:
    result = run_test(parse_text(text), RunOptions.named(model=model))
    return {format_state(s.outcome) for s in result.states}, result.ok


def publish(store: str, load: str, init: str = "int *p = &x;") -> str:
    """P0 fills y, then points p at it; P1 reads p and reads through the pointer it got."""
    return f"""C MP+ptr+{store}+{load}
{{ {init} int x = 0; int y = 0; }}
P0 (atomic_int* y, atomic_int** p) {{
  atomic_store_explicit(y, 1, memory_order_relaxed);
  atomic_store_explicit(p, y, memory_order_{store});
}}
P1 (atomic_int** p) {{
  int *r0 = atomic_load_explicit(p, memory_order_{load});
  int r1 = atomic_load_explicit(r0, memory_order_relaxed);
}}
exists (1:r0=y /\\ 1:r1=0)
"""


STRONG = {"1:r0=x; 1:r1=0;", "1:r0=y; 1:r1=1;"}


@pytest.mark.parametrize("model", MODELS)
def test_a_pointer_published_with_release_is_read_through_with_acquire(model):
    assert outcomes(publish("release", "acquire"), model) == (STRONG, False)


def test_a_relaxed_pointer_read_does_not_order_the_read_through_it():
    # C11 has no dependency ordering (consume is acquire's strength only when spelled so)
    assert outcomes(publish("relaxed", "relaxed")) == (STRONG | {"1:r0=y; 1:r1=0;"}, True)
    assert outcomes(publish("relaxed", "relaxed"), "sc-source") == (STRONG, False)


@pytest.mark.parametrize("init", ["int *p = &x;", "int* p = x;", "p=x;", "p=&x;"])
def test_herds_initial_state_forms_of_a_pointer(init):
    test = parse_text(publish("release", "acquire", init))
    p = test.location("p")
    assert p.init == LocRef("x") and p.width == 64
    assert outcomes(publish("release", "acquire", init)) == (STRONG, False)


def test_plain_accesses_through_pointers_and_final_pointer_values():
    text = """C ptr-plain
{ int* p = x; int x = 0; int y = 0; }
P0 (int* y, int** p) {
  *y = 1;
  *p = y;
}
P1 (int** p) {
  int *r0 = *p;
  *r0 = 2;
}
locations [1:r0; x;]
exists (p=y /\\ y=1)
"""
    states, ok = outcomes(text)
    # P1's write goes wherever the pointer it read points: x (old p) or y (new p)
    assert states == {"1:r0=x; [p]=y; [x]=2; [y]=1;", "1:r0=y; [p]=y; [x]=0; [y]=1;",
                      "1:r0=y; [p]=y; [x]=0; [y]=2;"}  # fmt: skip
    assert ok


def test_a_pointer_swapped_and_compared_in_memory():
    text = """C ptr-rmw
{ p=&x; int x = 0; int y = 0; }
P0 (atomic_int* y, atomic_int** p, atomic_int* x) {
  int *e = x;
  int ok = atomic_compare_exchange_strong_explicit(p, &e, y, memory_order_relaxed,
                                                   memory_order_relaxed);
}
P1 (atomic_int** p, atomic_int* y) {
  int *r0 = atomic_exchange_explicit(p, y, memory_order_relaxed);
  atomic_store_explicit(r0, 2, memory_order_relaxed);
}
locations [1:r0; p; x; y;]
exists (0:ok=0 /\\ 0:e=y)
"""
    states, ok = outcomes(text)
    assert states == {
        "0:e=x; 0:ok=1; 1:r0=y; [p]=y; [x]=0; [y]=2;",  # CAS first: p=y, P1 swaps y for y
        "0:e=y; 0:ok=0; 1:r0=x; [p]=y; [x]=2; [y]=0;",  # swap first: the CAS sees y and fails
    }
    assert ok


# herdtools7's C tests with pointers in memory are Linux-kernel tests (catalogue/linux/tests:
# READ_ONCE, WRITE_ONCE, smp_wmb, smp_store_release), which fencelab does not read. Here the same
# shapes in C11: each pointer read that an access depends on (LKMM orders address dependencies)
# an acquire, smp_wmb a release fence; each gives the states of herd's expected output for the
# kernel test, line for line (herd7 under linux-kernel.cat; here c11).
WWC = """C WWC+ptr+{p1}+{p2}
{{ int a = 0; int b = 0; int *x = &a; int *y = &b; }}
P0 (atomic_int** x) {{
  atomic_store_explicit(x, x, memory_order_relaxed);
}}
P1 (atomic_int** x, atomic_int** y) {{
  int *r1 = atomic_load_explicit(x, memory_order_relaxed);
  atomic_store_explicit(y, r1, memory_order_{p1});
}}
P2 (atomic_int** y, atomic_int* a) {{
  int **r2 = (int**)atomic_load_explicit(y, memory_order_{p2});
  atomic_store_explicit(r2, a, memory_order_relaxed);
}}
exists (1:r1=x /\\ 2:r2=x /\\ x=x)
"""



def wmb_addr(shape: str, through: str, cond: str) -> str:
    """P0 writes x0, then (after a release fence) points x1 at it; P1 reads x1 (acquire) and
    accesses what it points to (`through`, over `r2`)."""
    return f"""C {shape}+wmb+addr
{{ int y = 1; int *x1 = &y; }}
P0 (atomic_int* x0, atomic_int** x1) {{
  atomic_store_explicit(x0, 2, memory_order_relaxed);
  atomic_thread_fence(memory_order_release);
  atomic_store_explicit(x1, x0, memory_order_relaxed);
}}
P1 (atomic_int** x1) {{
  int *r2 = atomic_load_explicit(x1, memory_order_acquire);
  {through}
}}
exists (1:r2=x0 /\\ {cond})
"""


SHAPES = {
    "C-MP+o-wmb-o+o-addr-o": (wmb_addr("MP", "int r3 = atomic_load_explicit(r2, memory_order_relaxed);", "1:r3=1"),
                              ["States 2", "1:r2=x0; 1:r3=2;", "1:r2=y; 1:r3=1;", "No"]),
    "C-S+o-wmb-o+o-addr-o": (wmb_addr("S", "*r2 = 3;", "x0=2"),
                             ["States 2", "1:r2=x0; [x0]=3;", "1:r2=y; [x0]=2;", "No"]),
    "C-WWC+o+o-r+o-addr-o": (WWC.format(p1="release", p2="acquire"), ["States 4", "1:r1=a; 2:r2=a; [x]=x;",
    "1:r1=a; 2:r2=b; [x]=x;", "1:r1=x; 2:r2=b; [x]=x;", "1:r1=x; 2:r2=x; [x]=a;", "No"]),
    # no release in P1: the dependency orders nothing before P1's write, in LKMM as in C11
    "C-WWC+o+o-data-o+o-addr-o": (WWC.format(p1="relaxed", p2="relaxed"), ["States 5",
        "1:r1=a; 2:r2=a; [x]=x;", "1:r1=a; 2:r2=b; [x]=x;", "1:r1=x; 2:r2=b; [x]=x;",
        "1:r1=x; 2:r2=x; [x]=a;", "1:r1=x; 2:r2=x; [x]=x;", "Ok"]),
}  # fmt: skip


@pytest.mark.parametrize("name", SHAPES)
def test_herds_pointer_shapes_give_herds_states(name):
    text, expected = SHAPES[name]
    result = run_test(parse_text(text), RunOptions.named(model="c11"))
    assert herd_block(result) == expected


def test_a_relaxed_read_of_a_pointer_to_a_pointer_orders_nothing_after_it():
    # P1 releases, P2 reads relaxed: C11 allows P2's write to x before P0's (LKMM would not)
    states, ok = outcomes(WWC.format(p1="release", p2="relaxed"))
    assert "1:r1=x; 2:r2=x; [x]=x;" in states and len(states) == 5 and ok


def herd_block(result) -> list[str]:
    from fencelab.report.herd import format_herd

    lines = format_herd(result, extras=False).splitlines()
    return lines[1 : lines.index("Witnesses")]


def test_an_index_computed_at_run_time():
    text = """C idx
{ int v[3] = {5,6,7}; int i = 0; }
P0 (atomic_int* i) {
  atomic_store_explicit(i, 2, memory_order_release);
}
P1 (atomic_int* i, atomic_int* v) {
  int r0 = atomic_load_explicit(i, memory_order_acquire);
  int r1 = atomic_load_explicit(&v[r0], memory_order_relaxed);
  int *r2 = v + r0;
  int r3 = *r2;
  int r4 = v[r0 - 1 + 1];
}
locations [1:r0;]
exists (1:r1=7 /\\ 1:r3=7 /\\ 1:r4=7)
"""
    assert outcomes(text) == ({"1:r0=0; 1:r1=5; 1:r3=5; 1:r4=5;",
                               "1:r0=2; 1:r1=7; 1:r3=7; 1:r4=7;"}, True)  # fmt: skip


def test_dereferencing_a_value_that_is_no_address_in_an_execution_is_one_line(cli, tmp_path):
    path = tmp_path / "null.litmus"
    path.write_text("C null\n{ int *p = &x; int x = 0; }\nP0 (atomic_int** p) {\n"
                    "  atomic_store_explicit(p, 0, memory_order_relaxed);\n}\n"
                    "P1 (atomic_int** p) {\n  int *r0 = atomic_load_explicit(p, memory_order_relaxed);\n"
                    "  int r1 = *r0;\n}\nexists (1:r1=0)\n")  # fmt: skip
    result = cli(["run", "--model", "rc11", str(path)])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (f"fencelab: error: {path}:8:12: P1 dereferences 0, "
                                     "which is no location's address")  # fmt: skip


def test_an_infeasible_path_through_a_bad_address_is_no_error():
    # c11 tries the condition's constants (here 1) as values of every location: a path that
    # reads 1 from p and dereferences it is never part of an execution
    states, ok = outcomes(publish("release", "acquire").replace("1:r1=0", "1:r1=1"), "c11")
    assert states == STRONG and ok


def test_an_address_outside_its_array_in_an_execution_is_one_line():
    text = ("C out\n{ int v[2]; int i = 0; }\nP0 (atomic_int* i) {\n"
            "  atomic_store_explicit(i, 2, memory_order_relaxed);\n}\n"
            "P1 (atomic_int* i, atomic_int* v) {\n  int r0 = atomic_load_explicit(i, memory_order_relaxed);\n"
            "  int r1 = v[r0];\n}\nexists (1:r1=0)\n")  # fmt: skip
    with pytest.raises(FencelabError, match=r"8:12: P1 computes the address v\[2\]: outside array 'v' of 2"):
        outcomes(text)


@pytest.mark.parametrize("target", ["armv8", "x86_64"])
def test_compiling_pointers_to_a_target_is_refused_with_one_line(cli, tmp_path, target):
    path = tmp_path / "ptr.litmus"
    path.write_text(publish("release", "acquire"))
    for command in (["run", "-t", target], ["compile", "-t", target]):
        result = cli([*command, str(path)])
        assert result.exit_code == 2, result.output
        (line,) = result.output.strip().splitlines()
        assert line == (f"fencelab: error: {path}:2:3: location 'p' holds the address of 'x': "
                        "compiling pointers in memory to a target is not supported; run the test "
                        "under a source model (--model c11, rc11 or sc-source)")  # fmt: skip


def test_a_thread_using_a_parameter_as_a_pointer_is_refused_when_compiled(cli, tmp_path):
    path = tmp_path / "ptr.litmus"
    path.write_text(publish("release", "acquire", init="").replace("int x = 0;", ""))
    result = cli(["run", "-t", "armv8", str(path)])
    assert result.exit_code == 2
    assert "P0 uses a pointer as a value or accesses memory through one" in result.output


def test_pointer_tests_print_back_as_herd_reads_them():
    for text in (publish("release", "acquire"), publish("relaxed", "relaxed", "p=x;")):
        test = parse_text(text)
        printed = format_test(test)
        assert "int *r0 = atomic_load_explicit(p, " in printed
        assert "atomic_load_explicit(r0, memory_order_relaxed)" in printed
        assert "p=&x;" in printed
        assert same_meaning(parse_text(printed), test)


@pytest.mark.parametrize(
    "body, message",
    [
        ("int r0 = x;", "4:12: 'x' is a pointer to a shared location: read it with \\*x"),
        ("int r0 = (char)1;", "4:12: a cast to a non-pointer type is not supported"),
        ("int r0 = &x[0];", "4:12: 'r0' is not a pointer: declare it `int \\*r0`"),
        ("int *r0 = &x;", "4:13: '&x': the address of a parameter"),
        ("int r0 = *(1 + x);", "4:14: the location of \\*\\(...\\) must be a location parameter"),
    ],
)
def test_pointer_forms_still_refused_are_one_line(body, message):
    text = f"C bad\n{{ int x; }}\nP0 (atomic_int* x) {{\n  {body}\n}}\nexists (x=0)\n"
    with pytest.raises(FencelabError, match=message):
        parse_text(text)


def test_pointers_in_rust_tests_stay_refused():
    with pytest.raises(FencelabError, match="pointers in memory are not supported in RUST tests"):
        parse_text("RUST p\n{ p=x; }\nP0 {\n  x.store(1, Relaxed);\n}\nexists (x=1)\n")


def test_the_execution_graph_names_the_addresses_stored_and_read(cli, tmp_path):
    path = tmp_path / "mp.litmus"
    path.write_text(publish("release", "acquire"))
    result = cli(["graph", str(path)])
    assert result.exit_code == 0, result.output
    assert "b: W[rel] p=y" in result.output and "c: R[acq] p=y" in result.output
    svg = tmp_path / "mp.svg"
    assert cli(["graph", "-o", str(svg), str(path)]).exit_code == 0
    assert 'data-value="y"' in svg.read_text() and "LocRef" not in svg.read_text()


@pytest.mark.parametrize(
    "body, message",
    [
        ("int r1 = atomic_fetch_add_explicit(p, 1, memory_order_relaxed);",
         "9:12: P1 applies fetch_add to p, which holds the address of x: arithmetic"),
        ("int r1 = r0 * 2;", r"9:3: P1 uses the address of x as a number \(the left operand "
                             r"of '\*'\): arithmetic on addresses is not modelled"),
    ],
)
def test_arithmetic_on_an_address_in_an_execution_is_one_line(body, message):
    text = publish("release", "acquire").replace(
        "  int r1 = atomic_load_explicit(r0, memory_order_relaxed);\n", f"  {body}\n")
    with pytest.raises(FencelabError, match=message):
        outcomes(text)


@pytest.mark.parametrize("call", ["WRITE_ONCE(*x, 1)", "smp_mb()", "rcu_read_lock()",
                                  "atomic_inc_return_relaxed(x)", "xchg_acquire(x, 1)"])
def test_herds_linux_kernel_tests_are_refused_naming_the_kernel_model(call):
    """herd's C tests with pointers are LKMM tests (catalogue/linux): their primitives get one
    line naming the Linux-kernel model, at the call."""
    text = ("C LK\n{ int x; }\nP0(atomic_int *x) {\n  " + call + ";\n}\n"
            "P1(atomic_int *x) { int r0 = atomic_load_explicit(x, memory_order_relaxed); }\n"
            "exists (1:r0=1)\n")
    with pytest.raises(FencelabError) as e:
        parse_text(text)
    name = call.split("(")[0]
    assert f"4:3: {name!r} is a Linux-kernel primitive" in str(e.value)
    assert "the Linux-kernel memory model is not supported" in str(e.value)
