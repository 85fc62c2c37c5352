"""Actual-to-date per budget: the sum of EffectiveCost over the budget's scope and period;
and per budget the daily EffectiveCost a forecast of its period end is fitted on.

One DuckDB aggregation over the lake groups the rows by what scopes look at (provider,
account, region, resource-type stem, currency, month or day, and the tag values budgets
name); each budget then adds up the groups its scope matches. Rows are never visited in
Python, only groups, whose number is bounded by accounts x regions x types x months (days).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import pyarrow as pa

from costplane.adapters.lake.reads import query, scan
from costplane.adapters.lake.resource_types import STEM_SQL, type_of_stem
from costplane.billing.focus.services import provider_keys
from costplane.billing.lake.table import Lake
from costplane.budgets.periods import Window, window
from costplane.budgets.ports import LakeSpend
from costplane.budgets.scopes import ScopeMatcher, Subject
from costplane.domain.budgets import Budget

COLUMNS = (
    "ProviderName",
    "SubAccountId",
    "RegionId",
    "ResourceId",
    "BillingCurrency",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "EffectiveCost",
    "x_TagsMap",
)
CANONICAL_KEY_SQL = "lower(regexp_replace(e.key, '[-_ .:/]', '', 'g'))"
HISTORY = timedelta(days=90)
"""How far back daily spend is read for forecasts: enough for a weekly season and a trend."""

Grain = Literal["month", "day"]
Group = tuple[Subject, str, datetime, Decimal, datetime]
"""(what the rows are about, currency, month or day they start in, EffectiveCost, rows end)."""


def lake_spend(lake: Lake, budgets: Sequence[Budget], now: datetime) -> LakeSpend:
    windows = {b.name: window(b.period, now) for b in budgets}
    start = min(w.start for w in windows.values())
    end = max(w.end for w in windows.values())
    matchers = {b.name: ScopeMatcher(b.scope) for b in budgets}
    totals = _Totals(budgets, windows, matchers, now)
    for subject, currency, month, cost, through in _groups(lake, matchers, start, end, "month"):
        totals.add(subject, currency, month, cost, through)
    return LakeSpend(totals.actual, totals.through)


def lake_daily_spend(
    lake: Lake, budgets: Sequence[Budget], now: datetime, history: timedelta = HISTORY
) -> dict[str, dict[date, Decimal]]:
    """Per budget, EffectiveCost per UTC day from `history` before `now` (and at least from
    its period's start) up to `now`. A day on which the lake has rows but the scope has none
    is a zero, from the scope's first day on: only a day with no rows at all means no bill
    was loaded, as forecasting reads it. A budget with no rows has an empty series."""
    first = (now - history).replace(hour=0, minute=0, second=0, microsecond=0)
    start = min([first, *(window(b.period, now).start for b in budgets)])
    matchers = {b.name: ScopeMatcher(b.scope) for b in budgets}
    groups = _groups(lake, matchers, start, now, "day")
    days = sorted({day.date() for _, _, day, _, _ in groups})
    matched: dict[str, dict[date, Decimal]] = {b.name: {} for b in budgets}
    for subject, currency, day, cost, _ in groups:
        for budget in budgets:
            if currency == budget.currency and matchers[budget.name].matches(subject):
                spent = matched[budget.name]
                spent[day.date()] = spent.get(day.date(), Decimal(0)) + cost
    return {name: _zero_filled(spent, days) for name, spent in matched.items()}


def _zero_filled(spent: Mapping[date, Decimal], days: Sequence[date]) -> dict[date, Decimal]:
    """`spent` on each of `days` from its first day on, zero where it has none."""
    if not spent:
        return {}
    first = min(spent)
    return {day: spent.get(day, Decimal(0)) for day in days if day >= first}


def _groups(
    lake: Lake, matchers: Mapping[str, ScopeMatcher], start: datetime, end: datetime, grain: Grain
) -> list[Group]:
    """Rows charged in [start, end) grouped by what `matchers` look at, per `grain`."""
    tag_keys = sorted({key for m in matchers.values() for key in m.tags})
    rows = scan(lake, COLUMNS, start, end)
    return _subjects(query(rows, _group_sql(len(tag_keys), grain), _params(tag_keys)), tag_keys)


def _group_sql(tag_count: int, grain: Grain) -> str:
    tags = "".join(
        f", lower(list_filter(map_entries(x_TagsMap), lambda e: {CANONICAL_KEY_SQL} = $tag{i})"
        f"[1].value) AS tag{i}"
        for i in range(tag_count)
    )
    return f"""
        SELECT ProviderName AS provider_name, SubAccountId AS account, RegionId AS region,
               {STEM_SQL} AS stem, BillingCurrency AS currency,
               date_trunc('{grain}', ChargePeriodStart) AS bucket{tags},
               sum(EffectiveCost) AS cost, max(ChargePeriodEnd) AS through
        FROM focus
        GROUP BY ALL
    """


def _params(tag_keys: Sequence[str]) -> dict[str, Any]:
    return {f"tag{i}": key for i, key in enumerate(tag_keys)}


def _subjects(groups: pa.Table, tag_keys: Sequence[str]) -> list[Group]:
    providers = provider_keys(groups["provider_name"].combine_chunks()).to_pylist()
    rows = groups.to_pylist()
    return [
        (
            Subject(
                provider=provider or "",
                account=row["account"] or "",
                region=row["region"] or "",
                resource_type=type_of_stem(row["stem"]) or "",
                tags={k: v for i, k in enumerate(tag_keys) if (v := row[f"tag{i}"]) is not None},
            ),
            row["currency"],
            row["bucket"],
            row["cost"],
            row["through"],
        )
        for provider, row in zip(providers, rows, strict=True)
    ]


class _Totals:
    def __init__(
        self,
        budgets: Sequence[Budget],
        windows: Mapping[str, Window],
        matchers: Mapping[str, ScopeMatcher],
        now: datetime,
    ) -> None:
        self.budgets = budgets
        self.windows = windows
        self.matchers = matchers
        self.now = now
        self.actual: dict[str, Decimal] = {b.name: Decimal(0) for b in budgets}
        self.through: dict[str, datetime] = {}

    def add(
        self, subject: Subject, currency: str, month: datetime, cost: Decimal, through: datetime
    ) -> None:
        for budget in self.budgets:
            name = budget.name
            if (
                currency != budget.currency
                or not self.windows[name].contains(month)
                or not self.matchers[name].matches(subject)
            ):
                continue
            self.actual[name] += cost
            seen = min(through, self.now)
            if name not in self.through or seen > self.through[name]:
                self.through[name] = seen
