"""Which rule claims each bill line, and the cost claimed per group: vectorised, batch by batch.

A line never meets Python: filters become numpy masks, the first matching rule is chosen
with array assignment, and pyarrow's hash aggregation sums the decimal cost per (period,
currency, rule, consumer). Only those group totals, a few per rule, leave this module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pyarrow as pa

from costplane.billing.allocation.errors import AllocationError
from costplane.billing.allocation.lines import TAGS_MAP, LineView, Mask
from costplane.billing.allocation.rules import ByValue, Dimension, Filter, LakeMetric, Rule, RuleSet

UNCLAIMED = -1
PERIOD = "BillingPeriodStart"
CURRENCY = "BillingCurrency"

PoolKey = tuple[date, str, int, str | None]
"""(billing period, currency, index of the select rule or UNCLAIMED, consumer value)."""
MetricKey = tuple[date, int, str | None]
"""(billing period, index of the lake metric, consumer value or None when the line has none)."""
OverlapKey = tuple[int, int, str]
"""(first rule, second rule, currency) of lines that both rules select."""


def filter_mask(where: Filter, view: LineView) -> Mask:
    """The lines `where` selects."""
    mask = np.ones(view.rows, dtype=bool)
    for column, values in where.where.items():
        mask &= view.isin(Dimension(column=column), values)
    for key, wanted in where.tags.items():
        tag = Dimension(tag=key)
        mask &= view.has_value(tag) if wanted == "*" else view.isin(tag, wanted)
    for key in where.untagged:
        mask &= ~view.has_value(Dimension(tag=key))
    if where.exclude is not None:
        mask &= ~filter_mask(where.exclude, view)
    return mask


def lake_metrics(rules: RuleSet) -> list[LakeMetric]:
    metrics: list[LakeMetric] = []
    for rule in rules.rules:
        metric = getattr(rule.distribute, "metric", None)
        if isinstance(metric, LakeMetric) and metric not in metrics:
            metrics.append(metric)
    return metrics


def required_columns(rules: RuleSet) -> set[str]:
    """Every column the scan reads, so a lake scan can project just these."""
    columns = {rules.cost_column, CURRENCY, PERIOD}
    for rule in rules.rules:
        if rule.select is not None:
            columns |= rule.select.columns
        if isinstance(rule.distribute, ByValue):
            columns |= _dimension_columns(rule.distribute.by)
    for metric in lake_metrics(rules):
        columns |= {metric.value, *metric.where.columns, *_dimension_columns(metric.by)}
    return columns


def _dimension_columns(dimension: Dimension) -> set[str]:
    return {TAGS_MAP} if dimension.tag is not None else {dimension.column or ""}


def _tag_keys(rules: RuleSet) -> set[str]:
    keys: set[str] = set()
    for rule in rules.rules:
        if rule.select is not None:
            keys |= rule.select.tag_keys
        if isinstance(rule.distribute, ByValue) and rule.distribute.method == "tag":
            keys.add(rule.distribute.key)
    for metric in lake_metrics(rules):
        keys |= metric.where.tag_keys | ({metric.by.tag} if metric.by.tag else set())
    return keys


@dataclass
class Claims:
    """The scan's result: exact decimal sums per group, never per line."""

    pools: dict[PoolKey, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    metrics: dict[MetricKey, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    overlaps: dict[OverlapKey, tuple[int, Decimal]] = field(default_factory=dict)
    rows: int = 0


class Scan:
    """Feed it record batches of FOCUS lines; `claims` holds what each select rule took."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.selectors: list[Rule] = [r for r in rules.rules if r.select is not None]
        self.metrics = lake_metrics(rules)
        self.columns = required_columns(rules)
        self.tag_keys = _tag_keys(rules)
        self.claims = Claims()

    def add_all(self, batches: Iterable[pa.RecordBatch]) -> Claims:
        for batch in batches:
            self.add(batch)
        return self.claims

    def add(self, batch: pa.RecordBatch) -> None:
        if missing := sorted(self.columns - set(batch.schema.names)):
            raise AllocationError(
                "unknown_column",
                f"the rules read column(s) {', '.join(missing)}, which the bill lines lack",
            )
        if batch.num_rows == 0:
            return
        for column in (PERIOD, CURRENCY):
            if nulls := batch.column(column).null_count:
                raise AllocationError(
                    "incomplete_lines",
                    f"{nulls} bill line(s) have no {column}: their cost has no period or "
                    "currency to be allocated in",
                )
        view = LineView(batch, self.tag_keys)
        period = view.column(PERIOD)  # grouped as is, then floored to its month per group
        first, second = self._first_two_matches(view)
        self.claims.rows += batch.num_rows
        self._add_pools(view, period, first)
        self._add_overlaps(view, first, second)
        for index, metric in enumerate(self.metrics):
            self._add_metric(view, period, index, metric)

    def _first_two_matches(self, view: LineView) -> tuple[np.ndarray, np.ndarray]:
        """Index of the first and second select rule matching each line (UNCLAIMED if none)."""
        first = np.full(view.rows, UNCLAIMED, dtype=np.int32)
        second = np.full(view.rows, UNCLAIMED, dtype=np.int32)
        for index in reversed(range(len(self.selectors))):
            rule = self.selectors[index]
            assert rule.select is not None
            mask = filter_mask(rule.select, view)
            if isinstance(rule.distribute, ByValue):
                mask &= view.has_value(rule.distribute.by)
            lines = np.flatnonzero(mask)  # rules are mostly narrow: index, do not re-scan
            second[lines] = first[lines]
            first[lines] = index
        return first, second

    def _add_pools(self, view: LineView, period: pa.Array, first: np.ndarray) -> None:
        cost = view.column(self.rules.cost_column)
        currency = view.column(CURRENCY)
        keyed = {
            i: rule.distribute.by
            for i, rule in enumerate(self.selectors)
            if isinstance(rule.distribute, ByValue)
        }
        plain = ~np.isin(first, list(keyed))
        self._sum_into(self.claims.pools, period, currency, first, None, cost, plain)
        for index, by in keyed.items():
            self._sum_into(
                self.claims.pools, period, currency, first, view.value(by), cost, first == index
            )

    @staticmethod
    def _sum_into(
        into: dict[PoolKey, Decimal],
        period: pa.Array,
        currency: pa.Array,
        rule: np.ndarray,
        key: pa.Array | None,
        cost: pa.Array,
        rows: Mask,
    ) -> None:
        if not rows.any():
            return
        selection = pa.array(rows)
        table = pa.table(
            {
                "period": period.filter(selection),
                "currency": currency.filter(selection),
                "rule": pa.array(rule[rows]),
                "key": key.filter(selection) if key is not None else pa.nulls(int(rows.sum())),
                "cost": cost.filter(selection),
            }
        )
        grouped = table.group_by(["period", "currency", "rule", "key"]).aggregate([("cost", "sum")])
        for row in grouped.to_pylist():
            into[(_month(row["period"]), row["currency"], row["rule"], row["key"])] += row[
                "cost_sum"
            ] or Decimal(0)

    def _add_overlaps(self, view: LineView, first: np.ndarray, second: np.ndarray) -> None:
        both = second != UNCLAIMED
        if not both.any():
            return
        selection = pa.array(both)
        table = pa.table(
            {
                "first": pa.array(first[both]),
                "second": pa.array(second[both]),
                "currency": view.column(CURRENCY).filter(selection),
                "cost": view.column(self.rules.cost_column).filter(selection),
            }
        )
        grouped = table.group_by(["first", "second", "currency"]).aggregate(
            [("cost", "sum"), ("cost", "count")]
        )
        for row in grouped.to_pylist():
            key = (row["first"], row["second"], row["currency"])
            rows, cost = self.claims.overlaps.get(key, (0, Decimal(0)))
            self.claims.overlaps[key] = (rows + row["cost_count"], cost + (row["cost_sum"] or 0))

    def _add_metric(self, view: LineView, period: pa.Array, index: int, metric: LakeMetric) -> None:
        rows = filter_mask(metric.where, view)
        if not rows.any():
            return
        selection = pa.array(rows)
        table = pa.table(
            {
                "period": period.filter(selection),
                "key": view.value(metric.by).filter(selection),
                "value": view.column(metric.value).filter(selection),
            }
        )
        grouped = table.group_by(["period", "key"]).aggregate([("value", "sum")])
        for row in grouped.to_pylist():
            key = row["key"] or None
            self.claims.metrics[(_month(row["period"]), index, key)] += row["value_sum"] or Decimal(
                0
            )


def _month(value: datetime | date) -> date:
    return date(value.year, value.month, 1)
