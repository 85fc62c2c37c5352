"""Event Grid resource events (both delivery schemas) -> ResourceEvents, from the real samples."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from costplane.domain.events import Operation, Provider
from costplane.engine.envelopes import ParsedPayload, parse_document, parse_payload

STORAGE = (
    "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourcegroups/costplane-rg"
    "/providers/Microsoft.Storage/storageAccounts/costplanesamples"
)
TAGS_DEFAULT = "/providers/Microsoft.Resources/tags/default"


def to_cloud_event(event: dict[str, Any]) -> dict[str, Any]:
    """The same event as Event Grid delivers it in the CloudEvents 1.0 schema."""
    return {
        "specversion": "1.0",
        "type": event["eventType"],
        "source": event["topic"],
        "subject": event["subject"],
        "id": event["id"],
        "time": event["eventTime"],
        "data": event["data"],
    }


def parse(document: Any) -> ParsedPayload:
    return parse_document(copy.deepcopy(document))


def test_write_success_yields_a_create_of_the_storage_account(write_event: Any) -> None:
    [event] = parse([write_event]).events
    assert event.provider is Provider.AZURE
    assert event.operation is Operation.CREATE
    assert event.resource_id == STORAGE
    assert event.resource_type == "azure.storage.storageaccount"
    assert event.account == "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
    assert event.event_id == "4db48cba-50a2-455a-93b4-de41a3b5b7f6"
    assert event.event_name == "Microsoft.Storage/storageAccounts/write"
    assert event.event_time == datetime(2018, 7, 19, 18, 38, 4, 611735, tzinfo=UTC)
    assert event.actor == "alice@example.com"


def test_event_grid_events_carry_neither_tags_nor_region(write_event: Any) -> None:
    [event] = parse([write_event]).events
    assert event.tags is None
    assert event.region is None


def test_raw_event_is_kept_for_the_audit_log(write_event: Any) -> None:
    [event] = parse([write_event]).events
    assert event.raw == write_event


def test_patch_write_is_an_update(write_event: Any) -> None:
    write_event["data"]["httpRequest"] = {"method": "PATCH", "url": "https://management.azure.com"}
    [event] = parse([write_event]).events
    assert event.operation is Operation.UPDATE


def test_put_write_is_a_create(write_event: Any) -> None:
    write_event["data"]["httpRequest"] = {"method": "PUT", "url": "https://management.azure.com"}
    [event] = parse([write_event]).events
    assert event.operation is Operation.CREATE


def test_delete_success_yields_a_delete(delete_event: Any) -> None:
    [event] = parse([delete_event]).events
    assert event.operation is Operation.DELETE
    assert event.resource_type == "azure.storage.storageaccount"
    assert event.event_id == "19a69642-1aad-4a96-a5ab-8d05494513ce"


def test_list_keys_action_is_skipped_as_an_unsupported_event(action_event: Any) -> None:
    [rejection] = parse([action_event]).rejected
    assert (rejection.code, rejection.skipped) == ("unsupported_event", True)
    assert "listKeys" in rejection.reason
    assert rejection.event_id == "{ID}"


def test_tag_write_is_a_tag_operation_on_the_tagged_resource(write_event: Any) -> None:
    write_event["data"]["operationName"] = "Microsoft.Resources/tags/write"
    write_event["data"]["resourceUri"] = STORAGE + TAGS_DEFAULT
    write_event["subject"] = STORAGE + TAGS_DEFAULT
    [event] = parse([write_event]).events
    assert event.operation is Operation.TAG
    assert event.resource_id == STORAGE
    assert event.resource_type == "azure.storage.storageaccount"
    assert event.tags is None


def test_tag_write_reported_as_an_action_is_a_tag_operation(action_event: Any) -> None:
    action_event["data"]["operationName"] = "Microsoft.Resources/tags/write"
    [event] = parse([action_event]).events
    assert event.operation is Operation.TAG


def test_service_principal_actor_comes_from_the_authorization_evidence(action_event: Any) -> None:
    action_event["data"]["operationName"] = "Microsoft.Resources/tags/write"
    action_event["data"]["authorization"]["evidence"]["principalId"] = "sp-object-id"
    [event] = parse([action_event]).events
    assert event.actor == "sp-object-id"


def test_resource_group_write_is_a_resourcegroup(write_event: Any) -> None:
    group = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/costplane-rg"
    write_event["subject"] = write_event["data"]["resourceUri"] = group
    [event] = parse([write_event]).events
    assert event.resource_type == "azure.resources.resourcegroup"


@pytest.mark.parametrize(
    "event_type",
    ["Microsoft.Resources.ResourceWriteFailure", "Microsoft.Resources.ResourceDeleteCancel"],
)
def test_failed_or_cancelled_operations_are_skipped(write_event: Any, event_type: str) -> None:
    write_event["eventType"] = event_type
    [rejection] = parse([write_event]).rejected
    assert (rejection.code, rejection.skipped) == ("failed_call", True)


def test_non_resource_event_type_is_skipped_as_unsupported(write_event: Any) -> None:
    write_event["eventType"] = "Microsoft.Storage.BlobCreated"
    [rejection] = parse([write_event]).rejected
    assert (rejection.code, rejection.skipped) == ("unsupported_event", True)
    assert "Microsoft.Storage.BlobCreated" in rejection.reason


def test_mixed_array_yields_one_result_per_element_in_order(
    write_event: Any, delete_event: Any, action_event: Any, azure_payload: Any
) -> None:
    [validation] = azure_payload("azure-eventgrid-subscriptionvalidationevent.json")
    result = parse([write_event, validation, delete_event, action_event, "junk"])
    assert result.envelope == "azure.eventgrid"
    assert [e.operation for e in result.events] == [Operation.CREATE, Operation.DELETE]
    assert [r.code for r in result.rejected] == [
        "subscription_validation",
        "unsupported_event",
        "invalid_field",
    ]


def test_a_bad_element_does_not_hide_the_good_ones(write_event: Any, delete_event: Any) -> None:
    del write_event["subject"], write_event["data"]["resourceUri"]
    result = parse([write_event, delete_event])
    assert [e.operation for e in result.events] == [Operation.DELETE]
    [rejection] = result.rejected
    assert (rejection.code, rejection.skipped) == ("missing_field", False)
    assert rejection.event_id == "4db48cba-50a2-455a-93b4-de41a3b5b7f6"


def test_single_event_grid_object_is_accepted(write_event: Any) -> None:
    [event] = parse(write_event).events
    assert event.operation is Operation.CREATE


def test_cloud_events_schema_object_yields_the_same_event(write_event: Any) -> None:
    [expected] = parse([write_event]).events
    result = parse(to_cloud_event(write_event))
    assert result.envelope == "azure.cloudevents"
    [event] = result.events
    assert event.model_dump() == expected.model_dump()


def test_cloud_events_schema_array_yields_one_event_per_element(
    write_event: Any, delete_event: Any
) -> None:
    result = parse([to_cloud_event(write_event), to_cloud_event(delete_event)])
    assert [e.operation for e in result.events] == [Operation.CREATE, Operation.DELETE]


def test_event_without_id_is_rejected_as_missing_field(write_event: Any) -> None:
    del write_event["id"]
    [rejection] = parse([write_event]).rejected
    assert rejection.code == "missing_field"
    assert "`id`" in rejection.reason


def test_event_without_data_is_rejected_as_missing_field(write_event: Any) -> None:
    del write_event["data"]
    [rejection] = parse([write_event]).rejected
    assert rejection.code == "missing_field"


def test_unparseable_event_time_is_rejected_as_an_invalid_field(write_event: Any) -> None:
    write_event["eventTime"] = "{event-time}"
    [rejection] = parse([write_event]).rejected
    assert rejection.code == "invalid_field"
    assert "{event-time}" in rejection.reason


def test_subject_that_is_not_an_arm_id_is_rejected(write_event: Any) -> None:
    write_event["subject"] = write_event["data"]["resourceUri"] = "blobServices/default"
    [rejection] = parse([write_event]).rejected
    assert rejection.code == "invalid_field"
    assert rejection.provider == "azure"


def test_truncated_delivery_is_rejected_as_malformed_json(azure_payload: Any) -> None:
    raw = orjson.dumps(azure_payload("azure-eventgrid-resourcegroup-resourcewritesuccess.json"))
    [rejection] = parse_payload(raw[: len(raw) // 2]).rejected
    assert rejection.code == "malformed_json"
