import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait


class AtomicCounter:
    """A counter that many threads can increment at the same time without losing updates."""

    def __init__(self, start=0):
        self._value = start
        self._lock = threading.Lock()

    def increment(self, by=1):
        """Add `by` and return the new value, as one indivisible step."""
        with self._lock:
            self._value = self._value + by
            return self._value

    @property
    def value(self):
        with self._lock:
            return self._value


def parallel_map(func, items, max_workers=4, progress=None):
    """Apply func to every item on at most max_workers threads; results in input order."""
    if type(max_workers) is not int:
        raise TypeError("max_workers must be an int")
    if max_workers < 1:
        raise ValueError("max_workers must be at least 1")

    def call(item):
        result = func(item)
        if progress is not None:
            progress.increment()
        return result

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = [pool.submit(call, item) for item in items]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:
            if future.exception() is not None:
                raise future.exception()
        return [future.result() for future in futures]
