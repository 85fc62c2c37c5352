"""Cloud budget notifications: malformed ones are rejected with a stable code and a precise
reason; readable ones raise the actual (or forecast) of the budgets they report on."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson
import pytest

import costplane.adapters.aws.budget_signals
import costplane.adapters.azure.budget_signals
import costplane.adapters.gcp.budget_signals  # noqa: F401  (register the parsers)
from costplane.adapters.signal_fields import money
from costplane.budgets.ports import LakeSpend
from costplane.domain.errors import EventRejected
from costplane.domain.events import Provider
from costplane.domain.signals import BudgetSignal, SpendBasis
from tests.conftest import EVENTS
from tests.support.signals import parse_signal
from tests.unit.budgets.budget_support import NOW, budgets, make_service, real_document

AZURE_COMMON = EVENTS / "azure" / "azure-budget-alert-commonalertschema-actual-cost.json"
GCP_DATA = EVENTS / "gcp" / "gcp-billing-budget-notification-message-data.json"
AWS_TEXT = (
    "AWS Budget Notification November 21, 2026\nAWS Account 644160558196\n\n"
    "Dear AWS Customer,\n\nYou requested that we alert you when the FORECASTED Cost associated "
    "with your ml-prod-monthly budget is greater than 80.00% for the current month.\n\n"
    "Budget Name: ml-prod-monthly\nBudget Type: Cost\nBudgeted Amount: $1,000.00\n"
    "Alert Type: FORECASTED\nAlert Threshold: > 80.00%\nFORECASTED Amount: $1,234.56\n"
)


def _sns(message: str, **fields: Any) -> dict[str, Any]:
    sns = {
        "Type": "Notification",
        "MessageId": "m-1",
        "TopicArn": "arn:aws:sns:us-east-1:644160558196:budgets",
        "Subject": "AWS Budgets: ml-prod-monthly has exceeded your alert threshold",
        "Message": message,
        "Timestamp": "2026-11-21T10:00:00.000Z",
        **fields,
    }
    return {"Records": [{"EventSource": "aws:sns", "Sns": sns}]}


def _rejected(document: Any) -> EventRejected:
    with pytest.raises(EventRejected) as caught:
        parse_signal(document)
    return caught.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$11,111.00", (Decimal("11111.00"), "USD")),
        ("USD 5.00", (Decimal("5.00"), "USD")),
        ("1111.32", (Decimal("1111.32"), None)),
        ("€0.75", (Decimal("0.75"), "EUR")),
    ],
)
def test_money_is_read_exactly_with_its_currency(text: str, expected: tuple[Any, Any]) -> None:
    assert money(text, "x", Provider.AWS) == expected


def test_a_forecasted_aws_alert_with_a_percentage_threshold() -> None:
    signal = parse_signal(_sns(AWS_TEXT))
    assert signal is not None
    assert (signal.basis, signal.spent, signal.amount) == (
        SpendBasis.FORECAST,
        Decimal("1234.56"),
        Decimal("1000.00"),
    )
    assert (signal.threshold, signal.period) == (Decimal("80.00"), "month")


def test_an_aws_alert_without_its_amount_line_is_rejected_precisely() -> None:
    rejected = _rejected(_sns(AWS_TEXT.replace("FORECASTED Amount: $1,234.56\n", "")))
    assert (rejected.code, rejected.reason) == (
        "missing_field",
        "the budget notification has no 'FORECASTED Amount:' line",
    )
    assert rejected.event_id == "m-1"


def test_an_aws_usage_budget_is_skipped_not_misread_as_money() -> None:
    rejected = _rejected(_sns(AWS_TEXT.replace("Budget Type: Cost", "Budget Type: Usage")))
    assert (rejected.code, rejected.skipped) == ("unsupported_budget_type", True)


def test_an_aws_amount_that_is_not_money_names_its_line() -> None:
    rejected = _rejected(_sns(AWS_TEXT.replace("$1,234.56", "lots")))
    assert (rejected.code, rejected.reason) == (
        "invalid_budget_signal",
        "FORECASTED Amount 'lots' is not an amount of money",
    )


def test_two_sns_records_in_one_delivery_are_rejected() -> None:
    document = _sns(AWS_TEXT)
    document["Records"].append(document["Records"][0])
    assert "one record, not 2" in _rejected(document).reason


def test_an_azure_cost_alert_without_spent_amount_names_the_path() -> None:
    document = copy.deepcopy(real_document(AZURE_COMMON))
    del document["data"]["alertContext"]["AlertData"]["SpentAmount"]
    rejected = _rejected(document)
    assert (rejected.code, rejected.reason) == (
        "missing_field",
        "data.alertContext.AlertData.SpentAmount is missing",
    )
    assert rejected.event_id is not None


def test_an_azure_forecasted_alert_reports_a_forecast() -> None:
    document = copy.deepcopy(real_document(AZURE_COMMON))
    document["data"]["alertContext"]["AlertData"]["ThresholdType"] = "Forecasted"
    signal = parse_signal(document)
    assert signal is not None
    assert signal.basis is SpendBasis.FORECAST


def test_a_gcp_notification_without_cost_is_rejected() -> None:
    document = dict(real_document(GCP_DATA))
    del document["costAmount"]
    rejected = _rejected(document)
    assert (rejected.code, rejected.reason) == ("invalid_budget_signal", "costAmount is missing")


def test_a_pubsub_message_that_is_not_base64_json_is_not_a_signal() -> None:
    push = {"subscription": "s", "message": {"data": "not base64!", "messageId": "1"}}
    assert parse_signal(push) is None
    text = {"subscription": "s", "message": {"data": base64.b64encode(b"hello").decode()}}
    assert parse_signal(text) is None


def test_a_gcp_notification_in_base64_with_a_broken_amount_is_rejected() -> None:
    data = {**real_document(GCP_DATA), "costAmount": [1]}
    encoded = base64.b64encode(orjson.dumps(data)).decode()
    rejected = _rejected({"subscription": "s", "message": {"data": encoded, "messageId": "7"}})
    assert (rejected.code, rejected.event_id) == ("invalid_budget_signal", "7")


ML = {"name": "ml-prod", "amount": 1000, "signals": ["ml-prod-monthly"]}


def _signal(spent: str, basis: SpendBasis = SpendBasis.ACTUAL, **fields: Any) -> BudgetSignal:
    values = {
        "provider": Provider.AWS,
        "budget": "ml-prod-monthly",
        "spent": Decimal(spent),
        "basis": basis,
        "currency": "USD",
        "observed_at": NOW,
        **fields,
    }
    return BudgetSignal(**values)


def test_a_signal_raises_the_actual_of_the_budget_it_reports_on() -> None:
    service = make_service(budgets(ML), lake=LakeSpend({"ml-prod": Decimal(400)}))
    assert service.apply_signal(_signal("612.50"), NOW) == ["ml-prod"]
    [status] = service.status(NOW)
    assert (status.lake_actual, status.actual) == (Decimal(400), Decimal("612.50"))


def test_our_actual_stays_when_the_cloud_reports_less() -> None:
    service = make_service(budgets(ML), lake=LakeSpend({"ml-prod": Decimal(400)}))
    service.apply_signal(_signal("300"), NOW)
    assert service.status(NOW)[0].actual == Decimal(400)


def test_a_forecast_signal_raises_the_projection_not_the_actual() -> None:
    service = make_service(budgets(ML), lake=LakeSpend({"ml-prod": Decimal(400)}))
    service.apply_signal(_signal("1234.56", SpendBasis.FORECAST), NOW)
    [status] = service.status(NOW)
    assert (status.actual, status.projected, status.state) == (
        Decimal(400),
        Decimal("1234.56"),
        "ok",
    )


def test_a_signal_in_another_currency_or_for_another_budget_is_ignored() -> None:
    service = make_service(budgets(ML))
    assert service.apply_signal(_signal("9", currency="EUR"), NOW) == []
    assert service.apply_signal(_signal("9", budget="someone-else"), NOW) == []


def test_a_signal_counts_in_the_period_it_was_observed_in() -> None:
    service = make_service(budgets(ML))
    service.apply_signal(_signal("999", observed_at=datetime(2026, 10, 31, tzinfo=UTC)), NOW)
    assert service.status(NOW)[0].actual == 0
