"""`lab pack validate`: schema and structure checks of a pack folder.

Every problem names the file, the line where the YAML has one, the field and what was
expected.  Nothing here runs pack code: test files are parsed, never imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lab.interviews.validate import bundled_catalog, catalog_problems, check_interview_files
from lab.packs.problems import (
    SLUG,
    Problem,
    load_yaml,
    schema_problems,
)
from worker.core.kinds import get_kind
from worker.core.kinds.quiz import question_problem
from worker.core.parsing import parse
from worker.core.submission import name_problem
from worker.core.testids import expected_tests


@dataclass
class ChallengeInfo:
    """A challenge folder as the validator found it: its raw challenge.yaml, which may
    still have problems.  Not a second challenge model: what grading loads is
    worker/core/challenge.py's Challenge (through the kind's load()), once valid."""

    slug: str
    path: Path
    meta: dict


@dataclass
class PackInfo:
    path: Path
    meta: dict = field(default_factory=dict)
    challenges: list[ChallengeInfo] = field(default_factory=list)
    interviews: list = field(default_factory=list)  # lab.interviews.validate.InterviewInfo
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def _folder_files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def _check_tests(root: Path, rel: str, visibility: str, problems: list[Problem]) -> set[str]:
    folder = root / "tests" / visibility
    if not folder.is_dir():
        problems.append(Problem(f"{rel}/tests/{visibility}", "test folder is missing"))
        return set()
    files = {f"tests/{visibility}/{k}": p.read_bytes() for k, p in _folder_files(folder).items()}
    try:
        found = expected_tests(files)
    except SyntaxError as exc:
        problems.append(Problem(f"{rel}/{exc.filename}", f"does not parse: {exc.msg}",
                                line=exc.lineno))
        return set()
    if not found:
        problems.append(Problem(f"{rel}/tests/{visibility}",
                                "no tests (test_... functions, or test_... methods of Test... "
                                "or unittest.TestCase classes, in test_*.py or *_test.py)"))
    return {b.split("::")[-1] for b in found}


def _check_code_challenge(info: ChallengeInfo, rel: str, problems: list[Problem]) -> None:
    meta, root = info.meta, info.path
    kind = get_kind(meta["kind"])
    editable = meta.get("editable") or []
    for name in editable:
        problem = name_problem(name)
        if problem and kind.python_modules:
            problems.append(Problem(f"{rel}/challenge.yaml", problem, field=f"editable: {name}"))
    for folder in ("starter", "solution"):
        for name in editable:
            if not (root / folder / name).is_file():
                problems.append(Problem(f"{rel}/{folder}/{name}",
                                        f"missing: every editable file needs a {folder} version"))
    wrong = root / "wrong"
    if wrong.is_dir():
        for case in sorted(p for p in wrong.iterdir() if p.is_dir()):
            for name in _folder_files(case):
                if name not in editable:
                    problems.append(Problem(f"{rel}/wrong/{case.name}/{name}",
                                            "wrong solutions may only contain editable files"))
    _check_tests(root, rel, "public", problems)
    hidden = _check_tests(root, rel, "hidden", problems)
    for test in (meta.get("scoring") or {}).get("points", {}):
        if hidden and test.split("::")[-1] not in hidden:
            problems.append(Problem(f"{rel}/challenge.yaml", "names no hidden test function",
                                    field=f"scoring.points.{test}"))
    for name in kind.required_files:
        if name not in editable:
            problems.append(Problem(f"{rel}/challenge.yaml",
                                    f"every {kind.name} challenge edits '{name}'", field="editable"))


def _check_quiz(info: ChallengeInfo, rel: str, problems: list[Problem]) -> None:
    seen = set()
    for n, question in enumerate(info.meta.get("questions") or []):
        qid = question.get("id", f"#{n}")
        where = f"questions.{n} ({qid})"
        if qid in seen:
            problems.append(Problem(f"{rel}/challenge.yaml", "duplicate question id", field=where))
        seen.add(qid)
        problem = question_problem(question, need_predict_answer=False)
        if problem:
            problems.append(Problem(f"{rel}/challenge.yaml", problem, field=where))
        kind = question.get("type")
        if kind == "predict":
            try:
                parse(question.get("snippet", ""))
            except SyntaxError as exc:
                problems.append(Problem(f"{rel}/challenge.yaml",
                                        f"snippet does not parse: {exc.msg} (line {exc.lineno})",
                                        field=where))


def validate_pack(path: str | Path, check_catalog: bool = True,
                  catalog: tuple[list, set[str]] | None = None) -> PackInfo:
    """Problems of the pack at `path`.  `check_catalog=False` leaves out the interview
    template checks that need other packs (import runs them against the database);
    `catalog` (items, pack names) checks them against those packs instead of the bundled
    ones (an upload is checked against what the lab's database holds)."""
    root = Path(path)
    info = PackInfo(path=root)
    problems = info.problems
    if not root.is_dir():
        problems.append(Problem(str(root), "not a folder"))
        return info
    meta, tree = load_yaml(root / "pack.yaml", "pack.yaml", problems)
    if meta is not None:
        if not isinstance(meta, dict):
            problems.append(Problem("pack.yaml", "expected a mapping at the top level", line=1))
        else:
            info.meta = meta
            problems.extend(schema_problems(meta, tree, "pack", "pack.yaml"))
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    for folder in folders:
        rel = folder.name
        if folder.name in ("interviews",):
            continue
        if not (folder / "challenge.yaml").exists():
            problems.append(Problem(rel, "folder without challenge.yaml (every folder of a pack "
                                    "is a challenge)"))
            continue
        if not SLUG.match(folder.name):
            problems.append(Problem(rel, "folder names are lowercase letters, digits and '-'"))
        data, ctree = load_yaml(folder / "challenge.yaml", f"{rel}/challenge.yaml", problems)
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.append(Problem(f"{rel}/challenge.yaml", "expected a mapping", line=1))
            continue
        before = len(problems)
        problems.extend(schema_problems(data, ctree, "challenge", f"{rel}/challenge.yaml"))
        challenge = ChallengeInfo(slug=folder.name, path=folder, meta=data)
        info.challenges.append(challenge)
        if len(problems) > before:
            continue  # structure checks assume a schema-valid challenge.yaml
        kind = get_kind(data["kind"])  # a name the schema knows
        if kind.prompt_file and not (folder / "prompt.md").is_file():
            problems.append(Problem(f"{rel}/prompt.md", "missing: the task as candidates see it"))
        for link in folder.rglob("*"):
            if link.is_symlink():
                problems.append(Problem(f"{rel}/{link.relative_to(folder)}",
                                        "symbolic links are not allowed"))
        if kind.hands_on:
            _check_code_challenge(challenge, rel, problems)
        else:
            _check_quiz(challenge, rel, problems)
    info.interviews = check_interview_files(root, problems)
    if info.interviews and check_catalog:
        if catalog is None:
            problems.extend(catalog_problems(info, *bundled_catalog(info)))
        else:
            problems.extend(catalog_problems(info, *catalog, where="the lab's packs"))
    if not info.challenges and not info.interviews and not problems:
        problems.append(Problem(str(root), "the pack has no challenge folders (nor interview "
                                "templates)"))
    return info
