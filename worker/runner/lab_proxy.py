"""The candidate's objects as the judge sees them: handles, mirror exceptions, the codec.

Runs in the judge process only.  Nothing here executes code of the candidate: a value
from the candidate is either plain data (decoded by lab_wire.Decoder into exact built-in
types: a lying `int` subclass arrives as a true `int`) or a `Handle`, whose every
operation is a request to the candidate's process.  The rules that keep scores honest:

* A handle compared with anything but another handle is decided here and is never
  equal (and never ordered), so `assert f(x) == 3` cannot be met by an object.
* An exception of the candidate's code is raised here as the same built-in type, or as
  a *mirror* class that copies the candidate's hierarchy (`pytest.raises(ConfigError)`
  works); it is never mapped onto pytest's outcomes or `unittest.SkipTest`, and never
  onto anything but an `Exception` (a candidate's KeyboardInterrupt is a plain error).
* The candidate's process failing (a limit, a crash, a broken protocol, no answer in
  time) is a `CandidateFailure`, a BaseException no `except Exception` or
  `pytest.raises(Exception)` in a test can swallow.
* Judge objects that cross to the candidate are *exports* it may only call (and iterate,
  and call the methods a test named with `judge.methods`).  They stay callable for the
  rest of the session (a module-scoped fixture may hand one over once for many tests).
"""

from __future__ import annotations

import builtins
import inspect
import sys
import threading
import time
import types
import unittest
import weakref

import lab_wire
from lab_wire import MAX_DEPTH, RemoteGone, RemoteTimeout, WireError, encode_plain

_oga = object.__getattribute__
_osa = object.__setattr__
STDLIB = frozenset(sys.stdlib_module_names)
MAX_MIRROR_BASES = 16


# -- what can go wrong with the candidate's process ----------------------------------


class CandidateFailure(BaseException):
    """The candidate's process failed while a test waited on it.  `category` names the
    kind (timeout, cpu_limit, memory_limit, output_limit, file_size_limit,
    scratch_limit, crashed, protocol, bad_value, stale) and `text` is safe to show for a
    hidden test: it names a limit or a fact, never data of the test."""

    category = "crashed"

    def __init__(self, text: str, category: str | None = None, detail: str = "") -> None:
        super().__init__(text)
        self.text = text
        self.detail = detail  # more, for public runs and the judge's log
        if category is not None:
            self.category = category


class StaleHandle(CandidateFailure):
    category = "stale"


def _fail_text(category: str, limits: dict) -> str:
    texts = {
        "timeout": f"your code did not answer within the {limits.get('test_seconds', 0):g} s "
                   "a test may take",
        "cpu_limit": f"CPU time limit of {int(limits.get('cpu_seconds', 0))} s exceeded",
        "memory_limit": f"memory limit of {limits.get('memory_mb', 0)} MiB exceeded",
        "output_limit": f"output limit of {limits.get('output_kb', 0)} KiB "
                        "(stdout + stderr) exceeded",
        "file_size_limit": f"file size limit of {limits.get('file_size_mb', 0)} MiB exceeded",
        "scratch_limit": f"the {limits.get('scratch_mb', 0)} MiB scratch space (/tmp) filled up",
        "protocol": "your code's process broke the grading protocol",
        "bad_value": "your code gave back a value the grader cannot check",
        "stale": "this object belonged to a run of your code that ended earlier in the test",
        "wall": "the run's wall clock ran out",
    }
    return texts.get(category, "your code's process ended unexpectedly")


# -- the test being run: deadline, exports, failures seen in callbacks ----------------


class Context:
    """State of the test that is running (one at a time; callbacks of the candidate may
    run on other threads of the judge meanwhile)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.nodeid = ""
        self.deadline: float | None = None
        self.exports: dict[int, tuple] = {}  # eid -> (object, methods)
        self.export_ids: dict[int, int] = {}  # id(object) -> eid
        self.next_export = 1
        self.failures: list[BaseException] = []  # assertions that failed inside callbacks
        self.candidate_failure: CandidateFailure | None = None  # first one of this test

    def export(self, obj, methods: tuple = ()) -> int:
        with self.lock:
            eid = self.export_ids.get(id(obj))
            if eid is not None and self.exports[eid][0] is obj:
                if methods and not self.exports[eid][1]:
                    self.exports[eid] = (obj, tuple(methods))
                return eid
            eid = self.next_export
            self.next_export += 1
            self.exports[eid] = (obj, tuple(methods))
            self.export_ids[id(obj)] = eid
            return eid

    def exported(self, eid) -> tuple:
        if type(eid) is not int:
            raise WireError("a reference to a test object is not a number")
        with self.lock:
            entry = self.exports.get(eid)
        if entry is None:
            raise LookupError("an object of the tests that was never handed over was used")
        return entry

    def begin_test(self, nodeid: str, deadline: float) -> None:
        with self.lock:
            self.nodeid = nodeid
            self.deadline = deadline
            self.failures = []
            self.candidate_failure = None

    def end_test(self) -> None:
        with self.lock:
            self.nodeid = ""

    def note_failure(self, exc: BaseException) -> None:
        with self.lock:
            if isinstance(exc, CandidateFailure):
                if self.candidate_failure is None:
                    self.candidate_failure = exc
            elif len(self.failures) < 10:
                self.failures.append(exc)


CONTEXT = Context()


# -- the link to the candidate (set up by lab_judge) -----------------------------------


class Link:
    """What the proxies need of the controller: the live connection, and how to turn a
    failed request into the CandidateFailure that explains it."""

    current = None  # () -> lab_wire.Connection (starting a candidate if none runs)
    failure = None  # (conn, reason) -> CandidateFailure
    limits: dict = {}
    incarnation = 0


def call(op: str, *args, conn=None):
    """One request to the candidate; args are judge values, encoded here."""
    if conn is None:
        conn = Link.current()
    encoded = [encode(a) for a in args]
    deadline = CONTEXT.deadline
    try:
        return conn.request(op, encoded, deadline)
    except RemoteTimeout:
        failure = Link.failure(conn, "timeout")
    except RemoteGone as gone:
        failure = Link.failure(conn, gone.reason)
    except WireError as exc:
        failure = CandidateFailure(_fail_text("bad_value", Link.limits), "bad_value", str(exc))
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
        failure = CandidateFailure(_fail_text("bad_value", Link.limits), "bad_value",
                                   f"{what} of your object did not give a {kind.__name__}")
        CONTEXT.note_failure(failure)
        raise failure
    return value


def _may_suppress(exc: BaseException) -> bool:
    """May a context manager of the candidate swallow this exception of the test?"""
    if isinstance(exc, (AssertionError, CandidateFailure)) or not isinstance(exc, Exception):
        return False
    return not _is_outcome(exc)


def _is_outcome(exc: BaseException) -> bool:
    outcomes = sys.modules.get("_pytest.outcomes")
    return bool(outcomes and isinstance(exc, outcomes.OutcomeException))


def is_handle(value) -> bool:
    return type(value) is Handle


def _live(handle: Handle):
    """The handle's connection, re-resolving a handle with an import path after the
    candidate's process was restarted; StaleHandle for the others."""
    conn = _oga(handle, "_lab_conn")
    current = Link.current()
    if conn is current:
        return conn
    path = _oga(handle, "_lab_path")
    if path is None:
        failure = StaleHandle(_fail_text("stale", Link.limits), "stale")
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
    conn = _live(handle)
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


# -- mirror exceptions -------------------------------------------------------------------


class MirrorMeta(type):
    """Calling a mirror class makes the exception in the candidate's process, with the
    candidate's own constructor (`ConflictError("dup").message` is the candidate's
    attribute); a class the tests derive from a mirror is made here, as usual."""

    def __call__(cls, *args, **kwargs):
        if "_lab_ids" in cls.__dict__:
            return call("call", cls, list(args), kwargs)
        return super().__call__(*args, **kwargs)


class Mirror:
    """Mixed into every mirror class: the candidate's text, and its other attributes
    read from the candidate's object (`info.value.field`)."""

    def __str__(self):
        text = self.__dict__.get("_lab_text")
        return text if text is not None else super().__str__()

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        handle = self.__dict__.get("_lab_handle")
        if handle is None:
            raise AttributeError(name)
        return getattr(handle, name)


class CandidateBaseException(Exception):
    """Stands for an exception of the candidate that is not an Exception (SystemExit,
    KeyboardInterrupt, GeneratorExit, BaseException itself, pytest's outcomes)."""


_MIRRORS: dict = {}  # key -> mirror class
_MIRRORS_LOCK = threading.Lock()


def _builtin_type(name) -> type:
    if type(name) is not str or len(name) > 60:
        raise WireError("a bad built-in type name")
    value = getattr(builtins, name, None)
    if not isinstance(value, type):
        raise WireError("an unknown built-in type")
    return value


def _stdlib_class(mod, qual):
    """A class of a standard library module the judge has already loaded, or None."""
    if type(mod) is not str or type(qual) is not str or len(mod) > 100 or len(qual) > 200:
        raise WireError("a bad class name")
    if mod.split(".")[0] not in STDLIB:
        return None
    value = sys.modules.get(mod)
    for part in qual.split("."):
        if value is None or not part.isidentifier() or part.startswith("__"):
            return None
        value = getattr(value, part, None) if isinstance(value, (types.ModuleType, type)) else None
    return value if isinstance(value, type) else None


def _safe_exception_base(cls: type) -> type:
    """An exception class the judge may raise for the candidate: never pytest's outcomes,
    unittest.SkipTest, or a BaseException that is not an Exception."""
    if not issubclass(cls, Exception) or issubclass(cls, unittest.SkipTest) or (
            "_pytest" in (cls.__module__ or "")):
        return CandidateBaseException
    return cls


def exception_class(node, decoder, depth: int) -> type:
    """The judge's class for a class reference inside an exception form."""
    if type(node) is not list or not node:
        raise WireError("a bad class reference")
    tag = node[0]
    if tag == "B":
        cls = _builtin_type(node[1] if len(node) > 1 else None)
        if not issubclass(cls, BaseException):
            raise WireError("an exception of a class that is not an exception")
        return _safe_exception_base(cls)
    if tag == "M":
        if len(node) != 3:
            raise WireError("a bad class reference")
        cls = _stdlib_class(node[1], node[2])
        if cls is None or not issubclass(cls, BaseException):
            return Exception
        return _safe_exception_base(cls)
    if tag == "xc":
        return mirror_class(node, decoder, depth)
    raise WireError("a bad class reference")


def mirror_class(node, decoder, depth: int) -> type:
    """["xc", id, module, qualname, [bases]]: the mirror of a candidate exception class."""
    if len(node) != 5 or type(node[1]) is not int or type(node[4]) is not list:
        raise WireError("a bad exception class")
    ident, mod, qual, bases = node[1], node[2], node[3], node[4]
    if type(mod) is not str or type(qual) is not str or not 0 < len(qual) <= 200 or len(mod) > 200:
        raise WireError("a bad exception class name")
    if len(bases) > MAX_MIRROR_BASES or depth > MAX_DEPTH:
        raise WireError("an exception class with too many bases")
    incarnation = Link.incarnation
    key = ("path", mod, qual) if "<locals>" not in qual else ("local", incarnation, ident)
    with _MIRRORS_LOCK:
        found = _MIRRORS.get(key)
        if found is not None:
            found._lab_ids[incarnation] = ident
            return found
    py_bases = []
    for base in bases:
        cls = exception_class(base, decoder, depth + 1)
        if cls not in py_bases:
            py_bases.append(cls)
    py_bases = [b for b in py_bases if not any(o is not b and issubclass(o, b) for o in py_bases)]
    if not py_bases:
        py_bases = [Exception]
    if not any(issubclass(b, Mirror) for b in py_bases):
        py_bases.insert(0, Mirror)
    name = qual.rsplit(".", 1)[-1]
    namespace = {"__module__": mod, "__qualname__": qual, "_lab_key": key,
                 "_lab_ids": {incarnation: ident},
                 "_lab_path": (mod, qual) if "<locals>" not in qual else None}
    try:
        cls = MirrorMeta(name, tuple(py_bases), namespace)
    except TypeError:  # bases whose layouts conflict: keep the first real one
        first = next((b for b in py_bases if b is not Mirror), Exception)
        bases2 = (first,) if issubclass(first, Mirror) else (Mirror, first)
        cls = MirrorMeta(name, bases2, namespace)
    with _MIRRORS_LOCK:
        return _MIRRORS.setdefault(key, cls)


def is_mirror(cls) -> bool:
    return isinstance(cls, type) and issubclass(cls, Mirror) and "_lab_ids" in cls.__dict__


def exception_value(node, decoder, depth: int) -> BaseException:
    """["xe", cls, args, text, handle id, origin, cause]: the exception to raise here."""
    if len(node) != 7:
        raise WireError("a bad exception")
    origin = node[5]
    if origin is not None:
        obj = CONTEXT.exported(origin)[0] if type(origin) is int else None
        if isinstance(obj, BaseException):
            return obj  # the test's own exception, back again: the same object
    cls = exception_class(node[1], decoder, depth + 1)
    args = decoder(node[2], depth + 1)
    if type(args) is not list:
        raise WireError("exception arguments are not a list")
    text = node[3]
    if type(text) is not str or len(text) > lab_wire.MAX_TEXT:
        raise WireError("a bad exception text")
    if is_mirror(cls) or cls is CandidateBaseException:
        exc = cls.__new__(cls)
        exc.args = tuple(args)
        exc._lab_text = text
    else:
        try:
            exc = cls(*args)
        except Exception:  # noqa: BLE001 - arguments its constructor refuses
            exc = cls.__new__(cls)
            exc.args = tuple(args)
    if type(node[4]) is int and 0 < node[4] < 1 << 53:
        # The candidate's exception object: its attributes (mirrors), its traceback.
        exc._lab_handle = REGISTRY.proxy(decoder.conn, node[4])
    exc._lab_candidate = True
    if node[6] is not None and depth < 8:
        exc.__cause__ = exception_value(node[6], decoder, depth + 1) if (
            type(node[6]) is list and node[6] and node[6][0] == "xe") else None
    return exc


def raised_by_candidate(exc: BaseException) -> bool:
    return bool(getattr(exc, "__dict__", {}).get("_lab_candidate"))


# -- the codec ---------------------------------------------------------------------------


class JudgeDecoder(lab_wire.Decoder):
    __slots__ = ("conn",)

    def __init__(self, conn) -> None:
        super().__init__(self._refs)
        self.conn = conn

    def _refs(self, tag, node, decoder, depth):
        if tag == "c":
            if len(node) < 2 or type(node[1]) is not int or not 0 < node[1] < 1 << 53:
                raise WireError("a bad handle")
            return REGISTRY.proxy(self.conn, node[1])
        if tag == "g":
            if len(node) < 2:
                raise WireError("a bad reference")
            try:
                return CONTEXT.exported(node[1])[0]
            except LookupError:
                raise WireError("a reference to an object of the tests that is not "
                                "available") from None
        if tag == "B":
            return _builtin_type(node[1] if len(node) > 1 else None)
        if tag == "M":
            if len(node) != 3:
                raise WireError("a bad class reference")
            cls = _stdlib_class(node[1], node[2])
            if cls is None:
                raise WireError("an unknown class")
            return cls
        if tag == "xc":
            return mirror_class(node, self, depth)
        if tag == "xe":
            return exception_value(node, self, depth)
        raise WireError(f"an unknown value form {tag[:8]!r}")


def decoder_for(conn):
    def decode(node):
        return JudgeDecoder(conn)(node)

    return decode


def decode_error_for(conn):
    def decode_error(node):
        if type(node) is not list or not node or node[0] != "xe":
            raise WireError("an error answer that is not an exception")
        return exception_value(node, JudgeDecoder(conn), 0)

    return decode_error


def _class_ref(cls: type):
    if is_mirror(cls):
        ident = cls._lab_ids.get(Link.incarnation)
        if ident is not None:
            return ["c", ident]
        if cls._lab_path is not None:
            return ["P", *cls._lab_path]
        return None
    if getattr(builtins, cls.__name__, None) is cls:
        return ["B", cls.__name__]
    if cls in lab_wire.TYPES_NAMES:
        return ["M", "types", lab_wire.TYPES_NAMES[cls]]
    return _stdlib_ref(cls)


def _stdlib_ref(obj):
    mod = getattr(obj, "__module__", None)
    qual = getattr(obj, "__qualname__", None)
    if type(mod) is not str or type(qual) is not str or mod.split(".")[0] not in STDLIB:
        return None
    if mod == "builtins" and "." not in qual and getattr(builtins, qual, None) is obj:
        return ["M", mod, qual]
    value = sys.modules.get(mod)
    for part in qual.split("."):
        value = getattr(value, part, None)
    return ["M", mod, qual] if value is obj else None


_PLAIN_BASES = (bool, int, float, complex, str, bytes, list, tuple, dict, set, frozenset)


def encode(value, depth: int = 0):
    """A judge value for the wire: plain by value, the candidate's handles by id, classes
    by name, anything else of the tests as an export the candidate may only call."""
    if depth > MAX_DEPTH:
        return ["g", CONTEXT.export(value), [], None, _abilities(value)]
    kind = type(value)
    if kind is Handle:
        _live(value)
        return ["c", _oga(value, "_lab_id")]
    plain = encode_plain(value, encode, depth)
    if plain is not NotImplemented:
        return plain
    if isinstance(value, type):
        ref = _class_ref(value)
        if ref is not None:
            return ref
    if isinstance(value, BaseException):
        return encode_exception(value, depth)
    if isinstance(value, _Methods):
        return ["g", CONTEXT.export(value.obj, value.names), list(value.names), None,
                _abilities(value.obj)]
    for base in _PLAIN_BASES:
        if isinstance(value, base):  # the tests' own subclass (an IntEnum, a namedtuple)
            return encode(base(value), depth)
    if isinstance(value, (types.BuiltinFunctionType, types.FunctionType, types.MethodDescriptorType)):
        ref = _stdlib_ref(value)
        if ref is not None:
            return ref
    eid = CONTEXT.export(value)
    return ["g", eid, [], _metadata(value, depth), _abilities(value)]


def _abilities(value) -> str:
    """What the candidate may do with an export besides named methods: c call, i iterate,
    n take the next item."""
    return (("c" if callable(value) else "") + ("i" if hasattr(value, "__iter__") else "")
            + ("n" if hasattr(value, "__next__") else ""))


def _metadata(value, depth: int):
    """What a function of the tests shows the candidate's code besides being callable: its
    name, qualified name, module, docstring and signature, so that functools.wraps and
    inspect.signature behave as in one process.  Nothing else of it crosses."""
    if not isinstance(value, (types.FunctionType, types.MethodType, type)):
        return None
    meta = {}
    for key in ("__name__", "__qualname__", "__module__", "__doc__"):
        text = getattr(value, key, None)
        if isinstance(text, str):
            meta[key] = text[:2000]
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        return meta
    params = []
    for param in list(signature.parameters.values())[:64]:
        entry = [param.name, int(param.kind)]
        if param.default is not param.empty:
            entry.append(encode(param.default, depth + 1))
        params.append(entry)
    meta["params"] = params
    return meta


def encode_exception(exc: BaseException, depth: int = 0):
    """An exception of the tests, for the candidate.  A failed assertion, pytest's
    outcomes and the lab's own failures cross bare: their text could show what a hidden
    test expected."""
    if isinstance(exc, (AssertionError, CandidateFailure)) or _is_outcome(exc) or not isinstance(
            exc, Exception):
        bare = "AssertionError" if isinstance(exc, AssertionError) else "RuntimeError"
        return ["xe", ["B", bare], ["l"], "", None, None, None]
    ref = None
    for cls in type(exc).__mro__:
        ref = _class_ref(cls)
        if ref is not None:
            break
    try:
        args = encode(list(exc.args), depth + 1)
    except (WireError, RecursionError):
        args = ["l"]
    return ["xe", ref or ["B", "Exception"], args, "", None, CONTEXT.export(exc), None]


class _Methods:
    """judge.methods(obj, "name", ...): obj crosses as an export whose named methods the
    candidate may call (and nothing else of it)."""

    __slots__ = ("obj", "names")

    def __init__(self, obj, names: tuple) -> None:
        self.obj = obj
        self.names = names


def methods(obj, *names: str) -> _Methods:
    for name in names:
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"judge.methods: {name!r} is not a public method name")
    return _Methods(obj, tuple(names))


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


def now() -> float:
    return time.monotonic()
