"""Runs pytest as the candidate user, with the results plugin loaded first.

Started by lab_supervisor under `python3 -I`, so neither the current directory nor
PYTHON* variables shape sys.path: this file sets it.  The runner directory comes
first (our plugin), the site packages next (pytest itself), the candidate's folder
last, so a candidate file can never shadow pytest, pluggy or the plugin.
"""

import json
import os
import signal
import sys

sys.path.insert(0, "/opt/lab-runner")
sys.path.append("/sandbox")

import lab_results  # noqa: E402  (must load before pytest imports any candidate code)
import pytest  # noqa: E402


def main() -> int:
    # Python ignores SIGXFSZ by default; restore the kernel's action so a file that
    # outgrows the size limit ends the run and is reported as that limit.
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    args = json.loads(sys.argv[1])
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
    status = main()
    sys.stdout.flush()
    os._exit(status)
