"""The Cloud Audit Log methods that create, label or delete a governed resource.

A registry keyed by the normalised method name: lowercase, API-version segments dropped, so
`beta.compute.instances.insert`, `v1.compute.instances.insert` and `compute.instances.insert`
are one entry, as are `google.container.v1.ClusterManager.CreateCluster` and its v1beta1 twin.
Each entry says where its resource name, labels and region are, when the generic rules
(`protoPayload.resourceName`, the resource path, the monitored resource) do not suffice.

Labels are read from the request field that carries the resource's labels, and `tags` is None
when that field is absent, or when no sample shows us one (storage buckets, v2 BigQuery
datasets): the Inventory then reads the labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from costplane.domain.events import Operation

Extractor = Callable[[dict[str, Any]], Any]

_VERSION_SEGMENT = re.compile(r"v\d+(?:(?:alpha|beta)\d*)?|alpha|beta")


@lru_cache(maxsize=1024)
def normalise_method(method: str) -> str:
    """`beta.compute.instances.insert` -> `compute.instances.insert` (cached: few distinct)."""
    return ".".join(p for p in method.lower().split(".") if not _VERSION_SEGMENT.fullmatch(p))


def at(*path: str) -> Extractor:
    """Read `path` in a protoPayload; None when any step is missing."""

    def extract(payload: dict[str, Any]) -> Any:
        node: Any = payload
        for key in path:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node

    return extract


def _nothing(payload: dict[str, Any]) -> Any:
    return None


resource_name = at("resourceName")


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """What one method does to which resource type, and where its entry keeps the facts."""

    resource_type: str
    operation: Operation
    labels: Extractor = _nothing
    name: Extractor = resource_name
    region: Extractor = _nothing


def _sql_instance_name(payload: dict[str, Any]) -> str | None:
    """Cloud SQL logs `instances/<project>:<name>`; we name it `projects/<p>/instances/<n>`."""
    name = payload.get("resourceName")
    if isinstance(name, str) and name.startswith("instances/") and ":" in name:
        project, _, instance = name.removeprefix("instances/").partition(":")
        return f"projects/{project}/instances/{instance}"
    if isinstance(name, str) and name.startswith("projects/"):
        return name
    return None


_DATASET_NAME = at("serviceData", "datasetInsertRequest", "resource", "datasetName")


def _legacy_dataset_name(payload: dict[str, Any]) -> str | None:
    """Legacy BigQuery logs name the collection; the dataset id is in the insert request."""
    dataset = _DATASET_NAME(payload)
    if not isinstance(dataset, dict):
        return None
    project, dataset_id = dataset.get("projectId"), dataset.get("datasetId")
    if isinstance(project, str) and isinstance(dataset_id, str) and project and dataset_id:
        return f"projects/{project}/datasets/{dataset_id}"
    return None


INSTANCE = "gcp.compute.instance"
TEMPLATE = "gcp.compute.instancetemplate"
BUCKET = "gcp.storage.bucket"
SQL = "gcp.sql.instance"
CLUSTER = "gcp.container.cluster"
DATASET = "gcp.bigquery.dataset"
TOPIC = "gcp.pubsub.topic"

_SQL_LABELS = at("request", "body", "settings", "userLabels")
_SQL_REGION = at("request", "body", "region")
_CLUSTER_API = "google.container.v1.ClusterManager."
_DATASET_API = "google.cloud.bigquery.v2.DatasetService."
_TOPIC_API = "google.pubsub.v1.Publisher."
_SQL_API = "cloud.sql.v1.SqlInstancesService."

METHODS: dict[str, MethodSpec] = {}


def register_method(spec: MethodSpec, *methods: str) -> None:
    for method in methods:
        METHODS[normalise_method(method)] = spec


register_method(
    MethodSpec(INSTANCE, Operation.CREATE, labels=at("request", "labels")),
    "compute.instances.insert",
)
register_method(
    MethodSpec(INSTANCE, Operation.TAG, labels=at("request", "labels")),
    "compute.instances.setLabels",
)
register_method(MethodSpec(INSTANCE, Operation.DELETE), "compute.instances.delete")
register_method(
    MethodSpec(TEMPLATE, Operation.CREATE, labels=at("request", "properties", "labels")),
    "compute.instanceTemplates.insert",
)
register_method(MethodSpec(TEMPLATE, Operation.DELETE), "compute.instanceTemplates.delete")
register_method(MethodSpec(BUCKET, Operation.CREATE), "storage.buckets.create")
register_method(MethodSpec(BUCKET, Operation.DELETE), "storage.buckets.delete")
register_method(
    MethodSpec(
        SQL, Operation.CREATE, labels=_SQL_LABELS, name=_sql_instance_name, region=_SQL_REGION
    ),
    "cloudsql.instances.create",
    f"{_SQL_API}Insert",
)
register_method(
    MethodSpec(SQL, Operation.DELETE, name=_sql_instance_name),
    "cloudsql.instances.delete",
    f"{_SQL_API}Delete",
)
register_method(
    MethodSpec(CLUSTER, Operation.CREATE, labels=at("request", "cluster", "resourceLabels")),
    f"{_CLUSTER_API}CreateCluster",
)
register_method(
    MethodSpec(CLUSTER, Operation.TAG, labels=at("request", "resourceLabels")),
    f"{_CLUSTER_API}SetLabels",
)
register_method(MethodSpec(CLUSTER, Operation.DELETE), f"{_CLUSTER_API}DeleteCluster")
register_method(
    MethodSpec(
        DATASET,
        Operation.CREATE,
        labels=at("serviceData", "datasetInsertRequest", "resource", "info", "labels"),
        name=_legacy_dataset_name,
    ),
    "datasetservice.insert",
)
register_method(MethodSpec(DATASET, Operation.CREATE), f"{_DATASET_API}InsertDataset")
register_method(
    MethodSpec(DATASET, Operation.DELETE), "datasetservice.delete", f"{_DATASET_API}DeleteDataset"
)
register_method(
    MethodSpec(TOPIC, Operation.CREATE, labels=at("request", "labels")), f"{_TOPIC_API}CreateTopic"
)
register_method(MethodSpec(TOPIC, Operation.DELETE), f"{_TOPIC_API}DeleteTopic")

# The other services that carry most spend (issue 16): methods whose resourceName is the
# resource's own name, as for instances and topics. Their labels are in the request where the
# API takes them at creation; the Cloud Asset Inventory feed is the catch-all for the rest.
DISK = "gcp.compute.disk"
IMAGE = "gcp.compute.image"
SNAPSHOT = "gcp.compute.snapshot"
SUBSCRIPTION = "gcp.pubsub.subscription"
SPANNER = "gcp.spanner.instance"
_SPANNER_API = "google.spanner.admin.instance.v1.InstanceAdmin."
_SUBSCRIBER_API = "google.pubsub.v1.Subscriber."

for _kind, _collection in ((DISK, "disks"), (IMAGE, "images")):
    register_method(
        MethodSpec(_kind, Operation.CREATE, labels=at("request", "labels")),
        f"compute.{_collection}.insert",
    )
for _kind, _collection in ((DISK, "disks"), (IMAGE, "images"), (SNAPSHOT, "snapshots")):
    register_method(
        MethodSpec(_kind, Operation.TAG, labels=at("request", "labels")),
        f"compute.{_collection}.setLabels",
    )
    register_method(MethodSpec(_kind, Operation.DELETE), f"compute.{_collection}.delete")
register_method(
    MethodSpec(SUBSCRIPTION, Operation.CREATE, labels=at("request", "labels")),
    f"{_SUBSCRIBER_API}CreateSubscription",
)
register_method(MethodSpec(SUBSCRIPTION, Operation.DELETE), f"{_SUBSCRIBER_API}DeleteSubscription")
register_method(
    MethodSpec(SPANNER, Operation.CREATE, labels=at("request", "instance", "labels")),
    f"{_SPANNER_API}CreateInstance",
)
register_method(MethodSpec(SPANNER, Operation.DELETE), f"{_SPANNER_API}DeleteInstance")


# Vertex AI endpoints. CreateEndpoint is a long-running call on the location: the new endpoint's
# name is the operation's (`…/endpoints/<id>/operations/<op>`) in the response, else the request's
# `endpointId` under the parent. Deploying or undeploying a model starts or stops what bills.
ENDPOINT = "gcp.aiplatform.endpoint"
_ENDPOINT_API = "google.cloud.aiplatform.v1.EndpointService."


def _created_endpoint(payload: dict[str, Any]) -> str | None:
    operation = at("response", "name")(payload)
    if isinstance(operation, str) and "/endpoints/" in operation:
        return operation.partition("/operations/")[0]
    parent, endpoint_id = payload.get("resourceName"), at("request", "endpointId")(payload)
    if isinstance(parent, str) and isinstance(endpoint_id, str) and endpoint_id:
        return f"{parent.rstrip('/')}/endpoints/{endpoint_id}"
    return parent if isinstance(parent, str) and "/endpoints/" in parent else None


register_method(
    MethodSpec(
        ENDPOINT,
        Operation.CREATE,
        labels=at("request", "endpoint", "labels"),
        name=_created_endpoint,
    ),
    f"{_ENDPOINT_API}CreateEndpoint",
)
register_method(
    MethodSpec(ENDPOINT, Operation.TAG, labels=at("request", "endpoint", "labels")),
    f"{_ENDPOINT_API}UpdateEndpoint",
)
register_method(
    MethodSpec(ENDPOINT, Operation.STATE),
    f"{_ENDPOINT_API}DeployModel",
    f"{_ENDPOINT_API}UndeployModel",
)
register_method(MethodSpec(ENDPOINT, Operation.DELETE), f"{_ENDPOINT_API}DeleteEndpoint")


def method_spec(method: str) -> MethodSpec | None:
    return METHODS.get(normalise_method(method))
