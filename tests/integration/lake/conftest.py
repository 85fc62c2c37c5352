"""FOCUS bills built from the column model, and a normaliser that reads them back.

A "bill" here is an Arrow IPC stream of batches that already have `focus_arrow_schema()`,
so the lake is tested on its own, whatever the real normalisers do. Cutting the file short
gives a genuinely truncated bill: its first batches read fine, then the stream breaks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from costplane.billing.focus.columns import FOCUS_COLUMNS, focus_arrow_schema
from costplane.billing.focus.errors import BillFileError
from costplane.billing.lake.table import Lake, open_lake

SOURCE = "test-bill"


class ArrowStreamNormaliser:
    """Reads a bill written by `write_bill`; a broken stream is a BillFileError."""

    def __init__(self, name: str = SOURCE) -> None:
        self.name = name

    def batches(
        self, path: Path, *, ingestion_id: str, batch_rows: int = 0
    ) -> Iterator[pa.RecordBatch]:
        rows = 0
        try:
            with pa.ipc.open_stream(path) as reader:
                for batch in reader:
                    rows += batch.num_rows
                    yield batch
        except (pa.ArrowInvalid, OSError) as exc:
            raise BillFileError(str(path), str(exc), row=rows + 1, code="truncated") from exc


def period(month: int, year: int = 2024) -> datetime:
    return datetime(year, month, 1, tzinfo=UTC)


def bill_rows(
    rows: int,
    month: int,
    *,
    account: str = "111111111111",
    provider: str = "AWS",
    source: str = SOURCE,
    cost: str = "1.25",
    currency: str = "USD",
    service: str = "Amazon EC2",
) -> pa.RecordBatch:
    """`rows` usage rows of one billing period, every FOCUS column present (most null)."""
    start = period(month)
    end = period(month + 1) if month < 12 else period(1, start.year + 1)
    amount = Decimal(cost)
    base = dict.fromkeys((c.name for c in FOCUS_COLUMNS), None) | {
        "BilledCost": amount,
        "EffectiveCost": amount,
        "ListCost": amount,
        "ContractedCost": amount,
        "BillingAccountId": account,
        "BillingCurrency": currency,
        "BillingPeriodStart": start,
        "BillingPeriodEnd": end,
        "ChargeCategory": "Usage",
        "ChargeFrequency": "Usage-Based",
        "InvoiceIssuerName": provider,
        "ProviderName": provider,
        "PublisherName": provider,
        "ServiceProviderName": provider,
        "ServiceCategory": "Compute",
        "ServiceName": service,
        "Tags": '{"team":"search"}',
        "x_TagsMap": [("team", "search")],
        "x_SourceName": source,
        "x_SourceFile": "bill",
        "x_IngestionId": "test",
    }
    return pa.RecordBatch.from_pylist(
        [
            base
            | {
                "ChargePeriodStart": start + timedelta(hours=i),
                "ChargePeriodEnd": start + timedelta(hours=i + 1),
                "x_SourceRow": i + 1,
            }
            for i in range(rows)
        ],
        schema=focus_arrow_schema(),
    )


def write_bill(path: Path, *batches: pa.RecordBatch) -> Path:
    with pa.ipc.new_stream(path, focus_arrow_schema()) as writer:
        for batch in batches:
            writer.write_batch(batch)
    return path


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return open_lake(tmp_path / "lake")


@pytest.fixture
def normaliser() -> ArrowStreamNormaliser:
    return ArrowStreamNormaliser()


@pytest.fixture
def rows() -> Callable[..., pa.RecordBatch]:
    """`rows(n, month, account=…, provider=…, cost=…)`: a batch of one billing period."""
    return bill_rows


@pytest.fixture
def bill(tmp_path: Path) -> Callable[..., Path]:
    """`bill(name, *batches)`: write a bill file under tmp_path and return its path."""
    return lambda name, *batches: write_bill(tmp_path / name, *batches)
