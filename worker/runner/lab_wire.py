"""The wire between the judge and the candidate: frames and calls both ways.

Both processes import this file (standard library only).  Every frame is size-capped
and parsed by the C JSON decoder; values inside are lab_values' tagged forms.

Message forms (one JSON array per frame, 4-byte big-endian length first):

    [0, rid, chain, op, args]   a request
    [1, rid, value]             its answer
    [2, rid, exception]         its exception
    [3, [[id, count], ...]]     handles the sender no longer holds (no answer)

A *chain* is one logical thread of control that may cross the wire several times (the
judge calls the candidate, which calls a judge callback, which calls the candidate...).
A request on a chain that a thread of the receiver is waiting on is served by that very
thread, inline, so thread-local state (Flask's contexts, locks) behaves as in one
process; a request on a new chain from the other side gets a thread of its own.  Each
side names the chains it starts with its own prefix.
"""

from __future__ import annotations

import itertools
import json
import queue
import socket
import struct
import threading
import time

from lab_values import WireError, need

MAX_FRAME = 4 * 1024 * 1024  # bytes in one message
MAX_CHAINS = 32  # chains the other side may start at the same time
HEADER = struct.Struct(">I")
REQ, OK, ERR, REL = 0, 1, 2, 3
BROKEN = object()  # put in an inbox when the connection fails
_local = threading.local()
_json_loads = json.loads
_json_dumps = json.JSONEncoder(ensure_ascii=True, check_circular=False,
                               separators=(",", ":")).encode


class RemoteGone(Exception):
    """The connection is closed or broken; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RemoteTimeout(Exception):
    """No answer before the deadline the caller gave."""


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
                need(type(message) is list and message and message[0] in (REQ, OK, ERR, REL),
                      "an unknown message form")
                kind = message[0]
                if kind == REL:
                    need(len(message) == 2 and type(message[1]) is list, "a bad release")
                    if self.on_release is not None:
                        self.on_release(message[1])
                    continue
                if kind == REQ:
                    need(len(message) == 5 and type(message[1]) is int
                          and type(message[2]) is str and len(message[2]) <= 40
                          and type(message[3]) is str and type(message[4]) is list,
                          "a malformed request")
                    self._dispatch_request(message)
                    continue
                need(len(message) == 3 and type(message[1]) is int, "a malformed answer")
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
