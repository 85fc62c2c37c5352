"""Cloud Asset Inventory feed messages become the same resource events as the audit logs.

No complete public feed message we may copy was found: the one Google documents ('Monitor
asset changes': a TemporalAsset for a storage bucket) leaves the resource data as placeholders
(LATEST_ASSET_METADATA); a search of public code for feed messages found none with a stated
licence (the one complete message seen, a Compute instance's in a sample script, names no source
or licence; the Cloud Foundation Fabric feed example holds none). So `_temporal_asset` follows
the documented example's fields and fills `data` with the fields of the resource's own REST
representation (its `labels`).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import orjson

from costplane.domain.errors import Rejection
from costplane.domain.events import Operation
from costplane.engine.envelopes import parse_document

Load = Callable[[str], Any]
DATASET_CREATE = "gcp-auditlog-bigquery-dataset-create-logentry.json"


def _temporal_asset(
    name: str, asset_type: str, data: dict[str, Any], prior: str = "DOES_NOT_EXIST"
) -> dict[str, Any]:
    return {
        "asset": {
            "ancestors": ["projects/000000000000", "organizations/000000000000"],
            "assetType": asset_type,
            "name": name,
            "resource": {
                "data": data,
                "location": "us-central1",
                "parent": "//cloudresourcemanager.googleapis.com/projects/000000000000",
                "version": "v1",
            },
            "updateTime": "2024-01-30T00:00:00.000000Z",
        },
        "priorAssetState": prior,
        "window": {"startTime": "2024-01-30T00:00:00.000000Z"},
    }


def _pushed(message: dict[str, Any]) -> dict[str, Any]:
    data = base64.b64encode(orjson.dumps(message)).decode()
    return {
        "message": {"data": data, "messageId": "2070443601311540"},
        "subscription": "projects/p/subscriptions/costplane-assets",
    }


VM = "//compute.googleapis.com/projects/my-project/zones/us-central1-a/instances/vm-1"
INSTANCE = "compute.googleapis.com/Instance"


def test_a_new_asset_pushed_by_pubsub_is_a_create_with_its_labels() -> None:
    message = _temporal_asset(VM, INSTANCE, {"name": "vm-1", "labels": {"team": "ml"}})

    [event] = parse_document(_pushed(message)).events

    assert event.resource_type == "gcp.compute.instance"
    assert event.resource_id == "projects/my-project/zones/us-central1-a/instances/vm-1"
    assert (event.account, event.region) == ("my-project", "us-central1")
    assert (event.operation, event.tags) == (Operation.CREATE, {"team": "ml"})


def test_an_asset_without_labels_is_unlabelled_and_a_changed_one_an_update() -> None:
    message = _temporal_asset(VM, INSTANCE, {"name": "vm-1"}, prior="PRESENT")

    [event] = parse_document(message).events

    assert (event.operation, event.tags) == (Operation.UPDATE, {})


def test_one_change_has_one_idempotency_key_bare_or_pushed() -> None:
    message = _temporal_asset(VM, INSTANCE, {"labels": {}})

    [bare] = parse_document(message).events
    [pushed] = parse_document(_pushed(message)).events

    assert bare.idempotency_key == pushed.idempotency_key


def test_a_bucket_is_named_as_its_audit_log_names_it() -> None:
    message = _temporal_asset(
        "//storage.googleapis.com/my-bucket", "storage.googleapis.com/Bucket", {"labels": {}}
    )

    [event] = parse_document(message).events

    assert (event.resource_id, event.account) == ("projects/_/buckets/my-bucket", "000000000000")


def test_a_feed_asset_and_its_audit_log_creation_name_one_resource(gcp_payload: Load) -> None:
    [logged] = parse_document(gcp_payload(DATASET_CREATE)).events
    name = "//bigquery.googleapis.com/projects/custodian-1291/datasets/devxyz"
    message = _temporal_asset(name, "bigquery.googleapis.com/Dataset", {"labels": {}})

    [fed] = parse_document(message).events

    assert (fed.resource_type, fed.resource_id) == (logged.resource_type, logged.resource_id)


def test_a_deleted_asset_is_a_delete_without_tags() -> None:
    message = _temporal_asset(VM, INSTANCE, {"labels": {"team": "ml"}}, prior="PRESENT")
    message |= {"deleted": True, "priorAsset": message["asset"]}

    [event] = parse_document(message).events

    assert (event.operation, event.tags) == (Operation.DELETE, None)


def test_an_asset_type_that_carries_no_spend_is_skipped_naming_it() -> None:
    account = "//iam.googleapis.com/projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com"
    message = _temporal_asset(account, "iam.googleapis.com/ServiceAccount", {})

    [rejected] = parse_document(_pushed(message)).rejected

    assert (rejected.code, rejected.skipped) == (Rejection.UNGOVERNED_RESOURCE_TYPE, True)
    assert "iam.googleapis.com/ServiceAccount" in rejected.reason


def test_the_feeds_greeting_is_not_a_resource_event() -> None:
    greeting = "You have successfully configured real time feed 'costplane' on 'projects/p'"
    data = base64.b64encode(greeting.encode()).decode()

    [rejected] = parse_document(
        {"message": {"data": data, "messageId": "1"}, "subscription": "projects/p/subscriptions/s"}
    ).rejected

    assert (rejected.code, rejected.skipped) == (Rejection.NOT_A_RESOURCE_EVENT, True)
