"""Cloud Audit Log entries -> ResourceEvents: one extractor per method, against the real entries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from costplane.adapters.gcp.auditlog import parse_log_entry
from costplane.domain.errors import EventRejected
from costplane.domain.events import Operation, Provider, ResourceEvent

COMPUTE_OPERATION = "operation-1622018793735-5c337ae050659-94b474c4-9c60921a"


def event_of(entry: Any) -> ResourceEvent:
    result = parse_log_entry(entry)
    assert isinstance(result, ResourceEvent), getattr(result, "reason", result)
    return result


def rejection_of(entry: Any) -> EventRejected:
    result = parse_log_entry(entry)
    assert isinstance(result, EventRejected), result
    return result


def test_compute_instance_insert_yields_a_create_of_the_instance(instance_insert: Any) -> None:
    event = event_of(instance_insert)
    assert event.provider is Provider.GCP
    assert event.resource_type == "gcp.compute.instance"
    assert (
        event.resource_id
        == "projects/costplane-sample/zones/us-central1-a/instances/costplane-sample-1"
    )
    assert event.operation is Operation.CREATE
    assert event.account == "costplane-sample"
    assert event.region == "us-central1-a"
    assert event.actor == "example@example.com"
    assert event.event_name == "beta.compute.instances.insert"
    assert event.event_time == datetime(2021, 5, 26, 8, 46, 33, 797184, tzinfo=UTC)


def test_event_id_of_an_operation_entry_is_the_operation_id(instance_insert: Any) -> None:
    assert event_of(instance_insert).event_id == COMPUTE_OPERATION


def test_insert_without_labels_in_the_request_leaves_tags_unknown(instance_insert: Any) -> None:
    assert event_of(instance_insert).tags is None


def test_instance_labels_in_the_request_are_the_observed_tags(instance_insert: Any) -> None:
    instance_insert["protoPayload"]["request"]["labels"] = {"team": "data", "cost-center": 42}
    assert event_of(instance_insert).tags == {"team": "data", "cost-center": "42"}


@pytest.mark.parametrize(
    "method",
    ["v1.compute.instances.insert", "compute.instances.insert", "alpha.compute.instances.insert"],
)
def test_every_api_version_of_instances_insert_is_the_same_operation(
    instance_insert: Any, method: str
) -> None:
    instance_insert["protoPayload"]["methodName"] = method
    event = event_of(instance_insert)
    assert (event.resource_type, event.operation) == ("gcp.compute.instance", Operation.CREATE)
    assert event.event_name == method


def test_set_labels_is_a_tag_operation_carrying_the_new_labels(instance_insert: Any) -> None:
    payload = instance_insert["protoPayload"]
    payload["methodName"] = "v1.compute.instances.setLabels"
    payload["request"] = {"labels": {"team": "web"}, "labelFingerprint": "42WmSpB8rSM="}
    event = event_of(instance_insert)
    assert event.operation is Operation.TAG
    assert event.tags == {"team": "web"}


def test_instances_delete_is_a_delete(instance_insert: Any) -> None:
    instance_insert["protoPayload"]["methodName"] = "v1.compute.instances.delete"
    assert event_of(instance_insert).operation is Operation.DELETE


def test_instance_template_is_global_and_named_by_its_path(gcp_payload: Any) -> None:
    event = event_of(gcp_payload("gcp-auditlog-compute-instancetemplates-insert-logentry.json"))
    assert event.resource_type == "gcp.compute.instancetemplate"
    assert event.resource_id == (
        "projects/cloud-custodian/global/instanceTemplates/custodian-instance-template"
    )
    assert (event.account, event.region) == ("cloud-custodian", "global")
    assert event.actor == "alex.karpitski@gmail.com"
    assert event.event_id == "operation-1559805609371-58aa28b43e664-666d712a-0c5139b4"
    assert event.tags is None


def test_instance_template_labels_come_from_its_properties(gcp_payload: Any) -> None:
    entry = gcp_payload("gcp-auditlog-compute-instancetemplates-insert-logentry.json")
    entry["protoPayload"]["request"]["properties"]["labels"] = {"env": "prod"}
    assert event_of(entry).tags == {"env": "prod"}


def test_bucket_is_named_by_its_resource_name_in_the_project_of_its_resource(
    gcp_payload: Any,
) -> None:
    event = event_of(gcp_payload("gcp-auditlog-storage-buckets-create-logentry.json"))
    assert event.resource_type == "gcp.storage.bucket"
    assert event.resource_id == "projects/_/buckets/costplane-sample-1"
    assert (event.account, event.region) == ("costplane-sample", "us")
    assert event.event_id == "7rpxlbeozw6y"
    assert event.operation is Operation.CREATE
    assert event.tags is None


def test_cloud_sql_instance_is_named_under_its_project(gcp_payload: Any) -> None:
    event = event_of(gcp_payload("gcp-auditlog-cloudsql-instances-create-logentry.json"))
    assert event.resource_type == "gcp.sql.instance"
    assert event.resource_id == "projects/costplane-sample/instances/costplane-sample-1"
    assert event.account == "costplane-sample"
    assert event.region == "us-central1"
    assert event.event_id == "9056b766-8d64-436e-bb77-1e758b975838"
    assert event.actor == "xxx@example.com"


def test_cloud_sql_user_labels_are_the_observed_tags(gcp_payload: Any) -> None:
    entry = gcp_payload("gcp-auditlog-cloudsql-instances-create-logentry.json")
    entry["protoPayload"]["request"]["body"]["settings"]["userLabels"] = {"team": "db"}
    assert event_of(entry).tags == {"team": "db"}


def test_legacy_bigquery_dataset_is_named_from_its_insert_request(gcp_payload: Any) -> None:
    event = event_of(gcp_payload("gcp-auditlog-bigquery-dataset-create-logentry.json"))
    assert event.resource_type == "gcp.bigquery.dataset"
    assert event.resource_id == "projects/custodian-1291/datasets/devxyz"
    assert (event.account, event.region) == ("custodian-1291", "US")
    assert event.actor == "kapilt@gmail.com"
    assert event.event_id == "yz0lpmds6hb"
    assert event.event_time == datetime(2018, 12, 24, 7, 56, 33, 708000, tzinfo=UTC)


def test_legacy_bigquery_dataset_labels_come_from_its_info(gcp_payload: Any) -> None:
    entry = gcp_payload("gcp-auditlog-bigquery-dataset-create-logentry.json")
    request = entry["protoPayload"]["serviceData"]["datasetInsertRequest"]
    request["resource"]["info"]["labels"] = {"owner": "analytics"}
    assert event_of(entry).tags == {"owner": "analytics"}


def test_v2_insert_dataset_is_named_by_its_resource_name(gcp_payload: Any) -> None:
    entry = gcp_payload("gcp-auditlog-bigquery-dataset-create-logentry.json")
    entry["protoPayload"]["methodName"] = "google.cloud.bigquery.v2.DatasetService.InsertDataset"
    entry["protoPayload"]["resourceName"] = "projects/custodian-1291/datasets/devxyz"
    event = event_of(entry)
    assert (event.resource_type, event.operation) == ("gcp.bigquery.dataset", Operation.CREATE)
    assert event.resource_id == "projects/custodian-1291/datasets/devxyz"


def test_pubsub_topic_spread_over_many_locations_has_no_single_region(gcp_payload: Any) -> None:
    event = event_of(gcp_payload("gcp-auditlog-pubsub-createtopic-cloudevent-data.json"))
    assert event.resource_type == "gcp.pubsub.topic"
    assert event.resource_id == "projects/test-project/topics/test-auditlogs-source"
    assert event.account == "test-project"
    assert event.region is None
    assert event.actor == "robot@test-project.iam.gserviceaccount.com"
    assert event.event_id == "9frck8cf9j"


def test_pubsub_topic_labels_in_the_request_are_the_observed_tags(gcp_payload: Any) -> None:
    entry = gcp_payload("gcp-auditlog-pubsub-createtopic-cloudevent-data.json")
    entry["protoPayload"]["request"]["labels"] = {"team": "events"}
    assert event_of(entry).tags == {"team": "events"}


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
def test_gke_create_cluster_is_a_cluster_create_with_its_resource_labels(
    instance_insert: Any, version: str
) -> None:
    name = "projects/p1/locations/us-central1/clusters/c1"
    payload = instance_insert["protoPayload"]
    payload["methodName"] = f"google.container.{version}.ClusterManager.CreateCluster"
    payload["resourceName"] = name
    payload["request"] = {"cluster": {"name": "c1", "resourceLabels": {"team": "ml"}}}
    del instance_insert["resource"]["labels"]["zone"]
    event = event_of(instance_insert)
    assert (event.resource_type, event.operation) == ("gcp.container.cluster", Operation.CREATE)
    assert (event.resource_id, event.region) == (name, "us-central1")
    assert event.tags == {"team": "ml"}


def test_kubernetes_api_call_is_skipped_as_an_unsupported_event(gcp_payload: Any) -> None:
    rejection = rejection_of(gcp_payload("gcp-auditlog-container-clusters-create-logentry.json"))
    assert (rejection.code, rejection.skipped) == ("unsupported_event", True)
    assert "io.k8s.core.v1.nodes.create" in rejection.reason
    assert rejection.event_id == "5716ca55-7a0a-4c31-b800-08d62d812e2d"


def test_unknown_method_is_skipped_with_its_name(instance_insert: Any) -> None:
    instance_insert["protoPayload"]["methodName"] = "v1.compute.instances.getSerialPortOutput"
    rejection = rejection_of(instance_insert)
    assert (rejection.code, rejection.skipped) == ("unsupported_event", True)
    assert "getSerialPortOutput" in rejection.reason


def test_failed_call_is_skipped_with_its_status(instance_insert: Any) -> None:
    instance_insert["protoPayload"]["status"] = {"code": 7, "message": "PERMISSION_DENIED"}
    rejection = rejection_of(instance_insert)
    assert (rejection.code, rejection.skipped) == ("failed_call", True)
    assert "PERMISSION_DENIED" in rejection.reason


def test_last_entry_of_an_operation_is_skipped(instance_insert: Any) -> None:
    instance_insert["operation"] = {"id": COMPUTE_OPERATION, "last": True}
    rejection = rejection_of(instance_insert)
    assert (rejection.code, rejection.skipped) == ("operation_last", True)


def test_first_and_last_entries_of_an_operation_share_the_idempotency_key(
    instance_insert: Any,
) -> None:
    first = event_of(instance_insert)
    instance_insert["insertId"] = "another-insert-id"
    instance_insert["operation"] = {"id": COMPUTE_OPERATION, "last": True}
    last = rejection_of(instance_insert)
    assert last.event_id == first.event_id
    instance_insert["operation"]["first"] = True
    assert event_of(instance_insert).idempotency_key == first.idempotency_key


def test_entry_without_operation_is_keyed_by_its_insert_id(instance_insert: Any) -> None:
    del instance_insert["operation"]
    assert event_of(instance_insert).event_id == "-b33f8ce4thj8"


@pytest.mark.parametrize(
    ("field", "reason"),
    [("timestamp", "timestamp"), ("insertId", "insertId"), ("resource", "project")],
)
def test_entry_missing_a_required_field_is_rejected(
    gcp_payload: Any, field: str, reason: str
) -> None:
    entry = gcp_payload("gcp-auditlog-storage-buckets-create-logentry.json")
    del entry[field]
    if field == "resource":
        entry["logName"] = "organizations/1/logs/cloudaudit.googleapis.com%2Factivity"
    rejection = rejection_of(entry)
    assert (rejection.code, rejection.skipped) == ("missing_field", False)
    assert reason in rejection.reason
    assert rejection.provider == "gcp"


def test_entry_without_resource_name_is_rejected(instance_insert: Any) -> None:
    del instance_insert["protoPayload"]["resourceName"]
    rejection = rejection_of(instance_insert)
    assert rejection.code == "missing_field"
    assert rejection.event_id == COMPUTE_OPERATION


def test_entry_without_method_name_is_rejected(instance_insert: Any) -> None:
    del instance_insert["protoPayload"]["methodName"]
    assert rejection_of(instance_insert).code == "missing_field"


def test_unparseable_timestamp_is_rejected(instance_insert: Any) -> None:
    instance_insert["timestamp"] = "${timestamp}"
    rejection = rejection_of(instance_insert)
    assert rejection.code == "invalid_field"
    assert "${timestamp}" in rejection.reason


def test_log_entry_of_another_payload_type_is_not_a_resource_event(instance_insert: Any) -> None:
    instance_insert["protoPayload"]["@type"] = "type.googleapis.com/google.appengine.logging.v1"
    rejection = rejection_of(instance_insert)
    assert (rejection.code, rejection.skipped) == ("not_a_resource_event", True)
    assert "google.appengine.logging.v1" in rejection.reason


def test_log_entry_without_proto_payload_is_missing_a_field(
    instance_insert: Any,
) -> None:
    del instance_insert["protoPayload"]
    assert rejection_of(instance_insert).code == "missing_field"


def test_non_object_entry_is_malformed() -> None:
    assert rejection_of(["not", "an", "entry"]).code == "invalid_field"


def test_a_disk_insert_reads_the_disk_and_its_request_labels(instance_insert: Any) -> None:
    """No public disks.insert entry was found: the real instances.insert entry with the method,
    resource name and request of compute.disks.insert as the Compute API documents them."""
    disk = "projects/my-project/zones/us-central1-a/disks/data-1"
    entry = instance_insert
    entry["protoPayload"] |= {
        "methodName": "v1.compute.disks.insert",
        "resourceName": disk,
        "request": {"name": "data-1", "sizeGb": "100", "labels": {"team": "ml"}},
    }

    event = parse_log_entry(entry)

    assert isinstance(event, ResourceEvent)
    assert (event.resource_type, event.resource_id) == ("gcp.compute.disk", disk)
    assert (event.operation, event.tags) == (Operation.CREATE, {"team": "ml"})
