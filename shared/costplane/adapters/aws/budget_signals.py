"""AWS Budgets notifications delivered by SNS -> BudgetSignal. No SDK import.

AWS Budgets publishes to SNS the same plain text it emails, not JSON. A Lambda subscription
receives it as `Records[0].Sns` (one record per delivery); an HTTP subscription receives the
SNS message object itself. The text carries `Key: Value` lines:

    AWS Budget Notification March 05, 2023
    AWS Account 265627204426
    ... greater than $0.75 per day. ...
    Budget Name: killswitch
    Budget Type: Cost
    Budgeted Amount: $5.00
    Alert Type: ACTUAL            (or FORECASTED)
    Alert Threshold: > $0.75      (or > 80.00%)
    ACTUAL Amount: $1.70          (FORECASTED Amount for forecast alerts)

Only cost budgets are signals: usage and coverage budgets count hours or ratios, not money.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from costplane.adapters.signal_fields import money, percent_of, rejected
from costplane.domain.errors import EventRejected, Rejection
from costplane.domain.events import Provider
from costplane.domain.signals import BudgetSignal, SpendBasis
from costplane.engine.envelopes import register_single

SUBJECT_PREFIX = "AWS Budgets"
MESSAGE_PREFIX = "AWS Budget Notification"
_FIELD = re.compile(r"^(?P<key>[A-Za-z][A-Za-z ]*?):\s*(?P<value>.+?)\s*$", re.MULTILINE)
_ACCOUNT = re.compile(r"^AWS Account (\d{12})\s*$", re.MULTILINE)
_PERIOD = re.compile(r"\b(?:per|for the current) (day|month|quarter|year)\b")
_BASES = {"ACTUAL": SpendBasis.ACTUAL, "FORECASTED": SpendBasis.FORECAST}
AWS = Provider.AWS


def sns_message(document: Any) -> dict[str, Any] | None:
    """The SNS message of a Lambda event (`Records[0].Sns`) or of an HTTP delivery."""
    if not isinstance(document, dict):
        return None
    records = document.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], dict):
        sns = records[0].get("Sns")
        return sns if isinstance(sns, dict) else None
    if document.get("Type") == "Notification" and "TopicArn" in document:
        return document
    return None


def matches_budget_notification(document: Any) -> bool:
    sns = sns_message(document)
    if sns is None:
        return False
    subject, message = sns.get("Subject"), sns.get("Message")
    return (isinstance(subject, str) and subject.startswith(SUBJECT_PREFIX)) or (
        isinstance(message, str) and message.startswith(MESSAGE_PREFIX)
    )


@register_single("aws.budgets.sns", matches_budget_notification)
def parse_budget_notification(document: Any) -> BudgetSignal:
    records = document.get("Records")
    if isinstance(records, list) and len(records) != 1:
        raise rejected(f"an SNS delivery holds one record, not {len(records)}", AWS)
    sns = sns_message(document) or {}
    signal_id = _text(sns.get("MessageId"))
    message = sns.get("Message")
    if not isinstance(message, str):
        raise rejected("Sns.Message is not the text of a budget notification", AWS, signal_id)
    try:
        return _signal(message, sns, signal_id)
    except EventRejected as exc:
        exc.event_id = signal_id
        raise


def _signal(message: str, sns: dict[str, Any], signal_id: str | None) -> BudgetSignal:
    fields = {m["key"]: m["value"] for m in _FIELD.finditer(message)}
    budget_type = fields.get("Budget Type", "Cost")
    if budget_type != "Cost":
        raise EventRejected(
            Rejection.UNSUPPORTED_BUDGET_TYPE,
            f"a {budget_type} budget counts no money; only cost budgets are signals",
            skipped=True,
            provider=AWS.value,
            event_id=signal_id,
            event_name="budget",
        )
    name = _required(fields, "Budget Name")
    alert_type = fields.get("Alert Type", "ACTUAL").upper()
    basis = _BASES.get(alert_type)
    if basis is None:
        raise rejected(f"Alert Type {alert_type!r} is neither ACTUAL nor FORECASTED", AWS)
    spent, currency = money(_required(fields, f"{alert_type} Amount"), f"{alert_type} Amount", AWS)
    amount = _amount(fields.get("Budgeted Amount"), "Budgeted Amount")
    period = _PERIOD.search(message)
    account = _ACCOUNT.search(message)
    return BudgetSignal(
        provider=AWS,
        budget=name,
        scope=account.group(1) if account else None,
        amount=amount,
        spent=spent,
        basis=basis,
        currency=currency or "USD",
        threshold=_threshold(fields.get("Alert Threshold"), amount),
        period=period.group(1) if period else None,
        observed_at=_time(sns.get("Timestamp")),
        signal_id=signal_id,
    )


def _required(fields: dict[str, str], key: str) -> str:
    value = fields.get(key)
    if value is None:
        raise EventRejected(
            Rejection.MISSING_FIELD,
            f"the budget notification has no '{key}:' line",
            provider=AWS.value,
        )
    return value


def _amount(text: str | None, path: str) -> Decimal | None:
    return None if text is None else money(text, path, AWS)[0]


def _threshold(text: str | None, amount: Decimal | None) -> Decimal | None:
    """`> 80.00%` is a percentage already; `> $0.75` is an amount, as a share of `amount`."""
    if text is None:
        return None
    value = text.lstrip("<>= ")
    if value.endswith("%"):
        return money(value.rstrip("% "), "Alert Threshold", AWS)[0]
    return percent_of(_amount(value, "Alert Threshold"), amount)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise rejected(f"Sns.Timestamp {value!r} is not an ISO 8601 time", AWS) from None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
