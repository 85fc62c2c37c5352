"""Azure payloads that reach the same webhooks but are not resource events.

Marketplace SaaS webhooks and Azure Monitor alerts are recognised here only to be rejected as
`not_a_resource_event` with a reason that says what they are, so that a misrouted delivery is
counted precisely instead of as unknown. Budget alerts (legacy and common schema) never reach
this module: `budget_signals` registers first and reads them as budget signals.
"""

from __future__ import annotations

from typing import Any

from costplane.domain.errors import EventRejected, Rejection

COMMON_ALERT_SCHEMA = "azureMonitorCommonAlertSchema"


def matches_notification(document: Any) -> bool:
    return isinstance(document, dict) and ("schemaId" in document or "activityId" in document)


def reject_notification(document: dict[str, Any]) -> EventRejected:
    if "activityId" in document:
        action = document.get("action")
        return _rejected(
            f"an Azure Marketplace SaaS webhook (action {action!r})", _text(document.get("id"))
        )
    schema = document.get("schemaId")
    if schema != COMMON_ALERT_SCHEMA:
        return _rejected(f"an Azure Monitor alert (schemaId {schema!r})")
    data = document.get("data")
    essentials = data.get("essentials") if isinstance(data, dict) else None
    essentials = essentials if isinstance(essentials, dict) else {}
    service = essentials.get("monitoringService")
    alert_id = _text(essentials.get("alertId"))
    return _rejected(f"an Azure Monitor alert (monitoringService {service!r})", alert_id)


def _rejected(what: str, event_id: str | None = None) -> EventRejected:
    return EventRejected(
        Rejection.NOT_A_RESOURCE_EVENT,
        f"{what} is not a resource event",
        skipped=True,
        provider="azure",
        event_id=event_id,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
