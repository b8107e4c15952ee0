"""`lab pack ...` and `lab content ...`: the instructor's tools for challenge packs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INFRA = 0, 1, 2, 3


@click.group()
def pack() -> None:
    """Challenge packs: validate, verify, import, export, scaffold."""


@pack.command("validate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def validate(path: Path) -> None:
    """Check PATH (a pack folder or zip) against the schemas and the pack structure."""
    from lab.pack_validate import validate_pack

    with _unpacked(path) as folder:
        info = validate_pack(folder)
    for problem in info.problems:
        click.echo(f"{path}/{problem}" if path.is_dir() else f"{path}!{problem}")
    if info.valid:
        click.echo(f"{path}: valid ({len(info.challenges)} challenges)")
        sys.exit(EXIT_OK)
    click.echo(f"{path}: invalid ({len(info.problems)} problems)", err=True)
    sys.exit(EXIT_INVALID)


class _unpacked:
    """A folder for PATH: the folder itself, or a zip safely extracted to a temp dir."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = None

    def __enter__(self) -> Path:
        if self.path.is_dir():
            return self.path
        import tempfile

        from lab.pack_zip import ZipRefused, extract_pack_zip

        self.tmp = tempfile.TemporaryDirectory(prefix="lab-pack-")
        try:
            return extract_pack_zip(self.path, Path(self.tmp.name))
        except ZipRefused as exc:
            click.echo(f"{self.path}: refused: {exc}", err=True)
            sys.exit(EXIT_INVALID)

    def __exit__(self, *exc) -> None:
        if self.tmp is not None:
            self.tmp.cleanup()
