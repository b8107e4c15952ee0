"""Interview templates: matching pools to catalog items, the fill check and the seeded draw."""

import random
from types import SimpleNamespace

import pytest

from lab.interviews.templates import (
    CatalogItem,
    DrawError,
    catalog_from_challenges,
    draw,
    fill_problems,
    parse_duration,
    pool_matches,
)


def item(slug, kind="python", topics=("t.a",), difficulty="medium", question=None, pack="p"):
    return CatalogItem(f"{pack}/{slug}", question, kind, tuple(topics), difficulty)


def spec(*sections, **top):
    """spec([pool, ...], [pool, ...]) -> a template dict with one section per list."""
    return {"title": "T", "time_limit": "30m", **top,
            "sections": [{"title": f"S{n}", "pools": list(pools)} for n, pools in enumerate(sections)]}


def pool(count=1, kinds=("python",), **extra):
    return {"kinds": list(kinds), "count": count, **extra}


def keys(drawn):
    return [d.item.key for d in drawn]


# twenty python items on t.a, ten on t.b; ten quiz questions on t.a
CATALOG = ([item(f"a{n:02}") for n in range(20)] + [item(f"b{n:02}", topics=("t.b",)) for n in range(10)]
           + [item("quiz", kind="quiz", question=f"q{n}") for n in range(10)])


@pytest.mark.parametrize("text, seconds", [("20s", 20), ("30m", 1800), ("1h", 3600), ("90m", 5400)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "0m", "30", "30 min", "1.5h", "-5m", "05m", "m"])
def test_parse_duration_refuses(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_catalog_gives_one_item_per_quiz_question():
    rows = [
        SimpleNamespace(public_id="p/quiz", kind="quiz", topics=["t.a", "t.b"], difficulty="easy",
                        questions=[{"id": "one", "topics": ["t.b"]}, {"id": "two"}]),
        SimpleNamespace(public_id="p/task", kind="flask", topics=["t.c"], difficulty="hard",
                        questions=[]),
    ]
    assert catalog_from_challenges(rows) == [
        CatalogItem("p/quiz", "one", "quiz", ("t.b",), "easy"),  # the question's own topics
        CatalogItem("p/quiz", "two", "quiz", ("t.a", "t.b"), "easy"),  # falls back to the quiz's
        CatalogItem("p/task", None, "flask", ("t.c",), "hard"),
    ]


@pytest.mark.parametrize("candidate, wanted", [
    (item("x"), True),
    (item("x", kind="flask"), False),
    (item("x", topics=("t.z", "t.a")), True),  # one shared topic is enough
    (item("x", topics=("t.z",)), False),
    (item("x", difficulty="hard"), False),
    (item("x", difficulty="easy"), True),
    (item("x", difficulty="legendary"), False),
])
def test_pool_matches(candidate, wanted):
    assert pool_matches(pool(topics=["t.a"], difficulty={"max": "medium"}), candidate) is wanted


def test_same_seed_same_items_in_any_catalog_order():
    template = spec([pool(3, topics=["t.a"])], [pool(2, kinds=["quiz"])])
    first = draw(template, CATALOG, seed=7, seen=set())
    shuffled = CATALOG[:]
    random.Random(1).shuffle(shuffled)
    again = draw(template, shuffled + CATALOG[:5], seed=7, seen=set())  # duplicates change nothing
    assert first == again
    assert [(d.section, d.pool) for d in first] == [(0, 0)] * 3 + [(1, 0)] * 2


def test_other_seeds_draw_other_items():
    template = spec([pool(3, topics=["t.a"])])
    draws = {tuple(keys(draw(template, CATALOG, seed=s, seen=set()))) for s in range(10)}
    assert len(draws) >= 8  # 1140 possible sets of 3; repeats would mean the seed is ignored


def test_every_matching_item_can_be_drawn():
    template = spec([pool(1, topics=["t.b"])])
    drawn = {draw(template, CATALOG, seed=s, seen=set())[0].item.challenge for s in range(200)}
    assert drawn == {f"p/b{n:02}" for n in range(10)}


def test_draw_respects_kinds_topics_difficulty_and_weight():
    catalog = CATALOG + [item("hard", topics=("t.b",), difficulty="hard")]
    template = spec([pool(10, topics=["t.b"], difficulty={"min": "medium", "max": "medium"},
                          weight=2.5)], [pool(10, kinds=["quiz"])])
    drawn = draw(template, catalog, seed=3, seen=set())
    assert {d.item.challenge for d in drawn[:10]} == {f"p/b{n:02}" for n in range(10)}
    assert {d.weight for d in drawn[:10]} == {2.5} and {d.weight for d in drawn[10:]} == {1.0}
    assert all(d.item.question_id for d in drawn[10:])


def test_no_item_twice_even_when_pools_overlap():
    template = spec([pool(5, topics=["t.a", "t.b"])], [pool(15, topics=["t.a"])],
                    [pool(8, topics=["t.b"])])
    for seed in range(30):
        drawn = keys(draw(template, CATALOG, seed=seed, seen=set()))
        assert len(drawn) == 28 and len(set(drawn)) == 28


def test_unseen_items_are_preferred():
    seen = {("p/b00", None), ("p/b01", None), ("p/b02", None)}
    catalog = [item(f"b{n:02}", topics=("t.b",)) for n in range(5)]
    template = spec([pool(2, topics=["t.b"])])
    for seed in range(30):
        assert set(keys(draw(template, catalog, seed=seed, seen=seen))) == {("p/b03", None),
                                                                            ("p/b04", None)}


def test_seen_items_fill_in_only_what_the_unseen_cannot():
    seen = {("p/b00", None), ("p/b01", None), ("p/b02", None)}
    catalog = [item(f"b{n:02}", topics=("t.b",)) for n in range(5)]
    for seed in range(30):
        drawn = set(keys(draw(spec([pool(4, topics=["t.b"])]), catalog, seed=seed, seen=seen)))
        assert {("p/b03", None), ("p/b04", None)} <= drawn and len(drawn) == 4


def test_unseen_preference_holds_across_pools():
    # pool 0 takes x or y, pool 1 takes x or z; only z was seen.  Giving x to pool 0 would
    # force the seen z into pool 1: the draw must give pool 0 y and pool 1 x.
    catalog = [item("x", topics=("t.a", "t.b")), item("y", topics=("t.a",)), item("z", topics=("t.b",))]
    template = spec([pool(1, topics=["t.a"])], [pool(1, topics=["t.b"])])
    for seed in range(30):
        assert keys(draw(template, catalog, seed=seed, seen={("p/z", None)})) == [("p/y", None),
                                                                                  ("p/x", None)]


def test_seen_quiz_questions_are_told_apart_by_question_id():
    catalog = [item("quiz", kind="quiz", question=q) for q in ("q1", "q2", "q3")]
    template = spec([pool(2, kinds=["quiz"])])
    for seed in range(20):
        drawn = keys(draw(template, catalog, seed=seed, seen={("p/quiz", "q2")}))
        assert sorted(drawn) == [("p/quiz", "q1"), ("p/quiz", "q3")]


def test_matching_finds_the_fill_a_greedy_pass_misses():
    # pool 0 accepts x or y, pool 1 only x: picking x for pool 0 first (what a greedy pass
    # over pools does about half the time) leaves pool 1 empty.
    catalog = [item("x", topics=("t.a",)), item("y", topics=("t.b",))]
    template = spec([pool(1, topics=["t.a", "t.b"])], [pool(1, topics=["t.a"])])
    assert fill_problems(template, catalog) == []
    for seed in range(40):
        assert keys(draw(template, catalog, seed=seed, seen=set())) == [("p/y", None), ("p/x", None)]


def test_fill_problem_names_section_pool_and_what_is_missing():
    catalog = [item("deco", topics=("py.decorators",))] + CATALOG
    template = spec([pool(1, kinds=["quiz"])], [pool(2, topics=["py.decorators"])])
    assert fill_problems(template, catalog) == [
        "sections[1].pools[0]: needs 2 python items on py.decorators, the catalog has 1"]


def test_fill_problem_describes_kinds_and_difficulty():
    template = spec([pool(50, kinds=["quiz", "flask", "python"], topics=["t.a", "t.b"],
                          difficulty={"min": "medium"})])
    assert fill_problems(template, CATALOG) == [
        "sections[0].pools[0]: needs 50 flask or python items or quiz questions on t.a or t.b "
        "(medium to hard), the catalog has 40"]


def test_pools_competing_for_the_same_items_are_named_together():
    catalog = [item("x"), item("y")]
    template = spec([pool(2)], [pool(1)])  # each alone fits, together they need 3 of 2
    problems = fill_problems(template, catalog)
    assert problems == ["sections[0].pools[0], sections[1].pools[0]: together need 3 items, but only "
                        "2 catalog items match any of them, and pools never share an item"]


def test_from_packs_restricts_the_catalog():
    catalog = [item("x", pack="one"), item("y", pack="two"), item("z", pack="two")]
    template = spec([pool(2)], from_packs=["two"])
    for seed in range(10):
        assert {d.item.pack for d in draw(template, catalog, seed=seed, seen=set())} == {"two"}
    assert fill_problems(spec([pool(2)], from_packs=["one"]), catalog) == [
        "sections[0].pools[0]: needs 2 python items, the catalog has 1"]


def test_draw_error_says_what_cannot_be_filled():
    template = spec([pool(1)], [pool(3, topics=["t.b"])], title="Backend round")
    with pytest.raises(DrawError) as info:
        draw(template, [item("x", topics=("t.b",))], seed=1, seen=set())
    message = str(info.value)
    assert "Backend round" in message and "sections[1].pools[0]: needs 3 python items on t.b" in message


def test_large_templates_do_not_hit_the_recursion_limit():
    catalog = [item(f"i{n:04}", topics=("t.a", "t.b") if n % 2 else ("t.a",)) for n in range(3000)]
    template = spec(*[[pool(50, topics=["t.b"]), pool(50, topics=["t.a"])] for _ in range(15)])
    drawn = draw(template, catalog, seed=5, seen=set())
    assert len(set(keys(drawn))) == 1500
    assert all("t.b" in d.item.topics for d in drawn if d.pool == 0)
