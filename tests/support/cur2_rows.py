"""CUR 2.0 lines of Amazon Bedrock, one line each, as a CSV file the aws-cur2 source reads."""

from __future__ import annotations

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
