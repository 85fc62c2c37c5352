"""GCP test fixtures: resource names, and response bodies in the shapes the REST references give."""

from __future__ import annotations

from typing import Any

from costplane.domain.events import Provider
from costplane.engine.ports import ResourceRef

PROJECT = "costplane-demo-1291"
INSTANCE = f"projects/{PROJECT}/zones/us-central1-a/instances/vm-build-01"
COMPUTE = f"https://compute.googleapis.com/compute/v1/{INSTANCE}"
BUCKET = "projects/_/buckets/costplane-exports"
STORAGE = "https://storage.googleapis.com/storage/v1/b/costplane-exports"
SQL = f"projects/{PROJECT}/instances/pg-billing"
SQLADMIN = f"https://sqladmin.googleapis.com/v1/{SQL}"
DATASET = f"projects/{PROJECT}/datasets/finops"
BIGQUERY = f"https://bigquery.googleapis.com/bigquery/v2/{DATASET}"
TOPIC = f"projects/{PROJECT}/topics/test-auditlogs-source"
PUBSUB = f"https://pubsub.googleapis.com/v1/{TOPIC}"
CLUSTER = f"projects/{PROJECT}/locations/us-central1/clusters/standard-cluster-1"
CONTAINER = f"https://container.googleapis.com/v1/{CLUSTER}"
SPANNER_NAME = f"projects/{PROJECT}/instances/orders-prod"
SPANNER = f"https://spanner.googleapis.com/v1/{SPANNER_NAME}"
RUN_NAME = f"projects/{PROJECT}/locations/europe-west1/services/checkout-api"
RUN = f"https://run.googleapis.com/v2/{RUN_NAME}"
REDIS_NAME = f"projects/{PROJECT}/locations/us-central1/instances/session-cache"
REDIS = f"https://redis.googleapis.com/v1/{REDIS_NAME}"
DATAPROC_NAME = f"projects/{PROJECT}/regions/us-central1/clusters/etl-nightly"
DATAPROC = f"https://dataproc.googleapis.com/v1/{DATAPROC_NAME}"


def ref(resource_id: str = INSTANCE, resource_type: str = "gcp.compute.instance") -> ResourceRef:
    return ResourceRef(
        provider=Provider.GCP,
        account=PROJECT,
        region="us-central1",
        resource_id=resource_id,
        resource_type=resource_type,
    )


def google_error(code: int, message: str, status: str | None = None, reason: str = "") -> Any:
    """Google's error envelope; Compute and Storage give `errors[].reason`, others `status`."""
    error: dict[str, Any] = {"code": code, "message": message}
    if status:
        error["status"] = status
    if reason:
        error["errors"] = [{"message": message, "domain": "global", "reason": reason}]
    return {"error": error}


def compute_operation(operation_type: str) -> dict[str, Any]:
    """A zonal `compute#operation`, as setLabels and stop return it."""
    return {
        "kind": "compute#operation",
        "id": "4178254734211012121",
        "name": "operation-1764244500000-62b4c1d2e3f4a-5b6c7d8e-9f0a1b2c",
        "zone": f"https://www.googleapis.com/compute/v1/projects/{PROJECT}/zones/us-central1-a",
        "operationType": operation_type,
        "targetLink": f"https://www.googleapis.com/compute/v1/{INSTANCE}",
        "status": "RUNNING",
        "progress": 0,
        "insertTime": "2026-11-27T04:15:00.000-08:00",
    }
