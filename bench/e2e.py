"""End to end under load: many simulated candidates submitting through the HTTP API at once.

What it measures: the whole path a candidate's Submit takes, from the moment just before
`POST /api/v1/submissions` until a `GET /api/v1/submissions/<id>` first answers
`status: done` (gunicorn, SQLite, Redis, the Celery worker, the Docker sandbox, and the
result pushed to a long-poll `GET ...?wait=30`, or with --wait 0 a polling delay of at
most one poll interval).

Two ways to point it at a lab:

  default       start a private one: a temporary instance folder (LAB_INSTANCE_PATH), then
                `lab up --port <free port>` as a subprocess in its own session, its output
                in <instance>/lab-up.log and the children's logs in <instance>/logs/.
                Waits (up to 120 s) for GET /healthz to answer 200, creates one account and
                API token per candidate (one subprocess with the same environment, see
                privatelab.py), and at the end stops `lab up` with SIGTERM (SIGKILL to its
                process group after 30 s).  Every other LAB_* variable of this environment
                is passed on, so e.g. LAB_WORKER_CONCURRENCY=4 is honoured.
  --url/--token use a lab that is running already; every candidate uses the given token(s),
                round-robin (repeat --token to give candidates their own accounts).

The load: --candidates threads start together (a barrier); each submits --per-candidate
submissions back to back: POST, then `GET ...?wait=--wait` (30 s) again and again until
the status is done or --timeout seconds (180) have passed since the POST.  With --wait 0
the GETs are plain polls, one every --poll-interval seconds (50 ms; measured from the
start of one poll to the start of the next).  A submission the lab accepted (202)
but did not finish within the timeout is *lost*; the candidate then moves on.

Reported: submissions, completed, lost, POST errors (no 202), GET errors (retried),
verdict counts, submit->verdict latency p50 / p95 / max (p95: nearest rank of the sorted
latencies of completed submissions, rank ceil(0.95 n)), the wall time of the load phase
(barrier release to the last candidate finishing), verdicts per second (completed / that
wall time), the server-side grading duration (median of the `duration` field), cpu count
and load average.

Exit status: 0 when every submission completed and, if the challenge's reference solution
is the one submitted, every verdict is "passed"; 1 otherwise (any loss, POST error or
unexpected verdict); 2 when the benchmark cannot start (lab does not come up, no accounts).

    .venv/bin/python bench/e2e.py [--candidates 10] [--per-candidate 5] [--mode submit]
        [--solution PATH] [--timeout 180] [--wait 30] [--json]
        [--url URL --token T [--token T2 ...]]
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
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from benchutil import git_state, load_average, nearest_rank
from privatelab import PrivateLab, SetupError, brief, http

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CHALLENGE = "examples/retry-decorator"
# ---------------------------------------------------------------- load


@dataclass
class Sample:
    candidate: int
    seq: int
    submission_id: int | None = None
    outcome: str = "pending"  # done | lost | post_error
    verdict: str | None = None
    score: float | None = None
    max_score: float | None = None
    latency_s: float | None = None  # just before POST -> first GET that says done
    post_s: float | None = None  # how long the POST itself took
    server_duration_s: float | None = None  # the `duration` the grader reported
    polls: int = 0
    get_errors: int = 0
    detail: str = ""


@dataclass
class LoadResult:
    samples: list[Sample] = field(default_factory=list)
    wall_seconds: float = math.nan


def run_candidate(number: int, url: str, token: str, body: dict[str, Any], per_candidate: int,
                  timeout: float, poll_interval: float, start: threading.Barrier,
                  out: list[Sample], wait: float = 0.0) -> None:
    start.wait()
    for seq in range(per_candidate):
        sample = Sample(candidate=number, seq=seq)
        out.append(sample)
        began = time.perf_counter()
        try:
            status, answer = http("POST", f"{url}/api/v1/submissions", token, body)
        except OSError as exc:
            status, answer = 0, f"{type(exc).__name__}: {exc}"
        sample.post_s = time.perf_counter() - began
        if status != 202 or not isinstance(answer, dict) or "id" not in answer:
            sample.outcome = "post_error"
            sample.detail = f"POST answered {status or 'nothing'}: {brief(answer)}"
            continue
        sample.submission_id = int(answer["id"])
        deadline = began + timeout
        sample.outcome = "lost"
        while True:
            poll_started = time.perf_counter()
            if poll_started >= deadline:
                break
            query = f"?wait={min(wait, deadline - poll_started):.3f}" if wait > 0 else ""
            try:
                status, answer = http(
                    "GET", f"{url}/api/v1/submissions/{sample.submission_id}{query}", token)
            except OSError as exc:
                status, answer = 0, f"{type(exc).__name__}: {exc}"
            sample.polls += 1
            if status == 200 and isinstance(answer, dict):
                if answer.get("status") == "done":
                    sample.latency_s = time.perf_counter() - began
                    sample.outcome = "done"
                    sample.verdict = answer.get("verdict")
                    sample.score = answer.get("score")
                    sample.max_score = answer.get("max_score")
                    sample.server_duration_s = answer.get("duration")
                    if sample.verdict != "passed":
                        sample.detail = brief(answer.get("message") or answer.get("tests"))
                    break
                sample.detail = f"last status {answer.get('status')}"
            else:
                sample.get_errors += 1
                sample.detail = f"GET answered {status or 'nothing'}: {brief(answer)}"
            if wait > 0 and status == 200 and time.perf_counter() - poll_started >= min(wait, 1.0):
                continue  # the server held the request for the wait: ask again at once
            pause = poll_started + poll_interval - time.perf_counter()
            if pause > 0:
                time.sleep(pause)


def run_load(url: str, tokens: list[str], body: dict[str, Any], candidates: int,
             per_candidate: int, timeout: float, poll_interval: float,
             wait: float = 0.0) -> LoadResult:
    per_thread: list[list[Sample]] = [[] for _ in range(candidates)]
    start = threading.Barrier(candidates + 1)
    threads = [
        threading.Thread(target=run_candidate, name=f"candidate-{n + 1}", daemon=True,
                         args=(n + 1, url, tokens[n % len(tokens)], body, per_candidate,
                               timeout, poll_interval, start, per_thread[n], wait))
        for n in range(candidates)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return LoadResult(samples=[s for samples in per_thread for s in samples], wall_seconds=wall)


# ---------------------------------------------------------------- report








def summarise(load: LoadResult, args: argparse.Namespace, reference: bool) -> dict[str, Any]:
    samples = load.samples
    done = [s for s in samples if s.outcome == "done"]
    lost = [s for s in samples if s.outcome == "lost"]
    post_errors = [s for s in samples if s.outcome == "post_error"]
    latencies = sorted(s.latency_s for s in done if s.latency_s is not None)
    durations = [s.server_duration_s for s in done if isinstance(s.server_duration_s, int | float)]
    verdicts = Counter(str(s.verdict) for s in done)
    unexpected = [s for s in done if s.verdict != "passed"] if reference else []
    wall = load.wall_seconds
    return {
        "candidates": args.candidates,
        "per_candidate": args.per_candidate,
        "submissions": len(samples),
        "accepted": len(samples) - len(post_errors),
        "completed": len(done),
        "lost": len(lost),
        "post_errors": len(post_errors),
        "get_errors": sum(s.get_errors for s in samples),
        "polls": sum(s.polls for s in samples),
        "verdicts": dict(sorted(verdicts.items())),
        "unexpected_verdicts": len(unexpected),
        "latency_s": {
            "p50": statistics.median(latencies) if latencies else math.nan,
            "p95": nearest_rank(latencies, 95),
            "max": latencies[-1] if latencies else math.nan,
            "min": latencies[0] if latencies else math.nan,
            "mean": statistics.fmean(latencies) if latencies else math.nan,
        },
        "server_grading_duration_s_median": statistics.median(durations) if durations else math.nan,
        "post_s_median": statistics.median(s.post_s for s in samples if s.post_s is not None)
        if samples else math.nan,
        "wall_seconds": wall,
        "verdicts_per_second": len(done) / wall if wall > 0 else math.nan,
        "first_problems": [
            f"candidate {s.candidate} #{s.seq + 1} (id {s.submission_id}): {s.outcome}"
            f"{', verdict ' + str(s.verdict) if s.outcome == 'done' else ''}: {s.detail}"
            for s in (post_errors + lost + unexpected)[:10]
        ],
    }


def json_safe(value: Any) -> Any:
    """NaN is not JSON: it becomes null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _fmt(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds:.2f}"


def print_table(report: dict[str, Any]) -> None:
    res, ctx = report["results"], report["context"]
    print(f"Interview Lab end to end: {ctx['challenge']} [{ctx['mode']}], "
          f"{'reference solution' if ctx['reference_solution'] else 'solution ' + ctx['solution']}")
    print(f"lab: {ctx['lab']}")
    print()
    verdicts = ", ".join(f"{k} {v}" for k, v in res["verdicts"].items()) or "none"
    lat = res["latency_s"]
    rows = [
        ("candidates", str(res["candidates"])),
        ("submissions", f"{res['submissions']} ({res['per_candidate']} per candidate)"),
        ("completed", str(res["completed"])),
        ("lost", f"{res['lost']}  (accepted, not done within {ctx['timeout_s']:g} s)"),
        ("POST errors", str(res["post_errors"])),
        ("GET errors (retried)", f"{res['get_errors']}  (of {res['polls']} polls)"),
        ("verdicts", verdicts),
        ("latency p50 (s)", _fmt(lat["p50"])),
        ("latency p95 (s)", _fmt(lat["p95"])),
        ("latency max (s)", _fmt(lat["max"])),
        ("grading duration p50 (s)", f"{_fmt(res['server_grading_duration_s_median'])}  "
                                     "(the grader's own `duration`)"),
        ("wall time of load (s)", _fmt(res["wall_seconds"])),
        ("verdicts per second", "n/a" if math.isnan(res["verdicts_per_second"])
         else f"{res['verdicts_per_second']:.3f}"),
        ("cpu count", str(report["cpu_count"])),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    print()
    for line in res["first_problems"]:
        print(f"  PROBLEM: {line}")
    print(f"result: {'OK' if report['ok'] else 'FAILED'}; load average before "
          f"{report['load_average_before']}, after {report['load_average_after']}; "
          f"{report['date']}; checkout {ctx['git']}")
    if ctx.get("startup_s") is not None:
        print(f"setup (not in the load): lab up healthy after {ctx['startup_s']:.1f} s, "
              f"{res['candidates']} accounts in {ctx['accounts_s']:.1f} s; "
              f"lab up exit code {ctx.get('lab_up_exit_code')}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--url", help="a running lab, e.g. http://127.0.0.1:8000 (needs --token)")
    parser.add_argument("--token", action="append", default=[],
                        help="API token for --url; repeat to spread candidates over accounts")
    parser.add_argument("--candidates", type=int, default=10, help="simulated candidates (10)")
    parser.add_argument("--per-candidate", type=int, default=5,
                        help="submissions each, back to back (5)")
    parser.add_argument("--challenge", default=DEFAULT_CHALLENGE,
                        help=f"challenge id (default {DEFAULT_CHALLENGE})")
    parser.add_argument("--solution", type=Path, default=None,
                        help="file to submit (default: the challenge's reference solution.py)")
    parser.add_argument("--mode", choices=["run", "submit"], default="submit")
    parser.add_argument("--timeout", type=float, default=180.0,
                        help="seconds from POST until a submission counts as lost (180)")
    parser.add_argument("--poll-interval", type=float, default=0.05,
                        help="seconds between GET polls when --wait is 0 (0.05)")
    parser.add_argument("--wait", type=float, default=30.0,
                        help="long-poll: seconds each GET may wait for the verdict (30; 0 polls)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the private lab's instance folder (logs) after the run")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead")
    args = parser.parse_args(argv)
    if args.candidates < 1 or args.per_candidate < 1:
        parser.error("--candidates and --per-candidate must be at least 1")
    if args.timeout <= 0 or args.poll_interval <= 0:
        parser.error("--timeout and --poll-interval must be positive")
    if not 0 <= args.wait <= 30:
        parser.error("--wait must lie between 0 and 30 seconds")
    if args.url and not args.token:
        parser.error("--url needs --token")
    if args.token and not args.url:
        parser.error("--token goes with --url")

    reference_path = (REPO / "challenges" / args.challenge / "solution" / "solution.py").resolve()
    solution_path = (args.solution or reference_path).resolve()
    try:
        solution_text = solution_path.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot read {solution_path}: {exc.strerror}", file=sys.stderr)
        return 2
    reference = solution_path == reference_path
    body = {"challenge": args.challenge, "files": {"solution.py": solution_text},
            "mode": args.mode}
    log = (lambda *_a: None) if args.json else (lambda msg: print(msg, file=sys.stderr, flush=True))

    context: dict[str, Any] = {
        "challenge": args.challenge, "mode": args.mode, "timeout_s": args.timeout,
        "poll_interval_s": args.poll_interval, "wait_s": args.wait, "solution": str(solution_path),
        "reference_solution": reference, "git": git_state(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }
    lab: PrivateLab | None = None
    tmp: str | None = None
    try:
        if args.url:
            url, tokens = args.url.rstrip("/"), list(args.token)
            context["lab"] = f"running lab at {url} ({len(tokens)} token(s))"
        else:
            tmp = tempfile.mkdtemp(prefix="lab-e2e-")
            lab = PrivateLab(Path(tmp), args.keep)
            url = lab.url
            context["lab"] = (f"started here: lab up --port {lab.port}, instance {lab.instance}"
                              + ("" if args.keep else " (removed afterwards)"))
            log(f"starting lab up on port {lab.port} (instance {lab.instance}) ...")
            lab.start()
            log(f"healthy after {lab.startup_seconds:.1f} s; creating {args.candidates} accounts ...")
            tokens = lab.create_accounts(args.candidates)
            context["startup_s"] = lab.startup_seconds
            context["accounts_s"] = lab.accounts_seconds
        try:
            status, health = http("GET", f"{url}/healthz")
            context["healthz"] = {"status": status, "body": health}
        except OSError as exc:
            context["healthz"] = {"status": None, "body": str(exc)}
        log(f"load: {args.candidates} candidates x {args.per_candidate} submissions "
            f"({args.mode}) ...")
        load_before = load_average()
        load = run_load(url, tokens, body, args.candidates, args.per_candidate, args.timeout,
                        args.poll_interval, args.wait)
        load_after = load_average()
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if lab is not None:
            log("stopping lab up ...")
            lab.stop()
            context["lab_up_exit_code"] = lab.exit_code
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    results = summarise(load, args, reference)
    ok = (results["lost"] == 0 and results["post_errors"] == 0
          and results["completed"] == results["submissions"] and results["unexpected_verdicts"] == 0)
    report = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "p95_method": "nearest rank on sorted latencies of completed submissions",
        "context": context,
        "results": results,
        "ok": ok,
        "samples": [asdict(s) for s in load.samples],
    }
    if args.json:
        print(json.dumps(json_safe(report), indent=2, default=str))
    else:
        print_table(report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
