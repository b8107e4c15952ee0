"""The candidate's objects as the judge sees them: handles and modules.

Runs in the judge process only.  Nothing here executes code of the candidate: a value
from the candidate is either plain data (decoded by lab_values.Decoder into exact built-in
types: a lying `int` subclass arrives as a true `int`) or a `Handle`, whose every
operation is a request to the candidate's process.  A handle compared with anything but
another handle is decided here and is never equal (and never ordered), so
`assert f(x) == 3` cannot be met by an object.  Exceptions cross as mirrors
(lab_mirror), values are encoded and decoded by lab_codec.
"""

from __future__ import annotations

import sys
import threading
import types
import weakref

import lab_codec
from lab_context import CONTEXT, CandidateFailure, Link, StaleHandle, fail_text
from lab_values import WireError
from lab_wire import RemoteGone, RemoteTimeout

_oga = object.__getattribute__
_osa = object.__setattr__


def call(op: str, *args, conn=None):
    """One request to the candidate; args are judge values, encoded here."""
    if conn is None:
        conn = Link.current()
    encoded = [lab_codec.encode(a) for a in args]
    deadline = CONTEXT.deadline
    try:
        return conn.request(op, encoded, deadline)
    except RemoteTimeout:
        failure = Link.failure(conn, "timeout")
    except RemoteGone as gone:
        failure = Link.failure(conn, gone.reason)
    except WireError as exc:
        failure = CandidateFailure(fail_text("bad_value", Link.limits), "bad_value", str(exc))
    CONTEXT.note_failure(failure)
    raise failure


# -- handles ---------------------------------------------------------------------------


class Handle:
    """An object that lives in the candidate's process.  Every use is a request."""

    __slots__ = ("_lab_conn", "_lab_id", "_lab_count", "_lab_path", "__weakref__")

    def __getattribute__(self, name):
        if name == "__class__":
            return Handle
        return _op(self, "getattr", name)

    def __setattr__(self, name, value):
        _op(self, "setattr", name, value)

    def __delattr__(self, name):
        _op(self, "delattr", name)

    def __call__(self, *args, **kwargs):
        return _op(self, "call", list(args), kwargs)

    def __del__(self):
        try:
            _oga(self, "_lab_conn").release(_oga(self, "_lab_id"), _oga(self, "_lab_count"))
        except Exception:  # noqa: BLE001 - interpreter shutdown, half-built handle
            pass

    # Equality and order: decided here unless both sides are the candidate's objects.
    def __eq__(self, other):
        if type(other) is Handle:
            return _op(self, "op", "eq", other)
        return False

    def __ne__(self, other):
        if type(other) is Handle:
            return _op(self, "op", "ne", other)
        return True

    def __hash__(self):
        return _typed(_op(self, "op", "hash"), int, "__hash__")

    def __bool__(self):
        return _typed(_op(self, "op", "bool"), bool, "__bool__")

    def __len__(self):
        value = _typed(_op(self, "op", "len"), int, "__len__")
        if value < 0:
            raise ValueError("__len__() should return >= 0")
        return value

    def __iter__(self):
        return _op(self, "op", "iter")

    def __next__(self):
        return _op(self, "op", "next")

    def __reversed__(self):
        return _op(self, "op", "reversed")

    def __contains__(self, item):
        return _typed(_op(self, "op", "contains", item), bool, "__contains__")

    def __getitem__(self, key):
        return _op(self, "op", "getitem", key)

    def __setitem__(self, key, value):
        _op(self, "op", "setitem", key, value)

    def __delitem__(self, key):
        _op(self, "op", "delitem", key)

    def __repr__(self):
        return _typed(_op(self, "op", "repr"), str, "__repr__")

    def __str__(self):
        return _typed(_op(self, "op", "str"), str, "__str__")

    def __format__(self, spec):
        return _typed(_op(self, "op", "format", spec), str, "__format__")

    def __bytes__(self):
        return _typed(_op(self, "op", "bytes"), bytes, "__bytes__")

    def __int__(self):
        return _typed(_op(self, "op", "int"), int, "__int__")

    def __float__(self):
        return _typed(_op(self, "op", "float"), float, "__float__")

    def __complex__(self):
        return _typed(_op(self, "op", "complex"), complex, "__complex__")

    def __index__(self):
        return _typed(_op(self, "op", "index"), int, "__index__")

    def __round__(self, ndigits=None):
        return _op(self, "op", "round", ndigits)

    def __enter__(self):
        return _op(self, "op", "enter")

    def __exit__(self, kind, value, traceback):
        if isinstance(value, CandidateFailure) and _oga(self, "_lab_conn") is not Link.current():
            return False  # its process is gone: let the failure that says why propagate
        answer = _op(self, "op", "exit", value)
        if value is not None and not _may_suppress(value):
            return False  # the candidate cannot swallow a failed assertion of the test
        return bool(answer)

    def __instancecheck__(self, obj):
        return _typed(_op(self, "isinstance", obj), bool, "isinstance")

    def __subclasscheck__(self, cls):
        return _typed(_op(self, "issubclass", cls), bool, "issubclass")

    def __mro_entries__(self, bases):
        raise TypeError("a class in the tests cannot inherit from a class of the candidate's "
                        "code (it lives in another process); use judge.subclass(...)")

    def __reduce_ex__(self, protocol):
        raise TypeError("an object of the candidate's code cannot be pickled by the tests")

    def __copy__(self):
        return _op(self, "copy")

    def __deepcopy__(self, memo):
        return _op(self, "deepcopy")

    def __dir__(self):
        return _op(self, "dir")


def _binary(name: str):
    def method(self, other):
        return _op(self, "op", name, other)

    method.__name__ = f"__{name}__"
    return method


def _unary(name: str):
    def method(self):
        return _op(self, "op", name)

    method.__name__ = f"__{name}__"
    return method


_ORDER = ("lt", "le", "gt", "ge")
_ARITH = ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "lshift",
          "rshift", "and", "or", "xor", "divmod")


def _ordered(name: str):
    def method(self, other):
        if type(other) is Handle:
            return _op(self, "op", name, other)
        return NotImplemented  # never true against a plain value: Python then raises

    method.__name__ = f"__{name}__"
    return method


for _name in _ORDER:
    setattr(Handle, f"__{_name}__", _ordered(_name))
for _name in _ARITH:
    setattr(Handle, f"__{_name}__", _binary(_name))
    setattr(Handle, f"__r{_name}__", _binary(f"r{_name}"))
    if _name != "divmod":
        setattr(Handle, f"__i{_name}__", _binary(f"i{_name}"))
for _name in ("neg", "pos", "abs", "invert", "trunc", "floor", "ceil"):
    setattr(Handle, f"__{_name}__", _unary(_name))


def _typed(value, kind: type, what: str):
    if type(value) is not kind:
        failure = CandidateFailure(fail_text("bad_value", Link.limits), "bad_value",
                                   f"{what} of your object did not give a {kind.__name__}")
        CONTEXT.note_failure(failure)
        raise failure
    return value


def _may_suppress(exc: BaseException) -> bool:
    """May a context manager of the candidate swallow this exception of the test?"""
    if isinstance(exc, (AssertionError, CandidateFailure)) or not isinstance(exc, Exception):
        return False
    return not is_outcome(exc)


def is_outcome(exc: BaseException) -> bool:
    outcomes = sys.modules.get("_pytest.outcomes")
    return bool(outcomes and isinstance(exc, outcomes.OutcomeException))


def is_handle(value) -> bool:
    return type(value) is Handle


def live(handle: Handle):
    """The handle's connection, re-resolving a handle with an import path after the
    candidate's process was restarted; StaleHandle for the others."""
    conn = _oga(handle, "_lab_conn")
    current = Link.current()
    if conn is current:
        return conn
    path = _oga(handle, "_lab_path")
    if path is None:
        failure = StaleHandle(fail_text("stale", Link.limits), "stale")
        CONTEXT.note_failure(failure)
        raise failure
    fresh = call("modgetattr", *path, conn=current)
    if type(fresh) is not Handle:
        raise TypeError(f"{path[0]}.{path[1]} is no longer an object of the same kind")
    with REGISTRY.lock:
        # This handle takes over the fresh proxy's place and count: one proxy per object.
        _osa(handle, "_lab_conn", current)
        _osa(handle, "_lab_id", _oga(fresh, "_lab_id"))
        _osa(handle, "_lab_count", _oga(fresh, "_lab_count"))
        _osa(fresh, "_lab_count", 0)
        REGISTRY.by_conn[current][_oga(fresh, "_lab_id")] = handle
    return current


def _op(handle: Handle, op: str, *args):
    conn = live(handle)
    return call(op, handle, *args, conn=conn)


class Registry:
    """Handles by (connection, id): one proxy per candidate object, so `is` works."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_conn: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def proxy(self, conn, ident: int) -> Handle:
        with self.lock:
            table = self.by_conn.get(conn)
            if table is None:
                table = self.by_conn[conn] = weakref.WeakValueDictionary()
            found = table.get(ident)
            if found is not None:
                _osa(found, "_lab_count", _oga(found, "_lab_count") + 1)
                return found
            handle = object.__new__(Handle)
            _osa(handle, "_lab_conn", conn)
            _osa(handle, "_lab_id", ident)
            _osa(handle, "_lab_count", 1)
            _osa(handle, "_lab_path", None)
            table[ident] = handle
            return handle


REGISTRY = Registry()


_LOCAL_DUNDERS = frozenset({"__path__", "__file__", "__cached__", "__builtins__", "__loader__",
                            "__spec__", "__package__", "__getattr__", "__dict__", "__class__"})


class RemoteModule(types.ModuleType):
    """A module of the candidate, read attribute by attribute from its process.

    `library=True` (judge.remote_module): a class there that is not an exception comes
    back as a handle even when it is a built-in or standard one, so that calling it
    runs in the candidate's process (`remote_module("builtins").super(C, obj)`)."""

    __lab_library__ = False

    def __getattr__(self, name: str):
        if name in _LOCAL_DUNDERS or (name.startswith("__") and name.endswith("__")
                                      and name not in ("__all__", "__version__", "__doc__")):
            raise AttributeError(name)
        value = call("modgetattr", self.__name__, name, self.__lab_library__)
        if type(value) is Handle and object.__getattribute__(value, "_lab_path") is None:
            object.__setattr__(value, "_lab_path", (self.__name__, name, self.__lab_library__))
        return value

    def __setattr__(self, name: str, value) -> None:
        if name.startswith("__") and name.endswith("__"):
            super().__setattr__(name, value)
        else:
            call("modsetattr", self.__name__, name, value)

    def __delattr__(self, name: str) -> None:
        call("moddelattr", self.__name__, name)

    def __dir__(self):
        return call("moddir", self.__name__)


class LibraryModule(RemoteModule):
    __lab_library__ = True
