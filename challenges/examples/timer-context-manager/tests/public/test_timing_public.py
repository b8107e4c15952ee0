import time

from timing import Timer, suppress_and_log


def test_timer_records_elapsed():
    with Timer() as t:
        time.sleep(0.01)
    assert isinstance(t.elapsed, float)
    assert t.elapsed >= 0.009


def test_suppress_and_log_swallows_a_listed_error():
    with suppress_and_log(ValueError) as errors:
        raise ValueError("bad input")
    assert len(errors) == 1
    assert isinstance(errors[0], ValueError)
