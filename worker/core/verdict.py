"""Turns the supervisor's report into a verdict, failing closed.

The report carries the judge's events: the judge is the only process that holds the
tests, and no code of the candidate runs in it (docs/threat-model.md), so its test ids,
outcomes and categories are facts.  Still nothing here is taken on faith: the report is
size-capped and schema-checked, every test the host found in the instructor's files
must have been collected, and a run that did not finish cleanly is not `passed`.
Hidden tests never carry text produced in the sandbox back to the candidate: their
message is the instructor's intent plus a fixed category.
"""

from __future__ import annotations

import functools
import json
import re
import signal
from collections import Counter

import jsonschema

from worker.core.config import Limits
from worker.core.result import Result, TestResult
from worker.core.sandbox import InfraError, clocks_for, run_in_sandbox
from worker.core.testids import ExpectedTest, base_of

_str = {"type": "string", "maxLength": 4096}
_id = {"type": "string", "maxLength": 400}
VALUE_CAP = 300  # a public test's input / expected / actual value (lab_judge.VALUE_CAP)
_value = {"type": "string", "maxLength": 400}
_event = {
    "type": "object",
    "required": ["kind"],
    "properties": {
        "kind": {"enum": ["start", "collected", "collection_done", "collect_error", "begin",
                          "test", "finished", "overflow"]},
        "id": _id,
        "tests": {"type": "array", "maxItems": 500, "items": {
            "type": "object", "required": ["id", "base"],
            "properties": {"id": _id, "base": _id, "intent": _str, "xfail": {"type": "boolean"}}}},
        "count": {"type": "integer"},
        "outcome": {"enum": ["passed", "failed", "error", "skipped", "xfailed", "xpassed"]},
        "category": {"type": "string", "maxLength": 40},
        "exception": {"type": ["string", "null"], "maxLength": 100},
        "text": _str,
        "when": {"enum": ["setup", "call", "teardown"]},
        "message": _str,
        "input": _value,
        "compare": {"type": "object", "additionalProperties": False,
                    "properties": {"expected": _value, "actual": _value}},
        "duration": {"type": "number", "minimum": 0},
        "exitstatus": {"type": "integer"},
    },
}
REPORT_SCHEMA = {
    "type": "object",
    "required": ["runner", "limit_hit", "elapsed", "output", "output_bytes", "events", "judge",
                 "oom_kills", "pids_max_hits", "scratch_full"],
    "properties": {
        "runner": {"const": "lab-supervisor/2"},
        "limit_hit": {"enum": [None, "wall"]},
        "elapsed": {"type": "number"},
        "output": {"type": "string", "maxLength": 1 << 20},
        "output_bytes": {"type": "integer"},
        "events": {"type": "array", "maxItems": 50000, "items": _event},
        "judge": {"oneOf": [{"type": "null"}, {
            "type": "object", "required": ["exit_code"],
            "properties": {"exit_code": {"type": "integer"}, "cpu_seconds": {"type": "number"}}}]},
        "judge_output": {"type": "string"},
        "candidate_starts": {"type": "integer"},
        "deaths": {"type": "array"},
        "oom_kills": {"type": "integer"},
        "pids_max_hits": {"type": "integer"},
        "scratch_full": {"type": "boolean"},
    },
}
LIMIT_CATEGORIES = {"timeout": "timeout", "cpu_limit": "timeout", "wall": "timeout",
                    "memory_limit": "memory_limit", "output_limit": "output_limit",
                    "file_size_limit": "output_limit", "scratch_limit": "output_limit"}
CATEGORY_TEXT = {"wrong_answer": "wrong answer", "skipped": "skipped"}
UNSCORED = ("skipped", "xfailed", "xpassed")


@functools.cache
def _report_validator():
    """Built (and the schema checked) once: jsonschema.validate() re-checks the schema on
    every call, which cost tens of milliseconds per grading."""
    cls = jsonschema.validators.validator_for(REPORT_SCHEMA)
    cls.check_schema(REPORT_SCHEMA)
    return cls(REPORT_SCHEMA)


def parse_report(log: bytes) -> tuple[dict | None, str]:
    """The supervisor's report, or None with the reason it is unusable."""
    try:
        report = json.loads(log.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, "the sandbox report is missing or not JSON"
    try:
        error = jsonschema.exceptions.best_match(_report_validator().iter_errors(report))
        if error is not None:
            raise error
    except jsonschema.ValidationError as exc:
        return None, f"the sandbox report does not match its schema: {exc.message[:200]}"
    return report, ""


_RUNNER_FRAME = re.compile(r"^/opt/lab-runner/[^\n]*\n(?:    [^\n]*\n)?", re.M)


def _public_output(report: dict) -> str:
    """A Run's stdout: what the candidate's code printed, then pytest's own report of the
    public tests (the judge's output, without the grader's frames)."""
    printed = report["output"]
    pytest_said = _RUNNER_FRAME.sub("", report.get("judge_output") or "").strip()
    if not pytest_said:
        return printed
    return (printed.rstrip("\n") + "\n\n" if printed.strip() else "") + pytest_said + "\n"


def limit_text(category: str, limits: Limits) -> str:
    return {
        "timeout": f"a test waited longer than the test time limit of {limits.test_seconds:g} s",
        "cpu_limit": f"CPU time limit of {int(limits.cpu_seconds)} s exceeded",
        "wall": f"wall-clock limit of {limits.wall_seconds:g} s exceeded",
        "memory_limit": f"memory limit of {limits.memory_mb} MiB exceeded",
        "output_limit": f"output limit of {limits.output_kb} KiB (stdout + stderr) exceeded",
        "file_size_limit": f"file size limit of {limits.file_size_mb} MiB exceeded",
        "scratch_limit": f"the {limits.scratch_mb} MiB scratch space (/tmp) filled up",
    }[category]


def test_points(base_id: str, points: dict) -> float:
    """The points of one test function (`scoring.points` names it by function name, or
    `Class::function`); 1 when not named."""
    name = base_id.split("::", 1)[-1]
    return points.get(name, points.get(name.split("::")[-1], 1))


def max_points(expected: dict[str, ExpectedTest], points: dict) -> float:
    return sum(test_points(base, points) for base in expected)


def _notes(report: dict, limits: Limits) -> list[str]:
    notes = []
    if report["pids_max_hits"]:
        notes.append(f"the process limit ({limits.pids}) was reached")
    return notes


class _Run:
    """The judge's events, indexed."""

    def __init__(self, events: list[dict]) -> None:
        self.started = bool(events) and events[0]["kind"] == "start"
        self.collected: list[dict] = []
        self.collection_done = False
        self.collect_errors: list[dict] = []
        self.results: dict[str, dict] = {}
        self.begun: set[str] = set()
        self.finished: dict | None = None
        self.overflow = False
        for event in events:
            kind = event["kind"]
            if kind == "collected":
                self.collected.extend(event.get("tests", []))
            elif kind == "collection_done":
                self.collection_done = True
            elif kind == "collect_error":
                self.collect_errors.append(event)
            elif kind == "begin":
                self.begun.add(event.get("id", ""))
            elif kind == "test":
                self.results.setdefault(event.get("id", ""), event)
            elif kind == "finished":
                self.finished = event
            elif kind == "overflow":
                self.overflow = True


def _limit_of(events: list[dict]) -> dict | None:
    return next((e for e in events if e.get("category") in LIMIT_CATEGORIES), None)


def _hidden_text(event: dict) -> str:
    category = event.get("category")
    if event.get("text") and category not in ("wrong_answer", "exception", "test_error"):
        return event["text"]
    if event.get("when") in ("setup", "teardown") and category not in LIMIT_CATEGORIES:
        return f"error during test {event['when']}"
    if category == "exception":
        return (f"your code raised {event['exception']}" if event.get("exception")
                else "your code raised an exception of a non-built-in type")
    if category == "test_error":
        return ("the test could not use what your code gave back"
                + (f" ({event['exception']})" if event.get("exception") else ""))
    return CATEGORY_TEXT.get(category, "failed")


def _entry(test: dict, result: dict | None, visibility: str, points: dict,
           missing_note: str) -> TestResult:
    test_id, base = test["id"], test["base"]
    intent = test.get("intent", "")
    name = test_id.split("::", 1)[-1]
    if result is None:
        outcome, text, duration = "error", f"did not run: {missing_note}", 0.0
        event: dict = {}
    else:
        event = result
        outcome, duration = result["outcome"], result.get("duration", 0.0)
        text = ""
    if test.get("xfail") and outcome in ("passed", "failed", "xfailed", "xpassed"):
        outcome = "xpassed" if outcome in ("passed", "xpassed") else "xfailed"
    if outcome == "xfailed":
        shown, message = "skipped", "expected to fail, and it did (not scored)"
    elif outcome == "xpassed":
        shown, message = "skipped", "expected to fail, but it passed (not scored)"
    elif outcome == "skipped":
        shown, message = "skipped", "skipped (not scored)"
    elif outcome == "passed":
        shown, message = "passed", ""
    else:
        shown = outcome
        if text:
            message = text
        elif visibility == "public":
            message = event.get("message") or event.get("text") or _hidden_text(event)
        else:
            message = _hidden_text(event)
        if visibility != "public" and intent:
            message = f"{intent}: {message}"
    return TestResult(name=name, outcome=shown, message=message, duration=duration,
                      visibility=visibility, id=test_id, points=test_points(base, points),
                      intent=intent, compare=_compare(event) if visibility == "public" and
                      shown in ("failed", "error") else {})


def _compare(event: dict) -> dict[str, str]:
    """A failed public test's input (its parameters), expected and actual values, as the
    judge sent them; only strings, each cut to its cap.  Never for a hidden test."""
    shown: dict[str, str] = {}
    if isinstance(event.get("input"), str):
        shown["input"] = event["input"][:VALUE_CAP]
    compare = event.get("compare")
    if isinstance(compare, dict):
        for key in ("expected", "actual"):
            if isinstance(compare.get(key), str):
                shown[key] = compare[key][:VALUE_CAP]
    return shown


def decide(report: dict, expected: dict[str, ExpectedTest], visibility: str,
           points: dict, limits: Limits) -> Result:
    """The verdict of a run from the supervisor's report."""
    output = _public_output(report) if visibility == "public" else ""
    base = {"limits": limits.as_dict(), "stdout": output,
            "stdout_withheld": visibility != "public"}
    fallback_max = max_points(expected, points)
    run = _Run(report["events"])
    wall = report["limit_hit"] == "wall"
    judge = report["judge"] or {}
    if not run.started or (run.finished is None and not wall and not run.collection_done):
        # The judge never got going, or died before it collected: our failure, unless
        # the memory limit took it (the candidate's process shares the memory).
        if report["oom_kills"] and (judge.get("exit_code") == -signal.SIGKILL):
            return Result(verdict="memory_limit", max_score=fallback_max,
                          message=limit_text("memory_limit", limits), **base)
        if wall and not run.collection_done:
            return Result(verdict="timeout", max_score=fallback_max,
                          message=limit_text("wall", limits), **base)
        raise JudgeFailed("the judge did not run the tests "
                          f"(exit {judge.get('exit_code')}): {report.get('judge_output', '')[-300:]}")
    if run.overflow:
        raise JudgeFailed("the judge's events overflowed their cap")
    if run.collect_errors:
        hit = _limit_of(run.collect_errors)
        if hit is not None:
            return Result(verdict=LIMIT_CATEGORIES[hit["category"]], max_score=fallback_max,
                          message=limit_text(hit["category"], limits) + " while your code was "
                          "imported", **base)
        if visibility == "public":
            detail = "\n".join(e.get("message") or e.get("text", "") for e in run.collect_errors)
        else:
            names = sorted({e["exception"] for e in run.collect_errors if e.get("exception")})
            texts = sorted({e["text"] for e in run.collect_errors if e.get("text")})
            detail = "the hidden tests could not import or use your code" + (
                f" ({', '.join(names or texts)}); Run the public tests to see details"
                if names or texts else "")
        return Result(verdict="error", max_score=fallback_max,
                      message="tests could not be collected" + (f":\n{detail}" if detail else ""),
                      **base)
    if not run.collected:
        return Result(verdict="error", max_score=fallback_max,
                      message="no tests were collected", **base)
    missing = expected.keys() - {t["base"] for t in run.collected}
    if missing:
        return Result(verdict="error", max_score=fallback_max,
                      message="expected tests were not collected: " + ", ".join(sorted(missing)[:5]),
                      **base)
    tests = []
    for test in run.collected:
        result = run.results.get(test["id"])
        if result is None and wall and test["id"] in run.begun:
            # Cut short by the run's clock: that test hit the limit.
            result = {"kind": "test", "id": test["id"], "outcome": "failed", "category": "wall",
                      "text": limit_text("wall", limits)}
            run.results[test["id"]] = result
        note = "the run's wall clock ran out first" if wall else "the tests stopped early"
        tests.append(_entry(test, result, visibility, points, note))
    scored = [t for t in tests if t.outcome not in UNSCORED]
    # A test function's points are shared by its scored cases; a function with none
    # scored (all skipped) leaves the maximum.
    cases = Counter(base_of(t.id) for t in scored)
    counted = {id(t) for t in scored}
    for test in tests:
        test.points = round(test.points / cases[base_of(test.id)], 4) if id(test) in counted else 0
    max_score = round(sum(test_points(b, points) for b in cases), 2)
    score = round(sum(t.points for t in scored if t.outcome == "passed"), 2)
    if score == int(score):
        score = int(score)
    if max_score == int(max_score):
        max_score = int(max_score)
    notes = _notes(report, limits)
    hit = _limit_of([run.results[t["id"]] for t in run.collected if t["id"] in run.results])
    if hit is not None or wall:
        category = hit["category"] if hit is not None else "wall"
        where = f" in {hit['id'].split('::', 1)[-1]}" if hit is not None else ""
        message = limit_text(category, limits) + where
        if wall and hit is not None:
            notes.append(limit_text("wall", limits))
        passed = sum(t.outcome == "passed" for t in scored)
        message += f"; {passed} of {len(scored)} tests passed"
        return Result(verdict=LIMIT_CATEGORIES[category], score=score, max_score=max_score,
                      tests=tests, message="; ".join([message, *notes]), **base)
    everything_passed = all(t.outcome == "passed" for t in scored)
    clean = run.finished is not None and judge.get("exit_code") == 0
    if not clean and report["oom_kills"] and judge.get("exit_code") == -signal.SIGKILL:
        return Result(verdict="memory_limit", score=score, max_score=max_score, tests=tests,
                      message=limit_text("memory_limit", limits), **base)
    if not clean:
        raise JudgeFailed("the judge stopped before the end of the tests: "
                          + report.get("judge_output", "")[-300:])
    if everything_passed:
        verdict, message = "passed", ""
    else:
        verdict = "failed"
        message = f"{sum(t.outcome == 'passed' for t in scored)} of {len(scored)} tests passed"
    if notes:
        message = "; ".join([message, *notes]) if message else "; ".join(notes)
    return Result(verdict=verdict, score=score, max_score=max_score, tests=tests,
                  message=message, **base)


class JudgeFailed(RuntimeError):
    """The judge (our code) did not finish: not the candidate's fault."""


def run_tests(client, image: str, job, expected: dict, points: dict, limits: Limits, settings,
              pool=None) -> Result:
    """Run the tests of `job` in one sandbox (a warm one from `pool` when it has one) and
    judge what came out: the step every pytest-based kind ends with."""

    run = run_in_sandbox(client, image, job, limits, settings.grace_seconds,
                         runtime=settings.runtime, pool=pool)
    limits = clocks_for(limits, settings.runtime)  # what the run had, as the messages say
    if run.outer_timeout:
        return Result(verdict="timeout", limits=limits.as_dict(),
                      message=f"wall-clock limit of {limits.wall_seconds:g} s exceeded")
    report, problem = parse_report(run.log)
    if report is None:
        if run.oom_killed:
            return Result(verdict="memory_limit", limits=limits.as_dict(),
                          message=limit_text("memory_limit", limits))
        raise InfraError(f"{problem} (container exit code {run.exit_code})")
    try:
        return decide(report, expected, job.visibility, points, limits)
    except JudgeFailed as exc:
        raise InfraError(str(exc)) from None
