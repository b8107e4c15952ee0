"""Results pushed instead of polled: the worker publishes on Redis when it stores a result,
and a waiting request (API long-poll, Server-Sent Events) wakes up on that message.

The database stays the only source of truth: a message only says "look again".  A waiter
subscribes *before* it reads the row, so a result stored between the read and the
subscription cannot be missed, and it re-reads the row every few seconds anyway, so a lost
message (Redis hiccup on the worker side) costs a little delay, never the answer.

Long-held requests occupy a gunicorn thread each.  A process lets at most
`web_threads - WEB_THREADS_KEPT_FREE` of them wait at once; past that a waiter answers at
once (the client polls again), so pages always find a free thread.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from worker.core.lab_redis import redis_client

log = logging.getLogger(__name__)

MAX_WAIT_SECONDS = 30.0  # the longest a request may be held (API `wait`, one SSE stream)
RECHECK_SECONDS = 2.0  # re-read the row this often even without a message
POLL_SECONDS = 0.5  # without Redis, re-read the row this often
WEB_THREADS_KEPT_FREE = 4  # threads per gunicorn process that never hold a long wait

T = TypeVar("T")
_slots: dict[str, Any] = {"semaphore": None, "size": 0}
_slots_lock = threading.Lock()


def channel(submission_id: int) -> str:
    return f"lab:submission:{submission_id}"


def _client(settings) -> Any:
    # A reply may take a while (a subscriber waits in get_message); a dead Redis is
    # noticed within a second.
    return redis_client(settings, timeout=5, connect_timeout=1)


def publish(settings, name: str, message: dict) -> bool:
    """Say "look again" on a channel.  Never raises: what changed is already stored, and
    waiters find it on their next re-read anyway."""
    try:
        _client(settings).publish(name, json.dumps(message))
        return True
    except Exception as exc:  # noqa: BLE001 - publishing must never fail the write it follows
        log.warning("could not publish on %s: %s", name, exc)
        return False


def publish_done(settings, submission_id: int, verdict: str | None) -> bool:
    """Tell waiters that a submission has its result."""
    return publish(settings, channel(submission_id),
                   {"id": submission_id, "status": "done", "verdict": verdict})


def parse_wait(raw: str | None) -> float:
    """The `wait` query parameter as seconds; ValueError says what is wrong with it."""
    if raw is None:
        return 0.0
    problem = (f"'wait' must be a number of seconds from 0 to {MAX_WAIT_SECONDS:g} "
               f"(got {raw[:40]!r})")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(problem) from None
    if not 0 <= value <= MAX_WAIT_SECONDS:  # also refuses nan and inf
        raise ValueError(problem)
    return value


def take_wait_slot(web_threads: int) -> Callable[[], None] | None:
    """A slot for holding this thread in a long wait: its release function (safe to call
    twice), or None when the process has no thread to spare (then answer at once)."""
    size = max(1, web_threads - WEB_THREADS_KEPT_FREE)
    with _slots_lock:
        if _slots["size"] != size:
            _slots["semaphore"], _slots["size"] = threading.BoundedSemaphore(size), size
        semaphore = _slots["semaphore"]
    if not semaphore.acquire(blocking=False):
        return None
    released = threading.Event()

    def release() -> None:
        if not released.is_set():
            released.set()
            semaphore.release()

    return release


class _Subscription:
    """A subscription to one channel, or nothing when Redis does not answer."""

    def __init__(self, settings, name: str) -> None:
        self.pubsub = None
        try:
            pubsub = _client(settings).pubsub()
            pubsub.subscribe(name)
            # Wait for Redis to confirm: only then is a later publish sure to reach us.
            confirmed = pubsub.get_message(timeout=1.0)
            if confirmed is None or confirmed.get("type") != "subscribe":
                pubsub.close()
                raise ConnectionError("no subscribe confirmation from Redis")
            self.pubsub = pubsub
        except Exception as exc:  # noqa: BLE001 - fall back to re-reading the row
            log.warning("push: cannot subscribe to %s, polling instead: %s", name, exc)

    def wait(self, seconds: float) -> None:
        """Return on a message on the channel or after `seconds`."""
        if self.pubsub is None:
            time.sleep(min(seconds, POLL_SECONDS))
            return
        deadline = time.monotonic() + seconds
        try:
            while (left := deadline - time.monotonic()) > 0:
                message = self.pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
                if message is not None and message.get("type") == "message":
                    return
        except Exception as exc:  # noqa: BLE001 - Redis went away: poll the row from now on
            log.warning("push: subscription lost, polling instead: %s", exc)
            self.close()

    def close(self) -> None:
        if self.pubsub is not None:
            try:
                self.pubsub.close()
            except Exception:  # noqa: BLE001, S110 - closing a broken connection
                pass
            self.pubsub = None


def watch(settings, name: str, read: Callable[[], T], is_done: Callable[[T], bool],
          timeout: float) -> Iterator[T]:
    """Yield read() now, then again each time its value changes, until is_done(value) or
    `timeout` seconds have passed.  `read` must not keep a database connection checked out
    between calls (the caller closes its session), since a waiter holds on for seconds."""
    deadline = time.monotonic() + timeout
    subscription = _Subscription(settings, name) if timeout > 0 else None
    try:
        last = read()
        yield last
        while not is_done(last):
            left = deadline - time.monotonic()
            if left <= 0 or subscription is None:
                return
            subscription.wait(min(left, RECHECK_SECONDS))
            current = read()
            if current != last:
                last = current
                yield current
    finally:
        if subscription is not None:
            subscription.close()
