"""What the cost_ingest tests share: real bills and their own totals, CUR 2.0 parts built from
the documented columns, and the lake read back with pyiceberg alone.

Source totals are computed from the files with csv/pyarrow and Decimal, independently of the
normalisers; the lake is read through a catalog of the test's own, not the function's.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyiceberg.catalog import Catalog, load_catalog

from tests.conftest import TEST_DATA

CUR_LEGACY = TEST_DATA / "focus" / "aws" / "cur_legacy_anonymized_2023-11_days01-07.csv"
EA_ACTUAL = TEST_DATA / "focus" / "azure" / "ea_actual_cost_small.csv"
FOCUS_SAMPLE = TEST_DATA / "focus" / "focus" / "focus_1.0_sample_1000rows_aws_azure_oci.csv"


CENT = Decimal("0.01")


@dataclass(frozen=True)
class Totals:
    rows: int
    billed: Decimal

    def to_the_cent(self) -> Totals:
        """The lake keeps 10 decimal places (decimal128(38, 10)); some bills state more."""
        return Totals(self.rows, self.billed.quantize(CENT))


def csv_totals(path: Path, cost_column: str) -> Totals:
    """Data rows and the sum of `cost_column`, as the file itself states them."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if any(row.values())]
    return Totals(len(rows), sum((Decimal(r[cost_column] or "0") for r in rows), Decimal(0)))


def cur2_part(
    costs: list[str], *, period: str = "2023-11", account: str = "111111111111", **line: str
) -> bytes:
    """A CUR 2.0 Parquet part (Data Exports' snake_case columns) with one usage line per cost;
    `line` sets columns of every line (an EC2 instance hour unless it says otherwise)."""
    start = f"{period}-01T00:00:00.000Z"
    year, month = map(int, period.split("-"))
    end = f"{year + month // 12}-{month % 12 + 1:02d}-01T00:00:00.000Z"
    rows = [
        {
            "bill_billing_period_start_date": start,
            "bill_billing_period_end_date": end,
            "bill_payer_account_id": account,
            "bill_invoicing_entity": "Amazon Web Services, Inc.",
            "bill_billing_entity": "AWS",
            "line_item_usage_account_id": "222222222222",
            "line_item_line_item_type": "Usage",
            "line_item_usage_start_date": f"{period}-02T0{n % 10}:00:00.000Z",
            "line_item_usage_end_date": f"{period}-02T0{n % 10}:59:59.000Z",
            "line_item_product_code": "AmazonEC2",
            "line_item_usage_type": "BoxUsage:m5.large",
            "line_item_usage_amount": "1",
            "line_item_currency_code": "USD",
            "line_item_unblended_cost": cost,
            "line_item_legal_entity": "Amazon Web Services, Inc.",
            "pricing_unit": "Hrs",
            "resource_tags": [("user_team", "search")],
        }
        | line
        for n, cost in enumerate(costs)
    ]
    schema = pa.schema(
        pa.field(
            name, pa.map_(pa.string(), pa.string()) if name == "resource_tags" else pa.string()
        )
        for name in rows[0]
    )
    table = pa.Table.from_pylist(rows, schema=schema)
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def lake_totals(catalog: Catalog, namespace: str = "costplane") -> Totals:
    """Rows and BilledCost of the FOCUS table's current snapshot (none before a first ingest)."""
    if not catalog.table_exists((namespace, "focus")):
        return Totals(0, Decimal(0))
    table = catalog.load_table((namespace, "focus")).scan().to_arrow()
    billed = pc.sum(table["BilledCost"]).as_py() if table.num_rows else Decimal(0)
    return Totals(table.num_rows, billed)


def csv_halves(path: Path) -> tuple[bytes, bytes]:
    """The file as two parts of one delivery, each with the header, as partitioned exports."""
    header, *rows = path.read_bytes().decode("utf-8-sig").splitlines(keepends=True)
    half = len(rows) // 2
    return (header + "".join(rows[:half])).encode(), (header + "".join(rows[half:])).encode()


def sql_lake(lake: Path) -> Catalog:
    """The embedded lake's SQLite catalog (its rows are keyed by the catalog's name)."""
    return load_catalog(
        "costplane",
        type="sql",
        uri=f"sqlite:///{lake.resolve() / 'catalog.db'}",
        warehouse=(lake.resolve() / "warehouse").as_uri(),
    )
