"""decide() turns the judge's events into a verdict, and fails closed on a broken report."""

import json
import signal

import pytest

from worker.core.config import Limits
from worker.core.testids import ExpectedTest
from worker.core.verdict import JudgeFailed, decide, parse_report

IDS = ["tests/hidden/test_h.py::test_a", "tests/hidden/test_h.py::test_b"]
EXPECTED = {i: ExpectedTest(i, f"intent of {i[-6:]}") for i in IDS}
LIMITS = Limits()


def collected(ids=IDS, xfail=()):
    return {"kind": "collected", "tests": [
        {"id": i, "base": i.split("[", 1)[0], "intent": f"intent of {i.split('[')[0][-6:]}",
         "xfail": i in xfail} for i in ids]}


def outcome(nodeid, result="passed", **extra):
    return {"kind": "test", "id": nodeid, "outcome": result, "duration": 0.001, **extra}


def events(*tests, ids=IDS, finished=0, xfail=()):
    out = [{"kind": "start"}, collected(ids, xfail), {"kind": "collection_done", "count": len(ids)}]
    for test in tests:
        out += [{"kind": "begin", "id": test["id"]}, test]
    if finished is not None:
        out.append({"kind": "finished", "exitstatus": finished})
    return out


def report(evts=None, **overrides):
    if evts is None:
        evts = events(*(outcome(i) for i in IDS))
    base = {"runner": "lab-supervisor/2", "limit_hit": None, "elapsed": 0.3,
            "output": "secret stdout", "output_bytes": 13, "events": evts,
            "judge": {"exit_code": 0, "cpu_seconds": 0.2}, "judge_output": "2 passed",
            "candidate_starts": 1, "deaths": [], "oom_kills": 0, "pids_max_hits": 0,
            "scratch_full": False}
    base.update(overrides)
    return base


def test_clean_report_passes():
    result = decide(report(), EXPECTED, "hidden", {}, LIMITS)
    assert result.verdict == "passed" and result.score == 2 == result.max_score
    assert result.stdout == "" and result.stdout_withheld


def test_public_run_shows_what_the_candidate_printed_then_pytest():
    result = decide(report(judge_output="/opt/lab-runner/lab_proxy.py:3: in call\n    x\n2 passed"),
                    {}, "public", {}, LIMITS)
    assert result.stdout == "secret stdout\n\n2 passed\n"


def test_hidden_failure_shows_intent_and_category_only():
    evts = events(outcome(IDS[0], "failed", category="wrong_answer", message="SOURCE LEAK",
                          when="call"), outcome(IDS[1]), finished=1)
    result = decide(report(evts), EXPECTED, "hidden", {}, LIMITS)
    assert result.verdict == "failed" and result.score == 1
    assert "SOURCE LEAK" not in json.dumps(result.to_dict())
    assert result.tests[0].message == "intent of test_a: wrong answer"


def test_public_failure_shows_pytests_message():
    evts = events(outcome(IDS[0], "failed", category="wrong_answer", message="assert 0 == 5",
                          when="call"), outcome(IDS[1]), finished=1)
    result = decide(report(evts), EXPECTED, "public", {}, LIMITS)
    assert result.tests[0].message == "assert 0 == 5"


def test_points_weight_the_score():
    evts = events(outcome(IDS[0], "failed", category="wrong_answer"), outcome(IDS[1]), finished=1)
    result = decide(report(evts), EXPECTED, "hidden", {"test_a": 5}, LIMITS)
    assert (result.score, result.max_score) == (1, 6)


@pytest.mark.parametrize("category, exception, words", [
    ("exception", "KeyError", "your code raised KeyError"),
    ("exception", None, "your code raised an exception of a non-built-in type"),
    ("test_error", "TypeError", "the test could not use what your code gave back (TypeError)"),
    ("crashed", None, "your code's process exited (exit code 3)"),
])
def test_failure_categories_are_described(category, exception, words):
    text = words if category == "crashed" else None
    evts = events(outcome(IDS[0], "failed", category=category, exception=exception,
                          **({"text": text} if text else {})), outcome(IDS[1]), finished=1)
    result = decide(report(evts), EXPECTED, "hidden", {}, LIMITS)
    assert result.tests[0].message == f"intent of test_a: {words}"


def test_missing_expected_tests_are_not_passed():
    evts = events(outcome(IDS[0]), ids=IDS[:1])
    result = decide(report(evts), EXPECTED, "hidden", {}, LIMITS)
    assert result.verdict == "error" and "test_b" in result.message


def test_a_judge_that_never_started_is_our_failure():
    with pytest.raises(JudgeFailed):
        decide(report([], judge={"exit_code": 1}), EXPECTED, "hidden", {}, LIMITS)


def test_a_judge_that_stopped_midway_is_our_failure():
    evts = events(outcome(IDS[0]), finished=None)
    with pytest.raises(JudgeFailed):
        decide(report(evts, judge={"exit_code": 1}), EXPECTED, "hidden", {}, LIMITS)


def test_a_judge_the_memory_limit_took_is_the_memory_limit():
    evts = events(outcome(IDS[0]), finished=None)
    result = decide(report(evts, judge={"exit_code": -signal.SIGKILL}, oom_kills=1), EXPECTED,
                    "hidden", {}, LIMITS)
    assert result.verdict == "memory_limit" and result.score == 1


def test_collection_error_is_an_error_naming_only_a_builtin():
    evts = [{"kind": "start"}, {"kind": "collect_error", "id": "tests/hidden/test_h.py",
                                "exception": "NameError", "message": "NameError: secret_name"},
            {"kind": "collection_done", "count": 0}, {"kind": "finished", "exitstatus": 2}]
    result = decide(report(evts), EXPECTED, "hidden", {}, LIMITS)
    assert result.verdict == "error" and result.max_score == 2
    assert "NameError" in result.message and "secret_name" not in result.message


def test_a_hang_at_import_is_a_timeout():
    evts = [{"kind": "start"}, {"kind": "collect_error", "id": "tests/hidden/test_h.py",
                                "category": "timeout", "text": "x"},
            {"kind": "collection_done", "count": 0}, {"kind": "finished", "exitstatus": 2}]
    result = decide(report(evts), EXPECTED, "hidden", {}, LIMITS)
    assert result.verdict == "timeout" and "while your code was imported" in result.message


@pytest.mark.parametrize("log", [b"", b"not json", b"[]", b'{"runner": "x"}',
                                 json.dumps(report(output=7)).encode(),
                                 json.dumps(report(events=[{"kind": "rm -rf"}])).encode(),
                                 json.dumps(report(runner="lab-supervisor/1")).encode()])
def test_malformed_reports_are_refused(log):
    parsed, problem = parse_report(log)
    assert parsed is None and problem


@pytest.mark.parametrize("category, verdict, words", [
    ("timeout", "timeout", "test time limit of 5 s in test_a"),
    ("cpu_limit", "timeout", "CPU time limit of 8 s exceeded in test_a"),
    ("memory_limit", "memory_limit", "memory limit of 256 MiB exceeded in test_a"),
    ("output_limit", "output_limit", "output limit of 1024 KiB"),
    ("file_size_limit", "output_limit", "file size limit of 16 MiB"),
    ("scratch_limit", "output_limit", "32 MiB scratch space"),
])
def test_a_limit_names_itself_and_keeps_the_other_tests_score(category, verdict, words):
    evts = events(outcome(IDS[0], "failed", category=category, text="x"), outcome(IDS[1]),
                  finished=1)
    result = decide(report(evts), EXPECTED, "hidden", {}, LIMITS)
    assert result.verdict == verdict and words in result.message, result.message
    assert result.score == 1 and result.max_score == 2


def test_the_wall_clock_names_the_test_it_cut_short():
    evts = events(outcome(IDS[0]), finished=None)
    evts.append({"kind": "begin", "id": IDS[1]})
    result = decide(report(evts, limit_hit="wall", judge=None), EXPECTED, "hidden", {}, LIMITS)
    assert result.verdict == "timeout" and result.score == 1
    assert result.tests[1].outcome == "failed"
    assert result.tests[1].message == "intent of test_b: wall-clock limit of 10 s exceeded"


def test_parametrized_cases_share_their_tests_points():
    ids = ["tests/hidden/test_h.py::test_a[1]", "tests/hidden/test_h.py::test_a[2]",
           "tests/hidden/test_h.py::test_b"]
    evts = events(outcome(ids[0]), outcome(ids[1], "failed", category="wrong_answer"),
                  outcome(ids[2]), ids=ids, finished=1)
    result = decide(report(evts), EXPECTED, "hidden", {"test_a": 2}, LIMITS)
    assert result.max_score == 3
    assert result.score == 2 and [t.points for t in result.tests] == [1, 1, 1]


def test_skipped_tests_leave_the_score_and_its_maximum():
    ids = ["tests/hidden/test_h.py::test_a[1]", "tests/hidden/test_h.py::test_a[2]",
           "tests/hidden/test_h.py::test_b"]
    evts = events(outcome(ids[0], "skipped"), outcome(ids[1]), outcome(ids[2], "skipped"), ids=ids)
    result = decide(report(evts), EXPECTED, "hidden", {"test_a": 2}, LIMITS)
    assert result.verdict == "passed" and (result.score, result.max_score) == (2, 2)
    assert [t.outcome for t in result.tests] == ["skipped", "passed", "skipped"]
    assert [t.points for t in result.tests] == [0, 2, 0]


def test_xfail_tests_are_reported_and_never_scored():
    evts = events(outcome(IDS[0], "xfailed"), outcome(IDS[1], "passed"), xfail=(IDS[1],))
    result = decide(report(evts), EXPECTED, "hidden", {}, LIMITS)
    assert (result.score, result.max_score) == (0, 0)
    assert [t.message for t in result.tests] == [
        "expected to fail, and it did (not scored)", "expected to fail, but it passed (not scored)"]
