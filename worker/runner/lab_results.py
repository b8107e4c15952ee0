"""The project's pytest plugin: streams signed result events to the supervisor.

Loaded by lab_child before pytest imports any test module, hence before any candidate
code runs.  At load it

* hands the per-run key pipe (fd 4) to the signer in lab_guard, which reads and closes
  it, so the key exists only as a local of that generator, never in a file, a variable
  of this module or argv;
* captures the functions it needs (os.write, a JSON encoder made of C functions, the
  signer) so that a later patch of those modules does not reach it;
* snapshots every function and class method of pytest, pluggy, builtins and itself.

Every event is one line `<hex hmac>␠<json>` with a sequence number inside the JSON; the
supervisor drops the run as forged if a line fails the check.  At the end of the
session the snapshot is compared again: a patch of pytest internals or of this plugin
made while candidate code was importing is reported as tampering, and the run is not
trusted.  See docs/threat-model.md for what this does and does not stop.
"""

from __future__ import annotations

import builtins
import os as _os_mod
import signal
import sys
import types

import _pytest.reports  # noqa: F401  (loaded now so the snapshot covers them)
import _pytest.runner  # noqa: F401
import lab_guard
import pluggy  # noqa: F401
import pytest

KEY_FD = 4
MESSAGE_CAP = 4000
_WATCHED = ("_pytest", "pluggy", "pytest", "lab_results", "lab_guard", "builtins")
# Module attributes pytest itself swaps while running tests.
# Checked again after every test phase; everything watched is checked at the end.
# The code the signer trusts on its stack (plus lab_child's), and whose functions
# candidate code may not rewrite.
GUARDED = ("_pytest", "pluggy", "pytest", "lab_results", "lab_guard")
_CRITICAL = ("_pytest.runner", "_pytest.reports", "_pytest.python", "_pytest.skipping",
             "_pytest.outcomes", "_pytest.main", "pluggy._callers", "pluggy._hooks",
             "pluggy._result", "lab_results", "lab_guard", "builtins")
_VOLATILE = {"_pytest.assertion.util._reprcompare", "_pytest.assertion.util._assertion_pass",
             "_pytest.assertion.util._config"}


def _make_sender(fd: int, signer):
    """Return send(event): numbers it, has the signer sign it (signals held off, so no
    handler can run inside the signer's frame), writes it.  Everything it calls is bound
    here, before any candidate code exists."""
    write, sigmask = _os_mod.write, signal.pthread_sigmask
    block, setmask, every = signal.SIG_BLOCK, signal.SIG_SETMASK, signal.valid_signals()
    dict_, memoryview_ = dict, memoryview
    sign = signer.send
    counter = [0]

    def send(event: dict, final: bool = False) -> None:
        counter[0] += 1
        event = dict_(event, seq=counter[0])
        # Handlers already pending run right after this call, here, not in the signer.
        held = sigmask(block, every)
        try:
            body, mac = sign((event, final))
        finally:
            sigmask(setmask, held)
        line = mac.hex().encode() + b" " + body + b"\n"
        view = memoryview_(line)
        while view:
            view = view[write(fd, view):]

    return send


def _code_of(value, _isinstance=isinstance, _getattr=getattr, _wrappers=(classmethod, staticmethod),
             _property=property):
    if _isinstance(value, _wrappers):
        value = value.__func__
    if _isinstance(value, _property):
        value = value.fget
    return _getattr(value, "__code__", None)


def _watched_modules(names: tuple[str, ...] | None = None) -> list:
    """(name, module) of the watched modules loaded now (or only `names`).  The module
    objects themselves are kept: swapping an entry of sys.modules later changes nothing."""
    found = []
    for modname in (names if names is not None else list(sys.modules)):
        module = sys.modules.get(modname)
        if module is not None and modname.split(".")[0] in _WATCHED:
            found.append((modname, module))
    return found


def _snapshot(modules: list, _vars=vars, _list=list, _isinstance=isinstance, _type=type,
              _functions=(types.FunctionType, types.BuiltinFunctionType),
              _members=(types.FunctionType, classmethod, staticmethod, property),
              _volatile=_VOLATILE, _code=_code_of) -> dict:
    """Functions and class members of the given (name, module) pairs.  Everything it
    uses is bound at definition time, so rebinding a builtin or a global of this
    module does not change what it sees."""
    snap: dict = {}
    for modname, module in modules:
        for attr, value in _list(_vars(module).items()):
            key = f"{modname}.{attr}"
            if key in _volatile:
                continue
            if _isinstance(value, _functions):
                snap[key] = (value, _code(value))
            elif _isinstance(value, _type) and value.__module__ == modname:
                members = {
                    k: (v, _code(v))
                    for k, v in _list(_vars(value).items())
                    if _isinstance(v, _members)
                }
                snap[key] = (value, members)
    return snap


def _changes(before: dict, after: dict, _isinstance=isinstance, _dict=dict, _code=_code_of) -> list[str]:
    changed = []
    for key, (value, extra) in before.items():
        now = after.get(key)
        if now is None or now[0] is not value:
            changed.append(key)
        elif _isinstance(extra, _dict):
            members = now[1]
            for member, pair in extra.items():
                cur = members.get(member)
                if cur is None or cur[0] is not pair[0] or cur[1] is not pair[1]:
                    changed.append(f"{key}.{member}")
            changed.extend(f"{key}.{m}" for m in members.keys() - extra.keys())
        elif extra is not None and _code(now[0]) is not extra:
            changed.append(key)
    return changed


def _hook_impls(config, _getattr=getattr) -> dict:
    names = ("pytest_runtest_protocol", "pytest_runtest_makereport", "pytest_runtest_call",
             "pytest_pyfunc_call", "pytest_runtest_logreport", "pytest_report_teststatus",
             "pytest_runtestloop", "pytest_sessionfinish")
    return {n: [i.function for i in _getattr(config.hook, n).get_hookimpls()] for n in names}


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
    here (and shows up in the snapshot comparison).  Built by lab_child before
    pytest.main; from here on the audit guard is in force for the whole process."""
    boot_frames = []
    frame = sys._getframe(1)
    while frame is not None:
        boot_frames.append(frame)
        frame = frame.f_back
    signer = lab_guard.make_signer(KEY_FD)
    functions, id_ = lab_guard.make_once_store(), id
    type_, hasattr_, method_type = type, hasattr, types.MethodType
    send = _make_sender(fd, signer)
    snapshot, changes, hook_impls, watched = _snapshot, _changes, _hook_impls, _watched_modules
    exception_name, category = _exception_name, _category
    public = visibility == "public"
    state: dict = {}

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(session) -> None:
        # After configure (plugins have added their attributes), before collection
        # (before any test module, hence any candidate module, is imported).
        everything, critical, config = watched(), watched(_CRITICAL), session.config
        signer.send({
            "send_code": send.__code__, "send_vars": state["send_vars"], "hooks": state["hook_vars"],
            "trusted": lab_guard.trusted_code(GUARDED, boot_frames), "plugin_globals": globals(),
            "snapshot": snapshot, "changes": changes,
            "critical": critical, "base_critical": snapshot(critical),
            "all": everything, "base_all": snapshot(everything),
            "hook_impls": lambda: hook_impls(config), "base_hooks": hook_impls(config),
        })
        boot_frames.clear()
        send({"event": "start"})

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(session) -> None:
        # Each item's test function, taken before any test runs: a later swap of
        # item.obj (reachable from candidate code through the stack) changes nothing.
        functions.send(("set", {id_(item): (item.nodeid, getattr(item.obj, "__func__", item.obj))
                                for item in session.items}))
        send({"event": "collected", "ids": [item.nodeid for item in session.items]})

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(pyfuncitem):
        """Calls the test function itself and reports, signed and at once, whether its
        body raised: evidence taken before any code that builds pytest's report runs
        (which candidate code could patch and put back in between)."""
        entry = functions.send(("get", id_(pyfuncitem)))
        if entry is None:
            return None  # not collected by this session: pytest runs it, nothing vouches for it
        nodeid, function = entry
        live = pyfuncitem.obj
        if live is not function and not (type_(live) is method_type and live.__func__ is function):
            send({"event": "body", "id": nodeid, "raised": True})
            raise RuntimeError("the test function was replaced while the tests ran")
        funcargs = pyfuncitem.funcargs
        arguments = {name: funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        try:
            returned = live(**arguments)
            if hasattr_(returned, "__await__") or hasattr_(returned, "__aiter__"):
                raise RuntimeError("async test functions are not supported by the grader")
        except BaseException:
            send({"event": "body", "id": nodeid, "raised": True})
            raise
        send({"event": "body", "id": nodeid, "raised": False})
        return True

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
        send(event)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(session, exitstatus) -> None:
        # The signer adds `tampered`: what changed since the baseline, if anything.
        send({"event": "finished", "exitstatus": int(exitstatus)}, final=True)

    hook_functions = (pytest_sessionstart, pytest_collection_finish, pytest_pyfunc_call,
                      pytest_collectreport, pytest_runtest_makereport, pytest_sessionfinish)
    state["hook_vars"] = {function.__code__: lab_guard.closure_values(function)
                          for function in hook_functions}
    state["send_vars"] = lab_guard.closure_values(send)
    lab_guard.make_nondumpable()
    lab_guard.install_audit_guard((signer, functions), GUARDED)
    plugin = ResultsPlugin()
    for function in hook_functions:
        setattr(plugin, function.__name__, function)
    return plugin
