"""Runs pytest as the candidate user, with the results plugin loaded first.

Started by lab_supervisor under `python3 -I`, so neither the current directory nor
PYTHON* variables shape sys.path: this file sets it.  The runner directory comes
first (our plugin), the site packages next (pytest itself), the candidate's folder
last, so a candidate file can never shadow pytest, pluggy or the plugin.

Armed mode (warm pool): everything pytest.main would import is imported first, then
the process says so on the ready pipe and blocks on the go pipe, whose write end only
the supervisor holds.  The candidate's files do not exist before go, so nothing of
theirs runs while it waits.
"""

import importlib
import json
import os
import resource
import signal
import sys

sys.path.insert(0, "/opt/lab-runner")
sys.path.append("/sandbox")

import lab_results  # noqa: E402  (must load before pytest imports any candidate code)
import pytest  # noqa: E402


def _preload() -> None:
    """Import pytest's built-in plugins now, as pytest.main would after go."""
    from _pytest import config

    # Plus what a session imports on its own (measured with pytest 7 in the runner image).
    extra = ("_pytest._argcomplete", "_pytest.config.compat", "pdb", "faulthandler")
    for name in (*(f"_pytest.{n}" for n in (*config.essential_plugins, *config.default_plugins)),
                 *extra):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _wait_for_go(args: dict) -> dict:
    """Armed mode: report readiness, block for the go, then set the CPU budget so that
    it counts from go.  The limit is in whole seconds, so the budget from go is within
    half a second of the limit (a cold run pays its start-up from the same budget)."""
    _preload()
    os.write(int(args["ready_fd"]), f"{_cpu_used():.3f}".encode())
    os.close(int(args["ready_fd"]))
    data = b""
    while True:
        chunk = os.read(int(args["go_fd"]), 65536)
        if not chunk:
            break
        data += chunk
    os.close(int(args["go_fd"]))
    if not data:
        os._exit(0)  # the supervisor left without a go
    # /sandbox was empty while the imports above ran: forget any listing of it.
    importlib.invalidate_caches()
    cpu = int(args["cpu_seconds"]) + round(_cpu_used())
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (min(cpu, soft), min(cpu + 1, hard)))
    return {**args, **json.loads(data)}


def main() -> int:
    # Python ignores SIGXFSZ by default; restore the kernel's action so a file that
    # outgrows the size limit ends the run and is reported as that limit.
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    args = json.loads(sys.argv[1])
    if args.get("armed"):
        args = _wait_for_go(args)
    plugin = lab_results.build_plugin(int(args["fd"]), args["visibility"])
    code = pytest.main(
        [
            "-c",
            "/opt/lab-runner/pytest.ini",
            "--rootdir=/sandbox",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:stepwise",
            "-s",
            "-q",
            "--tb=short",
            "--color=no",
            *args["test_paths"],
        ],
        plugins=[plugin],
    )
    return int(code)


if __name__ == "__main__":
    # Bound before any candidate code runs: `os._exit` rebound later cannot choose the
    # exit status the supervisor records.
    _exit, _stdout = os._exit, sys.stdout
    status = main()
    _stdout.flush()
    _exit(status)
