"""Every real cloud budget notification we hold becomes the BudgetSignal stated here, after the
ResourceEvent envelope parsers have rejected it as `not_a_resource_event`; every other payload
we hold is left alone by the signal parsers.

The AWS Budgets SNS event has no stated licence: it is read in place from ../shared/data, by a
test marked to say so (see tests/conftest.py). The GCP notification is the bare JSON a budget
publishes; it is also checked inside the Pub/Sub push and the CloudEvent that deliver it.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

import costplane.adapters.aws.budget_signals
import costplane.adapters.aws.events
import costplane.adapters.azure.budget_signals
import costplane.adapters.azure.events
import costplane.adapters.gcp.budget_signals
import costplane.adapters.gcp.events  # noqa: F401  (all six register their parsers)
from costplane.domain.events import Provider
from costplane.domain.signals import BudgetSignal, SpendBasis
from costplane.engine.envelopes import parse_document
from tests.conftest import EVENTS, in_place, in_place_events, in_place_param
from tests.support.signals import parse_signal, registered_signals

AWS_BUDGET_IN_PLACE = "events/aws/aws-budgets-notification-sns-lambda-event.json"
AWS_BUDGET = in_place(AWS_BUDGET_IN_PLACE)
AZURE_LEGACY = EVENTS / "azure" / "azure-budget-alert-legacy-aip-budget-notification.json"
AZURE_COMMON = EVENTS / "azure" / "azure-budget-alert-commonalertschema-actual-cost.json"
GCP_BUDGET = EVENTS / "gcp" / "gcp-billing-budget-notification-message-data.json"
BUDGET_FILES = {AWS_BUDGET.name, AZURE_LEGACY.name, AZURE_COMMON.name, GCP_BUDGET.name}


def _load(path: Path) -> Any:
    return orjson.loads(path.read_bytes())


def _handed_over(document: Any) -> BudgetSignal:
    """Classified once by the one envelope registry: a signal, no event, nothing rejected."""
    parsed = parse_document(document)
    assert (parsed.events, parsed.rejected) == ([], [])
    signal = parse_signal(document)
    assert signal is not None
    return signal


def _pubsub_push(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "subscription": "projects/finops/subscriptions/costplane-budgets",
        "message": {
            "data": base64.b64encode(orjson.dumps(data)).decode(),
            "attributes": {
                "billingAccountId": "01D4EE-079462-DFD6EC",
                "budgetId": "de72f49d-779b-4945-a127-4d6ce8def0bb",
                "schemaVersion": "1.0",
            },
            "messageId": "1917346118234598",
            "publishTime": "2025-05-12T03:04:05.123Z",
        },
    }


def test_every_cloud_has_a_registered_signal_parser() -> None:
    assert {name.split(".")[0] for name in registered_signals()} == {"aws", "azure", "gcp"}


@pytest.mark.read_in_place(AWS_BUDGET_IN_PLACE)
def test_aws_budgets_plain_text_sns_message() -> None:
    signal = _handed_over(_load(AWS_BUDGET))
    assert signal == BudgetSignal(
        provider=Provider.AWS,
        budget="killswitch",
        scope="265627204426",
        amount=Decimal("5.00"),
        spent=Decimal("1.70"),
        basis=SpendBasis.ACTUAL,
        currency="USD",
        threshold=Decimal(15),
        period="day",
        observed_at=datetime(2023, 3, 5, 1, 1, 38, 638000, tzinfo=UTC),
        signal_id="0afa48ef-db9f-5b07-9359-149237adeae5",
    )


def test_azure_legacy_aip_budget_notification() -> None:
    signal = _handed_over(_load(AZURE_LEGACY))
    assert (signal.provider, signal.budget, signal.currency) == (
        Provider.AZURE,
        "test-budgetName",
        "USD",
    )
    assert (signal.amount, signal.spent, signal.threshold) == (
        Decimal(10000),
        Decimal("1111.32"),
        Decimal(80),
    )
    assert (
        signal.scope == "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/test-RG"
    )
    assert signal.period_start == datetime(2021, 11, 18, 1, 40, 29, tzinfo=UTC)


def test_azure_common_alert_schema_cost_alert() -> None:
    signal = _handed_over(_load(AZURE_COMMON))
    assert (signal.budget, signal.basis, signal.currency) == (
        "Test_actual_cost_budget",
        SpendBasis.ACTUAL,
        "USD",
    )
    assert (signal.amount, signal.spent, signal.threshold) == (
        Decimal(50),
        Decimal(11111),
        Decimal(50),
    )
    assert signal.observed_at == datetime(2022, 12, 7, 21, 13, 20, 645000, tzinfo=UTC)
    assert signal.signal_id is not None
    assert signal.signal_id.endswith("/alerts/Test_Alert")


def test_gcp_budget_notification_data() -> None:
    signal = _handed_over(_load(GCP_BUDGET))
    assert (signal.provider, signal.budget, signal.currency) == (Provider.GCP, "BUDGET_NAME", "USD")
    assert (signal.amount, signal.spent, signal.threshold) == (
        Decimal("0.01"),
        Decimal(2),
        Decimal(100),
    )
    assert signal.period_start == datetime(2025, 5, 1, 7, tzinfo=UTC)


def test_gcp_budget_notification_in_a_pubsub_push() -> None:
    signal = _handed_over(_pubsub_push(_load(GCP_BUDGET)))
    assert (signal.budget, signal.spent, signal.scope, signal.signal_id) == (
        "BUDGET_NAME",
        Decimal(2),
        "01D4EE-079462-DFD6EC",
        "1917346118234598",
    )
    assert signal.observed_at == datetime(2025, 5, 12, 3, 4, 5, 123000, tzinfo=UTC)


def test_gcp_budget_notification_in_a_cloudevent() -> None:
    event = {
        "specversion": "1.0",
        "type": "google.cloud.pubsub.topic.v1.messagePublished",
        "source": "//pubsub.googleapis.com/projects/finops/topics/budgets",
        "id": "1917346118234598",
        "time": "2025-05-12T03:04:05.123Z",
        "data": _pubsub_push(_load(GCP_BUDGET)),
    }
    signal = _handed_over(event)
    assert (signal.budget, signal.spent) == ("BUDGET_NAME", Decimal(2))


def _other_payloads() -> list[pytest.ParameterSet]:
    """Every payload held but the budget notifications: the repo's, and AWS's read in place."""
    clouds = ("aws", "azure", "gcp", "slack", "teams")
    in_repo = sorted(p for cloud in clouds for p in (EVENTS / cloud).glob("*.json"))
    in_place_aws = [r for r in in_place_events("aws") if Path(r).name not in BUDGET_FILES]
    return [pytest.param(p, id=p.name) for p in in_repo if p.name not in BUDGET_FILES] + [
        in_place_param(relative, id=Path(relative).name) for relative in in_place_aws
    ]


@pytest.mark.parametrize("path", _other_payloads())
def test_payloads_that_are_not_budget_notifications_are_left_alone(path: Path) -> None:
    assert parse_signal(orjson.loads(path.read_bytes())) is None
