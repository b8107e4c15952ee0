"""The project's pytest plugin: streams signed result events to the supervisor.

Loaded by lab_child before pytest imports any test module, hence before any candidate
code runs.  At load it

* reads a per-run key from the key pipe (fd 4) and closes that pipe, so the key
  exists only in a closure below, never in a file, variable of this module or argv;
* captures the functions it needs (os.write, hmac digest, json.dumps) so that a later
  patch of those modules does not reach it;
* snapshots every function and class method of pytest, pluggy, builtins and itself.

Every event is one line `<hex hmac>␠<json>` with a sequence number inside the JSON; the
supervisor drops the run as forged if a line fails the check.  At the end of the
session the snapshot is compared again: a patch of pytest internals or of this plugin
made while candidate code was importing is reported as tampering, and the run is not
trusted.  See docs/threat-model.md for what this does and does not stop.
"""

from __future__ import annotations

import builtins
import hmac as _hmac_mod
import json as _json_mod
import os as _os_mod
import sys
import types

import _pytest.reports  # noqa: F401  (loaded now so the snapshot covers them)
import _pytest.runner  # noqa: F401
import pluggy  # noqa: F401
import pytest

KEY_FD = 4
MESSAGE_CAP = 4000
_WATCHED = ("_pytest", "pluggy", "pytest", "lab_results", "builtins")
# Module attributes pytest itself swaps while running tests.
_VOLATILE = {"_pytest.assertion.util._reprcompare", "_pytest.assertion.util._assertion_pass",
             "_pytest.assertion.util._config"}


def _read_key() -> bytes:
    try:
        key = _os_mod.read(KEY_FD, 64)
        _os_mod.close(KEY_FD)
    except OSError:
        key = b""
    return key


def _make_sender(fd: int):
    """Return send(event) that signs and writes; the key lives only in this closure."""
    key = _read_key()
    write = _os_mod.write
    digest = _hmac_mod.digest
    dumps = _json_mod.dumps
    counter = [0]

    def send(event: dict) -> None:
        counter[0] += 1
        event = dict(event, seq=counter[0])
        body = dumps(event, separators=(",", ":")).encode()
        mac = digest(key, body, "sha256").hex().encode()
        line = mac + b" " + body + b"\n"
        view = memoryview(line)
        while view:
            view = view[write(fd, view):]

    return send


def _code_of(value):
    if isinstance(value, (classmethod, staticmethod)):
        value = value.__func__
    if isinstance(value, property):
        value = value.fget
    return getattr(value, "__code__", None)


def _snapshot() -> dict:
    snap: dict = {}
    for modname, module in list(sys.modules.items()):
        if module is None or not modname.startswith(_WATCHED):
            continue
        if modname.split(".")[0] not in _WATCHED:
            continue
        for attr, value in list(vars(module).items()):
            key = f"{modname}.{attr}"
            if key in _VOLATILE:
                continue
            if isinstance(value, (types.FunctionType, types.BuiltinFunctionType)):
                snap[key] = (value, _code_of(value))
            elif isinstance(value, type) and value.__module__ == modname:
                members = {
                    k: (v, _code_of(v))
                    for k, v in list(vars(value).items())
                    if isinstance(v, (types.FunctionType, classmethod, staticmethod, property))
                }
                snap[key] = (value, members)
    return snap


def _changes(before: dict, after: dict) -> list[str]:
    changed = []
    for key, (value, extra) in before.items():
        now = after.get(key)
        if now is None or now[0] is not value:
            changed.append(key)
        elif isinstance(extra, dict):
            members = now[1]
            for member, pair in extra.items():
                cur = members.get(member)
                if cur is None or cur[0] is not pair[0] or cur[1] is not pair[1]:
                    changed.append(f"{key}.{member}")
            changed.extend(f"{key}.{m}" for m in members.keys() - extra.keys())
        elif extra is not None and _code_of(now[0]) is not extra:
            changed.append(key)
    return changed


def _exception_name(excinfo) -> str | None:
    """The exception's class name, only when it is a builtin (a candidate-made class
    name could carry anything out)."""
    if excinfo is None:
        return None
    kind = excinfo.type
    if getattr(builtins, kind.__name__, None) is kind:
        return kind.__name__
    return "Exception"


def _category(report, excinfo) -> str:
    if report.passed:
        return "passed"
    if report.skipped:
        return "skipped"
    if excinfo is not None and issubclass(excinfo.type, AssertionError):
        return "wrong_answer"
    return "exception"


class ResultsPlugin:
    def __init__(self, fd: int, visibility: str) -> None:
        self._send = _make_sender(fd)
        self._public = visibility == "public"
        self._hooks_before: dict = {}
        self._snap: dict = {}

    def _hook_impls(self, config) -> dict:
        names = ("pytest_runtest_protocol", "pytest_runtest_makereport", "pytest_runtest_call",
                 "pytest_pyfunc_call", "pytest_runtest_logreport", "pytest_report_teststatus",
                 "pytest_runtestloop", "pytest_sessionfinish")
        return {n: [i.function for i in getattr(config.hook, n).get_hookimpls()] for n in names}

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session) -> None:
        # After configure (plugins have added their attributes), before collection
        # (before any test module, hence any candidate module, is imported).
        self._snap = _snapshot()
        self._hooks_before = self._hook_impls(session.config)
        self._send({"event": "start"})

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session) -> None:
        self._send({"event": "collected", "ids": [item.nodeid for item in session.items]})

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            event = {"event": "collect_error", "id": report.nodeid}
            crash = getattr(report.longrepr, "reprcrash", None)
            name = str(getattr(crash, "message", "")).split(":", 1)[0].strip()
            kind = getattr(builtins, name, None)
            if isinstance(kind, type) and issubclass(kind, BaseException):
                event["exception"] = name
            if self._public:
                event["message"] = str(report.longrepr)[:MESSAGE_CAP]
            self._send(event)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        excinfo = call.excinfo
        event = {
            "event": "phase",
            "id": item.nodeid,
            "when": call.when,
            "outcome": report.outcome,
            "category": _category(report, excinfo),
            "exception": _exception_name(excinfo) if not report.passed else None,
            "duration": round(call.duration, 6),
        }
        if self._public and not report.passed:
            event["message"] = (report.longreprtext or "")[:MESSAGE_CAP]
        self._send(event)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus) -> None:
        tampered = _changes(self._snap, _snapshot())
        hooks_now = self._hook_impls(session.config)
        tampered.extend(f"hook {name}" for name in hooks_now
                        if hooks_now[name] != self._hooks_before.get(name))
        self._send({"event": "finished", "exitstatus": int(exitstatus), "tampered": tampered[:50]})
