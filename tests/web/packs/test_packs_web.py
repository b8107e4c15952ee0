"""Pack import/export, versions, instructor uploads, quizzes in the web app."""

import html
import io
import re

import pytest
import yaml

from lab.extensions import db
from lab.models import Challenge, Pack, PackUpload, Submission
from lab.packs.archive import extract_pack_zip, zip_folder_files
from lab.packs.importer import export_files, import_pack
from lab.packs.problems import PackError
from lab.packs.scaffold import scaffold


def bump(folder, version, title=None):
    data = yaml.safe_load((folder / "pack.yaml").read_text())
    data["version"] = version
    (folder / "pack.yaml").write_text(yaml.safe_dump(data))
    if title:
        path = folder / "word-count" / "challenge.yaml"
        path.write_text(path.read_text().replace("title: Count words", f"title: {title}"))


@pytest.fixture
def sample(tmp_path):
    return scaffold("sample", "python", tmp_path / "src")


def test_import_export_round_trip(app, sample, tmp_path):
    with app.app_context():
        pack, created = import_pack(sample, app.config["LAB_SETTINGS"])
        assert created and pack.challenges[0].slug == "word-count"
        exported = export_files(pack)
    again = extract_pack_zip(zip_folder_files(exported, "sample"), tmp_path / "out")
    original = {p.relative_to(sample).as_posix(): p.read_bytes() for p in sample.rglob("*")
                if p.is_file()}
    round_trip = {p.relative_to(again).as_posix(): p.read_bytes() for p in again.rglob("*")
                  if p.is_file()}
    assert round_trip == original


def test_same_version_twice_is_refused_and_changes_nothing(app, sample):
    with app.app_context():
        import_pack(sample, app.config["LAB_SETTINGS"])
        with pytest.raises(PackError, match="imported already"):
            import_pack(sample, app.config["LAB_SETTINGS"])
        assert db.session.query(Pack).filter_by(name="sample").count() == 1


def test_invalid_pack_imports_nothing(app, sample):
    (sample / "word-count" / "prompt.md").unlink()
    with app.app_context():
        with pytest.raises(PackError) as info:
            import_pack(sample, app.config["LAB_SETTINGS"])
        assert any("prompt.md" in str(p) for p in info.value.problems)
        assert db.session.query(Pack).filter_by(name="sample").count() == 0


def test_new_version_keeps_old_submissions_on_the_old_version(app, sample, candidate):
    with app.app_context():
        import_pack(sample, app.config["LAB_SETTINGS"])
    r = candidate.post("/challenges/sample/word-count/submissions",
                       data={"file:words.py": "def count_words(t):\n    return {}\n",
                             "mode": "submit", "csrf_token": candidate.csrf})
    assert r.status_code == 303
    bump(sample, 2, title="Count words, second edition")
    (sample / "word-count" / "tests" / "hidden" / "test_words_hidden.py").write_text(
        (sample / "word-count" / "tests" / "hidden" / "test_words_hidden.py").read_text()
        + '\n\ndef test_new_in_v2():\n    """Only version 2 has this test"""\n    assert True\n')
    with app.app_context():
        import_pack(sample, app.config["LAB_SETTINGS"])
        old = db.session.query(Submission).one()
        assert old.challenge.pack.version == 1
        assert "test_new_in_v2" not in old.challenge.files["tests/hidden/test_words_hidden.py"]
        from worker.jobs.tasks import core_challenge

        assert "test_new_in_v2" not in core_challenge(old.challenge).test_files("hidden")[
            "tests/hidden/test_words_hidden.py"].decode()
    page = candidate.get("/challenges/sample/word-count")
    assert "second edition" in page.text
    assert candidate.get(f"/submissions/{old.id}").status_code == 200


def upload(client, data: bytes, name="pack.zip"):
    return client.post("/instructor/packs", data={"pack": (io.BytesIO(data), name),
                                                  "csrf_token": client.csrf},
                       content_type="multipart/form-data")


def test_upload_as_candidate_is_403(app, candidate, sample):
    files = {p.relative_to(sample).as_posix(): p.read_bytes() for p in sample.rglob("*")
             if p.is_file()}
    r = upload(candidate, zip_folder_files(files, "sample"))
    assert r.status_code == 403
    with app.app_context():
        assert db.session.query(PackUpload).count() == 0


def test_upload_refuses_hostile_zip_at_once(app, instructor_client):
    from tests.packs.test_zip import CORPUS

    r = upload(instructor_client, CORPUS["dot-dot"][0])
    assert r.status_code == 400 and "'..' is not allowed" in html.unescape(r.text)
    r = upload(instructor_client, b"not a zip")
    assert r.status_code == 400 and "not a zip" in r.text
    # said on the packs page, above the form, where the instructor can try again
    assert 'id="upload-error"' in r.text and "Nothing was stored." in r.text
    assert 'action="/instructor/packs"' in r.text and "<h1>Packs</h1>" in r.text
    empty = instructor_client.post("/instructor/packs", data={"csrf_token": instructor_client.csrf},
                                   content_type="multipart/form-data")
    assert empty.status_code == 400 and "Choose a pack zip to upload." in empty.text
    with app.app_context():
        assert db.session.query(PackUpload).count() == 0


@pytest.mark.docker
def test_upload_is_verified_and_imported_by_the_worker(app, instructor_client, sample, monkeypatch,
                                                       docker_client):
    from worker.jobs import tasks

    queued = app.uploads_queued
    files = {p.relative_to(sample).as_posix(): p.read_bytes() for p in sample.rglob("*")
             if p.is_file()}
    r = upload(instructor_client, zip_folder_files(files, "sample"))
    assert r.status_code == 303
    page = instructor_client.get(r.location)
    assert "Waiting for a worker" in page.text
    with app.app_context():
        assert tasks.verify_upload_now(queued[0]) is True
    page = instructor_client.get(r.location).text
    assert "Imported: sample version 1" in page and "FAIL" not in page
    # a broken pack: its starter passes, so verification fails and nothing is imported
    bump(sample, 2)
    (sample / "word-count" / "starter" / "words.py").write_text(
        (sample / "word-count" / "solution" / "words.py").read_text())
    files = {p.relative_to(sample).as_posix(): p.read_bytes() for p in sample.rglob("*")
             if p.is_file()}
    r = upload(instructor_client, zip_folder_files(files, "sample"))
    with app.app_context():
        assert tasks.verify_upload_now(queued[1]) is False
        assert db.session.query(Pack).filter_by(name="sample").count() == 1
    page = instructor_client.get(r.location).text
    assert "Not imported" in page and "starter fails a hidden test" in page


def test_enable_disable_a_version(app, instructor_client, sample):
    with app.app_context():
        pack, _ = import_pack(sample, app.config["LAB_SETTINGS"])
        pack_id = pack.id
    r = instructor_client.post(f"/instructor/packs/{pack_id}/enabled",
                               data={"enabled": "0", "csrf_token": instructor_client.csrf})
    assert r.status_code == 303
    assert "Count words" not in instructor_client.get("/challenges").text
    instructor_client.post(f"/instructor/packs/{pack_id}/enabled",
                           data={"enabled": "1", "csrf_token": instructor_client.csrf})
    assert "Count words" in instructor_client.get("/challenges").text


@pytest.mark.docker
def test_quiz_page_answers_and_review(app, candidate, tmp_path, docker_client):
    quiz = scaffold("quizpack", "quiz", tmp_path)
    with app.app_context():
        import_pack(quiz, app.config["LAB_SETTINGS"])
        stored = db.session.query(Challenge).filter_by(slug="basics-quiz").one().questions
        assert [q["answer"] for q in stored] == [1, "2"]  # the predict key came from the sandbox
    page = candidate.get("/challenges/quizpack/basics-quiz").text
    assert "What does this print?" in page and "made once" not in page  # no explanation yet
    r = candidate.post("/challenges/quizpack/basics-quiz/quiz",
                       data={"q:is-or-eq": "1", "q:shared-default": " 2 \n",
                             "csrf_token": candidate.csrf})
    assert r.status_code == 303
    review = candidate.get(r.location).text
    assert re.search(r"Passed.*2 of 2 points", review, re.S) and "made once" in review


def test_quiz_api_rejects_bad_answers(app, token, tmp_path, monkeypatch):
    quiz = scaffold("quizpack", "quiz", tmp_path)
    monkeypatch.setattr("lab.packs.importer._predict_keys",
                        lambda q, s: {"basics-quiz": {"shared-default": "2"}})
    with app.app_context():
        import_pack(quiz, app.config["LAB_SETTINGS"])
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    detail = client.get("/api/v1/challenges/quizpack/basics-quiz", headers=headers).get_json()
    assert "answer" not in detail["questions"][0] and "explanation" not in detail["questions"][0]
    bad = client.post("/api/v1/submissions", headers=headers,
                      json={"challenge": "quizpack/basics-quiz", "answers": {"is-or-eq": 7}})
    assert bad.status_code == 422 and "is-or-eq" in bad.get_json()["error"]
    bad = client.post("/api/v1/submissions", headers=headers,
                      json={"challenge": "quizpack/basics-quiz", "answers": {"nope": 1}})
    assert bad.status_code == 422 and "unknown question" in bad.get_json()["error"]
    ok = client.post("/api/v1/submissions", headers=headers,
                     json={"challenge": "quizpack/basics-quiz", "answers": {"is-or-eq": 1}})
    assert ok.status_code == 202
    result = client.get(f"/api/v1/submissions/{ok.get_json()['id']}", headers=headers).get_json()
    assert result["status"] == "done" and (result["score"], result["max_score"]) == (1, 2)


@pytest.mark.docker
def test_uploaded_template_may_draw_from_a_pack_only_the_database_holds(
        app, instructor_client, sample, monkeypatch, docker_client):
    from lab.models import InterviewTemplate
    from worker.jobs import tasks

    queued = app.uploads_queued
    with app.app_context():
        import_pack(sample, app.config["LAB_SETTINGS"])  # "sample" is in no bundled folder
    template = ("title: Sample interview\ntime_limit: 10m\nfrom_packs: [sample]\nsections:\n"
                "  - title: Task\n    pools:\n      - {kinds: [python], count: COUNT}\n")
    for count, ok in ((1, True), (5, False)):
        files = {"pack.yaml": f"name: sample-interviews\nversion: {count}\ntitle: Sample interviews\n"
                              "description: d\nauthors: [t]\nlicense: CC-BY-4.0\n".encode(),
                 "interviews/sample.yaml": template.replace("COUNT", str(count)).encode()}
        assert upload(instructor_client, zip_folder_files(files, "si")).status_code == 303
        with app.app_context():
            assert tasks.verify_upload_now(queued[-1]) is ok
            report = db.session.get(PackUpload, queued[-1]).report
            stored = db.session.query(InterviewTemplate).filter_by(slug="sample").count()
        assert stored == 1, report  # the second, unfillable one stored nothing
        if not ok:
            assert any("interviews/sample.yaml" in p and "python" in p for p in report["problems"]), report


def test_instructor_challenge_stats(app, instructor_client):
    """Attempts, pass rate, median minutes from first try to first pass and the test that
    fails most often, from Submit runs only: as challenge_stats computes them and as the
    instructor page shows them."""
    from datetime import datetime, timedelta

    from lab.packs.views import challenge_stats
    from tests.helpers import make_user
    from worker.core.result import Result, TestResult

    gives_up, until_success = "test_gives_up_after_the_last_attempt", "test_retries_until_success"

    def result(verdict, failing=()):
        tests = [TestResult(name=name, outcome="failed" if name in failing else "passed",
                            message="assert False" if name in failing else "", duration=0.1,
                            visibility="hidden", id=f"tests/hidden/test_retry_hidden.py::{name}")
                 for name in (until_success, gives_up, "test_keeps_metadata")]
        return Result(verdict=verdict, tests=tests).to_dict()

    t0 = datetime(2024, 5, 1, 9, 0)
    # user: [(minutes after t0, verdict, failing tests)]; minutes to solve are counted from
    # the user's first submit to their first passing one
    history = {
        "a": [(0, "failed", [gives_up]), (10, "passed", []), (60, "passed", [])],  # 10 min
        "b": [(1, "failed", [gives_up]), (5, "failed", [gives_up, until_success]),
              (31, "passed", [])],  # 30 min
        "c": [(2, "passed", [])],  # 0 min
        "d": [(3, "failed", [until_success]), (9, "failed", [until_success])],  # never
        "e": [(0, "failed", [gives_up]), (50, "passed", [])],  # 50 min
    }
    with app.app_context():
        retry = db.session.query(Challenge).filter_by(slug="retry-decorator").one()
        other = db.session.query(Challenge).filter_by(slug="generator-pipeline").one()
        users = {name: make_user(app, f"{name}@example.com") for name in history}
        rows = [Submission(user_id=users[name], challenge_id=retry.id, mode="submit", files={},
                           status="done", verdict=verdict, result=result(verdict, failing),
                           created_at=t0 + timedelta(minutes=minutes))
                for name, runs in history.items() for minutes, verdict, failing in runs]
        # not counted: a Run, a submit still queued, a submit of another challenge
        rows += [
            Submission(user_id=users["d"], challenge_id=retry.id, mode="run", files={},
                       status="done", verdict="failed", result=result("failed", [until_success]),
                       created_at=t0),
            Submission(user_id=users["d"], challenge_id=retry.id, mode="submit", files={},
                       status="queued", created_at=t0 + timedelta(minutes=70)),
            Submission(user_id=users["a"], challenge_id=other.id, mode="submit", files={},
                       status="done", verdict="failed", result=result("failed", [until_success]),
                       created_at=t0),
        ]
        db.session.add_all(rows)
        db.session.commit()
        retry_id, other_id, version = retry.id, other.id, str(retry.pack.version)
        stats = challenge_stats([retry_id, other_id])
    # 11 submits, 5 passed (45.5 %); solved in 10, 30, 0, 50 minutes (median 20, mean 22.5);
    # gives_up failed in 4 submits, until_success in 3
    assert stats[retry_id] == {"attempts": 11, "passed": 5, "pass_rate": 45, "median_minutes": 20.0,
                               "top_failing": f"{gives_up} (4x)"}
    assert stats[other_id] == {"attempts": 1, "passed": 0, "pass_rate": 0, "median_minutes": None,
                               "top_failing": f"{until_success} (1x)"}

    page = instructor_client.get("/instructor/")
    assert page.status_code == 200

    def cells(public_id):
        row = re.search(rf"<tr><td>{re.escape(public_id)}</td>(.*?)</tr>", page.text, re.S)
        assert row, public_id
        return [html.unescape(c).strip() for c in re.findall(r"<td>(.*?)</td>", row.group(1), re.S)]

    # version, kind, submits, pass rate, median time to solve, most often failing
    assert cells("examples/retry-decorator") == [version, "python", "11", "45 %", "20.0 min",
                                                 f"{gives_up} (4x)"]
    assert cells("examples/generator-pipeline") == [version, "python", "1", "0 %", "–",
                                                    f"{until_success} (1x)"]
    assert cells("examples/timer-context-manager") == [version, "python", "0", "–", "–", ""]


def test_an_instructor_error_page_leads_back_to_the_packs(instructor_client):
    missing = instructor_client.get("/instructor/uploads/999999")
    assert missing.status_code == 404 and "No such upload." in missing.text
    assert '<a href="/instructor/">Back to the packs</a>' in missing.text


def test_a_reupload_of_an_imported_version_is_refused_before_any_sandbox_run(
        app, instructor_client, sample, monkeypatch):
    from worker.jobs import tasks

    def no_sandbox(*args, **kwargs):
        raise AssertionError("the sandbox was started for a version the lab holds")

    monkeypatch.setattr(tasks, "verify_pack", no_sandbox)
    monkeypatch.setattr(tasks, "connect", no_sandbox)
    with app.app_context():
        import_pack(sample, app.config["LAB_SETTINGS"])
    files = {p.relative_to(sample).as_posix(): p.read_bytes() for p in sample.rglob("*")
             if p.is_file()}
    r = upload(instructor_client, zip_folder_files(files, "sample"))
    assert r.status_code == 303
    with app.app_context():
        assert tasks.verify_upload_now(app.uploads_queued[-1]) is False
        report = db.session.get(PackUpload, app.uploads_queued[-1]).report
    assert report["checks"] == [] and report["imported"] is None
    assert "sample version 1 is imported already" in report["problems"][0]
    page = instructor_client.get(r.location).text
    assert "imported already" in page


def test_the_packs_page_explains_the_zip_layout(instructor_client):
    page = instructor_client.get("/instructor/").text
    assert "What goes in the zip" in page and "tests/hidden/" in page and "lab pack new" in page
