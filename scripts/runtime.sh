#!/usr/bin/env bash
# Make the Docker runtime named by $1 (default: $LAB_RUNTIME) usable for sandboxes.
# Only gVisor's runsc (and runsc-<variant> names) can be set up here: Debian's `runsc`
# package is installed when missing, registered in /etc/docker/daemon.json (merged into
# what is there, never overwritten), the engine reloaded, and `docker info` checked.
# Idempotent: does nothing when the engine already lists the runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p instance/logs
name="${1:-${LAB_RUNTIME:-}}"
[ -n "$name" ] || exit 0

listed() { docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q "\"$name\""; }

if listed; then
    exit 0
fi
case "$name" in
    runsc|runsc-*) ;;
    *) echo "runtime: the engine has no runtime '$name', and only gVisor (runsc) can be" \
            "set up here; register it with the engine yourself" >&2; exit 3 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
    echo "runtime: the engine has no runtime '$name'; as root run: LAB_RUNTIME=$name make up" >&2
    exit 3
fi
if ! command -v runsc >/dev/null 2>&1; then
    echo "runtime: installing runsc (gVisor)"
    policy_added=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then  # see setup.sh: no package starts services
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
        policy_added=1
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt-get update -qq >>instance/logs/apt.log 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq runsc >>instance/logs/apt.log 2>&1 || {
        echo "runtime: apt-get could not install runsc (see instance/logs/apt.log);" \
             "gVisor's own releases are at https://gvisor.dev/docs/user_guide/install/" >&2
        exit 3; }
    if [ -n "$policy_added" ]; then
        rm -f /usr/sbin/policy-rc.d
        trap - EXIT
    fi
fi
echo "runtime: registering $name with the Docker engine (/etc/docker/daemon.json)"
mkdir -p /etc/docker
python3 - "$name" "$(command -v runsc)" <<'PY' || exit 3
import json, os, sys
name, path = sys.argv[1], sys.argv[2]
config_path = "/etc/docker/daemon.json"
text = ""
if os.path.exists(config_path):
    with open(config_path) as handle:
        text = handle.read()
try:
    config = json.loads(text) if text.strip() else {}
except ValueError as exc:
    sys.exit(f"runtime: {config_path} is not valid JSON ({exc}); fix it first")
if not isinstance(config, dict):
    sys.exit(f"runtime: {config_path} does not hold a JSON object; fix it first")
# --network=none: a sandbox never has a network, and gVisor then starts no netstack.
config.setdefault("runtimes", {})[name] = {"path": path, "runtimeArgs": ["--network=none"]}
with open(config_path + ".tmp", "w") as handle:
    json.dump(config, handle, indent=2)
os.replace(config_path + ".tmp", config_path)
PY
# The engine rereads its runtimes on SIGHUP; no restart, running containers stay.
pkill -HUP -x dockerd || { echo "runtime: no dockerd process to reload" >&2; exit 3; }
for _ in $(seq 40); do
    listed && { echo "runtime: the engine lists $name"; exit 0; }
    sleep 0.25
done
echo "runtime: the engine still does not list $name after a reload (see its log)" >&2
exit 3
