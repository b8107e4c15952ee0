"""Throughput figures that need no running lab: the floor, and the wire's round trip.

floor      plain `docker run --rm` of the runner image running pytest on the challenge's
           files, `concurrency` at a time, `count` runs: verdicts per second of a container
           per submission with nothing else around it.  The stack's verdicts per second
           under load are reported as a ratio of this, measured in the same run.
round trip one Run in the sandbox of a small challenge whose public test times `calls`
           calls of the candidate's function from the judge (each a request over the
           socket pair and its answer), and prints the median and p95 per call.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from measurements import run_process

ROUND_TRIP_TEST = '''
import json
import time

from solution import add


def test_round_trips():
    samples = []
    for n in range({calls}):
        started = time.perf_counter()
        add(n, 1)
        samples.append(time.perf_counter() - started)
    samples.sort()
    print("ROUNDTRIP" + json.dumps({{"median": samples[len(samples) // 2],
                                     "p95": samples[int(len(samples) * 0.95)]}}))
'''


def measure_floor(docker_argv: list[str], workdir: Path, concurrency: int = 4,
                  count: int = 24) -> dict[str, Any]:
    """Verdicts per second of plain `docker run --rm`, `concurrency` at a time."""
    def one(_n: int) -> bool:
        return run_process(docker_argv, cwd=workdir).returncode == 0

    run_process(docker_argv, cwd=workdir)  # warm-up, uncounted
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        ok = list(pool.map(one, range(count)))
    wall = time.perf_counter() - started
    return {"concurrency": concurrency, "runs": count, "failed": ok.count(False),
            "wall_seconds": wall, "verdicts_per_second": ok.count(True) / wall}


def measure_round_trip(calls: int = 2000, runs: int = 3) -> dict[str, Any]:
    """Median and p95 of one judge -> candidate call, inside the sandbox (median of
    `runs` Runs, each timing `calls` calls)."""
    from worker.core.config import Limits, Settings
    from worker.core.grading import grade

    folder = Path(tempfile.mkdtemp(prefix="lab-roundtrip-"))
    (folder / "challenge.yaml").write_text("title: Round trips\nkind: python\n"
                                           "editable: [solution.py]\n")
    (folder / "prompt.md").write_text("add\n")
    for part in ("starter", "solution"):
        (folder / part).mkdir()
        (folder / part / "solution.py").write_text("def add(a, b):\n    return a + b\n")
    for visibility in ("public", "hidden"):
        (folder / "tests" / visibility).mkdir(parents=True)
        (folder / "tests" / visibility / f"test_{visibility}.py").write_text(
            ROUND_TRIP_TEST.format(calls=calls))
    settings = Settings(limits=Limits(wall_seconds=60, test_seconds=60, cpu_seconds=60))
    medians, p95s, failures = [], [], []
    for _ in range(runs):
        result = grade(folder, {"solution.py": b"def add(a, b):\n    return a + b\n"}, "run",
                       settings=settings)
        line = next((ln for ln in result.stdout.splitlines() if ln.startswith("ROUNDTRIP")), None)
        if result.verdict != "passed" or line is None:
            failures.append(f"{result.verdict}: {result.message[:200]}")
            continue
        figures = json.loads(line[len("ROUNDTRIP"):])
        medians.append(figures["median"])
        p95s.append(figures["p95"])
    return {"calls_per_run": calls, "runs": len(medians), "failed": len(failures),
            "first_failure": failures[0] if failures else "",
            "median_us": 1e6 * statistics.median(medians) if medians else float("nan"),
            "p95_us": 1e6 * statistics.median(p95s) if p95s else float("nan")}
