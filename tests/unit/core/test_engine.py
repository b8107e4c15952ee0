"""The engine watch: paused while pings fail, resumed by the first that answers."""

import threading
import time

from worker.core.engine import PAUSED, EngineWatch


class Engine:
    def __init__(self) -> None:
        self.up = True
        self.pings = 0

    def ping(self) -> None:
        self.pings += 1
        if not self.up:
            raise ConnectionRefusedError("Connection refused")


def test_a_failing_ping_pauses_and_the_next_answer_resumes():
    engine, changes = Engine(), []
    watch = EngineWatch(engine.ping, on_change=lambda: changes.append(watch.available()))
    assert watch.available() and watch.status() == "ok"
    engine.up = False
    assert watch.check() is False and not watch.available()
    assert watch.status().startswith(f"{PAUSED} since ") and "Connection refused" in watch.status()
    assert watch.check() is False and changes == [False]  # said once, not at every ping
    engine.up = True
    assert watch.check() is True and watch.available() and watch.status() == "ok"
    assert changes == [False, True]


def test_the_background_loop_notices_both_ways_and_wakes_waiters():
    engine = Engine()
    watch = EngineWatch(engine.ping, every=0.05, retry_after=(0.02,)).start()
    try:
        engine.up = False
        deadline = time.monotonic() + 2
        while watch.available() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not watch.available()
        woke = []
        waiter = threading.Thread(target=lambda: woke.append(watch.wait_available(5)))
        waiter.start()
        time.sleep(0.1)
        assert woke == []
        engine.up = True
        waiter.join(5)
        assert woke == [True] and watch.available()
    finally:
        watch.stop()


def test_a_broken_reporter_does_not_stop_the_watch():
    engine = Engine()

    def explode() -> None:
        raise RuntimeError("redis is down")

    watch = EngineWatch(engine.ping, on_change=explode)
    engine.up = False
    assert watch.check() is False and not watch.available()
