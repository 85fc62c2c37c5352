"""Azure's actual and amortized exports of one month become one FOCUS dataset in the lake,
whichever order they arrive in: BilledCost and purchases from the actual export,
EffectiveCost from the amortized one (the real EA samples of 2023-09)."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.conflicts import IngestRefused
from costplane.billing.lake.query import sql
from costplane.billing.lake.table import Lake
from costplane.billing.lake.writer import ingest
from tests.conftest import TEST_DATA

ACTUAL = TEST_DATA / "focus" / "azure" / "ea_actual_cost_small.csv"
AMORTIZED = TEST_DATA / "focus" / "azure" / "ea_amortized_cost_small.csv"
COMMITMENTS = ("Reservation", "SavingsPlan")
SUMS = (
    "SELECT count(*) AS n, sum(BilledCost) AS billed, sum(EffectiveCost) AS effective,"
    " count(*) FILTER (WHERE ChargeCategory = 'Purchase') AS purchases FROM focus"
)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as stream:
        return list(csv.DictReader(stream))


def cost(row: dict[str, str]) -> Decimal:
    """As the lake holds it: decimal(38, 10)."""
    return Decimal(row["Cost"]).quantize(Decimal("1e-10"))


def expected() -> dict[str, object]:
    """Straight from the two CSVs: the amortized export's rows, plus the actual export's
    commitment purchases; billed is what is not covered by a commitment plus purchases."""
    amortized = rows(AMORTIZED)
    bought = [
        r
        for r in rows(ACTUAL)
        if r["ChargeType"] == "Purchase" and r["PricingModel"] in COMMITMENTS
    ]
    on_demand = [r for r in amortized if r["PricingModel"] not in COMMITMENTS]
    return {
        "n": len(amortized) + len(bought),
        "billed": sum(cost(r) for r in on_demand + bought),
        "effective": sum(cost(r) for r in amortized),
        "purchases": len(bought),
    }


@pytest.mark.parametrize(
    "deliveries",
    [
        [[ACTUAL], [AMORTIZED]],
        [[AMORTIZED], [ACTUAL]],
        [[ACTUAL, AMORTIZED]],
        [[AMORTIZED, ACTUAL]],
    ],
    ids=["actual-then-amortized", "amortized-then-actual", "together", "together-reversed"],
)
def test_both_exports_make_one_dataset_whatever_the_order(lake: Lake, deliveries):
    for files in deliveries:
        ingest(lake, get_normaliser("azure-ea"), files)
    assert sql(lake, SUMS).to_pylist() == [expected()]


def test_either_export_delivered_again_keeps_the_combination(lake: Lake, tmp_path):
    azure = get_normaliser("azure-ea")
    ingest(lake, azure, [ACTUAL, AMORTIZED])
    for i, again in enumerate((AMORTIZED, ACTUAL, AMORTIZED)):
        copy = Path(shutil.copy(again, tmp_path / f"{i}-{again.name}"))
        assert ingest(lake, azure, [copy]).files[0].status == "ingested"
        assert sql(lake, SUMS).to_pylist() == [expected()]


def test_the_second_export_reports_the_rows_it_keeps_and_leaves_out(lake: Lake):
    azure = get_normaliser("azure-ea")
    ingest(lake, azure, [AMORTIZED])
    report = ingest(lake, azure, [ACTUAL])
    assert report.replaced is not None
    assert (report.replaced.kept, report.replaced.files) == (len(rows(AMORTIZED)), [])
    (actual,) = report.files
    assert (actual.rows, actual.left_out) == (1, len(rows(ACTUAL)) - 1)


def test_a_file_without_commitments_among_both_exports_is_refused(lake: Lake, tmp_path):
    on_demand = [r for r in rows(ACTUAL) if r["PricingModel"] == "OnDemand"]
    neutral = tmp_path / "part-without-commitments.csv"
    with neutral.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(on_demand[0]))
        writer.writeheader()
        writer.writerows(on_demand[:3])
    with pytest.raises(IngestRefused, match="ingest each export on its own") as refused:
        ingest(lake, get_normaliser("azure-ea"), [ACTUAL, AMORTIZED, neutral])
    assert refused.value.code == "ambiguous_azure_dataset"
    assert lake.focus.refresh().current_snapshot() is None
