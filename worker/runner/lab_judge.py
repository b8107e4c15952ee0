"""The judge: pytest with the instructor's tests, and no code of the candidate.

Started by lab_supervisor as the `grader` user, the only user that can read /judge (the
tests, their data).  The candidate's modules are never imported here: an import hook
turns `import solution` / `from app import create_app` into modules whose attributes
are fetched from the candidate's process (lab_proxy), over a socket only these two
processes hold.  Test ids, outcomes and messages are made here and sent to the
supervisor as plain events on the control socket, which the candidate cannot reach.
"""

from __future__ import annotations

import builtins
import errno
import importlib
import importlib.machinery
import json
import os
import re
import resource
import sys
import time

import pytest
from _pytest._io.saferepr import saferepr

sys.path.insert(0, "/opt/lab-runner")

import lab_context  # noqa: E402
import lab_mirror  # noqa: E402
import lab_proxy  # noqa: E402
from lab_context import CONTEXT, CandidateFailure, Link  # noqa: E402
from lab_control import Control, Controller  # noqa: E402
from lab_proxy import RemoteModule  # noqa: E402

JUDGE_DIR = "/judge"
MESSAGE_CAP = 4000
ID_CAP = 300
VALUE_CAP = 300  # each of a public test's input, expected and actual values, as shown


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the import hook ---------------------------------------------------------------------

class CandidateFinder:
    """Meta path entry, first in line: the candidate's module names become RemoteModules.
    Nothing is ever loaded from /sandbox into this process."""

    def __init__(self, names) -> None:
        self.names = frozenset(names)
        self.loaded: dict[str, int] = {}  # module -> incarnation that imported it

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in self.names:
            if "." in fullname:
                return None  # candidate files are flat modules
            return importlib.machinery.ModuleSpec(fullname, self, origin=f"{fullname}.py")
        return None

    def create_module(self, spec):
        return RemoteModule(spec.name)

    def exec_module(self, module) -> None:
        name = module.__name__
        op = "reload" if self.loaded.get(name) == Link.incarnation else "import"
        lab_proxy.call(op, name)
        self.loaded[name] = Link.incarnation


# -- the pytest plugin -----------------------------------------------------------------------


def _intent(item) -> str:
    obj = getattr(item, "obj", None)
    doc = getattr(obj, "__doc__", None) if obj is not None else None
    if isinstance(doc, str) and doc.strip():
        return doc.strip().splitlines()[0][:300]
    name = item.name.split("[", 1)[0]
    if name.startswith("test_"):
        name = name[5:]
    elif name.startswith("test"):
        name = name[4:]
    return name.replace("_", " ").strip()[:300]


def _unread(excinfo, style=None) -> str:
    return "a hidden test failed"


def _builtin_name(exc: BaseException) -> str | None:
    kind = type(exc)
    if getattr(builtins, kind.__name__, None) is kind:
        return kind.__name__
    return None


class JudgePlugin:
    def __init__(self, control: Control, visibility: str, limits: dict, run_deadline: float,
                 controller: Controller) -> None:
        self.control = control
        self.public = visibility == "public"
        self.limits = limits
        self.run_deadline = run_deadline
        self.controller = controller
        self.ids: dict[str, str] = {}  # nodeid -> reported id
        self.phases: dict[str, dict] = {}

    def _deadline(self) -> float:
        return min(self.run_deadline, time.monotonic() + float(self.limits.get("test_seconds", 5)))

    def _event(self, **event) -> None:
        self.control.send({"event": event})

    def pytest_sessionstart(self, session) -> None:
        self._event(kind="start")

    def pytest_collectreport(self, report) -> None:
        if not report.failed:
            return
        failure = CONTEXT.candidate_failure
        event = {"kind": "collect_error", "id": report.nodeid[:ID_CAP]}
        excinfo = getattr(report, "_lab_excinfo", None)
        if failure is not None:
            event["category"] = failure.category
            event["text"] = failure.text
        if self.public:
            event["message"] = str(report.longrepr)[:MESSAGE_CAP]
        names = [line[1:].strip().split(":", 1)[0] for line in str(report.longrepr).splitlines()
                 if line.startswith("E ")]

        name = names[-1] if names else ""
        kind = getattr(builtins, name, None)
        if isinstance(kind, type) and issubclass(kind, BaseException):
            event["exception"] = name
        del excinfo
        self._event(**event)

    def pytest_collection_finish(self, session) -> None:
        counts: dict[str, int] = {}
        tests = []
        for item in session.items:
            if not self.public:
                # Nobody reads a hidden test's traceback: pytest need not format one (it
                # cost tens of milliseconds per failed test).
                item.repr_failure = _unread
                item._repr_failure_py = _unread
            base = item.nodeid.split("[", 1)[0]
            if "[" in item.nodeid:
                counts[base] = counts.get(base, 0) + 1
                if self.public and len(item.nodeid) <= ID_CAP:
                    shown = item.nodeid
                else:  # hidden: the judge numbers the cases, no text of any value shows
                    shown = f"{base[:ID_CAP]}[{counts[base]}]"
            else:
                shown = base[:ID_CAP]
            self.ids[item.nodeid] = shown
            xfail = item.get_closest_marker("xfail") is not None
            tests.append({"id": shown, "base": base[:ID_CAP], "intent": _intent(item),
                          "xfail": xfail})
        for start in range(0, len(tests), 200):
            self._event(kind="collected", tests=tests[start:start + 200])
        self._event(kind="collection_done", count=len(tests))

    def pytest_runtest_protocol(self, item, nextitem):
        CONTEXT.begin_test(item.nodeid, self._deadline())
        self.phases[item.nodeid] = {"started": time.monotonic()}
        self.current = item.nodeid
        params = getattr(getattr(item, "callspec", None), "params", None)
        if self.public and params:
            # The test's own parameters (values of the instructor's, never the candidate's).
            self.phases[item.nodeid]["input"] = ", ".join(
                f"{name}={_shown(value)}" for name, value in params.items())[:VALUE_CAP]
        # Said before it runs: a test the wall clock cuts short is then known as begun.
        self._event(kind="begin", id=self.ids.get(item.nodeid, item.nodeid[:ID_CAP]))

    def pytest_runtest_logfinish(self, nodeid, location) -> None:
        CONTEXT.end_test()
        record = self.phases.pop(nodeid, {})
        outcome = record.get("outcome", "error")
        event = {"kind": "test", "id": self.ids.get(nodeid, nodeid[:ID_CAP]), "outcome": outcome,
                 "duration": round(time.monotonic() - record.get("started", time.monotonic()), 4)}
        for key in ("category", "exception", "text", "when", "message", "input", "compare"):
            if record.get(key) is not None:
                event[key] = record[key]
        self._event(**event)

    def pytest_assertrepr_compare(self, config, op, left, right):
        """A failed `assert got == expected` in a public test: both sides, to show as
        Expected / Your result.  Only the first comparison of a test (the one that
        failed it); pytest's own explanation is unchanged (None)."""
        record = self.phases.get(getattr(self, "current", ""))
        if self.public and op == "==" and record is not None and "compare" not in record:
            record["compare"] = {"expected": _shown(right), "actual": _shown(left)}
        return None

    def _classify(self, item, call) -> dict:
        exc = call.excinfo.value if call.excinfo is not None else None
        if exc is None:
            return {}
        if isinstance(exc, CandidateFailure):
            return {"category": exc.category, "text": exc.text}
        outcomes = sys.modules.get("_pytest.outcomes")
        if isinstance(exc, AssertionError) or (outcomes and isinstance(exc, outcomes.Failed)):
            return {"category": "wrong_answer"}
        if lab_mirror.raised_by_candidate(exc):
            if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
                # No space left: the scratch folders are the only writable places, so
                # that is the limit; the next test gets a fresh process and empty ones.
                self.controller.fresh()
                return {"category": "scratch_limit",
                        "text": lab_context.fail_text("scratch_limit", self.limits)}
            return {"category": "exception", "exception": _builtin_name(exc)}
        return {"category": "test_error", "exception": _builtin_name(exc)}

    def pytest_runtest_logreport(self, report) -> None:
        record = self.phases.setdefault(report.nodeid, {"started": time.monotonic()})
        xfail = hasattr(report, "wasxfail")
        if report.passed and not xfail:
            if report.when == "call":
                record.setdefault("outcome", "passed")
            return
        if report.skipped and not xfail:
            record["outcome"] = "skipped"
            return
        if xfail:
            record["outcome"] = "xfailed" if report.skipped else "xpassed"
            return
        if record.get("outcome") in ("failed", "error"):
            return  # the first failing phase explains the test
        record["outcome"] = "failed" if report.when == "call" else "error"
        record["when"] = report.when
        record.update(getattr(report, "_lab_class", {}))
        if self.public:
            record["message"] = public_message(report)[-MESSAGE_CAP:]


def _shown(value) -> str:
    """A value as pytest shows it (saferepr: a repr that raises is named, not raised),
    cut to VALUE_CAP characters."""
    return saferepr(value, maxsize=VALUE_CAP)


def _wrap_makereport(plugin: JudgePlugin):
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(item, call):
        outcome = yield
        report = outcome.get_result()
        if call.when == "call" and report.passed and not hasattr(report, "wasxfail"):
            late = CONTEXT.candidate_failure or (CONTEXT.failures[0] if CONTEXT.failures else None)
            if late is not None:
                # A failed assertion inside a callback, or the candidate's process
                # failing on another thread: the test fails even if its body returned.
                report.outcome = "failed"
                report.longrepr = f"failed inside a call from your code: {type(late).__name__}"
                if isinstance(late, CandidateFailure):
                    report._lab_class = {"category": late.category, "text": late.text}
                else:
                    report._lab_class = {"category": "wrong_answer"}
                return
        if report.failed:
            report._lab_class = plugin._classify(item, call)
            if plugin.public and call.excinfo is not None:
                report._lab_candidate_tb = _candidate_traceback(call.excinfo.value)

    return pytest_runtest_makereport


def _candidate_traceback(exc: BaseException) -> str:
    """For a public test: where in the candidate's code its exception came from."""
    handle = getattr(exc, "__dict__", {}).get("_lab_handle")
    if handle is None or not lab_mirror.raised_by_candidate(exc):
        return ""
    saved = CONTEXT.deadline
    CONTEXT.deadline = time.monotonic() + 1.0
    try:
        text = lab_proxy.call("traceback", handle)
    except BaseException:  # noqa: BLE001 - the process may be gone: no traceback then
        return ""
    finally:
        CONTEXT.deadline = saved
    return text if type(text) is str else ""


_RUNNER_FRAME = re.compile(r"^/opt/lab-runner/[^\n]*\n(?:    [^\n]*\n)?", re.M)


def public_message(report) -> str:
    """pytest's report of a failed public test, without the grader's own frames, plus the
    candidate's traceback when its code raised."""
    text = _RUNNER_FRAME.sub("", report.longreprtext or "")
    extra = getattr(report, "_lab_candidate_tb", "")
    if extra:
        text += "\n\nRaised in your code:\n" + extra
    return text


def _wrap_collect(plugin: JudgePlugin):
    @pytest.hookimpl(hookwrapper=True)
    def pytest_make_collect_report(collector):
        CONTEXT.deadline = plugin._deadline()
        CONTEXT.candidate_failure = None
        yield

    return pytest_make_collect_report


class _Wrappers:
    """The hook wrappers as a plugin object (pluggy needs it hashable)."""

    def __init__(self, makereport, collect) -> None:
        self.pytest_runtest_makereport = makereport
        self.pytest_make_collect_report = collect


def _preload() -> None:
    """What a session imports, done before go (armed) so a run pays none of it."""
    from _pytest import config  # late: only armed judges preload

    for name in (*(f"_pytest.{n}" for n in (*config.essential_plugins, *config.default_plugins)),
                 "_pytest._argcomplete", "_pytest.config.compat", "pdb", "faulthandler",
                 "unittest", "decimal", "fractions", "datetime", "json", "judge"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def main() -> None:
    args = json.loads(sys.argv[1])
    control = Control(int(args["ctl_fd"]))
    first_wire = int(args["wire_fd"])
    if args.get("armed"):
        _preload()
    control.send({"ready": round(_cpu(), 3)})
    go = control.receive()["go"]
    started = time.monotonic()
    limits = go["limits"]
    # Some room before the supervisor's clock, to report the test the deadline cut short.
    run_deadline = started + float(limits["wall_seconds"]) - min(0.5, 0.1 * float(
        limits["wall_seconds"]))
    CONTEXT.deadline = run_deadline
    controller = Controller(control, first_wire, limits, run_deadline)
    finder = CandidateFinder(go["modules"])
    sys.meta_path.insert(0, finder)
    import judge  # late: after the finder, so the judge's imports of candidate modules use it

    judge._controller = controller
    judge._limits = limits
    judge._run_deadline = run_deadline
    plugin = JudgePlugin(control, go["visibility"], limits, run_deadline, controller)
    os.chdir(JUDGE_DIR)
    code = pytest.main(
        ["-c", "/opt/lab-runner/pytest.ini", f"--rootdir={JUDGE_DIR}", "-p", "no:cacheprovider",
         "-p", "no:stepwise", "-s", "-q", "--tb=short", "--color=no", *go["test_paths"]],
        plugins=[plugin, _Wrappers(_wrap_makereport(plugin), _wrap_collect(plugin))],
    )
    control.send({"event": {"kind": "finished", "exitstatus": int(code)}})
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
