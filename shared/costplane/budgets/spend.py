"""What a budget has spent so far: the lake's actual (re-read at most every `ttl`) and what cloud
budget notifications reported, the higher of the two; what running resources still add; and
the period end projections stored in the lake (re-read as the actual is)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from costplane.budgets.periods import Window, hours
from costplane.budgets.ports import LakeSpend, RateEntry, SignalFigures, SignalStore
from costplane.budgets.timed import TimedCache
from costplane.domain.budgets import Budget, Projection

LakeSource = Callable[[datetime], LakeSpend]
ForecastSource = Callable[[datetime], Mapping[str, Projection]]


class Spent(NamedTuple):
    """(the lake's actual, the clouds' figures, the actual: the higher of the two)."""

    lake_actual: Decimal
    figures: SignalFigures
    actual: Decimal


class SpendReader:
    """Actual spend per budget and period, from the lake and the signal store."""

    def __init__(
        self,
        signals: SignalStore,
        lake: LakeSource | None,
        ttl: timedelta = timedelta(minutes=15),
        forecasts: ForecastSource | None = None,
    ) -> None:
        self.signals = signals
        self._lake_source = lake
        self._lake = TimedCache[LakeSpend](ttl)
        self._forecast_source = forecasts
        self._forecasts = TimedCache[Mapping[str, Projection]](ttl)

    def lake(self, now: datetime) -> LakeSpend:
        source = self._lake_source
        if source is None:
            return LakeSpend({})
        return self._lake.get(now, lambda: source(now))

    def forecasts(self, now: datetime) -> Mapping[str, Projection]:
        """The stored projections of the budgets' current periods; none without a source."""
        source = self._forecast_source
        if source is None:
            return {}
        return self._forecasts.get(now, lambda: source(now))

    def spent(self, budget: Budget, period: Window, lake: LakeSpend) -> Spent:
        figures = self.signals.signal_figures(budget.name, period.key)
        lake_actual = lake.actual.get(budget.name, Decimal(0))
        return Spent(lake_actual, figures, max(lake_actual, figures.actual or Decimal(0)))


def outstanding(
    budget: Budget, period: Window, lake: LakeSpend, running: Sequence[RateEntry]
) -> Decimal:
    """What the running resources add to actual and reserved spend by the period end."""
    through = lake.through.get(budget.name)
    return sum((_still_to_count(e, budget, period, through) for e in running), Decimal(0))


def _still_to_count(
    entry: RateEntry, budget: Budget, period: Window, through: datetime | None
) -> Decimal:
    """A resource's rate from where the lake ends (or it started); when its cost from its
    creation this period is reserved instead, minus the hours of it the lake already counts."""
    start = max(entry.since, period.start)
    counted = max(start, through or start)
    if budget.name in entry.reserved and entry.since >= period.start:
        return -entry.rate * hours(start, min(counted, period.end))
    return entry.rate * hours(counted, period.end)
