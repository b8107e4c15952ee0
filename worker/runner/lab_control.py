"""The judge's hold on the candidate's process, through the supervisor.

Control socket (SOCK_SEQPACKET, one JSON object per message, trusted both ways):
    judge -> supervisor   {"ready": cpu} {"event": ...} {"ctl": "kill"|"start", ...}
    supervisor -> judge   {"go": {...}}  {"killed": {...}}  {"started": n} + the new socket

A failed process (a crash, a limit, a broken protocol, no answer in time) is killed at
once, with every process of the candidate's user, and replaced lazily when a test next
needs one; `failure_from` names what happened.  `_callback_server` is all the candidate
may ask of the judge.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time

import lab_codec
import lab_context
import lab_proxy
import lab_values
import lab_wire
from lab_context import CONTEXT, CandidateFailure, Link

CTL_CAP = 1 << 20


class Control:
    """The control socket to the supervisor (trusted both ways)."""

    def __init__(self, fd: int) -> None:
        self.sock = socket.socket(fileno=fd)
        self.lock = threading.Lock()

    def send(self, message: dict) -> None:
        data = json.dumps(message, separators=(",", ":")).encode()
        with self.lock:
            self.sock.sendall(data)

    def ask(self, message: dict) -> tuple[dict, list[int]]:
        with self.lock:
            self.sock.sendall(json.dumps(message).encode())
            data, fds, _flags, _addr = socket.recv_fds(self.sock, CTL_CAP, 4)
        if not data:
            os._exit(0)  # the supervisor is gone: nothing to report to
        return json.loads(data), fds

    def receive(self) -> dict:
        data = self.sock.recv(CTL_CAP)
        if not data:
            os._exit(0)
        return json.loads(data)


# -- the candidate's process ---------------------------------------------------------


def failure_from(info: dict, reason: str, limits: dict) -> CandidateFailure:
    """Why the candidate's process ended, as a failure that names the limit or fact."""
    def make(category: str) -> CandidateFailure:
        return CandidateFailure(lab_context.fail_text(category, limits), category, reason)

    if reason == "timeout":
        return make("timeout")
    if reason.startswith("protocol violation"):
        return make("protocol")
    sig = info.get("signal")
    if info.get("output"):
        return make("output_limit")
    if info.get("oom"):
        return make("memory_limit")
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL
                                 and info.get("cpu", 0) >= int(limits.get("cpu_seconds", 1))):
        return make("cpu_limit")
    if sig == signal.SIGXFSZ:
        return make("file_size_limit")
    if info.get("scratch_full"):
        return make("scratch_limit")
    if sig:
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        text = f"your code's process was ended by signal {name}"
    elif info.get("exit_code") is not None:
        text = f"your code's process exited (exit code {info['exit_code']})"
    else:
        text = "your code's process ended unexpectedly"
    return CandidateFailure(text, "crashed", reason)


class Controller:
    """The live connection to the candidate's process; kills and starts through the
    supervisor.  A failed process is replaced lazily, when a test next needs one."""

    def __init__(self, control: Control, first_fd: int, limits: dict,
                 run_deadline: float) -> None:
        self.control = control
        self.run_deadline = run_deadline
        self.limits = limits
        self.lock = threading.RLock()
        self.conn: lab_wire.Connection | None = None
        self.pending_fd = first_fd
        self.serve_modules: dict | None = None  # candidate-tests mode, see judge.py
        Link.current = self.current
        Link.failure = self.failure
        Link.limits = limits

    def current(self) -> lab_wire.Connection:
        with self.lock:
            conn = self.conn
            if conn is not None and conn.broken is None:
                return conn
            if conn is not None and not getattr(conn, "lab_killed", False):
                self._kill(conn, conn.broken or "gone")
            if time.monotonic() >= self.run_deadline:
                raise CandidateFailure(lab_context.fail_text("wall", self.limits), "wall")
            if self.pending_fd >= 0:
                fd, self.pending_fd = self.pending_fd, -1
            else:
                answer, fds = self.control.ask({"ctl": "start"})
                if not fds:
                    raise CandidateFailure("the grader could not start your code's process",
                                           "crashed", json.dumps(answer)[:200])
                fd = fds[0]
            Link.incarnation += 1
            self.conn = self._connect(fd)
            return self.conn

    def _connect(self, fd: int) -> lab_wire.Connection:
        sock = socket.socket(fileno=fd)
        conn = lab_wire.Connection(sock, "J", serve=None, encode=lab_codec.encode,
                                   decode=None, encode_error=lab_codec.encode_exception,
                                   decode_error=None, persistent=False)
        conn.decode = lab_codec.decoder_for(conn)
        conn.decode_error = lab_codec.decode_error_for(conn)
        conn.serve = _callback_server(conn)
        conn.start()
        return conn

    def _kill(self, conn, reason: str) -> dict:
        answer, _fds = self.control.ask({"ctl": "kill", "reason": reason[:200]})
        conn.close("your code's process was stopped")
        conn.lab_killed = True
        conn.lab_death = answer.get("killed") or {}
        conn.lab_reason = reason
        return conn.lab_death

    def failure(self, conn, reason: str) -> CandidateFailure:
        with self.lock:
            if getattr(conn, "lab_killed", False):
                info, reason = conn.lab_death, getattr(conn, "lab_reason", reason)
            else:
                info = self._kill(conn, reason)
        if reason == "timeout" and time.monotonic() >= self.run_deadline - 0.05:
            return CandidateFailure(lab_context.fail_text("wall", self.limits), "wall")
        return failure_from(info, reason, self.limits)

    def fresh(self) -> None:
        """End the current process (if any) so that the next use starts a new one."""
        with self.lock:
            conn = self.conn
            if conn is not None and not getattr(conn, "lab_killed", False):
                self._kill(conn, "restart")
            if self.pending_fd >= 0:
                os.close(self.pending_fd)
                self.pending_fd = -1
                self.control.ask({"ctl": "kill", "reason": "restart"})
            self.conn = None


def _callback_server(conn):
    """What the candidate may ask of the judge: call an object the tests handed over
    (and only the methods a test named with judge.methods), iterate it.  Nothing else:
    no attribute, no frame, no module of the judge is reachable."""
    decode = lab_codec.decoder_for(conn)

    def serve(op: str, args: list):
        if op not in ("call", "callmethod", "iter", "next") or not args:
            raise TypeError("the tests' objects can only be called or iterated")
        obj, allowed = CONTEXT.exported(args[0])
        try:
            if op == "call" or op == "callmethod":
                if op == "callmethod":
                    if len(args) != 4 or args[1] not in allowed:
                        raise AttributeError("this object of the tests has no such method")
                    target = getattr(obj, args[1])
                    call_args, call_kwargs = args[2], args[3]
                else:
                    if len(args) != 3 or not callable(obj):
                        raise TypeError("this object of the tests cannot be called")
                    target, call_args, call_kwargs = obj, args[1], args[2]
                positional = decode(call_args)
                keywords = decode(call_kwargs)
                if type(positional) is not list or type(keywords) is not dict or not all(
                        type(k) is str for k in keywords):
                    raise lab_values.WireError("malformed call arguments")
                return target(*positional, **keywords)
            if op == "iter":
                return iter(obj)
            return next(obj)
        except BaseException as exc:
            if not isinstance(exc, (StopIteration, lab_values.WireError)) and (
                    isinstance(exc, (AssertionError, CandidateFailure))
                    or lab_proxy.is_outcome(exc)):
                CONTEXT.note_failure(exc)  # fails the test even if the candidate swallows it
            raise

    return serve


