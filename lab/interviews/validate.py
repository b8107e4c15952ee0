"""Checks of a pack's interview templates (`interviews/<slug>.yaml`), for `lab pack validate`.

Two stages.  The files on their own: names, YAML, schema, durations, difficulty ranges.
Then against a catalog: `from_packs` names known packs and every template can be filled.
`lab pack validate` and `verify` use the bundled packs plus the pack itself as the
catalog; `lab pack import` runs the second stage again against the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lab.interviews.templates import (
    CatalogItem,
    catalog_from_challenges,
    catalog_from_folders,
    fill_report,
    parse_duration,
    rows_from_metas,
)
from lab.packs.problems import BUNDLED_PACKS, SLUG, Problem, load_yaml, node_at, schema_problems
from worker.core.vocabulary import DIFFICULTIES, difficulty_range

FOLDER = "interviews"


@dataclass
class InterviewInfo:
    slug: str
    path: Path
    spec: dict  # the schema-valid YAML, parsed
    source: str  # the YAML text as written
    tree: object = None  # yaml node tree, for line numbers

    @property
    def rel(self) -> str:
        return f"{FOLDER}/{self.slug}.yaml"

    def line(self, path: list) -> int | None:
        node = node_at(self.tree, path) if self.tree is not None else None
        return node.start_mark.line + 1 if node is not None else None


def _check_spec(info: InterviewInfo, problems: list[Problem]) -> None:
    """What the schema cannot say: clocks that nest, difficulty ranges that are not empty."""
    spec = info.spec
    whole = parse_duration(spec["time_limit"])
    _check_rubric(info, spec.get("rubric"), ["rubric"], problems)
    for s, section in enumerate(spec["sections"]):
        _check_rubric(info, section.get("rubric"), ["sections", s, "rubric"], problems)
        if "time_limit" in section and parse_duration(section["time_limit"]) > whole:
            problems.append(Problem(info.rel, f"{section['time_limit']} is longer than the whole "
                                    f"interview ({spec['time_limit']})",
                                    line=info.line(["sections", s, "time_limit"]),
                                    field=f"sections.{s}.time_limit"))
        for p, pool in enumerate(section["pools"]):
            low, high = difficulty_range(pool.get("difficulty"))
            if DIFFICULTIES.index(low) > DIFFICULTIES.index(high):
                problems.append(Problem(info.rel, f"min {low} is harder than max {high}",
                                        line=info.line(["sections", s, "pools", p, "difficulty"]),
                                        field=f"sections.{s}.pools.{p}.difficulty"))


def _check_rubric(info: InterviewInfo, rubric: list | None, path: list, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for n, criterion in enumerate(rubric or []):
        if criterion["id"] in seen:
            problems.append(Problem(info.rel, f"criterion id {criterion['id']!r} is used twice in "
                                    "this rubric", line=info.line([*path, n, "id"]),
                                    field=".".join(map(str, [*path, n, "id"]))))
        seen.add(criterion["id"])


def check_interview_files(root: Path, problems: list[Problem]) -> list[InterviewInfo]:
    """Every `interviews/*.yaml` of the pack at `root` that is well formed; problems for
    the rest and for anything else in the folder."""
    folder = root / FOLDER
    if not folder.exists():
        return []
    if not folder.is_dir() or folder.is_symlink():
        problems.append(Problem(FOLDER, "must be a folder of <slug>.yaml interview templates"))
        return []
    found = []
    for path in sorted(folder.iterdir()):
        rel = f"{FOLDER}/{path.name}"
        if path.is_symlink():
            problems.append(Problem(rel, "symbolic links are not allowed"))
            continue
        if path.is_dir() or path.suffix != ".yaml":
            problems.append(Problem(rel, "only interview templates named <slug>.yaml belong in "
                                    f"{FOLDER}/"))
            continue
        if not SLUG.match(path.stem):
            problems.append(Problem(rel, "template file names are lowercase letters, digits and "
                                    "'-', then .yaml"))
            continue
        before = len(problems)
        data, tree = load_yaml(path, rel, problems)
        if len(problems) > before:
            continue
        if not isinstance(data, dict):
            problems.append(Problem(rel, "expected a mapping at the top level", line=1))
            continue
        found_problems = schema_problems(data, tree, "interview", rel)
        if found_problems:
            problems.extend(found_problems)
            continue
        info = InterviewInfo(path.stem, path, data, path.read_text(encoding="utf-8"), tree)
        before = len(problems)
        _check_spec(info, problems)
        if len(problems) == before:
            found.append(info)
    return found


def own_catalog(pack_info) -> list[CatalogItem]:
    """The items of the pack being checked (its schema-valid challenges)."""
    name = pack_info.meta.get("name")
    if not isinstance(name, str):
        return []
    return catalog_from_challenges(rows_from_metas(name, [(c.slug, c.meta)
                                                          for c in pack_info.challenges]))


def bundled_catalog(pack_info) -> tuple[list[CatalogItem], set[str]]:
    """The bundled packs (without another version of this pack) plus this pack."""

    return catalog_from_folders(BUNDLED_PACKS, skip=pack_info.meta.get("name"))


def catalog_problems(pack_info, items: list[CatalogItem], pack_names: set[str],
                     where: str = "the bundled packs") -> list[Problem]:
    """`from_packs` entries naming no known pack, and templates the catalog cannot fill.
    `items`/`pack_names` describe the other packs; the pack's own challenges are added
    here and replace any other version of it."""
    name = pack_info.meta.get("name")
    own = own_catalog(pack_info)
    catalog = [i for i in items if i.pack != name] + own
    known = set(pack_names) | ({name} if isinstance(name, str) else set())
    problems = []
    for info in pack_info.interviews:
        unknown = False
        for n, wanted in enumerate(info.spec.get("from_packs") or []):
            if wanted not in known:
                unknown = True
                problems.append(Problem(info.rel, f"{wanted!r} names no known pack (looked in {where} "
                                        "and this pack)",
                                        line=info.line(["from_packs", n]), field=f"from_packs.{n}"))
        if unknown:
            continue  # the fill would only repeat that the pack is missing
        for pools, message in fill_report(info.spec, catalog):
            s, p = pools[0]
            message += f" (catalog: {where} and this pack)"
            if len(pools) > 1:
                others = ", ".join(f"sections.{a}.pools.{b}" for a, b in pools[1:])
                message = f"with {others}: {message}"
            problems.append(Problem(info.rel, message, line=info.line(["sections", s, "pools", p]),
                                    field=f"sections.{s}.pools.{p}"))
    return problems
