"""Actual-to-date per budget: the sum of EffectiveCost over the budget's scope and period.

One DuckDB aggregation over the lake groups the period's rows by what scopes look at
(provider, account, region, resource-type stem, currency, month and the tag values budgets
name); each budget then adds up the groups its scope matches. Rows are never visited in
Python, only groups, whose number is bounded by accounts x regions x types x months.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from costplane.budgets.lake_reads import query, scan
from costplane.budgets.lake_types import STEM_SQL, type_of_stem
from costplane.budgets.model import Budget
from costplane.budgets.periods import Window, window
from costplane.budgets.scopes import ScopeMatcher, Subject
from costplane.focus.services import provider_keys
from costplane.lake.table import Lake

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


@dataclass(frozen=True, slots=True)
class LakeSpend:
    """What the lake says per budget: `actual` spend, and `through` when the rows end."""

    actual: Mapping[str, Decimal]
    through: Mapping[str, datetime] = field(default_factory=dict)


def lake_spend(lake: Lake, budgets: Sequence[Budget], now: datetime) -> LakeSpend:
    windows = {b.name: window(b.period, now) for b in budgets}
    start = min(w.start for w in windows.values())
    end = max(w.end for w in windows.values())
    matchers = {b.name: ScopeMatcher(b.scope) for b in budgets}
    tag_keys = sorted({key for m in matchers.values() for key in m.tags})
    groups = query(scan(lake, COLUMNS, start, end), _group_sql(len(tag_keys)), _params(tag_keys))
    totals = _Totals(budgets, windows, matchers, now)
    for subject, currency, month, cost, through in _subjects(groups, tag_keys):
        totals.add(subject, currency, month, cost, through)
    return LakeSpend(totals.actual, totals.through)


def _group_sql(tag_count: int) -> str:
    tags = "".join(
        f", lower(list_filter(map_entries(x_TagsMap), lambda e: {CANONICAL_KEY_SQL} = $tag{i})"
        f"[1].value) AS tag{i}"
        for i in range(tag_count)
    )
    return f"""
        SELECT ProviderName AS provider_name, SubAccountId AS account, RegionId AS region,
               {STEM_SQL} AS stem, BillingCurrency AS currency,
               date_trunc('month', ChargePeriodStart) AS month{tags},
               sum(EffectiveCost) AS cost, max(ChargePeriodEnd) AS through
        FROM focus
        GROUP BY ALL
    """


def _params(tag_keys: Sequence[str]) -> dict[str, Any]:
    return {f"tag{i}": key for i, key in enumerate(tag_keys)}


def _subjects(
    groups: pa.Table, tag_keys: Sequence[str]
) -> list[tuple[Subject, str, datetime, Decimal, datetime]]:
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
            row["month"],
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
