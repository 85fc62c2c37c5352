"""A value computed at most once per `ttl` (and again in each new month), shared by threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from costplane.budgets.periods import window
from costplane.domain.budgets import Period

T = TypeVar("T")


class TimedCache(Generic[T]):
    """A value reused for `ttl` within one calendar month (budget periods turn over at month
    starts, and a new period needs a new value); `clear` forgets it at once."""

    def __init__(self, ttl: timedelta) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._cached: tuple[datetime, T] | None = None

    def get(self, now: datetime, compute: Callable[[], T]) -> T:
        with self._lock:
            cached = self._cached
            if cached is None or not _fresh(cached[0], now, self.ttl):
                cached = self._cached = (now, compute())
            return cached[1]

    def clear(self) -> None:
        with self._lock:
            self._cached = None


def _fresh(at: datetime, now: datetime, ttl: timedelta) -> bool:
    same_month = window(Period.MONTHLY, at).start == window(Period.MONTHLY, now).start
    return at <= now < at + ttl and same_month
