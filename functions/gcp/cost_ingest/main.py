"""Cost ingest on Cloud Run functions: Cloud Storage `object.v1.finalized` CloudEvents (Eventarc)
for the export bucket, and an HTTP rescan for Cloud Scheduler.

A broken bill or manifest is final: it is logged, nothing of it was committed, and the function
returns, so Eventarc does not deliver it again. Anything else raises (the CloudEvent function)
or answers 500 (the rescan), so Eventarc or Cloud Scheduler retries.
"""

from __future__ import annotations

from functools import cache

import flask
import functions_framework
import orjson
from cloudevents.http.event import CloudEvent

from costplane import bootstrap
from costplane.billing.ingest import CostIngest, ObjectOutcome


@cache
def service() -> CostIngest:
    """Built on the first event and kept for the life of the instance, catalog included."""
    return bootstrap.cost_ingest(plane="gcp")


def _logged(outcome: ObjectOutcome) -> dict[str, object]:
    """One structured log line per outcome: Cloud Logging reads `severity` and `message`."""
    summary = outcome.model_dump(mode="json")
    severity = "WARNING" if outcome.status in ("rejected", "failed") else "INFO"
    message = f"{outcome.status}: {outcome.uri}"
    print(orjson.dumps({"severity": severity, "message": message, "outcome": summary}).decode())
    return summary


@functions_framework.cloud_event
def cost_ingest(cloud_event: CloudEvent) -> None:
    """A finalized object: its StorageObjectData names the bucket and the object."""
    data = cloud_event.get_data() or {}
    _logged(service().on_object(f"gs://{data.get('bucket', '')}/{data.get('name', '')}"))


@functions_framework.http
def cost_ingest_scan(request: flask.Request) -> flask.typing.ResponseReturnValue:
    report = service().rescan()
    outcomes = [_logged(outcome) for outcome in report.outcomes]
    failed = any(o.status == "failed" for o in report.outcomes)
    return {"outcomes": outcomes, "up_to_date": report.up_to_date}, 500 if failed else 200
