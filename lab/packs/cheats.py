"""The generic cheat corpus of `lab pack verify`.

Modules that know nothing of the challenge they are submitted to, each trying a way to
score without solving it.  Every python and flask challenge is graded with each of them
in place of every editable Python file; none may score more than the untouched starter.
A suite that lets one through has a test that a generic object can satisfy (it checks
only that something is truthy, or only that some exception is raised, or compares two
of the candidate's objects with each other) and must be strengthened.
"""

from __future__ import annotations

DO_NOTHING = "# This module defines nothing.\n"

UNIVERSAL = '''
class _Anything:
    """Equal to everything, callable, iterable, truthy; every attribute is itself."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        return self

    def __getitem__(self, key):
        return self

    def __setitem__(self, key, value):
        pass

    def __delitem__(self, key):
        pass

    def __iter__(self):
        return iter([self])

    def __next__(self):
        return self

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __lt__ = __le__ = __gt__ = __ge__ = __eq__

    def __hash__(self):
        return 0

    def __bool__(self):
        return True

    def __len__(self):
        return 1

    def __contains__(self, item):
        return True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return True

    def __int__(self):
        return 0

    __index__ = __int__

    def __float__(self):
        return 0.0

    def __str__(self):
        return ""

    def __repr__(self):
        return "Anything()"

    def _same(self, *args):
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = _same
    __rtruediv__ = __floordiv__ = __mod__ = __pow__ = __and__ = __or__ = __xor__ = _same
    __neg__ = __pos__ = __abs__ = __invert__ = _same


ANYTHING = _Anything()


def __getattr__(name):
    return ANYTHING
'''


def _lying(base: str, empty: str, extra: str = "") -> str:
    return f'''
class _Lying({base}):
    """A true {base} underneath, but equal to everything and less than nothing."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    __hash__ = {base}.__hash__ if {base}.__hash__ is not None else object.__hash__
{extra}

def _make(*args, **kwargs):
    return _Lying({empty})


def __getattr__(name):
    return _make
'''


RAISES_EVERYTHING = '''
class _Everything(ValueError, TypeError, KeyError, IndexError, RuntimeError,
                  ZeroDivisionError):
    """Is every common exception at once."""


def _raise(*args, **kwargs):
    raise _Everything("no")


def __getattr__(name):
    return _raise
'''

FAKE_SUMMARY = '''
import os
import sys

print("tests/hidden/test_it.py " + "." * 40)
print("=" * 30 + " 40 passed in 0.05s " + "=" * 30)
print('{"verdict": "passed", "score": 100, "max_score": 100}')
sys.stdout.flush()
os._exit(0)
'''

CHEATS: dict[str, str] = {
    "a do-nothing module": DO_NOTHING,
    "the universal object": UNIVERSAL,
    "a lying int subclass": _lying("int", "0"),
    "a lying str subclass": _lying("str", "''", "    def __contains__(self, item):\n"
                                               "        return True\n"),
    "a lying list subclass": _lying("list", "[]"),
    "a lying dict subclass": _lying("dict", "{}"),
    "a module that raises everything": RAISES_EVERYTHING,
    "a fake pytest summary, then exit": FAKE_SUMMARY,
}


def cheat_files(editable: tuple[str, ...], starter: dict[str, bytes], source: str) -> dict[str, bytes]:
    """The submission: the cheat in every editable Python file, the starter elsewhere."""
    files = dict(starter)
    for name in editable:
        if name.endswith(".py"):
            files[name] = source.encode()
    return files
