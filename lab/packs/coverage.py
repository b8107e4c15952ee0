"""How much of the interview topic map a folder of packs covers."""

from __future__ import annotations

from pathlib import Path

from lab.packs.problems import topic_ids
from lab.packs.validate import validate_pack


def coverage_of(root: Path) -> dict:
    kinds: dict[str, int] = {}
    questions = 0
    by_topic = {t: {"challenges": 0, "questions": 0} for t in topic_ids()}
    for pack_yaml in sorted(root.glob("*/pack.yaml")):
        info = validate_pack(pack_yaml.parent)
        for challenge in info.challenges:
            meta = challenge.meta
            kind = meta.get("kind", "?")
            if kind == "quiz":
                for q in meta.get("questions") or []:
                    questions += 1
                    for topic in set(q.get("topics") or meta.get("topics") or []):
                        if topic in by_topic:
                            by_topic[topic]["questions"] += 1
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
            for topic in set(meta.get("topics") or []):
                if topic in by_topic:
                    by_topic[topic]["challenges"] += 1
    topics = {t: v["challenges"] + v["questions"] for t, v in by_topic.items()}
    return {"challenges": dict(sorted(kinds.items())), "quiz_questions": questions,
            "topics": topics, "by_topic": by_topic,
            "uncovered": [t for t, n in topics.items() if n == 0]}
