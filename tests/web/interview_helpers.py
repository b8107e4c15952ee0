"""Short interview templates for tests: seconds long, drawn from packs always loaded."""

from __future__ import annotations

from lab.extensions import db
from lab.models import InterviewTemplate, Pack

TEST_PACKS = ["examples", "quiz-python-flask"]


def short_spec(seconds: int, questions: int = 2, tasks: int = 1,
               section_seconds: int | None = None, runs: int | None = None) -> dict:
    quiz = {"title": "Concepts", "pools": [{"kinds": ["quiz"], "topics": ["py.testing"],
                                            "count": questions, "weight": 1}]}
    if section_seconds:
        quiz["time_limit"] = f"{section_seconds}s"
    spec = {"title": f"Short test interview ({seconds} s)", "time_limit": f"{seconds}s",
            "passing_score": 50, "from_packs": TEST_PACKS,
            "sections": [quiz, {"title": "Hands-on", "pools": [
                {"kinds": ["python"], "count": tasks, "weight": 3}]}]}
    if runs:
        spec["runs_per_task"] = runs
    return spec


def add_template(app, seconds: int, slug: str = "short", **kwargs) -> str:
    """Store a template in its own pack (as an import would) and return its public id."""
    spec = short_spec(seconds, **kwargs)
    with app.app_context():
        pack = db.session.query(Pack).filter_by(name="test-interviews").first()
        if pack is None:
            pack = Pack(name="test-interviews", version=1, title="Test interviews")
            db.session.add(pack)
            db.session.flush()
        db.session.add(InterviewTemplate(pack_id=pack.id, slug=slug, title=spec["title"],
                                         time_limit_seconds=seconds, passing_score=50.0,
                                         spec=spec, source=""))
        db.session.commit()
    return f"test-interviews/{slug}"
