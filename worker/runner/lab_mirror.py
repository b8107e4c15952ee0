"""The candidate's exceptions, raised in the judge.

An exception of the candidate's code is raised here as the same built-in type, or as a
*mirror* class that copies the candidate's hierarchy (`pytest.raises(ConfigError)` and
`issubclass` work, attributes are read from the candidate's object).  It is never mapped
onto pytest's outcomes or `unittest.SkipTest`, and never onto anything but an
`Exception`: a candidate's KeyboardInterrupt or SystemExit is a plain error here.
"""

from __future__ import annotations

import builtins
import sys
import threading
import types
import unittest

import lab_proxy
import lab_values
from lab_context import CONTEXT, Link
from lab_values import MAX_DEPTH, WireError

STDLIB = frozenset(sys.stdlib_module_names)
MAX_MIRROR_BASES = 16


class MirrorMeta(type):
    """Calling a mirror class makes the exception in the candidate's process, with the
    candidate's own constructor (`ConflictError("dup").message` is the candidate's
    attribute); a class the tests derive from a mirror is made here, as usual."""

    def __call__(cls, *args, **kwargs):
        if "_lab_ids" in cls.__dict__:
            return lab_proxy.call("call", cls, list(args), kwargs)
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


def builtin_type(name) -> type:
    if type(name) is not str or len(name) > 60:
        raise WireError("a bad built-in type name")
    value = getattr(builtins, name, None)
    if not isinstance(value, type):
        raise WireError("an unknown built-in type")
    return value


def stdlib_class(mod, qual):
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
        cls = builtin_type(node[1] if len(node) > 1 else None)
        if not issubclass(cls, BaseException):
            raise WireError("an exception of a class that is not an exception")
        return _safe_exception_base(cls)
    if tag == "M":
        if len(node) != 3:
            raise WireError("a bad class reference")
        cls = stdlib_class(node[1], node[2])
        if cls is None or not issubclass(cls, BaseException):
            return Exception
        safe = _safe_exception_base(cls)
        return _with_attributes(safe) if safe is not CandidateBaseException else safe
    if tag == "xc":
        return mirror_class(node, decoder, depth)
    raise WireError("a bad class reference")


_STDLIB_MIRRORS: dict = {}


def _with_attributes(cls: type) -> type:
    """A standard library exception made here by its arguments alone can lose what its
    constructor computed (JSONDecodeError's lineno): a subclass that reads the rest from
    the candidate's object, made once per class."""
    found = _STDLIB_MIRRORS.get(cls)
    if found is None:
        found = MirrorMeta(cls.__name__, (Mirror, cls), {"__module__": cls.__module__,
                                                         "__qualname__": cls.__qualname__})
        found = _STDLIB_MIRRORS.setdefault(cls, found)
    return found


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
    """["xe", cls, args, text, handle id, origin, cause, context, suppress_context]: the
    exception to raise here (the last two may be missing)."""
    if len(node) not in (7, 9):
        raise WireError("a bad exception")
    origin = node[5]
    if origin is not None:
        obj = CONTEXT.exported(origin)[0] if type(origin) is int else None
        if isinstance(obj, BaseException):
            # The test's own exception, back again: the same object.  It went through the
            # candidate's code, which let it out: reported as raised by that code.
            obj.__dict__["_lab_candidate"] = True
            return obj
    cls = exception_class(node[1], decoder, depth + 1)
    args = decoder(node[2], depth + 1)
    if type(args) is not list:
        raise WireError("exception arguments are not a list")
    text = node[3]
    if type(text) is not str or len(text) > lab_values.MAX_TEXT:
        raise WireError("a bad exception text")
    if issubclass(cls, Mirror) or cls is CandidateBaseException:
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
        exc._lab_handle = lab_proxy.REGISTRY.proxy(decoder.conn, node[4])
    exc._lab_candidate = True
    if depth < 8:
        exc.__cause__ = _chained(node[6], decoder, depth)
        if len(node) == 9:
            exc.__context__ = _chained(node[7], decoder, depth) or exc.__cause__
            exc.__suppress_context__ = node[8] is True
    return exc


def _chained(node, decoder, depth: int):
    if type(node) is list and node and node[0] == "xe":
        return exception_value(node, decoder, depth + 1)
    return None


def raised_by_candidate(exc: BaseException) -> bool:
    return bool(getattr(exc, "__dict__", {}).get("_lab_candidate"))


