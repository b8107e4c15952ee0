import contextlib
import time


class Timer:
    def __init__(self):
        self.elapsed = None

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.elapsed = time.perf_counter() - self._start
        return False


@contextlib.contextmanager
def suppress_and_log(*exc_types):
    caught = []
    try:
        yield caught
    except exc_types as exc:
        caught.append(exc)

