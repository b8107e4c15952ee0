"""The warm pool's bookkeeping, with a fake in place of Docker: bounded, single use,
recycled before the reaper's age, drained on close.  (tests/integration/test_pool.py
runs the real thing.)"""

from __future__ import annotations

import threading
import time

import pytest

import worker.core.pool as pool_module
from worker.core.config import ConfigError, Limits, load_settings
from worker.core.pool import SandboxPool

LIMITS = Limits()


class FakeContainer:
    def __init__(self, registry: dict, number: int) -> None:
        self.registry, self.id, self.short_id = registry, f"c{number}", f"c{number}"
        registry[self.id] = "alive"

    def remove(self, force: bool = False) -> None:
        self.registry[self.id] = "removed"


class FakeStream:
    def quiet(self) -> bool:
        return True  # still waiting for its go (the sweeper drops streams that ended)

    def close(self) -> None:
        pass


@pytest.fixture
def engine(monkeypatch):
    """Replaces arm_sandbox: every call 'starts' a container and records it."""
    state = {"containers": {}, "made": 0, "created_offset": 0.0, "lock": threading.Lock()}

    def arm(client, image, limits, runtime):
        with state["lock"]:
            state["made"] += 1
            number = state["made"]
        container = FakeContainer(state["containers"], number)
        return pool_module.Armed(container, FakeStream(), (image, limits, runtime),
                                 time.time() + state["created_offset"])

    monkeypatch.setattr(pool_module, "arm_sandbox", arm)
    return state


def make(size: int = 2, **kw) -> SandboxPool:
    kw = {"grace_seconds": 10, "reap_after_seconds": 300, "max_idle_seconds": 120, **kw}
    return SandboxPool("img", LIMITS, "", size, client_factory=lambda: None, **kw).start()


def alive(engine) -> int:
    return sum(1 for v in engine["containers"].values() if v == "alive")


def test_fills_to_size_and_no_further(engine):
    pool = make(size=3)
    try:
        assert pool.wait_full(5)
        time.sleep(0.2)
        assert pool.idle() == 3 and engine["made"] == 3
    finally:
        pool.close()
    assert alive(engine) == 0


def test_each_container_serves_one_run_and_is_removed(engine):
    pool = make(size=2)
    try:
        assert pool.wait_full(5)
        taken = [pool.take("img", LIMITS, "") for _ in range(3)]
        assert taken[2] is None, "an empty pool is a miss, never a wait"
        assert taken[0].container.id != taken[1].container.id
        assert engine["made"] == 2, "in-use containers count against the size"
        for armed in taken[:2]:
            pool.retire(armed)
        assert pool.wait_full(5)
        assert {engine["containers"][a.container.id] for a in taken[:2]} == {"removed"}
        assert engine["made"] == 4 and alive(engine) == 2
    finally:
        pool.close()


def test_other_key_is_a_miss(engine):
    pool = make(size=1)
    try:
        assert pool.wait_full(5)
        assert pool.take("img", Limits(memory_mb=128), "") is None
        assert pool.take("other", LIMITS, "") is None
        assert pool.take("img", LIMITS, "runsc") is None
        assert pool.take("img", LIMITS, "") is not None
    finally:
        pool.close()


def test_idle_age_is_bounded_by_the_reapers_age():
    pool = SandboxPool("img", Limits(wall_seconds=20), "", 1, grace_seconds=10,
                       reap_after_seconds=100, max_idle_seconds=120)
    assert pool.max_idle == 100 - 20 - 10 - pool_module.RUN_ROOM_SECONDS
    with pytest.raises(ValueError, match="LAB_REAP_AFTER_SECONDS"):
        SandboxPool("img", Limits(wall_seconds=20), "", 1, grace_seconds=10,
                    reap_after_seconds=60, max_idle_seconds=120)


def test_old_idle_containers_are_never_handed_out_and_get_replaced(engine):
    engine["created_offset"] = -200.0  # as if created 200 s ago: past max_idle (120 s)
    pool = make(size=1)
    try:
        deadline = time.monotonic() + 5
        while engine["made"] < 3:  # the sweeper recycles each one as soon as it sees it
            assert pool.take("img", LIMITS, "") is None, "handed out past its idle age"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        engine["created_offset"] = 0.0  # from now on fresh ones: the next are handed out
        armed = None
        while armed is None:
            assert time.monotonic() < deadline + 5, "no fresh container after the old ones"
            pool.wait_full(1)
            armed = pool.take("img", LIMITS, "")
        assert time.time() - armed.created < 5
    finally:
        pool.close()
    assert alive(engine) == 1, "the one in use lives until its run ends"
    pool.retire(armed)  # a run that ends after close() still removes its container
    assert alive(engine) == 0


def test_concurrent_takes_never_share_a_container(engine):
    pool = make(size=4, fillers=2)
    got: list = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(20):
            armed = pool.take("img", LIMITS, "")
            if armed is not None:
                with lock:
                    got.append(armed.container.id)
                pool.retire(armed)
            time.sleep(0.001)

    try:
        assert pool.wait_full(5)
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        pool.close()
    assert got and len(got) == len(set(got))
    assert alive(engine) == 0


def test_pool_settings_from_the_environment():
    assert load_settings({}).pool_size == 2
    assert load_settings({"LAB_POOL_SIZE": "0"}).pool_size == 0
    assert load_settings({"LAB_POOL_MAX_IDLE_SECONDS": "30"}).pool_max_idle_seconds == 30
    with pytest.raises(ConfigError, match="LAB_POOL_SIZE"):
        load_settings({"LAB_POOL_SIZE": "-1"})
    with pytest.raises(ConfigError, match="LAB_POOL_SIZE"):
        load_settings({"LAB_POOL_SIZE": "two"})
