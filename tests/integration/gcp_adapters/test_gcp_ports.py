"""GcpInventory and GcpEnforcer speak each service's REST API: exact requests, and their effect."""

from __future__ import annotations

import pytest

from costplane.adapters.gcp.enforcer import GcpEnforcer
from costplane.adapters.gcp.inventory import GcpInventory
from costplane.adapters.rest import CloudApiError, UnsupportedResource
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceGone
from tests.integration.azure_adapters.http_script import Exchange, Script, rest
from tests.integration.gcp_adapters.gcp_support import (
    BIGQUERY,
    BUCKET,
    CLUSTER,
    COMPUTE,
    CONTAINER,
    DATASET,
    INSTANCE,
    PROJECT,
    PUBSUB,
    SQL,
    SQLADMIN,
    STORAGE,
    TOPIC,
    compute_operation,
    google_error,
    ref,
)
from tests.support.tagging import FixedClock

FP = "42WmSpB8rSM="
LABELS_QUERY = "?fields=labels%2ClabelFingerprint"


def inventory(script: Script) -> GcpInventory:
    return GcpInventory(rest(script))


def enforcer(script: Script) -> GcpEnforcer:
    return GcpEnforcer(rest(script), FixedClock())


def read_instance(labels: dict[str, str], fingerprint: str = FP) -> Exchange:
    return Exchange(
        "GET", COMPUTE + LABELS_QUERY, reply={"labels": labels, "labelFingerprint": fingerprint}
    )


def set_labels(labels: dict[str, str], fingerprint: str = FP, status: int = 200) -> Exchange:
    stale = google_error(
        412,
        "Labels fingerprint either invalid or resource labels have changed",
        None,
        "conditionNotMet",
    )
    return Exchange(
        "POST",
        f"{COMPUTE}/setLabels",
        body={"labels": labels, "labelFingerprint": fingerprint},
        status=status,
        reply=compute_operation("setLabels") if status == 200 else stale,
    )


# Compute Engine instances: labels guarded by a fingerprint.


def test_instance_labels_are_read_with_their_fingerprint() -> None:
    script = Script(read_instance({"team": "payments", "costcenter": "cc-1001"}))
    assert inventory(script).get_tags(ref()) == {"team": "payments", "costcenter": "cc-1001"}
    assert script.done


def test_an_instance_without_labels_has_no_tags() -> None:
    script = Script(Exchange("GET", COMPUTE + LABELS_QUERY, reply={"labelFingerprint": FP}))
    assert inventory(script).get_tags(ref()) == {}


def test_a_deleted_instance_raises_resource_gone() -> None:
    error = google_error(404, f"The resource '{INSTANCE}' was not found", None, "notFound")
    script = Script(Exchange("GET", COMPUTE + LABELS_QUERY, status=404, reply=error))
    with pytest.raises(ResourceGone, match="vm-build-01"):
        inventory(script).get_tags(ref())


def test_a_forbidden_read_names_the_resource_the_status_and_the_reason() -> None:
    message = f"Required 'compute.instances.get' permission for '{INSTANCE}'"
    script = Script(
        Exchange(
            "GET",
            COMPUTE + LABELS_QUERY,
            status=403,
            reply=google_error(403, message, None, "forbidden"),
        )
    )
    with pytest.raises(CloudApiError) as raised:
        inventory(script).get_tags(ref())
    assert (raised.value.status, raised.value.code) == (403, "forbidden")
    assert str(raised.value) == (
        f"GET {COMPUTE}{LABELS_QUERY} failed with HTTP 403 forbidden: {message}"
    )


def test_tag_converts_tags_to_labels_and_merges_them_under_the_fingerprint() -> None:
    script = Script(
        read_instance({"team": "payments"}),
        set_labels({"team": "payments", "costcenter": "cc-1001", "environment": "dev"}),
    )
    enforcer(script).tag(ref(), {"CostCenter": "CC-1001", "Environment": "dev"})
    assert script.done


def test_a_stale_fingerprint_is_read_again_and_retried_once() -> None:
    script = Script(
        read_instance({}, fingerprint=FP),
        set_labels({"environment": "dev"}, fingerprint=FP, status=412),
        read_instance({"owner": "alice"}, fingerprint="p1ZtBkWmJl0="),
        set_labels({"owner": "alice", "environment": "dev"}, fingerprint="p1ZtBkWmJl0="),
    )
    enforcer(script).tag(ref(), {"Environment": "dev"})
    assert script.done


def test_a_fingerprint_stale_twice_is_an_error() -> None:
    script = Script(
        read_instance({}),
        set_labels({"environment": "dev"}, status=412),
        read_instance({}, fingerprint="p1ZtBkWmJl0="),
        set_labels({"environment": "dev"}, fingerprint="p1ZtBkWmJl0=", status=412),
    )
    with pytest.raises(CloudApiError, match="HTTP 412 conditionNotMet"):
        enforcer(script).tag(ref(), {"Environment": "dev"})


def test_labels_already_in_place_are_not_written_again() -> None:
    script = Script(read_instance({"environment": "dev"}))
    enforcer(script).tag(ref(), {"Environment": "dev"})
    assert script.done


def test_untag_removes_the_converted_keys() -> None:
    script = Script(
        read_instance({"costplane-op": "stop-20261128t0615z", "team": "payments"}),
        set_labels({"team": "payments"}),
    )
    enforcer(script).untag(ref(), ["costplane-op"])
    assert script.done


def test_stop_stops_the_instance() -> None:
    reply = compute_operation("stop")
    script = Script(Exchange("POST", f"{COMPUTE}/stop", reply=reply))
    enforcer(script).stop(ref())
    assert script.done


def test_quarantine_labels_the_instance_with_when_then_stops_it() -> None:
    quarantined = {"team": "payments", "costplane-quarantined": "quarantine-20261127t1200z"}
    script = Script(
        read_instance({"team": "payments"}),
        set_labels(quarantined),
        Exchange("POST", f"{COMPUTE}/stop", reply=compute_operation("stop")),
    )
    enforcer(script).quarantine(ref())
    assert script.done


# Cloud Storage buckets, Cloud SQL instances, BigQuery datasets: PATCH merges, null removes.


def test_bucket_labels_are_read_with_a_partial_response() -> None:
    reply = {"labels": {"team": "data"}}
    script = Script(Exchange("GET", f"{STORAGE}?fields=labels", reply=reply))
    assert inventory(script).get_tags(ref(BUCKET, "gcp.storage.bucket")) == {"team": "data"}


def test_bucket_tags_are_patched_in_and_removed_with_null() -> None:
    bucket = ref(BUCKET, "gcp.storage.bucket")
    script = Script(
        Exchange("PATCH", STORAGE, body={"labels": {"costcenter": "cc-1001"}}, reply={}),
        Exchange("PATCH", STORAGE, body={"labels": {"costplane-op": None}}, reply={}),
    )
    enforcer(script).tag(bucket, {"CostCenter": "CC-1001"})
    enforcer(script).untag(bucket, ["costplane-op"])
    assert script.done


def test_a_bare_bucket_name_is_addressed_too() -> None:
    script = Script(Exchange("GET", f"{STORAGE}?fields=labels", reply={}))
    assert inventory(script).get_tags(ref("costplane-exports", "gcp.storage.bucket")) == {}


def test_cloud_sql_user_labels_are_read_and_patched_under_settings() -> None:
    sql = ref(SQL, "gcp.sql.instance")
    reply = {"settings": {"userLabels": {"team": "payments"}}}
    script = Script(
        Exchange("GET", f"{SQLADMIN}?fields=settings%2FuserLabels", reply=reply),
        Exchange(
            "PATCH",
            SQLADMIN,
            body={"settings": {"userLabels": {"environment": "dev"}}},
            reply={"kind": "sql#operation", "operationType": "UPDATE", "status": "PENDING"},
        ),
    )
    assert inventory(script).get_tags(sql) == {"team": "payments"}
    enforcer(script).tag(sql, {"Environment": "dev"})
    assert script.done


def test_the_audit_log_name_of_a_cloud_sql_instance_addresses_the_same_instance() -> None:
    script = Script(Exchange("GET", f"{SQLADMIN}?fields=settings%2FuserLabels", reply={}))
    audit_name = ref(f"instances/{PROJECT}:pg-billing", "gcp.sql.instance")
    assert inventory(script).get_tags(audit_name) == {}


def test_stopping_cloud_sql_sets_its_activation_policy_to_never() -> None:
    body = {"settings": {"activationPolicy": "NEVER"}}
    script = Script(Exchange("PATCH", SQLADMIN, body=body, reply={"kind": "sql#operation"}))
    enforcer(script).stop(ref(SQL, "gcp.sql.instance"))
    assert script.done


def test_bigquery_dataset_labels_are_patched_in() -> None:
    dataset = ref(DATASET, "gcp.bigquery.dataset")
    script = Script(
        Exchange("GET", f"{BIGQUERY}?fields=labels", reply={"labels": {"team": "data"}}),
        Exchange("PATCH", BIGQUERY, body={"labels": {"dataclassification": "internal"}}, reply={}),
    )
    assert inventory(script).get_tags(dataset) == {"team": "data"}
    enforcer(script).tag(dataset, {"DataClassification": "internal"})
    assert script.done


# Pub/Sub topics: PATCH with updateMask replaces the whole map, so it is read and merged first.


def test_topic_labels_are_read_merged_and_replaced_under_an_update_mask() -> None:
    topic = ref(TOPIC, "gcp.pubsub.topic")
    current = {"name": TOPIC, "labels": {"team": "data"}}
    merged = {"team": "data", "costcenter": "cc-1001"}
    script = Script(
        Exchange("GET", PUBSUB, reply=current),
        Exchange(
            "PATCH",
            PUBSUB,
            body={"topic": {"labels": merged}, "updateMask": "labels"},
            reply={"name": TOPIC, "labels": merged},
        ),
    )
    enforcer(script).tag(topic, {"CostCenter": "CC-1001"})
    assert script.done


# GKE clusters: resourceLabels guarded by a fingerprint, like Compute.


def test_cluster_resource_labels_are_set_under_the_fingerprint() -> None:
    cluster = ref(CLUSTER, "gcp.container.cluster")
    read = {"resourceLabels": {"team": "platform"}, "labelFingerprint": "a1b2c3d4"}
    script = Script(
        Exchange("GET", f"{CONTAINER}?fields=resourceLabels%2ClabelFingerprint", reply=read),
        Exchange(
            "POST",
            f"{CONTAINER}:setResourceLabels",
            body={
                "resourceLabels": {"team": "platform", "environment": "dev"},
                "labelFingerprint": "a1b2c3d4",
            },
            reply={"name": "operation-1764244500000-abcdef", "operationType": "SET_LABELS"},
        ),
    )
    enforcer(script).tag(cluster, {"Environment": "dev"})
    assert script.done


def test_a_zonal_cluster_name_is_addressed_through_locations() -> None:
    zonal = ref(
        f"projects/{PROJECT}/zones/us-central1/clusters/standard-cluster-1", "gcp.container.cluster"
    )
    url = f"{CONTAINER}?fields=resourceLabels%2ClabelFingerprint"
    script = Script(Exchange("GET", url, reply={"labelFingerprint": "a1b2c3d4"}))
    assert inventory(script).get_tags(zonal) == {}


# What is not supported fails before any request.


def test_an_unknown_type_is_unsupported() -> None:
    with pytest.raises(UnsupportedResource, match=r"no GCP adapter for gcp\.file\.instance"):
        inventory(Script()).get_tags(ref("projects/p/locations/l/instances/i", "gcp.file.instance"))


def test_a_name_that_does_not_fit_its_type_is_unsupported() -> None:
    with pytest.raises(UnsupportedResource, match=r"is not a gcp\.compute\.instance name"):
        inventory(Script()).get_tags(ref(f"projects/{PROJECT}/datasets", "gcp.compute.instance"))


def test_stopping_a_bucket_is_unsupported() -> None:
    with pytest.raises(UnsupportedResource, match=r"cannot stop gcp\.storage\.bucket"):
        enforcer(Script()).stop(ref(BUCKET, "gcp.storage.bucket"))


@pytest.mark.parametrize(
    ("kind", "resource_type", "supported"),
    [
        (ActionKind.TAG, "gcp.storage.bucket", True),
        (ActionKind.MARK_FOR_OP, "gcp.pubsub.topic", True),
        (ActionKind.UNTAG, "gcp.container.cluster", True),
        (ActionKind.STOP, "gcp.compute.instance", True),
        (ActionKind.QUARANTINE, "gcp.sql.instance", True),
        (ActionKind.STOP, "gcp.bigquery.dataset", False),
        (ActionKind.STOP, "gcp.container.cluster", False),
        (ActionKind.TAG, "gcp.run.service", True),
        (ActionKind.UNTAG, "gcp.dataproc.cluster", True),
        (ActionKind.STOP, "gcp.spanner.instance", False),
        (ActionKind.TAG, "gcp.file.instance", False),
        (ActionKind.TAG, "azure.compute.virtualmachine", False),
    ],
)
def test_supports_labels_on_registered_types_and_stops_compute_and_sql(
    kind: ActionKind, resource_type: str, supported: bool
) -> None:
    assert enforcer(Script()).supports(kind, resource_type) is supported


# Disks, snapshots and images: labels under a fingerprint, like instances (issue 16).


@pytest.mark.parametrize(
    ("resource_id", "resource_type"),
    [
        (f"projects/{PROJECT}/zones/us-central1-a/disks/data-1", "gcp.compute.disk"),
        (f"projects/{PROJECT}/global/snapshots/nightly", "gcp.compute.snapshot"),
        (f"projects/{PROJECT}/global/images/base", "gcp.compute.image"),
    ],
)
def test_compute_disk_snapshot_and_image_labels_are_set_under_the_fingerprint(
    resource_id: str, resource_type: str
) -> None:
    url = f"https://compute.googleapis.com/compute/v1/{resource_id}"
    script = Script(
        Exchange("GET", url + LABELS_QUERY, reply={"labels": {}, "labelFingerprint": FP}),
        Exchange(
            "POST",
            f"{url}/setLabels",
            body={"labels": {"costcenter": "cc-1001"}, "labelFingerprint": FP},
            reply=compute_operation("setLabels"),
        ),
    )
    enforcer(script).tag(ref(resource_id, resource_type), {"CostCenter": "CC-1001"})
    assert script.done


def test_bigquery_table_labels_are_patched_in() -> None:
    table = f"{DATASET}/tables/usage"
    script = Script(
        Exchange(
            "PATCH",
            f"{BIGQUERY}/tables/usage",
            body={"labels": {"costcenter": "cc-1001"}},
            reply={"labels": {"costcenter": "cc-1001"}},
        )
    )
    enforcer(script).tag(ref(table, "gcp.bigquery.table"), {"CostCenter": "CC-1001"})
    assert script.done


def test_subscription_labels_are_read_merged_and_replaced_under_an_update_mask() -> None:
    name = f"projects/{PROJECT}/subscriptions/costplane-push"
    url = f"https://pubsub.googleapis.com/v1/{name}"
    merged = {"team": "data", "costcenter": "cc-1001"}
    script = Script(
        Exchange("GET", url, reply={"name": name, "labels": {"team": "data"}}),
        Exchange(
            "PATCH",
            url,
            body={"subscription": {"labels": merged}, "updateMask": "labels"},
            reply={"name": name, "labels": merged},
        ),
    )
    enforcer(script).tag(ref(name, "gcp.pubsub.subscription"), {"CostCenter": "CC-1001"})
    assert script.done
