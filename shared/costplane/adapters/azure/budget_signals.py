"""Azure budget alerts, as an action group delivers them to a webhook -> BudgetSignal.

Two schemas reach the same webhook:

- legacy `{"schemaId": "AIP Budget Notification", "data": {...}}`: BudgetName, Budget (the
  amount), SpendingAmount, NotificationThresholdAmount, Unit, SubscriptionId, ResourceGroup,
  BudgetStartDate (`11/17/2021 5:40:29 PM -08:00`); amounts are plain numbers in text.
- the common alert schema `azureMonitorCommonAlertSchema` with `essentials.monitoringService`
  `CostAlerts`: `alertContext.AlertData` has BudgetName, BudgetThreshold (the amount),
  NotificationThresholdAmount, SpentAmount (`$11,111.00`), ThresholdType (Actual or
  Forecasted), Unit, Scope, BudgetStartDate (`2022-11-01`); `essentials.firedDateTime`.

For a Forecasted alert, SpentAmount is read as the forecast (basis `forecast`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from costplane.adapters.signal_fields import money, percent_of, rejected
from costplane.domain.errors import EventRejected, Rejection
from costplane.domain.events import Provider
from costplane.domain.signals import BudgetSignal, SpendBasis
from costplane.engine.envelopes import register_single

LEGACY_SCHEMA = "AIP Budget Notification"
COMMON_SCHEMA = "azureMonitorCommonAlertSchema"
COST_ALERTS = "CostAlerts"
AZURE = Provider.AZURE
_LEGACY_START = "%m/%d/%Y %I:%M:%S %p %z"


def matches_legacy(document: Any) -> bool:
    return isinstance(document, dict) and document.get("schemaId") == LEGACY_SCHEMA


def matches_cost_alert(document: Any) -> bool:
    if not isinstance(document, dict) or document.get("schemaId") != COMMON_SCHEMA:
        return False
    return bool(_at(document, "data", "essentials", "monitoringService") == COST_ALERTS)


@register_single("azure.budget.legacy", matches_legacy)
def parse_legacy(document: Any) -> BudgetSignal:
    data = _object(document, "data")
    subscription = _text(data.get("SubscriptionId"))
    group = _text(data.get("ResourceGroup"))
    scope = f"/subscriptions/{subscription}" if subscription else None
    if scope and group:
        scope += f"/resourceGroups/{group}"
    amount = _money(data, "Budget", "data")
    return BudgetSignal(
        provider=AZURE,
        budget=_required(data, "BudgetName", "data"),
        scope=scope,
        amount=amount,
        spent=_required_money(data, "SpendingAmount", "data"),
        currency=_required(data, "Unit", "data"),
        threshold=percent_of(_money(data, "NotificationThresholdAmount", "data"), amount),
        period_start=_legacy_start(data.get("BudgetStartDate")),
    )


@register_single("azure.budget.common", matches_cost_alert)
def parse_cost_alert(document: Any) -> BudgetSignal:
    essentials = _object(_object(document, "data"), "essentials", "data")
    alert_id = _text(essentials.get("alertId"))
    path = "data.alertContext.AlertData"
    alert = _at(document, "data", "alertContext", "AlertData")
    if not isinstance(alert, dict):
        raise _missing(path, alert_id)
    try:
        amount = _money(alert, "BudgetThreshold", path)
        return BudgetSignal(
            provider=AZURE,
            budget=_required(alert, "BudgetName", path),
            scope=_text(alert.get("Scope")),
            amount=amount,
            spent=_required_money(alert, "SpentAmount", path),
            basis=_basis(alert.get("ThresholdType")),
            currency=_required(alert, "Unit", path),
            threshold=percent_of(_money(alert, "NotificationThresholdAmount", path), amount),
            period_start=_date(alert.get("BudgetStartDate"), f"{path}.BudgetStartDate"),
            observed_at=_date(essentials.get("firedDateTime"), "data.essentials.firedDateTime"),
            signal_id=alert_id,
        )
    except EventRejected as exc:
        exc.event_id = alert_id
        raise


def _basis(value: Any) -> SpendBasis:
    return SpendBasis.FORECAST if str(value).lower() == "forecasted" else SpendBasis.ACTUAL


def _money(data: dict[str, Any], key: str, path: str) -> Decimal | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    return money(value, f"{path}.{key}", AZURE)[0]


def _required_money(data: dict[str, Any], key: str, path: str) -> Decimal:
    amount = _money(data, key, path)
    if amount is None:
        raise _missing(f"{path}.{key}")
    return amount


def _legacy_start(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.strptime(value, _LEGACY_START)
    except ValueError:
        raise rejected(f"data.BudgetStartDate {value!r} is not a date", AZURE) from None


def _date(value: Any, path: str) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise rejected(f"{path} {value!r} is not an ISO 8601 date", AZURE) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _object(parent: Any, key: str, path: str = "") -> dict[str, Any]:
    value = parent.get(key) if isinstance(parent, dict) else None
    if not isinstance(value, dict):
        raise _missing(f"{path}.{key}" if path else key)
    return value


def _required(data: dict[str, Any], key: str, path: str) -> str:
    value = _text(data.get(key))
    if value is None:
        raise _missing(f"{path}.{key}")
    return value


def _missing(path: str, alert_id: str | None = None) -> EventRejected:
    return EventRejected(
        Rejection.MISSING_FIELD,
        f"{path} is missing",
        provider=AZURE.value,
        event_id=alert_id,
        event_name="budget",
    )


def _at(node: Any, *path: str) -> Any:
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
