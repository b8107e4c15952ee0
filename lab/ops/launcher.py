"""`lab up`: everything on one machine, as child processes that `lab up` keeps alive.

The children: a private redis-server (Unix socket and data under the instance folder)
unless LAB_REDIS_URL names a broker, a Celery worker that grades, gunicorn serving the app
on a Unix socket in a private folder, and nginx on the lab's port in front of it, which
reads every request whole before gunicorn sees it (lab/ops/proxy.py says why).  Each child
logs to instance/logs/<name>.log, the launcher itself to instance/logs/launcher.log.

A child that exits while the lab runs is started again after a pause that doubles with
its crashes of the last minute (0.5, 1, 2, ... up to 10 s); why it ended (exit code or
signal) is written to the console and launcher.log.  The fifth crash of one child within
60 s stops everything with a message: something is broken that restarting will not mend.
Ctrl-C or SIGTERM stops every child (SIGTERM, then SIGKILL after 15 s; Redis last).

Each child has a process group of its own.  When one dies, the processes it leaves
behind (gunicorn's and nginx's workers, which would hold on to the listening socket) are
killed with that group before the replacement starts.  A child also gets SIGTERM should
the launcher itself die (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click

from lab.ops.proxy import ProxyError, listen_address, prepare
from worker.core.config import Settings, private_redis_socket
from worker.core.sandbox import InfraError, connect, runtime_problem

ROOT = Path(__file__).resolve().parents[2]
# Every bundle `npm run build` writes (package.json: one esbuild run, two entries).
EDITOR_BUNDLES = tuple(Path(__file__).parents[1] / "static" / "dist" / name
                       for name in ("editor.js", "interview.js", "watch.js", "replay.js"))


class LaunchError(RuntimeError):
    pass


def build_editor_assets(force: bool = False) -> str:
    """Bundle CodeMirror with npm + esbuild unless every bundle exists and is newer than
    the sources (lab/static/src, package.json, package-lock.json)."""
    if not force and not _bundle_is_stale():
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
    if not all(bundle.exists() for bundle in EDITOR_BUNDLES):
        return True
    built = min(bundle.stat().st_mtime for bundle in EDITOR_BUNDLES)
    sources = [*(path for path in (ROOT / "lab" / "static" / "src").rglob("*") if path.is_file()),
               ROOT / "package.json", ROOT / "package-lock.json"]
    return any(path.exists() and path.stat().st_mtime > built for path in sources)


def _libc():
    return ctypes.CDLL(None, use_errno=True)


_PR_SET_PDEATHSIG = 1


def _own_group_ending_with_us(libc) -> None:
    """Runs in the child between fork and exec: its own process group, and SIGTERM when
    the launcher's thread that started it ends."""
    os.setpgid(0, 0)
    libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)


def _spawn(name: str, args: list[str], logs: Path, env: dict) -> subprocess.Popen:
    log = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - closed below; the child keeps a copy
    options: dict = {"process_group": 0}
    if threading.active_count() == 1:
        # Python code between fork and exec is only safe in a process with one thread
        # (`lab up` itself); elsewhere (tests) the child just gets its own group.
        libc = _libc()
        options = {"preexec_fn": lambda: _own_group_ending_with_us(libc)}
    try:
        return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, cwd=ROOT, **options)
    finally:
        log.close()


def _wait_for(check, what: str, timeout: float, child: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and _has_exited(child):
            raise LaunchError(f"{what} {describe_exit(_reap(child))}; see its log")
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


def _socket_answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(str(path)) == 0


def run_dir(settings: Settings) -> Path:
    """Sockets and nginx's files: a folder only the lab's user may enter, so nothing but
    nginx reaches gunicorn (whose client address headers the app then trusts)."""
    folder = settings.instance_path / "run"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def _launch_redis(settings: Settings, env: dict) -> subprocess.Popen:
    server = shutil.which("redis-server")
    if not server:
        raise LaunchError("redis-server is missing (apt-get install redis-server) "
                          "and LAB_REDIS_URL is not set")
    sock = private_redis_socket(settings)
    sock.unlink(missing_ok=True)
    return _spawn("redis", [server, "--port", "0", "--unixsocket", str(sock),
                            "--unixsocketperm", "700", "--dir", str(settings.instance_path),
                            "--appendonly", "yes", "--maxmemory-policy", "noeviction",
                            "--save", ""], settings.instance_path / "logs", env)


def start_redis(settings: Settings, env: dict) -> subprocess.Popen:
    redis = _launch_redis(settings, env)
    _wait_for(private_redis_socket(settings).exists, "redis-server", 15, redis)
    return redis


def start_worker(settings: Settings, env: dict, name: str) -> subprocess.Popen:
    # Threads, not prefork: tasks wait on the Docker engine, and one process means one
    # warm sandbox pool (worker/core/pool.py) shared by all of its tasks.  Celery's task time
    # limits need prefork; here the sandbox's own clocks and engine timeouts bound a run.
    return _spawn(name, [sys.executable, "-m", "celery", "-A", "worker.jobs.celery_worker:celery",
                         "worker", "--loglevel=INFO", "-Q", ",".join(settings.worker_queues),
                         "--pool", "threads", f"--concurrency={settings.worker_concurrency}",
                         "--hostname", f"{name}@%h"], settings.instance_path / "logs", env)


def _launch_web(settings: Settings, env: dict, bind: str,
                workers: int | None = None) -> subprocess.Popen:
    return _spawn("web", [sys.executable, "-m", "gunicorn", "-c", "python:lab.ops.gunicorn_conf",
                          "--workers", str(workers or settings.web_workers),
                          "--threads", str(settings.web_threads),
                          "--bind", bind, "--access-logfile", "-", "lab.wsgi:app"],
                  settings.instance_path / "logs", env)


def start_web(settings: Settings, env: dict, host: str, port: int,
              workers: int | None = None) -> subprocess.Popen:
    """gunicorn alone on host:port, with the shared config (gthread workers, see
    lab/ops/gunicorn_conf.py); the numbers come from `settings`, which may differ from what
    the environment says.  `lab up` puts nginx in front instead (start_stack)."""
    web = _launch_web(settings, env, f"{host}:{port}", workers)
    _wait_for(lambda: _port_open(host, port), "gunicorn", 30, web)
    return web


def stack_env(settings: Settings) -> dict:
    (settings.instance_path / "logs").mkdir(parents=True, exist_ok=True)
    return {**os.environ, "LAB_INSTANCE_PATH": str(settings.instance_path)}


# ---------------------------------------------------------------- keeping children alive

RESTART_FIRST_DELAY = 0.5
RESTART_MAX_DELAY = 10.0
CRASH_LIMIT = 5  # crashes of one child within CRASH_WINDOW that stop everything
CRASH_WINDOW = 60.0


def restart_delay(recent_crashes: int) -> float:
    """Seconds before a child that crashed `recent_crashes` times in the window starts
    again: 0.5, 1, 2, 4 ... at most RESTART_MAX_DELAY."""
    return min(RESTART_MAX_DELAY, RESTART_FIRST_DELAY * 2 ** max(0, recent_crashes - 1))


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "unknown signal"
        return f"was killed by signal {-returncode} ({name})"
    return f"exited with code {returncode}"


def _has_exited(proc: subprocess.Popen) -> bool:
    """Whether the child has ended, without reaping it: while it is a zombie its pid, and
    so its process group's id, cannot be given to another process."""
    if proc.returncode is not None:
        return True
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return proc.poll() is not None


def _kill_leftovers(proc: subprocess.Popen) -> None:
    """SIGKILL what is left of the child's process group (call before reaping it)."""
    try:
        if os.getpgid(proc.pid) == proc.pid:
            os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _reap(proc: subprocess.Popen) -> int:
    if proc.returncode is not None:
        return proc.returncode  # reaped before: its pid may belong to another process now
    _kill_leftovers(proc)
    return proc.wait()


@dataclass
class Child:
    name: str
    launch: Callable[[], subprocess.Popen]  # starts it again, without waiting
    proc: subprocess.Popen
    crashes: list[float] = field(default_factory=list)  # time.monotonic() of each
    restart_at: float | None = None  # set while waiting to start again


class Stack:
    """The children of `lab up` in start order; iterating gives (name, process) pairs."""

    def __init__(self, log_path: Path | None = None,
                 say: Callable[[str, bool], None] | None = None) -> None:
        self.children: list[Child] = []
        self.log_path = log_path
        self._echo = say or (lambda text, err: click.echo(text, err=err))

    def __iter__(self):
        return iter([(child.name, child.proc) for child in self.children])

    def __len__(self) -> int:
        return len(self.children)

    def say(self, text: str, err: bool = False) -> None:
        """To the console and to launcher.log, with the time."""
        self._echo(text, err)
        if self.log_path is not None:
            with open(self.log_path, "a", encoding="utf-8") as log:
                log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {text}\n")

    def start(self, name: str, launch: Callable[[], subprocess.Popen],
              ready: Callable[[], bool] | None = None, timeout: float = 30) -> subprocess.Popen:
        """Start a child and wait until `ready` says it serves."""
        proc = launch()
        self.children.append(Child(name, launch, proc))
        if ready is not None:
            _wait_for(ready, name, timeout, proc)
        return proc

    def check(self, now: float | None = None) -> str | None:
        """Restart what has ended and is due; the reason to stop everything, or None."""
        now = time.monotonic() if now is None else now
        for child in self.children:
            if child.restart_at is not None:
                if now < child.restart_at:
                    continue
                child.restart_at = None
                try:
                    child.proc = child.launch()
                except (OSError, RuntimeError) as exc:
                    stop = self._crashed(child, f"could not be started again ({exc})", now)
                    if stop:
                        return stop
                    continue
                self.say(f"{child.name} started again (pid {child.proc.pid})")
            elif _has_exited(child.proc):
                stop = self._crashed(child, describe_exit(_reap(child.proc)), now)
                if stop:
                    return stop
        return None

    def _crashed(self, child: Child, why: str, now: float) -> str | None:
        child.crashes = [at for at in child.crashes if now - at < CRASH_WINDOW] + [now]
        count = len(child.crashes)
        log = f"instance/logs/{child.name}.log"
        if self.log_path is not None:
            log = str(self.log_path.parent / f"{child.name}.log")
        if count >= CRASH_LIMIT:
            reason = (f"{child.name} {why}: its {count}th crash within {CRASH_WINDOW:.0f} s; "
                      f"stopping everything (see {log})")
            self.say(f"error: {reason}", err=True)
            return reason
        delay = restart_delay(count)
        child.restart_at = now + delay
        self.say(f"{child.name} {why}; starting it again in {delay:g} s "
                 f"(crash {count} of {CRASH_LIMIT} allowed within {CRASH_WINDOW:.0f} s; "
                 f"see {log})", err=True)
        return None


def check_runtime(settings: Settings) -> None:
    """Refuse to start when LAB_RUNTIME names a runtime the engine lacks: every grading
    would otherwise end as our failure, one submission at a time."""
    if not settings.runtime:
        return
    try:
        client = connect()
    except InfraError as exc:
        raise LaunchError(str(exc)) from None
    try:
        problem = runtime_problem(client, settings.runtime)
    finally:
        client.close()
    if problem:
        raise LaunchError(problem)


def start_stack(settings: Settings, host: str, port: int, workers: int | None = None) -> Stack:
    """Start redis (if private), the Celery worker, gunicorn and nginx in front of it;
    return the children (a Stack, which run_until_signalled keeps alive)."""

    check_runtime(settings)
    env = stack_env(settings)
    logs = settings.instance_path / "logs"
    stack = Stack(logs / "launcher.log")
    private = run_dir(settings)
    web_sock = private / "web.sock"
    # One more proxy whose X-Forwarded-* headers the app may believe: ours.
    web_env = {**env, "LAB_PROXY_HOPS": str(int(env.get("LAB_PROXY_HOPS") or 0) + 1)}
    try:
        proxy_command = prepare(listen_address(host, port), f"unix:{web_sock}",
                                private / "nginx", settings.max_request_kb)
    except ProxyError as exc:
        raise LaunchError(str(exc)) from None
    try:
        if not settings.redis_url:
            stack.start("redis", lambda: _launch_redis(settings, env),
                        private_redis_socket(settings).exists, 15)
        worker_name = f"lab-worker-{os.getpid()}"
        stack.start("worker", lambda: start_worker(settings, env, worker_name))
        stack.start("web", lambda: _launch_web(settings, web_env, f"unix:{web_sock}", workers),
                    lambda: _socket_answers(web_sock))
        stack.start("proxy", lambda: _spawn("proxy", proxy_command, logs, env),
                    lambda: _port_open(host if host not in ("0.0.0.0", "::") else "127.0.0.1",
                                       port), 15)
    except BaseException:
        stop_stack(stack)
        raise
    return stack


def stop_stack(children: Stack | list, timeout: float = 15) -> None:
    """SIGTERM in reverse start order, then SIGKILL whatever is left of each child's
    process group.  Redis goes last, once the others are gone: a worker finishing its
    runs still acknowledges them and publishes their results through it."""
    pairs = list(children)
    for wave, budget in (([c for n, c in pairs if n != "redis"], timeout),
                         ([c for n, c in pairs if n == "redis"], 5.0)):
        for child in reversed(wave):
            if not _has_exited(child):  # poll() would reap it before its group is cleaned
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + budget
        for child in reversed(wave):
            while not _has_exited(child) and time.monotonic() < deadline:
                time.sleep(0.05)
            _reap(child)


def run_until_signalled(stack: Stack, url: str) -> int:
    """Keep the children running until Ctrl-C or SIGTERM (exit 0), or until one crashes
    too often (exit 1); then stop them all."""
    stopping = {"flag": False}

    def handler(signum, _frame):
        stopping["flag"] = True

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    stack.say(f"Interview Lab is up: {url}  (Ctrl-C stops it; logs in instance/logs/)")
    code = 0
    while not stopping["flag"]:
        if stack.check() is not None:
            code = 1
            break
        time.sleep(0.2)
    stack.say("stopping...")
    stop_stack(stack)
    return code
