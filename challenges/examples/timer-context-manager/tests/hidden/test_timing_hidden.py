import pytest
from judge import by_reference, remote_module, value

import timing
from timing import Timer, suppress_and_log


class FakeClock:
    """Stands in for time.perf_counter; it moves only when a test advances it."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    # The candidate's code runs in its own process: patch the clock it sees.
    monkeypatch.setattr(remote_module("time"), "perf_counter", fake)
    if hasattr(timing, "perf_counter"):  # `from time import perf_counter`
        monkeypatch.setattr(timing, "perf_counter", fake)
    return fake


def test_elapsed_is_the_clock_difference(clock):
    """elapsed is a float: perf_counter on leaving the block minus perf_counter on entering"""
    timer = Timer()
    clock.advance(5)
    with timer:
        clock.advance(2.5)
    clock.advance(7)
    assert isinstance(timer.elapsed, float)
    assert timer.elapsed == pytest.approx(2.5)


def test_enter_binds_the_timer_and_elapsed_starts_as_none(clock):
    """`with Timer() as t` binds the Timer itself; elapsed is None until the block ends"""
    timer = Timer()
    assert timer.elapsed is None
    with timer as bound:
        assert bound is timer
        assert timer.elapsed is None


def test_elapsed_recorded_when_block_raises(clock):
    """elapsed is recorded even when the block raises"""
    timer = Timer()
    with pytest.raises(KeyError):
        with timer:
            clock.advance(1.5)
            raise KeyError("boom")
    assert timer.elapsed == pytest.approx(1.5)


def test_timer_does_not_swallow_exceptions():
    """Timer lets the block's exception propagate unchanged; __exit__ returns a falsy value"""
    error = ValueError("keep me")
    with pytest.raises(ValueError) as info:
        with Timer():
            raise error
    assert info.value is error

    timer = Timer()
    timer.__enter__()
    assert not timer.__exit__(ValueError, error, None)
    timer.__enter__()
    assert not timer.__exit__(None, None, None)


def test_nested_use(clock):
    """Nested timers and suppress_and_log blocks each handle only their own block"""
    with Timer() as outer:
        clock.advance(1)
        with by_reference(suppress_and_log(ZeroDivisionError)) as errors:
            with Timer() as inner:
                clock.advance(0.5)
                raise ZeroDivisionError("inner block")
        clock.advance(0.25)
    assert inner.elapsed == pytest.approx(0.5)
    assert outer.elapsed == pytest.approx(1.75)
    logged = value(errors)
    assert len(logged) == 1
    assert isinstance(logged[0], ZeroDivisionError)


def test_timer_can_be_reused(clock):
    """A Timer used for a second block reports that block alone, not a running total"""
    timer = Timer()
    with timer:
        clock.advance(3)
    assert timer.elapsed == pytest.approx(3)
    clock.advance(10)
    with timer:
        clock.advance(0.5)
    assert timer.elapsed == pytest.approx(0.5)


def test_measures_real_time():
    """With the real clock, elapsed covers the time the block took"""
    with Timer() as t:
        remote_module("time").sleep(0.01)
    assert isinstance(t.elapsed, float)
    assert 0.009 <= t.elapsed < 5


def test_suppress_swallows_and_logs_listed_types():
    """Listed exception types, subclasses included, are swallowed and appended to the yielded list"""
    error = KeyError("missing")
    with by_reference(suppress_and_log(ValueError, LookupError)) as errors:
        raise error
    logged = value(errors)
    assert type(logged) is list
    assert len(logged) == 1
    assert logged[0] is error

    with by_reference(suppress_and_log(ValueError)) as errors:
        int("not a number")
    logged = value(errors)
    assert len(logged) == 1
    assert isinstance(logged[0], ValueError)


def test_suppress_lets_other_exceptions_through():
    """Unlisted exceptions propagate unchanged and are not logged; with no types nothing is suppressed"""
    error = TypeError("not listed")
    with pytest.raises(TypeError) as info:
        with by_reference(suppress_and_log(ValueError, KeyError)) as errors:
            raise error
    assert info.value is error
    assert value(errors) == []

    with pytest.raises(ValueError):
        with suppress_and_log() as nothing:
            raise ValueError("no types given")
    assert nothing == []


def test_suppress_is_a_contextmanager_with_a_fresh_list():
    """suppress_and_log uses contextlib.contextmanager and yields a new empty list each time"""
    inspect = remote_module("inspect")
    assert inspect.isgeneratorfunction(getattr(suppress_and_log, "__wrapped__", None)) is True
    with by_reference(suppress_and_log(ValueError)) as first:
        raise ValueError("one")
    with by_reference(suppress_and_log(ValueError)) as second:
        pass
    assert value(second) == []
    assert second is not first
    assert len(value(first)) == 1
