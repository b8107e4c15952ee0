"""The candidate's side of the values on the wire: its objects table, the tests' objects.

Runs in the candidate's process, next to its code, which can change any of it: the
judge trusts nothing produced here.  This file only has to be right for honest code.
The candidate's objects the judge holds are kept in `TABLE` (by handle id, with how
often each was sent, so the judge's releases can drop them); objects of the tests
arrive as `JudgeRef`s that can only be called, iterated and have named methods called.
"""

from __future__ import annotations

import builtins
import importlib
import sys
import threading
import weakref

import lab_values
import lab_wire
from lab_values import MAX_DEPTH, encode_known, encode_plain

STDLIB = frozenset(sys.stdlib_module_names)
CONN: lab_wire.Connection | None = None  # set by lab_candidate.main


class Table:
    """The candidate's objects the judge holds handles to: id -> [object, times sent]."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.objects: dict[int, list] = {}
        self.ids: dict[int, int] = {}  # id(object) -> handle id
        self.next = 1

    def ref(self, obj) -> int:
        with self.lock:
            ident = self.ids.get(id(obj))
            if ident is None or self.objects[ident][0] is not obj:
                ident = self.next
                self.next += 1
                self.objects[ident] = [obj, 0]
                self.ids[id(obj)] = ident
            self.objects[ident][1] += 1
            return ident

    def get(self, ident):
        with self.lock:
            entry = self.objects.get(ident)
        if entry is None:
            raise LookupError("the grader used an object your code no longer has")
        return entry[0]

    def release(self, pairs: list) -> None:
        with self.lock:
            for pair in pairs:
                if type(pair) is not list or len(pair) != 2:
                    continue
                entry = self.objects.get(pair[0])
                if entry is None:
                    continue
                entry[1] -= pair[1] if type(pair[1]) is int else 0
                if entry[1] <= 0:
                    del self.objects[pair[0]]
                    self.ids.pop(id(entry[0]), None)


TABLE = Table()
ORIGIN = "_lab_origin"  # attribute of an exception that came from the tests: its export id


class JudgeRef:
    """An object of the tests: it may be called (if it is callable), iterated (if it is
    iterable), and have the methods the test named called.  A function also shows its
    name, docstring and signature (so that functools.wraps works); nothing else of it is
    reachable from here."""

    __slots__ = ("_lab_id", "_lab_methods", "_lab_meta", "__weakref__")

    def __getattr__(self, name):
        if name in self._lab_methods:
            ident = self._lab_id

            def method(*args, **kwargs):
                return CONN.request("callmethod", [ident, name, encode(list(args)),
                                                   encode(kwargs)])

            method.__name__ = name
            return method
        meta = self._lab_meta
        if name in ("__name__", "__qualname__") and name in meta:
            return meta[name]
        if name == "__signature__" and "params" in meta:
            return _signature(meta["params"])
        raise AttributeError(f"an object of the tests has no attribute {name!r} you may use")

    def __repr__(self):
        return f"<{self._lab_meta.get('__qualname__', 'an object')} of the tests>"

    @property
    def __doc__(self):  # the function's own docstring, not this class's
        return self._lab_meta.get("__doc__")

    @property
    def __module__(self):
        return self._lab_meta.get("__module__", "tests")

    @property
    def __annotations__(self):
        return {}


def _call(self, *args, **kwargs):
    return CONN.request("call", [self._lab_id, encode(list(args)), encode(kwargs)])


def _iter(self):
    return CONN.request("iter", [self._lab_id])


def _next(self):
    return CONN.request("next", [self._lab_id])


_REF_CLASSES: dict[str, type] = {}


def _ref_class(abilities: str) -> type:
    """JudgeRef with exactly the abilities of the test object: callable() and iter() tell
    the truth about it."""
    key = "".join(sorted(set(abilities) & set("cin")))
    found = _REF_CLASSES.get(key)
    if found is None:
        # type() would put its own __doc__ and __module__ in the namespace, hiding the
        # test function's (the properties of JudgeRef).
        body = {"__slots__": (), "__doc__": JudgeRef.__dict__["__doc__"],
                "__module__": JudgeRef.__dict__["__module__"]}
        if "c" in key:
            body["__call__"] = _call
        if "i" in key:
            body["__iter__"] = _iter
        if "n" in key:
            body["__next__"] = _next
        found = _REF_CLASSES[key] = type("JudgeRef", (JudgeRef,), body)
    return found


def _signature(params):
    import inspect  # late: only signatures need it; the candidate's start-up stays small

    made = []
    for entry in params:
        default = entry[2] if len(entry) > 2 else inspect.Parameter.empty
        made.append(inspect.Parameter(entry[0], inspect._ParameterKind(entry[1]), default=default))
    return inspect.Signature(made)


_JUDGE_REFS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def judge_ref(ident: int, methods, meta=None, abilities: str = "c") -> JudgeRef:
    found = _JUDGE_REFS.get(ident)
    if found is None:
        found = object.__new__(_ref_class(abilities if type(abilities) is str else ""))
        found._lab_id = ident
        found._lab_methods = frozenset(methods or ())
        found._lab_meta = meta if type(meta) is dict else {}
        _JUDGE_REFS[ident] = found
    return found


# -- encoding --------------------------------------------------------------------------


def _by_path(mod: str, qual: str):
    value = importlib.import_module(mod)
    for part in qual.split("."):
        value = getattr(value, part)
    return value


def _stdlib_path(obj):
    mod = getattr(obj, "__module__", None)
    qual = getattr(obj, "__qualname__", None)
    if type(mod) is not str or type(qual) is not str or mod.split(".")[0] not in STDLIB:
        return None
    if "<locals>" in qual:
        return None
    try:
        return ["M", mod, qual] if _by_path(mod, qual) is obj else None
    except Exception:  # noqa: BLE001
        return None


def class_ref(cls: type, depth: int = 0):
    if getattr(builtins, cls.__name__, None) is cls:
        return ["B", cls.__name__]
    if cls in lab_values.TYPES_NAMES:
        return ["M", "types", lab_values.TYPES_NAMES[cls]]
    path = _stdlib_path(cls)
    if path is not None:
        return path
    if issubclass(cls, BaseException) and depth < 20:
        bases = [class_ref(b, depth + 1) for b in cls.__bases__ if isinstance(b, type)]
        return ["xc", TABLE.ref(cls), str(cls.__module__), str(cls.__qualname__)[:200],
                [b for b in bases if b is not None][:16]]
    return None


def exception_node(exc: BaseException, depth: int = 0):
    kind = type(exc)
    ref = class_ref(kind) or ["B", "Exception"]
    try:
        args = encode(list(exc.args))
    except Exception:  # noqa: BLE001
        args = ["l"]
    try:
        text = str(exc)[:2000]
    except Exception:  # noqa: BLE001
        text = ""
    handle = TABLE.ref(exc)
    origin = getattr(exc, "__dict__", {}).get(ORIGIN)
    cause, context = exc.__cause__, exc.__context__
    cause_node = exception_node(cause, depth + 1) if (
        isinstance(cause, BaseException) and depth < 4) else None
    context_node = exception_node(context, depth + 1) if (
        isinstance(context, BaseException) and context is not cause and depth < 4) else None
    return ["xe", ref, args, text, handle, origin if type(origin) is int else None, cause_node,
            context_node, bool(exc.__suppress_context__)]


_BASES = ((bool, bool), (int, int.__index__), (float, float.__float__), (str, str.__str__),
          (bytes, bytes), (list, list), (tuple, tuple), (dict, dict), (set, set),
          (frozenset, frozenset), (complex, complex))


class Keep:
    """A result the judge asked to keep by reference (judge.by_reference)."""

    __slots__ = ("obj",)

    def __init__(self, obj) -> None:
        self.obj = obj


class Encoder:
    """One value for the wire: plain by value (subclasses as their base), containers
    that contain themselves or are too big as handles, everything else as a handle."""

    def __init__(self) -> None:
        self.path: set[int] = set()
        self.nodes = 0

    def __call__(self, value, depth: int = 0):
        self.nodes += 1
        if depth > MAX_DEPTH - 5 or self.nodes > lab_values.MAX_NODES // 2:
            raise OverflowError
        kind = type(value)
        if isinstance(value, JudgeRef):
            return ["g", value._lab_id]
        if kind is Keep:
            return ["c", TABLE.ref(value.obj)]
        container = kind in (list, tuple, dict, set, frozenset)
        if container:
            if id(value) in self.path:
                raise RecursionError
            self.path.add(id(value))
            try:
                if kind in (dict, set, frozenset):
                    keys = value if kind is not dict else value.keys()
                    if not all(_hashable_plain(k) for k in keys):
                        raise OverflowError
                return encode_plain(value, self, depth)
            finally:
                self.path.discard(id(value))
        known = encode_known(value, self, depth, class_ref, exception_node)
        if known is not NotImplemented:
            return known
        if isinstance(value, tuple) and _named_fields(kind):
            return ["nt", kind.__name__, list(kind._fields), *[self(v, depth + 1) for v in value]]
        for base, convert in _BASES:
            if isinstance(value, base) and kind is not base:
                try:
                    return self(convert(value), depth)
                except (OverflowError, RecursionError):
                    raise
                except Exception:  # noqa: BLE001
                    break
        return ["c", TABLE.ref(value)]


def _named_fields(kind: type) -> bool:
    fields = getattr(kind, "_fields", None)
    return (type(fields) is tuple and kind.__name__.isidentifier()
            and all(type(f) is str and f.isidentifier() and not f.startswith("_") for f in fields))


def _hashable_plain(value) -> bool:
    kind = type(value)
    if kind in (str, int, float, bool, bytes, type(None), complex):
        return True
    if kind is tuple or kind is frozenset:
        return all(_hashable_plain(v) for v in value)
    return kind.__module__ in ("decimal", "fractions", "datetime") and kind.__name__ in (
        "Decimal", "Fraction", "datetime", "date", "time", "timedelta")


def encode(value):
    try:
        return Encoder()(value)
    except (OverflowError, RecursionError):
        return ["c", TABLE.ref(value)]  # too big, too deep or cyclic: a handle


def encode_error(exc: BaseException):
    try:
        return exception_node(exc)
    except Exception:  # noqa: BLE001 - an exception whose class or text misbehaves
        return ["xe", ["B", "Exception"], ["l"], "", None, None, None]


# -- decoding (the judge is trusted; still shaped by lab_wire's decoder) -------------


def _refs(tag, node, decoder, depth):
    if tag == "c":
        return TABLE.get(node[1])
    if tag == "g":
        meta = node[3] if len(node) > 3 else None
        if type(meta) is dict and "params" in meta:
            params = []
            for entry in meta["params"]:
                params.append(entry[:2] + [decoder(entry[2], depth + 1)] if len(entry) > 2
                              else entry[:2])
            meta = {**meta, "params": params}
        return judge_ref(node[1], node[2] if len(node) > 2 else (), meta,
                         node[4] if len(node) > 4 else "")
    if tag == "B":
        return getattr(builtins, node[1])
    if tag in ("M", "P"):
        return _by_path(node[1], node[2])
    if tag == "xe":
        return exception_value(node, decoder, depth)
    raise lab_values.WireError(f"unknown form {tag!r}")


def exception_value(node, decoder, depth):
    if type(node[4]) is int:  # one of this process's exceptions, coming back
        try:
            own = TABLE.get(node[4])
        except LookupError:
            own = None
        if isinstance(own, BaseException):
            return own
    cls = decoder(node[1], depth + 1)
    args = decoder(node[2], depth + 1)
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        cls = Exception
    try:
        exc = cls(*args)
    except Exception:  # noqa: BLE001
        exc = cls.__new__(cls)
        exc.args = tuple(args)
    if node[5] is not None:
        try:
            setattr(exc, ORIGIN, node[5])
        except (AttributeError, TypeError):
            pass
    return exc


def decode(node):
    return lab_values.Decoder(_refs)(node)


def decode_error(node):
    return exception_value(node, lab_values.Decoder(_refs), 0)

