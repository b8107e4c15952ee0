"""Whether this process's Docker engine answers, watched in the background.

Engines restart (upgrades, log rotation, a crashed daemon).  A worker whose engine does
not answer pauses instead of failing submissions: the grading task leaves them queued
and comes back later, the heartbeat says `grading paused: engine unavailable`, the warm
pool stops arming; all of it resumes by itself when a ping answers again.

The watch pings every `every` seconds while the engine answers and, while it does not,
with a backoff from `retry_after[0]` up to `retry_after[-1]`.  A grading that saw the
engine fail marks it down at once, without waiting for the next ping.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import docker

from worker.core.per_process import PerProcess

log = logging.getLogger(__name__)
PAUSED = "grading paused: engine unavailable"


@dataclass(eq=False)
class EngineWatch:
    ping: Callable[[], None]
    every: float = 5.0
    retry_after: tuple[float, ...] = (0.25, 0.5, 1.0, 1.0, 2.0)
    on_change: Callable[[], None] | None = None
    reason: str = field(default="", init=False)  # why the last ping failed
    down_since: float | None = field(default=None, init=False)
    _up: threading.Event = field(default_factory=threading.Event, init=False)
    _changed: threading.Condition = field(default_factory=threading.Condition, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="lab-engine-watch", daemon=True)
        self._check()

    def start(self) -> EngineWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with self._changed:
            self._changed.notify_all()

    def available(self) -> bool:
        return self._up.is_set()

    def wait_available(self, timeout: float) -> bool:
        return self._up.wait(timeout)

    def status(self) -> str:
        """"ok", or what the heartbeat and /healthz show while paused."""
        if self.available():
            return "ok"
        since = time.strftime("%H:%M:%S", time.gmtime(self.down_since or time.time()))
        return f"{PAUSED} since {since} UTC ({self.reason[:200]})"

    def check(self) -> bool:
        """Ping now (a grading that failed on our side asks before it retries)."""
        up = self._check()
        with self._changed:
            self._changed.notify_all()
        return up

    def _set(self, up: bool, reason: str = "") -> None:
        changed = False
        with self._changed:
            if up and not self._up.is_set():
                if self.down_since is not None:
                    log.warning("Docker engine answers again after %.1f s: grading resumes",
                                time.time() - self.down_since)
                self.down_since = None
                self.reason = ""
                self._up.set()
                changed = True
            elif not up and (self._up.is_set() or self.down_since is None):
                self.down_since = time.time()
                self.reason = reason
                self._up.clear()
                log.warning("%s: %s", PAUSED, reason)
                changed = True
        if changed and self.on_change is not None:
            try:
                self.on_change()
            except Exception:  # noqa: BLE001 - telling others must never stop the watch
                log.exception("engine watch: reporting a change failed")

    def _check(self) -> bool:
        try:
            self.ping()
        except Exception as exc:  # noqa: BLE001 - any failure to answer is "down"
            self._set(False, str(exc) or type(exc).__name__)
            return False
        self._set(True)
        return True

    def _loop(self) -> None:
        misses = 0
        while not self._stop.is_set():
            if self._check():
                misses = 0
                pause = self.every
            else:
                pause = self.retry_after[min(misses, len(self.retry_after) - 1)]
                misses += 1
            with self._changed:
                self._changed.wait(pause)


_WATCH: PerProcess[EngineWatch] = PerProcess()


def _ping_engine() -> None:
    client = docker.from_env(timeout=3)
    try:
        client.ping()
    finally:
        client.close()


def start_engine_watch(ping: Callable[[], None] | None = None,
                       on_change: Callable[[], None] | None = None) -> EngineWatch:
    """This process's watch (started once; a grading worker calls it at start-up)."""
    watch = _WATCH.start(lambda: EngineWatch(ping or _ping_engine, on_change=on_change).start())
    assert watch is not None  # the maker above never declines
    if on_change is not None:
        watch.on_change = on_change
    return watch


def engine_watch() -> EngineWatch | None:
    """The watch of this process, or None where no worker started one (`lab grade`)."""
    return _WATCH.get()


def stop_engine_watch() -> None:
    _WATCH.stop(EngineWatch.stop)
