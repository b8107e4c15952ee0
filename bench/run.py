"""`make bench`: the speed and scale figures of the lab, measured in one run on one machine.

Everything runs against one challenge's files (default examples/retry-decorator: its
reference solution and hidden tests), so the ratios compare like with like:

 1. latency     after 2 uncounted warm-up rounds, --runs rounds interleaved round-robin
                (the order rotates each round, so drift hits all alike):
                  bare        `python -m pytest` of the files on the host (the baseline)
                  docker_run  plain `docker run --rm` of the runner image on the same files
                  grade_core  worker.core.grading.grade() in this process (cold: a container
                              created for the run)
                  grade_pooled  the same through a warm pool started in this process (a
                              container started ahead; refilled, untimed, before each run)
                  stack       POST /api/v1/submissions, then GET .../<id>?wait=20 until done:
                              HTTP, database, Redis, Celery, sandbox, the pushed result
                (the first four come from bench/measurements.py)
 2. load        --candidates threads start together and submit --per-candidate times each,
                back to back, long-polling for each verdict (bench/e2e.py).  Meanwhile one
                prober, signed in as a candidate, fetches the pages a candidate uses, one
                after another with a 50 ms pause: the catalog, the challenge page, the result
                panel the page shows, and the API result; their p95 is over that time.
 3. floor       plain `docker run --rm` of the runner image on the same files, 4 at a time,
                24 runs (bench/throughput.py): the stack's verdicts per second under load
                are reported as a ratio of this.
 4. wire        the cost of one call from the judge to the candidate's process, inside the
                sandbox: a Run whose test times 2000 calls (median and p95 per call).
 5. dockerfile  grade() of one bundled dockerfile challenge's reference solution (image
                build + probes), --docker-runs times after one warm-up.

The lab: by default a private `lab up` (bench/privatelab.py: scratch instance, free port,
accounts, stopped at the end); with --url and --token a running one (page probes then sign
in with --email/--password, or time the API equivalents of the pages).

p95 is the nearest rank of the sorted samples.  Ratios divide by the bare pytest median.
Exit status: 0 when every measured run succeeded (targets met or not, unless --strict),
1 when a run failed or was lost (or, with --strict, a target was missed), 2 when the
benchmark cannot start.  `--help` lists the options that scale each phase.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import measurements
import throughput
from benchutil import git_state, load_average, nearest_rank
from e2e import json_safe, run_load, summarise
from privatelab import PASSWORD, PrivateLab, Session, SetupError, brief, http
from report import NAMES, print_table, stats, targets

REPO = Path(__file__).resolve().parent.parent
CHALLENGE = "examples/retry-decorator"
DOCKERFILE_CHALLENGE = "docker-images/entrypoint-default-args"
WAIT = 20.0  # long-poll seconds, under the HTTP client's 30 s timeout
Outcome = measurements.Outcome


def stack_submit(url: str, token: str, body: dict, last: dict) -> tuple[float, Outcome]:
    """Submit, then long-poll until done: the latency a candidate sees."""
    began = time.perf_counter()
    try:
        status, answer = http("POST", f"{url}/api/v1/submissions", token, body)
        if status != 202:
            return time.perf_counter() - began, Outcome(False, f"POST {status}: {brief(answer)}")
        sid = answer["id"]
        while True:
            status, answer = http("GET", f"{url}/api/v1/submissions/{sid}?wait={WAIT:g}", token)
            if status != 200 or not isinstance(answer, dict):
                return time.perf_counter() - began, Outcome(False, f"GET {status}: {brief(answer)}")
            if answer["status"] == "done":
                break
            if time.perf_counter() - began > 120:
                return time.perf_counter() - began, Outcome(False, f"submission {sid} lost")
    except OSError as exc:
        return time.perf_counter() - began, Outcome(False, f"{type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - began
    last["id"] = sid
    if answer.get("verdict") != "passed":
        return elapsed, Outcome(False, f"verdict {answer.get('verdict')}: {brief(answer.get('message'))}")
    return elapsed, Outcome(True)


def start_pool():
    """A warm pool in this process, for grade_pooled (LAB_POOL_SIZE containers, at least 1)."""
    from worker.core.config import load_settings
    from worker.core.images import runner_image
    from worker.core.pool import SandboxPool

    settings = load_settings()
    pool = SandboxPool(runner_image(settings), settings.limits,
                       settings.runtime, max(1, settings.pool_size), settings.grace_seconds,
                       settings.reap_after_seconds, settings.pool_max_idle_seconds).start()
    pool.wait_full(120)
    return pool


def run_latency(measure: dict, runs: int, log) -> dict[str, measurements.Series]:
    series = {name: measurements.Series(name) for name in NAMES}
    for round_no in range(measurements.WARMUP_ROUNDS + runs):
        warmup = round_no < measurements.WARMUP_ROUNDS
        shift = round_no % len(NAMES)
        for name in NAMES[shift:] + NAMES[:shift]:
            seconds, outcome = measure[name]()
            series[name].record(seconds, outcome, warmup)
        log(f"  latency round {round_no + 1}/{measurements.WARMUP_ROUNDS + runs}"
            + (" (warm-up)" if warmup else ""))
    return series


def page_probes(url: str, token: str, session: Session | None, sid: int,
                challenge: str = CHALLENGE) -> dict:
    """name -> a function answering (status, seconds) for one fetch."""
    def api(path: str):
        def fetch() -> tuple[int, float]:
            started = time.perf_counter()
            status, _ = http("GET", f"{url}{path}", token)
            return status, time.perf_counter() - started
        return fetch

    probes = {}
    if session is not None:
        probes["catalog page"] = lambda: session.get("/challenges")
        probes["challenge page"] = lambda: session.get(f"/challenges/{challenge}")
        probes["result panel"] = lambda: session.get(f"/submissions/{sid}/panel")
    else:
        probes["api catalog"] = api("/api/v1/challenges")
        probes["api challenge"] = api(f"/api/v1/challenges/{challenge}")
    probes["api result"] = api(f"/api/v1/submissions/{sid}")
    return probes


def run_probes(probes: dict, stop: threading.Event, samples: dict, errors: list) -> None:
    while not stop.is_set():
        for name, fetch in probes.items():
            try:
                status, seconds = fetch()
            except OSError as exc:
                errors.append(f"{name}: {exc}")
                continue
            if status == 200:
                samples[name].append(seconds)
            else:
                errors.append(f"{name}: HTTP {status}")
        stop.wait(0.05)


def run_dockerfile(name: str, runs: int, log) -> dict[str, Any]:
    from worker.core.challenge import load_challenge
    from worker.core.grading import grade
    from worker.core.sandbox import connect

    path = REPO / "challenges" / name
    challenge = load_challenge(path)
    files = measurements.read_solution(path / "solution")
    client = connect()
    series = measurements.Series("dockerfile")
    for n in range(runs + 1):
        started = time.perf_counter()
        result = grade(challenge, files, "submit", client=client)
        outcome = Outcome(result.verdict == "passed", f"verdict {result.verdict}: {result.message}")
        series.record(time.perf_counter() - started, outcome, warmup=n == 0)
        log(f"  dockerfile {n + 1}/{runs + 1}" + (" (warm-up)" if n == 0 else ""))
    return {"challenge": name, **stats(series.samples), "failed": series.failed + series.warmup_failed,
            "first_failure": series.first_failure}


def measure_load(url: str, tokens: list[str], body: dict, args: argparse.Namespace,
                 session: Session | None, sid: int, log) -> tuple[dict, dict]:
    """The load phase with the page prober running beside it."""
    probes = page_probes(url, tokens[0], session, sid, args.challenge)
    samples: dict[str, list[float]] = {name: [] for name in probes}
    errors: list[str] = []
    stop = threading.Event()
    held: dict[str, Any] = {}
    log(f"  load: {args.candidates} candidates x {args.per_candidate} submissions, "
        f"pages probed meanwhile ...")
    loader = threading.Thread(target=lambda: held.update(load=run_load(
        url, tokens, body, args.candidates, args.per_candidate, 180.0, 0.05, WAIT)), daemon=True)
    prober = threading.Thread(target=run_probes, args=(probes, stop, samples, errors), daemon=True)
    loader.start()
    time.sleep(0.5)  # the queue fills first: the pages are timed against busy workers
    prober.start()
    loader.join()
    stop.set()
    prober.join()
    load = summarise(held["load"], args, True)
    by_page = {}
    for name, values in samples.items():
        ordered = sorted(values)
        by_page[name] = {"count": len(ordered),
                         "p50_ms": 1000 * statistics.median(ordered) if ordered else math.nan,
                         "p95_ms": 1000 * nearest_rank(ordered, 95),
                         "max_ms": 1000 * ordered[-1] if ordered else math.nan}
    how = ("signed in as a candidate" if session is not None else "API equivalents, no session")
    return load, {"how": f"one prober, {how}, 50 ms pause after each round",
                  "by_page": by_page, "errors": errors[:20], "error_count": len(errors)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="counted latency rounds (15)")
    parser.add_argument("--candidates", type=int, default=50, help="concurrent candidates (50)")
    parser.add_argument("--per-candidate", type=int, default=3,
                        help="submissions per candidate in the load phase (3)")
    parser.add_argument("--docker-runs", type=int, default=5,
                        help="counted dockerfile gradings (5)")
    parser.add_argument("--challenge", default=CHALLENGE, help=f"python challenge ({CHALLENGE})")
    parser.add_argument("--dockerfile-challenge", default=DOCKERFILE_CHALLENGE,
                        help=f"dockerfile challenge ({DOCKERFILE_CHALLENGE})")
    parser.add_argument("--skip", default="",
                        help="comma-separated: latency, load, floor, wire, dockerfile")
    parser.add_argument("--url", help="a running lab instead of a private one (needs --token)")
    parser.add_argument("--token", action="append", default=[],
                        help="API token for --url; repeat to spread candidates over accounts")
    parser.add_argument("--email", help="with --url: the first token's account, to time HTML pages")
    parser.add_argument("--password", help="with --email")
    parser.add_argument("--keep", action="store_true", help="keep the private lab's instance folder")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--runtime", help="sandbox runtime for this run: runc (the engine's "
                        "default) or runsc (gVisor); default: LAB_RUNTIME")
    args = parser.parse_args(argv)
    if args.runtime is not None:
        # Read by every part from the environment: grade(), the pool, the private lab's
        # worker, and the docker run baseline and floor.
        os.environ["LAB_RUNTIME"] = "" if args.runtime in ("runc", "default") else args.runtime
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    if skip - {"latency", "load", "floor", "wire", "dockerfile"}:
        parser.error("--skip takes latency, load, floor, wire, dockerfile")
    if min(args.runs, args.candidates, args.per_candidate, args.docker_runs) < 1:
        parser.error("--runs, --candidates, --per-candidate and --docker-runs must be at least 1")
    if bool(args.url) != bool(args.token):
        parser.error("--url and --token go together")
    if bool(args.email) != bool(args.password):
        parser.error("--email and --password go together")
    log = (lambda _msg: None) if args.json else (lambda msg: print(msg, file=sys.stderr, flush=True))

    challenge_path = REPO / "challenges" / args.challenge
    report: dict[str, Any] = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(), "git": git_state(), "challenge": args.challenge,
        "runtime": os.environ.get("LAB_RUNTIME") or "runc (engine default)",
        "p95_method": "nearest rank of the sorted samples", "targets_of": "issue 6",
        "load_average_before": load_average(), "problems": [],
    }
    lab: PrivateLab | None = None
    pool = None
    scratch = tempfile.mkdtemp(prefix="lab-bench-")
    try:
        files = measurements.read_solution(challenge_path / "solution")
        body = {"challenge": args.challenge, "mode": "submit",
                "files": {name: data.decode("utf-8") for name, data in files.items()}}
        workdir = Path(scratch) / "sandbox"
        workdir.mkdir()
        if "latency" not in skip:
            pool = start_pool()
        measure, context = measurements.build_measurements(challenge_path, workdir, pool=pool)
        report["commands"] = {"bare": context["commands"]["bare"],
                              "docker_run": context["commands"]["docker_run"]}
        if args.url:
            url, tokens = args.url.rstrip("/"), list(args.token)
            report["lab"] = f"running lab at {url}"
        else:
            lab = PrivateLab(Path(scratch) / "lab", args.keep)
            url = lab.url
            log(f"starting a private lab up on port {lab.port} ...")
            lab.start()
            tokens = lab.create_accounts(args.candidates)
            report["lab"] = (f"private `lab up` (healthy after {lab.startup_seconds:.1f} s, "
                             f"{len(tokens)} accounts in {lab.accounts_seconds:.1f} s)"
                             + (f", instance kept in {lab.instance}" if args.keep else ""))
        last: dict[str, int] = {}
        if "latency" not in skip:
            measure = {"bare": measure["bare"], "docker_run": measure["docker_run"],
                       "grade_core": measure["lab_grade_core"],
                       "grade_pooled": measure["lab_grade_pooled"],
                       "stack": lambda: stack_submit(url, tokens[0], body, last)}
            series = run_latency(measure, args.runs, log)
            bare = statistics.median(series["bare"].samples)
            report["latency"] = {name: {**stats(s.samples, bare), "failed": s.failed + s.warmup_failed,
                                        "first_failure": s.first_failure}
                                 for name, s in series.items()}
        if "load" not in skip:
            if "id" not in last:  # the result panel needs a submission of the prober's account
                _, outcome = stack_submit(url, tokens[0], body, last)
                if "id" not in last:
                    raise SetupError(f"no submission to probe the result of: {outcome.detail}")
            session = None
            if not args.url or args.email:
                session = Session(url)
                session.login(args.email or "bench-001@example.com", args.password or PASSWORD)
            report["load"], report["pages"] = measure_load(url, tokens, body, args, session,
                                                           last["id"], log)
        if "floor" not in skip:
            log("  floor: plain docker run --rm, 4 at a time ...")
            report["floor"] = throughput.measure_floor(context["docker_argv"], workdir)
            floor_rate = report["floor"]["verdicts_per_second"]
            if report.get("load"):
                report["load"]["over_floor"] = (report["load"]["verdicts_per_second"] / floor_rate
                                                if floor_rate else math.nan)
            if report["floor"]["failed"]:
                report["problems"].append(f"floor: {report['floor']['failed']} docker runs failed")
        if "wire" not in skip:
            log("  wire: calls from the judge to the candidate, in the sandbox ...")
            report["round_trip"] = throughput.measure_round_trip()
        if "dockerfile" not in skip:
            report["dockerfile"] = run_dockerfile(args.dockerfile_challenge, args.docker_runs, log)
    except (SetupError, measurements.SetupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if pool is not None:
            pool.close()
        if lab is not None:
            log("stopping the private lab ...")
            lab.stop()
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    report["load_average_after"] = load_average()
    problems = report["problems"]
    for name, row in (report.get("latency") or {}).items():
        if row["failed"]:
            problems.append(f"{name}: {row['failed']} failed runs; first: {row['first_failure']}")
    if report.get("load"):
        load = report["load"]
        if load["lost"] or load["post_errors"] or load["unexpected_verdicts"]:
            problems.append(f"load: lost {load['lost']}, POST errors {load['post_errors']}, "
                            f"unexpected verdicts {load['unexpected_verdicts']}")
            problems.extend(load.get("first_problems", [])[:5])
        if report["pages"]["error_count"]:
            problems.append(f"pages: {report['pages']['error_count']} failed fetches")
    if report.get("dockerfile", {}).get("failed"):
        problems.append(f"dockerfile: {report['dockerfile']['failed']} failed runs; first: "
                        f"{report['dockerfile']['first_failure']}")
    report["targets"] = targets(report)
    report["ok"] = not problems
    if args.json:
        print(json.dumps(json_safe(report), indent=2, default=str))
    else:
        print_table(report)
    if problems:
        return 1
    return 1 if args.strict and not all(c["met"] for c in report["targets"]) else 0


if __name__ == "__main__":
    sys.exit(main())
