import pytest
from judge import remote_module
from solution import retry


def test_retries_until_success():
    """Succeeds on the third of three attempts"""
    calls = []

    @retry(3)
    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("try again")
        return "done"

    assert flaky() == "done"
    assert len(calls) == 3


def test_gives_up_after_the_last_attempt():
    """Exactly `times` attempts, then the last exception propagates"""
    calls = []

    @retry(2)
    def broken():
        calls.append(1)
        raise TimeoutError(len(calls))

    with pytest.raises(TimeoutError) as info:
        broken()
    assert info.value.args == (2,)
    assert len(calls) == 2


def test_other_exceptions_are_not_retried():
    """An exception outside `exceptions` is raised on the first attempt"""
    calls = []

    @retry(5, exceptions=(ConnectionError,))
    def wrong():
        calls.append(1)
        raise KeyError("no")

    with pytest.raises(KeyError):
        wrong()
    assert calls == [1]


def test_keeps_metadata():
    """functools.wraps keeps the name and docstring"""
    @retry(2)
    def documented():
        """Docs."""

    assert documented.__name__ == "documented"
    assert documented.__doc__ == "Docs."
    # The same for a function of the candidate's own process, which still works wrapped.
    dedent = remote_module("textwrap").dedent
    wrapped = retry(2)(dedent)
    assert wrapped.__name__ == "dedent"
    assert type(wrapped.__doc__) is str
    assert wrapped.__doc__ == dedent.__doc__
    assert wrapped("  a\n  b") == "a\nb"


@pytest.mark.parametrize("times", [0, -1])
def test_rejects_non_positive_times(times):
    """times below 1 is refused when the decorator is built"""
    with pytest.raises(ValueError):
        retry(times)
    # One attempt is the smallest valid setting: no retry at all.
    calls = []

    @retry(1)
    def once():
        calls.append(1)
        raise ConnectionError("down")

    with pytest.raises(ConnectionError):
        once()
    assert calls == [1]
