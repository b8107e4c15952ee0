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
# Checked again after every test phase; everything watched is checked at the end.
_CRITICAL = ("_pytest.runner", "_pytest.reports", "_pytest.python", "_pytest.skipping",
             "_pytest.outcomes", "_pytest.main", "pluggy._callers", "pluggy._hooks",
             "pluggy._result", "lab_results")
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


def _snapshot(modules: tuple[str, ...] | None) -> dict:
    """Functions and class members of the watched modules (or only `modules`)."""
    snap: dict = {}
    names = modules if modules is not None else list(sys.modules)
    for modname in names:
        module = sys.modules.get(modname)
        if module is None or modname.split(".")[0] not in _WATCHED:
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


def _hook_impls(config) -> dict:
    names = ("pytest_runtest_protocol", "pytest_runtest_makereport", "pytest_runtest_call",
             "pytest_pyfunc_call", "pytest_runtest_logreport", "pytest_report_teststatus",
             "pytest_runtestloop", "pytest_sessionfinish")
    return {n: [i.function for i in getattr(config.hook, n).get_hookimpls()] for n in names}


def _exception_name(excinfo) -> str | None:
    """The exception's class name, only when it is a builtin (a candidate-made class
    name could carry anything out)."""
    if excinfo is None:
        return None
    kind = excinfo.type
    if getattr(builtins, kind.__name__, None) is kind:
        return kind.__name__
    return None


def _category(report, excinfo) -> str:
    if report.passed:
        return "passed"
    if report.skipped:
        return "skipped"
    # pytest.fail() and "DID NOT RAISE" from pytest.raises are test verdicts too.
    if excinfo is not None and issubclass(excinfo.type, (AssertionError, pytest.fail.Exception)):
        return "wrong_answer"
    return "exception"


class ResultsPlugin:
    """Holds the hook closures as plain instance attributes (hashable, unlike a
    SimpleNamespace, which pluggy needs)."""


def build_plugin(fd: int, visibility: str) -> ResultsPlugin:
    """The plugin object.  Its hooks are closures over references taken now, before
    any candidate code exists: rebinding a name in this module later changes nothing
    here (and shows up in the snapshot comparison)."""
    send = _make_sender(fd)
    snapshot, changes, hook_impls = _snapshot, _changes, _hook_impls
    exception_name, category = _exception_name, _category
    public = visibility == "public"
    state: dict = {"tampered": []}

    def check(modules) -> list[str]:
        found = changes(state["critical" if modules else "snap"], snapshot(modules))
        for item in found:
            if item not in state["tampered"]:
                state["tampered"].append(item)
        return found

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(session) -> None:
        # After configure (plugins have added their attributes), before collection
        # (before any test module, hence any candidate module, is imported).
        state["snap"] = snapshot(None)
        state["critical"] = snapshot(_CRITICAL)
        state["hooks"] = hook_impls(session.config)
        send({"event": "start"})

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(session) -> None:
        send({"event": "collected", "ids": [item.nodeid for item in session.items]})

    def pytest_collectreport(report) -> None:
        if report.failed:
            event = {"event": "collect_error", "id": report.nodeid}
            text = str(report.longrepr)
            # The error's class name: the last `E   Name: ...` line of the report.
            names = [line[1:].strip().split(":", 1)[0] for line in text.splitlines()
                     if line.startswith("E ")]
            name = names[-1] if names else ""
            kind = getattr(builtins, name, None)
            if isinstance(kind, type) and issubclass(kind, BaseException):
                event["exception"] = name
            if public:
                event["message"] = text[:MESSAGE_CAP]
            send(event)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(item, call):
        outcome = yield
        report = outcome.get_result()
        excinfo = call.excinfo
        event = {
            "event": "phase",
            "id": item.nodeid,
            "when": call.when,
            "outcome": report.outcome,
            "category": category(report, excinfo),
            "exception": exception_name(excinfo) if not report.passed else None,
            "duration": round(call.duration, 6),
        }
        if public and not report.passed:
            event["message"] = (report.longreprtext or "")[:MESSAGE_CAP]
        found = check(_CRITICAL)
        if found:
            event["tampered"] = found[:10]
        send(event)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(session, exitstatus) -> None:
        check(None)
        hooks_now = hook_impls(session.config)
        state["tampered"].extend(f"hook {name}" for name in hooks_now
                                 if hooks_now[name] != state["hooks"].get(name))
        send({"event": "finished", "exitstatus": int(exitstatus),
              "tampered": state["tampered"][:50]})

    plugin = ResultsPlugin()
    plugin.pytest_sessionstart = pytest_sessionstart
    plugin.pytest_collection_finish = pytest_collection_finish
    plugin.pytest_collectreport = pytest_collectreport
    plugin.pytest_runtest_makereport = pytest_runtest_makereport
    plugin.pytest_sessionfinish = pytest_sessionfinish
    return plugin
