from solution import retry


def test_returns_value_without_retry():
    calls = []

    @retry(3)
    def ok():
        calls.append(1)
        return 42

    assert ok() == 42
    assert calls == [1]


def test_retries_until_success():
    calls = []

    @retry(3)
    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("try again")
        return "done"

    assert flaky() == "done"
    assert len(calls) == 3
