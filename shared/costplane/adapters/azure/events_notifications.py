"""Azure payloads that reach the same webhooks but are not resource events.

Marketplace SaaS webhooks, budget alerts and Azure Monitor alerts are recognised here only to be
rejected as `not_a_resource_event` with a reason that says what they are, so that a misrouted
delivery is counted precisely instead of as unknown. Their own flows (marketplace, budgets)
parse them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from costplane.domain.errors import EventRejected

NOT_A_RESOURCE_EVENT = "not_a_resource_event"
COMMON_ALERT_SCHEMA = "azureMonitorCommonAlertSchema"
LEGACY_BUDGET_SCHEMA = "AIP Budget Notification"


def matches_notification(document: Any) -> bool:
    return isinstance(document, dict) and ("schemaId" in document or "activityId" in document)


def reject_notification(document: dict[str, Any]) -> EventRejected:
    if "activityId" in document:
        action = document.get("action")
        return _rejected(
            f"an Azure Marketplace SaaS webhook (action {action!r})", _text(document.get("id"))
        )
    schema = document.get("schemaId")
    classify = _BY_SCHEMA.get(schema) if isinstance(schema, str) else None
    if classify is None:
        return _rejected(f"an Azure Monitor alert (schemaId {schema!r})")
    return classify(document)


def _legacy_budget(document: dict[str, Any]) -> EventRejected:
    data = document.get("data")
    name = data.get("BudgetName") if isinstance(data, dict) else None
    return _rejected(f"an Azure budget notification ({name!r})")


def _common_alert(document: dict[str, Any]) -> EventRejected:
    data = document.get("data")
    essentials = data.get("essentials") if isinstance(data, dict) else None
    essentials = essentials if isinstance(essentials, dict) else {}
    service = essentials.get("monitoringService")
    alert_id = _text(essentials.get("alertId"))
    if service == "CostAlerts":
        return _rejected("an Azure cost alert", alert_id)
    return _rejected(f"an Azure Monitor alert (monitoringService {service!r})", alert_id)


_BY_SCHEMA: dict[str, Callable[[dict[str, Any]], EventRejected]] = {
    COMMON_ALERT_SCHEMA: _common_alert,
    LEGACY_BUDGET_SCHEMA: _legacy_budget,
}


def _rejected(what: str, event_id: str | None = None) -> EventRejected:
    return EventRejected(
        NOT_A_RESOURCE_EVENT,
        f"{what} is not a resource event",
        skipped=True,
        provider="azure",
        event_id=event_id,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
