"""`lab pack validate`: schema and structure checks of a pack folder.

Every problem names the file, the line where the YAML has one, the field and what was
expected.  Nothing here runs pack code: test files are parsed, never imported.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jsonschema
import yaml

from worker import safe_yaml
from worker.parsing import parse
from worker.submission import name_problem
from worker.testids import expected_tests

BUNDLED_PACKS = Path(__file__).resolve().parent.parent / "challenges"
SCHEMA_DIR = BUNDLED_PACKS / "schema"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,60}$")


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    line: int | None = None
    field: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field + ': ' if self.field else ''}{self.message}"


@dataclass
class ChallengeInfo:
    slug: str
    path: Path
    meta: dict


@dataclass
class PackInfo:
    path: Path
    meta: dict = field(default_factory=dict)
    challenges: list[ChallengeInfo] = field(default_factory=list)
    interviews: list = field(default_factory=list)  # lab.interview_validate.InterviewInfo
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


@cache
def schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text())


@cache
def topic_ids() -> tuple[str, ...]:
    data = json.loads((SCHEMA_DIR / "topics.json").read_text())
    return tuple(t["id"] for t in data["topics"])


def _node_at(node, path) -> yaml.Node | None:
    for key in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return node
        if node is None:
            return None
    return node


def load_yaml(path: Path, rel: str, problems: list[Problem]):
    """(data, node tree) or (None, None) with a problem recorded.  Read with
    worker/safe_yaml.py: no anchors or aliases, bounded size, depth and node count."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(rel, "file is missing"))
        return None, None
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, f"not UTF-8 (byte {exc.start})"))
        return None, None
    try:
        return safe_yaml.load_with_tree(text, rel)
    except safe_yaml.YamlRefused as exc:
        problems.append(Problem(rel, exc.problem, line=exc.line))
        return None, None


# why a field is refused by a kind-dependent rule of challenge.schema.json ("not": {"required": ...})
NOT_ALLOWED_WHY = {
    "questions": "only quiz challenges have questions",
    "editable": "a quiz has questions, not editable files",
}


def _short(value: object) -> str:
    """`value` for a message: never a whole mapping, nor a long list or text."""
    if isinstance(value, dict):
        return "a mapping"
    text = repr(value)
    if len(text) <= 60:
        return text
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    return text[:57] + "..."


def _schema_at(root: dict, steps: list) -> object:
    node: object = root
    for step in steps:
        node = node[step]  # type: ignore[index]
    return node


def _branch(error: jsonschema.ValidationError, root: dict) -> tuple[str, object, list] | None:
    """For an error raised by the then/else of an if on one field (`kind: quiz`, `type:
    single`): (that field, its value in the instance, the values the schema knows for it)."""
    steps = list(error.schema_path)
    at = max((i for i, s in enumerate(steps) if s in ("then", "else")), default=None)
    if at is None or len(steps) != at + 2 or not isinstance(error.instance, dict):
        return None  # only checks on the object itself (required / not) are explained here
    try:
        holder = _schema_at(root, steps[:at])
        owner = _schema_at(root, steps[:at - 2]) if at >= 2 and steps[at - 2] == "allOf" else holder
        [key] = list(holder["if"]["properties"])
        spec = owner["properties"][key]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    known = spec.get("enum") or ([spec["const"]] if "const" in spec else [])
    return (key, error.instance.get(key), known) if known else None


def _forbids_field(error: jsonschema.ValidationError) -> bool:
    """A `"not": {"required": [...]}` error: a field present that must not be."""
    return (error.validator == "not" and isinstance(error.validator_value, dict)
            and list(error.validator_value) == ["required"] and isinstance(error.instance, dict))


def _describe(error: jsonschema.ValidationError, root: dict | None = None) -> tuple[str, str]:
    """(field, message) of one schema error, in words a pack author can act on."""
    path = ".".join(str(p) for p in error.absolute_path)
    branch = _branch(error, root) if root is not None else None
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        why = f" for {branch[0]} {branch[1]}" if branch else ""
        return (f"{path}.{missing[0]}" if path and missing else (missing[0] if missing else path),
                f"required field is missing{why}")
    if _forbids_field(error):
        names = [n for n in error.validator_value["required"] if n in error.instance]
        name = names[0] if names else ", ".join(error.validator_value["required"])
        where = f" for {branch[0]} {branch[1]}" if branch else ""
        why = f" ({NOT_ALLOWED_WHY[name]})" if name in NOT_ALLOWED_WHY else ""
        return f"{path}.{name}" if path else name, f"not allowed{where}{why}"
    if error.validator == "additionalProperties":
        return path, f"unknown field ({error.message.split('(')[-1].rstrip(')')})"
    if error.validator == "enum" and "topics" in path:
        return path, f"{_short(error.instance)} is not a known topic id (see challenges/schema/topics.json)"
    if error.validator == "enum":
        return path, f"{_short(error.instance)} is not one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "type":
        return path, f"expected {error.validator_value}, got {type(error.instance).__name__}"
    if error.validator == "not" and path.startswith("editable"):
        return path, f"{_short(error.instance)} is a file name a candidate may never submit"
    if error.validator == "not":
        return path, f"{_short(error.instance)} is not allowed here"
    if error.validator in ("minLength", "maxLength", "minItems", "maxItems"):
        unit = "character" if error.validator.endswith("Length") else "item"
        unit += "" if error.validator_value == 1 else "s"
        bound = "at least" if error.validator.startswith("min") else "at most"
        return path, (f"expected {bound} {error.validator_value} {unit}, got "
                      f"{len(error.instance)}")
    if error.validator == "uniqueItems":
        return path, "expected each item only once"
    if error.validator in ("anyOf", "oneOf"):
        kinds = [str(s.get("type")) for s in error.validator_value if isinstance(s, dict) and "type" in s]
        return path, (f"expected {' or '.join(kinds)}, got {type(error.instance).__name__}" if kinds
                      else f"{_short(error.instance)} does not have an accepted form")
    message = error.message
    if message.startswith(repr(error.instance)):  # jsonschema leads with the whole value
        message = _short(error.instance) + message[len(repr(error.instance)):]
    return path, message


def _key_line(tree: yaml.Node | None, path: list, key: str) -> int | None:
    """Line of `key:` in the mapping at `path` of the YAML node tree."""
    node = _node_at(tree, path) if tree is not None else None
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if k.value == key:
                return k.start_mark.line + 1
    return None


def schema_problems(data: object, tree: yaml.Node | None, name: str, rel: str) -> list[Problem]:
    """The schema errors of `data` (loaded from `rel`, with its YAML node tree `tree`) against
    challenges/schema/`name`.schema.json, one Problem each with file, line and field."""
    root = schema(name)
    validator = jsonschema.Draft202012Validator(root)
    found = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        if error.validator in ("if", "allOf") and error.context:
            error = error.context[0]
        branch = _branch(error, root)
        if branch and branch[1] not in branch[2]:
            # the rules of an unknown (or missing) kind/type: its own error says what is wrong
            continue
        path, message = _describe(error, root)
        node = _node_at(tree, list(error.absolute_path)) if tree is not None else None
        line = node.start_mark.line + 1 if node else None
        if _forbids_field(error):  # the line of the field that must go, not of its mapping
            line = _key_line(tree, list(error.absolute_path), path.rsplit(".", 1)[-1]) or line
        found.append(Problem(rel, message, line=line, field=path))
    return found


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
    editable = meta.get("editable") or []
    for name in editable:
        problem = name_problem(name)
        if problem and info.meta.get("kind") != "dockerfile":
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
    if meta.get("kind") == "dockerfile" and "Dockerfile" not in editable:
        problems.append(Problem(f"{rel}/challenge.yaml", "a dockerfile challenge edits 'Dockerfile'",
                                field="editable"))


def _check_quiz(info: ChallengeInfo, rel: str, problems: list[Problem]) -> None:
    seen = set()
    for n, question in enumerate(info.meta.get("questions") or []):
        qid = question.get("id", f"#{n}")
        where = f"questions.{n} ({qid})"
        if qid in seen:
            problems.append(Problem(f"{rel}/challenge.yaml", "duplicate question id", field=where))
        seen.add(qid)
        options = question.get("options") or []
        answer = question.get("answer")
        kind = question.get("type")
        if kind == "single" and not (isinstance(answer, int) and 0 <= answer < len(options)):
            problems.append(Problem(f"{rel}/challenge.yaml",
                                    f"answer must be an option index below {len(options)}",
                                    field=where))
        if kind == "multiple" and not (isinstance(answer, list) and answer and all(
                isinstance(a, int) and 0 <= a < len(options) for a in answer)):
            problems.append(Problem(f"{rel}/challenge.yaml",
                                    "answer must list option indexes", field=where))
        if kind == "exact" and not (isinstance(answer, str) or (
                isinstance(answer, list) and all(isinstance(a, str) for a in answer))):
            problems.append(Problem(f"{rel}/challenge.yaml",
                                    "answer must be the accepted text (or a list of them)",
                                    field=where))
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
        if not (folder / "prompt.md").is_file() and data.get("kind") != "quiz":
            problems.append(Problem(f"{rel}/prompt.md", "missing: the task as candidates see it"))
        for link in folder.rglob("*"):
            if link.is_symlink():
                problems.append(Problem(f"{rel}/{link.relative_to(folder)}",
                                        "symbolic links are not allowed"))
        if data.get("kind") == "quiz":
            _check_quiz(challenge, rel, problems)
        else:
            _check_code_challenge(challenge, rel, problems)
    # imported here: lab.interview_validate builds on this module
    from lab.interview_validate import bundled_catalog, catalog_problems, check_interview_files

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
