"""Arrays in C litmus tests (issue 14): `int v[2]` in the initial state, `v[1]`, `&v[1]`, `v+1`
and `*(v+1)` in thread bodies, `v[1]=...` in conditions.

Each element is its own location: the source models judge it as one, and compiling places the
elements one after another (as in assembly tests), its address in a register set in the
initial state (`0:X1=v[1]`). Verdicts are asserted under rc11 and compiled to x86_64 and armv8.
"""

from __future__ import annotations

import pytest

from fencelab.compiler.compile import compile_test
from fencelab.errors import FencelabError
from fencelab.isa.registry import get_target
from fencelab.litmus.parser import parse_text
from fencelab.litmus.printer import format_state, format_test, strip_positions
from fencelab.pipeline import RunOptions, run_test
from fencelab.program.load import load

TARGETS = ("x86_64", "armv8")


def mp(store: str, load: str, flag: str = "&v[1]", data: str = "v") -> str:
    """MP with the data in element 0 and the flag in element 1 of one array."""
    return f"""C MP+array+{store}+{load}
{{ atomic_int v[2]; }}
P0 (atomic_int* v) {{
  atomic_store_explicit({data}, 7, memory_order_relaxed);
  atomic_store_explicit({flag}, 1, memory_order_{store});
}}
P1 (atomic_int* v) {{
  int r0 = atomic_load_explicit({flag}, memory_order_{load});
  int r1 = atomic_load_explicit({data}, memory_order_relaxed);
}}
exists (1:r0=1 /\\ 1:r1=0)
"""


def outcomes(result) -> set[str]:
    return {format_state(s.outcome) for s in result.states}


def results(text: str) -> dict[str, object]:
    """The result under rc11 and compiled to each of TARGETS (outcomes in source names)."""
    test = parse_text(text)
    out = {"rc11": run_test(test, RunOptions.named(model="rc11"))}
    for name in TARGETS:
        out[name] = run_test(test, RunOptions.named(target=name))
    return out


MP_ALL = {"1:r0=0; 1:r1=0;", "1:r0=0; 1:r1=7;", "1:r0=1; 1:r1=7;"}


@pytest.mark.parametrize("flag, data", [("&v[1]", "v"), ("v+1", "&v[0]")])
def test_mp_through_array_elements_release_acquire_is_forbidden(flag, data):
    for where, result in results(mp("release", "acquire", flag, data)).items():
        assert outcomes(result) == MP_ALL, where
        assert not result.ok, where


def test_mp_through_array_elements_relaxed_is_allowed_where_the_model_allows_it():
    got = results(mp("relaxed", "relaxed"))
    weak = "1:r0=1; 1:r1=0;"
    assert outcomes(got["rc11"]) == MP_ALL | {weak} and got["rc11"].ok
    assert outcomes(got["armv8"]) == MP_ALL | {weak} and got["armv8"].ok
    assert outcomes(got["x86_64"]) == MP_ALL and not got["x86_64"].ok  # TSO keeps MP ordered


INIT = """C array-init
{ int v[2] = {4,5}; atomic_int w[3]; }
P0 (atomic_int* v, atomic_int* w) {
  int r0 = v[1];
  int r1 = *(v+1) - *v;
  v[1] = r0 + 10;
  atomic_store_explicit(w+2, r1, memory_order_relaxed);
  int r2 = atomic_fetch_add_explicit(&w[1], 3, memory_order_acq_rel);
}
forall (0:r0=5 /\\ 0:r1=1 /\\ v[0]=4 /\\ v[1]=15 /\\ w[0]=0 /\\ w[1]=3 /\\ w[2]=1 /\\ 0:r2=0)
"""


def test_initial_values_and_every_spelling_of_an_element():
    for where, result in results(INIT).items():
        assert result.ok and len(result.states) == 1, (where, outcomes(result))


def test_elements_are_separate_locations_in_the_parsed_test():
    test = parse_text(INIT)
    locs = {loc.name: (loc.init, loc.array, loc.index) for loc in test.locations}
    assert locs == {"v": (4, "v", 0), "v[1]": (5, "v", 1), "w": (0, "w", 0),
                    "w[1]": (0, "w", 1), "w[2]": (0, "w", 2)}  # fmt: skip


def test_printed_back_as_c_and_read_again_to_the_same_test():
    test = parse_text(INIT)
    text = format_test(test)
    assert "int v[2]={4,5};" in text and "atomic_int w[3]={0,0,0};" in text
    assert "int r0 = v[1];" in text and "atomic_store_explicit(&w[2], r1," in text
    assert "v[1] = r0 + 10;" in text
    again = parse_text(text)
    assert [strip_positions(t.body) for t in again.threads] == [
        strip_positions(t.body) for t in test.threads]
    assert again.locations == test.locations


@pytest.mark.parametrize("target, address", [("armv8", "0:X1=v[1];"), ("x86_64", "0:rax=v[1];")])
def test_compiled_test_declares_the_array_and_addresses_elements_as_herd_does(target, address):
    asm = compile_test(parse_text(mp("release", "acquire")), get_target(target))
    text = format_test(asm)
    assert "int v[2]={0,0};" in text and address in text
    assert "(v[1])" not in text  # x86: an element other than the first goes through a register
    program = load(parse_text(text))  # what `fencelab compile` writes reads and loads back
    addr = {loc.name: loc.addr for loc in program.locations}
    assert addr["v[1]"] == addr["v"] + 4


def test_a_cas_with_an_element_as_its_expected_value():
    text = """C cas-element
{ atomic_int x = 1; atomic_int e[2] = {0,2}; }
P0 (atomic_int* x, atomic_int* e) {
  int ok = atomic_compare_exchange_strong_explicit(x, &e[1], 9, memory_order_seq_cst,
                                                   memory_order_relaxed);
}
forall (0:ok=0 /\\ x=1 /\\ e[1]=1 /\\ e[0]=0)
"""
    for where, result in results(text).items():
        assert result.ok and len(result.states) == 1, (where, outcomes(result))


@pytest.mark.parametrize(
    "body, message",
    [
        ("int r0 = v[5];", r":4:\d+: v\[5\] is outside array 'v' of 2"),
        ("atomic_store_explicit(&v[2], 1, memory_order_relaxed);", r"v\[2\] is outside array"),
        ("int r0 = *(v+3);", r"v\[3\] is outside array 'v' of 2"),
        ("int r0 = x[1];", r"x\[1\]: 'x' is not an array of the initial state"),
        ("int i = 1; int r0 = x[i];", r"x\[\.\.\.\]: 'x' is not an array of the initial state"),
        ("int r0 = u[1];", "'u' is not a location parameter of P0"),
        ("int r0 = atomic_load_explicit(&v, memory_order_relaxed);",
         "must be a location parameter of P0 .*an array element"),
    ],
)
def test_bad_element_accesses_are_one_line_errors(body, message):
    text = ("C bad\n{ int v[2]; int x; }\nP0 (atomic_int* v, atomic_int* x) {\n"
            f"  {body}\n}}\nexists (v=0)\n")  # fmt: skip
    with pytest.raises(FencelabError, match=message):
        parse_text(text)


def test_an_element_outside_the_array_in_the_condition_is_an_error():
    with pytest.raises(FencelabError, match=r"v\[2\] is outside array 'v' of 2"):
        parse_text(mp("release", "acquire").replace("exists (", "exists (v[2]=0 /\\ "))


def test_the_cli_reports_a_bad_index_with_its_place_and_exit_2(cli, tmp_path):
    path = tmp_path / "bad.litmus"
    path.write_text(mp("release", "acquire").replace("&v[1], 1,", "&v[5], 1,"))
    for args in (["run", str(path)], ["compile", str(path), "-t", "armv8"]):
        result = cli(args)
        assert result.exit_code == 2, result.output
        (line,) = result.output.strip().splitlines()
        assert line == (f"fencelab: error: {path}:5:28: v[5] is outside array 'v' of 2"), line


def test_arrays_stay_refused_in_rust_tests_with_one_line():
    with pytest.raises(FencelabError, match="arrays are not supported in RUST tests"):
        parse_text("RUST a\n{ int v[2]; }\nP0 {\n  v.store(1, Relaxed);\n}\nexists (v=1)\n")


def test_an_untyped_array_takes_its_parameters_type_for_every_element():
    text = """C char-array
{ v[2]={1,2}; }
P0 (atomic_char* v) {
  atomic_store_explicit(&v[1], 300, memory_order_relaxed);
}
forall (v[1]=44 /\\ v[0]=1)
"""
    assert {loc.width for loc in parse_text(text).locations} == {8}
    for where, result in results(text).items():
        assert result.ok and outcomes(result) == {"v[0]=1; v[1]=44;"}, where
    program = load(compile_test(parse_text(text), get_target("armv8")))
    addr = {loc.name: loc.addr for loc in program.locations}
    assert addr["v[1]"] == addr["v"] + 1
