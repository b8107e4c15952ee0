import threading
import time
from decimal import Decimal

import pytest
from judge import subclass
from parallel import AtomicCounter, parallel_map

WAIT = 0.5  # upper bound for event waits; correct code never waits this long


def slow_radd(self, other):
    """Adds 1 to a number, slowly: the addition yields in the middle of an increment."""
    current = other
    time.sleep(0.001)
    return current + 1


def slow_step_class():
    """SlowStep, made in the candidate's process so that `value + SlowStep()` there calls
    slow_radd (in the tests' process) with the current value."""
    return subclass(object, "SlowStep", {"__radd__": slow_radd})


def test_results_keep_input_order():
    """Results come back in input order even when later items finish first"""
    finished = [threading.Event() for _ in range(5)]

    def work(i):
        if i + 1 < len(finished):
            finished[i + 1].wait(0.2)  # item i finishes only after item i+1
            time.sleep(0.003)
        finished[i].set()
        return f"r{i}"

    result = parallel_map(work, range(5), max_workers=5)
    assert type(result) is list
    assert result == ["r0", "r1", "r2", "r3", "r4"]


def test_never_more_than_max_workers_at_once():
    """No more than max_workers calls run at the same time"""
    lock = threading.Lock()
    state = {"active": 0, "peak": 0}

    def work(n):
        with lock:
            state["active"] += 1
            state["peak"] = max(state["peak"], state["active"])
        time.sleep(0.01)
        with lock:
            state["active"] -= 1
        return n * n

    assert parallel_map(work, list(range(9)), max_workers=3) == [n * n for n in range(9)]
    assert 1 <= state["peak"] <= 3


def test_calls_really_run_concurrently():
    """With max_workers=3, three calls run at the same time"""
    barrier = threading.Barrier(3, timeout=WAIT)

    def work(n):
        barrier.wait()  # only passes when three calls are running together
        return n

    assert parallel_map(work, iter([7, 8, 9]), max_workers=3) == [7, 8, 9]


def test_raises_the_first_failure_in_input_order():
    """The exception of the earliest failing item in the input propagates, as the same object"""
    late_error = KeyError("item 1")
    early_error = ValueError("item 3")
    item3_failed = threading.Event()

    def work(n):
        if n == 1:
            item3_failed.wait(WAIT)  # item 3 fails first in time
            time.sleep(0.005)
            raise late_error
        if n == 3:
            item3_failed.set()
            raise early_error
        return n

    with pytest.raises(KeyError) as info:
        parallel_map(work, [0, 1, 2, 3, 4], max_workers=5)
    assert info.value is late_error


def test_waits_for_running_calls_before_raising():
    """When parallel_map raises, calls it had started have already finished"""
    finished = []
    started = threading.Event()

    def work(n):
        if n == 0:
            started.wait(WAIT)  # fail only once item 1 is surely running
            raise RuntimeError("boom")
        started.set()
        time.sleep(0.02)
        finished.append(n)
        return n

    with pytest.raises(RuntimeError):
        parallel_map(work, [0, 1], max_workers=2)
    assert finished == [1]


def test_empty_input_and_progress():
    """Empty input gives [] without calls; progress counts each successful call"""
    calls = []
    assert parallel_map(calls.append, [], max_workers=2) == []
    assert calls == []
    progress = AtomicCounter()
    assert parallel_map(lambda n: n + 1, range(12), max_workers=4, progress=progress) == list(
        range(1, 13))
    assert progress.value == 12


def test_rejects_bad_max_workers_before_any_call():
    """A non-int max_workers is a TypeError and one below 1 a ValueError, before items are read"""
    read = []

    def items():
        read.append(True)
        yield 1

    for workers, error in ((0, ValueError), (-2, ValueError), (True, TypeError),
                           (2.0, TypeError), ("4", TypeError), (None, TypeError)):
        with pytest.raises(error):
            parallel_map(lambda n: n, items(), max_workers=workers)
        with pytest.raises(error):
            parallel_map(lambda n: n, [], max_workers=workers)
    assert read == []
    assert parallel_map(lambda n: n * 5, items(), max_workers=1) == [5]
    assert read == [True]


def test_counter_loses_no_updates():
    """Concurrent increments are never lost and every call gets a distinct new value"""
    SlowStep = slow_step_class()  # noqa: N806
    counter = AtomicCounter()
    start = threading.Barrier(4, timeout=WAIT)
    seen = []
    seen_lock = threading.Lock()

    def hammer():
        start.wait()
        for _ in range(5):
            value = counter.increment(SlowStep())
            with seen_lock:
                seen.append(value)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT * 2)
    assert counter.value == 20
    assert sorted(seen) == list(range(1, 21))


def test_counter_start_step_and_types():
    """start and by are honoured, increment returns the new value, and any addable type works"""
    counter = AtomicCounter(start=100)
    assert counter.value == 100
    assert counter.increment() == 101
    assert counter.increment(by=-1) == 100
    money = AtomicCounter(Decimal("0.10"))
    assert money.increment(Decimal("0.20")) == Decimal("0.30")
    assert type(money.value) is Decimal
    assert AtomicCounter().value == 0
