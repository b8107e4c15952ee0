"""The wire between the judge and the candidate: frames, plain values, calls both ways.

Both processes of a grading run import this file (standard library only).  The judge
trusts nothing that arrives on it: every frame is size-capped, parsed by the C JSON
decoder and then walked by `decode`, which accepts only a fixed set of tagged forms,
builds only plain values of exact built-in types, and caps depth and node count.  No
pickle, no eval, no attribute lookup driven by the data.

Message forms (one JSON array per frame, 4-byte big-endian length first):

    [0, rid, chain, op, args]   a request
    [1, rid, value]             its answer
    [2, rid, exception]         its exception
    [3, [[id, count], ...]]     handles the sender no longer holds (no answer)

A *chain* is one logical thread of control that may cross the wire several times (the
judge calls the candidate, which calls a judge callback, which calls the candidate...).
A request on a chain that a thread of the receiver is waiting on is served by that very
thread, inline, so thread-local state (Flask's contexts, locks) behaves as in one
process; a request on a new chain from the other side gets a thread of its own that
keeps serving that chain.  Each side names the chains it starts with its own prefix.

Values: None, bool, int, float and str travel as JSON; everything else is a list whose
first item is a tag:

    l t s f d      list, tuple, set, frozenset, dict (d: key, value, key, value...)
    b D Q c        bytes (base64), Decimal, Fraction, complex
    dt da ti td    datetime, date, time (ISO text), timedelta (days, seconds, us)
    r sl E NI      range, slice, Ellipsis, NotImplemented
    nt name fields values...   a named tuple (rebuilt from the standard factory)
    B name         a built-in type (`builtins.<name>`)
    M mod qual     a class or function of the standard library, by name
    c id [info]    an object that lives in the candidate (a handle)
    g id [info]    an object that lives in the judge (a handle)
    xc id mod qual bases        an exception class of the candidate
    xe cls args text id origin cause   an exception instance
    P mod qual     a candidate class named by its import path (after a restart)
"""

from __future__ import annotations

import base64
import collections
import datetime
import decimal
import fractions
import itertools
import json
import queue
import socket
import struct
import threading
import time
import types

MAX_FRAME = 4 * 1024 * 1024  # bytes in one message
MAX_DEPTH = 60  # nesting of one value
MAX_NODES = 200_000  # items in one value
MAX_TEXT = 64 * 1024  # exception texts and the like
MAX_CHAINS = 32  # chains the other side may start at the same time
MAX_INT_BITS = 12_000  # larger ints cross as handles (JSON text of them is capped anyway)
HEADER = struct.Struct(">I")
REQ, OK, ERR, REL = 0, 1, 2, 3
BROKEN = object()  # put in an inbox when the connection fails
_local = threading.local()
_json_loads = json.loads
_json_dumps = json.JSONEncoder(ensure_ascii=True, check_circular=False,
                               separators=(",", ":")).encode


class WireError(Exception):
    """The other side broke the protocol; the text says how (never shown verbatim as a
    test name or count)."""


class RemoteGone(Exception):
    """The connection is closed or broken; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RemoteTimeout(Exception):
    """No answer before the deadline the caller gave."""


# -- plain values --------------------------------------------------------------------

PLAIN_SCALARS = (type(None), bool, int, float, str)
_ISO_MAX = 64


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


def _need(cond: bool, what: str) -> None:
    if not cond:
        raise WireError(what)


def _int(node) -> int:
    _need(type(node) is int, "a whole number was expected")
    return node


def _text(node, cap: int = MAX_TEXT) -> str:
    _need(type(node) is str and len(node) <= cap, "a short text was expected")
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
        _need(kind is list and node and type(node[0]) is str, "an unknown value form")
        tag = node[0]
        down = depth + 1
        if tag == "l":
            return [self(v, down) for v in node[1:]]
        if tag == "t":
            return tuple([self(v, down) for v in node[1:]])
        if tag == "d":
            _need(len(node) % 2 == 1, "a dict with a key and no value")
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
            _need(len(node) >= 3 and type(node[2]) is list and len(node[2]) == len(node) - 3,
                  "a bad named tuple")
            return named_tuple(node[1], node[2])(*[self(v, down) for v in node[3:]])
        _need(len(node) <= 8, "an unknown value form")
        try:
            if tag == "b":
                return base64.b64decode(_text(node[1], 4 * MAX_FRAME), validate=True)
            if tag == "D":
                return decimal.Decimal(_text(node[1], 2000))
            if tag == "Q":
                return fractions.Fraction(int(_text(node[1], 4000)), int(_text(node[2], 4000)))
            if tag == "c+":
                _need(type(node[1]) is float and type(node[2]) is float, "a bad complex")
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
            _need(len(node) == 4, "a bad slice")
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
        _need(type(name) is str and name.isidentifier() and len(name) <= 100
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


# -- frames and calls ----------------------------------------------------------------


class Connection:
    """One end of the wire.  `serve(op, args) -> value` answers the other side's requests
    (it may raise; `encode_error` turns the exception into a value), `decode(node)` and
    `encode(value)` translate values, `on_release(pairs)` hears of dropped handles."""

    def __init__(self, sock: socket.socket, prefix: str, serve, encode, decode, encode_error,
                 decode_error, on_release=None, on_broken=None, main_chain: str | None = None,
                 max_chains: int = MAX_CHAINS, persistent: bool = True) -> None:
        self.sock = sock
        self.prefix = prefix
        self.serve = serve
        self.encode = encode
        self.decode = decode
        self.encode_error = encode_error
        self.decode_error = decode_error
        self.on_release = on_release
        self.on_broken = on_broken
        self.max_chains = max_chains
        # True: a thread that served a chain of the other side keeps it (the candidate, so
        # that thread-local state of one judge thread's calls persists); False: it ends
        # when the chain has nothing more for it (the judge, bounding its threads).
        self.persistent = persistent
        self.send_lock = threading.Lock()
        self.lock = threading.Lock()
        self.rids = itertools.count(1)
        self.waiting: dict[int, queue.SimpleQueue] = {}
        self.chains: dict[str, list] = {}  # chain -> inboxes of the threads waiting on it
        self.workers: dict[str, queue.SimpleQueue] = {}  # chains the other side started
        self.broken: str | None = None
        self.releases: list = []  # [id, count] to tell the other side with the next frame
        self.main_chain = main_chain
        self.main_inbox: queue.SimpleQueue | None = None
        if main_chain is not None:
            self.main_inbox = queue.SimpleQueue()
            self.workers[main_chain] = self.main_inbox
        self.reader = threading.Thread(target=self._read_loop, name=f"lab-wire-{prefix}",
                                       daemon=True)

    def start(self) -> None:
        self.reader.start()

    # -- sending --
    def _send(self, message: list) -> None:
        try:
            body = _json_dumps(message).encode("ascii")
        except (ValueError, TypeError, RecursionError) as exc:
            raise WireError(f"a value could not be written ({type(exc).__name__})") from None
        if len(body) > MAX_FRAME:
            raise WireError(f"a message of {len(body)} bytes is over the {MAX_FRAME} byte cap")
        with self.send_lock:
            if self.broken is not None:
                raise RemoteGone(self.broken)
            pending = self.releases
            if pending:
                self.releases = []
                rel = _json_dumps([REL, pending]).encode("ascii")
                data = HEADER.pack(len(rel)) + rel + HEADER.pack(len(body)) + body
            else:
                data = HEADER.pack(len(body)) + body
            try:
                self.sock.sendall(data)
            except OSError as exc:
                self._break(f"the connection failed ({exc.__class__.__name__})")
                raise RemoteGone(self.broken or "closed") from None

    def release(self, ident: int, count: int) -> None:
        """Called from __del__ of a proxy, in any thread: never blocks, never raises."""
        self.releases.append([ident, count])

    def chain(self) -> str:
        current = getattr(_local, "chain", None)
        if current is not None and current[0] is self:
            return current[1]
        if threading.current_thread() is threading.main_thread():
            return f"{self.prefix}0"
        return f"{self.prefix}{threading.get_ident()}"

    def _inbox(self) -> queue.SimpleQueue:
        box = getattr(_local, "inbox", None)
        if box is None:
            box = _local.inbox = queue.SimpleQueue()
        return box

    def request(self, op: str, args: list, deadline: float | None = None):
        """Send one request and wait for its answer, serving requests of the other side
        that arrive on this chain meanwhile.  Raises what the other side raised (through
        decode_error), RemoteGone, RemoteTimeout or WireError."""
        chain = self.chain()
        inbox = self._inbox()
        rid = next(self.rids)
        with self.lock:
            if self.broken is not None:
                raise RemoteGone(self.broken)
            self.waiting[rid] = inbox
            self.chains.setdefault(chain, []).append(inbox)
        try:
            self._send([REQ, rid, chain, op, args])
            while True:
                if deadline is None:
                    message = inbox.get()
                else:
                    remaining = deadline - time.monotonic()
                    try:
                        message = inbox.get(timeout=max(0.0, remaining))
                    except queue.Empty:
                        raise RemoteTimeout() from None
                if message is BROKEN:
                    raise RemoteGone(self.broken or "closed")
                if message[0] == REQ:
                    self._serve_one(message, chain)
                    continue
                if message[1] != rid:
                    self._break("an answer arrived for a call that was not waiting for it")
                    raise RemoteGone(self.broken)
                if message[0] == OK:
                    return self.decode(message[2])
                raise self.decode_error(message[2])
        finally:
            with self.lock:
                self.waiting.pop(rid, None)
                stack = self.chains.get(chain)
                if stack:
                    stack.pop()
                    if not stack:
                        del self.chains[chain]

    # -- serving --
    def _serve_one(self, message: list, chain: str) -> None:
        rid, op, args = message[1], message[3], message[4]
        saved = getattr(_local, "chain", None)
        _local.chain = (self, chain)
        try:
            try:
                answer = [OK, rid, self.encode(self.serve(op, args))]
            except (RemoteGone, RemoteTimeout):
                raise
            except BaseException as exc:  # noqa: BLE001 - every failure is an answer
                answer = [ERR, rid, self.encode_error(exc)]
            try:
                self._send(answer)
            except WireError as exc:
                self._send([ERR, rid, self.encode_error(exc)])
        finally:
            _local.chain = saved

    def serve_main(self) -> None:
        """Serve the main chain (the other side's main thread) on the calling thread
        until the connection ends."""
        assert self.main_inbox is not None
        self._work(self.main_chain, self.main_inbox)

    def _work(self, chain: str, inbox: queue.SimpleQueue) -> None:
        _local.inbox = inbox
        while True:
            if not self.persistent:
                with self.lock:
                    if inbox.empty():
                        if self.workers.get(chain) is inbox:
                            del self.workers[chain]
                        return
            message = inbox.get()
            if message is BROKEN:
                return
            if message[0] != REQ:
                continue
            try:
                self._serve_one(message, chain)
            except (RemoteGone, RemoteTimeout):
                if self.broken is not None:
                    return

    def _dispatch_request(self, message: list) -> None:
        chain = message[2]
        with self.lock:
            stack = self.chains.get(chain)
            if stack:
                stack[-1].put(message)
                return
            inbox = self.workers.get(chain)
            if inbox is not None:
                inbox.put(message)
                return
            if chain.startswith(self.prefix):
                raise WireError("a request arrived on a chain nobody here is waiting on")
            if len(self.workers) >= self.max_chains:
                raise WireError(f"more than {self.max_chains} threads called at the same time")
            inbox = self.workers[chain] = queue.SimpleQueue()
            inbox.put(message)
        threading.Thread(target=self._work, args=(chain, inbox), daemon=True,
                         name=f"lab-chain-{chain[:12]}").start()

    def _read_exact(self, size: int) -> bytes:
        view = bytearray(size)
        got = 0
        while got < size:
            n = self.sock.recv_into(memoryview(view)[got:], size - got)
            if n == 0:
                raise EOFError
            got += n
        return bytes(view)

    def _read_loop(self) -> None:
        try:
            while True:
                (size,) = HEADER.unpack(self._read_exact(HEADER.size))
                if size > MAX_FRAME:
                    raise WireError(f"a message of {size} bytes is over the {MAX_FRAME} byte cap")
                try:
                    message = _json_loads(self._read_exact(size))
                except (ValueError, RecursionError, UnicodeDecodeError):
                    raise WireError("a message is not valid JSON (or nested too deeply)") from None
                _need(type(message) is list and message and message[0] in (REQ, OK, ERR, REL),
                      "an unknown message form")
                kind = message[0]
                if kind == REL:
                    _need(len(message) == 2 and type(message[1]) is list, "a bad release")
                    if self.on_release is not None:
                        self.on_release(message[1])
                    continue
                if kind == REQ:
                    _need(len(message) == 5 and type(message[1]) is int
                          and type(message[2]) is str and len(message[2]) <= 40
                          and type(message[3]) is str and type(message[4]) is list,
                          "a malformed request")
                    self._dispatch_request(message)
                    continue
                _need(len(message) == 3 and type(message[1]) is int, "a malformed answer")
                with self.lock:
                    inbox = self.waiting.get(message[1])
                if inbox is None:
                    raise WireError("an answer arrived for a call nobody made")
                inbox.put(message)
        except EOFError:
            self._break("the other side closed the connection")
        except OSError as exc:
            self._break(f"the connection failed ({exc.__class__.__name__})")
        except WireError as exc:
            self._break(f"protocol violation: {exc}")
        except Exception as exc:  # noqa: BLE001 - the reader must never die silently
            self._break(f"protocol violation: {type(exc).__name__}")

    def _break(self, reason: str) -> None:
        with self.lock:
            if self.broken is not None:
                return
            self.broken = reason
            boxes = list(self.waiting.values()) + list(self.workers.values())
        for box in boxes:
            box.put(BROKEN)
        if self.on_broken is not None:
            try:
                self.on_broken(reason)
            except Exception:  # noqa: BLE001
                pass

    def close(self, reason: str = "closed") -> None:
        self._break(reason)
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass
