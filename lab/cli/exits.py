"""The exit codes of `lab`, written once, and the one way a command stops on an error."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click

EXIT_OK = EXIT_PASSED = 0  # done; for `lab grade`, the submission passed
EXIT_FAILED = EXIT_INVALID = 1  # the submission failed, or the pack has problems
EXIT_USAGE = 2  # the command was given something it cannot use
EXIT_INFRA = 3  # the Docker engine, the database or another service failed us


def fail(error: object, code: int) -> NoReturn:
    """Say `error: ...` on stderr and exit with `code`."""
    click.echo(f"error: {error}", err=True)
    sys.exit(code)


@contextmanager
def exit_on(errors: type[Exception] | tuple[type[Exception], ...], code: int) -> Iterator[None]:
    """Inside the block, any of `errors` stops the command as fail(error, code) does."""
    try:
        yield
    except errors as exc:
        fail(exc, code)
