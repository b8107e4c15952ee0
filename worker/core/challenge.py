"""A challenge folder as the grading core sees it.

Only what grading needs is read here (kind, editable files, limits, points, tests);
the full pack format and its JSON Schemas belong to the pack tooling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from worker.core import safe_yaml
from worker.core.config import LIMIT_NAMES

TEST_DIRS = {"run": ("public",), "submit": ("hidden",)}


class ChallengeError(ValueError):
    """The challenge folder cannot be graded against; the message says where and why."""


@dataclass(frozen=True)
class Challenge:
    path: Path
    slug: str
    title: str
    kind: str
    editable: tuple[str, ...]
    limits: dict = field(default_factory=dict)
    points: dict = field(default_factory=dict)
    probes: tuple = ()  # dockerfile kind: commands run in containers of the built image
    # When set, the challenge's files (relative path -> bytes) come from here, not disk:
    # how a worker grades a challenge stored in the database.
    stored: dict[str, bytes] | None = None

    def tests_dir(self, visibility: str) -> Path:
        return self.path / "tests" / visibility

    def _stored_under(self, prefix: str) -> dict[str, bytes]:
        return {k: v for k, v in (self.stored or {}).items() if k.startswith(prefix + "/")}

    def test_files(self, visibility: str) -> dict[str, bytes]:
        """Test files by path relative to the challenge (`tests/hidden/test_x.py`)."""
        if self.stored is not None:
            return self._stored_under(f"tests/{visibility}")
        root = self.tests_dir(visibility)
        files = {}
        for item in sorted(root.rglob("*")):
            if item.is_symlink():
                raise ChallengeError(f"{item}: test files may not be symbolic links")
            if item.is_file() and "__pycache__" not in item.parts:
                files[item.relative_to(self.path).as_posix()] = item.read_bytes()
        return files

    def starter_files(self) -> dict[str, bytes]:
        if self.stored is not None:
            found = self._stored_under("starter")
            return {k[len("starter/"):]: v for k, v in found.items()
                    if k[len("starter/"):] in self.editable}
        starter = self.path / "starter"
        return {name: (starter / name).read_bytes() for name in self.editable
                if (starter / name).is_file()}


def _require(data: dict, key: str, kind: type, where: Path):
    if key not in data:
        raise ChallengeError(f"{where}: missing field '{key}'")
    value = data[key]
    if not isinstance(value, kind):
        raise ChallengeError(f"{where}: field '{key}' must be a {kind.__name__}")
    return value


def read_meta(path: str | Path) -> dict:
    """The mapping in `challenge.yaml` of the challenge folder `path`: the one reader of
    that file for the grading core (safe_yaml's limits; ChallengeError names the file,
    and the line when the YAML is at fault)."""
    root = Path(path)
    meta = root / "challenge.yaml"
    if not root.is_dir():
        raise ChallengeError(f"{root}: not a challenge folder")
    if not meta.is_file():
        raise ChallengeError(f"{meta}: missing (every challenge folder has a challenge.yaml)")
    try:
        data = safe_yaml.load(meta.read_text(encoding="utf-8"), str(meta))
    except safe_yaml.YamlRefused as exc:  # names the file and line itself
        raise ChallengeError(str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ChallengeError(f"{meta}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ChallengeError(f"{meta}: expected a mapping at the top level")
    return data


def load_challenge(path: str | Path, data: dict | None = None) -> Challenge:
    """The hands-on challenge in folder `path` (its `challenge.yaml` as `data` when the
    caller has read it already); ChallengeError names the file and field."""
    root = Path(path)
    meta = root / "challenge.yaml"
    if data is None:
        data = read_meta(root)
    title = _require(data, "title", str, meta)
    kind = _require(data, "kind", str, meta)
    editable = _require(data, "editable", list, meta)
    if not editable or not all(isinstance(n, str) and n for n in editable):
        raise ChallengeError(f"{meta}: field 'editable' must list file names")
    limits = data.get("limits") or {}
    if not isinstance(limits, dict):
        raise ChallengeError(f"{meta}: field 'limits' must be a mapping")
    for name, value in limits.items():
        if name not in LIMIT_NAMES:
            raise ChallengeError(
                f"{meta}: limits.{name} is not a known limit ({', '.join(LIMIT_NAMES)})")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise ChallengeError(f"{meta}: limits.{name} must be a positive number")
    scoring = data.get("scoring") or {}
    points = scoring.get("points", {}) if isinstance(scoring, dict) else None
    if not isinstance(points, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in points.values()
    ):
        raise ChallengeError(f"{meta}: scoring.points must map test names to whole numbers")
    for visibility in ("public", "hidden"):
        if not (root / "tests" / visibility).is_dir():
            raise ChallengeError(f"{root / 'tests' / visibility}: missing test folder")
    probes = data.get("probes") or []
    if not isinstance(probes, list):
        raise ChallengeError(f"{meta}: field 'probes' must be a list")
    return Challenge(path=root, slug=root.name, title=title, kind=kind,
                     editable=tuple(editable), limits=limits, points=points,
                     probes=tuple(probes))


def read_challenge_files(root: Path) -> dict[str, bytes]:
    """Every file of a challenge folder that grading or the web app uses."""
    files = {}
    for folder in ("starter", "solution", "tests/public", "tests/hidden"):
        for item in sorted((root / folder).rglob("*")):
            if item.is_symlink():
                raise ChallengeError(f"{item}: symbolic links are not allowed in a challenge")
            if item.is_file() and "__pycache__" not in item.parts:
                files[item.relative_to(root).as_posix()] = item.read_bytes()
    return files
