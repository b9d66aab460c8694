"""`fencelab compile` (a source test to targets' herd assembly tests) and `fencelab show`."""

from __future__ import annotations

import sys
from dataclasses import replace

import click

from fencelab.cli import output
from fencelab.cli.options import Chosen, lowerings, scheme_option, target_option
from fencelab.errors import FencelabError
from fencelab.litmus.parser import read_test


@click.command("compile")
@click.argument("test", type=click.Path())
@target_option(default="all", help="Targets to compile for: T, T,T,... or all (one test "
               "each, a blank line between).")  # fmt: skip
@scheme_option()
def compile_command(test, target, scheme):
    """Compile a C or Rust litmus test (a file, or - for stdin) to each target's herd
    assembly test (herd7 format).

    Exit status 2 when it could not be read, or compiled for a target (one line each; the
    other targets' tests are printed).
    """
    from fencelab.compiler.compile import compile_test
    from fencelab.litmus.printer import format_test

    source = read_test(test, "compile")
    if not source.is_source:
        raise FencelabError(f"{source.file}: {source.name} is an {source.arch} test; compile takes "
                            "C and Rust tests")  # fmt: skip
    printed = failed = 0
    for tgt, sch in lowerings(target, Chosen((scheme,))):
        try:  # (a target the test cannot be compiled for loses no other target's test)
            text = format_test(_labelled(compile_test(source, tgt, sch)), source_comments=True)
        except FencelabError as e:
            output.error(str(e))
            failed += 1
            continue
        click.echo(("\n" if printed else "") + text, nl=False)
        printed += 1
    if failed:
        sys.exit(2)


def _labelled(asm):
    """A compiled test that says what it was compiled for, in herd's `Key=Value` info lines
    (herd keeps keys it does not know; these replace any the source carried): `Target=armv8.1`
    and `Scheme=default`, which tell apart blocks that all begin `AArch64 NAME`."""
    own = (("Target", asm.origin.target), ("Scheme", asm.origin.scheme))
    kept = tuple((k, v) for k, v in asm.info if k.lower() not in ("target", "scheme"))
    return replace(asm, info=own + kept)


@click.command("show")
@click.argument("test", type=click.Path())
def show_command(test):
    """Print a litmus test (a file, or - for stdin) back in its own format, once read as run
    reads it before running (an assembly test is assembled)."""
    from fencelab.litmus.printer import format_test

    parsed = read_test(test, "show")
    if not parsed.is_source:
        # what `run` refuses before running the test is refused here too: each instruction
        # assembled and classified on the test's own target, immediates encodable, the
        # registers of the initial state and condition the architecture's (`load`)
        from fencelab.program.load import load

        load(parsed).release()
    click.echo(format_test(parsed), nl=False)
