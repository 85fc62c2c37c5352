"""Spanner, Cloud Run, Memorystore Redis and Dataproc labels: PATCH under a `labels` field mask.

Each API replaces the whole label map named by the mask, so the labels are read, merged and
written back whole; labels set by others (Dataproc's own `goog-dataproc-*`) are kept. Spanner
takes the mask in the body (`fieldMask`, REST reference projects.instances.patch); Cloud Run v2,
Redis v1 and Dataproc v1 take it as the `updateMask` query parameter (their patch references).
Cloud Run sends back the service's etag, so a concurrent change is refused (409 ABORTED, AIP-154)
and the write is retried once after a fresh read.
"""

from __future__ import annotations

from typing import Any

import pytest

from costplane.adapters.gcp.enforcer import GcpEnforcer
from costplane.adapters.gcp.inventory import GcpInventory
from costplane.adapters.rest import CloudApiError
from tests.integration.azure_adapters.http_script import Exchange, Script, rest
from tests.integration.gcp_adapters.gcp_support import (
    DATAPROC,
    DATAPROC_NAME,
    PROJECT,
    REDIS,
    REDIS_NAME,
    RUN,
    RUN_NAME,
    SPANNER,
    SPANNER_NAME,
    google_error,
    ref,
)
from tests.support.tagging import FixedClock

MASK = "?updateMask=labels"
TAGS = {"CostCenter": "CC-1001"}
ETAG = '"CKbM4skGEJDs5bwC/cHJvamVjdHMvY29zdHBsYW5lLWRlbW8tMTI5MQ"'


def operation(name: str) -> dict[str, Any]:
    """A long-running operation, as each of these patches answers."""
    return {"name": f"{name}/operations/op-1764244500", "done": False}


def enforcer(script: Script) -> GcpEnforcer:
    return GcpEnforcer(rest(script), FixedClock())


def test_spanner_labels_are_merged_and_patched_with_a_field_mask_in_the_body() -> None:
    merged = {"team": "orders", "costcenter": "cc-1001"}
    script = Script(
        Exchange("GET", SPANNER, reply={"name": SPANNER_NAME, "labels": {"team": "orders"}}),
        Exchange(
            "PATCH",
            SPANNER,
            body={"instance": {"labels": merged}, "fieldMask": "labels"},
            reply=operation(SPANNER_NAME),
        ),
    )
    enforcer(script).tag(ref(SPANNER_NAME, "gcp.spanner.instance"), TAGS)
    assert script.done


def test_cloud_run_labels_are_patched_with_an_update_mask_query_and_the_etag_read() -> None:
    merged = {"env": "prod", "costcenter": "cc-1001"}
    script = Script(
        Exchange("GET", RUN, reply={"name": RUN_NAME, "labels": {"env": "prod"}, "etag": ETAG}),
        Exchange(
            "PATCH", RUN + MASK, body={"labels": merged, "etag": ETAG}, reply=operation(RUN_NAME)
        ),
    )
    enforcer(script).tag(ref(RUN_NAME, "gcp.run.service"), TAGS)
    assert script.done


def conflict() -> Any:
    return google_error(409, "etag mismatch", "ABORTED")


def test_a_cloud_run_etag_changed_since_the_read_is_read_again_and_retried_once() -> None:
    fresh = '"CNDt5skGEPjl3Z0D/cHJvamVjdHMvY29zdHBsYW5lLWRlbW8tMTI5MQ"'
    script = Script(
        Exchange("GET", RUN, reply={"labels": {}, "etag": ETAG}),
        Exchange(
            "PATCH",
            RUN + MASK,
            body={"labels": {"costcenter": "cc-1001"}, "etag": ETAG},
            status=409,
            reply=conflict(),
        ),
        Exchange("GET", RUN, reply={"labels": {"owner": "ana"}, "etag": fresh}),
        Exchange(
            "PATCH",
            RUN + MASK,
            body={"labels": {"owner": "ana", "costcenter": "cc-1001"}, "etag": fresh},
            reply=operation(RUN_NAME),
        ),
    )
    enforcer(script).tag(ref(RUN_NAME, "gcp.run.service"), TAGS)
    assert script.done


def test_a_cloud_run_etag_changed_twice_is_an_error() -> None:
    patch = Exchange(
        "PATCH",
        RUN + MASK,
        body={"labels": {"costcenter": "cc-1001"}, "etag": ETAG},
        status=409,
        reply=conflict(),
    )
    read = Exchange("GET", RUN, reply={"labels": {}, "etag": ETAG})
    script = Script(read, patch, read, patch)
    with pytest.raises(CloudApiError, match="409"):
        enforcer(script).tag(ref(RUN_NAME, "gcp.run.service"), TAGS)


def test_redis_labels_are_patched_with_an_update_mask_query() -> None:
    script = Script(
        Exchange("GET", REDIS, reply={"name": REDIS_NAME, "memorySizeGb": 5}),
        Exchange(
            "PATCH",
            REDIS + MASK,
            body={"labels": {"costcenter": "cc-1001"}},
            reply=operation(REDIS_NAME),
        ),
    )
    enforcer(script).tag(ref(REDIS_NAME, "gcp.redis.instance"), TAGS)
    assert script.done


def test_dataproc_labels_are_patched_whole_keeping_the_labels_dataproc_set() -> None:
    own = {
        "goog-dataproc-cluster-name": "etl-nightly",
        "goog-dataproc-cluster-uuid": "2d4f1c5e-8a1b-4c3d-9e0f-6a7b8c9d0e1f",
        "goog-dataproc-location": "us-central1",
    }
    script = Script(
        Exchange("GET", DATAPROC, reply={"clusterName": "etl-nightly", "labels": own}),
        Exchange(
            "PATCH",
            DATAPROC + MASK,
            body={"labels": {**own, "costcenter": "cc-1001"}},
            reply=operation(f"projects/{PROJECT}/regions/us-central1"),
        ),
    )
    enforcer(script).tag(ref(DATAPROC_NAME, "gcp.dataproc.cluster"), TAGS)
    assert script.done


def test_untag_writes_the_map_without_the_removed_keys() -> None:
    current = {"costcenter": "cc-1001", "team": "web"}
    script = Script(
        Exchange("GET", REDIS, reply={"labels": current}),
        Exchange(
            "PATCH", REDIS + MASK, body={"labels": {"team": "web"}}, reply=operation(REDIS_NAME)
        ),
    )
    enforcer(script).untag(ref(REDIS_NAME, "gcp.redis.instance"), ["CostCenter"])
    assert script.done


def test_labels_already_in_place_are_not_written_again() -> None:
    script = Script(Exchange("GET", SPANNER, reply={"labels": {"costcenter": "cc-1001"}}))
    enforcer(script).tag(ref(SPANNER_NAME, "gcp.spanner.instance"), TAGS)
    assert script.done


@pytest.mark.parametrize(
    ("resource_id", "resource_type", "url"),
    [
        (SPANNER_NAME, "gcp.spanner.instance", SPANNER),
        (f"//run.googleapis.com/{RUN_NAME}", "gcp.run.service", RUN),
        (REDIS_NAME, "gcp.redis.instance", REDIS),
        (DATAPROC_NAME, "gcp.dataproc.cluster", DATAPROC),
    ],
)
def test_the_inventory_reads_their_labels_from_the_resource(
    resource_id: str, resource_type: str, url: str
) -> None:
    script = Script(Exchange("GET", url, reply={"labels": {"team": "web"}}))
    assert GcpInventory(rest(script)).get_tags(ref(resource_id, resource_type)) == {"team": "web"}
