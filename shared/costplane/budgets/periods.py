"""Budget periods in UTC, and exact hour counts for projections (Decimal, never float)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from costplane.domain.budgets import Period

_MONTHS_PER_PERIOD = {Period.MONTHLY: 1, Period.QUARTERLY: 3}
_MICROSECONDS_PER_HOUR = Decimal(3_600_000_000)


class Window(NamedTuple):
    """[start, end) of one budget period."""

    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """A stable name for the period: `2026-11` (a month) or `2026-Q4` (a quarter)."""
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
        if months == _MONTHS_PER_PERIOD[Period.QUARTERLY]:
            return f"{self.start.year}-Q{(self.start.month - 1) // months + 1}"
        return f"{self.start:%Y-%m}"

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def window(period: Period, moment: datetime) -> Window:
    """The period of `period` kind that contains `moment` (calendar months, UTC)."""
    months = _MONTHS_PER_PERIOD[period]
    moment = moment.astimezone(UTC)
    first = (moment.month - 1) // months * months + 1
    start = datetime(moment.year, first, 1, tzinfo=UTC)
    return Window(start, _add_months(start, months))


def hours(start: datetime, end: datetime) -> Decimal:
    """Hours from `start` to `end`, exactly; zero when `end` is not after `start`."""
    delta = end - start
    if delta <= timedelta(0):
        return Decimal(0)
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return Decimal(micros) / _MICROSECONDS_PER_HOUR


def _add_months(start: datetime, months: int) -> datetime:
    index = start.month - 1 + months
    return start.replace(year=start.year + index // 12, month=index % 12 + 1)
