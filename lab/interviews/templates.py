"""Interview templates: which catalog items a template's pools may draw, whether the
catalog can fill a template, and the seeded draw that picks an interview's items.

A template (`interviews/<slug>.yaml` of a pack, schema: challenges/schema/interview.schema.json)
has sections of pools; each pool asks for `count` items of some kinds, topics and
difficulties.  Quiz pools draw single quiz *questions*; hands-on pools draw challenges.
No item appears twice in one interview, so pools compete for items whose filters
overlap: filling is a bipartite matching of pool slots to items, not a greedy pass.

Pure Python on purpose (the validator and the web side share it); the database helpers
at the bottom import the models only when called.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from worker.core import safe_yaml
from worker.core.challenge import ChallengeError, read_meta
from worker.core.kinds import KINDS, hands_on_kinds
from worker.core.vocabulary import DIFFICULTIES, difficulty_range

DEFAULT_PASSING_SCORE = 60.0
_DURATION = re.compile(r"^([1-9][0-9]*)(s|m|h)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


def parse_duration(text: str) -> int:
    """'90s' / '30m' / '1h' -> seconds; ValueError for anything else."""
    match = _DURATION.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration like 90s, 30m or 1h")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


@dataclass(frozen=True, order=True)
class CatalogItem:
    challenge: str  # public id "pack/slug"
    question_id: str | None  # set for one question of a quiz challenge
    kind: str
    topics: tuple[str, ...]
    difficulty: str

    @property
    def key(self) -> tuple[str, str | None]:
        """What `seen` holds: (challenge public id, question id or None)."""
        return self.challenge, self.question_id

    @property
    def pack(self) -> str:
        return self.challenge.partition("/")[0]


@dataclass(frozen=True)
class DrawnItem:
    section: int
    pool: int
    item: CatalogItem
    weight: float


class DrawError(ValueError):
    """The catalog cannot fill the template (it changed since the template was checked)."""


def catalog_from_challenges(rows: Iterable) -> list[CatalogItem]:
    """Items of challenge rows (`public_id`, `kind`, `topics`, `difficulty`, `questions`):
    one per hands-on challenge, one per question of a quiz."""
    items = []
    for row in rows:
        topics = tuple(row.topics or ())
        if row.kind == "quiz":
            for question in row.questions or []:
                if not isinstance(question, dict) or not question.get("id"):
                    continue
                items.append(CatalogItem(row.public_id, str(question["id"]), "quiz",
                                         tuple(question.get("topics") or topics), row.difficulty))
        else:
            items.append(CatalogItem(row.public_id, None, row.kind, topics, row.difficulty))
    return sorted(set(items))


@dataclass(frozen=True)
class _Row:
    public_id: str
    kind: str
    topics: tuple
    difficulty: str
    questions: list


def rows_from_metas(pack_name: str, metas: Iterable[tuple[str, dict]]) -> list[_Row]:
    """Row-likes for `catalog_from_challenges` from (slug, challenge.yaml data) pairs; data
    too broken to say what it is is left out (the validator reports it)."""
    rows = []
    for slug, meta in metas:
        if not isinstance(meta, dict) or meta.get("kind") not in KINDS:
            continue
        topics = meta.get("topics") if isinstance(meta.get("topics"), list) else []
        questions = meta.get("questions") if isinstance(meta.get("questions"), list) else []
        rows.append(_Row(f"{pack_name}/{slug}", meta["kind"], tuple(map(str, topics)),
                         str(meta.get("difficulty")), questions))
    return rows


def read_pack_folder(folder: Path) -> tuple[str | None, list[CatalogItem]]:
    """(pack name, items) straight from a pack folder, without the database or a full
    validation: pack.yaml's name and every `<slug>/challenge.yaml`."""
    try:
        meta = safe_yaml.load((folder / "pack.yaml").read_text(encoding="utf-8"), "pack.yaml")
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None, []
    name = meta.get("name") if isinstance(meta, dict) else None
    if not isinstance(name, str):
        return None, []
    metas = []
    for path in sorted(folder.glob("*/challenge.yaml")):
        try:
            metas.append((path.parent.name, read_meta(path.parent)))
        except ChallengeError:
            continue  # the validator reports it
    return name, catalog_from_challenges(rows_from_metas(name, metas))


def catalog_from_folders(root: Path, skip: str | None = None) -> tuple[list[CatalogItem], set[str]]:
    """(items, pack names) of every pack folder under `root` (`root/*/pack.yaml`), leaving
    out the pack named `skip` (the one being checked brings its own version)."""
    items: list[CatalogItem] = []
    names: set[str] = set()
    for pack_yaml in sorted(root.glob("*/pack.yaml")):
        name, found = read_pack_folder(pack_yaml.parent)
        if name is None or name == skip:
            continue
        names.add(name)
        items.extend(found)
    return sorted(set(items)), names


# --- matching pools to items -------------------------------------------------------------

def pool_matches(pool: dict, item: CatalogItem) -> bool:
    if item.kind not in pool.get("kinds", ()):
        return False
    topics = pool.get("topics")
    if topics and not set(topics) & set(item.topics):
        return False
    if item.difficulty not in DIFFICULTIES:
        return False
    low, high = difficulty_range(pool.get("difficulty"))
    rank = DIFFICULTIES.index
    return rank(low) <= rank(item.difficulty) <= rank(high)


def _pools(spec: dict) -> list[tuple[int, int, dict]]:
    return [(s, p, pool) for s, section in enumerate(spec.get("sections") or [])
            for p, pool in enumerate(section.get("pools") or [])]


def _usable_catalog(spec: dict, catalog: Iterable[CatalogItem]) -> list[CatalogItem]:
    """Sorted, without duplicates, restricted to `from_packs`: the same inputs always give
    the same list, whatever order the caller's catalog came in."""
    allowed = set(spec.get("from_packs") or ())
    return sorted({i for i in catalog if not allowed or i.pack in allowed})


def describe_pool(pool: dict) -> str:
    """'python items on py.decorators (medium to hard)', for messages."""
    kinds = list(pool.get("kinds") or [])
    hands_on = [k for k in kinds if k in hands_on_kinds()]
    nouns = ([f"{' or '.join(hands_on)} items"] if hands_on else []) + (
        ["quiz questions"] if "quiz" in kinds else [])
    text = " or ".join(nouns) or "items"
    if pool.get("topics"):
        text += " on " + " or ".join(pool["topics"])
    if pool.get("difficulty"):
        low, high = difficulty_range(pool["difficulty"])
        text += f" ({low})" if low == high else f" ({low} to {high})"
    return text


def _augment(start: int, candidates: list[list[int]], usable, owner: dict[int, int],
             holding: dict[int, int]) -> bool:
    """One augmenting path from unfilled slot `start` (iterative DFS, so large templates
    cannot hit the recursion limit).  `owner`: item -> slot, `holding`: slot -> item."""
    visited: set[int] = set()
    stack = [(start, iter(candidates[start]))]
    while stack:
        slot, options = stack[-1]
        for item in options:
            if item in visited or not usable(item):
                continue
            visited.add(item)
            if item in owner:
                stack.append((owner[item], iter(candidates[owner[item]])))
                break
            # free item: every slot on the stack takes the item chosen at its level
            chosen: int | None = item
            for level_slot, _ in reversed(stack):
                previous = holding.get(level_slot)
                holding[level_slot], owner[chosen] = chosen, level_slot
                chosen = previous
            return True
        else:
            stack.pop()
    return False


@dataclass
class _Fill:
    slots: list[tuple[int, int]]  # (section, pool) per slot
    candidates: list[list[int]]  # item indexes per slot
    holding: dict[int, int]  # slot -> item index


def _fill(spec: dict, items: list[CatalogItem], rng: random.Random | None,
          seen: set | frozenset = frozenset()) -> _Fill:
    """A maximum matching of slots to items.  Unseen items are matched first and augmenting
    paths never unmatch an item, so the fill uses as many unseen items as any fill can."""
    slots, candidates = [], []
    for s, p, pool in _pools(spec):
        matching = [n for n, item in enumerate(items) if pool_matches(pool, item)]
        if rng is not None:
            rng.shuffle(matching)
        for _ in range(int(pool.get("count", 0))):
            slots.append((s, p))
            candidates.append(matching)
    owner: dict[int, int] = {}
    holding: dict[int, int] = {}
    unseen = {n for n, item in enumerate(items) if item.key not in seen}
    for usable in (unseen.__contains__, lambda _n: True):
        for slot in range(len(slots)):
            if slot not in holding:
                _augment(slot, candidates, usable, owner, holding)
    return _Fill(slots, candidates, holding)


def fill_report(spec: dict, catalog: Iterable[CatalogItem]) -> list[tuple[list[tuple[int, int]], str]]:
    """Why `spec` cannot be filled from `catalog`, as ([(section, pool), ...], message)."""
    items = _usable_catalog(spec, catalog)
    report = []
    for s, p, pool in _pools(spec):
        have = sum(pool_matches(pool, item) for item in items)
        if have < pool.get("count", 0):
            report.append(([(s, p)], f"needs {pool['count']} {describe_pool(pool)}, "
                                      f"the catalog has {have}"))
    if report:
        return report
    fill = _fill(spec, items, None)
    unfilled = [n for n in range(len(fill.slots)) if n not in fill.holding]
    if not unfilled:
        return []
    # Hall's condition fails on the pools reachable by alternating paths from an unfilled
    # slot: together they need more items than match any of them.
    owner = {item: slot for slot, item in fill.holding.items()}
    reached_slots, reached_items, todo = set(unfilled), set(), list(unfilled)
    while todo:
        for item in fill.candidates[todo.pop()]:
            if item not in reached_items:
                reached_items.add(item)
                if item in owner and owner[item] not in reached_slots:
                    reached_slots.add(owner[item])
                    todo.append(owner[item])
    pools = sorted({fill.slots[n] for n in reached_slots})
    need = sum(1 for slot in fill.slots if slot in set(pools))  # every slot of those pools
    return [(pools, f"together need {need} items, but only {len(reached_items)} catalog items "
                    "match any of them, and pools never share an item")]


def pool_name(section: int, pool: int) -> str:
    return f"sections[{section}].pools[{pool}]"


def fill_problems(spec: dict, catalog: Iterable[CatalogItem]) -> list[str]:
    """Why the template cannot be filled, each naming its section and pool; [] if it can."""
    return [f"{', '.join(pool_name(s, p) for s, p in pools)}: {message}"
            for pools, message in fill_report(spec, catalog)]


def draw(spec: dict, catalog: Iterable[CatalogItem], seed: int,
         seen: set[tuple[str, str | None]]) -> list[DrawnItem]:
    """The interview's items, ordered by section then pool (then drawn order).  The same
    spec, catalog, seed and `seen` give the same items; items in `seen` are used only
    when the unseen ones cannot fill the template."""
    items = _usable_catalog(spec, catalog)
    fill = _fill(spec, items, random.Random(seed), seen)
    if len(fill.holding) < len(fill.slots):
        problems = fill_problems(spec, items) or ["the catalog cannot fill it"]
        raise DrawError(f"cannot draw {spec.get('title', 'the interview')!r}: " + "; ".join(problems))
    pools = {(s, p): pool for s, p, pool in _pools(spec)}
    drawn = []
    for slot in sorted(range(len(fill.slots)), key=lambda n: fill.slots[n]):
        section, pool = fill.slots[slot]
        drawn.append((section, pool, fill.candidates[slot].index(fill.holding[slot]),
                      fill.holding[slot]))
    drawn.sort()  # inside a pool: the pool's shuffled order, so the seed decides it
    return [DrawnItem(s, p, items[n], float(pools[(s, p)].get("weight", 1)))
            for s, p, _rank, n in drawn]


def section_seconds(spec: dict) -> list[int | None]:
    """Each section's own clock in seconds (None: only the whole interview's clock)."""
    return [parse_duration(s["time_limit"]) if s.get("time_limit") else None
            for s in spec.get("sections") or []]
