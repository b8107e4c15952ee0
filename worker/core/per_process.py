"""One object per worker process (the engine watch, the warm pool, the counts pusher):
made on first need under a lock, handed out, stopped once.  Celery forks its workers, and
each child calls start() itself, so nothing is shared across a fork."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerProcess(Generic[T]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: T | None = None

    def get(self) -> T | None:
        """The object, or None when nothing started it in this process (`lab grade`)."""
        return self._value

    def start(self, make: Callable[[], T | None]) -> T | None:
        """The object, made by `make` the first time (`make` may decline with None)."""
        with self._lock:
            if self._value is None:
                self._value = make()
            return self._value

    def stop(self, close: Callable[[T], None]) -> None:
        """Forget the object and close it (outside the lock: closing may take a while)."""
        with self._lock:
            value, self._value = self._value, None
        if value is not None:
            close(value)
