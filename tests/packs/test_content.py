"""The bundled content keeps a minimum: enough challenges of each kind, quiz questions in
every area, no topic of the map left uncovered, and complete hands-on challenges."""

from __future__ import annotations

import json
import subprocess
from functools import cache

import pytest
import yaml

from lab.packs.coverage import coverage_of
from lab.packs.problems import BUNDLED_PACKS, SCHEMA_DIR
from tests.helpers import ROOT
from worker.core.vocabulary import DIFFICULTIES

MINIMUM = {"python": 15, "flask": 12, "dockerfile": 8}
HANDS_ON_MINIMUM = 40
QUESTIONS_MINIMUM = 120
AREAS = ("py", "flask", "docker", "api")  # topic id prefixes


@cache
def report() -> dict:
    """What `lab content coverage` reports for the bundled packs."""
    return coverage_of(BUNDLED_PACKS)


def hands_on() -> list[tuple[str, dict]]:
    """(pack/slug, challenge.yaml) of every bundled challenge that is not a quiz."""
    found = []
    for path in sorted(BUNDLED_PACKS.glob("*/*/challenge.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("kind") != "quiz":
            found.append((f"{path.parent.parent.name}/{path.parent.name}", data))
    return found


def topic_map() -> list[dict]:
    return json.loads((SCHEMA_DIR / "topics.json").read_text())["topics"]


def test_enough_hands_on_challenges():
    kinds = report()["challenges"]
    assert sum(kinds.values()) >= HANDS_ON_MINIMUM, kinds
    for kind, minimum in MINIMUM.items():
        assert kinds.get(kind, 0) >= minimum, (kind, kinds)


def test_enough_quiz_questions():
    assert report()["quiz_questions"] >= QUESTIONS_MINIMUM


@pytest.mark.parametrize("area", AREAS)
def test_every_area_has_quiz_questions(area):
    by_topic = report()["by_topic"]
    assert sum(v["questions"] for t, v in by_topic.items() if t.startswith(f"{area}.")) > 0


def test_every_hands_on_api_topic_has_a_flask_challenge():
    """The REST topics the map marks hands-on (kinds H) are practised in Flask code."""
    api = [t["id"] for t in topic_map() if t["id"].startswith("api.") and "H" in t["kinds"]]
    assert api
    flask_topics = {t for _, data in hands_on() if data.get("kind") == "flask"
                    for t in data.get("topics") or []}
    assert [t for t in api if t not in flask_topics] == []


def test_no_topic_is_uncovered():
    assert report()["uncovered"] == []


def test_the_counts_agree_with_the_files():
    kinds: dict[str, int] = {}
    for _, data in hands_on():
        kinds[data["kind"]] = kinds.get(data["kind"], 0) + 1
    assert report()["challenges"] == dict(sorted(kinds.items()))


@pytest.mark.parametrize("slug, data", hands_on(), ids=[slug for slug, _ in hands_on()])
def test_hands_on_challenge_is_complete(slug, data):
    assert data.get("topics"), f"{slug}: no topics"
    assert data.get("difficulty") in DIFFICULTIES, f"{slug}: no difficulty"
    minutes = data.get("time_estimate_minutes")
    assert isinstance(minutes, int) and minutes > 0, f"{slug}: no time estimate"
    hints = data.get("hints")
    assert hints and all(isinstance(h, str) and h.strip() for h in hints), f"{slug}: no hints"
    explanation = data.get("explanation")
    assert isinstance(explanation, str) and explanation.strip(), f"{slug}: no explanation"


def test_cli_content_coverage_json():
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "lab"), "content", "coverage", "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"challenges", "quiz_questions", "topics", "uncovered"} <= set(data)
    assert data["challenges"] == report()["challenges"]
    assert data["quiz_questions"] == report()["quiz_questions"]
    assert data["uncovered"] == []
