"""Act on GCP resources through their REST APIs: labels on every registered type, stop on some.

Tags are converted to labels on write (`labels.to_labels`). Stop is `instances.stop` for Compute
(the VM is TERMINATED: no vCPU or memory charges, disks stay) and activation policy NEVER for
Cloud SQL. Quarantine labels the resource `costplane-quarantined` (when) and stops it.

IAM permissions of the function's service account (best as one custom role): read and label
`compute.instances.get`/`setLabels`/`stop`, `storage.buckets.get`/`update`,
`cloudsql.instances.get`/`update` (labels and stop), `bigquery.datasets.get`/`update`,
`pubsub.topics.get`/`update`, `container.clusters.get`/`update`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from costplane.adapters.gcp.labels import label_key, to_labels
from costplane.adapters.gcp.resources import KINDS, locate
from costplane.adapters.rest import (
    STOPPING,
    TAGGING,
    RestClient,
    UnsupportedResource,
    quarantine_tags,
)
from costplane.domain.decisions import ActionKind
from costplane.ports import Clock, ResourceRef


class GcpEnforcer:
    """Labels the types in `resources.KINDS`; stops those that declare how."""

    def __init__(self, rest: RestClient, clock: Clock) -> None:
        self.rest = rest
        self.clock = clock

    def supports(self, kind: ActionKind, resource_type: str) -> bool:
        resource = KINDS.get(resource_type)
        if resource is None:
            return False
        return kind in TAGGING or (kind in STOPPING and resource.stop is not None)

    def tag(self, ref: ResourceRef, tags: Mapping[str, str]) -> None:
        kind, url = locate(ref)
        kind.labels.write(self.rest, url, ref.resource_id, to_labels(tags), ())

    def untag(self, ref: ResourceRef, keys: Iterable[str]) -> None:
        kind, url = locate(ref)
        kind.labels.write(self.rest, url, ref.resource_id, {}, {label_key(k) for k in keys})

    def stop(self, ref: ResourceRef) -> None:
        kind, url = locate(ref)
        if kind.stop is None:
            raise UnsupportedResource(f"cannot stop {ref.resource_type} {ref.resource_id}")
        kind.stop(self.rest, url, ref.resource_id)

    def quarantine(self, ref: ResourceRef) -> None:
        self.tag(ref, quarantine_tags(self.clock.now()))
        self.stop(ref)
