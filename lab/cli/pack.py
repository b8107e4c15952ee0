"""`lab pack ...` and `lab content ...`: the instructor's tools for challenge packs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lab.cli.exits import EXIT_INFRA, EXIT_INVALID, EXIT_OK, EXIT_USAGE, exit_on, fail


@click.group()
def pack() -> None:
    """Challenge packs: validate, verify, import, export, scaffold."""


@pack.command("validate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def validate(path: Path) -> None:
    """Check PATH (a pack folder or zip) against the schemas and the pack structure."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.packs.validate import validate_pack

    with _unpacked(path) as folder:
        info = validate_pack(folder)
    for problem in info.problems:
        click.echo(f"{path}/{problem}" if path.is_dir() else f"{path}!{problem}")
    if info.valid:
        click.echo(f"{path}: valid ({_count(len(info.challenges), 'challenge')}{_templates(info)})")
        sys.exit(EXIT_OK)
    click.echo(f"{path}: invalid ({_count(len(info.problems), 'problem')})", err=True)
    sys.exit(EXIT_INVALID)


@pack.command("verify")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--parallel", type=click.IntRange(1, 8), default=2, show_default=True,
              help="Challenges verified at the same time.")
def verify(path: Path, parallel: int) -> None:
    """Validate PATH, then prove it in the sandbox (see docs/authoring.md)."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.packs.verify import verify_pack
    from worker.core.config import load_settings
    from worker.core.images import runner_image_tag
    from worker.core.sandbox import InfraError, connect

    settings = load_settings()
    with exit_on(InfraError, EXIT_INFRA):
        client = connect()
    image = settings.runner_image or runner_image_tag("python")
    with _unpacked(path) as folder:
        # late: each command loads only what it uses (the web app alone takes ~0.7 s)
        from lab.packs.validate import validate_pack

        total = len(validate_pack(folder).challenges)
        with click.progressbar(length=total, label="verifying", file=sys.stderr,
                               show_pos=True) as bar:
            report = verify_pack(folder, settings, client, image,
                                 progress=lambda _c: bar.update(1), parallel=parallel)
    if not report.pack.valid:
        for problem in report.pack.problems:
            click.echo(f"{path}/{problem}")
        click.echo(f"{path}: invalid ({_count(len(report.pack.problems), 'problem')})", err=True)
        sys.exit(EXIT_INVALID)
    width = max((len(c.challenge) for c in report.checks), default=10)
    click.echo(f"{'challenge':{width}}  {'check':40}  result  seconds")
    for check in report.checks:
        click.echo(f"{check.challenge:{width}}  {check.what[:40]:40}  {'ok' if check.ok else 'FAIL':6}"
                   f"  {check.seconds:7.2f}" + (f"\n{'':{width}}  -> {check.detail}" if check.detail else ""))
    failed = [c for c in report.checks if not c.ok]
    click.echo(f"{path}: {len(report.checks) - len(failed)} of {len(report.checks)} checks ok, "
               f"{_count(len(report.pack.challenges), 'challenge')}{_templates(report.pack)}")
    timing = report.timing
    if timing.runs:
        line = f"{timing.runs} gradings in {timing.seconds:.1f} s ({parallel} at a time)"
        if timing.ratio is not None:
            line += (f"; plain pytest of the same tests, one after another: {timing.bare:.1f} s; "
                     f"ratio {timing.ratio:.2f}")
        if timing.unmeasured:
            line += f" (no plain-pytest time for {', '.join(timing.unmeasured[:5])})"
        click.echo(line)
    if any(c.detail.startswith("infra_error") for c in failed):
        sys.exit(EXIT_INFRA)
    sys.exit(EXIT_OK if not failed else EXIT_INVALID)


class KindChoice(click.Choice):
    """The registry's kinds as choices, looked up only when a command or its help needs
    them: loading the grading core costs ~0.3 s that `lab` should not pay at start."""

    def __init__(self) -> None:
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        from worker.core.kinds import KINDS  # late: see the class docstring

        return tuple(KINDS)


def _count(n: int, noun: str) -> str:
    """'1 challenge', '2 challenges'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _templates(info) -> str:
    """', N interview templates' for a summary line; nothing for packs without them."""
    count = len(info.interviews)
    return f", {_count(count, 'interview template')}" if count else ""


class _unpacked:
    """A folder for PATH: the folder itself, or a zip safely extracted to a temp dir."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = None

    def __enter__(self) -> Path:
        if self.path.is_dir():
            return self.path
        # late: each command loads only what it uses (the web app alone takes ~0.7 s)
        import tempfile

        # late: each command loads only what it uses (the web app alone takes ~0.7 s)
        from lab.packs.archive import ZipRefused, extract_pack_zip

        self.tmp = tempfile.TemporaryDirectory(prefix="lab-pack-")
        try:
            return extract_pack_zip(self.path, Path(self.tmp.name))
        except ZipRefused as exc:
            click.echo(f"{self.path}: refused: {exc}", err=True)
            sys.exit(EXIT_INVALID)

    def __exit__(self, *exc) -> None:
        if self.tmp is not None:
            self.tmp.cleanup()


@pack.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def import_(path: Path) -> None:
    """Import PATH (a pack folder or zip) into the database as a new pack version."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.cli.admin import _app, echo_pack_error, upgrade_database
    from lab.packs.importer import import_pack
    from lab.packs.problems import PackError
    from worker.core.sandbox import InfraError

    app = _app()
    upgrade_database(app)
    with _unpacked(path) as folder, app.app_context():
        try:
            pack, _ = import_pack(folder, app.config["LAB_SETTINGS"])
        except PackError as exc:
            echo_pack_error(exc)
            sys.exit(EXIT_INVALID)
        except InfraError as exc:
            fail(exc, EXIT_INFRA)
        click.echo(f"imported {pack.name} version {pack.version} "
                   f"({_count(len(pack.challenges), 'challenge')})")


@pack.command("export")
@click.argument("name")
@click.option("--version", "version", type=int, help="Default: the newest.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Default: NAME-vVERSION.zip")
def export(name: str, version: int | None, output: Path | None) -> None:
    """Write pack NAME, as imported, to a zip."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from sqlalchemy import select

    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.cli.admin import _app, upgrade_database
    from lab.extensions import db
    from lab.models import Pack
    from lab.packs.archive import zip_folder_files
    from lab.packs.importer import export_files

    app = _app()
    upgrade_database(app)
    with app.app_context():
        query = select(Pack).where(Pack.name == name)
        query = query.where(Pack.version == version) if version else query.order_by(
            Pack.version.desc())
        found = db.session.scalars(query).first()
        if found is None:
            click.echo(f"error: no pack {name}" + (f" version {version}" if version else ""), err=True)
            sys.exit(EXIT_INVALID)
        target = output or Path(f"{found.name}-v{found.version}.zip")
        target.write_bytes(zip_folder_files(export_files(found), found.name))
    click.echo(f"wrote {target}")


@pack.command("new")
@click.argument("name")
@click.option("--kind", type=KindChoice(),
              default="python", show_default=True)
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder to create the pack in.")
def new(name: str, kind: str, dest: Path) -> None:
    """Scaffold pack NAME with one working example challenge of KIND."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.packs.scaffold import ScaffoldError, scaffold

    with exit_on(ScaffoldError, EXIT_USAGE):
        folder = scaffold(name, kind, dest)
    click.echo(f"created {folder}; check it with: lab pack verify {folder}")


@click.group()
def content() -> None:
    """What the bundled content covers."""


@content.command("coverage")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--path", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder of packs (default: the bundled challenges).")
def coverage(as_json: bool, path: Path | None) -> None:
    """Topic ids x challenges and quiz questions, and the topics nothing covers."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    import json

    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.packs.coverage import coverage_of
    from lab.packs.problems import BUNDLED_PACKS

    report = coverage_of(path or BUNDLED_PACKS)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo("challenges: " + ", ".join(f"{k} {v}" for k, v in report["challenges"].items()))
    click.echo(f"quiz questions: {report['quiz_questions']}")
    for topic, count in report["topics"].items():
        detail = report["by_topic"][topic]
        click.echo(f"  {topic:22} {count:3}  ({detail['challenges']} hands-on, "
                   f"{detail['questions']} questions)")
    click.echo(f"uncovered ({len(report['uncovered'])}): {', '.join(report['uncovered']) or '-'}")
