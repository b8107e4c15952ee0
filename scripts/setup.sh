#!/usr/bin/env bash
# Idempotent set-up of this machine for the lab and its tests:
#   system packages (when root and missing), .venv with the project, a running Docker
#   engine, the sandbox runner images.  Safe to run again; does only what is missing.
# Writes instance/dockerd.pid when it had to start dockerd itself.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p instance/logs

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# nginx fronts gunicorn in `lab up` (lab/ops/proxy.py); /usr/sbin is not on a user's PATH.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v npm >/dev/null 2>&1 || missing+=(npm)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing ${missing[*]}; install them (as root: apt-get install -y ${missing[*]})" >&2
        exit 3
    fi
    echo "setup: installing ${missing[*]}"
    # The lab starts its own dockerd, redis-server and nginx, with their logs in
    # instance/logs; the packages' own services (nginx on port 80, say) must not start
    # behind our back and outlive the run.  policy-rc.d is Debian's switch for that.
    # A policy-rc.d that is already there (container images ship one) is left alone.
    policy_added=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
        policy_added=1
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt-get update -qq >instance/logs/apt.log 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >>instance/logs/apt.log 2>&1
    if [ -n "$policy_added" ]; then
        rm -f /usr/sbin/policy-rc.d
        trap - EXIT
    fi
fi

stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if [ ! -f "$stamp" ]; then
    echo "setup: installing the project into .venv"
    .venv/bin/pip install -q --upgrade pip >instance/logs/pip.log 2>&1
    .venv/bin/pip install -q -e '.[dev]' >>instance/logs/pip.log 2>&1 || {
        tail -20 instance/logs/pip.log >&2; exit 3; }
    rm -f .venv/.installed-*
    touch "$stamp"
fi

if ! docker info >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: no Docker engine answers; start one (sudo systemctl start docker)" >&2
        exit 3
    fi
    echo "setup: starting dockerd (log: instance/logs/dockerd.log)"
    # setsid + redirections: the engine must not hold the caller's terminal or pipes.
    setsid dockerd >instance/logs/dockerd.log 2>&1 </dev/null &
    echo $! >instance/dockerd.pid
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && break
        sleep 0.5
    done
    docker info >/dev/null 2>&1 || { echo "setup: dockerd did not come up" >&2;
                                     tail -20 instance/logs/dockerd.log >&2; exit 3; }
fi

# Hardened mode (LAB_RUNTIME=runsc): gVisor installed and registered with the engine.
bash scripts/runtime.sh

.venv/bin/lab images build

# The same staleness rule as `lab up` (lab/ops/launcher.py): rebuilt when a bundle is
# missing or older than lab/static/src or the npm manifests.
.venv/bin/python - <<'PY' || exit 3
import sys
from lab.ops.launcher import LaunchError, build_editor_assets
try:
    print(f"setup: editor bundles: {build_editor_assets()}")
except LaunchError as exc:
    sys.exit(f"setup: building the editor bundle failed: {exc}")
PY
