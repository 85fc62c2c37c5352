"""The GCP function served by functions-framework's own Flask app, and in-memory Google APIs."""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import flask.testing
import functions_framework
import httpx
import orjson
import pytest

from tests.support.placeholders import filled, filled_bytes

REPO = Path(__file__).resolve().parents[3]
MAIN = REPO / "functions" / "gcp" / "tag_enforcer" / "main.py"
EVENTS = REPO / "events" / "gcp"
# The resources of the real audit-log samples, as their REST paths.
TOPIC = "/v1/projects/test-project/topics/test-auditlogs-source"
INSTANCE = filled("/compute/v1/projects/${project}/zones/${zone}/instances/${name}")


@dataclass
class FakeGoogle:
    """Pub/Sub topics (GET, PATCH updateMask=labels) and Compute instances (GET, setLabels with
    a fingerprint, stop) for the paths it holds; 404 for others. `refuse_writes` answers
    every write with 403 PERMISSION_DENIED."""

    labels: dict[str, dict[str, str]]
    refuse_writes: bool = False
    requests: list[httpx.Request] = field(default_factory=list)
    fingerprints: dict[str, int] = field(default_factory=dict)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = unquote(request.url.path)
        resource = path.removesuffix("/setLabels").removesuffix("/stop")
        if resource not in self.labels:
            return _error(404, "NOT_FOUND", f"{resource} not found")
        if request.method != "GET" and self.refuse_writes:
            return _error(403, "PERMISSION_DENIED", "the caller lacks permission")
        body = orjson.loads(request.content) if request.content else {}
        if request.method == "PATCH":
            self.labels[resource] = body["topic"]["labels"]
        elif path.endswith("/setLabels"):
            if body["labelFingerprint"] != self._fingerprint(resource):
                return _error(412, "conditionNotMet", "stale labelFingerprint")
            self.labels[resource] = body["labels"]
            self.fingerprints[resource] = self.fingerprints.get(resource, 0) + 1
        elif path.endswith("/stop"):
            return httpx.Response(200, json={"kind": "compute#operation", "status": "RUNNING"})
        return httpx.Response(
            200,
            json={"labels": self.labels[resource], "labelFingerprint": self._fingerprint(resource)},
        )

    def _fingerprint(self, resource: str) -> str:
        return f"fp-{self.fingerprints.get(resource, 0)}"

    def calls(self) -> list[tuple[str, str, dict[str, str], Any]]:
        """(method, path, query, JSON body) of every request, in order."""
        return [
            (
                r.method,
                unquote(r.url.path),
                dict(r.url.params),
                orjson.loads(r.content) if r.content else None,
            )
            for r in self.requests
        ]


def _error(status: int, reason: str, message: str) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"code": status, "status": reason, "message": message}}
    )


@pytest.fixture
def google(cloud_env: Path, serve: Any) -> FakeGoogle:
    fake = FakeGoogle({TOPIC: {}, INSTANCE: {}})
    serve(fake)
    return fake


@pytest.fixture
def serve_function(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], flask.testing.FlaskClient]:
    """A test client of `create_app(target, main.py)`; each call loads main.py afresh, like a
    new instance. create_app writes FUNCTION_* variables, sys.path and sys.modules['main']:
    they are restored after the test."""
    monkeypatch.setenv("FUNCTION_TARGET", "")
    monkeypatch.setenv("FUNCTION_SIGNATURE_TYPE", "")
    monkeypatch.syspath_prepend(str(MAIN.parent))
    monkeypatch.delitem(sys.modules, "main", raising=False)

    def serve(target: str) -> flask.testing.FlaskClient:
        app = functions_framework.create_app(target, str(MAIN))
        return app.test_client()

    return serve


def entry(name: str) -> dict[str, Any]:
    found: dict[str, Any] = orjson.loads(filled_bytes(EVENTS / name))
    return found


def pubsub_push(
    data: dict[str, Any],
    attributes: dict[str, str] | None = None,
    message_id: str = "11620911961512380",
) -> dict[str, Any]:
    """A Pub/Sub message as a push subscription POSTs it; a log sink's by default."""
    if attributes is None:
        attributes = {"logging.googleapis.com/timestamp": data["timestamp"]}
    return {
        "message": {
            "data": base64.b64encode(orjson.dumps(data)).decode(),
            "attributes": attributes,
            "messageId": message_id,
            "message_id": message_id,
            "publishTime": "2026-11-27T06:00:00.123Z",
            "publish_time": "2026-11-27T06:00:00.123Z",
        },
        "subscription": "projects/test-project/subscriptions/costplane-tag-enforcer",
    }
