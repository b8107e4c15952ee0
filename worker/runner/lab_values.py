"""Plain values on the wire: the tagged JSON forms, and their strict, bounded decoder.

Both processes import this file (standard library only).  The judge trusts nothing the
candidate sends: `Decoder` accepts only a fixed set of tagged forms, builds only plain
values of exact built-in types (a lying `int` subclass cannot arrive: JSON has none),
and caps depth and node count.  No pickle, no eval, no attribute lookup driven by data.

None, bool, int, float and str travel as JSON; everything else is a list whose first
item is a tag:

    l t s f d      list, tuple, set, frozenset, dict (d: key, value, key, value...)
    b D Q c+       bytes (base64), Decimal, Fraction, complex
    dt da ti td    datetime, date, time (ISO text), timedelta (days, seconds, us)
    r sl E NI      range, slice, Ellipsis, NotImplemented
    nt name fields values...   a named tuple (rebuilt from the standard factory)
    B name         a built-in type (`builtins.<name>`)
    M mod qual     a class or function of the standard library, by name
    c id [info]    an object that lives in the candidate (a handle)
    g id methods meta abilities   an object that lives in the judge (an export)
    xc id mod qual bases        an exception class of the candidate
    xe cls args text id origin cause   an exception instance
    P mod qual     a candidate class named by its import path (after a restart)

The forms that name objects (B M c g xc xe P) are resolved by the side that decodes
(lab_codec in the judge, lab_candidate in the candidate).
"""

from __future__ import annotations

import base64
import collections
import datetime
import decimal
import fractions
import types

MAX_DEPTH = 60  # nesting of one value
MAX_NODES = 200_000  # items in one value
MAX_TEXT = 64 * 1024  # exception texts and the like
MAX_INT_BITS = 12_000  # larger ints cross as handles (JSON text of them is capped anyway)
MAX_BYTES_TEXT = 16 * 1024 * 1024  # base64 text of one bytes value (frames are smaller)


class WireError(Exception):
    """The other side broke the protocol; the text says how (never shown verbatim as a
    test name or count)."""


# -- plain values --------------------------------------------------------------------

PLAIN_SCALARS = (type(None), bool, int, float, str)
_ISO_MAX = 64


def encode_known(value, encode, depth: int, class_ref, encode_exception):
    """What both sides of the wire encode alike, in the same order: a plain value, a class
    `class_ref` can name, an exception (by `encode_exception`).  NotImplemented for
    anything else, which each side then treats by its own rules."""
    plain = encode_plain(value, encode, depth)
    if plain is not NotImplemented:
        return plain
    if isinstance(value, type):
        ref = class_ref(value)
        if ref is not None:
            return ref
    if isinstance(value, BaseException):
        return encode_exception(value, depth)
    return NotImplemented


def encode_plain(value, encode, depth: int = 0):
    """Encode a plain value whose exact type is known; `encode` is called for items.
    Returns NotImplemented when `value` is not of a plain type (exact type match)."""
    kind = type(value)
    if kind is str or kind is bool or value is None or kind is float:
        return value
    if kind is int:
        return value if value.bit_length() <= MAX_INT_BITS else NotImplemented
    if kind is list:
        return ["l", *[encode(v, depth + 1) for v in value]]
    if kind is tuple:
        return ["t", *[encode(v, depth + 1) for v in value]]
    if kind is dict:
        out = ["d"]
        for key, item in value.items():
            out.append(encode(key, depth + 1))
            out.append(encode(item, depth + 1))
        return out
    if kind is set:
        return ["s", *[encode(v, depth + 1) for v in value]]
    if kind is frozenset:
        return ["f", *[encode(v, depth + 1) for v in value]]
    if kind is bytes:
        return ["b", base64.b64encode(value).decode("ascii")]
    if kind is decimal.Decimal:
        return ["D", str(value)]
    if kind is fractions.Fraction:
        return ["Q", str(value.numerator), str(value.denominator)]
    if kind is complex:
        return ["c+", value.real, value.imag]
    if kind is datetime.datetime:
        return ["dt", value.isoformat()]
    if kind is datetime.date:
        return ["da", value.isoformat()]
    if kind is datetime.time:
        return ["ti", value.isoformat()]
    if kind is datetime.timedelta:
        return ["td", value.days, value.seconds, value.microseconds]
    if kind is range:
        return ["r", value.start, value.stop, value.step]
    if kind is slice:
        return ["sl", encode(value.start, depth + 1), encode(value.stop, depth + 1),
                encode(value.step, depth + 1)]
    if value is Ellipsis:
        return ["E"]
    if value is NotImplemented:
        return ["NI"]
    return NotImplemented


def need(cond: bool, what: str) -> None:
    if not cond:
        raise WireError(what)


def _int(node) -> int:
    need(type(node) is int, "a whole number was expected")
    return node


def _text(node, cap: int = MAX_TEXT) -> str:
    need(type(node) is str and len(node) <= cap, "a short text was expected")
    return node


class Decoder:
    """Strict, bounded decoding of one value.  `refs(tag, node)` turns the tags that
    name objects (c, g, B, M, xc, xe, P) into objects; everything else is built here."""

    __slots__ = ("nodes", "refs")

    def __init__(self, refs) -> None:
        self.refs = refs
        self.nodes = 0

    def __call__(self, node, depth: int = 0):
        kind = type(node)
        if kind is str or kind is int or kind is float or kind is bool or node is None:
            return node
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise WireError(f"a value has more than {MAX_NODES} items")
        if depth > MAX_DEPTH:
            raise WireError(f"a value is nested more than {MAX_DEPTH} levels deep")
        need(kind is list and node and type(node[0]) is str, "an unknown value form")
        tag = node[0]
        down = depth + 1
        if tag == "l":
            return [self(v, down) for v in node[1:]]
        if tag == "t":
            return tuple([self(v, down) for v in node[1:]])
        if tag == "d":
            need(len(node) % 2 == 1, "a dict with a key and no value")
            out = {}
            for i in range(1, len(node), 2):
                key = self.key(node[i], down)
                out[key] = self(node[i + 1], down)
            return out
        if tag == "s":
            return {self.key(v, down) for v in node[1:]}
        if tag == "f":
            return frozenset(self.key(v, down) for v in node[1:])
        if tag == "nt":
            need(len(node) >= 3 and type(node[2]) is list and len(node[2]) == len(node) - 3,
                  "a bad named tuple")
            return named_tuple(node[1], node[2])(*[self(v, down) for v in node[3:]])
        need(len(node) <= 10, "an unknown value form")
        try:
            if tag == "b":
                return base64.b64decode(_text(node[1], MAX_BYTES_TEXT), validate=True)
            if tag == "D":
                return decimal.Decimal(_text(node[1], 2000))
            if tag == "Q":
                return fractions.Fraction(int(_text(node[1], 4000)), int(_text(node[2], 4000)))
            if tag == "c+":
                need(type(node[1]) is float and type(node[2]) is float, "a bad complex")
                return complex(node[1], node[2])
            if tag == "dt":
                return datetime.datetime.fromisoformat(_text(node[1], _ISO_MAX))
            if tag == "da":
                return datetime.date.fromisoformat(_text(node[1], _ISO_MAX))
            if tag == "ti":
                return datetime.time.fromisoformat(_text(node[1], _ISO_MAX))
            if tag == "td":
                return datetime.timedelta(days=_int(node[1]), seconds=_int(node[2]),
                                          microseconds=_int(node[3]))
            if tag == "r":
                return range(_int(node[1]), _int(node[2]), _int(node[3]))
        except (ValueError, TypeError, OverflowError, IndexError, ArithmeticError) as exc:
            raise WireError(f"a value of form {tag!r} is malformed ({type(exc).__name__})") from None
        if tag == "sl":
            need(len(node) == 4, "a bad slice")
            return slice(self(node[1], down), self(node[2], down), self(node[3], down))
        if tag == "E":
            return Ellipsis
        if tag == "NI":
            return NotImplemented
        return self.refs(tag, node, self, down)

    def key(self, node, depth: int):
        """A dict key or set member: only hashable plain values (hashing a handle would
        need a round trip in the middle of decoding)."""
        value = self(node, depth)
        if not _deep_plain(value):
            raise WireError("a dict key or set member is not a plain value")
        return value


_NAMED: dict = {}
_NAMED_TYPES: set = set()
# Classes of the `types` module by their name there (their own __qualname__, such as
# "function", names nothing importable).
TYPES_NAMES = {value: name for name, value in vars(types).items()
               if isinstance(value, type) and not name.startswith("_")}


def named_tuple(name, fields) -> type:
    """The standard library's namedtuple class for these names (made once): the values
    of a named tuple cross as plain data, and so does its shape."""
    key = (name, tuple(fields))
    found = _NAMED.get(key)
    if found is None:
        need(type(name) is str and name.isidentifier() and len(name) <= 100
              and len(fields) <= 100 and all(type(f) is str and f.isidentifier()
                                             and not f.startswith("_") and len(f) <= 100
                                             for f in fields), "a bad named tuple")
        try:
            found = collections.namedtuple(name, fields)
        except ValueError:
            raise WireError("a bad named tuple") from None
        if len(_NAMED) < 1000:
            _NAMED[key] = found
            _NAMED_TYPES.add(found)
    return found


_HASHABLE_PLAIN = (type(None), bool, int, float, str, bytes, decimal.Decimal, fractions.Fraction,
                   complex, datetime.datetime, datetime.date, datetime.time, datetime.timedelta,
                   range, type(Ellipsis))


def _deep_plain(value) -> bool:
    kind = type(value)
    if kind in _HASHABLE_PLAIN:
        return True
    if kind is tuple or kind is frozenset or kind in _NAMED_TYPES:
        return all(_deep_plain(v) for v in value)
    return False


