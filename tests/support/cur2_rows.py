"""CUR 2.0 lines of Amazon Bedrock, one line each, as a CSV file the aws-cur2 source reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

CUR2_BASE = {
    "bill_billing_period_start_date": "2026-04-01T00:00:00.000Z",
    "bill_billing_period_end_date": "2026-05-01T00:00:00.000Z",
    "bill_payer_account_id": "123456789012",
    "bill_invoicing_entity": "Amazon Web Services, Inc.",
    "bill_billing_entity": "AWS",
    "line_item_line_item_type": "Usage",
    "line_item_usage_start_date": "2026-04-16T00:00:00.000Z",
    "line_item_usage_end_date": "2026-04-17T00:00:00.000Z",
    "line_item_currency_code": "USD",
    "line_item_product_code": "AmazonBedrock",
    "line_item_legal_entity": "Amazon Web Services, Inc.",
    "line_item_usage_account_id": "123456789012",
    "line_item_usage_amount": "1",
    "line_item_unblended_cost": "0.01",
    "product_region_code": "us-east-1",
    "pricing_unit": "1K tokens",
    "resource_tags": "{}",
}


def cur2_file(path: Path, rows: list[dict[str, str]]) -> Path:
    """The rows as a CUR 2.0 CSV file: CUR2_BASE with each row's own columns over it."""
    pacsv.write_csv(pa.Table.from_pylist([{**CUR2_BASE, **row} for row in rows]), path)
    return path


def bedrock_bill(root: Path, day: str, thousands: str, **columns: str) -> Path:
    """A CUR 2.0 of account 644160558196 with one Bedrock line on `day` (`thousands` of
    Claude Sonnet 4.6 input tokens unless `columns` say otherwise), in its month's bill."""
    start = datetime.fromisoformat(f"{day}T00:00:00+00:00")
    month = start.replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)

    def text(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    line = {
        "bill_billing_period_start_date": text(month),
        "bill_billing_period_end_date": text(following),
        "line_item_usage_start_date": text(start),
        "line_item_usage_end_date": text(start + timedelta(days=1)),
        "line_item_usage_account_id": "644160558196",
        "line_item_usage_type": "USE1-Claude4.6Sonnet-input-tokens",
        "line_item_usage_amount": thousands,
        **columns,
    }
    return cur2_file(root / "cur2.csv", [line])
