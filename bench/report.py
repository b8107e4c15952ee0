"""The report of bench/run.py: each series' figures against the baseline measured in
the same run, the targets they are held to, and the table printed at the end."""

from __future__ import annotations

import math
import statistics
from typing import Any

from benchutil import nearest_rank

NAMES = ("bare", "docker_run", "grade_core", "grade_pooled", "stack")
TARGETS = {"stack_median": 1.0, "stack_p95": 1.5, "pooled_median": 1.0, "verdicts_per_second": 6.0,
           "over_floor": 1.0, "load_p95_s": 3.0, "dockerfile_median_s": 3.0, "page_p95_ms": 50.0}


def stats(samples: list[float], base: float = math.nan) -> dict[str, Any]:
    ordered = sorted(samples)
    median = statistics.median(ordered) if ordered else math.nan
    p95 = nearest_rank(ordered, 95)
    return {"runs": len(ordered), "median_s": median, "p95_s": p95,
            "median_over_bare": median / base if base > 0 else math.nan,
            "p95_over_bare": p95 / base if base > 0 else math.nan}


def targets(report: dict) -> list[dict]:
    """Each target of issue 6 with the measured value and whether it was met."""
    checks = []

    def check(what: str, value: float, limit: float, at_least: bool = False,
              below: bool = False) -> None:
        if value is None or math.isnan(value):
            met = False
        else:
            met = value >= limit if at_least else value < limit if below else value <= limit
        checks.append({"target": what, "value": value, "limit": limit, "met": met})

    latency = report.get("latency")
    if latency:
        stack = latency["stack"]
        check("stack median / bare median <= 1.0", stack["median_over_bare"], TARGETS["stack_median"])
        check("stack p95 / bare median <= 1.5", stack["p95_over_bare"], TARGETS["stack_p95"])
        check("grade() through the warm pool, median / bare median <= 1.0",
              latency["grade_pooled"]["median_over_bare"], TARGETS["pooled_median"])
    load = report.get("load")
    if load:
        check("verdicts per second >= 6", load["verdicts_per_second"],
              TARGETS["verdicts_per_second"], at_least=True)
        if report.get("floor"):
            check("verdicts per second / docker run floor >= 1.0", load["over_floor"],
                  TARGETS["over_floor"], at_least=True)
        check("lost submissions == 0", float(load["lost"]), 0.0)
        check("load latency p95 (s) <= 3", load["latency_s"]["p95"], TARGETS["load_p95_s"])
        for name, row in report["pages"]["by_page"].items():
            check(f"{name} p95 (ms) < 50 under load", row["p95_ms"], TARGETS["page_p95_ms"],
                  below=True)
    if report.get("dockerfile"):
        check("dockerfile build+probe median (s) <= 3", report["dockerfile"]["median_s"],
              TARGETS["dockerfile_median_s"])
    return checks


def _fmt(value: float, spec: str = ".3f", suffix: str = "") -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:{spec}}{suffix}"


def print_table(report: dict) -> None:
    print(f"Interview Lab benchmark: {report['challenge']}; {report['cpu_count']} CPUs; "
          f"{report['date']}; checkout {report['git']}")
    print(f"lab: {report['lab']}")
    print(f"sandbox runtime: {report['runtime']}")
    print()
    head = (f"{'measurement':<28}{'runs':>5}{'failed':>7}{'median s':>10}{'p95 s':>9}"
            f"{'med/bare':>10}{'p95/bare':>10}")
    rows = []
    if report.get("latency"):
        labels = {"bare": "bare python -m pytest", "docker_run": "docker run --rm",
                  "grade_core": "grade() core, cold", "grade_pooled": "grade() core, warm pool",
                  "stack": "submit -> verdict (stack)"}
        rows += [(labels[n], report["latency"][n]) for n in NAMES]
    if report.get("dockerfile"):
        rows.append(("dockerfile build+probe", report["dockerfile"]))
    if rows:
        print(head)
        print("-" * len(head))
    for label, row in rows:
        print(f"{label:<28}{row['runs']:>5}{row['failed']:>7}{_fmt(row['median_s']):>10}"
              f"{_fmt(row['p95_s']):>9}{_fmt(row.get('median_over_bare', math.nan), '.2f', 'x'):>10}"
              f"{_fmt(row.get('p95_over_bare', math.nan), '.2f', 'x'):>10}")
    load = report.get("load")
    if load:
        lat = load["latency_s"]
        print()
        print(f"throughput: {load['completed']}/{load['submissions']} verdicts from "
              f"{load['candidates']} concurrent candidates in {_fmt(load['wall_seconds'], '.1f')} s "
              f"= {_fmt(load['verdicts_per_second'], '.2f')} verdicts/s; lost {load['lost']}, "
              f"POST errors {load['post_errors']}; submit->verdict p50 {_fmt(lat['p50'], '.2f')} s, "
              f"p95 {_fmt(lat['p95'], '.2f')} s, max {_fmt(lat['max'], '.2f')} s; "
              f"verdicts {load['verdicts']}")
        floor = report.get("floor")
        if floor:
            print(f"floor: plain docker run --rm, {floor['concurrency']} at a time: "
                  f"{_fmt(floor['verdicts_per_second'], '.2f')} verdicts/s "
                  f"({floor['runs']} runs in {_fmt(floor['wall_seconds'], '.1f')} s, "
                  f"{floor['failed']} failed); stack / floor = {_fmt(load.get('over_floor'), '.2f')}")
        pages = report["pages"]
        print(f"pages while the workers are saturated ({pages['how']}):")
        for name, row in pages["by_page"].items():
            print(f"  {name:<16} {row['count']:>5} fetches  p50 {_fmt(row['p50_ms'], '.1f')} ms"
                  f"  p95 {_fmt(row['p95_ms'], '.1f')} ms  max {_fmt(row['max_ms'], '.1f')} ms")
        if pages["errors"]:
            print(f"  errors: {len(pages['errors'])}, first: {pages['errors'][0]}")
    wire = report.get("round_trip")
    if wire:
        print(f"wire: one call judge -> candidate -> judge inside the sandbox: median "
              f"{_fmt(wire['median_us'], '.0f')} us, p95 {_fmt(wire['p95_us'], '.0f')} us "
              f"({wire['runs']} runs of {wire['calls_per_run']} calls)")
    print()
    for check in report["targets"]:
        print(f"  {'MEETS ' if check['met'] else 'MISSES'} {check['target']}: "
              f"{_fmt(check['value'], '.3g')}")
    for problem in report["problems"]:
        print(f"  PROBLEM: {problem}")
    print(f"load average before {report['load_average_before']}, after "
          f"{report['load_average_after']}; result: {'OK' if report['ok'] else 'FAILED'}")
