import contextlib
import time


class Timer:
    """Measure how long a `with` block takes; the result is in `elapsed`."""

    def __init__(self):
        self.elapsed = None
        self._started = None

    def __enter__(self):
        self._started = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.elapsed = time.perf_counter() - self._started
        return False


@contextlib.contextmanager
def suppress_and_log(*exc_types):
    """Swallow the listed exception types and collect them in the yielded list."""
    caught = []
    try:
        yield caught
    except exc_types as exc:
        caught.append(exc)
