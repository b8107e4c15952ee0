"""A warm pool of single-use sandbox containers, one pool per grading process.

Each container is created with the cold path's options (worker/core/sandbox.py
create_sandbox), started ahead of demand and left waiting with pytest imported (the
supervisor's armed mode).  A run takes one, sends the files and the go, reads the
report, and the container is removed in the background: it is never used twice.

* Bounded: at most `size` containers exist for the pool at once, counting the ones in
  use.  A taken container's replacement is started when its run ends, so a refill never
  competes for the CPU with the run it serves.  Containers are created for one key,
  (image, default limits, runtime); a run with other limits takes the cold path.
* Never reaped while in use: the reaper removes a labelled container once it is older
  than `reap_after_seconds` (whoever owns it), so an idle container is recycled
  (removed, replaced) well before: `max_idle` leaves room for the longest run.
* Never outlives its owner: containers carry the owner label (host:pid) and a pool
  label; the pool drains at process exit; a SIGKILLed owner closes the attach streams,
  so each supervisor exits at once and the reaper removes the stopped containers.
"""

from __future__ import annotations

import atexit
import collections
import logging
import threading
import time
from collections.abc import Callable

import docker

from worker.core.armed import Armed, StaleSandbox, arm_sandbox, run_armed
from worker.core.config import Limits, Settings
from worker.core.engine import engine_watch
from worker.core.images import runner_image
from worker.core.per_process import PerProcess
from worker.core.sandbox import (
    InfraError,
    SandboxJob,
    SandboxRun,
    connect,
    count,
    remove_quietly,
    take_counts,
)

log = logging.getLogger(__name__)
RUN_ROOM_SECONDS = 30.0  # margin between the last moment a run can end and the reaper's age
MIN_IDLE_SECONDS = 5.0  # below this a pool would only churn: refuse to start
STATS_EVERY_SECONDS = 2.0
BACKOFF_SECONDS = (1.0, 2.0, 5.0, 15.0, 30.0)
_client_lock = threading.Lock()


class SandboxPool:
    """Thread-safe.  `take()` never blocks on the engine: an empty pool is a miss."""

    def __init__(self, image: str, limits: Limits, runtime: str, size: int, grace_seconds: float,
                 reap_after_seconds: float, max_idle_seconds: float,
                 client_factory: Callable[[], docker.DockerClient] = connect,
                 on_stats: Callable[[dict[str, int], int], None] | None = None,
                 fillers: int = 2) -> None:
        self.key = (image, limits, runtime)
        self.size = size
        # The last moment an idle container may be handed out: its run (wall + grace) and
        # its removal must end before the reaper's age.
        self.max_idle = min(max_idle_seconds,
                            reap_after_seconds - limits.wall_seconds - grace_seconds
                            - RUN_ROOM_SECONDS)
        if self.max_idle < MIN_IDLE_SECONDS:
            raise ValueError(
                f"no room for a warm pool: LAB_REAP_AFTER_SECONDS ({reap_after_seconds:g}) must "
                f"exceed the wall clock ({limits.wall_seconds:g}) + LAB_GRACE_SECONDS "
                f"({grace_seconds:g}) + {RUN_ROOM_SECONDS + MIN_IDLE_SECONDS:g} s")
        self._client_factory = client_factory
        self._client: docker.DockerClient | None = None
        self._on_stats = on_stats
        self._lock = threading.Condition()
        self._idle: collections.deque[Armed] = collections.deque()
        self._arming = 0
        self._in_use = 0
        self.handed_out = 0  # containers given to runs so far (tests, benchmarks)
        self._failures_in_row = 0
        self._closed = False
        self._doomed: collections.deque = collections.deque()  # containers to remove
        self._threads = [threading.Thread(target=self._fill, name=f"lab-pool-fill-{i}",
                                          daemon=True) for i in range(max(1, min(fillers, size)))]
        self._threads.append(threading.Thread(target=self._sweep, name="lab-pool-sweep",
                                              daemon=True))

    # -- used by a run ---------------------------------------------------------------

    def run(self, image: str, limits: Limits, runtime: str, job: SandboxJob,
            grace_seconds: float) -> SandboxRun | None:
        """One run in an armed container; None when there is none for this key, or when
        the one taken turned out dead before go (nothing ran: the caller runs cold).
        The container is retired (removed in the background) whatever happens."""
        armed = self.take(image, limits, runtime)
        if armed is None:
            return None
        failed = True
        try:
            run = run_armed(armed, job, limits, grace_seconds)
            failed = False
            return run
        except StaleSandbox as exc:
            log.warning("warm pool: container unusable, running cold: %s", exc)
            return None
        finally:
            self.retire(armed, failed)

    def take(self, image: str, limits: Limits, runtime: str) -> Armed | None:
        """An armed container for exactly this key, or None (the caller runs cold)."""
        if (image, limits, runtime) != self.key:
            count("pool_misses")
            return None
        now = time.time()
        with self._lock:
            while self._idle:
                armed = self._idle.popleft()
                if now - armed.created <= self.max_idle:
                    self._in_use += 1
                    self.handed_out += 1
                    count("pool_hits")
                    return armed
                self._doom(armed)  # too close to the reaper's age: never hand it out
                count("pool_recycled")
            count("pool_misses")
            return None

    def retire(self, armed: Armed, failed: bool = False) -> None:
        """The run is over (or never started): remove the container, start its successor."""
        if failed:
            count("pool_failures")
        with self._lock:
            self._in_use -= 1
            self._doom(armed)
            closed = self._closed
        if closed:  # the sweeper thread is gone: remove it here
            self._remove_doomed()

    # -- state -----------------------------------------------------------------------

    def idle(self) -> int:
        with self._lock:
            return len(self._idle)

    def idle_ids(self) -> list[str]:
        with self._lock:
            return [armed.container.id for armed in self._idle]

    def wait_full(self, timeout: float) -> bool:
        """Until every slot holds an armed container (benchmarks, tests)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._idle) < self.size or self._doomed:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    return False
                self._lock.wait(min(remaining, 0.5))
            return True

    def start(self) -> SandboxPool:
        for thread in self._threads:
            thread.start()
        return self

    def close(self, timeout: float = 30.0) -> None:
        """Stop refilling and remove every container this pool still holds."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            while self._idle:
                self._doom(self._idle.popleft())
            self._lock.notify_all()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.1, deadline - time.monotonic()))
        self._remove_doomed()  # whatever the sweeper thread did not get to
        self._push_stats()

    # -- background ------------------------------------------------------------------

    def _doom(self, armed: Armed) -> None:
        """Under the lock: queue the container for removal (off the run's path)."""
        armed.stream.close()  # the supervisor sees end of file and exits if it still waits
        self._doomed.append(armed.container)
        self._lock.notify_all()

    def client(self) -> docker.DockerClient:
        """The pool's engine client (shared with grade(), which then needs no connect)."""
        with _client_lock:
            if self._client is None:
                self._client = self._client_factory()
            return self._client

    def _fill(self) -> None:
        while True:
            watch = engine_watch()
            if watch is not None and not watch.available():
                # No engine: nothing to arm until it answers again (then refill at once).
                watch.wait_available(1.0)
                with self._lock:
                    if self._closed:
                        return
                continue
            with self._lock:
                while not self._closed and (
                        len(self._idle) + self._arming + self._in_use >= self.size):
                    self._lock.wait(1.0)
                if self._closed:
                    return
                self._arming += 1
            armed = None
            try:
                armed = arm_sandbox(self.client(), *self.key)
            except InfraError as exc:
                count("pool_failures")
                log.warning("warm pool: %s", exc)
            except Exception:  # noqa: BLE001 - a filler thread must survive anything
                count("pool_failures")
                log.exception("warm pool: arming failed")
            with self._lock:
                self._arming -= 1
                late = armed is not None and self._closed  # close() has already swept
                if armed is not None and not late:
                    self._idle.append(armed)
                    self._failures_in_row = 0
                elif armed is None:
                    self._failures_in_row += 1
                self._lock.notify_all()
                pause = (BACKOFF_SECONDS[min(self._failures_in_row, len(BACKOFF_SECONDS)) - 1]
                         if self._failures_in_row else 0.0)
            if late:
                armed.stream.close()
                remove_quietly(armed.container)
                return
            if pause:
                with self._lock:
                    self._lock.wait_for(lambda: self._closed, pause)

    def _sweep(self) -> None:
        """Removes retired containers, recycles old idle ones, pushes the counters."""
        last_stats = 0.0
        while True:
            with self._lock:
                if not self._doomed and not self._closed:
                    self._lock.wait(0.5)
                now = time.time()
                while self._idle and now - self._idle[0].created > self.max_idle:
                    self._doom(self._idle.popleft())
                    count("pool_recycled")
                # An idle container whose stream ended was lost (an engine restart kills
                # them all): drop it, so the fillers start a fresh one.
                for armed in [a for a in self._idle if not _still_armed(a)]:
                    self._idle.remove(armed)
                    self._doom(armed)
                    count("pool_lost")
                closed = self._closed
            self._remove_doomed()
            if time.monotonic() - last_stats >= STATS_EVERY_SECONDS:
                last_stats = time.monotonic()
                self._push_stats()
            if closed:
                return

    def _remove_doomed(self) -> None:
        while True:
            with self._lock:
                if not self._doomed:
                    self._lock.notify_all()
                    return
                container = self._doomed.popleft()
            try:
                container.remove(force=True)
            except Exception as exc:  # noqa: BLE001 - the reaper removes it by label
                log.debug("warm pool: removing %s: %s", container.short_id, exc)

    def _push_stats(self) -> None:
        if self._on_stats is None:
            return
        try:
            self._on_stats(take_counts(), self.idle())
        except Exception as exc:  # noqa: BLE001 - metrics never stop the pool
            log.warning("warm pool: metrics: %s", exc)


def _still_armed(armed: Armed) -> bool:
    """Whether an idle container is still waiting for its go; any doubt counts as lost
    (the sweeper must never die of one odd container, or nothing refills the pool)."""
    try:
        return armed.stream.quiet()
    except Exception:  # noqa: BLE001 - a broken stream is a lost container
        return False


_POOL: PerProcess[SandboxPool] = PerProcess()
_PUSHER: PerProcess[threading.Thread] = PerProcess()


def start_process_pool(settings: Settings,
                       on_stats: Callable[[dict[str, int], int], None] | None = None,
                       ) -> SandboxPool | None:
    """This process's pool for the default limits (None when LAB_POOL_SIZE is 0); grade()
    uses it from then on.  Drained at exit."""

    def make() -> SandboxPool | None:
        if settings.pool_size <= 0:
            return None
        pool = SandboxPool(
            runner_image(settings), settings.limits, settings.runtime, settings.pool_size,
            settings.grace_seconds, settings.reap_after_seconds,
            settings.pool_max_idle_seconds, on_stats=on_stats).start()
        atexit.register(stop_process_pool)
        return pool

    return _POOL.start(make)


def push_counts(on_stats: Callable[[dict[str, int], int], None]) -> threading.Thread:
    """Without a pool (LAB_POOL_SIZE=0) something else must push the cold starts; one
    such thread per process."""

    def loop() -> None:
        while True:
            time.sleep(STATS_EVERY_SECONDS)
            try:
                on_stats(take_counts(), 0)
            except Exception as exc:  # noqa: BLE001 - metrics never stop grading
                log.warning("sandbox metrics: %s", exc)

    def make() -> threading.Thread:
        pusher = threading.Thread(target=loop, name="lab-sandbox-counts", daemon=True)
        pusher.start()
        return pusher

    pusher = _PUSHER.start(make)
    assert pusher is not None  # the maker above never declines
    return pusher


def process_pool() -> SandboxPool | None:
    return _POOL.get()


def stop_process_pool() -> None:
    _POOL.stop(SandboxPool.close)
