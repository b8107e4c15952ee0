"""decide() fails closed on every inconsistency a forged or broken run could show."""

import json
import signal

import pytest

from lab.config import Limits
from worker.testids import ExpectedTest
from worker.verdict import decide, limit_verdict, parse_report

IDS = ["tests/hidden/test_h.py::test_a", "tests/hidden/test_h.py::test_b"]
EXPECTED = {i: ExpectedTest(i, f"intent of {i[-6:]}") for i in IDS}
LIMITS = Limits()


def phases(nodeid, outcome="passed", when_failed="call", **extra):
    out = []
    for when in ("setup", "call", "teardown"):
        failed = outcome == "failed" and when == when_failed
        if when == "call" and not (outcome == "failed" and when_failed == "setup"):
            out.append({"event": "body", "id": nodeid, "raised": failed})
        out.append({"event": "phase", "id": nodeid, "when": when,
                    "outcome": "failed" if failed else "passed",
                    "category": "wrong_answer" if failed else "passed",
                    "exception": "AssertionError" if failed else None, "duration": 0.001,
                    **(extra if failed else {})})
    return out


def report(events=None, **overrides):
    if events is None:
        events = [{"event": "start"}, {"event": "collected", "ids": IDS}]
        for i in IDS:
            events += phases(i)
        events.append({"event": "finished", "exitstatus": 0, "tampered": []})
    for n, event in enumerate(events, 1):
        event.setdefault("seq", n)
    base = {"runner": "lab-supervisor/1", "child": {"exit_code": 0, "cpu_seconds": 0.2},
            "limit_hit": None, "elapsed": 0.3, "output": "secret stdout", "output_bytes": 13,
            "events": events, "forged": [], "results_overflow": False, "oom_kills": 0,
            "pids_max_hits": 0, "scratch_full": False}
    base.update(overrides)
    return base


def test_clean_report_passes():
    result = decide(report(), EXPECTED, "hidden", {}, LIMITS)
    assert result.verdict == "passed" and result.score == 2 == result.max_score
    assert result.stdout == "" and result.stdout_withheld


def test_hidden_failure_shows_intent_not_runtime_text():
    events = [{"event": "start"}, {"event": "collected", "ids": IDS}]
    events += phases(IDS[0], "failed", message="HIDDEN SOURCE LEAK")
    events += phases(IDS[1])
    events.append({"event": "finished", "exitstatus": 1, "tampered": []})
    result = decide(report(events), EXPECTED, "hidden", {}, LIMITS)
    assert result.verdict == "failed" and result.score == 1
    assert "HIDDEN SOURCE LEAK" not in json.dumps(result.to_dict())
    assert result.tests[0].message == "intent of test_a: wrong answer"


def test_points_weight_the_score():
    events = [{"event": "start"}, {"event": "collected", "ids": IDS}]
    events += phases(IDS[0], "failed") + phases(IDS[1])
    events.append({"event": "finished", "exitstatus": 1, "tampered": []})
    result = decide(report(events), EXPECTED, "hidden", {"test_a": 5}, LIMITS)
    assert (result.score, result.max_score) == (1, 6)


def untrusted(rep):
    result = decide(rep, EXPECTED, "hidden", {}, LIMITS)
    assert result.verdict == "error" and result.score == 0
    assert "could not be trusted" in result.message
    return result


def test_forged_lines_void_the_run():
    untrusted(report(forged=["a result line is not signed by the results plugin"]))


def test_tampering_voids_the_run():
    rep = report()
    rep["events"][-1]["tampered"] = ["_pytest.runner.call_and_report"]
    assert "call_and_report" in untrusted(rep).message


def test_duplicate_phase_voids_the_run():
    rep = report()
    extra = dict(rep["events"][2], seq=99)
    rep["events"].insert(3, extra)
    untrusted(rep)


def test_events_after_finish_void_the_run():
    rep = report()
    rep["events"].append({"event": "phase", "id": IDS[0], "when": "call", "outcome": "passed",
                          "seq": 100})
    untrusted(rep)


def test_unknown_test_ids_void_the_run():
    ids = IDS + ["tests/hidden/test_h.py::test_fake"]
    events = [{"event": "start"}, {"event": "collected", "ids": ids}]
    for i in ids:
        events += phases(i)
    events.append({"event": "finished", "exitstatus": 0, "tampered": []})
    untrusted(report(events))


def test_missing_expected_tests_are_not_passed():
    events = [{"event": "start"}, {"event": "collected", "ids": IDS[:1]}] + phases(IDS[0])
    events.append({"event": "finished", "exitstatus": 0, "tampered": []})
    result = decide(report(events), EXPECTED, "hidden", {}, LIMITS)
    assert result.verdict == "error" and "test_b" in result.message


def test_no_finish_is_not_passed_even_if_every_test_passed():
    rep = report()
    rep["events"].pop()
    result = decide(rep, EXPECTED, "hidden", {}, LIMITS)
    assert result.verdict == "failed" and result.score == 0


def test_nonzero_exit_is_not_passed():
    result = decide(report(child={"exit_code": 1, "cpu_seconds": 0.1}), EXPECTED, "hidden", {},
                    LIMITS)
    assert result.verdict == "failed"


def test_no_start_event_is_untrusted():
    rep = report()
    rep["events"].pop(0)
    untrusted(rep)


@pytest.mark.parametrize("log", [b"", b"not json", b"[]", b'{"runner": "x"}',
                                 json.dumps(report(output=7)).encode(),
                                 json.dumps(report(events=[{"event": "rm -rf", "seq": 1}])).encode()])
def test_malformed_reports_are_refused(log):
    parsed, problem = parse_report(log)
    assert parsed is None and problem


@pytest.mark.parametrize("overrides, verdict, words", [
    ({"limit_hit": "wall"}, "timeout", "wall-clock limit of 10 s"),
    ({"limit_hit": "output"}, "output_limit", "output limit of 1024 KiB"),
    ({"child": {"exit_code": -signal.SIGXCPU, "cpu_seconds": 8.0}}, "timeout", "CPU time limit of 8 s"),
    ({"child": {"exit_code": -signal.SIGXFSZ, "cpu_seconds": 0.5}}, "output_limit", "file size limit"),
    ({"child": {"exit_code": -signal.SIGKILL, "cpu_seconds": 0.5}, "oom_kills": 1}, "memory_limit",
     "memory limit of 256 MiB"),
])
def test_limits_are_named_with_their_value(overrides, verdict, words):
    result = limit_verdict(report(**overrides), False, LIMITS)
    assert result.verdict == verdict and words in result.message


def test_no_limit_on_a_clean_run():
    assert limit_verdict(report(), False, LIMITS) is None


def test_parametrized_cases_share_their_tests_points():
    ids = ["tests/hidden/test_h.py::test_a[1]", "tests/hidden/test_h.py::test_a[2]",
           "tests/hidden/test_h.py::test_b"]
    events = [{"event": "start"}, {"event": "collected", "ids": ids}]
    events += phases(ids[0]) + phases(ids[1], "failed") + phases(ids[2])
    events.append({"event": "finished", "exitstatus": 1, "tampered": []})
    result = decide(report(events), EXPECTED, "hidden", {"test_a": 2}, LIMITS)
    assert result.max_score == 3  # the same as when nothing could run: one entry per function
    assert result.score == 2 and [t.points for t in result.tests] == [1, 1, 1]


def test_non_builtin_exception_is_described_without_its_name():
    events = [{"event": "start"}, {"event": "collected", "ids": IDS}]
    failing = phases(IDS[0], "failed")
    next(e for e in failing if e.get("when") == "call").update(category="exception", exception=None)
    events += failing + phases(IDS[1])
    events.append({"event": "finished", "exitstatus": 1, "tampered": []})
    result = decide(report(events), EXPECTED, "hidden", {}, LIMITS)
    assert result.tests[0].message.endswith("your code raised an exception of a non-built-in type")


@pytest.mark.parametrize("change, reason", [
    (lambda events: [e for e in events if e["event"] != "body"], "never reported"),
    (lambda events: [dict(e, raised=True) if e["event"] == "body" else e for e in events], "raised"),
])
def test_a_pass_its_body_does_not_vouch_for_is_not_trusted(change, reason):
    """The call phase says passed, but the plugin's report of the test body (sent the
    moment it returned) is missing or says it raised: a forged report."""
    events = change(report()["events"])
    result = decide(report(events=events), EXPECTED, "hidden", {}, LIMITS)
    assert result.verdict == "error" and result.score == 0
    assert reason in result.message and "could not be trusted" in result.message


def test_a_body_reported_after_its_result_is_not_trusted():
    events = report()["events"]
    body = next(e for e in events if e["event"] == "body")
    events = [e for e in events if e is not body]
    teardown = next(i for i, e in enumerate(events) if e.get("when") == "teardown")
    events.insert(teardown, body)
    result = decide(report(events=events), EXPECTED, "hidden", {}, LIMITS)
    assert result.verdict == "error" and "after its result" in result.message


def test_a_run_the_signing_guard_ended_says_so():
    events = [{"event": "start"}, {"event": "collected", "ids": IDS}] + phases(IDS[0])[:1]
    result = decide(report(events, child={"exit_code": 86, "cpu_seconds": 0.1}), EXPECTED,
                    "hidden", {}, LIMITS)
    assert result.verdict != "passed" and result.score == 0
    assert "the results plugin stopped the run" in result.message
