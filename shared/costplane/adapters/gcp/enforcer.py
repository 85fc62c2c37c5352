"""Act on GCP resources through their REST APIs: labels on every registered type, stop on some.

Tags are converted to labels on write (`labels.to_labels`). Stop is `instances.stop` for Compute
(the VM is TERMINATED: no vCPU or memory charges, disks stay) and activation policy NEVER for
Cloud SQL. Quarantine labels the resource `costplane-quarantined` (when) and stops it.
Suspend stops a Compute instance and throttle empties a GKE node pool, each recording what
undoes it in a label (see `capacity`); `resume` starts the instance or restores the pool.
Vertex AI (see `vertex`): suspend or decommission undeploys an endpoint's models, suspend of a
Model Garden model denies it in the project's `vertexai.allowedModels` policy.

IAM permissions of the function's service account (best as one custom role): read and label
`compute.instances.get`/`setLabels`/`stop`, `storage.buckets.get`/`update`,
`cloudsql.instances.get`/`update` (labels and stop), `bigquery.datasets.get`/`update`,
`pubsub.topics.get`/`update`, `container.clusters.get`/`update`, `compute.disks`,
`compute.snapshots` and `compute.images` `.get`/`.setLabels`, `bigquery.tables.get`/`update`,
`pubsub.subscriptions.get`/`update`, `spanner.instances.get`/`update`,
`run.services.get`/`update`, `redis.instances.get`/`update`, `dataproc.clusters.get`/`update`.
Suspend and its resume add `compute.instances.start`; throttle and its resume
`container.clusters.get`/`update` (node pool size and autoscaling, cluster labels),
`container.operations.get` and `compute.instanceGroupManagers.get`. Vertex AI endpoints:
`aiplatform.endpoints.get`/`update` (labels), `aiplatform.endpoints.undeploy`/`deploy` and
`aiplatform.models.deploy`; Model Garden denial: `orgpolicy.policy.get`,
`orgpolicy.policies.create`/`update`/`delete`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from costplane.adapters.gcp.capacity import NodePools, Sleep, instance_suspension
from costplane.adapters.gcp.labels import label_key, to_labels
from costplane.adapters.gcp.resources import KINDS, locate
from costplane.adapters.gcp.vertex import (
    ENDPOINT,
    PUBLISHER_MODEL,
    EndpointUndeploy,
    ModelDenial,
)
from costplane.adapters.rest import (
    STOPPING,
    TAGGING,
    RestClient,
    UnsupportedResource,
    quarantine_tags,
)
from costplane.domain.decisions import ActionKind
from costplane.engine.executor import NOTIFYING
from costplane.engine.ports import Clock, ResourceRef
from costplane.engine.undo import REVERSIBLE, Reversible, ReversibleActions


class GcpEnforcer(ReversibleActions):
    """Labels the types in `resources.KINDS`; stops those that declare how."""

    def __init__(self, rest: RestClient, clock: Clock, sleep: Sleep = time.sleep) -> None:
        self.rest = rest
        self.clock = clock
        self.reversible: dict[ActionKind, dict[str, Reversible]] = {
            ActionKind.SUSPEND: {
                "gcp.compute.instance": instance_suspension(rest),
                ENDPOINT: EndpointUndeploy(rest, ActionKind.SUSPEND).reversible(),
                PUBLISHER_MODEL: ModelDenial(rest).reversible(),
            },
            ActionKind.THROTTLE: {"gcp.container.nodepool": NodePools(rest, sleep).throttle()},
            ActionKind.DECOMMISSION: {
                ENDPOINT: EndpointUndeploy(rest, ActionKind.DECOMMISSION).reversible(),
            },
        }

    def supports(self, kind: ActionKind, resource_type: str) -> bool:
        if kind in REVERSIBLE:
            return self.reverses(kind, resource_type)
        resource = KINDS.get(resource_type)
        if resource is None:
            return False
        return (
            kind in TAGGING or kind in NOTIFYING or (kind in STOPPING and resource.stop is not None)
        )

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
