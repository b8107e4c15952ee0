"""Loading a pack folder into the database (the bundled packs at start-up).

A pack version, once loaded, is never changed: a newer `version` in pack.yaml makes
new challenge rows, and submissions keep pointing at the version they were made on.
Full validation (JSON Schemas, `lab pack validate/verify/import`) is the pack tooling's.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select

from lab.extensions import db
from lab.models import Challenge, Pack
from worker.challenge import ChallengeError, load_challenge, read_challenge_files


class PackError(ValueError):
    """The pack folder cannot be loaded; the message names the file."""


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PackError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise PackError(f"{path}: expected a mapping")
    return data


def load_pack_folder(root: Path) -> tuple[Pack, bool]:
    """Load a pack; returns (pack, created).  An existing name+version is left alone."""
    meta = _read_yaml(root / "pack.yaml")
    name, version = meta.get("name"), meta.get("version")
    if not isinstance(name, str) or not isinstance(version, int):
        raise PackError(f"{root / 'pack.yaml'}: needs 'name' (text) and 'version' (whole number)")
    existing = db.session.scalar(select(Pack).where(Pack.name == name, Pack.version == version))
    if existing:
        return existing, False
    pack = Pack(name=name, version=version, title=str(meta.get("title", name)),
                description=str(meta.get("description", "")))
    for folder in sorted(p for p in root.iterdir() if (p / "challenge.yaml").is_file()):
        try:
            core = load_challenge(folder)
            files = read_challenge_files(folder)
        except ChallengeError as exc:
            raise PackError(str(exc)) from None
        data = _read_yaml(folder / "challenge.yaml")
        pack.challenges.append(Challenge(
            slug=folder.name, title=core.title, kind=core.kind,
            difficulty=str(data.get("difficulty", "medium")),
            topics=list(data.get("topics") or []),
            time_estimate_minutes=int(data.get("time_estimate_minutes") or 15),
            prompt_md=(folder / "prompt.md").read_text(encoding="utf-8")
            if (folder / "prompt.md").is_file() else "",
            editable=list(core.editable), hints=list(data.get("hints") or []),
            limits=dict(core.limits), points=dict(core.points),
            files={k: v.decode("utf-8") for k, v in files.items()},
        ))
    db.session.add(pack)
    db.session.commit()
    return pack, True


def load_bundled(challenges_root: Path) -> list[tuple[str, bool]]:
    loaded = []
    for pack_yaml in sorted(challenges_root.glob("*/pack.yaml")):
        pack, created = load_pack_folder(pack_yaml.parent)
        loaded.append((f"{pack.name} v{pack.version}", created))
    return loaded
