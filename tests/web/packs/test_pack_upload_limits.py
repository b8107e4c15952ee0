"""Hostile uploads end in a clear report, fast, and leave the stored packs alone: the
worker validates an upload in a child process under a clock and a memory cap
(lab/packs/guard.py), whose YAML loader refuses alias bombs (worker/core/safe_yaml.py).
None of these reach the sandbox: the pack is refused before verification."""

from __future__ import annotations

import html
import time
from dataclasses import replace

import pytest

from lab.extensions import db
from lab.models import Pack, PackUpload
from lab.packs.archive import zip_folder_files
from lab.packs.importer import import_pack
from lab.packs.problems import PackError
from lab.packs.scaffold import scaffold
from tests.packs.bombs import bomb_challenge_yaml, memory_ceiling
from tests.packs.test_yaml_bombs import huge_test_file
from tests.web.packs.test_packs_web import bump, upload


@pytest.fixture
def sample(tmp_path):
    return scaffold("sample", "python", tmp_path / "src")


@pytest.fixture
def queued(app):
    return app.uploads_queued


def zipped(folder) -> bytes:
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    return zip_folder_files(files, folder.name)


def run_worker(app, upload_id: int) -> tuple[bool, dict, float]:
    from worker.jobs.tasks import verify_upload_now

    started = time.monotonic()
    with app.app_context(), memory_ceiling():
        ok = verify_upload_now(upload_id)
        row = db.session.get(PackUpload, upload_id)
        assert row.status == "done"
        return ok, row.report, time.monotonic() - started


def served_title(client) -> str:
    page = html.unescape(client.get("/challenges/sample/word-count").text)
    return "second edition" if "second edition" in page else "first"


def test_uploaded_alias_bomb_is_refused_fast_naming_file_and_line(app, instructor_client, sample,
                                                                   queued):
    bomb_challenge_yaml(sample / "word-count")
    r = upload(instructor_client, zipped(sample))
    assert r.status_code == 303
    ok, report, seconds = run_worker(app, queued[0])
    assert not ok and report["imported"] is None
    assert "word-count/challenge.yaml:1: YAML anchors (&a) are not allowed in packs; write the " \
           "value out where it is used" in report["problems"], report
    assert seconds < 1.0, seconds  # the child process's start included
    page = html.unescape(instructor_client.get(r.location).text)
    assert "Not imported" in page and "word-count/challenge.yaml:1: YAML anchors" in page


def test_lab_pack_import_refuses_an_alias_bomb(app, sample):
    """`lab pack import` (and the bundled packs' loading) goes through import_pack."""
    bomb_challenge_yaml(sample / "word-count")
    started = time.monotonic()
    with app.app_context(), memory_ceiling():
        with pytest.raises(PackError) as info:
            import_pack(sample, app.config["LAB_SETTINGS"])
        assert db.session.query(Pack).filter_by(name="sample").count() == 0
    assert [(p.file, p.line) for p in info.value.problems] == [("word-count/challenge.yaml", 1)]
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("limit, words", [
    ({"pack_validate_seconds": 0.05}, "pack validation stopped: it took longer than 0.05 s"),
    ({"pack_validate_memory_mb": 128}, "pack validation stopped: it used more than 128 MiB"),
])
def test_upload_past_a_validation_limit_is_a_clear_error_and_the_old_version_stays(
        app, instructor_client, sample, queued, limit, words):
    with app.app_context():
        import_pack(sample, app.config["LAB_SETTINGS"])
    assert served_title(instructor_client) == "first"
    bump(sample, 2, title="Count words, second edition")
    if "pack_validate_memory_mb" in limit:
        huge_test_file(sample)  # alias-free; its parse tree needs hundreds of MiB
    app.config["LAB_SETTINGS"] = replace(app.config["LAB_SETTINGS"], **limit)
    r = upload(instructor_client, zipped(sample))
    ok, report, seconds = run_worker(app, queued[0])
    assert not ok and report["problems"] == [words] and report["imported"] is None, report
    assert seconds < 10, seconds
    with app.app_context():
        assert [p.version for p in db.session.query(Pack).filter_by(name="sample")] == [1]
    assert served_title(instructor_client) == "first"
    page = html.unescape(instructor_client.get(r.location).text)
    assert "Not imported" in page and words in page
