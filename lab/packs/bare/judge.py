"""`judge` for a challenge's tests under plain pytest, in one process, with no sandbox.

The lab's own `judge` (worker/runner/judge.py) talks to the candidate's process; this
one does the same things in the tests' own process, so that the same test files run
with bare `python -m pytest`.  `lab pack verify` times that to compare the sandbox with
bare pytest, and an author may run it beside a solution:

    PYTHONPATH=lab/packs/bare:my-pack/<slug>/solution python -m pytest my-pack/<slug>/tests

Nothing here is a boundary: the code under test and the tests share the process.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
import types

__all__ = ["http_client", "remote_module", "type_of", "subclass", "methods", "tmpdir",
           "is_handle", "by_reference", "value", "candidate_tests"]


def http_client(app, **environ_base):
    from werkzeug.test import Client  # late: only tests of Flask apps need werkzeug

    base = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "lab-judge", **environ_base}

    class LocalClient(Client):
        def open(self, *args, **kwargs):
            if not args or isinstance(args[0], str):  # a new request, not a redirect it follows
                kwargs["environ_base"] = {**base, **(kwargs.get("environ_base") or {})}
            return super().open(*args, **kwargs)

    return LocalClient(app, use_cookies=True)


def remote_module(name: str):
    return importlib.import_module(name)


def type_of(obj):
    return type(obj)


def subclass(bases, name: str, namespace: dict | None = None, **class_keywords):
    if not isinstance(bases, (tuple, list)):
        bases = (bases,)
    return types.new_class(name, tuple(bases), class_keywords,
                           lambda body: body.update(namespace or {}))


def methods(obj, *names: str):
    return obj


def is_handle(obj) -> bool:
    return False


def by_reference(obj):
    return obj


def value(obj):
    return obj


def tmpdir() -> str:
    return tempfile.mkdtemp(prefix="judge-")


def candidate_tests(test_file: str, module: str, implementations: dict) -> dict:
    import pytest  # late: only runs of the candidate's own tests use it

    results = {}
    for name, attributes in implementations.items():
        saved = sys.modules.get(module)
        if attributes is not None:
            served = types.ModuleType(module)
            served.__dict__.update(attributes)
            sys.modules[module] = served
        outcomes: dict[str, str] = {}

        class Collector:
            def __init__(self, seen: dict) -> None:
                self.seen = seen

            def pytest_runtest_logreport(self, report):
                if report.failed:
                    self.seen[report.nodeid] = "failed"
                elif report.when == "call":
                    self.seen.setdefault(report.nodeid, "passed")

        try:
            code = pytest.main([test_file, "-q", "-p", "no:cacheprovider"], plugins=[Collector(outcomes)])
        finally:
            if saved is not None:
                sys.modules[module] = saved
            for stale in [n for n in sys.modules if n == test_file[:-3]]:
                del sys.modules[stale]
        results[name] = {"passed": sorted(k for k, v in outcomes.items() if v == "passed"),
                         "failed": sorted(k for k, v in outcomes.items() if v == "failed"),
                         "collected": len(outcomes), "exit": int(code)}
    return results
