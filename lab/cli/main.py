"""The `lab` command.  Exit codes: 0 passed/valid, 1 not passed/invalid, 2 usage,
3 infrastructure (no engine, image missing, ...)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from lab.cli.exits import EXIT_FAILED, EXIT_INFRA, EXIT_PASSED, EXIT_USAGE, exit_on, fail
from worker.core.config import ConfigError, load_settings


def _settings():
    with exit_on(ConfigError, EXIT_USAGE):
        return load_settings()


def _read_submission(path: Path) -> dict[str, bytes]:
    """Files of a submission folder (or one file).  Oddities are passed on as names the
    grader refuses with a clear message, never silently dropped."""
    if path.is_file():
        return {path.name: path.read_bytes()}
    files: dict[str, bytes] = {}
    for entry in sorted(path.iterdir()):
        if entry.name == "__pycache__":
            continue
        if entry.is_symlink():
            files[entry.name + "/ (symbolic link)"] = b""
        elif entry.is_dir():
            files[entry.name + "/"] = b""
        else:
            files[entry.name] = entry.read_bytes()
    return files


def _print_table(result, title: str) -> None:
    mark = {"passed": "PASS", "failed": "FAIL", "error": "ERR ", "skipped": "SKIP"}
    head = f"{title}  [{result.mode}]  {result.verdict.upper()}"
    if result.max_score:
        head += f"  score {result.score}/{result.max_score}"
    click.echo(f"{head}  ({result.duration:.2f} s)")
    if result.message:
        click.echo(f"  {result.message}")
    if result.mode == "run":
        click.echo("  (public tests only: Submit runs the hidden tests that decide the score)")
    for test in result.tests:
        line = f"  {mark.get(test.outcome, test.outcome):4}  {test.name}"
        if test.outcome != "passed" and test.message:
            first, *rest = test.message.strip().splitlines() or [""]
            line += f"  - {first}"
            if test.visibility == "public" and rest:
                line += "\n" + "\n".join("        " + r for r in rest[:30])
        click.echo(line)
    if result.stdout.strip():
        click.echo("  output:")
        click.echo("\n".join("    " + r for r in result.stdout.rstrip().splitlines()[-40:]))


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress to standard error.")
def main(verbose: bool) -> None:
    """Interview Lab: practice lab for backend interviews."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("challenge_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("submission", type=click.Path(exists=True, path_type=Path))
@click.option("--mode", type=click.Choice(["run", "submit"]), default="submit",
              show_default=True, help="run: public tests; submit: the hidden suite.")
@click.option("--json", "as_json", is_flag=True, help="Print only the result JSON.")
def grade(challenge_dir: Path, submission: Path, mode: str, as_json: bool) -> None:
    """Grade SUBMISSION (a folder of files, or one file) against CHALLENGE_DIR.

    A quiz is answered by one file, answers.json (question id -> answer), and needs no
    Docker engine."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from worker.core.challenge import ChallengeError
    from worker.core.grading import grade as grade_files
    from worker.core.kinds import get_kind, load_any_challenge
    from worker.core.reaper import reap
    from worker.core.sandbox import InfraError, connect

    settings = _settings()
    try:
        challenge = load_any_challenge(challenge_dir)
        sandboxed = get_kind(challenge.kind).needs_sandbox
        files = _read_submission(submission)
    except ChallengeError as exc:
        fail(exc, EXIT_USAGE)
    except OSError as exc:
        click.echo(f"error: cannot read {exc.filename}: {exc.strerror}", err=True)
        sys.exit(EXIT_USAGE)
    client = None
    try:
        if sandboxed:
            client = connect()
            reap(client, settings.reap_after_seconds)
    except InfraError:
        client = None  # grade() reports it as infra_error with the remedy
    except Exception as exc:  # noqa: BLE001 - housekeeping must not stop grading
        logging.getLogger(__name__).warning("reaping leftovers failed: %s", exc)
    with exit_on(ChallengeError, EXIT_USAGE):
        result = grade_files(challenge, files, mode, settings=settings, client=client)
    if as_json:
        click.echo(result.to_json())
    else:
        _print_table(result, challenge.slug)
    if result.verdict == "infra_error":
        if not as_json:
            click.echo(f"error: {result.message}", err=True)
        sys.exit(EXIT_INFRA)
    sys.exit(EXIT_PASSED if result.passed else EXIT_FAILED)


@main.group()
def images() -> None:
    """Sandbox runner images."""


@images.command("build")
@click.option("--how", type=click.Choice(["auto", "dockerfile", "offline"]), default="auto",
              show_default=True, help="auto: Dockerfile if a registry answers, else offline.")
@click.option("--force", is_flag=True, help="Rebuild even if the tagged image exists.")
def images_build(how: str, force: bool) -> None:
    """Build the runner images that are missing."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from worker.core.images import build_runner_image
    from worker.core.sandbox import InfraError, connect

    with exit_on(InfraError, EXIT_INFRA):
        tag, what = build_runner_image(connect(), "python", how=how, force=force)
    click.echo(f"{tag}: {what}")


@main.group()
def sandbox() -> None:
    """Sandbox housekeeping."""


@sandbox.command("reap")
def sandbox_reap() -> None:
    """Remove sandbox containers left by crashed or killed graders."""
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from worker.core.reaper import reap
    from worker.core.sandbox import InfraError, connect

    with exit_on(InfraError, EXIT_INFRA):
        removed = reap(connect(), _settings().reap_after_seconds)
    click.echo(f"removed {len(removed)} leftover container(s)")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Default: LAB_PORT or 8000.")
def up(host: str, port: int | None) -> None:
    """Start the lab on this machine: nginx in front of gunicorn, grading worker, Redis.

    Builds what is missing first (runner image, editor bundle, database schema) and
    loads the bundled challenges.  A child that crashes is started again (the fifth crash
    of one within a minute stops the lab); Ctrl-C or SIGTERM stops every child process.
    """
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.app import create_app
    from lab.cli.admin import echo_pack_error, seed_database
    from lab.ops.launcher import (
        LaunchError,
        build_editor_assets,
        check_runtime,
        run_until_signalled,
        start_stack,
    )
    from lab.packs.problems import PackError
    from worker.core.images import build_runner_image
    from worker.core.reaper import reap
    from worker.core.sandbox import InfraError, connect

    settings = _settings()
    port = port or settings.port
    try:
        client = connect()
        check_runtime(settings)  # before anything runs a sandbox (seeding may)
        tag, what = build_runner_image(client, "python")
        click.echo(f"runner image {tag}: {what}")
        reap(client, settings.reap_after_seconds)
        click.echo(f"editor bundle: {build_editor_assets()}")
        seed_database(create_app(settings))
        children = start_stack(settings, host, port)
    except (InfraError, LaunchError) as exc:
        fail(exc, EXIT_INFRA)
    except PackError as exc:
        echo_pack_error(exc)
        sys.exit(EXIT_USAGE)
    sys.exit(run_until_signalled(children, f"http://{host}:{port}/"))


def _register_admin_commands() -> None:
    # late: each command loads only what it uses (the web app alone takes ~0.7 s)
    from lab.cli.admin import db, users
    from lab.cli.pack import content, pack

    main.add_command(content)
    main.add_command(db)
    main.add_command(users)
    main.add_command(pack)


_register_admin_commands()


if __name__ == "__main__":
    main()
