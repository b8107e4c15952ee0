from judge import by_reference, remote_module, value

from timing import Timer, suppress_and_log


def test_timer_records_elapsed():
    with Timer() as t:
        remote_module("time").sleep(0.01)
    assert isinstance(t.elapsed, float)
    assert t.elapsed >= 0.009


def test_suppress_and_log_swallows_a_listed_error():
    # by_reference: the list stays the candidate's own, so it shows what was logged later.
    with by_reference(suppress_and_log(ValueError)) as errors:
        raise ValueError("bad input")
    logged = value(errors)
    assert len(logged) == 1
    assert isinstance(logged[0], ValueError)
