"""Audit-log method names are normalised once, so API versions share one registry entry."""

from __future__ import annotations

import pytest

from costplane.adapters.gcp.auditlog_methods import METHODS, method_spec, normalise_method
from costplane.domain.events import Operation

GOVERNED_TYPES = {
    "gcp.compute.instance",
    "gcp.compute.instancetemplate",
    "gcp.storage.bucket",
    "gcp.sql.instance",
    "gcp.container.cluster",
    "gcp.bigquery.dataset",
    "gcp.pubsub.topic",
    "gcp.compute.disk",
    "gcp.compute.image",
    "gcp.compute.snapshot",
    "gcp.pubsub.subscription",
    "gcp.spanner.instance",
    "gcp.aiplatform.endpoint",
}


@pytest.mark.parametrize(
    ("method", "normalised"),
    [
        ("beta.compute.instances.insert", "compute.instances.insert"),
        ("v1.compute.instances.insert", "compute.instances.insert"),
        (
            "google.container.v1beta1.ClusterManager.CreateCluster",
            "google.container.clustermanager.createcluster",
        ),
        ("cloud.sql.v1beta4.SqlInstancesService.Insert", "cloud.sql.sqlinstancesservice.insert"),
        ("datasetservice.insert", "datasetservice.insert"),
    ],
)
def test_version_segments_are_dropped_and_case_folded(method: str, normalised: str) -> None:
    assert normalise_method(method) == normalised


def test_every_registered_method_governs_one_of_the_normalised_types() -> None:
    assert {spec.resource_type for spec in METHODS.values()} == GOVERNED_TYPES


@pytest.mark.parametrize(
    ("method", "resource_type"),
    [
        ("google.cloud.bigquery.v2.DatasetService.InsertDataset", "gcp.bigquery.dataset"),
        ("google.pubsub.v1.Publisher.CreateTopic", "gcp.pubsub.topic"),
        ("cloudsql.instances.create", "gcp.sql.instance"),
        ("storage.buckets.create", "gcp.storage.bucket"),
        ("beta.compute.instanceTemplates.insert", "gcp.compute.instancetemplate"),
        ("v1.compute.disks.insert", "gcp.compute.disk"),
        ("beta.compute.images.insert", "gcp.compute.image"),
        ("google.pubsub.v1.Subscriber.CreateSubscription", "gcp.pubsub.subscription"),
        ("google.spanner.admin.instance.v1.InstanceAdmin.CreateInstance", "gcp.spanner.instance"),
    ],
)
def test_create_methods_map_to_their_resource_type(method: str, resource_type: str) -> None:
    spec = method_spec(method)
    assert spec is not None
    assert (spec.resource_type, spec.operation) == (resource_type, Operation.CREATE)


def test_unregistered_method_has_no_spec() -> None:
    assert method_spec("compute.instances.get") is None
