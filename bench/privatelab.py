"""A private `lab up` for the benchmarks: scratch instance, free port, accounts, clean stop,
and the small HTTP clients (JSON API, signed-in browser session) the benchmarks use."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
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


def python_executable() -> str:
    candidate = REPO / ".venv" / "bin" / "python"
    return str(candidate) if candidate.is_file() else sys.executable


# Creates (or reuses) the accounts named on the command line and prints their fresh API
# tokens as one JSON list; argv[1] is the password.
ACCOUNTS_SCRIPT = """
import json, sys
from lab.app import create_app
from lab.accounts.access import create_user
from lab.extensions import db
from lab.models import User
app = create_app()
tokens = []
with app.app_context():
    for email in sys.argv[2:]:
        user = db.session.scalar(db.select(User).where(User.email == email))
        user = user or create_user(email, sys.argv[1])
        tokens.append(user.new_api_token())
    db.session.commit()
print(json.dumps(tokens))
"""


class Session:
    """A signed-in browser session (cookies), for timing the HTML pages a candidate uses."""

    def __init__(self, url: str) -> None:
        import http.cookiejar

        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def login(self, email: str, password: str) -> None:
        import re
        import urllib.parse

        page = self.opener.open(f"{self.url}/login", timeout=HTTP_TIMEOUT).read().decode()
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if found is None:
            raise SetupError("the login page has no CSRF token")
        form = urllib.parse.urlencode({"email": email, "password": password,
                                       "csrf_token": found.group(1)}).encode()
        landed = self.opener.open(f"{self.url}/login", data=form, timeout=HTTP_TIMEOUT)
        if "/login" in landed.url:
            raise SetupError(f"could not sign in as {email}")

    def get(self, path: str) -> tuple[int, float]:
        """GET a page, read it whole: (status, seconds).  Connection trouble raises OSError."""
        started = time.perf_counter()
        try:
            with self.opener.open(f"{self.url}{path}", timeout=HTTP_TIMEOUT) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            exc.read()
            status = exc.code
        return status, time.perf_counter() - started


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
        # Predict-the-output keys computed once in the sandbox are reused (start-up in seconds).
        self.env.setdefault("LAB_CACHE_PATH", str(REPO / "instance" / "cache"))
        # The latency rows submit with one account faster than a candidate may (10 Submits
        # a minute): the benchmark measures the grader, not the per-candidate rate.  Each
        # simulated candidate still waits for its verdict, so the in-flight cap stays on.
        self.env.setdefault("LAB_SUBMITS_PER_MINUTE", "0")
        self.env.setdefault("LAB_RUNS_PER_MINUTE", "0")
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

    def create_accounts(self, count: int) -> list[str]:
        """`count` candidate accounts (password PASSWORD) and an API token for each, made in
        one subprocess with this lab's environment (one interpreter start, not 2 per user)."""
        started = time.perf_counter()
        emails = [f"bench-{n:03d}@example.com" for n in range(1, count + 1)]
        problem = ""
        for attempt in range(4):  # SQLite may be busy with the running lab
            if attempt:
                time.sleep(0.5 * attempt)
            try:
                done = subprocess.run([python_executable(), "-c", ACCOUNTS_SCRIPT, PASSWORD, *emails],
                                      env=self.env, cwd=REPO, capture_output=True, text=True,
                                      timeout=CLI_TIMEOUT, check=False)
            except subprocess.TimeoutExpired:
                problem = f"creating accounts took over {CLI_TIMEOUT:.0f} s"
                continue
            lines = done.stdout.strip().splitlines()
            if done.returncode == 0 and lines:
                tokens = json.loads(lines[-1])
                if len(tokens) == count:
                    self.accounts_seconds = time.perf_counter() - started
                    return tokens
            problem = f"exit {done.returncode}: {brief(done.stderr[-600:])}"
        raise SetupError(f"could not create accounts: {problem}")

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
