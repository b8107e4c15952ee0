"""An interview item our side failed to grade: it waits for its regrade, with no total
and no pass or fail, instead of being left out of the total."""

from __future__ import annotations

import time

from lab.extensions import db
from lab.interviews.finalize import complete_if_ready, sweep_interviews
from lab.models import Interview, InterviewItem, Submission
from tests.web.interview_helpers import add_template, items_of, start


def test_item_graded_infra_error_awaits_its_regrade_with_no_total(app, candidate):
    """A task our side failed to grade is neither left out of the total (which raised a
    failing score to a pass) nor a zero: the interview waits for the regrade."""
    template = add_template(app, 2)
    interview_id = start(candidate, template)
    items = items_of(app, interview_id)
    task = items[2]
    candidate.put(f"/interviews/{interview_id}/items/3/draft", json={"files": task["solution"]},
                  headers={"X-CSRFToken": candidate.csrf})
    time.sleep(2.2)
    with app.app_context():
        assert sweep_interviews()["finalized"] == 1
        item = db.session.get(InterviewItem, task["id"])
        submission = db.session.get(Submission, item.counted_submission_id)
        submission.status, submission.verdict = "done", "infra_error"
        submission.result = {"tests": []}
        submission_id = submission.id
        db.session.commit()
        assert complete_if_ready(interview_id) is False
        interview = db.session.get(Interview, interview_id)
        assert interview.status == "grading"
        card = interview.scorecard
    assert card["score"] is None and card["passed"] is None and card["ungraded"] == [3]
    assert card["items"][2]["status"] == "awaiting regrade"
    page = candidate.get(f"/interviews/{interview_id}").text
    assert "awaiting regrade" in page and 'id="awaiting-note"' in page
    assert "below the pass mark" not in page and ">pass<" not in page
    api = candidate.get(f"/api/v1/interviews/{interview_id}").get_json()
    assert api["status"] == "grading" and api["scorecard"]["score"] is None
    with app.app_context():  # the sweeper's regrade finishes
        submission = db.session.get(Submission, submission_id)
        submission.verdict, submission.score, submission.max_score = "passed", 4, 4
        submission.result = {"tests": [{"name": "t", "outcome": "passed", "visibility": "hidden"}]}
        db.session.commit()
        assert complete_if_ready(interview_id) is True
        interview = db.session.get(Interview, interview_id)
        assert interview.status == "done" and interview.scorecard["score"] == 60.0
        assert interview.scorecard["ungraded"] == []
