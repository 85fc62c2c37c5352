"""Every real bill sample reconciles: the normalised BilledCost (and EffectiveCost where the
source states one) sums, per billing period and currency, to the source file's own total to
the cent. Source totals are computed here independently, with csv/json and Decimal."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from costplane.billing.focus.errors import BillFileError
from costplane.billing.focus.registry import Normaliser
from costplane.billing.focus.sources import get_normaliser
from costplane.billing.focus.sources.focus_files import FocusFileNormaliser
from tests.conftest import TEST_DATA, in_place, read_in_place_marks

DATA = TEST_DATA / "focus"
CENT = Decimal("0.01")
Key = tuple[str, str]
Totals = dict[Key, Decimal]

EXAMPLE_DEFAULTS = {
    "BillingAccountId": "example-account",
    "BillingCurrency": "USD",
    "InvoiceIssuerName": "Example Provider",
    "ProviderName": "Example Provider",
    "ServiceName": "Example Service",
}
"""The spec's illustrative examples omit identifying columns; they do not affect totals."""

SPEC_EXAMPLES_WITH_AN_IMPOSSIBLE_TIME = {
    "commitment_discount_purchase_scenario_2.csv": 3,
    "commitment_discount_purchase_scenario_3.csv": 4,
}
"""Rows whose ChargePeriodEnd is '2023-02-01T30:00:00Z' (hour 30) in FOCUS_Spec v1.2."""


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from (row for row in csv.DictReader(handle) if any(row.values()))


def _amount(text: str | None) -> Decimal:
    return Decimal(0) if text in (None, "", "null", "NULL") else Decimal(text)


def _sum(rows: Iterator[tuple[Key, Decimal]]) -> Totals:
    totals: Totals = defaultdict(Decimal)
    for key, amount in rows:
        totals[key] += amount
    return dict(totals)


def aws_cur_billed(path: Path) -> Totals:
    return _sum(
        (
            (r["bill/BillingPeriodStartDate"][:7], r["lineItem/CurrencyCode"]),
            _amount(r["lineItem/UnblendedCost"]),
        )
        for r in _rows(path)
    )


def _azure_month(row: dict[str, str]) -> str:
    return datetime.strptime(row["BillingPeriodStartDate"], "%m/%d/%Y").strftime("%Y-%m")


def _azure_commitment_usage(row: dict[str, str]) -> bool:
    covered = row["ChargeType"] == "Usage" and row["PricingModel"] in ("Reservation", "SavingsPlan")
    return covered or row["ChargeType"] in ("UnusedReservation", "UnusedSavingsPlan")


def azure_billed(path: Path) -> Totals:
    """Azure bills everything at Cost except usage a commitment covers (paid by the purchase)."""
    return _sum(
        ((_azure_month(r), r["BillingCurrency"]), _amount(r["Cost"]))
        for r in _rows(path)
        if not _azure_commitment_usage(r)
    )


def azure_amortized(path: Path) -> Totals:
    return _sum(((_azure_month(r), r["BillingCurrency"]), _amount(r["Cost"])) for r in _rows(path))


def oci_billed(path: Path) -> Totals:
    return _sum(
        ((r["lineItem/intervalUsageStart"][:7], r["cost/currencyCode"]), _amount(r["cost/myCost"]))
        for r in _rows(path)
    )


def gcp_billed(path: Path) -> Totals:
    """cost plus every credit, per invoice month: what the invoice charges."""

    def amounts() -> Iterator[tuple[Key, Decimal]]:
        for line in path.read_text().splitlines():
            record = json.loads(line, parse_float=Decimal)
            month = record["invoice"]["month"]
            key = (f"{month[:4]}-{month[4:]}", record["currency"])
            yield key, Decimal(str(record["cost"]))
            for credit in record["credits"]:
                yield key, Decimal(str(credit["amount"]))

    return _sum(amounts())


def focus_column(column: str) -> Callable[[Path], Totals]:
    def totals(path: Path) -> Totals:
        return _sum(
            (
                (r["BillingPeriodStart"][:7], r.get("BillingCurrency") or "USD"),
                _amount(r[column]),
            )
            for r in _rows(path)
        )

    return totals


@dataclass(frozen=True)
class Sample:
    name: str
    source: str
    path: Path
    billed: Callable[[Path], Totals]
    effective: Callable[[Path], Totals] | None = None

    def normaliser(self) -> Normaliser:
        if self.source == "focus-example":
            return FocusFileNormaliser("focus-example", defaults=EXAMPLE_DEFAULTS)
        return get_normaliser(self.source)


def _spec_examples() -> list[Sample]:
    examples = []
    for path in sorted((DATA / "focus").glob("spec_*/*/*.csv")):
        if path.name in SPEC_EXAMPLES_WITH_AN_IMPOSSIBLE_TIME:
            continue
        has_provider = "ProviderName" in path.read_text().splitlines()[0]
        source = "focus" if has_provider else "focus-example"
        examples.append(
            Sample(
                path.stem, source, path, focus_column("BilledCost"), focus_column("EffectiveCost")
            )
        )
    return examples


SAMPLES = [
    Sample(
        "aws-cur-legacy",
        "aws-cur",
        DATA / "aws" / "cur_legacy_anonymized_2023-11_days01-07.csv",
        aws_cur_billed,
    ),
    Sample(
        "azure-ea-actual", "azure-ea", DATA / "azure" / "ea_actual_cost_small.csv", azure_billed
    ),
    Sample(
        "azure-ea-amortized",
        "azure-ea",
        DATA / "azure" / "ea_amortized_cost_small.csv",
        azure_billed,
        azure_amortized,
    ),
    Sample(
        "oci-cost-report",
        "oci",
        DATA / "oci" / "oci_cost_report_2023-11-13_hours05-07.csv",
        oci_billed,
    ),
    Sample(
        "gcp-billing-export",
        "gcp-billing",
        in_place("gcp/bigquery_billing_export_v1_sample.ndjson"),
        gcp_billed,
    ),
    Sample(
        "focus-1.0-sample",
        "focus",
        DATA / "focus" / "focus_1.0_sample_1000rows_aws_azure_oci.csv",
        focus_column("BilledCost"),
        focus_column("EffectiveCost"),
    ),
    *_spec_examples(),
]


def _params(samples: list[Sample]) -> list[pytest.ParameterSet]:
    """One parameter per sample, marked when the sample is read in place from ../shared/data."""
    return [pytest.param(s, id=s.name, marks=read_in_place_marks(s.path)) for s in samples]


def _normalised(sample: Sample) -> pa.Table:
    batches = sample.normaliser().batches(sample.path, ingestion_id="reconcile")
    return pa.Table.from_batches(list(batches))


def _table_totals(table: pa.Table, column: str) -> Totals:
    totals: Totals = defaultdict(Decimal)
    rows = table.select(["BillingPeriodStart", "BillingCurrency", column]).to_pylist()
    for row in rows:
        totals[(row["BillingPeriodStart"].strftime("%Y-%m"), row["BillingCurrency"])] += row[column]
    return dict(totals)


def _to_the_cent(totals: Totals) -> dict[Key, Decimal]:
    return {key: value.quantize(CENT) for key, value in totals.items()}


@pytest.mark.parametrize("sample", _params(SAMPLES))
def test_billed_cost_reconciles_with_the_source_to_the_cent(sample):
    table = _normalised(sample)
    assert table.num_rows > 0
    expected = _to_the_cent(sample.billed(sample.path))
    assert _to_the_cent(_table_totals(table, "BilledCost")) == expected


@pytest.mark.parametrize("sample", _params([s for s in SAMPLES if s.effective]))
def test_effective_cost_reconciles_with_the_amortized_source_to_the_cent(sample):
    table = _normalised(sample)
    assert sample.effective is not None
    expected = _to_the_cent(sample.effective(sample.path))
    assert _to_the_cent(_table_totals(table, "EffectiveCost")) == expected


@pytest.mark.parametrize("name", sorted(SPEC_EXAMPLES_WITH_AN_IMPOSSIBLE_TIME))
def test_spec_example_with_an_impossible_time_is_refused_at_that_cell(name):
    path = DATA / "focus" / "spec_v1.2_examples" / "commitment_discount_scenarios" / name
    normaliser = FocusFileNormaliser("focus-example", defaults=EXAMPLE_DEFAULTS)
    with pytest.raises(BillFileError) as raised:
        list(normaliser.batches(path, ingestion_id="reconcile"))
    assert (raised.value.column, raised.value.row) == (
        "ChargePeriodEnd",
        SPEC_EXAMPLES_WITH_AN_IMPOSSIBLE_TIME[name],
    )
