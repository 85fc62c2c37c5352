"""Envelope recognition: state changes, non-resource AWS payloads, and never another cloud's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from costplane.adapters.aws.events import (
    is_cloudtrail_log,
    is_cloudtrail_record,
    is_eventbridge,
    is_marketplace_saas,
    is_sns,
)
from costplane.domain.events import Operation
from costplane.engine.envelopes import parse_document, parse_payload
from tests.conftest import EVENTS

Load = Callable[[str], Any]
LoadBytes = Callable[[str], bytes]
MATCHERS = (is_eventbridge, is_cloudtrail_log, is_cloudtrail_record, is_sns, is_marketplace_saas)
OTHER_CLOUDS = sorted(p for cloud in ("azure", "gcp") for p in (EVENTS / cloud).glob("*.json"))
COST_ANOMALY = "aws-cost-anomaly-detection-anomaly-detected-eventbridge.json"  # read in place
BUDGET_ALERT = "aws-budgets-notification-sns-lambda-event.json"  # read in place


def test_ec2_state_change_is_a_state_event_with_unknown_tags(aws_bytes: LoadBytes) -> None:
    parsed = parse_payload(aws_bytes("aws-ec2-instance-state-change-eventbridge.json"))
    [event] = parsed.events
    assert (event.resource_type, event.resource_id) == ("aws.ec2.instance", "i-a2d74f12")
    assert (event.operation, event.tags, event.actor) == (Operation.STATE, None, None)
    assert event.event_id == "07a51e4f-5d35-4010-a6a3-b7646aaead30"
    assert (event.account, event.region) == ("101010101111", "us-east-1")
    assert event.event_time == datetime(2015, 11, 23, 6, 58, 14, tzinfo=UTC)
    assert event.raw["detail"]["state"] == "pending"


def test_state_change_without_instance_id_names_the_field(aws_payload: Load) -> None:
    envelope = aws_payload("aws-ec2-instance-state-change-eventbridge.json")
    del envelope["detail"]["instance-id"]
    [rejection] = parse_document(envelope).rejected
    assert (rejection.code, rejection.reason) == ("missing_field", "detail.instance-id is missing")
    assert rejection.event_id == "07a51e4f-5d35-4010-a6a3-b7646aaead30"


def test_other_eventbridge_detail_types_are_skipped_naming_them(aws_payload: Load) -> None:
    envelope = aws_payload("aws-ec2-instance-state-change-eventbridge.json")
    envelope["detail-type"] = "EC2 Spot Instance Interruption Warning"
    [rejection] = parse_document(envelope).rejected
    assert (rejection.code, rejection.skipped) == ("unsupported_event", True)
    assert "'EC2 Spot Instance Interruption Warning'" in rejection.reason


@pytest.mark.read_in_place(f"events/aws/{COST_ANOMALY}")
def test_cost_anomaly_event_is_not_a_resource_event(aws_payload: Load) -> None:
    envelope = aws_payload(COST_ANOMALY)
    [rejection] = parse_document(envelope).rejected
    assert (rejection.code, rejection.skipped) == ("not_a_resource_event", True)
    assert "Cost Anomaly Detection" in rejection.reason


@pytest.mark.read_in_place(f"events/aws/{BUDGET_ALERT}")
def test_budget_alert_over_sns_is_a_budget_signal(aws_payload: Load) -> None:
    parsed = parse_document(aws_payload(BUDGET_ALERT))
    assert (parsed.envelope, parsed.events, parsed.rejected) == ("aws.budgets.sns", [], [])
    [signal] = parsed.signals
    assert signal.signal_id == "0afa48ef-db9f-5b07-9359-149237adeae5"


def test_generic_sns_message_is_not_a_resource_event(aws_payload: Load) -> None:
    [rejection] = parse_document(aws_payload("aws-sns-lambda-event-generic.json")).rejected
    assert rejection.code == "not_a_resource_event"
    assert rejection.reason.startswith("a notification delivered by SNS topic")


def test_marketplace_saas_message_is_not_a_resource_event(aws_payload: Load) -> None:
    document = aws_payload("aws-marketplace-saas-subscription-notification-message.json")
    [rejection] = parse_document(document).rejected
    assert rejection.code == "not_a_resource_event"
    assert "Marketplace SaaS" in rejection.reason


@pytest.mark.parametrize("path", OTHER_CLOUDS, ids=lambda p: p.name)
def test_no_aws_matcher_claims_an_azure_or_gcp_payload(path: Path) -> None:
    document = orjson.loads(path.read_bytes())
    assert [m.__name__ for m in MATCHERS if m(document)] == []
