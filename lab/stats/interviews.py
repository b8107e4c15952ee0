"""Mock interview statistics for instructors: per template, and per item of a template.

Only finished interviews count (status done: the scorecard is written). Figures are
aggregates; no candidate is named. They are computed on request from the interview
tables: an interview is a 30 to 90 minute sitting, so even a busy lab holds thousands of
them, not the millions of Submits the challenge statistics are counted ahead for
(lab/stats/counting.py).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select

from lab.extensions import db
from lab.models import Challenge, Interview, InterviewItem, InterviewTemplate, Pack, Submission

CHUNK = 500  # ids in one IN (...): under every database's limit on bound parameters


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else max(0.0, (end - start).total_seconds() / 60)


def template_stats(template_id: int | None = None) -> list[dict]:
    """Per template version with at least one interview (or only `template_id`'s):
    attempts (finished), in progress, pass rate, median score (percent) and median
    minutes from start to end."""
    only = [Interview.template_id == template_id] if template_id is not None else []
    finished: dict[int, list] = defaultdict(list)
    for found_id, passed, score, started, ended in db.session.execute(
            select(Interview.template_id, Interview.passed, Interview.score,
                   Interview.started_at, Interview.ended_at)
            .where(Interview.status == "done", *only)):
        finished[found_id].append((passed, score, _minutes(started, ended)))
    running = dict(db.session.execute(
        select(Interview.template_id, func.count()).where(Interview.status != "done", *only)
        .group_by(Interview.template_id)).all())
    ids = set(finished) | set(running)
    if not ids:
        return []
    templates = db.session.scalars(select(InterviewTemplate).join(InterviewTemplate.pack)
                                   .where(InterviewTemplate.id.in_(ids))
                                   .order_by(Pack.name, InterviewTemplate.slug, Pack.version)).all()
    rows = []
    for template in templates:
        done = finished.get(template.id, [])
        passed = sum(1 for p, _, _ in done if p)
        rows.append({
            "id": template.id, "template": template.public_id, "version": template.pack.version,
            "title": template.title, "attempts": len(done),
            "in_progress": int(running.get(template.id, 0)),
            "passed": passed, "pass_rate": round(100 * passed / len(done)) if done else None,
            "median_score": _median([s for _, s, _ in done if s is not None]),
            "median_minutes": _median([m for _, _, m in done if m is not None]),
        })
    return rows


def item_stats(template_id: int) -> list[dict]:
    """The items drawn into the template's finished interviews, most often failed or
    skipped first: how often each appeared, was skipped (never submitted or answered) or
    failed (submitted, not full marks), and for tasks the median minutes from the
    interview's start to its first Run and to its first passing Submit."""
    items = db.session.execute(
        select(InterviewItem.id, InterviewItem.challenge_id, InterviewItem.question_id,
               InterviewItem.submitted_at, InterviewItem.fraction, Interview.started_at)
        .join(Interview, InterviewItem.interview_id == Interview.id)
        .where(Interview.template_id == template_id, Interview.status == "done")).all()
    if not items:
        return []
    started = {item_id: start for item_id, _, _, _, _, start in items}
    first_run: dict[int, datetime] = {}
    first_pass: dict[int, datetime] = {}
    ids = sorted(started)
    for at in range(0, len(ids), CHUNK):
        for item_id, mode, verdict, created in db.session.execute(
                select(Submission.interview_item_id, Submission.mode, Submission.verdict,
                       Submission.created_at)
                .where(Submission.interview_item_id.in_(ids[at:at + CHUNK]))):
            if mode == "run":
                if item_id not in first_run or created < first_run[item_id]:
                    first_run[item_id] = created
            elif verdict == "passed" and (item_id not in first_pass or created < first_pass[item_id]):
                first_pass[item_id] = created
    challenges = dict(db.session.execute(
        select(Challenge.id, Challenge.title)
        .where(Challenge.id.in_({challenge_id for _, challenge_id, _, _, _, _ in items}))).all())
    grouped: dict[tuple, dict] = {}
    for item_id, challenge_id, question_id, submitted, fraction, start in items:
        row = grouped.setdefault((challenge_id, question_id), {
            "item": challenges.get(challenge_id, "?") + (f" · question {question_id}"
                                                          if question_id else ""),
            "kind": "question" if question_id else "task", "appeared": 0, "skipped": 0,
            "failed": 0, "runs": [], "passes": []})
        row["appeared"] += 1
        if submitted is None:
            row["skipped"] += 1
        elif fraction is None or fraction < 1:
            row["failed"] += 1
        if item_id in first_run:
            row["runs"].append(_minutes(start, first_run[item_id]))
        if item_id in first_pass:
            row["passes"].append(_minutes(start, first_pass[item_id]))
    rows = []
    for row in grouped.values():
        runs, passes = row.pop("runs"), row.pop("passes")
        missed = row["failed"] + row["skipped"]
        rows.append({**row, "missed_rate": round(100 * missed / row["appeared"]),
                     "median_minutes_to_first_run": _median(runs),
                     "median_minutes_to_pass": _median(passes)})
    rows.sort(key=lambda r: (-r["missed_rate"], -r["appeared"], r["item"]))
    return rows
