"""Daily cost per scope from FOCUS record batches, summed with pyarrow before pandas sees it.

A scope is a dimension whose values each get their own series: everything (`total`), a FOCUS
string column (`ServiceCategory`), or a tag (`tag:team`); `=value` keeps one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.allocation.lines import TAGS_MAP, tag_columns
from costplane.billing.allocation.rules import STRING_COLUMNS
from costplane.billing.forecast.errors import ForecastError

if TYPE_CHECKING:
    import pandas as pd

TOTAL = "total"
NO_VALUE = "(none)"
DAY = "ChargePeriodStart"
CURRENCY = "BillingCurrency"
TAG_PREFIX = "tag:"


@dataclass(frozen=True, slots=True)
class Scope:
    dimension: str
    value: str | None = None

    @classmethod
    def parse(cls, text: str) -> Scope:
        """`total`, `ServiceCategory`, `SubAccountId=123`, `tag:team`, `tag:team=payments`."""
        dimension, _, value = text.partition("=")
        if dimension == TAG_PREFIX:
            raise ForecastError("unknown_scope", "a tag scope needs a key, e.g. tag:team")
        if dimension not in (TOTAL, *STRING_COLUMNS) and not dimension.startswith(TAG_PREFIX):
            raise ForecastError(
                "unknown_scope",
                f"unknown scope {dimension!r}: use 'total', 'tag:<key>' or a FOCUS string "
                "column such as ServiceCategory, ServiceName or SubAccountId",
            )
        return cls(dimension, value or None)

    @property
    def tag(self) -> str | None:
        return (
            self.dimension.removeprefix(TAG_PREFIX)
            if self.dimension.startswith(TAG_PREFIX)
            else None
        )

    def columns(self, cost_column: str) -> set[str]:
        """FOCUS columns needed to build this scope's series."""
        own = {TAGS_MAP} if self.tag else set() if self.dimension == TOTAL else {self.dimension}
        return {DAY, CURRENCY, cost_column} | own

    def keys(self, batch: pa.RecordBatch) -> pa.Array:
        """The scope value of each line; lines without one are grouped as "(none)"."""
        if self.dimension == TOTAL:
            return pa.array([TOTAL] * batch.num_rows, pa.string())
        if self.tag:
            values = tag_columns(batch.column(TAGS_MAP), [self.tag])[self.tag]
        else:
            values = batch.column(self.dimension)
        return pc.fill_null(pc.if_else(pc.equal(values, ""), None, values), NO_VALUE)


def daily_costs(
    batches: Iterable[pa.RecordBatch], scope: Scope, cost_column: str = "EffectiveCost"
) -> pd.DataFrame:
    """Cost per (scope value, currency, day of ChargePeriodStart): columns scope, currency,
    ds, y. Each batch is reduced to its group sums first, so memory follows the groups."""
    partials = []
    for batch in batches:
        if batch.num_rows == 0:
            continue
        keys = scope.keys(batch)
        table = pa.table(
            {
                "scope": keys,
                "currency": batch.column(CURRENCY),
                "ds": pc.floor_temporal(batch.column(DAY), unit="day"),
                "y": batch.column(cost_column),
            }
        )
        if scope.value is not None:
            table = table.filter(pc.equal(table["scope"], scope.value))
        partials.append(table.group_by(["scope", "currency", "ds"]).aggregate([("y", "sum")]))
    if not partials:
        wanted = f"{scope.dimension}={scope.value}" if scope.value else scope.dimension
        raise ForecastError("no_data", f"no bill lines for scope {wanted}")
    summed = (
        pa.concat_tables(partials)
        .group_by(["scope", "currency", "ds"])
        .aggregate([("y_sum", "sum")])
    )
    frame = pa.table(
        {
            "scope": summed["scope"],
            "currency": summed["currency"],
            "ds": pc.cast(pc.local_timestamp(summed["ds"]), pa.timestamp("ns")),
            "y": pc.cast(summed["y_sum_sum"], pa.float64()),
        }
    ).to_pandas()
    return frame.sort_values(["scope", "currency", "ds"], ignore_index=True)
