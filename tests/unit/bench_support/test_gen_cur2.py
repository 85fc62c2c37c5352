"""The benchmark's CUR 2.0 bill generator writes bills that aws-cur2 ingests and that reconcile,
in CUR 2.0's documented types, with the real sample's mix of services."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.totals import PeriodTotal, Totals
from tests.bench.gen_cur2 import SAMPLE, generate
from tests.conftest import in_place

ROWS = 20_000
ROW_GROUP = 6_000
HALF_CENT = Decimal("0.005")
DOCUMENTED_COLUMNS = "aws/cur2_columns.csv"  # AWS documentation, licence not stated: read in place


@pytest.fixture(scope="module")
def bill(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cur2") / "bill.parquet"
    generate(path, ROWS, seed=3, row_group_rows=ROW_GROUP)
    return path


@pytest.fixture(scope="module")
def source(bill: Path) -> pa.Table:
    return pq.read_table(bill)


@pytest.fixture(scope="module")
def totals(bill: Path) -> list[PeriodTotal]:
    totals = Totals()
    for batch in get_normaliser("aws-cur2").batches(bill, ingestion_id="generated"):
        totals.add(batch)
    return totals.result()


def _sum(source: pa.Table, column: str, *line_item_types: str) -> Decimal:
    """The exact sum of a double column (of the rows of the given line item types)."""
    values = source[column]
    if line_item_types:
        kinds = pa.array(line_item_types)
        values = values.filter(pc.is_in(source["line_item_line_item_type"], value_set=kinds))
    return sum((Decimal(v) for v in pc.drop_null(values).to_pylist()), Decimal(0))


def test_every_row_normalises_into_the_one_billing_period(totals: list[PeriodTotal]) -> None:
    [total] = totals
    assert (total.billing_period_start.isoformat(), total.billing_currency, total.rows) == (
        "2023-11-01T00:00:00+00:00",
        "USD",
        ROWS,
    )


def test_billed_cost_is_the_bills_unblended_total(
    totals: list[PeriodTotal], source: pa.Table
) -> None:
    assert abs(totals[0].billed_cost - _sum(source, "line_item_unblended_cost")) < HALF_CENT


def test_effective_cost_spreads_the_commitments_without_losing_any(
    totals: list[PeriodTotal], source: pa.Table
) -> None:
    on_demand = _sum(source, "line_item_unblended_cost", "Usage", "Tax")
    savings_plans = _sum(source, "savings_plan_total_commitment_to_date")
    reservations = _sum(source, "line_item_unblended_cost", "RIFee") + _sum(
        source, "reservation_amortized_upfront_fee_for_billing_period"
    )
    expected = on_demand + savings_plans + reservations
    assert abs(totals[0].effective_cost - expected) < HALF_CENT


def test_commitment_line_item_types_are_all_present(source: pa.Table) -> None:
    assert set(pc.unique(source["line_item_line_item_type"]).to_pylist()) == {
        "Usage",
        "Tax",
        "SavingsPlanCoveredUsage",
        "SavingsPlanNegation",
        "SavingsPlanRecurringFee",
        "DiscountedUsage",
        "RIFee",
        "Fee",
    }


def test_rows_are_written_in_bounded_row_groups(bill: Path) -> None:
    metadata = pq.ParquetFile(bill).metadata
    sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    assert sum(sizes) == ROWS
    assert sizes[:-1] == [ROW_GROUP] * (len(sizes) - 1)
    assert sizes[-1] < 2 * ROW_GROUP


@pytest.mark.read_in_place(DOCUMENTED_COLUMNS)
def test_columns_have_cur2s_documented_types(source: pa.Table) -> None:
    with in_place(DOCUMENTED_COLUMNS).open(newline="") as handle:
        documented = {row["name"]: row["type"] for row in csv.DictReader(handle)}
    kinds = {
        "string": pa.types.is_string,
        "double": pa.types.is_float64,
        "timestamp": pa.types.is_timestamp,
        "map <string, string>": lambda t: t == pa.map_(pa.string(), pa.string()),
        "map <string, double>": lambda t: t == pa.map_(pa.string(), pa.float64()),
    }
    wrong = [f.name for f in source.schema if not kinds[documented[f.name]](f.type)]
    assert (len(source.schema), wrong) == (114, [])


def test_usage_lines_follow_the_real_samples_service_mix(source: pa.Table) -> None:
    real = pacsv.read_csv(SAMPLE)
    real = real.filter(pc.equal(real["lineItem/LineItemType"], "Usage"))["lineItem/ProductCode"]
    usage = source.filter(pc.equal(source["line_item_line_item_type"], "Usage"))
    generated = pc.filter(
        usage["line_item_product_code"], pc.not_equal(usage["line_item_product_code"], "AmazonEC2")
    )

    def shares(codes: pa.ChunkedArray) -> dict[str, float]:
        return {c["values"]: c["counts"] / len(codes) for c in pc.value_counts(codes).to_pylist()}

    expected, got = shares(real), shares(generated)
    assert set(got) == set(expected)
    assert max(abs(got[code] - share) for code, share in expected.items()) < 0.03


def test_the_same_seed_writes_the_same_bill(tmp_path: Path) -> None:
    first, second, other = (tmp_path / f"{name}.parquet" for name in ("a", "b", "c"))
    for path, seed in ((first, 1), (second, 1), (other, 2)):
        generate(path, 4_000, seed=seed)
    assert pq.read_table(first).equals(pq.read_table(second))
    assert not pq.read_table(first).equals(pq.read_table(other))


def test_a_bill_too_small_for_its_closing_rows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        generate(tmp_path / "tiny.parquet", 100, seed=1)
