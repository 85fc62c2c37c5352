"""Azure webhooks that are not resource events: `not_a_resource_event`, saying what they are."""

from __future__ import annotations

from typing import Any

from costplane.engine.envelopes import parse_document


def test_cost_alert_in_the_common_alert_schema_is_a_budget_signal(azure_payload: Any) -> None:
    parsed = parse_document(azure_payload("azure-budget-alert-commonalertschema-actual-cost.json"))
    assert (parsed.envelope, parsed.events, parsed.rejected) == ("azure.budget.common", [], [])
    [signal] = parsed.signals
    assert signal.signal_id == (
        "/subscriptions/11111111-1111-1111-1111-111111111111"
        "/providers/Microsoft.CostManagement/alerts/Test_Alert"
    )


def test_legacy_budget_notification_is_a_signal_naming_its_budget(azure_payload: Any) -> None:
    parsed = parse_document(azure_payload("azure-budget-alert-legacy-aip-budget-notification.json"))
    assert [s.budget for s in parsed.signals] == ["test-budgetName"]
    assert (parsed.events, parsed.rejected) == ([], [])


def test_metric_alert_is_not_a_resource_event(azure_payload: Any) -> None:
    document = azure_payload("azure-monitor-commonalertschema-metric-alert-resolved.json")
    [rejection] = parse_document(document).rejected
    assert rejection.code == "not_a_resource_event"
    assert "Azure Monitor alert (monitoringService 'Platform')" in rejection.reason


def test_alert_of_an_unknown_schema_is_not_a_resource_event() -> None:
    [rejection] = parse_document({"schemaId": "Microsoft.Insights/LogAlert", "data": {}}).rejected
    assert (rejection.code, rejection.skipped) == ("not_a_resource_event", True)
    assert "Microsoft.Insights/LogAlert" in rejection.reason


def test_marketplace_webhook_is_not_a_resource_event_and_names_its_action(
    azure_payload: Any,
) -> None:
    document = azure_payload("azure-marketplace-saas-webhook-suspend.json")
    result = parse_document(document)
    assert result.envelope == "azure.notification"
    [rejection] = result.rejected
    assert (rejection.code, rejection.skipped) == ("not_a_resource_event", True)
    assert "Marketplace SaaS webhook (action 'Suspend')" in rejection.reason
