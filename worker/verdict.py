"""Turns what came out of the sandbox into a verdict, failing closed.

Nothing here trusts the container: the report is size-capped and schema-checked, the
test ids must match the ones read from the instructor's files, every event must be
signed (checked by the supervisor) and nothing may have been patched.  Hidden tests
never carry text produced inside the sandbox back to the candidate: their message is
the instructor's intent plus a fixed category.
"""

from __future__ import annotations

import functools
import json
import signal
from collections import Counter

import jsonschema

from lab.config import Limits
from worker.result import Result, TestResult
from worker.runner.lab_guard import FORGED_EXIT  # the exit of a run the signing guard ended
from worker.testids import ExpectedTest, base_of

_str = {"type": "string", "maxLength": 4096}
_event = {
    "type": "object",
    "required": ["event", "seq"],
    "properties": {
        "event": {"enum": ["start", "collected", "collect_error", "body", "phase", "finished"]},
        "raised": {"type": "boolean"},
        "seq": {"type": "integer"},
        "id": {"type": "string", "maxLength": 1000},
        "ids": {"type": "array", "maxItems": 5000, "items": {"type": "string", "maxLength": 1000}},
        "when": {"enum": ["setup", "call", "teardown"]},
        "outcome": {"enum": ["passed", "failed", "skipped"]},
        "category": {"enum": ["passed", "skipped", "wrong_answer", "exception"]},
        "exception": {"type": ["string", "null"], "maxLength": 100},
        "duration": {"type": "number", "minimum": 0},
        "message": _str,
        "exitstatus": {"type": "integer"},
        "tampered": {"type": "array", "maxItems": 50, "items": {"type": "string"}},
    },
}
REPORT_SCHEMA = {
    "type": "object",
    "required": ["runner", "child", "limit_hit", "elapsed", "output", "output_bytes",
                 "events", "forged", "results_overflow", "oom_kills", "pids_max_hits",
                 "scratch_full"],
    "properties": {
        "runner": {"const": "lab-supervisor/1"},
        "child": {
            "oneOf": [
                {"type": "null"},
                {"type": "object", "required": ["exit_code", "cpu_seconds"],
                 "properties": {"exit_code": {"type": "integer"},
                                "cpu_seconds": {"type": "number"}}},
            ]
        },
        "limit_hit": {"enum": [None, "wall", "output"]},
        "elapsed": {"type": "number"},
        "output": {"type": "string", "maxLength": 1 << 20},
        "output_bytes": {"type": "integer"},
        "events": {"type": "array", "maxItems": 20000, "items": _event},
        "forged": {"type": "array", "items": {"type": "string", "maxLength": 200}},
        "results_overflow": {"type": "boolean"},
        "oom_kills": {"type": "integer"},
        "pids_max_hits": {"type": "integer"},
        "scratch_full": {"type": "boolean"},
    },
}
CATEGORY_TEXT = {"wrong_answer": "wrong answer", "skipped": "skipped"}


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


def _limit(verdict: str, message: str, limits: Limits, **kw) -> Result:
    return Result(verdict=verdict, message=message, limits=limits.as_dict(), **kw)


def limit_verdict(report: dict | None, oom_killed: bool, limits: Limits) -> Result | None:
    """The limit a run hit, if any, named with its value."""
    if report is None:
        if oom_killed:
            return _limit("memory_limit", f"memory limit of {limits.memory_mb} MiB exceeded", limits)
        return None
    if report["limit_hit"] == "wall":
        return _limit("timeout", f"wall-clock limit of {limits.wall_seconds:g} s exceeded", limits)
    if report["limit_hit"] == "output":
        return _limit("output_limit",
                      f"output limit of {limits.output_kb} KiB (stdout + stderr) exceeded", limits)
    child = report["child"] or {}
    code = child.get("exit_code")
    cpu = child.get("cpu_seconds", 0.0)
    if code == -signal.SIGXCPU or (code == -signal.SIGKILL and cpu >= int(limits.cpu_seconds)):
        return _limit("timeout", f"CPU time limit of {int(limits.cpu_seconds)} s exceeded "
                      f"(used {cpu:.1f} s)", limits)
    if code == -signal.SIGXFSZ:
        return _limit("output_limit",
                      f"file size limit of {limits.file_size_mb} MiB exceeded", limits)
    if code == -signal.SIGKILL and (report["oom_kills"] or oom_killed):
        return _limit("memory_limit", f"memory limit of {limits.memory_mb} MiB exceeded", limits)
    if report["scratch_full"]:
        return _limit("output_limit", f"the {limits.scratch_mb} MiB scratch space (/tmp) "
                      "filled up", limits)
    return None


def _notes(report: dict, limits: Limits) -> list[str]:
    notes = []
    if report["pids_max_hits"]:
        notes.append(f"the process limit ({limits.pids}) was reached")
    if report["oom_kills"]:
        notes.append(f"a process was killed for exceeding the {limits.memory_mb} MiB memory limit")
    return notes


class _Untrusted(Exception):
    """The events cannot be trusted; the message says why."""


def _index_events(events: list[dict]) -> tuple[list[str], dict, list[dict], dict | None]:
    if not events or events[0]["event"] != "start":
        raise _Untrusted("the results plugin did not start")
    collected: list[str] | None = None
    phases: dict[str, dict[str, dict]] = {}
    # Whether each test function's body raised, reported by the plugin the moment it
    # returned, before pytest built its report (see docs/threat-model.md).
    bodies: dict[str, bool] = {}
    collect_errors = []
    finished = None
    for event in events[1:]:
        if finished is not None:
            raise _Untrusted("results arrived after the session finished")
        kind = event["event"]
        if kind == "collected":
            if collected is not None:
                raise _Untrusted("tests were collected twice")
            collected = list(event.get("ids", []))
            if len(set(collected)) != len(collected):
                raise _Untrusted("a test id was reported twice")
        elif kind == "collect_error":
            collect_errors.append(event)
        elif kind == "body":
            if collected is None or event.get("id") not in collected:
                raise _Untrusted("a result names a test that was not collected")
            if event["id"] in bodies or "call" in phases.get(event["id"], {}):
                raise _Untrusted("a test body was reported twice or after its result")
            bodies[event["id"]] = bool(event.get("raised", True))
        elif kind == "phase":
            if collected is None or event.get("id") not in collected:
                raise _Untrusted("a result names a test that was not collected")
            if event.get("tampered"):
                raise _Untrusted("pytest or the results plugin was modified during a test ("
                                 + ", ".join(event["tampered"][:5]) + ")")
            when = event.get("when")
            per_test = phases.setdefault(event["id"], {})
            if when in per_test:
                raise _Untrusted("a test phase was reported twice")
            per_test[when] = event
        elif kind == "finished":
            finished = event
        else:
            raise _Untrusted("an unexpected result event")
    for nodeid, per_test in phases.items():
        call = per_test.get("call")
        if call is not None and call["outcome"] == "passed" and bodies.get(nodeid) is not False:
            raise _Untrusted(f"{nodeid} was reported passed, but its test body "
                             + ("raised" if nodeid in bodies else "never reported"))
    return collected or [], phases, collect_errors, finished


def test_points(base_id: str, points: dict) -> float:
    """The points of one test function (`scoring.points` names it by function name, or
    `Class::function`); 1 when not named."""
    name = base_id.split("::", 1)[-1]
    return points.get(name, points.get(name.split("::")[-1], 1))


def max_points(expected: dict[str, ExpectedTest], points: dict) -> float:
    return sum(test_points(base, points) for base in expected)


def _test_entry(nodeid, phases, expected, visibility, points, exit_note) -> TestResult:
    name = nodeid.split("::", 1)[-1]
    base = base_of(nodeid)
    spec = expected.get(base)
    intent = spec.intent if spec else ""
    weight = test_points(base, points)
    duration = round(sum(p.get("duration", 0.0) for p in phases.values()), 6)
    failing = next((phases[w] for w in ("setup", "call", "teardown")
                    if w in phases and phases[w]["outcome"] == "failed"), None)
    skipped = any(p["outcome"] == "skipped" for p in phases.values())
    if failing is not None:
        outcome = "failed" if failing["when"] == "call" else "error"
    elif skipped:
        outcome = "skipped"
    elif {"setup", "call", "teardown"} <= phases.keys():
        outcome = "passed"
    else:
        outcome = "error"
    if outcome == "passed":
        message = ""
    elif visibility == "public":
        if failing is not None:
            message = failing.get("message", "")
        else:
            message = "skipped" if skipped else f"no result: {exit_note}"
    else:
        if failing is not None:
            category = failing.get("category")
            if failing["when"] != "call":
                text = f"error during test {failing['when']}"
            elif category == "exception":
                text = (f"your code raised {failing['exception']}" if failing.get("exception")
                        else "your code raised an exception of a non-built-in type")
            else:
                text = CATEGORY_TEXT.get(category, "failed")
        else:
            text = "skipped" if skipped else f"no result: {exit_note}"
        message = f"{intent}: {text}" if intent else text
    return TestResult(name=name, outcome=outcome, message=message, duration=duration,
                      visibility=visibility, id=nodeid, points=weight, intent=intent)


def decide(report: dict, expected: dict[str, ExpectedTest], visibility: str,
           points: dict, limits: Limits) -> Result:
    """Verdict of a run that hit no limit (limit_verdict said None)."""
    output = report["output"] if visibility == "public" else ""
    base = {"limits": limits.as_dict(), "stdout": output,
            "stdout_withheld": visibility != "public"}
    max_score = max_points(expected, points)
    notes = _notes(report, limits)
    try:
        if report["forged"]:
            raise _Untrusted(report["forged"][0])
        if report["results_overflow"]:
            raise _Untrusted("the results stream exceeded its size cap")
        collected, phases, collect_errors, finished = _index_events(report["events"])
        if finished and finished.get("tampered"):
            raise _Untrusted("pytest or the results plugin was modified while tests ran ("
                             + ", ".join(finished["tampered"][:5]) + ")")
        bases = {base_of(i) for i in collected}
        unknown = bases - expected.keys()
        if unknown:
            raise _Untrusted(f"unexpected tests were reported: {', '.join(sorted(unknown)[:3])}")
    except _Untrusted as exc:
        return Result(verdict="error", max_score=max_score,
                      message=f"results could not be trusted, no test counts: {exc}", **base)
    child = report["child"] or {}
    exit_note = (f"the test process ended early (exit code {child.get('exit_code')})"
                 if child else "the test process did not finish")
    if child.get("exit_code") == FORGED_EXIT:
        exit_note = ("the results plugin stopped the run: pytest, the plugin or its call "
                     "stack was tampered with")
    if collect_errors or not collected:
        if visibility == "public":
            detail = "\n".join(e.get("message", "") for e in collect_errors)
        else:
            names = sorted({e["exception"] for e in collect_errors if e.get("exception")})
            detail = "the hidden tests could not import or use your code" + (
                f" ({', '.join(names)}); Run the public tests to see details" if names else "")
        message = "tests could not be collected" + (f":\n{detail}" if detail else "")
        if not collect_errors:
            message = f"no tests ran: {exit_note}"
        return Result(verdict="error", max_score=max_score, message=message, **base)
    missing = expected.keys() - bases
    if missing:
        return Result(verdict="error", max_score=max_score,
                      message="expected tests were not collected: "
                      + ", ".join(sorted(missing)[:5]), **base)
    tests = [_test_entry(i, phases.get(i, {}), expected, visibility, points, exit_note)
             for i in collected]
    # A test function's points are shared by its parametrized cases, so max_score is the
    # same whether or not the run got as far as expanding them.
    cases = Counter(base_of(t.id) for t in tests)
    for test in tests:
        test.points = round(test.points / cases[base_of(test.id)], 4)
    score = round(sum(t.points for t in tests if t.outcome == "passed"), 2)
    if score == int(score):
        score = int(score)
    everything_passed = all(t.outcome == "passed" for t in tests)
    clean_exit = (finished is not None and finished.get("exitstatus") == 0
                  and child.get("exit_code") == 0)
    if everything_passed and clean_exit:
        verdict, message = "passed", ""
    else:
        verdict = "failed"
        passed = sum(t.outcome == "passed" for t in tests)
        message = f"{passed} of {len(tests)} tests passed"
        if everything_passed:
            message = f"every test reported a pass but {exit_note}; not counted"
            score = 0
        elif finished is None:
            message += f"; {exit_note}"
    if notes:
        message = "; ".join([message, *notes]) if message else "; ".join(notes)
    return Result(verdict=verdict, score=score, max_score=max_score, tests=tests,
                  message=message, **base)


def run_tests(client, image: str, files: dict[str, bytes], visibility: str, expected: dict,
              points: dict, limits: Limits, settings, pool=None) -> Result:
    """Run tests/<visibility> over `files` in one sandbox (a warm one from `pool` when it
    has one) and judge what came out: the step every pytest-based kind ends with."""
    from worker.sandbox import InfraError, run_in_sandbox

    run = run_in_sandbox(client, image, files, [f"tests/{visibility}"], visibility, limits,
                         settings.grace_seconds, runtime=settings.runtime, pool=pool)
    if run.outer_timeout:
        return Result(verdict="timeout", limits=limits.as_dict(),
                      message=f"wall-clock limit of {limits.wall_seconds:g} s exceeded")
    report, problem = parse_report(run.log)
    hit = limit_verdict(report, run.oom_killed, limits)
    if hit is not None:
        return hit
    if report is None:
        raise InfraError(f"{problem} (container exit code {run.exit_code})")
    return decide(report, expected, visibility, points, limits)
