"""What `costplane ingest` tells a person about what it wrote."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from costplane.billing.lake.totals import PeriodTotal
from costplane.billing.lake.writer import FileOutcome, IngestReport
from costplane.cli.ingest import render


def report(*starts: datetime) -> IngestReport:
    return IngestReport(
        ingestion_id="i",
        source="gcp-billing",
        snapshot_id=1234567890123456789,
        files=[FileOutcome(path="x.ndjson", sha256="0", status="ingested", rows=len(starts))],
        totals=[
            PeriodTotal(
                billing_period_start=start,
                billing_currency="USD",
                rows=1,
                billed_cost=Decimal("1234.5"),
                effective_cost=Decimal("1234.5"),
            )
            for start in starts
        ],
    )


def test_rows_dated_1970_are_warned_about(capsys: pytest.CaptureFixture[str]) -> None:
    render(report(datetime(1970, 1, 1, tzinfo=UTC)))
    assert "1 rows are dated 1970-01: their file has no usable billing dates" in " ".join(
        capsys.readouterr().err.split()
    )


def test_the_snapshot_id_is_left_to_json_and_money_reads_as_money(
    capsys: pytest.CaptureFixture[str],
) -> None:
    render(report(datetime(2024, 9, 1, tzinfo=UTC), datetime(2024, 10, 1, tzinfo=UTC)))
    out = " ".join(capsys.readouterr().out.split())
    assert "1234567890123456789" not in out
    assert "│ 2024-09 │ 1 │ 1,234.50 │ 1,234.50 │" in out
    assert "│ total │ 2 │ 2,469.00 │ 2,469.00 │" in out
