"""The judge's side of the wire against hostile input, with no candidate process: the
decoder fed hand-made forms, and a connection fed garbage or answers nobody asked for.
tests/unit/runner/test_wire_candidate.py drives a real candidate process."""

from __future__ import annotations

import json
import socket
import struct
import sys
import time
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parents[3] / "worker" / "runner"
sys.path.insert(0, str(RUNNER))

import lab_codec  # noqa: E402
import lab_mirror  # noqa: E402
import lab_values  # noqa: E402
import lab_wire  # noqa: E402
from lab_values import WireError  # noqa: E402


class _Dead:
    """A connection stand-in for decoding alone."""

    def release(self, ident, count):
        pass


DEAD = _Dead()


def decode(node):
    return lab_codec.JudgeDecoder(DEAD)(node)


@pytest.mark.parametrize("node", [
    {"a": 1}, [], [5], ["zz"], ["d", 1], ["b", "not base64!"], ["D", "x" * 3000],
    ["td", 1, "2", 3], ["r", 1, 2], ["c+", 1, 2], ["Q", "1", "0"], ["dt", "yesterday"],
    ["c", -1], ["c", 2 ** 60], ["c", "7"], ["g", 999999], ["B", "eval"], ["B", "print"],
    ["M", "os", "system"], ["M", "_pytest.outcomes", "Skipped"],
    ["xe", ["B", "int"], ["l"], "", None, None, None],
    ["nt", "1bad", ["a"], 1], ["nt", "P", ["_hidden"], 1], ["s", ["l"]], ["d", ["c", 5], 1],
])
def test_malformed_forms_are_refused(node):
    with pytest.raises((WireError, LookupError)):
        decode(node)


def test_caps_on_depth_and_size():
    deep = 1
    for _ in range(lab_values.MAX_DEPTH + 5):
        deep = ["l", deep]
    with pytest.raises(WireError, match="nested"):
        decode(deep)
    with pytest.raises(WireError, match="items"):
        decode(["l", *(["l"] for _ in range(lab_values.MAX_NODES + 1))])


def test_plain_values_arrive_as_exact_builtin_types():
    value = decode(["d", "k", ["t", 1, 2.5, True, None, ["b", "aGk="], ["D", "1.50"],
                               ["Q", "1", "3"], ["f", "x"], ["s", 3], ["r", 0, 5, 2], ["NI"],
                               ["nt", "Point", ["x", "y"], 1, 2]]])
    items = value["k"]
    assert [type(v).__name__ for v in items[:10]] == [
        "int", "float", "bool", "NoneType", "bytes", "Decimal", "Fraction", "frozenset", "set",
        "range"]
    assert items[10] is NotImplemented
    assert items[11] == (1, 2) and items[11].y == 2 and type(items[11]).__name__ == "Point"


def test_an_exception_never_becomes_a_skip_or_an_interrupt():
    for ref in (["B", "KeyboardInterrupt"], ["B", "SystemExit"], ["M", "unittest", "SkipTest"],
                ["xc", 5, "_pytest.outcomes", "Skipped", [["B", "BaseException"]]]):
        exc = lab_mirror.exception_value(["xe", ref, ["l", "free"], "free", None, None, None],
                                        lab_codec.JudgeDecoder(DEAD), 0)
        assert isinstance(exc, Exception) and not isinstance(exc, (KeyboardInterrupt, SystemExit))
        import unittest

        assert not isinstance(exc, unittest.SkipTest)


def test_garbage_on_the_socket_breaks_the_connection(tmp_path):
    judge_end, other = socket.socketpair()
    conn = lab_wire.Connection(judge_end, "J", serve=None, encode=lab_codec.encode,
                               decode=lambda n: n, encode_error=lab_codec.encode_exception,
                               decode_error=lambda n: Exception(n))
    conn.start()
    other.sendall(struct.pack(">I", 2 ** 31) + b"x")
    for _ in range(100):
        if conn.broken:
            break
        time.sleep(0.01)
    assert conn.broken and "protocol violation" in conn.broken
    with pytest.raises(lab_wire.RemoteGone):
        conn.request("import", ["x"])


def test_an_unsolicited_answer_breaks_the_connection():
    judge_end, other = socket.socketpair()
    conn = lab_wire.Connection(judge_end, "J", serve=None, encode=lab_codec.encode,
                               decode=lambda n: n, encode_error=lab_codec.encode_exception,
                               decode_error=lambda n: Exception(n))
    conn.start()
    body = json.dumps([1, 12345, True]).encode()
    other.sendall(struct.pack(">I", len(body)) + body)
    for _ in range(100):
        if conn.broken:
            break
        time.sleep(0.01)
    assert conn.broken and "nobody made" in conn.broken
