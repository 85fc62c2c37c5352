"""Azure EA/MCA cost details (actual and amortized) normalise to FOCUS."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pytest

from costplane.billing.focus.sources.azure import azure_name
from tests.conftest import TEST_DATA

ACTUAL = TEST_DATA / "focus" / "azure" / "ea_actual_cost_small.csv"
AMORTIZED = TEST_DATA / "focus" / "azure" / "ea_amortized_cost_small.csv"
GERMAN = {
    "SubscriptionId": "Abonnement-GUID (SubscriptionGuid)",
    "MeterCategory": "Kategorie der Verbrauchseinheit (MeterCategory)",
    "ResourceLocation": "Ressourcenstandort (ResourceLocation)",
    "ConsumedService": "Genutzter Dienst (ConsumedService)",
    "UnitOfMeasure": "Maßeinheit (UnitOfMeasure)",
    "Cost": "Kosten (Cost)",
}
MCA = {
    "Cost": "costInBillingCurrency",
    "BillingCurrency": "billingCurrencyCode",
    "ResourceGroup": "resourceGroupName",
    "Product": "productName",
    "Date": "date",
    "Tags": "tags",
}


def _rewrite_header(source: Path, target: Path, names: dict[str, str]) -> Path:
    """The same rows under another header (what a localised or MCA export writes)."""
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"))))
    rows[0] = [names.get(h, h) for h in rows[0]]
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return target


def _row(table, index):
    return table.slice(index, 1).to_pylist()[0]


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("CostInBillingCurrency", "Cost"),
        ("costInBillingCurrency", "Cost"),
        ("PreTaxCost", "Cost"),
        ("Abonnement-GUID (SubscriptionGuid)", "SubscriptionId"),
        ("\ufeffBillingAccountId", "BillingAccountId"),
        ("billing_currency_code", "BillingCurrency"),
        ("ServiceInfo1", None),
    ],
)
def test_headers_match_whatever_their_case_separators_or_language(header, column):
    assert azure_name(header) == column


def test_actual_export_bills_the_reservation_purchase_and_amortises_it_away(normalise):
    table = normalise("azure-ea", ACTUAL)
    purchase = _row(table, 0)
    assert purchase["ChargeCategory"] == "Purchase"
    assert purchase["BilledCost"] == Decimal("3.25")
    assert purchase["EffectiveCost"] == 0
    assert purchase["PricingCategory"] == "Standard"
    assert purchase["CommitmentDiscountType"] == "Reservation"


def test_amortized_export_moves_commitment_cost_from_billed_to_effective(normalise):
    table = normalise("azure-ea", AMORTIZED)
    covered = table.filter(pc.equal(table["PricingCategory"], "Committed"))
    assert covered.num_rows == 2
    assert set(covered["BilledCost"].to_pylist()) == {Decimal(0)}
    assert set(covered["CommitmentDiscountStatus"].to_pylist()) == {"Used"}
    assert set(covered["CommitmentDiscountType"].to_pylist()) == {"Reservation", "Savings Plan"}
    assert pc.sum(covered["EffectiveCost"]).as_py() == Decimal("0.4991520005")


def test_us_dates_and_the_inclusive_billing_period_end(normalise):
    row = _row(normalise("azure-ea", ACTUAL), 0)
    assert row["ChargePeriodStart"].isoformat() == "2023-09-21T00:00:00+00:00"
    assert row["ChargePeriodEnd"].isoformat() == "2023-09-22T00:00:00+00:00"
    assert row["BillingPeriodStart"].isoformat() == "2023-09-01T00:00:00+00:00"
    assert row["BillingPeriodEnd"].isoformat() == "2023-10-01T00:00:00+00:00"


def test_block_priced_units_keep_their_block_in_the_pricing_unit(normalise):
    row = _row(normalise("azure-ea", ACTUAL), 1)
    assert (row["PricingUnit"], row["PricingQuantity"]) == ("10000 Units", Decimal("0.0004"))
    assert (row["ConsumedUnit"], row["ConsumedQuantity"]) == ("Units", Decimal(4))
    assert row["ListCost"] == row["ListUnitPrice"] * row["PricingQuantity"]


def test_tags_without_braces_and_services_from_the_toolkit_tables(normalise):
    row = _row(normalise("azure-ea", ACTUAL), 1)
    assert dict(row["x_TagsMap"])["databricks-environment"] == "true"
    assert (row["ServiceName"], row["ServiceCategory"]) == ("Storage Accounts", "Storage")
    assert (row["ResourceType"], row["RegionId"], row["RegionName"]) == (
        "Storage account",
        "eastus2",
        "East US 2",
    )


def test_localised_headers_give_the_same_table(normalise, tmp_path):
    german = _rewrite_header(ACTUAL, tmp_path / "kosten.csv", GERMAN)
    english, localised = normalise("azure-ea", ACTUAL), normalise("azure-ea", german)
    lineage = ["x_SourceFile"]
    assert localised.drop_columns(lineage).equals(english.drop_columns(lineage))


def test_mca_export_is_scoped_to_its_billing_profile(normalise, tmp_path):
    mca = _rewrite_header(ACTUAL, tmp_path / "mca.csv", MCA)
    table = normalise("azure-mca", mca)
    assert set(table["BillingAccountType"].to_pylist()) == {"Billing Profile"}
    assert (
        pc.sum(table["BilledCost"]).as_py()
        == pc.sum(normalise("azure-ea", ACTUAL)["BilledCost"]).as_py()
    )


def test_a_commitment_refund_is_billed_back_and_never_effective(normalise, tmp_path):
    (purchase,) = list(csv.DictReader(io.StringIO(ACTUAL.read_text("utf-8-sig"))))[:1]
    refund = tmp_path / "refund.csv"
    with refund.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(purchase))
        writer.writeheader()
        writer.writerow(purchase | {"ChargeType": "Refund", "Cost": "-3.25"})
    row = _row(normalise("azure-ea", refund), 0)
    assert (row["ChargeCategory"], row["ChargeClass"]) == ("Purchase", "Correction")
    assert (row["BilledCost"], row["EffectiveCost"]) == (Decimal("-3.25"), 0)
