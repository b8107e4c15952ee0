"""What is wrong with a pack file, said with its file, line and field: the `Problem`
record, reading pack YAML safely with its node tree, and the JSON schema check whose
errors are put in words a pack author can act on.  Shared by the pack and interview
template checks (lab/packs/validate.py, lab/interviews/validate.py)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

import jsonschema
import yaml

from worker.core import safe_yaml

BUNDLED_PACKS = Path(__file__).resolve().parents[2] / "challenges"
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


@cache
def schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text())


@cache
def topics() -> tuple[dict, ...]:
    """The content map's topics (challenges/schema/topics.json): id, area, kinds, name."""
    return tuple(json.loads((SCHEMA_DIR / "topics.json").read_text())["topics"])


@cache
def topic_names() -> MappingProxyType:
    """Topic id -> the name pages show (the id itself where the map gives none)."""
    return MappingProxyType({t["id"]: t.get("name", t["id"]) for t in topics()})


def topic_ids() -> tuple[str, ...]:
    return tuple(t["id"] for t in topics())


def node_at(node, path) -> yaml.Node | None:
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
    worker/core/safe_yaml.py: no anchors or aliases, bounded size, depth and node count."""
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
    node = node_at(tree, path) if tree is not None else None
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
        node = node_at(tree, list(error.absolute_path)) if tree is not None else None
        line = node.start_mark.line + 1 if node else None
        if _forbids_field(error):  # the line of the field that must go, not of its mapping
            line = _key_line(tree, list(error.absolute_path), path.rsplit(".", 1)[-1]) or line
        found.append(Problem(rel, message, line=line, field=path))
    return found


class PackError(ValueError):
    """The pack cannot be imported; `problems` lists why, each naming its file."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
