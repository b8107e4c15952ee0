import time

from parallel import AtomicCounter, parallel_map


def test_example():
    def slow_double(n):
        time.sleep(0.01 * (3 - n))
        return n * 2

    done = AtomicCounter()
    assert parallel_map(slow_double, [0, 1, 2], max_workers=3, progress=done) == [0, 2, 4]
    assert done.value == 3


def test_counter_increment_returns_new_value():
    counter = AtomicCounter(10)
    assert counter.increment() == 11
    assert counter.increment(5) == 16
    assert counter.value == 16


def test_exception_propagates():
    def check(n):
        if n == 2:
            raise ValueError("two")
        return n

    try:
        parallel_map(check, [1, 2, 3])
    except ValueError as exc:
        assert str(exc) == "two"
    else:
        raise AssertionError("expected ValueError")
