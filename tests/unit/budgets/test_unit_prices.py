"""Unit prices: what the lake learned beats the shipped sheet; the sheet beats nothing."""

from __future__ import annotations

import copy
import csv
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from costplane.budgets.prices import (
    FALLBACK_SHEET,
    LearnedPrices,
    PriceBook,
    PriceRow,
    PriceTable,
    Quote,
    fallback_sheet,
)
from costplane.budgets.sizing import Sizing, price_region, sizing
from tests.unit.budgets.budget_support import learned, real_events

RUN_M3 = "aws/aws-cloudtrail-ec2-runinstances-iamuser-record.json"
RUN_T3A = "aws/aws-cloudtrail-ec2-runinstances-with-tagspecificationset-record.json"
CREATE_DB = "aws/aws-cloudtrail-rds-createdbinstance-record.json"
INSERT_GCE = "gcp/gcp-auditlog-compute-instances-insert-logentry.json"


def _book(*rows: tuple[str, str, str, str]) -> PriceBook:
    return PriceBook(learned(*rows), fallback_sheet())


def test_the_sheet_is_small_positive_and_says_where_each_price_comes_from() -> None:
    text = FALLBACK_SHEET.read_text()
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert 50 <= len(rows) <= 100
    assert all(Decimal(r["unit_price"]) > 0 for r in rows)
    assert {r["source"] for r in rows} <= {
        word for line in header.splitlines() for word in line.split()
    }
    assert {r["provider"] for r in rows} == {"aws", "azure", "gcp"}
    assert len({(r["provider"], r["region"], r["sku"]) for r in rows}) == len(rows)


def test_a_lake_price_beats_the_sheet_for_the_same_sku_and_region() -> None:
    book = _book(("aws", "us-east-1", "g5.4xlarge", "2.00"))
    assert book.unit_price("aws", "g5.4xlarge", "us-east-1") == Quote(
        Decimal("2.00"), "USD", "lake"
    )
    assert fallback_sheet().quote("aws", "g5.4xlarge", "us-east-1") == Quote(
        Decimal("1.624"), "USD", "sheet"
    )


def test_the_sheet_answers_for_a_region_the_lake_has_not_seen() -> None:
    book = _book(("aws", "eu-west-2", "m5.large", "0.111"))
    assert book.unit_price("aws", "m5.large", "us-east-1") == Quote(
        Decimal("0.096"), "USD", "sheet"
    )


def test_without_a_region_the_highest_known_price_is_used() -> None:
    book = _book(
        ("aws", "eu-west-2", "m5.large", "0.111"), ("aws", "us-east-1", "m5.large", "0.09")
    )
    assert book.unit_price("aws", "m5.large", None) == Quote(
        Decimal("0.111"), "USD", "lake", exact=False
    )


def test_an_unknown_sku_has_no_price() -> None:
    assert _book().unit_price("aws", "x9.mega", "us-east-1") is None


def test_runinstances_is_priced_by_its_instance_type_and_region() -> None:
    [m3] = real_events(RUN_M3)
    [t3a] = real_events(RUN_T3A)
    assert sizing(m3) == Sizing("m3.medium")
    assert _book().hourly_cost(m3) == Decimal("0.067")
    assert _book().hourly_cost(t3a) == Decimal("0.0094")


def test_the_instance_type_in_the_response_wins_over_the_request() -> None:
    [event] = real_events(RUN_M3)
    raw = {**event.raw, "requestParameters": {**event.raw["requestParameters"]}}
    raw["requestParameters"]["instanceType"] = "t3.micro"
    assert sizing(event.model_copy(update={"raw": raw})) == Sizing("m3.medium")


def test_a_database_is_priced_by_its_class_and_multi_az_bills_two() -> None:
    [single] = real_events(CREATE_DB)
    raw = {**single.raw, "requestParameters": {**single.raw["requestParameters"], "multiAZ": True}}
    multi = single.model_copy(update={"raw": raw})
    assert _book().hourly_cost(single) == Decimal("0.017")
    assert _book().hourly_cost(multi) == Decimal("0.034")


def test_a_gce_instance_is_priced_by_its_machine_type() -> None:
    [event] = real_events(INSERT_GCE)
    assert sizing(event) == Sizing("e2-micro")
    assert _book().quote(event) == Quote(Decimal("0.008378"), "USD", "sheet", exact=True)


def test_a_gce_zone_is_priced_at_its_region() -> None:
    [event] = real_events(INSERT_GCE, region="us-central1-a")
    assert price_region(event) == "us-central1"
    assert _book().quote(event) == Quote(Decimal("0.008378"), "USD", "sheet")


@pytest.mark.parametrize(
    "relative",
    [
        "aws/aws-cloudtrail-sagemaker-createendpoint-record.json",
        "aws/aws-cloudtrail-s3-createbucket-eventbridge.json",
        "aws/aws-cloudtrail-ec2-terminateinstances-autoscaling-record.json",
    ],
)
def test_events_that_do_not_say_a_size_have_no_hourly_cost(relative: str) -> None:
    [event] = real_events(relative)
    assert _book().hourly_cost(event) is None


def test_an_azure_vm_is_priced_by_its_size_when_the_event_carries_it() -> None:
    write = "azure/azure-eventgrid-resourcegroup-resourcewritesuccess.json"
    [event] = real_events(write, resource_type="azure.compute.virtualmachine")
    assert sizing(event) is None  # Event Grid does not say the size ...
    raw = copy.deepcopy(event.raw)
    raw["data"]["properties"] = {"hardwareProfile": {"vmSize": "Standard_D2s_v3"}}
    sized = event.model_copy(update={"raw": raw})
    assert sizing(sized) == Sizing("Standard_D2s_v3")  # ... unless it carries the resource
    assert _book().quote(sized) == Quote(Decimal("0.096"), "USD", "sheet", exact=False)


def test_learned_prices_are_learned_again_once_they_are_six_hours_old() -> None:
    learned_at: list[datetime] = []
    now = [datetime(2026, 11, 21, 9, tzinfo=UTC)]

    def learn(at: datetime) -> PriceTable:
        learned_at.append(at)
        return PriceTable.of(
            "lake", [PriceRow("aws", "us-east-1", "m5.large", Decimal(len(learned_at)), "USD")]
        )

    prices = LearnedPrices(learn, lambda: now[0])
    quotes = []
    for hours in (0, 1, 5, 6, 7):
        now[0] = datetime(2026, 11, 21, 9 + hours, tzinfo=UTC)
        quotes.append(prices.quote("aws", "m5.large", "us-east-1"))

    assert [q.price for q in quotes if q] == [1, 1, 1, 2, 2]
    assert [at.hour for at in learned_at] == [9, 15]
