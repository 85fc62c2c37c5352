"""Calendar arithmetic on UTC timestamp arrays (billing months, day-long charge periods)."""

from __future__ import annotations

from datetime import timedelta

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus.columns import TIMESTAMP

ONE_DAY = pa.scalar(timedelta(days=1), pa.duration("us"))


def month_start(moments: pa.Array) -> pa.Array:
    return pc.cast(pc.floor_temporal(moments, unit="month"), TIMESTAMP)


def next_month_start(moments: pa.Array) -> pa.Array:
    """The first instant of the month after each moment's month."""
    return pc.cast(
        pc.ceil_temporal(month_start(moments), unit="month", ceil_is_strictly_greater=True),
        TIMESTAMP,
    )


def next_day(moments: pa.Array) -> pa.Array:
    return pc.cast(pc.add(moments, ONE_DAY), TIMESTAMP)


def month_of(text: pa.Array) -> pa.Array:
    """`YYYYMM` strings (GCP invoice months) as the first instant of that month."""
    return pc.cast(
        pc.strptime(pc.binary_join_element_wise(text, "01", ""), "%Y%m%d", "us"), TIMESTAMP
    )
