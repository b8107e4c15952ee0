"""Mock interview statistics for instructors: per template (finished, running, pass rate,
median score and time) and per item (missed most often first, minutes to the first Run
and to the first pass), on the page and in the API; candidates never see them."""

from __future__ import annotations

import re
from datetime import timedelta

from lab.extensions import db
from lab.models import Challenge, Interview, InterviewItem, InterviewTemplate, Submission, utcnow
from tests.helpers import make_user
from tests.web.interview_helpers import add_template

T0 = utcnow() - timedelta(days=1)


def _interview(template_id, user_id, status, passed=None, score=None, minutes=None) -> Interview:
    interview = Interview(user_id=user_id, template_id=template_id, seed=1, status=status,
                          started_at=T0, deadline_at=T0 + timedelta(minutes=60),
                          ended_at=T0 + timedelta(minutes=minutes) if minutes else None,
                          passed=passed, score=score)
    db.session.add(interview)
    db.session.flush()
    return interview


def _item(interview, position, challenge_id, submitted, fraction, question=None) -> InterviewItem:
    item = InterviewItem(interview_id=interview.id, position=position, challenge_id=challenge_id,
                         question_id=question, submitted_at=T0 + timedelta(minutes=5)
                         if submitted else None, fraction=fraction)
    db.session.add(item)
    db.session.flush()
    return item


def _submission(user_id, item, mode, verdict, minute) -> None:
    db.session.add(Submission(user_id=user_id, challenge_id=item.challenge_id, mode=mode,
                              files={}, status="done", verdict=verdict,
                              created_at=T0 + timedelta(minutes=minute),
                              interview_item_id=item.id))


def seed(app) -> tuple[int, str, str]:
    """Three finished interviews and one running, of one template; two tasks drawn."""
    add_template(app, 3600)
    users = [make_user(app, f"sat{i}@example.com") for i in range(4)]
    with app.app_context():
        template = db.session.query(InterviewTemplate).filter_by(slug="short").one()
        easy, hard = (c.id for c in db.session.query(Challenge).filter(
            Challenge.kind == "python").order_by(Challenge.id).limit(2))
        done = [_interview(template.id, users[0], "done", True, 90.0, 30),
                _interview(template.id, users[1], "done", False, 40.0, 50),
                _interview(template.id, users[2], "done", True, 70.0, 60)]
        _interview(template.id, users[3], "active")
        for n, (interview, hard_submitted, hard_fraction) in enumerate(
                zip(done, (True, False, True), (1.0, None, 0.5), strict=True)):
            first = _item(interview, 0, easy, True, 1.0)
            second = _item(interview, 1, hard, hard_submitted, hard_fraction)
            _submission(interview.user_id, first, "run", "failed", 2 + n)  # 2, 3, 4
            _submission(interview.user_id, first, "run", "passed", 20)
            _submission(interview.user_id, first, "submit", "passed", 10 + 2 * n)  # 10, 12, 14
            if hard_fraction == 1.0:
                _submission(interview.user_id, second, "submit", "passed", 40)
        db.session.commit()
        titles = {c.id: c.title for c in db.session.query(Challenge).filter(
            Challenge.id.in_([easy, hard]))}
        return template.id, titles[easy], titles[hard]


def test_instructor_pages_show_template_and_item_figures(app, instructor_client):
    template_id, easy, hard = seed(app)
    page = instructor_client.get("/instructor/interviews").text
    row = page.split("test-interviews/short</a>")[1].split("</tr>")[0]
    cells = [cell.strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
    # version, finished, running, pass rate, median score, median time
    assert cells == ["1", "3", "1", "67 % (2)", "70 %", "50 min"], cells

    detail = instructor_client.get(f"/instructor/interviews/{template_id}").text
    assert "3 finished, pass rate 67 %, median score 70 %, median time 50 min." in " ".join(
        detail.split())
    table = detail.split('id="item-stats"')[1]
    # The hard task first: skipped once, failed once (1 of 2 submitted got full marks).
    assert table.index(hard) < table.index(easy)
    def cells(title: str) -> list[str]:
        row = table.split(f"<td>{title}</td>")[1].split("</tr>")[0]
        return [cell.strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]

    # drawn, skipped, failed, missed, first Run after, passed after
    assert cells(hard) == ["3", "1", "1", "67 %", "–", "40 min"]  # never Run; one pass at 40
    assert cells(easy) == ["3", "0", "0", "0 %", "3 min", "12 min"]  # medians of 2,3,4 and 10,12,14


def test_the_api_gives_the_same_figures_to_instructors_only(app, instructor_client, candidate):
    template_id, easy, hard = seed(app)
    listed = instructor_client.get("/api/v1/interview-stats").get_json()["templates"]
    mine = next(row for row in listed if row["id"] == template_id)
    assert (mine["attempts"], mine["in_progress"], mine["passed"], mine["pass_rate"],
            mine["median_score"], mine["median_minutes"]) == (3, 1, 2, 67, 70.0, 50.0)
    items = instructor_client.get(f"/api/v1/interview-stats?template={template_id}").get_json()
    assert [row["item"] for row in items["items"]] == [hard, easy]
    assert items["items"][0]["median_minutes_to_pass"] == 40.0
    assert items["items"][1]["median_minutes_to_first_run"] == 3.0

    assert candidate.get("/api/v1/interview-stats").status_code == 403
    assert candidate.get("/instructor/interviews").status_code == 403
    assert candidate.get(f"/instructor/interviews/{template_id}").status_code == 403
    for bad in ("abc", "-1", "999999", "1%00", "1e3", "", " 1", "9" * 30):
        response = instructor_client.get(f"/api/v1/interview-stats?template={bad}")
        assert response.status_code == 404, bad
        assert "the list without ?template= gives the ids" in response.get_json()["error"]
    assert instructor_client.get("/instructor/interviews/999999").status_code == 404


def test_no_interview_yet_says_so(app, instructor_client):
    assert "No mock interview has been started yet." in instructor_client.get(
        "/instructor/interviews").text
    assert instructor_client.get("/api/v1/interview-stats").get_json() == {"templates": []}
