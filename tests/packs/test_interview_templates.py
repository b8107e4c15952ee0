"""Interview templates in packs: validation (file, line, field), the fill check against the
bundled packs and against the database, import into rows, export, the bundled templates."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
import yaml

from lab.interviews.templates import catalog_from_folders, draw, fill_problems
from lab.interviews.validate import bundled_catalog
from lab.packs.problems import BUNDLED_PACKS, SCHEMA_DIR
from lab.packs.scaffold import scaffold
from lab.packs.validate import validate_pack
from tests.helpers import ROOT

QUIZ = textwrap.dedent("""\
    title: Identity checks
    kind: quiz
    difficulty: easy
    topics: [py.identity]
    time_estimate_minutes: 5
    hints: [Think about which objects are shared.]
    explanation: Identity is about objects, equality about values.
    questions:
""") + "".join(textwrap.dedent(f"""\
      - id: q{n}
        type: single
        prompt: Question number {n} about identity?
        options: ["yes", "no"]
        answer: 0
        explanation: Because it is so.
""") for n in range(3))

TEMPLATE = textwrap.dedent("""\
    title: Warm-up · 20 min
    description: Two questions, then two tasks.
    time_limit: 20m
    passing_score: 50
    from_packs: [mock, examples]
    sections:
      - title: Questions
        time_limit: 5m
        pools:
          - kinds: [quiz]
            topics: [py.identity]
            count: 2
      - title: Tasks
        pools:
          - kinds: [python]
            topics: [py.stdlib]
            count: 1
            weight: 3
          - kinds: [python]
            topics: [py.decorators]
            difficulty: {min: easy, max: medium}
            count: 1
            weight: 4
""")


@pytest.fixture
def mock_pack(tmp_path):
    """Pack `mock`: a python task, a three-question quiz and one template that also needs
    examples/retry-decorator (the only bundled python item of `examples` on decorators)."""
    folder = scaffold("mock", "python", tmp_path / "src")
    (folder / "identity-quiz").mkdir()
    (folder / "identity-quiz" / "challenge.yaml").write_text(QUIZ)
    (folder / "interviews").mkdir()
    (folder / "interviews" / "warm-up.yaml").write_text(TEMPLATE)
    return folder


def problems_of(folder, **kw):
    return validate_pack(folder, **kw).problems


def write_template(folder, text, name="warm-up.yaml"):
    (folder / "interviews" / name).write_text(text)
    return folder / "interviews" / name


def only(problems, file="interviews/warm-up.yaml"):
    assert problems, "expected a problem"
    assert all(p.file == file for p in problems), [str(p) for p in problems]
    return problems


def line_of(folder, text, name="warm-up.yaml"):
    """1-based line of the first line of the template holding `text`."""
    lines = (folder / "interviews" / name).read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_good_template_is_valid_and_parsed(mock_pack):
    info = validate_pack(mock_pack)
    assert info.valid, [str(p) for p in info.problems]
    [template] = info.interviews
    assert template.slug == "warm-up" and template.rel == "interviews/warm-up.yaml"
    assert template.spec == yaml.safe_load(TEMPLATE) and template.source == TEMPLATE


def test_cli_validate_counts_templates(mock_pack):
    done = subprocess.run([sys.executable, "-m", "lab.cli", "pack", "validate", str(mock_pack)],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "valid (2 challenges, 1 interview template)" in done.stdout


def test_bad_yaml_names_file_and_line(mock_pack):
    write_template(mock_pack, TEMPLATE.replace("passing_score: 50", "passing_score: 50: 60"))
    [problem] = only(problems_of(mock_pack))
    assert "not valid YAML" in problem.message and problem.line == line_of(mock_pack, "50: 60")


@pytest.mark.parametrize("old, new, field, words, at", [
    ("        count: 1\n        weight: 3", "        count: 1\n        colour: red",
     "sections.1.pools.0", "unknown field ('colour'", "kinds: [python]"),  # the pool's first line
    ("topics: [py.identity]", "topics: [py.nonsense]", "sections.0.pools.0.topics.0",
     "'py.nonsense' is not a known topic id", "py.nonsense"),
    ("kinds: [quiz]", "kinds: [cobol]", "sections.0.pools.0.kinds.0", "'cobol' is not one of", "cobol"),
    ("difficulty: {min: easy, max: medium}", "difficulty: {min: easy, max: insane}",
     "sections.1.pools.1.difficulty.max", "is not one of", "insane"),
    ("time_limit: 20m", "time_limit: 20 minutes", "time_limit", "does not match", "20 minutes"),
    ("passing_score: 50", "passing_score: 150", "passing_score", "150", "150"),
    ("        count: 2", "        count: two", "sections.0.pools.0.count", "expected integer",
     "count: two"),
    ("title: Warm-up · 20 min\n", "", "title", "required field is missing", "description"),
])
def test_schema_problems_name_line_and_field(mock_pack, old, new, field, words, at):
    assert old in TEMPLATE
    write_template(mock_pack, TEMPLATE.replace(old, new, 1))
    found = only(problems_of(mock_pack))
    problem = next((p for p in found if p.field == field), None)
    assert problem is not None and words in problem.message, [str(p) for p in found]
    assert problem.line == line_of(mock_pack, at), str(problem)


def test_section_clock_longer_than_the_whole(mock_pack):
    write_template(mock_pack, TEMPLATE.replace("time_limit: 5m", "time_limit: 25m"))
    [problem] = only(problems_of(mock_pack))
    assert problem.field == "sections.0.time_limit" and "longer than the whole" in problem.message
    assert problem.line == line_of(mock_pack, "time_limit: 25m")


def test_seconds_are_a_unit(mock_pack):
    write_template(mock_pack, TEMPLATE.replace("time_limit: 20m", "time_limit: 20s")
                   .replace("time_limit: 5m", "time_limit: 10s"))
    assert problems_of(mock_pack) == []


RUBRIC = textwrap.dedent("""\
    rubric:
      - id: naming
        title: Naming things
        levels: [Vague, Sometimes clear, Clear, Precise and consistent]
      - id: naming
        title: Naming again
        levels: [a, b, c, d]
""")


def test_a_rubric_is_checked_where_it_is_written(mock_pack):
    good = RUBRIC.replace("id: naming\n    title: Naming again", "id: naming_2\n    title: Naming again")
    assert good != RUBRIC
    write_template(mock_pack, TEMPLATE + good)
    assert problems_of(mock_pack) == []
    write_template(mock_pack, TEMPLATE + RUBRIC)
    [problem] = only(problems_of(mock_pack))
    assert problem.field == "rubric.1.id" and "used twice" in problem.message
    assert problem.line == line_of(mock_pack, "title: Naming again") - 1
    write_template(mock_pack, TEMPLATE + good.replace("levels: [a, b, c, d]", "levels: [a, b, c]"))
    problem = next(p for p in only(problems_of(mock_pack)) if p.field == "rubric.1.levels")
    assert problem.message == "expected at least 4 items, got 3"


def test_difficulty_range_that_is_empty(mock_pack):
    write_template(mock_pack, TEMPLATE.replace("{min: easy, max: medium}", "{min: hard, max: easy}"))
    [problem] = only(problems_of(mock_pack))
    assert problem.field == "sections.1.pools.1.difficulty" and "harder than" in problem.message
    assert problem.line == line_of(mock_pack, "min: hard")


@pytest.mark.parametrize("name, words", [
    ("Warm_Up.yaml", "lowercase letters"),
    ("x.yaml", "lowercase letters"),  # one character is too short for a slug
    ("notes.txt", "<slug>.yaml"),
    ("warm-up.yml", "<slug>.yaml"),
])
def test_file_names(mock_pack, name, words):
    write_template(mock_pack, TEMPLATE, name=name)
    found = [p for p in problems_of(mock_pack) if p.file == f"interviews/{name}"]
    assert found and words in found[0].message, [str(p) for p in problems_of(mock_pack)]


def test_folder_inside_interviews(mock_pack):
    (mock_pack / "interviews" / "drafts").mkdir()
    assert any(p.file == "interviews/drafts" for p in problems_of(mock_pack))


def test_top_level_must_be_a_mapping(mock_pack):
    write_template(mock_pack, "- just\n- a list\n")
    [problem] = only(problems_of(mock_pack))
    assert "mapping" in problem.message


def test_from_packs_naming_no_known_pack(mock_pack):
    write_template(mock_pack, TEMPLATE.replace("[mock, examples]", "[mock, exmaples]"))
    [problem] = only(problems_of(mock_pack))
    assert problem.field == "from_packs.1" and "'exmaples' names no known pack" in problem.message
    assert problem.line == line_of(mock_pack, "from_packs")


def test_template_the_catalog_cannot_fill(mock_pack):
    write_template(mock_pack, TEMPLATE.replace("count: 2", "count: 4"))
    [problem] = only(problems_of(mock_pack))
    assert problem.field == "sections.0.pools.0" and problem.line == line_of(mock_pack, "kinds: [quiz]")
    assert "needs 4 quiz questions on py.identity, the catalog has 3" in problem.message


def test_from_packs_restricts_the_fill(mock_pack):
    # without `examples` nothing in the catalog is a python task on decorators
    write_template(mock_pack, TEMPLATE.replace("[mock, examples]", "[mock]"))
    [problem] = only(problems_of(mock_pack))
    assert problem.field == "sections.1.pools.1" and "the catalog has 0" in problem.message


def test_pools_sharing_too_few_items(mock_pack):
    write_template(mock_pack, TEMPLATE.replace("""        topics: [py.stdlib]
        count: 1""", """        topics: [py.stdlib, py.decorators]
        count: 2"""))
    [problem] = only(problems_of(mock_pack))
    assert problem.field == "sections.1.pools.0"
    assert problem.message.startswith("with sections.1.pools.1: together need 3 items, but only 2")


def test_the_pack_replaces_its_bundled_version(mock_pack):
    # renamed to `examples`, the pack hides the bundled examples: no decorator task is left
    data = yaml.safe_load((mock_pack / "pack.yaml").read_text())
    data["name"] = "examples"
    (mock_pack / "pack.yaml").write_text(yaml.safe_dump(data))
    write_template(mock_pack, TEMPLATE.replace("[mock, examples]", "[examples]"))
    [problem] = only(problems_of(mock_pack))
    assert problem.field == "sections.1.pools.1" and "the catalog has 0" in problem.message


def test_catalog_checks_can_be_left_to_the_import(mock_pack):
    write_template(mock_pack, TEMPLATE.replace("[mock, examples]", "[mock, elsewhere]"))
    info = validate_pack(mock_pack, check_catalog=False)
    assert info.valid and len(info.interviews) == 1


def test_a_pack_of_only_templates_is_valid(mock_pack, tmp_path):
    folder = tmp_path / "only-templates"
    (folder / "interviews").mkdir(parents=True)
    (folder / "pack.yaml").write_text((mock_pack / "pack.yaml").read_text().replace("mock", "only"))
    write_template(folder, TEMPLATE.replace("from_packs: [mock, examples]\n", "")
                   .replace("topics: [py.identity]", "topics: [py.identity, py.copy]")
                   .replace("topics: [py.stdlib]", "topics: [py.copy]"))
    info = validate_pack(folder)
    assert info.valid and info.challenges == [], [str(p) for p in info.problems]
    (folder / "interviews" / "warm-up.yaml").unlink()
    assert "no challenge folders" in str(validate_pack(folder).problems)


def test_schema_topics_match_topics_json():
    schema = json.loads((SCHEMA_DIR / "interview.schema.json").read_text())
    topics = json.loads((SCHEMA_DIR / "topics.json").read_text())
    assert schema["$defs"]["topic"]["enum"] == [t["id"] for t in topics["topics"]]


def test_bundled_templates_are_valid_and_fillable():
    info = validate_pack(BUNDLED_PACKS / "interviews")
    assert info.valid, [str(p) for p in info.problems]
    assert sorted(t.slug for t in info.interviews) == [
        "docker-deployment", "flask-backend", "python-fundamentals", "rest-api-design"]
    items, _names = bundled_catalog(info)
    for template in info.interviews:
        assert fill_problems(template.spec, items) == [], template.slug
        drawn = draw(template.spec, items, seed=11, seen=set())
        kinds = {d.item.kind for d in drawn}
        assert "quiz" in kinds and kinds - {"quiz"}, template.slug  # questions and a task
        assert len(template.spec["sections"]) >= 3


def test_bundled_catalog_reads_every_pack():
    items, names = catalog_from_folders(BUNDLED_PACKS)
    folders = {p.parent.name for p in BUNDLED_PACKS.glob("*/pack.yaml")}
    assert names == folders  # every bundled pack folder is named like its pack
    assert {i.pack for i in items} == folders - {"interviews"}


def test_content_coverage_still_runs():
    done = subprocess.run([sys.executable, "-m", "lab.cli", "content", "coverage", "--json"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and json.loads(done.stdout)["quiz_questions"] > 0


# --- import and export (a real app and database) -----------------------------------------

@pytest.fixture
def app(tmp_path):
    from lab.app import create_app
    from lab.extensions import db
    from worker.core.config import Limits, Settings

    external = os.environ.get("LAB_TEST_DATABASE_URL", "")
    settings = Settings(instance_path=tmp_path / "instance", cache_path=ROOT / "instance" / "cache",
                        redis_url="redis://127.0.0.1:1/0", database_url=external,
                        limits=Limits(wall_seconds=5, cpu_seconds=3))
    application = create_app(settings, TESTING=True)
    with application.app_context():
        if external:
            db.drop_all()
        db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()


def _load(app, *packs):
    from lab.packs.importer import load_bundled

    return load_bundled(ROOT / "challenges", app.config["LAB_SETTINGS"], set(packs))


def _counts():
    from lab.extensions import db
    from lab.models import InterviewTemplate, Pack

    return db.session.query(Pack).count(), db.session.query(InterviewTemplate).count()


def test_import_creates_template_rows(app, mock_pack):
    from lab.interviews.catalog import database_catalog
    from lab.models import InterviewTemplate
    from lab.packs.importer import import_pack

    _load(app, "examples")
    pack, created = import_pack(mock_pack, app.config["LAB_SETTINGS"])
    assert created
    [row] = app.extensions["sqlalchemy"].session.query(InterviewTemplate).all()
    assert (row.pack_id, row.slug, row.public_id) == (pack.id, "warm-up", "mock/warm-up")
    assert (row.title, row.description) == ("Warm-up · 20 min", "Two questions, then two tasks.")
    assert (row.time_limit_seconds, row.passing_score) == (1200, 50.0)
    assert row.spec == yaml.safe_load(TEMPLATE) and row.source == TEMPLATE
    catalog = database_catalog()
    assert catalog.pack_names == {"examples", "mock"}
    drawn = draw(row.spec, catalog.items, seed=1, seen=set())
    assert {d.item.challenge for d in drawn} == {"mock/identity-quiz", "mock/word-count",
                                                 "examples/retry-decorator"}
    assert all(d.item.challenge in catalog.challenge_ids for d in drawn)


def test_import_refuses_a_template_the_database_cannot_fill(app, mock_pack):
    from lab.packs.importer import import_pack
    from lab.packs.problems import PackError

    assert validate_pack(mock_pack).valid  # fine against the bundled packs ...
    before = _counts()
    with pytest.raises(PackError) as info:  # ... but `examples` is not in this database
        import_pack(mock_pack, app.config["LAB_SETTINGS"])
    assert str(info.value).startswith("interviews/warm-up.yaml: ")
    [problem] = info.value.problems
    assert problem.file == "interviews/warm-up.yaml" and problem.field == "from_packs.1"
    assert _counts() == before == (0, 0)


def test_import_checks_the_fill_against_enabled_packs_only(app, mock_pack):
    from lab.extensions import db
    from lab.models import Pack
    from lab.packs.importer import import_pack
    from lab.packs.problems import PackError

    _load(app, "examples")
    db.session.query(Pack).filter_by(name="examples").one().enabled = False
    db.session.commit()
    with pytest.raises(PackError) as info:
        import_pack(mock_pack, app.config["LAB_SETTINGS"])
    assert "interviews/warm-up.yaml" in str(info.value)
    assert _counts() == (1, 0)


def test_import_refuses_a_pool_the_database_cannot_fill(app, mock_pack):
    from lab.packs.importer import import_pack
    from lab.packs.problems import PackError

    _load(app, "examples")
    write_template(mock_pack, TEMPLATE.replace("""        topics: [py.decorators]
        difficulty: {min: easy, max: medium}""", """        topics: [py.decorators]
        difficulty: {min: hard}"""))
    with pytest.raises(PackError) as info:
        import_pack(mock_pack, app.config["LAB_SETTINGS"])
    [problem] = info.value.problems
    assert problem.field == "sections.1.pools.1" and "the catalog has 0" in problem.message
    assert "the enabled packs in the database" in problem.message
    assert _counts() == (1, 0)


def test_export_round_trip(app, mock_pack, tmp_path):
    from lab.packs.archive import extract_pack_zip, zip_folder_files
    from lab.packs.importer import export_files, import_pack

    _load(app, "examples")
    pack, _ = import_pack(mock_pack, app.config["LAB_SETTINGS"])
    exported = export_files(pack)
    assert exported["interviews/warm-up.yaml"] == TEMPLATE.encode()
    again = extract_pack_zip(zip_folder_files(exported, "mock"), tmp_path / "out")
    original = {p.relative_to(mock_pack).as_posix(): p.read_bytes() for p in mock_pack.rglob("*")
                if p.is_file()}
    assert {p.relative_to(again).as_posix(): p.read_bytes() for p in again.rglob("*")
            if p.is_file()} == original
    assert validate_pack(again).valid


def test_bundled_packs_load_with_the_templates_after_the_packs_they_draw_from(app):
    from lab.interviews.catalog import database_catalog
    from lab.interviews.templates import fill_problems
    from lab.models import InterviewTemplate

    loaded = _load(app, *[p.parent.name for p in BUNDLED_PACKS.glob("*/pack.yaml")])
    assert loaded[-1] == ("interviews v1", True)
    rows = app.extensions["sqlalchemy"].session.query(InterviewTemplate).all()
    assert sorted(r.slug for r in rows) == ["docker-deployment", "flask-backend",
                                            "python-fundamentals", "rest-api-design"]
    catalog = database_catalog()
    for row in rows:
        assert row.time_limit_seconds in (1800, 2700) and row.pack.name == "interviews"
        assert fill_problems(row.spec, catalog.items) == []
