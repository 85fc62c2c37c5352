"""Every Azure payload in events/azure parses into events, or is rejected for a stated reason."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from costplane.adapters.azure.events import matches_cloud_events, matches_event_grid
from costplane.adapters.azure.events_notifications import matches_notification
from costplane.engine.envelopes import parse_payload
from costplane.planes.envelopes import register_every_cloud
from tests.conftest import EVENTS, in_place_events, in_place_param
from tests.support.placeholders import filled_bytes

AZURE = EVENTS / "azure"
STORAGE_ACCOUNT = "azure.storage.storageaccount"
NOT_RESOURCE = "not_a_resource_event"

# file -> the (resource type, operation) of each event it yields
EVENTS_EXPECTED: dict[str, list[tuple[str, str]]] = {
    "azure-eventgrid-resourcegroup-resourcewritesuccess.json": [(STORAGE_ACCOUNT, "create")],
    "azure-eventgrid-resourcegroup-resourcedeletesuccess.json": [(STORAGE_ACCOUNT, "delete")],
}
# file -> (code, what the reason must say) of the one skipped rejection it yields
REJECTION_EXPECTED: dict[str, tuple[str, str]] = {
    "azure-eventgrid-resourcegroup-resourceactionsuccess.json": ("unsupported_event", "listKeys"),
    "azure-eventgrid-subscriptionvalidationevent.json": ("subscription_validation", "handshake"),
    "azure-marketplace-saas-webhook-changeplan.json": (NOT_RESOURCE, "Marketplace SaaS webhook"),
    "azure-marketplace-saas-webhook-reinstate.json": (NOT_RESOURCE, "Marketplace SaaS webhook"),
    "azure-marketplace-saas-webhook-suspend.json": (NOT_RESOURCE, "Marketplace SaaS webhook"),
    "azure-marketplace-saas-webhook-unsubscribe.json": (NOT_RESOURCE, "Marketplace SaaS webhook"),
    "azure-monitor-commonalertschema-metric-alert-resolved.json": (NOT_RESOURCE, "Monitor alert"),
}
MATCHERS = (matches_event_grid, matches_cloud_events, matches_notification)


# Route through every cloud's parsers, in the functions' order, so that no matcher steals a payload.
register_every_cloud()


def _payload_names() -> set[str]:
    return {p.name for p in AZURE.glob("*.json")}


def _foreign_payloads() -> list[pytest.ParameterSet]:
    """Other clouds' payloads: those in the repo, and the AWS ones read in place."""
    in_repo = sorted(p for cloud in ("aws", "gcp") for p in (EVENTS / cloud).glob("*.json"))
    return [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in in_repo] + [
        in_place_param(relative, id=relative.removeprefix("events/"))
        for relative in in_place_events("aws")
    ]


# file -> the budget its one signal names
SIGNALS_EXPECTED = {
    "azure-budget-alert-legacy-aip-budget-notification.json": "test-budgetName",
    "azure-budget-alert-commonalertschema-actual-cost.json": "Test_actual_cost_budget",
}


def test_every_azure_payload_has_a_stated_expectation() -> None:
    expected = set(EVENTS_EXPECTED) | set(REJECTION_EXPECTED) | set(SIGNALS_EXPECTED)
    assert _payload_names() == expected


@pytest.mark.parametrize("name", sorted(SIGNALS_EXPECTED))
def test_budget_notification_payload_parses_into_its_signal(name: str) -> None:
    result = parse_payload((AZURE / name).read_bytes())
    assert (result.events, result.rejected) == ([], [])
    assert [s.budget for s in result.signals] == [SIGNALS_EXPECTED[name]]


@pytest.mark.parametrize("name", sorted(EVENTS_EXPECTED))
def test_resource_event_payload_parses_into_its_events(name: str) -> None:
    result = parse_payload(filled_bytes(AZURE / name))
    assert result.rejected == []
    assert [(e.resource_type, e.operation.value) for e in result.events] == EVENTS_EXPECTED[name]
    assert all(e.provider == "azure" for e in result.events)


@pytest.mark.parametrize("name", sorted(REJECTION_EXPECTED))
def test_other_payload_is_skipped_with_its_precise_reason(name: str) -> None:
    result = parse_payload((AZURE / name).read_bytes())
    assert result.events == []
    [rejection] = result.rejected
    code, says = REJECTION_EXPECTED[name]
    assert (rejection.code, rejection.skipped, rejection.provider) == (code, True, "azure")
    assert says in rejection.reason


@pytest.mark.parametrize("path", _foreign_payloads())
def test_azure_matchers_claim_no_other_clouds_payload(path: Path) -> None:
    document = orjson.loads(path.read_bytes())
    assert not any(matches(document) for matches in MATCHERS)
