"""The edit timeline: change sets applied on the server as they arrive, forged or stale
ones refused whole, the cap, markers, and the export the replay reads."""

from __future__ import annotations

import pytest

from lab.extensions import db
from lab.interviews.timeline import TimelineError, apply_changes
from lab.models import InterviewTimelineBatch
from tests.web.interview_helpers import add_template, items_of, start
from tests.web.interviews.test_watchers import _client, accept, make_invite

SESSION = "page-0123456789"


# ----- CodeMirror's ChangeSet JSON, applied (the same results as ChangeSet.apply in JS)

@pytest.mark.parametrize("doc, changes, result", [
    ("abc", [3, [0, "d"]], "abcd"),  # insert at the end
    ("abc", [[1], 2], "bc"),  # delete the first character
    ("abc", [1, [1, "X", "Y"], 1], "aX\nYc"),  # replace with two lines
    ("", [[0, "def f():", "    pass"]], "def f():\n    pass"),
    ("a\nb", [2, [1, ""]], "a\n"),  # delete, inserting an empty line list
])
def test_change_sets_apply(doc, changes, result):
    assert apply_changes(doc, changes) == result


@pytest.mark.parametrize("changes", [
    [], "3", None, [4], [2], [[4]], [-1, [0, "x"], 4], [[1, 2]], [True, 2], [[True], 3],
    [["x"], 3], [3, {"insert": "x"}], [1.5, 2],
])
def test_change_sets_that_do_not_fit_are_refused(changes):
    with pytest.raises(TimelineError):
        apply_changes("abc", changes)


# ----- through the page

@pytest.fixture
def task(app, candidate):
    interview = start(candidate, add_template(app, 600))
    item = next(i for i in items_of(app, interview) if not i["question"])
    name = next(iter(item["starter"]))
    assert candidate.get(f"/interviews/{interview}/items/{item['number']}").status_code == 200
    return interview, item["number"], name, item["starter"][name]


def send(client, interview, number, events, session=SESSION):
    return client.post(f"/interviews/{interview}/items/{number}/timeline",
                       json={"session": session, "events": events},
                       headers={"X-CSRFToken": client.csrf})


def batches(app):
    with app.app_context():
        return db.session.query(InterviewTimelineBatch).count()


def test_edits_are_recorded_and_replayed_in_order(app, candidate, task):
    interview, number, name, starter = task
    first = send(candidate, interview, number, [
        {"ago": 900, "file": name, "snapshot": starter},
        {"ago": 500, "file": name, "changes": [len(starter), [0, "# one"]]},
    ])
    assert first.status_code == 200, first.text
    second = send(candidate, interview, number, [
        {"ago": 10, "file": name, "changes": [len(starter) + 5, [0, "", "# two"]]}])
    assert second.status_code == 200, second.text
    candidate.post(f"/interviews/{interview}/finish", data={"csrf_token": candidate.csrf})
    data = candidate.get(f"/interviews/{interview}/timeline").get_json()
    events = [e for e in data["events"] if e["item"] == number]
    assert [("snapshot" in e) for e in events] == [True, False, False]
    assert events[0]["at"] <= events[1]["at"] <= events[2]["at"] <= data["duration_ms"]
    text = events[0]["snapshot"]
    for event in events[1:]:
        text = apply_changes(text, event["changes"])
    assert text == starter + "# one\n# two"
    assert any(m["kind"] == "item" for m in data["markers"])
    assert data["bytes"] > 0
    page = candidate.get(f"/interviews/{interview}/replay")
    assert page.status_code == 200 and "dist/replay.js" in page.text


def test_a_forged_change_set_is_refused_and_nothing_is_stored(app, candidate, task):
    interview, number, name, starter = task
    assert send(candidate, interview, number, [{"ago": 0, "file": name, "snapshot": starter}]
                ).status_code == 200
    stored = batches(app)
    for events, status in [
        ([{"ago": 0, "file": name, "changes": [len(starter) + 50, [0, "x"]]}], 409),  # too long
        ([{"ago": 0, "file": name, "changes": [len(starter), [0, "ok"]]},
          {"ago": 0, "file": name, "changes": [1]}], 409),  # the second does not fit
        ([{"ago": 0, "file": name, "changes": "rm -rf"}], 422),
        ([{"ago": 0, "file": "../../etc/passwd", "snapshot": "x"}], 422),
        ([{"ago": -5, "file": name, "snapshot": "x"}], 422),
        ([{"ago": 10**9, "file": name, "snapshot": "x"}], 422),
        ([{"ago": 0, "file": name, "snapshot": 7}], 422),
        (["not an object"], 422),
        ([], 422),
        ([{"ago": 0, "file": name, "snapshot": "x"}] * 601, 422),
    ]:
        response = send(candidate, interview, number, events)
        assert response.status_code == status, (events[:2], response.text)
        assert response.get_json()["error"]
    assert send(candidate, interview, number, [{"ago": 0, "file": name, "snapshot": "x"}],
                session="bad session!").status_code == 422
    assert batches(app) == stored
    # The head did not move: a change set based on the snapshot still applies.
    assert send(candidate, interview, number, [
        {"ago": 0, "file": name, "changes": [len(starter), [0, "#"]]}]).status_code == 200


def test_another_tab_starts_from_a_snapshot(app, candidate, task):
    interview, number, name, starter = task
    assert send(candidate, interview, number, [{"ago": 0, "file": name, "snapshot": starter}]
                ).status_code == 200
    other = send(candidate, interview, number, [
        {"ago": 0, "file": name, "changes": [len(starter), [0, "#"]]}], session="other-tab-42")
    assert other.status_code == 409 and "snapshot" in other.get_json()["error"]


def test_the_timeline_is_capped(app, candidate, task):
    interview, number, name, starter = task
    app.config["LAB_SETTINGS"] = app.config["LAB_SETTINGS"].__class__(
        **{**app.config["LAB_SETTINGS"].__dict__, "timeline_kb": 2})
    assert send(candidate, interview, number, [{"ago": 0, "file": name, "snapshot": "x" * 1000}]
                ).status_code == 200
    full = send(candidate, interview, number, [{"ago": 0, "file": name, "snapshot": "y" * 1500}])
    assert full.status_code == 413 and "full" in full.get_json()["error"]
    assert batches(app) == 2  # the snapshot and the item marker, not the refused batch


def test_only_the_candidate_records_and_only_while_the_item_is_open(app, candidate, task):
    interview, number, name, starter = task
    coach = _client(app, "coach@example.com")
    accept(coach, make_invite(candidate, interview))
    assert send(coach, interview, number, [{"ago": 0, "file": name, "snapshot": "x"}]
                ).status_code == 404
    assert send(candidate, interview, 1 if number != 1 else 2,
                [{"ago": 0, "file": name, "snapshot": "x"}]).status_code in (400, 422)
    candidate.post(f"/interviews/{interview}/finish", data={"csrf_token": candidate.csrf})
    late = send(candidate, interview, number, [{"ago": 0, "file": name, "snapshot": "x"}])
    assert late.status_code == 410


def test_replays_open_after_the_end_for_the_candidate_and_the_watcher(app, candidate, task):
    interview, number, name, starter = task
    coach = _client(app, "coach@example.com")
    accept(coach, make_invite(candidate, interview))
    stranger = _client(app, "stranger@example.com")
    assert candidate.get(f"/interviews/{interview}/timeline").status_code == 403
    assert coach.get(f"/watch/interviews/{interview}/timeline").status_code == 403
    coach.post(f"/watch/interviews/{interview}/notes", json={"body": "NOTE-1", "item": number},
               headers={"X-CSRFToken": coach.csrf})
    candidate.post(f"/interviews/{interview}/finish", data={"csrf_token": candidate.csrf})
    mine = coach.get(f"/watch/interviews/{interview}/timeline").get_json()
    assert [n["body"] for n in mine["notes"]] == ["NOTE-1"]
    theirs = candidate.get(f"/interviews/{interview}/timeline").get_json()
    assert theirs["notes"] == []  # not shared
    assert coach.get(f"/watch/interviews/{interview}/replay").status_code == 200
    for path in (f"/interviews/{interview}/timeline", f"/watch/interviews/{interview}/timeline",
                 f"/interviews/{interview}/replay", f"/watch/interviews/{interview}/replay"):
        assert stranger.get(path).status_code == 404, path
