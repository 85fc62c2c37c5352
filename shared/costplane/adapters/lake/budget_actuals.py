"""Actual-to-date per budget: the sum of EffectiveCost (or, for a tokens budget, of AI tokens)
over the budget's scope and period; and per budget the daily amounts a forecast of its period
end is fitted on.

One DuckDB aggregation over the lake groups the rows by what scopes look at (provider,
account, region, resource-type stem, currency, month or day, the tag values budgets name, and
on AI rows the model, API key, principal and resource); each budget then adds up the groups
its scope matches. Rows are never visited in Python, only groups, whose number is bounded by
accounts x regions x types x months (days), and on AI rows by keys x models x principals.

With `owners` (the taxonomy's attribution), a group whose rows do not carry an owner tag a
budget names takes it from its account's owner (inherited defaults, owner mappings): an
OpenAI project or Anthropic workspace has no tags, yet counts in its team's budget, as a
cloud account's untagged resources do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, NamedTuple

import pyarrow as pa

from costplane.adapters.lake.ai_rows import (
    AI_COLUMNS,
    TOKENS_SQL,
    ai_resource_type,
    has_ai_columns,
)
from costplane.adapters.lake.reads import query, scan
from costplane.adapters.lake.resource_types import STEM_SQL, type_of_stem
from costplane.billing.focus.services import provider_keys
from costplane.billing.lake.table import Lake
from costplane.budgets.periods import Window, window
from costplane.budgets.ports import LakeSpend
from costplane.budgets.scopes import ScopeMatcher, Subject
from costplane.domain.ai import VENDOR_PROVIDER, AiVendor
from costplane.domain.budgets import Budget, BudgetUnit

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

AI_GROUP_SQL = """
    x_AiVendor AS vendor, x_AiModel AS model, x_AiApiKeyId AS api_key,
    x_AiUserId AS principal, CASE WHEN x_AiVendor IS NOT NULL THEN ResourceId END AS resource,
"""
NO_AI_SQL = """
    NULL AS vendor, NULL AS model, NULL AS api_key, NULL AS principal, NULL AS resource,
"""
Grain = Literal["month", "day"]
OwnerTags = Callable[[Subject, str, str], Mapping[str, str]]
"""The owner tags (canonical key: folded value) of what a group is about, given its subject,
resource id and principal: the attribution's, for the fields its rows' tags do not carry."""


class Group(NamedTuple):
    subject: Subject
    currency: str
    bucket: datetime
    """The month or day its rows start in."""
    cost: Decimal
    tokens: Decimal
    through: datetime
    """When its rows end."""

    def amount(self, budget: Budget) -> Decimal | None:
        """What the group adds to `budget`, in its unit; None when it cannot count there."""
        if budget.unit is BudgetUnit.TOKENS:
            return self.tokens
        return self.cost if self.currency == budget.currency else None


def lake_spend(
    lake: Lake, budgets: Sequence[Budget], now: datetime, owners: OwnerTags | None = None
) -> LakeSpend:
    windows = {b.name: window(b.period, now) for b in budgets}
    start = min(w.start for w in windows.values())
    end = max(w.end for w in windows.values())
    matchers = {b.name: ScopeMatcher(b.scope) for b in budgets}
    totals = _Totals(budgets, windows, matchers, now)
    for group in _groups(lake, matchers, start, end, "month", owners):
        totals.add(group)
    return LakeSpend(totals.actual, totals.through)


def lake_daily_spend(
    lake: Lake,
    budgets: Sequence[Budget],
    now: datetime,
    history: timedelta = HISTORY,
    owners: OwnerTags | None = None,
) -> dict[str, dict[date, Decimal]]:
    """Per budget, EffectiveCost per UTC day from `history` before `now` (and at least from
    its period's start) up to `now`. A day on which the lake has rows but the scope has none
    is a zero, from the scope's first day on: only a day with no rows at all means no bill
    was loaded, as forecasting reads it. A budget with no rows has an empty series."""
    first = (now - history).replace(hour=0, minute=0, second=0, microsecond=0)
    start = min([first, *(window(b.period, now).start for b in budgets)])
    matchers = {b.name: ScopeMatcher(b.scope) for b in budgets}
    groups = _groups(lake, matchers, start, now, "day", owners)
    days = sorted({group.bucket.date() for group in groups})
    matched: dict[str, dict[date, Decimal]] = {b.name: {} for b in budgets}
    for group in groups:
        day = group.bucket.date()
        for budget in budgets:
            amount = group.amount(budget)
            if amount is not None and matchers[budget.name].matches(group.subject):
                spent = matched[budget.name]
                spent[day] = spent.get(day, Decimal(0)) + amount
    return {name: _zero_filled(spent, days) for name, spent in matched.items()}


def _zero_filled(spent: Mapping[date, Decimal], days: Sequence[date]) -> dict[date, Decimal]:
    """`spent` on each of `days` from its first day on, zero where it has none."""
    if not spent:
        return {}
    first = min(spent)
    return {day: spent.get(day, Decimal(0)) for day in days if day >= first}


def _groups(
    lake: Lake,
    matchers: Mapping[str, ScopeMatcher],
    start: datetime,
    end: datetime,
    grain: Grain,
    owners: OwnerTags | None = None,
) -> list[Group]:
    """Rows charged in [start, end) grouped by what `matchers` look at, per `grain`."""
    tag_keys = sorted({key for m in matchers.values() for key in m.tags})
    ai = has_ai_columns(lake)
    rows = scan(lake, (*COLUMNS, *AI_COLUMNS) if ai else COLUMNS, start, end)
    found = query(rows, _group_sql(len(tag_keys), grain, ai), _params(tag_keys))
    return _subjects(found, tag_keys, owners)


def _group_sql(tag_count: int, grain: Grain, ai: bool) -> str:
    tags = "".join(
        f", lower(list_filter(map_entries(x_TagsMap), lambda e: {CANONICAL_KEY_SQL} = $tag{i})"
        f"[1].value) AS tag{i}"
        for i in range(tag_count)
    )
    return f"""
        SELECT ProviderName AS provider_name, SubAccountId AS account, RegionId AS region,
               {STEM_SQL} AS stem, BillingCurrency AS currency,
               date_trunc('{grain}', ChargePeriodStart) AS bucket{tags},
               {AI_GROUP_SQL if ai else NO_AI_SQL}
               sum(EffectiveCost) AS cost, {TOKENS_SQL if ai else "NULL"} AS tokens,
               max(ChargePeriodEnd) AS through
        FROM focus
        GROUP BY ALL
    """


def _params(tag_keys: Sequence[str]) -> dict[str, Any]:
    return {f"tag{i}": key for i, key in enumerate(tag_keys)}


def _subjects(groups: pa.Table, tag_keys: Sequence[str], owners: OwnerTags | None) -> list[Group]:
    providers = provider_keys(groups["provider_name"].combine_chunks()).to_pylist()
    rows = groups.to_pylist()
    return [
        _group(provider, row, tag_keys, owners)
        for provider, row in zip(providers, rows, strict=True)
    ]


def _group(
    provider: str | None, row: dict[str, Any], tag_keys: Sequence[str], owners: OwnerTags | None
) -> Group:
    vendor = row["vendor"]
    provider = provider or (
        VENDOR_PROVIDER[AiVendor(vendor)].value if vendor in VENDOR_PROVIDER else ""
    )
    api_key = row["api_key"] or ""
    subject = Subject(
        provider=provider,
        account=row["account"] or "",
        region=row["region"] or "",
        resource_type=ai_resource_type(provider, api_key, type_of_stem(row["stem"])),
        tags={k: v for i, k in enumerate(tag_keys) if (v := row[f"tag{i}"]) is not None},
        model=row["model"] or "",
        api_key=api_key,
    )
    if owners is not None:
        attributed = owners(subject, row["resource"] or api_key, row["principal"] or "")
        missing = {k: v for k, v in attributed.items() if k in tag_keys and k not in subject.tags}
        if missing:
            subject = replace(subject, tags={**subject.tags, **missing})
    return Group(
        subject,
        row["currency"],
        row["bucket"],
        row["cost"],
        row["tokens"] or Decimal(0),
        row["through"],
    )


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

    def add(self, group: Group) -> None:
        for budget in self.budgets:
            name = budget.name
            amount = group.amount(budget)
            if (
                amount is None
                or not self.windows[name].contains(group.bucket)
                or not self.matchers[name].matches(group.subject)
            ):
                continue
            self.actual[name] += amount
            seen = min(group.through, self.now)
            if name not in self.through or seen > self.through[name]:
                self.through[name] = seen
