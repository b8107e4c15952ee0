"""A private `lab up` for the benchmarks: scratch instance, free port, accounts, clean stop,
and the small HTTP client the benchmarks talk to it with."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
HEALTH_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
HTTP_TIMEOUT = 30.0
CLI_TIMEOUT = 120.0
PASSWORD = "bench-password-123"


class SetupError(RuntimeError):
    """The benchmark cannot run; the message says why."""


# ---------------------------------------------------------------- HTTP


def http(method: str, url: str, token: str | None = None,
         body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """One request; (status, parsed JSON or None).  Connection trouble raises OSError."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        status = exc.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw[:300].decode("utf-8", "replace")


def brief(value: object, limit: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


# ---------------------------------------------------------------- private lab


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lab_executable() -> str:
    candidate = REPO / ".venv" / "bin" / "lab"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("lab")
    if found is None:
        raise SetupError(f"{candidate}: missing and no `lab` on PATH (run `make setup`)")
    return found


def tail_file(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"({path}: {exc.strerror})"


class PrivateLab:
    """`lab up` on a free port with a scratch instance folder."""

    def __init__(self, root: Path, keep: bool) -> None:
        self.root = root
        self.keep = keep
        self.instance = root / "instance"
        self.instance.mkdir(parents=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "LAB_INSTANCE_PATH": str(self.instance)}
        self.lab = lab_executable()
        self.log_path = self.instance / "lab-up.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.startup_seconds = math.nan
        self.accounts_seconds = math.nan
        self.exit_code: int | None = None

    def start(self) -> None:
        started = time.perf_counter()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [self.lab, "up", "--port", str(self.port)], env=self.env, cwd=REPO,
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        deadline = time.monotonic() + HEALTH_TIMEOUT
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SetupError(f"`lab up` exited with code {self.proc.returncode} before "
                                 f"/healthz answered; {self.log_path}:\n{tail_file(self.log_path)}")
            try:
                status, body = http("GET", f"{self.url}/healthz")
                if status == 200:
                    self.startup_seconds = time.perf_counter() - started
                    return
                last = f"{status} {brief(body, 400)}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.3)
        raise SetupError(f"/healthz did not answer 200 within {HEALTH_TIMEOUT:.0f} s (last: "
                         f"{last}); {self.log_path}:\n{tail_file(self.log_path)}")

    def _cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([self.lab, *args], env=self.env, cwd=REPO, capture_output=True,
                              text=True, timeout=CLI_TIMEOUT, check=False)

    def _account(self, email: str) -> str:
        """Create EMAIL (tolerating an earlier attempt that got that far) and issue a token.
        SQLite may be busy with the running lab, so each step is tried a few times."""
        problem = ""
        for attempt in range(4):
            if attempt:
                time.sleep(0.5 * attempt)
            done = self._cli("users", "create", email, "--password", PASSWORD)
            if done.returncode != 0 and "exists already" not in done.stderr:
                problem = f"users create {email}: exit {done.returncode}: {brief(done.stderr)}"
                continue
            done = self._cli("users", "token", email)
            lines = done.stdout.strip().splitlines()
            if done.returncode == 0 and lines:
                return lines[-1].strip()
            problem = f"users token {email}: exit {done.returncode}: {brief(done.stderr)}"
        raise SetupError(problem)

    def create_accounts(self, count: int) -> list[str]:
        started = time.perf_counter()
        emails = [f"bench-{n:03d}@example.com" for n in range(1, count + 1)]
        tokens: dict[str, str] = {}
        errors: list[str] = []
        lock = threading.Lock()
        pending = iter(emails)

        def work() -> None:
            while True:
                with lock:
                    email = next(pending, None)
                if email is None:
                    return
                try:
                    token = self._account(email)
                except (SetupError, subprocess.SubprocessError, OSError) as exc:
                    with lock:
                        errors.append(str(exc))
                    return
                with lock:
                    tokens[email] = token

        threads = [threading.Thread(target=work, daemon=True)
                   for _ in range(min(count, max(2, os.cpu_count() or 1)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise SetupError(f"could not create accounts: {errors[0]}")
        self.accounts_seconds = time.perf_counter() - started
        return [tokens[email] for email in emails]

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                print(f"warning: `lab up` still running {STOP_TIMEOUT:.0f} s after SIGTERM; "
                      "killing its process group", file=sys.stderr)
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)  # its own session (start_new_session)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        self.exit_code = self.proc.returncode
