"""The candidate's process: imports the submission and answers the judge's requests.

Started by lab_supervisor as the `candidate` user, with the socket to the judge on fd 3
and its stdout/stderr on a capped pipe to the supervisor.  Everything here runs next to
the candidate's code and can be changed by it: the judge trusts none of it (it decodes
what arrives strictly and decides every comparison with a plain value itself).  This
file only has to be correct for honest code.

The judge's main thread is served by this process's main thread, so signal handlers,
thread-local and context-local state of the candidate's code behave as in one process.
"""

from __future__ import annotations

import collections
import copy
import importlib
import io
import json
import operator
import os
import resource
import signal
import socket
import sys
import tempfile
import traceback
import types

sys.path.insert(0, "/opt/lab-runner")

import lab_candidate_values  # noqa: E402
import lab_wire  # noqa: E402
from lab_candidate_values import (  # noqa: E402
    TABLE,
    JudgeRef,
    Keep,
    decode,
    decode_error,
    encode,
    encode_error,
)

STDLIB = frozenset(sys.stdlib_module_names)
WORK_DIR = "/sandbox"
MAX_BODY = 4 * 1024 * 1024


# -- what the judge may ask ----------------------------------------------------------

_OPS = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
    "gt": operator.gt, "ge": operator.ge, "hash": hash, "bool": bool, "len": len,
    "iter": iter, "next": next, "reversed": reversed, "repr": repr, "str": str,
    "format": format, "bytes": bytes, "int": int, "float": float, "complex": complex,
    "index": operator.index, "round": lambda obj, n=None: round(obj) if n is None else round(obj, n),
    "contains": lambda obj, item: item in obj, "getitem": operator.getitem,
    "setitem": operator.setitem, "delitem": operator.delitem,
    "neg": operator.neg, "pos": operator.pos, "abs": abs, "invert": operator.invert,
    "trunc": lambda obj: type(obj).__trunc__(obj), "floor": lambda obj: type(obj).__floor__(obj),
    "ceil": lambda obj: type(obj).__ceil__(obj),
    "enter": lambda obj: type(obj).__enter__(obj),
    "exit": lambda obj, exc: type(obj).__exit__(obj, type(exc) if exc is not None else None,
                                                 exc, exc.__traceback__ if exc is not None else None),
    "divmod": divmod, "rdivmod": lambda a, b: divmod(b, a),
}
for _name in ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "lshift",
              "rshift", "and", "or", "xor"):
    _fn = getattr(operator, _name if _name not in ("and", "or") else f"{_name}_")
    _OPS[_name] = _fn
    _OPS[f"r{_name}"] = (lambda fn: lambda a, b: fn(b, a))(_fn)
    _OPS[f"i{_name}"] = getattr(operator, f"i{_name}" if _name not in ("and", "or") else f"i{_name}")

_started = False


def _first_request() -> None:
    """Before any code of the candidate runs: its CPU budget counts from here, and its
    folder becomes importable (it was empty while this process got ready)."""
    global _started
    _started = True
    budget = int(ARGS.get("cpu_seconds", 10))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = budget + round(usage.ru_utime + usage.ru_stime)
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (min(cpu, soft), min(cpu + 1, hard)))
    sys.path.append(ARGS.get("work_dir", WORK_DIR))
    importlib.invalidate_caches()


def _module(name: str):
    if name in sys.modules:
        return sys.modules[name]
    return importlib.import_module(name)


def op_wsgi(app, environ: dict, body: bytes):
    env = dict(environ)
    env["wsgi.input"] = io.BytesIO(body)
    env["wsgi.errors"] = sys.stderr
    env.setdefault("wsgi.version", (1, 0))
    env.setdefault("wsgi.multithread", False)
    env.setdefault("wsgi.multiprocess", False)
    env.setdefault("wsgi.run_once", False)
    seen: dict = {}
    chunks: list[bytes] = []

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, headers
        return chunks.append

    result = app(env, start_response)
    try:
        size = 0
        for chunk in result:
            chunks.append(bytes(chunk))
            size += len(chunk)
            if size > MAX_BODY:
                raise ValueError("the response body is over 4 MiB")
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return [str(seen["status"]), [[str(k), str(v)] for k, v in seen["headers"]], b"".join(chunks)]


def op_makeclass(name, bases, namespace, keywords):
    body = {}
    for key, value in namespace.items():
        if isinstance(value, JudgeRef):
            value = _as_function(key, value)
        body[key] = value
    return types.new_class(name, tuple(bases), keywords, lambda ns: ns.update(body))


def _as_function(name, ref):
    def method(*args, **kwargs):
        return ref(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    return method


def op_run_tests(test_file: str, module: str, attributes: dict):
    """The candidate's own tests, with `module` served by the judge (its functions run
    there); outcome per test id."""
    import pytest  # late: the candidate's process pays pytest's import only in this op

    if attributes is not None:  # None: the candidate's own module
        served = types.ModuleType(module)
        served.__dict__.update(attributes)
        sys.modules[module] = served
    outcomes: dict[str, str] = {}

    class Collector:
        def pytest_runtest_logreport(self, report):
            if report.failed:
                outcomes[report.nodeid] = "failed" if report.when == "call" else "error"
            elif report.when == "call" and report.nodeid not in outcomes:
                outcomes[report.nodeid] = "skipped" if report.skipped else "passed"
            elif report.skipped:
                outcomes.setdefault(report.nodeid, "skipped")

        def pytest_collectreport(self, report):
            if report.failed:
                outcomes[report.nodeid or test_file] = "error"

    # No output capture and no faulthandler: both juggle file descriptors, and this
    # process's descriptor 3 is the socket to the judge.
    code = pytest.main([os.path.join(WORK_DIR, test_file), "-q", "-s", "-p", "no:cacheprovider",
                        "-p", "no:stepwise", "-p", "no:faulthandler", "--rootdir", WORK_DIR,
                        "-c", "/opt/lab-runner/pytest.ini"], plugins=[Collector()])
    return {"outcomes": outcomes, "exit": int(code)}


def serve(op: str, args: list):
    if not _started:
        _first_request()
    values = [decode(a) for a in args]
    if op == "import":
        _module(values[0])
        return True
    if op == "reload":
        return importlib.reload(_module(values[0])) is not None
    if op == "modgetattr":
        found = getattr(_module(values[0]), values[1])
        if len(values) > 2 and values[2] and isinstance(found, type) and not issubclass(
                found, BaseException):
            return Keep(found)  # the judge wants this class to be called here
        return found
    if op == "modsetattr":
        setattr(_module(values[0]), values[1], values[2])
        return None
    if op == "moddelattr":
        delattr(_module(values[0]), values[1])
        return None
    if op == "moddir":
        return sorted(str(n) for n in dir(_module(values[0])))
    if op == "getattr":
        return getattr(values[0], values[1])
    if op == "setattr":
        setattr(values[0], values[1], values[2])
        return None
    if op == "delattr":
        delattr(values[0], values[1])
        return None
    if op == "call":
        return values[0](*values[1], **values[2])
    if op == "op":
        return _OPS[values[1]](values[0], *values[2:])
    if op == "isinstance":
        return isinstance(values[1], values[0])
    if op == "issubclass":
        return issubclass(values[1], values[0])
    if op == "type":
        return type(values[0])
    if op == "dir":
        return sorted(str(n) for n in dir(values[0]))
    if op == "copy":
        return copy.copy(values[0])
    if op == "deepcopy":
        return copy.deepcopy(values[0])
    if op == "makeclass":
        return op_makeclass(*values)
    if op == "wsgi":
        return op_wsgi(*values)
    if op == "tmpdir":
        return tempfile.mkdtemp(prefix="judge-", dir="/tmp")
    if op == "run_tests":
        return op_run_tests(*values)
    if op == "ref":
        result = serve(values[0], args[1:])
        if isinstance(result, (list, dict, set, bytearray, collections.deque)):
            return Keep(result)
        return result
    if op == "value":
        return values[0]
    if op == "traceback":
        return _traceback_text(values[0])
    raise ValueError(f"unknown request {op!r}")


def _traceback_text(exc: BaseException) -> str:
    """The exception's traceback in the candidate's code (the runner's frames left out)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith("/opt/lab-runner/")]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    return "".join(lines)[-4000:]


ARGS: dict = {}


def _preload() -> None:
    """Armed mode: common standard modules, loaded while no candidate file exists.  Not
    Flask: its ~0.2 s of CPU would be spent by every pool container, and a container
    serves any kind of challenge."""
    for name in ("json", "decimal", "dataclasses", "functools", "itertools", "collections",
                 "datetime", "typing", "re"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def main() -> None:
    # Python ignores SIGXFSZ; the kernel's action ends the process when a file outgrows
    # the size limit, which the supervisor then reports as that limit.
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    ARGS.update(json.loads(sys.argv[1]))
    if ARGS.get("armed"):
        _preload()
    ready = ARGS.get("ready_fd", -1)
    if ready >= 0:
        os.write(ready, b"ready\n")
        os.close(ready)
    sock = socket.socket(fileno=int(ARGS.get("wire_fd", 3)))
    conn = lab_candidate_values.CONN = lab_wire.Connection(
        sock, "C", serve=serve, encode=encode, decode=decode, encode_error=encode_error,
        decode_error=decode_error, on_release=TABLE.release, main_chain="J0", max_chains=256,
        persistent=True)
    conn.start()
    conn.serve_main()
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    # Whatever the candidate's code does to sys.exit or os._exit, the judge only hears
    # the socket close.
    main()
