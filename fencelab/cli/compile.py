"""`fencelab compile` (a source test to a target's herd assembly test) and `fencelab show`."""

from __future__ import annotations

import click

from fencelab.cli.options import scheme_option, target_option


@click.command("compile")
@click.argument("test", type=click.Path())
@target_option(required=True)
@scheme_option()
def compile_command(test, target, scheme):
    """Compile a C or Rust litmus test to the target's herd assembly test (herd7 format)."""
    from fencelab.compiler.compile import compile_test
    from fencelab.litmus.parser import parse_file
    from fencelab.litmus.printer import format_test

    compiled = compile_test(parse_file(test), target, scheme)
    click.echo(format_test(compiled, source_comments=True), nl=False)


@click.command("show")
@click.argument("test", type=click.Path())
def show_command(test):
    """Print a litmus test back in its own format (herd's, or our Rust spelling)."""
    from fencelab.litmus.parser import parse_file
    from fencelab.litmus.printer import format_test

    click.echo(format_test(parse_file(test)), nl=False)
