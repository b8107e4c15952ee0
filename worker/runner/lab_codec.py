"""Judge values for the wire, and the candidate's answers back into judge values.

Plain values cross by value; the candidate's objects as handles (lab_proxy); classes of
the builtins and of the standard library by name; the tests' own objects as *exports*
the candidate may only call (and iterate, and call the methods a test named with
`judge.methods`).  They stay callable for the rest of the session (a module-scoped
fixture may hand one over once for many tests).  A failed assertion, pytest's outcomes
and the lab's own failures cross bare: their text could show what a hidden test expected.
"""

from __future__ import annotations

import builtins
import inspect
import sys
import types

import lab_mirror
import lab_proxy
import lab_values
from lab_context import CONTEXT, CandidateFailure, Link
from lab_values import MAX_DEPTH, WireError, encode_known

_oga = object.__getattribute__
STDLIB = frozenset(sys.stdlib_module_names)


class JudgeDecoder(lab_values.Decoder):
    __slots__ = ("conn",)

    def __init__(self, conn) -> None:
        super().__init__(self._refs)
        self.conn = conn

    def _refs(self, tag, node, decoder, depth):
        if tag == "c":
            if len(node) < 2 or type(node[1]) is not int or not 0 < node[1] < 1 << 53:
                raise WireError("a bad handle")
            return lab_proxy.REGISTRY.proxy(self.conn, node[1])
        if tag == "g":
            if len(node) < 2:
                raise WireError("a bad reference")
            try:
                return CONTEXT.exported(node[1])[0]
            except LookupError:
                raise WireError("a reference to an object of the tests that is not "
                                "available") from None
        if tag == "B":
            return lab_mirror.builtin_type(node[1] if len(node) > 1 else None)
        if tag == "M":
            if len(node) != 3:
                raise WireError("a bad class reference")
            cls = lab_mirror.stdlib_class(node[1], node[2])
            if cls is None:
                raise WireError("an unknown class")
            return cls
        if tag == "xc":
            return lab_mirror.mirror_class(node, self, depth)
        if tag == "xe":
            return lab_mirror.exception_value(node, self, depth)
        raise WireError(f"an unknown value form {tag[:8]!r}")


def decoder_for(conn):
    def decode(node):
        return JudgeDecoder(conn)(node)

    return decode


def decode_error_for(conn):
    def decode_error(node):
        if type(node) is not list or not node or node[0] != "xe":
            raise WireError("an error answer that is not an exception")
        return lab_mirror.exception_value(node, JudgeDecoder(conn), 0)

    return decode_error


def _class_ref(cls: type):
    if lab_mirror.is_mirror(cls):
        ident = cls._lab_ids.get(Link.incarnation)
        if ident is not None:
            return ["c", ident]
        if cls._lab_path is not None:
            return ["P", *cls._lab_path]
        return None
    if getattr(builtins, cls.__name__, None) is cls:
        return ["B", cls.__name__]
    if cls in lab_values.TYPES_NAMES:
        return ["M", "types", lab_values.TYPES_NAMES[cls]]
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
    if kind is lab_proxy.Handle:
        lab_proxy.live(value)
        return ["c", _oga(value, "_lab_id")]
    known = encode_known(value, encode, depth, _class_ref, encode_exception)
    if known is not NotImplemented:
        return known
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
    if isinstance(exc, (AssertionError, CandidateFailure)) or lab_proxy.is_outcome(exc) or not isinstance(
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
    # The candidate's own exception on its way back (through a callback): its object, so
    # what its constructor kept outside args (werkzeug's description) is not lost.
    handle = exc.__dict__.get("_lab_handle") if hasattr(exc, "__dict__") else None
    own = None
    if handle is not None and _oga(handle, "_lab_conn") is Link.current():
        own = _oga(handle, "_lab_id")
    return ["xe", ref or ["B", "Exception"], args, "", own, CONTEXT.export(exc), None]


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


