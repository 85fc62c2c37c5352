"""GCP Cloud Billing budget notifications -> BudgetSignal. No SDK import.

A budget publishes JSON to a Pub/Sub topic about every 30 minutes:

    {"budgetDisplayName": "...", "costAmount": 2.0, "budgetAmount": 0.01, "currencyCode": "USD",
     "costIntervalStart": "2025-05-01T07:00:00Z", "alertThresholdExceeded": 1.0,
     "budgetAmountType": "SPECIFIED_AMOUNT"}

with attributes billingAccountId, budgetId and schemaVersion. It arrives base64-encoded in a
Pub/Sub push (`{"message": {"data", "attributes", "messageId", "publishTime"},
"subscription"}`), the same shape as Eventarc's MessagePublishedData, or in a structured
CloudEvent `google.cloud.pubsub.topic.v1.messagePublished`; the bare JSON is accepted too.
`costAmount` is the cost so far in the period; the forecast is not sent, only whether a
forecast threshold was crossed (`forecastThresholdExceeded`).
"""

from __future__ import annotations

import binascii
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from costplane.adapters.signal_fields import money, rejected
from costplane.domain.events import Provider
from costplane.domain.signals import BudgetSignal
from costplane.engine.envelopes import register_single

MESSAGE_PUBLISHED = "google.cloud.pubsub.topic.v1.messagePublished"
GCP = Provider.GCP
_HUNDRED = Decimal(100)


def _message(document: dict[str, Any]) -> Any:
    if document.get("type") == MESSAGE_PUBLISHED:
        data = document.get("data")
        return data.get("message") if isinstance(data, dict) else None
    return document.get("message")


def notification(document: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(the notification, the Pub/Sub message carrying it, or {}); None when it is not one."""
    if not isinstance(document, dict):
        return None
    if "budgetDisplayName" in document:
        return document, {}
    message = _message(document)
    encoded = message.get("data") if isinstance(message, dict) else None
    if not isinstance(encoded, str):
        return None
    try:
        inner = orjson.loads(binascii.a2b_base64(encoded, strict_mode=True))
    except (binascii.Error, ValueError):
        return None
    if isinstance(inner, dict) and "budgetDisplayName" in inner:
        return inner, message
    return None


def matches_budget_notification(document: Any) -> bool:
    return notification(document) is not None


@register_single("gcp.billing.budget", matches_budget_notification)
def parse_budget_notification(document: Any) -> BudgetSignal:
    found = notification(document)
    if found is None:
        raise rejected("the payload holds no GCP budget notification", GCP)
    data, message = found
    attributes = message.get("attributes")
    attributes = attributes if isinstance(attributes, dict) else {}
    signal_id = _text(message.get("messageId")) or _text(message.get("message_id"))
    name = _text(data.get("budgetDisplayName"))
    if name is None:
        raise rejected("budgetDisplayName is not a non-empty string", GCP, signal_id)
    currency = _text(data.get("currencyCode"))
    if currency is None:
        raise rejected("currencyCode is missing", GCP, signal_id)
    return BudgetSignal(
        provider=GCP,
        budget=name,
        scope=_text(attributes.get("billingAccountId")),
        amount=_amount(data, "budgetAmount", signal_id),
        spent=_required_amount(data, "costAmount", signal_id),
        currency=currency,
        threshold=_percent(data, signal_id),
        period_start=_time(data.get("costIntervalStart"), "costIntervalStart", signal_id),
        observed_at=_time(message.get("publishTime"), "message.publishTime", signal_id),
        signal_id=signal_id,
    )


def _amount(data: dict[str, Any], key: str, signal_id: str | None) -> Decimal | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise rejected(f"{key} {value!r} is not a number", GCP, signal_id)
    return money(value, key, GCP)[0]


def _required_amount(data: dict[str, Any], key: str, signal_id: str | None) -> Decimal:
    amount = _amount(data, key, signal_id)
    if amount is None:
        raise rejected(f"{key} is missing", GCP, signal_id)
    return amount


def _percent(data: dict[str, Any], signal_id: str | None) -> Decimal | None:
    """The crossed threshold, a fraction in the payload, as a percentage."""
    for key in ("alertThresholdExceeded", "forecastThresholdExceeded"):
        fraction = _amount(data, key, signal_id)
        if fraction is not None:
            return fraction * _HUNDRED
    return None


def _time(value: Any, path: str, signal_id: str | None) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise rejected(f"{path} {value!r} is not an RFC 3339 time", GCP, signal_id) from None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
