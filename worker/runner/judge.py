"""Helpers for challenge tests: the candidate's code runs in another process.

Tests import the candidate's modules as usual (`from solution import retry`); what they
get are stand-ins whose every use is a request to the candidate's process.  Plain values
(numbers, text, bytes, Decimal, dates, and lists, tuples, dicts and sets of those) come
back as real values; everything else comes back as a handle.  A handle is never equal to
a plain value, so compare values, not objects.  docs/authoring.md has the whole model.

    from judge import http_client, remote_module, type_of, subclass, methods, tmpdir

    client = http_client(create_app())          # a Flask app, driven over WSGI
    assert client.get("/ping").get_json() == {"pong": True}
    dataclasses = remote_module("dataclasses")  # a module as the candidate's process has it
    assert [f.name for f in dataclasses.fields(Job)] == ["name", "retries"]
    assert type_of(make("csv")) is Csv          # type() inside the candidate's process
    Csv = subclass(Plugin, "Csv", {"name": "csv"})   # a class made in the candidate's process
    app = create_app({"CLIENT": methods(fake, "current")})  # may call fake.current(...)
"""

from __future__ import annotations

import random
import time

import lab_context
import lab_proxy
from lab_codec import methods
from lab_context import CONTEXT
from lab_proxy import is_handle

__all__ = ["http_client", "remote_module", "type_of", "subclass", "methods", "tmpdir",
           "is_handle", "by_reference", "value", "candidate_tests"]

_controller = None  # set by lab_judge
_limits: dict = {}
_run_deadline = float("inf")
MAX_BODY = 4 * 1024 * 1024


def remote_module(name: str):
    """The module `name` as the candidate's process has it (imported there on first use):
    `remote_module("flask").url_for`, `remote_module("inspect").signature(f)`."""
    if not isinstance(name, str) or not all(part.isidentifier() for part in name.split(".")):
        raise ValueError(f"remote_module: {name!r} is not a module name")
    return lab_proxy.LibraryModule(name)


def type_of(obj):
    """`type(obj)` as the candidate's process sees it (for a plain value, its own type)."""
    if not is_handle(obj):
        return type(obj)
    return lab_proxy.call("type", obj)


def subclass(bases, name: str, namespace: dict | None = None, **class_keywords):
    """A class made in the candidate's process: `type(name, bases, namespace)` there, with
    `class_keywords` passed on (`abstract=True`).  Functions of the tests in `namespace`
    become methods that call back into the tests (they receive handles)."""
    if not isinstance(bases, (tuple, list)):
        bases = (bases,)
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"subclass: {name!r} is not a class name")
    return lab_proxy.call("makeclass", name, list(bases), dict(namespace or {}), class_keywords)


class _ByReference:
    """See by_reference."""

    __slots__ = ("_obj",)

    def __init__(self, obj) -> None:
        self._obj = obj

    def __call__(self, *args, **kwargs):
        return lab_proxy.call("ref", "call", self._obj, list(args), kwargs)

    def __getattr__(self, name: str):
        if isinstance(self._obj, lab_proxy.RemoteModule):
            return lab_proxy.call("ref", "modgetattr", self._obj.__name__, name)
        return lab_proxy.call("ref", "getattr", self._obj, name)

    def __enter__(self):
        return lab_proxy.call("ref", "op", self._obj, "enter")

    def __exit__(self, kind, exc, traceback):
        return lab_proxy.Handle.__exit__(self._obj, kind, exc, traceback)


def by_reference(obj) -> _ByReference:
    """Use `obj` (a handle, or a module of the candidate) so that a list, dict or set it
    gives back stays in the candidate's process as a handle instead of arriving as a
    copy: to change the candidate's own list, or to read one its code keeps changing.

        with by_reference(suppress_and_log(ValueError)) as errors:
            raise ValueError("x")
        assert value(errors) == ["ValueError: x"]
        by_reference(app_module).USERS.clear()     # empties the candidate's dict
    """
    if not is_handle(obj) and not isinstance(obj, lab_proxy.RemoteModule):
        raise TypeError("by_reference: not an object or module of the candidate's code")
    return _ByReference(obj)


def value(obj):
    """The current value of a handle, as plain data where it is plain (a list, a dict...)."""
    if not is_handle(obj):
        return obj
    return lab_proxy.call("value", obj)


def tmpdir() -> str:
    """A new empty folder the candidate's code may write (the tests' own tmp_path is not
    writable by it)."""
    path = lab_proxy.call("tmpdir")
    if type(path) is not str:
        raise TypeError("tmpdir: no folder came back")
    return path


class _RemoteApp:
    """A WSGI application that lives in the candidate's process: the request crosses as
    plain data, the answer comes back as status, headers and body, nothing else."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        length = environ.get("CONTENT_LENGTH") or ""
        stream = environ.get("wsgi.input")
        body = stream.read(int(length)) if length.isdigit() and stream is not None else b""
        # Rewind: werkzeug reads the same stream again to follow a 307 or 308 redirect.
        if stream is not None and hasattr(stream, "seek"):
            try:
                stream.seek(0)
            except (OSError, ValueError):
                pass
        plain = {key: value for key, value in environ.items()
                 if type(value) in (str, int, bool, float)
                 or (key == "wsgi.version" and type(value) is tuple)}
        answer = lab_proxy.call("wsgi", self.app, plain, bytes(body))
        if not (type(answer) is list and len(answer) == 3 and type(answer[0]) is str
                and len(answer[0]) <= 200 and answer[0][:3].isdigit()
                and type(answer[1]) is list and len(answer[1]) <= 500
                and all(type(h) is list and len(h) == 2 and type(h[0]) is str
                        and type(h[1]) is str and len(h[0]) + len(h[1]) <= 16384
                        for h in answer[1])
                and type(answer[2]) is bytes and len(answer[2]) <= MAX_BODY):
            failure = lab_context.CandidateFailure(
                lab_context.fail_text("bad_value", lab_context.Link.limits), "bad_value",
                "the app did not answer like a WSGI application")
            CONTEXT.note_failure(failure)
            raise failure
        start_response(answer[0], [(k, v) for k, v in answer[1]])
        return [answer[2]]


def http_client(app, **environ_base):
    """A werkzeug test client, in the tests' process, for a WSGI app of the candidate
    (a Flask app): `get`, `post(json=...)`, cookies and `follow_redirects` as with
    `app.test_client()`; every response is a real werkzeug response object."""
    from werkzeug.test import Client  # late: only tests of Flask apps need werkzeug

    base = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "lab-judge", **environ_base}

    class RemoteClient(Client):
        def open(self, *args, **kwargs):
            if not args or isinstance(args[0], str):  # a new request, not a redirect it follows
                kwargs["environ_base"] = {**base, **(kwargs.get("environ_base") or {})}
            return super().open(*args, **kwargs)

    return RemoteClient(_RemoteApp(app), use_cookies=True)


def _outcomes(answer) -> dict:
    if not (type(answer) is dict and type(answer.get("outcomes")) is dict
            and len(answer["outcomes"]) <= 2000
            and all(type(k) is str and type(v) is str and len(k) <= 500
                    for k, v in answer["outcomes"].items())
            and type(answer.get("exit")) is int):
        raise TypeError("the candidate's tests gave no usable result")
    outcomes = answer["outcomes"]
    return {"passed": sorted(k for k, v in outcomes.items() if v == "passed"),
            "failed": sorted(k for k, v in outcomes.items() if v in ("failed", "error")),
            "collected": len(outcomes), "exit": answer["exit"]}


def candidate_tests(test_file: str, module: str, implementations: dict) -> dict:
    """Run the candidate's own tests (`test_file`, one of their files) once per
    implementation of `module`, each in a fresh process of theirs, in a random order.
    `implementations` maps a name to {attribute: function of the tests} (or to None: the
    candidate's own module); the candidate's code reaches those functions only as
    callables that run here.  Returns, per name,
    {"passed": [...], "failed": [...], "collected": n, "exit": pytest's exit code}."""
    if not (isinstance(test_file, str) and test_file.endswith(".py") and "/" not in test_file):
        raise ValueError("candidate_tests: test_file is a file name of the candidate")
    order = list(implementations)
    random.SystemRandom().shuffle(order)
    saved = CONTEXT.deadline
    results = {}
    try:
        for name in order:
            _controller.fresh()
            CONTEXT.deadline = min(_run_deadline, time.monotonic() + float(
                _limits.get("test_seconds", 5)))
            served = implementations[name]
            answer = lab_proxy.call("run_tests", test_file, module,
                                    None if served is None else dict(served))
            results[name] = _outcomes(answer)
    finally:
        CONTEXT.deadline = saved
        _controller.fresh()
    return results
