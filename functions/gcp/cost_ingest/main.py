"""Cost ingest on Cloud Run functions: Cloud Storage `object.v1.finalized` CloudEvents (Eventarc)
for the export bucket, and an HTTP rescan for Cloud Scheduler. Retries:
costplane.adapters.gcp.functions.
"""

from __future__ import annotations

from functools import cache

import flask
import functions_framework
from cloudevents.http.event import CloudEvent

from costplane import bootstrap
from costplane.adapters.gcp.functions import on_finalized, on_rescan
from costplane.billing.ingest import CostIngest


@cache
def service() -> CostIngest:
    """Built on the first event and kept for the life of the instance, catalog included."""
    return bootstrap.cost_ingest(plane="gcp")


@functions_framework.cloud_event
def cost_ingest(cloud_event: CloudEvent) -> None:
    on_finalized(service, cloud_event)


@functions_framework.http
def cost_ingest_scan(request: flask.Request) -> flask.typing.ResponseReturnValue:
    return on_rescan(service)
