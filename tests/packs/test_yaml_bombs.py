"""Hostile pack YAML is refused before it is expanded, fast, naming the file and line
(worker/core/safe_yaml.py), and an upload's validation runs under a clock and a memory cap
(lab/packs/guard.py).  The bomb tests run under a memory ceiling and a timeout, so the
code before the fix (10 s and more, gigabytes) fails them without hurting the machine."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from lab.packs.validate import validate_pack
from tests.helpers import ROOT
from tests.packs.bombs import alias_bomb, bomb_challenge_yaml, bomb_pack, memory_ceiling
from worker.core.config import Settings

REFUSED = "are not allowed in packs"


def run_cli(*args: str, memory_mb: int = 1024,
            timeout: float = 20) -> tuple[subprocess.CompletedProcess, float]:
    """`lab ...` in a child capped at `memory_mb` of address space and `timeout` seconds."""
    code = ("import resource, sys\n"
            f"resource.setrlimit(resource.RLIMIT_AS, ({memory_mb} << 20, {memory_mb} << 20))\n"
            "from lab.cli.main import main\n"
            f"sys.argv = ['lab', *{list(args)!r}]\n"
            "main()\n")
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`lab {' '.join(args)}` ran past {timeout} s")
    return done, time.monotonic() - started


def test_the_bomb_is_small(tmp_path):
    text = (bomb_pack(tmp_path).joinpath("word-count", "challenge.yaml")).read_text()
    assert len(text.encode()) < 1024  # about 700 bytes for 9**9 = 387 million strings


def test_alias_bomb_is_refused_fast_by_lab_pack_validate(tmp_path):
    pack = bomb_pack(tmp_path)
    done, seconds = run_cli("pack", "validate", str(pack))
    assert done.returncode == 1, done.stderr[-2000:]
    assert f"{pack}/word-count/challenge.yaml:1: YAML anchors (&a) {REFUSED}" in done.stdout
    assert seconds < 1.0, seconds  # interpreter start included


def test_alias_bomb_in_a_zip_is_refused_fast_by_lab_pack_validate(tmp_path):
    from lab.packs.archive import zip_folder_files

    pack = bomb_pack(tmp_path / "src")
    files = {p.relative_to(pack).as_posix(): p.read_bytes() for p in pack.rglob("*") if p.is_file()}
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(zip_folder_files(files, "bomb"))
    done, seconds = run_cli("pack", "validate", str(archive))
    assert done.returncode == 1 and "word-count/challenge.yaml:1:" in done.stdout, done.stdout
    assert seconds < 1.0, seconds


def _plant(pack: Path, where: str) -> str:
    """An alias bomb in one of the pack's YAML files; the file's name in problems."""
    if where == "challenge.yaml":
        bomb_challenge_yaml(pack / "word-count")
        return "word-count/challenge.yaml"
    if where == "pack.yaml":
        path = pack / "pack.yaml"
        path.write_text(path.read_text() + "x-" + alias_bomb().replace("\n", "\nx-", 8))
        return "pack.yaml"
    (pack / "interviews").mkdir()
    (pack / "interviews" / "mock.yaml").write_text("title: Mock\n" + alias_bomb())
    return "interviews/mock.yaml"


@pytest.mark.parametrize("where", ["challenge.yaml", "pack.yaml", "interviews/mock.yaml"])
def test_alias_bomb_in_any_pack_file_is_refused_with_file_and_line(good_pack, where):
    rel = _plant(good_pack, where)
    started = time.monotonic()
    with memory_ceiling():
        info = validate_pack(good_pack)
    seconds = time.monotonic() - started
    found = [p for p in info.problems if p.file == rel and REFUSED in p.message]
    assert found and found[0].line is not None, [str(p) for p in info.problems]
    assert seconds < 1.0, seconds


def test_an_alias_alone_names_its_own_line():
    from worker.core.safe_yaml import YamlRefused, load

    with pytest.raises(YamlRefused) as info:
        load("title: A\nhints:\n  - one\n  - *first\n", "x/challenge.yaml")
    assert str(info.value).startswith("x/challenge.yaml, line 4: YAML aliases (*first) " + REFUSED)


def test_the_worker_refuses_a_bomb_in_a_challenge_folder(tmp_path):
    """`lab grade` and verification read challenge folders with worker/core/challenge.py."""
    from worker.core.challenge import ChallengeError, load_challenge
    from worker.core.kinds import load_any_challenge

    pack = bomb_pack(tmp_path)
    started = time.monotonic()
    with memory_ceiling():
        for loader in (load_challenge, load_any_challenge):
            with pytest.raises(ChallengeError, match=r"word-count/challenge.yaml, line 1: .*" + REFUSED):
                loader(pack / "word-count")
    assert time.monotonic() - started < 1.0


def test_the_worker_refuses_a_bomb_in_a_stored_challenge():
    """A dockerfile challenge's YAML is read again at grading time, from the database."""
    from worker.core.safe_yaml import YamlRefused
    from worker.jobs.tasks import core_challenge

    row = SimpleNamespace(kind="dockerfile", public_id="p/c", slug="c", title="C", editable=["Dockerfile"],
                          limits={}, points={}, files={"challenge.yaml": alias_bomb() + "probes: *i\n"})
    started = time.monotonic()
    with memory_ceiling(), pytest.raises(YamlRefused, match=r"p/c/challenge.yaml, line 1"):
        core_challenge(row)
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("text, line", [
    ("topics: " + "[" * 100 + "]" * 100 + "\n", 1),  # flow, one line (libyaml has its own limit at 1000)
    ("title: T\n" + "".join("  " * n + f"k{n}:\n" for n in range(40)), 34),  # block
])
def test_deep_nesting_is_refused(good_pack, text, line):
    (good_pack / "word-count" / "challenge.yaml").write_text(text)
    started = time.monotonic()
    found = [p for p in validate_pack(good_pack).problems if p.file == "word-count/challenge.yaml"]
    assert [(p.line, p.message) for p in found] == [(line, "nested more than 32 levels deep")]
    assert time.monotonic() - started < 1.0


def test_a_document_over_the_size_bound_is_refused(good_pack):
    path = good_pack / "word-count" / "challenge.yaml"
    path.write_text(path.read_text() + "# padding\n" * 120_000)
    found = [str(p) for p in validate_pack(good_pack).problems]
    assert any(m.startswith("word-count/challenge.yaml: ") and "more than the 1048576 allowed" in m
               for m in found), found


def test_too_many_values_are_refused(good_pack):
    path = good_pack / "word-count" / "challenge.yaml"
    path.write_text(path.read_text() + "x-many:\n" + "".join(f"  - {n}\n" for n in range(60_000)))
    found = [str(p) for p in validate_pack(good_pack).problems]
    assert any("more than 50000 YAML values in one file" in m for m in found), found


@pytest.mark.parametrize("value, words", [("1" * 5000, "4300 digits"), ("2020-13-45", "month")])
def test_a_value_the_loader_cannot_build_is_a_problem_not_a_crash(good_pack, value, words):
    path = good_pack / "word-count" / "challenge.yaml"
    path.write_text(path.read_text() + f"x-value: {value}\n")
    found = [p for p in validate_pack(good_pack).problems if words in p.message]
    assert found and found[0].line is not None, found


def test_bundled_packs_use_no_anchors_or_aliases():
    """So refusing them costs the bundled content nothing (nor, very likely, authors)."""
    used = []
    for path in sorted((ROOT / "challenges").rglob("*.yaml")):
        for event in yaml.parse(path.read_text(), Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                used.append(f"{path}:{event.start_mark.line + 1}")
    assert not used


# --- the guarded validation of uploads (lab/packs/guard.py) ---------------------------

def test_guarded_validation_reports_what_validate_pack_reports(good_pack):
    from lab.packs.guard import validate_guarded

    assert validate_guarded(good_pack, Settings()).valid
    bomb_challenge_yaml(good_pack / "word-count")
    result = validate_guarded(good_pack, Settings())
    assert [(p.file, p.line) for p in result.problems] == [("word-count/challenge.yaml", 1)]


def test_guarded_validation_stops_at_the_time_limit(good_pack):
    from lab.packs.guard import PackValidationStopped, validate_guarded

    started = time.monotonic()
    with pytest.raises(PackValidationStopped, match=r"^pack validation stopped: it took longer "
                                                    r"than 0\.05 s$"):
        validate_guarded(good_pack, replace(Settings(), pack_validate_seconds=0.05))
    assert time.monotonic() - started < 2


def huge_test_file(pack: Path, megabytes: float = 1) -> None:
    """A hidden test file that is valid Python and alias-free, but whose parse tree takes
    hundreds of MiB (one list literal of half a million items per MiB)."""
    items = int(megabytes * 2**20 / 2)
    path = pack / "word-count" / "tests" / "hidden" / "test_words_hidden.py"
    path.write_text(path.read_text() + "\nBIG = [" + "1," * items + "]\n")


def test_guarded_validation_stops_at_the_memory_limit(good_pack):
    from lab.packs.guard import PackValidationStopped, validate_guarded

    huge_test_file(good_pack)
    with pytest.raises(PackValidationStopped, match=r"^pack validation stopped: it used more "
                                                    r"than 128 MiB$"):
        validate_guarded(good_pack, replace(Settings(), pack_validate_memory_mb=128))


def test_the_child_speaks_json_on_stdout(good_pack):
    """The protocol, as the worker sees it: a request on stdin, one JSON answer."""
    request = {"folder": str(good_pack), "memory_mb": 256, "catalog": None}
    done = subprocess.run([sys.executable, "-m", "lab.packs.guard"], input=json.dumps(request),
                          capture_output=True, text=True, timeout=30, cwd=ROOT, check=True)
    assert json.loads(done.stdout) == {"problems": [], "challenges": 2, "interviews": 0}
