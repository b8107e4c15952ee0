"""Importing packs into the database, and exporting them again.

A pack version, once imported, never changes: a higher `version` in pack.yaml makes new
challenge rows, and submissions (and interviews) keep pointing at the version they were
made on.  An import is all or nothing: validation first, predict-the-output keys
computed in the sandbox, then one transaction.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from sqlalchemy import select

from lab.extensions import db
from lab.interviews.catalog import database_catalog
from lab.interviews.templates import DEFAULT_PASSING_SCORE, parse_duration
from lab.interviews.validate import catalog_problems
from lab.models import Challenge, InterviewTemplate, Pack
from lab.packs.problems import PackError
from lab.packs.validate import validate_pack
from lab.packs.verify import normalise_output, run_snippets
from worker.core.config import Settings
from worker.core.images import runner_image
from worker.core.sandbox import connect

_cache_lock = threading.Lock()


def _read_tree(folder: Path, rel: str) -> dict[str, str]:
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            name = path.relative_to(folder).as_posix()
            try:
                files[name] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise PackError(f"{rel}/{name}: pack files must be UTF-8 text") from None
    return files


def _predict_keys(questions_by_slug: dict[str, list[dict]], settings: Settings) -> dict:
    """slug -> question id -> what its snippet prints, run in the sandbox (cached by
    image and snippet, so an unchanged snippet is run once per machine)."""

    image = runner_image(settings)
    cache_file = (settings.cache_path or settings.instance_path / "cache") / "predict-keys.json"
    with _cache_lock:
        cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    keys: dict[str, dict[str, str]] = {}
    client = None
    computed = False
    for slug, questions in questions_by_slug.items():
        keys[slug] = {}
        todo = {}
        for q in questions:
            if q["type"] != "predict":
                continue
            digest = hashlib.sha256(f"{image}\0{q['snippet']}".encode()).hexdigest()
            if digest in cache:
                keys[slug][q["id"]] = cache[digest]
            else:
                todo[q["id"]] = (digest, q["snippet"])
        if todo:
            client = client or connect()
            outputs = run_snippets({k: v[1] for k, v in todo.items()}, settings, client, image)
            for qid, (digest, _snippet) in todo.items():
                out = outputs.get(qid)
                if out is None or out["rc"] != 0:
                    raise PackError(f"{slug}/challenge.yaml: question {qid}: the snippet failed "
                                    f"in the sandbox ({(out or {}).get('stderr', 'no result')[-200:]})")
                keys[slug][qid] = cache[digest] = normalise_output(out["stdout"])
                computed = True
    if computed:
        with _cache_lock:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            cache_file.write_text(json.dumps(cache))
    return keys


def imported_version(name: str, version: int) -> Pack | None:
    return db.session.scalar(select(Pack).where(Pack.name == name, Pack.version == version))


def already_imported(name: str, version: int) -> PackError:
    return PackError(f"{name} version {version} is imported already; raise `version` in "
                     "pack.yaml to publish a change")


def import_pack(folder: Path, settings: Settings, existing_ok: bool = False) -> tuple[Pack, bool]:
    """Import a validated pack folder; returns (pack, created)."""
    info = validate_pack(folder, check_catalog=False)  # templates: against the database below
    if not info.valid:
        raise PackError(f"{folder}: invalid pack ({len(info.problems)} problems)", info.problems)
    name, version = info.meta["name"], info.meta["version"]
    existing = imported_version(name, version)
    if existing is not None:
        if existing_ok:
            return existing, False
        raise already_imported(name, version)
    if info.interviews:
        _check_templates_fill(info)
    quizzes = {c.slug: c.meta["questions"] for c in info.challenges if c.meta["kind"] == "quiz"}
    keys = _predict_keys(quizzes, settings) if quizzes else {}
    pack = Pack(name=name, version=version, title=info.meta["title"],
                description=info.meta.get("description", ""),
                source=(folder / "pack.yaml").read_text(encoding="utf-8"))
    for challenge in info.challenges:
        meta = challenge.meta
        files = _read_tree(challenge.path, challenge.slug)
        questions = []
        for q in meta.get("questions") or []:
            q = dict(q)
            if q["type"] == "predict":
                q["answer"] = keys[challenge.slug][q["id"]]
            questions.append(q)
        pack.challenges.append(Challenge(
            slug=challenge.slug, title=meta["title"], kind=meta["kind"],
            difficulty=meta["difficulty"], topics=list(meta["topics"]),
            time_estimate_minutes=meta["time_estimate_minutes"],
            prompt_md=files.get("prompt.md", ""), editable=list(meta.get("editable") or []),
            hints=list(meta["hints"]), limits=dict(meta.get("limits") or {}),
            points=dict((meta.get("scoring") or {}).get("points") or {}),
            explanation=meta["explanation"], questions=questions, files=files,
        ))
    db.session.add(pack)
    for template in info.interviews:
        spec = template.spec
        db.session.add(InterviewTemplate(
            pack=pack, slug=template.slug, title=spec["title"],
            description=spec.get("description", ""),
            time_limit_seconds=parse_duration(spec["time_limit"]),
            passing_score=float(spec.get("passing_score", DEFAULT_PASSING_SCORE)),
            spec=spec, source=template.source))
    db.session.commit()
    return pack, True


def _check_templates_fill(info) -> None:
    """Interview templates must be fillable from what candidates can draw from once this
    pack is in: the newest enabled version of every other pack, plus this one."""

    catalog = database_catalog()
    problems = catalog_problems(info, catalog.items, catalog.pack_names,
                                where="the enabled packs in the database")
    if problems:
        files = sorted({p.file for p in problems})
        raise PackError(f"{', '.join(files)}: the interview template cannot be filled from the "
                        f"enabled packs in the database ({len(problems)} problems)", problems)


def load_bundled(challenges_root: Path, settings: Settings,
                 only: set[str] | None = None) -> list[tuple[str, bool]]:
    """Import every bundled pack not imported yet (at `lab up` and `lab db seed`)."""
    loaded = []
    # packs with interview templates last: their templates draw from the others
    for pack_yaml in sorted(challenges_root.glob("*/pack.yaml"),
                            key=lambda p: ((p.parent / "interviews").is_dir(), p)):
        if only is not None and pack_yaml.parent.name not in only:
            continue
        pack, created = import_pack(pack_yaml.parent, settings, existing_ok=True)
        loaded.append((f"{pack.name} v{pack.version}", created))
    return loaded


def export_files(pack: Pack) -> dict[str, bytes]:
    """The pack as files (pack.yaml, every challenge folder, interviews/), as it was imported."""
    files = {"pack.yaml": pack.source.encode()}
    for challenge in pack.challenges:
        for rel, text in challenge.files.items():
            files[f"{challenge.slug}/{rel}"] = text.encode()
    for template in db.session.scalars(select(InterviewTemplate)
                                       .where(InterviewTemplate.pack_id == pack.id)):
        files[f"interviews/{template.slug}.yaml"] = template.source.encode()
    return files
