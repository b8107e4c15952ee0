"""`lab pack verify`: prove a pack in the sandbox.

For every hands-on challenge, the gradings of lab/packs/runs.py (reference solution,
starter, wrong cases, generic cheats).  For every quiz: each predict-the-output snippet
runs in the sandbox and its output becomes (or must equal) the answer key.  For every
interview template: a draw from the bundled packs plus this pack fills every pool.

Every grading is scheduled on its own, `parallel` at a time, on a warm pool of sandbox
containers started for the run, so a pack of many small challenges pays neither
container starts nor one challenge at a time.  The report says how that time compares
with plain pytest of the same tests (lab/packs/runs.py: bare_seconds).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import docker

from lab.interviews.templates import DrawError, draw
from lab.interviews.validate import bundled_catalog, own_catalog
from lab.packs.runs import Check, PlannedRun, Timing, bare_seconds, checks_of, plan
from lab.packs.validate import ChallengeInfo, PackInfo, validate_pack
from worker.core.challenge import ChallengeError
from worker.core.config import Limits, Settings
from worker.core.grading import grade
from worker.core.kinds import get_kind, load_any_challenge
from worker.core.pool import SandboxPool
from worker.core.sandbox import SandboxJob, run_in_sandbox

SNIPPET_MARK = "@@lab-snippet@@"


@dataclass
class VerifyReport:
    pack: PackInfo
    checks: list[Check] = field(default_factory=list)
    predict_keys: dict[str, dict[str, str]] = field(default_factory=dict)  # slug -> id -> output
    timing: Timing = field(default_factory=Timing)

    @property
    def ok(self) -> bool:
        return self.pack.valid and all(c.ok for c in self.checks)


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
                parallel: int = 2, catalog: tuple[list, set[str]] | None = None,
                warm: bool = True) -> VerifyReport:
    """`catalog` (items, pack names): what interview templates may draw from, when not
    the bundled packs.  `warm`: grade on a pool of containers started for this run."""
    info = validate_pack(path, catalog=catalog)
    report = VerifyReport(pack=info)
    if not info.valid:
        return report

    runs: dict[str, list[PlannedRun]] = {}
    broken: dict[str, Check] = {}
    quizzes = []
    for challenge in info.challenges:
        if not get_kind(challenge.meta["kind"]).hands_on:
            quizzes.append(challenge)  # checked on the spot: no files to run
            continue
        try:
            runs[challenge.slug] = plan(challenge.slug, load_any_challenge(challenge.path),
                                        challenge.path)
        except (ChallengeError, OSError) as exc:
            broken[challenge.slug] = Check(challenge.slug, "verification ran", False,
                                           f"{type(exc).__name__}: {exc}")
    pending = {slug: len(planned) for slug, planned in runs.items()}
    by_slug = {c.slug: c for c in info.challenges}
    lock = threading.Lock()
    pool = _start_pool(settings, image, parallel) if warm and runs else None

    def grade_one(run: PlannedRun) -> None:
        started = time.monotonic()
        try:
            run.result = grade(run.challenge, run.files, run.mode, settings=settings,
                               client=client, pool=pool)
        except Exception as exc:  # noqa: BLE001 - one broken challenge must not hide the rest
            run.error = f"{type(exc).__name__}: {exc}"
        run.seconds = time.monotonic() - started
        with lock:
            pending[run.slug] -= 1
            done = pending[run.slug] == 0
        if done and progress:
            progress(by_slug[run.slug])

    def quiz_one(challenge: ChallengeInfo) -> list[Check]:
        try:
            return _verify_quiz(challenge, settings, client, image, report.predict_keys)
        except Exception as exc:  # noqa: BLE001
            return [Check(challenge.slug, "verification ran", False, f"{type(exc).__name__}: {exc}")]
        finally:
            if progress:
                progress(challenge)

    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=max(1, parallel)) as executor:
            quiz_checks = executor.map(quiz_one, quizzes)
            list(executor.map(grade_one, [r for planned in runs.values() for r in planned]))
            quiz_checks = list(quiz_checks)
    finally:
        if pool is not None:
            pool.close()
    report.timing.seconds = time.monotonic() - started
    quiz_by_slug = {c.slug: checks for c, checks in zip(quizzes, quiz_checks, strict=True)}
    for challenge in info.challenges:  # in the pack's order
        if challenge.slug in broken:
            report.checks.append(broken[challenge.slug])
        elif challenge.slug in runs:
            report.checks.extend(checks_of(runs[challenge.slug],
                                           bool(challenge.meta.get("starter_may_pass"))))
        else:
            report.checks.extend(quiz_by_slug.get(challenge.slug, []))
    if runs:
        _time_bare(info, runs, report.timing)
    report.checks.extend(_verify_templates(info, catalog))
    return report


def _start_pool(settings: Settings, image: str, parallel: int):
    """Containers started ahead for the default limits (most challenges' own)."""

    try:
        return SandboxPool(image, settings.limits, settings.runtime, size=parallel + 1,
                           grace_seconds=settings.grace_seconds,
                           reap_after_seconds=settings.reap_after_seconds,
                           max_idle_seconds=settings.pool_max_idle_seconds).start()
    except ValueError:  # settings leave no room for a pool: every run starts cold
        return None


def _time_bare(info: PackInfo, runs: dict[str, list[PlannedRun]], timing: Timing) -> None:
    """Plain pytest of each challenge's reference solution and hidden tests, once; a
    grading of that challenge is counted at that time."""
    for challenge in info.challenges:
        planned = runs.get(challenge.slug)
        if not planned:
            continue
        timing.runs += len(planned)
        python = get_kind(planned[0].challenge.kind).python_modules  # plain pytest can run it
        seconds = bare_seconds(challenge.path) if python else None
        if seconds is None:
            timing.unmeasured.append(challenge.slug)
        else:
            timing.bare += seconds * len(planned)


def _verify_templates(info: PackInfo, catalog: tuple[list, set[str]] | None = None) -> list[Check]:
    """Validation already checked the fill; this draws once, as starting an interview
    would, and says what the draw holds."""

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
