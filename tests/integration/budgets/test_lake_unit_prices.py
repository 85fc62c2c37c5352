"""Unit prices learned from the lake: per SKU and region, the latest compute row's contracted
price, else its list price, else EffectiveCost / ConsumedQuantity; and they beat the sheet.

The first tests ingest the real FOCUS 1.0 sample (CC-BY-4.0, tests/data/focus) through the
FOCUS-file normaliser, as `costplane ingest` would.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from costplane.adapters.lake.budget_prices import learn_prices
from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.table import Lake, open_lake
from costplane.billing.lake.writer import ingest
from costplane.budgets.prices import PriceBook, PriceTable, Quote, fallback_sheet
from tests.conftest import TEST_DATA
from tests.integration.budgets.conftest import Charge, at
from tests.unit.budgets.budget_support import real_events

SAMPLE = TEST_DATA / "focus" / "focus" / "focus_1.0_sample_1000rows_aws_azure_oci.csv"
SEPTEMBER_2024 = (datetime(2024, 9, 1, tzinfo=UTC), datetime(2024, 10, 1, tzinfo=UTC))
NOVEMBER_2026 = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def sample_prices(tmp_path_factory: pytest.TempPathFactory) -> PriceTable:
    lake = open_lake(Path(tmp_path_factory.mktemp("sample")) / "lake")
    ingest(lake, get_normaliser("focus"), [SAMPLE])
    return learn_prices(lake, *SEPTEMBER_2024)


def test_ec2_prices_are_learned_per_instance_type_and_region(sample_prices: PriceTable) -> None:
    assert sample_prices.quote("aws", "m5.2xlarge", "eu-west-2") == Quote(
        Decimal("0.444"), "USD", "lake"
    )
    assert sample_prices.quote("aws", "m5.2xlarge", "ap-south-1") == Quote(
        Decimal("0.404"), "USD", "lake"
    )


def test_a_contracted_price_is_preferred_to_the_list_price(sample_prices: PriceTable) -> None:
    # the sample's g5.4xlarge rows: ListUnitPrice 1.624, ContractedUnitPrice 2
    assert sample_prices.quote("aws", "g5.4xlarge", "us-east-1") == Quote(Decimal(2), "USD", "lake")


def test_azure_vm_meters_are_learned_for_each_size_they_name(sample_prices: PriceTable) -> None:
    # "Virtual Machines Dv2/DSv2 Series - D11 v2/DS11 v2 - US East 2", ContractedUnitPrice 0.149
    for size in ("Standard_D11_v2", "Standard_DS11_v2"):
        assert sample_prices.quote("azure", size, "eastus2") == Quote(
            Decimal("0.149"), "USD", "lake"
        )


def test_the_learned_price_beats_the_sheet_when_pricing_an_event(
    sample_prices: PriceTable,
) -> None:
    [event] = real_events(
        "aws/aws-cloudtrail-ec2-runinstances-iamuser-record.json", region="us-east-1"
    )
    raw = {**event.raw, "responseElements": {}, "requestParameters": {"instanceType": "g5.4xlarge"}}
    g5 = event.model_copy(update={"raw": raw})
    assert PriceBook(sample_prices, fallback_sheet()).quote(g5) == Quote(Decimal(2), "USD", "lake")
    assert PriceBook(PriceTable("lake"), fallback_sheet()).quote(g5) == Quote(
        Decimal("1.624"), "USD", "sheet"
    )


def test_effective_cost_per_hour_prices_rows_without_unit_prices(
    lake: Lake, charge: Callable[..., None]
) -> None:
    charge(
        Charge(
            "0.90",
            at(3),
            description="$0.10 per On Demand Linux c6i.large Instance Hour",
            quantity="10",
            unit="Hours",
        )
    )
    assert learn_prices(lake, *NOVEMBER_2026).quote("aws", "c6i.large", "us-east-1") == Quote(
        Decimal("0.09"), "USD", "lake"
    )


def test_the_latest_row_sets_the_price(lake: Lake, charge: Callable[..., None]) -> None:
    line = "$0.096 per On Demand Linux m5.large Instance Hour"
    charge(
        Charge("1", at(2), description=line, list_price="0.096", unit="Hours"),
        Charge("1", at(9), description=line, contracted_price="0.0864", unit="Hours"),
    )
    assert learn_prices(lake, *NOVEMBER_2026).quote("aws", "m5.large", "us-east-1") == Quote(
        Decimal("0.0864"), "USD", "lake"
    )


def test_windows_and_spot_meters_are_not_linux_prices(
    lake: Lake, charge: Callable[..., None]
) -> None:
    charge(
        Charge(
            "1",
            at(2),
            provider="Microsoft",
            region="eastus",
            description="Virtual Machines DSv3 Series Windows - D2s v3 - US East",
            list_price="0.188",
            unit="Hours",
        ),
        Charge(
            "1",
            at(2),
            provider="Microsoft",
            region="eastus",
            description="Virtual Machines DSv3 Series - D2s v3 Spot - US East",
            list_price="0.0192",
            unit="Hours",
        ),
    )
    assert learn_prices(lake, *NOVEMBER_2026).quote("azure", "Standard_D2s_v3", "eastus") is None


def test_rows_that_are_not_hourly_teach_no_price(lake: Lake, charge: Callable[..., None]) -> None:
    line = "$0.096 per On Demand Linux m5.large Instance Hour"
    charge(Charge("1", at(2), description=line, list_price="0.096", unit="GB-Months"))
    assert learn_prices(lake, *NOVEMBER_2026).quote("aws", "m5.large", "us-east-1") is None
