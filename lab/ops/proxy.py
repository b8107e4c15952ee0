"""The lab's front door: nginx in front of gunicorn, for `lab up` and docker-compose.yml.

Why a buffering proxy.  gunicorn's gthread worker hands a connection to a thread as soon
as its first byte arrives, and that thread then blocks until the whole request is in.  A
client that sends one header byte every two seconds therefore holds a thread for as
long as it likes; 80 of them took every thread of the two web processes, and /healthz
timed out until they left.  nginx reads each request (headers and body) completely,
with its own timeouts, before it opens a connection to gunicorn, and it takes the
response back at once and feeds it to a slow reader itself.  The threads only ever see
whole requests and fast readers; waiting clients cost nginx a few kilobytes each.  This
is what gunicorn's own documentation asks for in front of its threaded workers.

Why not an async worker class (gevent) instead: it would monkey-patch every module of
the app, and the default database, SQLite, waits for its write lock inside C
(`busy_timeout`, up to 30 s), which would stall every request of that process,
/healthz included, whenever the worker is writing; CPU-heavy pages would stall the
others too.  The threaded model stays, and the proxy is a well-kept, BSD-licensed
Debian package (`apt-get install nginx`).

Event streams still reach the browser as they are written: the stream's response says
`X-Accel-Buffering: no`, which turns nginx's buffering off for that response only.

The web processes listen only where nginx can reach them (a Unix socket in a private
folder for `lab up`, the compose network for docker compose), so the client address
and scheme nginx passes in `X-Forwarded-*` can be trusted: one more hop in
LAB_PROXY_HOPS (the app's ProxyFix).

Run alone (the compose `proxy` service):
    python -m lab.ops.proxy --listen 0.0.0.0:8000 --upstream web:8000
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import shutil
import sys
import tempfile
from pathlib import Path

from worker.core.config import load_settings

# nginx drops a client that has not sent its whole header (or, between two reads, its
# body) within this time: real clients take milliseconds.
CLIENT_TIMEOUT_SECONDS = 15
# Longer than any request the app holds on purpose (long-polls and streams: 30 s).
UPSTREAM_READ_SECONDS = 75
RESTARTING = ('{"error": "the lab is restarting; try again in a moment", "status": 503}')


class ProxyError(RuntimeError):
    """nginx is missing or its configuration cannot be written."""


def find_nginx() -> str | None:
    """The nginx binary: on PATH, or in /usr/sbin (not on a normal user's PATH)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def listen_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def render_config(listen: str, upstream: str, run_dir: Path, max_body_kb: int) -> str:
    """nginx.conf for one server on `listen` (host:port) passing everything to `upstream`
    (`unix:/path` or host:port); temporary files and the pid file go in `run_dir`."""
    user = ""
    if os.geteuid() == 0:
        # A root master would run its workers as nobody, who cannot reach the private
        # socket folder; they run as the user that runs the lab.
        user = (f"user {pwd.getpwuid(os.geteuid()).pw_name} "
                f"{grp.getgrgid(os.getegid()).gr_name};\n")
    # The app answers an oversized body with its own JSON 413 (LAB_MAX_REQUEST_KB); nginx
    # only refuses what is far beyond that, before buffering it.
    body_kb = max(2 * max_body_kb, 2048)
    temp = "\n".join(f"    {kind}_temp_path {run_dir / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# Written by lab/ops/proxy.py each time the proxy starts: edits here are lost.
{user}worker_processes 1;
daemon off;
pid {run_dir / "nginx.pid"};
error_log stderr warn;

events {{
    worker_connections 4096;
}}

http {{
    access_log off;  # gunicorn logs every request it serves
    server_tokens off;
{temp}
    client_header_timeout {CLIENT_TIMEOUT_SECONDS}s;
    client_body_timeout {CLIENT_TIMEOUT_SECONDS}s;
    send_timeout 30s;
    keepalive_timeout 30s;
    client_max_body_size {body_kb}k;
    client_body_buffer_size 1m;

    upstream lab_web {{
        server {upstream};
    }}

    # X-Forwarded-*: what a proxy in front of this one said, then what this one saw, so
    # the app's ProxyFix (LAB_PROXY_HOPS) reads the right entry however many there are.
    map $http_x_forwarded_proto $lab_forwarded_proto {{
        "" $scheme;
        default "$http_x_forwarded_proto, $scheme";
    }}
    map $http_x_forwarded_host $lab_forwarded_host {{
        "" $http_host;
        default "$http_x_forwarded_host, $http_host";
    }}

    server {{
        listen {listen} backlog=4096;

        location / {{
            proxy_pass http://lab_web;
            proxy_http_version 1.1;
            proxy_request_buffering on;  # the whole body first, then gunicorn
            proxy_buffering on;  # except responses saying X-Accel-Buffering: no
            proxy_connect_timeout 5s;
            proxy_read_timeout {UPSTREAM_READ_SECONDS}s;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $lab_forwarded_proto;
            proxy_set_header X-Forwarded-Host $lab_forwarded_host;
            proxy_set_header Connection "";
        }}

        # gunicorn is restarting (lab up brings it back within seconds): say so in JSON,
        # with a hint for clients that retry, instead of a bare 502 page.
        error_page 502 =503 @restarting;
        location @restarting {{
            default_type application/json;
            add_header Retry-After 1 always;
            return 503 '{RESTARTING}';
        }}
    }}
}}
"""


def prepare(listen: str, upstream: str, run_dir: Path, max_body_kb: int) -> list[str]:
    """Write the configuration into `run_dir` (made private) and return the command that
    runs nginx in the foreground, logging to standard error."""
    nginx = find_nginx()
    if nginx is None:
        raise ProxyError("nginx is missing (apt-get install nginx): the lab serves through it "
                         "so that slow clients cannot tie up the web threads")
    run_dir.mkdir(parents=True, exist_ok=True)
    run_dir.chmod(0o700)
    conf = run_dir / "nginx.conf"
    conf.write_text(render_config(listen, upstream, run_dir, max_body_kb))
    return [nginx, "-p", str(run_dir), "-c", str(conf), "-e", "stderr"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="nginx in front of the lab's gunicorn")
    parser.add_argument("--listen", default="0.0.0.0:8000")
    parser.add_argument("--upstream", required=True, help="host:port or unix:/path of gunicorn")
    parser.add_argument("--run-dir", type=Path, default=None)
    args = parser.parse_args(argv)

    run_dir = args.run_dir or Path(tempfile.mkdtemp(prefix="lab-proxy-"))
    try:
        command = prepare(args.listen, args.upstream, run_dir, load_settings().max_request_kb)
    except ProxyError as exc:
        sys.exit(f"error: {exc}")
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
