"""Every GCP payload in events/gcp parses into events, or is rejected for a stated reason."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from costplane.adapters.gcp.budget_signals import matches_budget_notification
from costplane.adapters.gcp.events import (
    matches_cloud_event,
    matches_log_entry,
    matches_pubsub_push,
)
from costplane.engine.envelopes import parse_payload
from costplane.planes.envelopes import register_every_cloud
from tests.conftest import EVENTS, in_place_events, in_place_param
from tests.support.placeholders import filled_bytes

GCP = EVENTS / "gcp"
NOT_RESOURCE = "not_a_resource_event"

# file -> (envelope, resource type, operation, resource id) of the one event it yields
EVENTS_EXPECTED: dict[str, tuple[str, str, str, str]] = {
    "gcp-auditlog-compute-instances-insert-logentry.json": (
        "gcp.auditlog",
        "gcp.compute.instance",
        "create",
        "projects/costplane-sample/zones/us-central1-a/instances/costplane-sample-1",
    ),
    "gcp-auditlog-compute-instancetemplates-insert-logentry.json": (
        "gcp.auditlog",
        "gcp.compute.instancetemplate",
        "create",
        "projects/cloud-custodian/global/instanceTemplates/custodian-instance-template",
    ),
    "gcp-auditlog-storage-buckets-create-logentry.json": (
        "gcp.auditlog",
        "gcp.storage.bucket",
        "create",
        "projects/_/buckets/costplane-sample-1",
    ),
    "gcp-auditlog-cloudsql-instances-create-logentry.json": (
        "gcp.auditlog",
        "gcp.sql.instance",
        "create",
        "projects/costplane-sample/instances/costplane-sample-1",
    ),
    "gcp-auditlog-bigquery-dataset-create-logentry.json": (
        "gcp.auditlog",
        "gcp.bigquery.dataset",
        "create",
        "projects/custodian-1291/datasets/devxyz",
    ),
    "gcp-auditlog-pubsub-createtopic-cloudevent-data.json": (
        "gcp.auditlog",
        "gcp.pubsub.topic",
        "create",
        "projects/test-project/topics/test-auditlogs-source",
    ),
}
# file -> (envelope, code, what the reason must say) of the one skipped rejection it yields
REJECTION_EXPECTED: dict[str, tuple[str, str, str]] = {
    # methodName io.k8s.core.v1.nodes.create: a Kubernetes API call, not ClusterManager
    "gcp-auditlog-container-clusters-create-logentry.json": (
        "gcp.auditlog",
        "unsupported_event",
        "io.k8s.core.v1.nodes.create",
    ),
    "gcp-pubsub-messagepublished-cloudevent-data-text.json": (
        "gcp.pubsub",
        NOT_RESOURCE,
        "plain text",
    ),
    "gcp-pubsub-messagepublished-cloudevent-structured.json": (
        "gcp.cloudevent",
        NOT_RESOURCE,
        "plain text",
    ),
}
MATCHERS = (
    matches_log_entry,
    matches_cloud_event,
    matches_pubsub_push,
    matches_budget_notification,
)


# Route through every cloud's parsers, in the functions' order, so that no matcher steals a payload.
register_every_cloud()


def _payload_names() -> set[str]:
    return {p.name for p in GCP.glob("*.json")}


def _foreign_payloads() -> list[pytest.ParameterSet]:
    """Other clouds' payloads: those in the repo, and the AWS ones read in place."""
    in_repo = sorted(p for cloud in ("aws", "azure") for p in (EVENTS / cloud).glob("*.json"))
    return [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in in_repo] + [
        in_place_param(relative, id=relative.removeprefix("events/"))
        for relative in in_place_events("aws")
    ]


# file -> the budget its one signal names
SIGNALS_EXPECTED = {"gcp-billing-budget-notification-message-data.json": "BUDGET_NAME"}


def test_every_gcp_payload_has_a_stated_expectation() -> None:
    assert _payload_names() == set(EVENTS_EXPECTED) | set(REJECTION_EXPECTED) | set(
        SIGNALS_EXPECTED
    )


@pytest.mark.parametrize("name", sorted(SIGNALS_EXPECTED))
def test_budget_notification_payload_parses_into_its_signal(name: str) -> None:
    result = parse_payload((GCP / name).read_bytes())
    assert (result.events, result.rejected) == ([], [])
    assert [s.budget for s in result.signals] == [SIGNALS_EXPECTED[name]]


@pytest.mark.parametrize("name", sorted(EVENTS_EXPECTED))
def test_audit_log_payload_parses_into_its_event(name: str) -> None:
    result = parse_payload(filled_bytes(GCP / name))
    assert result.rejected == []
    [event] = result.events
    envelope, resource_type, operation, resource_id = EVENTS_EXPECTED[name]
    assert result.envelope == envelope
    assert (event.resource_type, event.operation.value) == (resource_type, operation)
    assert event.resource_id == resource_id
    assert event.provider == "gcp"


@pytest.mark.parametrize("name", sorted(REJECTION_EXPECTED))
def test_other_payload_is_skipped_with_its_precise_reason(name: str) -> None:
    result = parse_payload((GCP / name).read_bytes())
    assert result.events == []
    [rejection] = result.rejected
    envelope, code, says = REJECTION_EXPECTED[name]
    assert (result.envelope, rejection.code) == (envelope, code)
    assert (rejection.skipped, rejection.provider) == (True, "gcp")
    assert says in rejection.reason


@pytest.mark.parametrize("path", _foreign_payloads())
def test_gcp_matchers_claim_no_other_clouds_payload(path: Path) -> None:
    document = orjson.loads(path.read_bytes())
    assert not any(matches(document) for matches in MATCHERS)
