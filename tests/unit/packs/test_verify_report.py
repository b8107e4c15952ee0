"""The verify report names the test a reference solution fails, and why."""

from lab.packs.runs import PlannedRun, checks_of
from worker.core.challenge import Challenge
from worker.core.result import Result
from worker.core.result import TestResult as Outcome


def test_a_failing_reference_names_its_failing_tests():
    challenge = Challenge(path=None, slug="c", title="C", kind="python", editable=("s.py",))
    result = Result("failed", score=1, max_score=3, message="1 of 3 tests passed", tests=[
        Outcome("test_ok", "passed", "", 0.1, "hidden"),
        Outcome("test_edge", "failed", "Handles the empty list: assert [] == [0]\nmore", 0.1, "hidden"),
        Outcome("test_types", "error", "", 0.1, "hidden")])
    run = PlannedRun("c", "solution passes hidden tests", challenge, {}, "submit", "solution",
                     result=result)
    check = checks_of([run], starter_may_pass=False)[0]
    assert check.ok is False
    assert check.detail == ("failed, 1 of 3 points: 1 of 3 tests passed; test_edge failed: "
                            "Handles the empty list: assert [] == [0]; test_types error")
