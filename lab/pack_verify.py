"""`lab pack verify`: prove a pack in the sandbox.

For every hands-on challenge: the reference solution passes every public and every
hidden test with the full score; the starter fails at least one hidden test (unless
`starter_may_pass` says why not); every `wrong/<case>` fails at least one hidden test;
no run hits a limit.  For every quiz: each predict-the-output snippet runs in the
sandbox and its output becomes (or must equal) the answer key.  For every interview
template: a draw from the bundled packs plus this pack fills every pool.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import docker

from lab.config import Limits, Settings
from lab.pack_cheats import CHEATS, cheat_files
from lab.pack_validate import ChallengeInfo, PackInfo, validate_pack
from worker.grading import grade
from worker.sandbox import SandboxJob, run_in_sandbox

LIMIT_VERDICTS = {"timeout", "memory_limit", "output_limit", "infra_error"}
SNIPPET_MARK = "@@lab-snippet@@"


@dataclass
class Check:
    challenge: str
    what: str
    ok: bool
    detail: str = ""
    seconds: float = 0.0


@dataclass
class VerifyReport:
    pack: PackInfo
    checks: list[Check] = field(default_factory=list)
    predict_keys: dict[str, dict[str, str]] = field(default_factory=dict)  # slug -> id -> output

    @property
    def ok(self) -> bool:
        return self.pack.valid and all(c.ok for c in self.checks)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}


def _verify_code(info: ChallengeInfo, settings: Settings, client) -> list[Check]:
    from worker.challenge import load_challenge

    challenge = load_challenge(info.path)
    checks = []

    def run(what: str, files: dict[str, bytes], mode: str, want_pass: bool):
        started = time.monotonic()
        result = grade(challenge, files, mode, settings=settings, client=client)
        seconds = time.monotonic() - started
        if result.verdict in LIMIT_VERDICTS:
            ok, detail = False, f"{result.verdict}: {result.message}"
        elif want_pass:
            ok = result.verdict == "passed" and result.score == result.max_score
            detail = "" if ok else f"{result.verdict} {result.score}/{result.max_score}: " + (
                result.message or "; ".join(f"{t.name}: {t.message.splitlines()[0] if t.message else ''}"
                                            for t in result.tests if t.outcome != "passed")[:300])
        else:
            ok = result.verdict != "passed"
            detail = "" if ok else "passed every hidden test; the hidden tests do not catch it"
        checks.append(Check(info.slug, what, ok, detail, round(seconds, 2)))
        return result

    solution = _files(info.path / "solution")
    starter = _files(info.path / "starter")
    run("solution passes hidden tests", solution, "submit", True)
    run("solution passes public tests", solution, "run", True)
    if not info.meta.get("starter_may_pass"):
        starter_result = run("starter fails a hidden test", starter, "submit", False)
    else:
        starter_result = grade(challenge, starter, "submit", settings=settings, client=client)
    wrong = info.path / "wrong"
    for case in sorted(p for p in wrong.iterdir() if p.is_dir()) if wrong.is_dir() else []:
        run(f"wrong/{case.name} fails a hidden test", _files(case), "submit", False)
    if challenge.kind in ("python", "flask"):
        checks.extend(_cheat_checks(info, challenge, starter, starter_result, settings, client))
    return checks


def _cheat_checks(info: ChallengeInfo, challenge, starter: dict[str, bytes], starter_result,
                  settings: Settings, client) -> list[Check]:
    """Every generic cheat scores no more than the starter (lab/pack_cheats.py)."""
    checks = []
    for name, source in CHEATS.items():
        started = time.monotonic()
        files = cheat_files(challenge.editable, starter, source)
        result = grade(challenge, files, "submit", settings=settings, client=client)
        seconds = round(time.monotonic() - started, 2)
        if result.verdict == "infra_error":
            checks.append(Check(info.slug, f"cheat: {name}", False,
                                f"infra_error: {result.message}", seconds))
            continue
        ok = result.score <= starter_result.score
        detail = "" if ok else (
            f"scores {result.score}/{result.max_score}, more than the starter's "
            f"{starter_result.score}; it passes: "
            + ", ".join(t.name for t in result.tests if t.outcome == "passed")[:300])
        checks.append(Check(info.slug, f"cheat: {name} scores no more than the starter", ok,
                            detail, seconds))
    return checks


def run_snippets(snippets: dict[str, str], settings: Settings, client, image: str) -> dict[str, dict]:
    """Run each snippet as its own Python process in one sandbox; id -> {stdout, rc, stderr}.
    The snippets are files of the candidate's side (they run as that user); the driver is a
    test in the judge that starts each and prints what it printed, as the candidate's
    output, which is what a public run hands back."""
    files = {f"snippet_{n}.py": code.encode() for n, code in enumerate(snippets.values())}
    names = list(snippets)
    driver = f'''
import json

from judge import remote_module

NAMES = {json.dumps(names)}


def test_snippets():
    subprocess, builtins = remote_module("subprocess"), remote_module("builtins")
    python = remote_module("sys").executable
    for n, name in enumerate(NAMES):
        done = subprocess.run([python, f"/sandbox/snippet_{{n}}.py"], capture_output=True,
                              text=True, timeout=5, cwd="/tmp")
        builtins.print("{SNIPPET_MARK}" + json.dumps({{"id": name, "stdout": done.stdout,
                       "rc": done.returncode, "stderr": done.stderr[-400:]}}), flush=True)
'''
    seconds = max(10, 2 * len(snippets))
    limits = Limits(wall_seconds=seconds, test_seconds=seconds, cpu_seconds=max(8, 2 * len(snippets)))
    job = SandboxJob(files=files, judge_files={"tests/public/test_snippets.py": driver.encode()},
                     test_paths=["tests/public"], visibility="public", modules=[],
                     output_keep_bytes=512 * 1024)
    run = run_in_sandbox(client, image, job, limits, settings.grace_seconds,
                         runtime=settings.runtime)
    report = json.loads(run.log or b"{}")
    found = {}
    for line in report.get("output", "").splitlines():
        if line.startswith(SNIPPET_MARK):
            entry = json.loads(line[len(SNIPPET_MARK):])
            found[entry.pop("id")] = entry
    return found


def normalise_output(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.rstrip("\n").splitlines())


def _verify_quiz(info: ChallengeInfo, settings: Settings, client, image: str,
                 keys: dict[str, dict[str, str]]) -> list[Check]:
    predict = {q["id"]: q["snippet"] for q in info.meta["questions"] if q["type"] == "predict"}
    checks = [Check(info.slug, f"{len(info.meta['questions'])} questions well formed", True)]
    if not predict:
        return checks
    started = time.monotonic()
    outputs = run_snippets(predict, settings, client, image)
    seconds = round(time.monotonic() - started, 2)
    keys[info.slug] = {}
    for question in info.meta["questions"]:
        if question["type"] != "predict":
            continue
        qid = question["id"]
        out = outputs.get(qid)
        if out is None:
            checks.append(Check(info.slug, f"predict {qid}", False, "the snippet produced no result",
                                seconds))
            continue
        actual = normalise_output(out["stdout"])
        if out["rc"] != 0:
            checks.append(Check(info.slug, f"predict {qid}", False,
                                f"the snippet exited {out['rc']}: {out['stderr'].strip()[-200:]}",
                                seconds))
        elif "answer" in question and normalise_output(str(question["answer"])) != actual:
            checks.append(Check(info.slug, f"predict {qid}", False,
                                f"the key says {question['answer']!r} but the snippet prints {actual!r}",
                                seconds))
        elif not actual:
            checks.append(Check(info.slug, f"predict {qid}", False, "the snippet prints nothing",
                                seconds))
        else:
            keys[info.slug][qid] = actual
            checks.append(Check(info.slug, f"predict {qid}", True, "", seconds))
    return checks


def verify_pack(path: str | Path, settings: Settings, client: docker.DockerClient, image: str,
                progress: Callable[[ChallengeInfo], None] | None = None,
                parallel: int = 2, catalog: tuple[list, set[str]] | None = None) -> VerifyReport:
    """`catalog` (items, pack names): what interview templates may draw from, when not
    the bundled packs."""
    info = validate_pack(path, catalog=catalog)
    report = VerifyReport(pack=info)
    if not info.valid:
        return report

    def one(challenge: ChallengeInfo) -> list[Check]:
        try:
            if challenge.meta["kind"] == "quiz":
                return _verify_quiz(challenge, settings, client, image, report.predict_keys)
            return _verify_code(challenge, settings, client)
        except Exception as exc:  # noqa: BLE001 - one broken challenge must not hide the rest
            return [Check(challenge.slug, "verification ran", False, f"{type(exc).__name__}: {exc}")]
        finally:
            if progress:
                progress(challenge)

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        for checks in pool.map(one, info.challenges):
            report.checks.extend(checks)
    report.checks.extend(_verify_templates(info, catalog))
    return report


def _verify_templates(info: PackInfo, catalog: tuple[list, set[str]] | None = None) -> list[Check]:
    """Validation already checked the fill; this draws once, as starting an interview
    would, and says what the draw holds."""
    from lab.interview_templates import DrawError, draw
    from lab.interview_validate import bundled_catalog, own_catalog

    if not info.interviews:
        return []
    items, _names = bundled_catalog(info) if catalog is None else catalog
    catalog = [i for i in items if i.pack != info.meta.get("name")] + own_catalog(info)
    checks = []
    for template in info.interviews:
        started = time.monotonic()
        try:
            drawn = draw(template.spec, catalog, seed=0, seen=set())
        except DrawError as exc:
            checks.append(Check(template.rel, "template draws its items", False, str(exc)))
            continue
        tasks = sum(1 for d in drawn if d.item.question_id is None)
        questions = len(drawn) - tasks
        checks.append(Check(template.rel, f"draws {tasks} task{'s' * (tasks != 1)}, {questions} "
                            f"question{'s' * (questions != 1)}", True, "",
                            round(time.monotonic() - started, 2)))
    return checks
