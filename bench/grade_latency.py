"""How much slower is a `lab grade` than a bare pytest run of the same files?

One run, one machine, one challenge (its reference solution and its hidden tests),
five ways, interleaved round-robin so drift hits all of them alike:

  bare            `python -m pytest -q -p no:cacheprovider tests/hidden` on the host, with
                  this venv's python, in a temporary folder laid out as the sandbox is
                  (the solution's files at the top, tests/hidden/... below).
  docker_run      plain `docker run --rm --network none <runner image> python3 -m pytest ...`
                  with that same folder bind-mounted read-only as the working directory
                  (a baseline for the cost of any container at all; the lab never mounts).
  lab_grade_core  `worker.core.grading.grade(challenge, files, "submit", client=client)` in
                  this process, no pool: the cold path (create, copy, start, wait, remove);
                  must return "passed".
  lab_grade_pooled  the same call with `pool=` a warm pool (worker/core/pool.py, --pool-size
                  containers, default LAB_POOL_SIZE or 2) started in this process: a
                  container already started with pytest imported takes the files and the
                  go; its removal and replacement happen after the call returns.  Must be a
                  pool hit and return "passed".  Skipped with --pool-size 0.
  lab_grade_cli   `.venv/bin/lab grade CHALLENGE SOLUTION_DIR --mode submit --json` as a
                  subprocess (interpreter start-up, settings, reaper sweep included; the
                  CLI never uses a pool); must exit 0 with verdict "passed".

Each measurement is wall-clock time (time.perf_counter) around the subprocess or the
call.  Before every measurement (of any kind, counted or not) the pool is brought back
to full and its removal queue emptied, untimed, so no pool work in the background
overlaps a measurement: the pooled figure is the steady state of a pool that keeps up
with demand, and the baselines are not slowed by it.  Two warm-up rounds of each come
first and are not counted.  Each round starts with a different measurement (the order
rotates) so none always runs right after the same neighbour.  Both baselines run with
PYTHONDONTWRITEBYTECODE=1 (and the bare one with PYTEST_DISABLE_PLUGIN_AUTOLOAD=1), as
the sandbox's pytest does, so no run is helped by bytecode a previous run left in the
folder.

p95 is the nearest-rank percentile of the sorted samples (rank ceil(0.95 * n)).
Targets (reported, never failed on): the pooled core median <= 1.0x and p95 <= 1.5x the
bare pytest median (issue 6's figures, here for the grading core alone); the cold core
and the CLI median <= 4x (the grading core's earlier target).

Exit status: 0 when every run (warm-ups included) succeeded, whether or not the targets
were met; 1 when any lab run did not pass (or a baseline run failed, which would make the
ratios meaningless); 2 when the benchmark cannot start (no Docker CLI or engine, missing
image, broken challenge, a pool that does not fill).

    .venv/bin/python bench/grade_latency.py [--runs 20] [--challenge PATH] [--pool-size N]
        [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from benchutil import load_average
from measurements import (
    REPO,
    WARMUP_ROUNDS,
    Outcome,
    Series,
    SetupError,
    build_measurements,
    summarise,
)

DEFAULT_CHALLENGE = "challenges/examples/retry-decorator"
POOL_FILL_TIMEOUT = 180.0
NAMES = ("bare", "docker_run", "lab_grade_core", "lab_grade_pooled", "lab_grade_cli")
LAB_NAMES = ("lab_grade_core", "lab_grade_pooled", "lab_grade_cli")
# name -> (median factor, p95 factor or None), both over the bare pytest median
TARGETS = {"lab_grade_pooled": (1.0, 1.5), "lab_grade_core": (4.0, None),
           "lab_grade_cli": (4.0, None)}


def run_benchmark(measurements: dict[str, Callable[[], tuple[float, Outcome]]],
                  runs: int, progress: bool, settle: Callable[[], None] = lambda: None,
                  ) -> dict[str, Series]:
    names = tuple(name for name in NAMES if name in measurements)
    series = {name: Series(name) for name in names}
    total = WARMUP_ROUNDS + runs
    for round_no in range(total):
        warmup = round_no < WARMUP_ROUNDS
        shift = round_no % len(names)
        order = names[shift:] + names[:shift]
        for name in order:
            settle()  # untimed: no pool work in the background during the measurement
            seconds, outcome = measurements[name]()
            series[name].record(seconds, outcome, warmup)
        if progress:
            label = (f"warm-up {round_no + 1}/{WARMUP_ROUNDS}" if warmup
                     else f"run {round_no - WARMUP_ROUNDS + 1}/{runs}")
            print(f"  {label}", file=sys.stderr, flush=True)
    return series


def verdict_lines(rows: dict[str, dict[str, Any]], bare_median: float) -> list[dict[str, Any]]:
    checks = []
    for name, (median_factor, p95_factor) in TARGETS.items():
        if name not in rows:
            continue
        ratio = rows[name]["median_over_bare_median"]
        p95_ratio = rows[name]["p95_over_bare_median"]
        meets = not math.isnan(ratio) and ratio <= median_factor
        if p95_factor is not None:
            meets = meets and not math.isnan(p95_ratio) and p95_ratio <= p95_factor
        checks.append({
            "name": name,
            "median_s": rows[name]["median_s"],
            "p95_s": rows[name]["p95_s"],
            "ratio": ratio,
            "p95_ratio": p95_ratio,
            "median_factor": median_factor,
            "p95_factor": p95_factor,
            "meets_target": bool(meets),
        })
    return checks


def print_table(report: dict[str, Any]) -> None:
    ctx = report["context"]
    print(f"Grading latency: {ctx['challenge']}  ({len(ctx['solution_files'])} solution file(s), "
          f"{len(ctx['hidden_test_files'])} hidden test file(s))")
    print(f"{report['runs']} runs each after {report['warmup_runs']} uncounted warm-up runs, "
          f"interleaved round-robin; wall clock in seconds; warm pool of {ctx['pool_size']}")
    print()
    head = (f"{'name':<18}{'runs':>5}{'failed':>7}{'median (s)':>12}{'p95 (s)':>10}"
            f"{'min':>9}{'max':>9}{'median/bare':>13}{'p95/bare':>10}")
    print(head)
    print("-" * len(head))
    for row in report["results"]:
        print(f"{row['name']:<18}{row['runs']:>5}{row['failed']:>7}{row['median_s']:>12.3f}"
              f"{row['p95_s']:>10.3f}{row['min_s']:>9.3f}{row['max_s']:>9.3f}"
              f"{row['median_over_bare_median']:>12.2f}x{row['p95_over_bare_median']:>9.2f}x")
    print()
    print(f"targets, over the bare pytest median ({report['target']['bare_median_s']:.3f} s):")
    for check in report["target"]["checks"]:
        status = "MEETS" if check["meets_target"] else "MISSES"
        wanted = f"median <= {check['median_factor']:g}x"
        if check["p95_factor"] is not None:
            wanted += f", p95 <= {check['p95_factor']:g}x"
        print(f"  {check['name']:<18}{status} {wanted}: median {check['ratio']:.2f}x, "
              f"p95 {check['p95_ratio']:.2f}x")
    failures = [r for r in report["results"] if r["failed"] or r["warmup_failed"]]
    for row in failures:
        print(f"  FAILED RUNS in {row['name']}: {row['failed']} counted, "
              f"{row['warmup_failed']} warm-up; first: {row['first_failure']}")
    print()
    print(f"cpu cores (os.cpu_count()): {report['cpu_count']}")
    print(f"date: {report['date']}")
    print(f"load average (1/5/15 min) before: {report['load_average_before']}, "
          f"after: {report['load_average_after']}")
    print(f"host: {ctx['platform']}, python {ctx['host_python']}, "
          f"docker engine {ctx['docker_server_version']}, runner image {ctx['runner_image']}, "
          f"checkout {ctx['git']}")


def start_pool(size: int) -> Any:
    """A warm pool for the default limits (what grade() of a bundled challenge uses)."""
    from worker.core.config import load_settings
    from worker.core.images import runner_image
    from worker.core.pool import SandboxPool

    settings = load_settings()
    pool = SandboxPool(runner_image(settings), settings.limits,
                       settings.runtime, size, settings.grace_seconds,
                       settings.reap_after_seconds, settings.pool_max_idle_seconds).start()
    if not pool.wait_full(POOL_FILL_TIMEOUT):
        pool.close()
        raise SetupError(f"the warm pool did not fill within {POOL_FILL_TIMEOUT:g} s")
    return pool


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="counted runs of each (default 20)")
    parser.add_argument("--challenge", default=DEFAULT_CHALLENGE,
                        help=f"challenge folder (default {DEFAULT_CHALLENGE})")
    parser.add_argument("--pool-size", type=int, default=None,
                        help="warm pool size for lab_grade_pooled (default LAB_POOL_SIZE or 2; "
                             "0 skips it)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.pool_size is None:
        args.pool_size = int(os.environ.get("LAB_POOL_SIZE", "2") or 2)
    challenge_path = Path(args.challenge)
    if not challenge_path.is_absolute():
        challenge_path = (Path.cwd() / challenge_path) if (Path.cwd() / challenge_path).is_dir() \
            else REPO / challenge_path
    challenge_path = challenge_path.resolve()

    pool = None
    with tempfile.TemporaryDirectory(prefix="lab-bench-") as tmp:
        workdir = Path(tmp) / "sandbox"
        workdir.mkdir()
        try:
            pool = start_pool(args.pool_size) if args.pool_size > 0 else None
            measurements, context = build_measurements(challenge_path, workdir, pool)
        except SetupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            if pool is not None:
                pool.close()
            return 2
        try:
            load_before = load_average()
            settle = (lambda: pool.wait_full(POOL_FILL_TIMEOUT)) if pool else (lambda: None)
            series = run_benchmark(measurements, args.runs, progress=not args.json, settle=settle)
            load_after = load_average()
        finally:
            if pool is not None:
                pool.close()

    names = [name for name in NAMES if name in series]
    bare_median = statistics.median(series["bare"].samples)
    rows = {name: summarise(series[name], bare_median) for name in names}
    report = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "runs": args.runs,
        "warmup_runs": WARMUP_ROUNDS,
        "p95_method": "nearest-rank on sorted samples",
        "context": context,
        "results": [rows[name] for name in names],
        "target": {
            "statement": "pooled grade() median <= 1.0x and p95 <= 1.5x bare pytest; "
                         "cold grade() and the CLI median <= 4x",
            "bare_median_s": bare_median,
            "checks": verdict_lines(rows, bare_median),
        },
    }
    lab_failed = any(series[n].failed or series[n].warmup_failed for n in names if n in LAB_NAMES)
    baseline_failed = any(series[n].failed or series[n].warmup_failed for n in names
                          if n not in LAB_NAMES)
    report["all_runs_passed"] = not (lab_failed or baseline_failed)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    return 1 if lab_failed or baseline_failed else 0


if __name__ == "__main__":
    sys.exit(main())
