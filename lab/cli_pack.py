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


@pack.command("verify")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--parallel", type=click.IntRange(1, 8), default=2, show_default=True,
              help="Challenges verified at the same time.")
def verify(path: Path, parallel: int) -> None:
    """Validate PATH, then prove it in the sandbox (see docs/authoring.md)."""
    from lab.config import load_settings
    from lab.pack_verify import verify_pack
    from worker.images import runner_image_tag
    from worker.sandbox import InfraError, connect

    settings = load_settings()
    try:
        client = connect()
    except InfraError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INFRA)
    image = settings.runner_image or runner_image_tag("python")
    with _unpacked(path) as folder:
        from lab.pack_validate import validate_pack

        total = len(validate_pack(folder).challenges)
        with click.progressbar(length=total, label="verifying", file=sys.stderr,
                               show_pos=True) as bar:
            report = verify_pack(folder, settings, client, image,
                                 progress=lambda _c: bar.update(1), parallel=parallel)
    if not report.pack.valid:
        for problem in report.pack.problems:
            click.echo(f"{path}/{problem}")
        click.echo(f"{path}: invalid ({len(report.pack.problems)} problems)", err=True)
        sys.exit(EXIT_INVALID)
    width = max((len(c.challenge) for c in report.checks), default=10)
    click.echo(f"{'challenge':{width}}  {'check':40}  result  seconds")
    for check in report.checks:
        click.echo(f"{check.challenge:{width}}  {check.what[:40]:40}  {'ok' if check.ok else 'FAIL':6}"
                   f"  {check.seconds:7.2f}" + (f"\n{'':{width}}  -> {check.detail}" if check.detail else ""))
    failed = [c for c in report.checks if not c.ok]
    click.echo(f"{path}: {len(report.checks) - len(failed)} of {len(report.checks)} checks ok, "
               f"{len(report.pack.challenges)} challenges")
    if any(c.detail.startswith("infra_error") for c in failed):
        sys.exit(EXIT_INFRA)
    sys.exit(EXIT_OK if not failed else EXIT_INVALID)


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
