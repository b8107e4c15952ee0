"""`lab up`: everything on one machine, as child processes that stop together.

gunicorn serves the app (never the Flask development server), a Celery worker grades,
and a private redis-server (Unix socket and data under the instance folder) is the
broker unless LAB_REDIS_URL names one.  Each child logs to instance/logs/.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import click

from lab.config import Settings

ROOT = Path(__file__).resolve().parent.parent
EDITOR_BUNDLE = Path(__file__).parent / "static" / "dist" / "editor.js"


class LaunchError(RuntimeError):
    pass


def build_editor_assets(force: bool = False) -> str:
    """Bundle CodeMirror with npm + esbuild unless the bundle exists and is newer than
    its sources (lab/static/src, package.json, package-lock.json)."""
    if EDITOR_BUNDLE.exists() and not force and not _bundle_is_stale():
        return "present"
    if not (ROOT / "package.json").exists():
        return "no package.json: the editor falls back to plain text areas"
    npm = shutil.which("npm")
    if not npm:
        return "npm missing: the editor falls back to plain text areas (apt-get install npm)"
    install = "ci" if (ROOT / "package-lock.json").exists() else "install"
    for args in ([npm, install, "--no-audit", "--no-fund"], [npm, "run", "build"]):
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise LaunchError(f"{' '.join(args[1:])} failed:\n{done.stderr[-2000:]}")
    return "built"


def _bundle_is_stale() -> bool:
    built = EDITOR_BUNDLE.stat().st_mtime
    sources = [*(ROOT / "lab" / "static" / "src").glob("*"),
               ROOT / "package.json", ROOT / "package-lock.json"]
    return any(path.exists() and path.stat().st_mtime > built for path in sources)


def _spawn(name: str, args: list[str], logs: Path, env: dict) -> subprocess.Popen:
    log = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the child
    return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env, cwd=ROOT)


def _wait_for(check, what: str, timeout: float, child: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and child.poll() is not None:
            raise LaunchError(f"{what} exited with code {child.returncode}; see its log")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise LaunchError(f"{what} did not come up within {timeout:.0f} s")


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def start_redis(settings: Settings, env: dict) -> subprocess.Popen:
    server = shutil.which("redis-server")
    if not server:
        raise LaunchError("redis-server is missing (apt-get install redis-server) "
                          "and LAB_REDIS_URL is not set")
    sock = settings.instance_path / "redis.sock"
    sock.unlink(missing_ok=True)
    redis = _spawn("redis", [server, "--port", "0", "--unixsocket", str(sock),
                             "--unixsocketperm", "700", "--dir", str(settings.instance_path),
                             "--appendonly", "yes", "--maxmemory-policy", "noeviction",
                             "--save", ""], settings.instance_path / "logs", env)
    _wait_for(sock.exists, "redis-server", 15, redis)
    return redis


def start_worker(settings: Settings, env: dict, name: str) -> subprocess.Popen:
    # Threads, not prefork: tasks wait on the Docker engine, and one process means one
    # warm sandbox pool (worker/pool.py) shared by all of its tasks.  Celery's task time
    # limits need prefork; here the sandbox's own clocks and engine timeouts bound a run.
    return _spawn(name, [sys.executable, "-m", "celery", "-A", "worker.celery_worker:celery",
                         "worker", "--loglevel=INFO", "-Q", ",".join(settings.worker_queues),
                         "--pool", "threads", f"--concurrency={settings.worker_concurrency}",
                         "--hostname", f"{name}@%h"], settings.instance_path / "logs", env)


def start_web(settings: Settings, env: dict, host: str, port: int,
              workers: int | None = None) -> subprocess.Popen:
    """gunicorn with the shared config (gthread workers, see lab/gunicorn_conf.py); the
    numbers come from `settings`, which may differ from what the environment says."""
    web = _spawn("web", [sys.executable, "-m", "gunicorn", "-c", "python:lab.gunicorn_conf",
                         "--workers", str(workers or settings.web_workers),
                         "--threads", str(settings.web_threads),
                         "--bind", f"{host}:{port}", "--access-logfile", "-", "lab.wsgi:app"],
                 settings.instance_path / "logs", env)
    _wait_for(lambda: _port_open(host, port), "gunicorn", 30, web)
    return web


def stack_env(settings: Settings) -> dict:
    (settings.instance_path / "logs").mkdir(parents=True, exist_ok=True)
    return {**os.environ, "LAB_INSTANCE_PATH": str(settings.instance_path)}


def start_stack(settings: Settings, host: str, port: int,
                workers: int | None = None) -> list:
    """Start redis (if private), the Celery worker and gunicorn; return the children."""
    env = stack_env(settings)
    children: list[tuple[str, subprocess.Popen]] = []
    try:
        if not settings.redis_url:
            children.append(("redis", start_redis(settings, env)))
        children.append(("worker", start_worker(settings, env, f"lab-worker-{os.getpid()}")))
        children.append(("web", start_web(settings, env, host, port, workers)))
    except BaseException:
        stop_stack(children)
        raise
    return children


def stop_stack(children: list, timeout: float = 15) -> None:
    """SIGTERM in reverse start order, then SIGKILL whatever is left."""
    for _, child in reversed(children):
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for _, child in reversed(children):
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def run_until_signalled(children: list, url: str) -> int:
    stopping = {"flag": False}

    def handler(signum, _frame):
        stopping["flag"] = True

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    click.echo(f"Interview Lab is up: {url}  (Ctrl-C stops it; logs in instance/logs/)")
    code = 0
    while not stopping["flag"]:
        for name, child in children:
            if child.poll() is not None:
                click.echo(f"error: {name} exited with code {child.returncode}; stopping", err=True)
                stopping["flag"] = True
                code = 1
        time.sleep(0.3)
    click.echo("stopping...")
    stop_stack(children)
    return code
