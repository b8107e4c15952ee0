"""`lab pack verify` proves packs, and catches what is wrong with them."""

import subprocess
import sys

import pytest
import yaml

from lab.packs.scaffold import scaffold
from lab.packs.verify import verify_pack
from tests.helpers import ROOT
from worker.core.config import load_settings
from worker.core.images import runner_image_tag
from worker.core.kinds import KINDS

pytestmark = pytest.mark.docker


def verify(folder, client):
    return verify_pack(folder, load_settings(), client, runner_image_tag("python"))


def failures(report):
    return [(c.challenge, c.what, c.detail) for c in report.checks if not c.ok]


@pytest.mark.parametrize("kind", tuple(KINDS))
def test_scaffold_of_every_kind_verifies(kind, tmp_path, docker_client):
    report = verify(scaffold(f"new-{kind}", kind, tmp_path), docker_client)
    assert report.ok, failures(report)


def test_reference_that_fails_is_caught(tmp_path, docker_client):
    folder = scaffold("pk", "python", tmp_path)
    (folder / "word-count" / "solution" / "words.py").write_text("def count_words(t):\n    return {}\n")
    found = failures(verify(folder, docker_client))
    assert ("word-count", "solution passes hidden tests") in [f[:2] for f in found]


def test_starter_that_passes_is_caught(tmp_path, docker_client):
    folder = scaffold("pk", "python", tmp_path)
    solution = (folder / "word-count" / "solution" / "words.py").read_text()
    (folder / "word-count" / "starter" / "words.py").write_text(solution)
    found = failures(verify(folder, docker_client))
    assert [f[:2] for f in found] == [("word-count", "starter fails a hidden test")]


def test_starter_may_pass_with_a_reason(tmp_path, docker_client):
    folder = scaffold("pk", "python", tmp_path)
    solution = (folder / "word-count" / "solution" / "words.py").read_text()
    (folder / "word-count" / "starter" / "words.py").write_text(solution)
    meta = folder / "word-count" / "challenge.yaml"
    meta.write_text(meta.read_text() + "starter_may_pass: a refactoring task starts from working code\n")
    assert verify(folder, docker_client).ok


def test_wrong_solution_the_tests_miss_is_caught(tmp_path, docker_client):
    folder = scaffold("pk", "python", tmp_path)
    lenient = folder / "word-count" / "wrong" / "lenient"
    lenient.mkdir(parents=True)
    (lenient / "words.py").write_text((folder / "word-count" / "solution" / "words.py").read_text())
    found = failures(verify(folder, docker_client))
    assert found == [("word-count", "wrong/lenient fails a hidden test",
                      "passed every hidden test; the hidden tests do not catch it")]


def test_wrong_predict_key_is_caught(tmp_path, docker_client):
    folder = scaffold("qk", "quiz", tmp_path)
    meta = folder / "basics-quiz" / "challenge.yaml"
    data = yaml.safe_load(meta.read_text())
    data["questions"][1]["answer"] = "1"
    meta.write_text(yaml.safe_dump(data))
    found = failures(verify(folder, docker_client))
    assert len(found) == 1 and "the key says '1' but the snippet prints '2'" in found[0][2]


def test_cli_summary_and_exit_code(tmp_path, docker_client):
    folder = scaffold("pk", "python", tmp_path)
    done = subprocess.run([sys.executable, "-m", "lab.cli", "pack", "verify", str(folder)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "12 of 12 checks ok" in done.stdout


BUNDLED = sorted(p.parent.name for p in (ROOT / "challenges").glob("*/pack.yaml"))


@pytest.mark.parametrize("pack", BUNDLED)
def test_bundled_pack_verifies(pack, docker_client):
    report = verify(ROOT / "challenges" / pack, docker_client)
    assert report.pack.valid, [str(p) for p in report.pack.problems]
    assert report.ok, failures(report)


def test_a_suite_a_generic_cheat_beats_is_caught(tmp_path, docker_client):
    """A hidden test satisfied by an empty result: the lying dict subclass (and the do-
    nothing module's siblings) score more than the starter, so verify names the cheat."""
    folder = scaffold("pk", "python", tmp_path)
    hidden = folder / "word-count" / "tests" / "hidden" / "test_words_hidden.py"
    hidden.write_text(hidden.read_text().replace('    assert count_words("one") == {"one": 1}\n', ""))
    starter = folder / "word-count" / "starter" / "words.py"
    starter.write_text("def count_words(text):\n    raise NotImplementedError\n")
    found = failures(verify(folder, docker_client))
    assert ("word-count", "cheat: a lying dict subclass scores no more than the starter") in [
        f[:2] for f in found], found
    detail = next(f[2] for f in found if "lying dict" in f[1])
    assert "more than the starter's 0" in detail and "test_empty_text" in detail
