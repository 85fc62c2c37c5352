"""A stateful fake of the Compute Engine and Firestore endpoints the GCP plane calls.

Instances keep labels, a label fingerprint that changes on every write (a stale one gets 412, as
Compute answers) and a status; Firestore keeps documents and honours commit preconditions.
Requests it does not understand get 400 and a recorded problem, so a test can assert that every
request the plane sent was well formed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

COMPUTE_PATH = re.compile(r"^/compute/v1/(projects/[^/]+/zones/[^/]+/instances/[^/]+)(/\w+)?$")
FIRESTORE_PATH = re.compile(r"^/v1/(projects/[^/]+/databases/[^/]+/documents)(?::(\w+)|/(.+))$")
LABEL = re.compile(r"[a-z][a-z0-9_-]{0,62}")


@dataclass
class FakeInstance:
    labels: dict[str, str] = field(default_factory=dict)
    status: str = "RUNNING"
    writes: int = 0

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.writes}".encode()).hexdigest()[:12]


class FakeGoogle:
    def __init__(self, token: str) -> None:
        self.token = token
        self.instances: dict[str, FakeInstance] = {}
        self.documents: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []
        self.problems: list[str] = []
        self._commits = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url}")
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._problem(request, "missing or wrong bearer token")
        if request.url.host == "compute.googleapis.com":
            return self._compute(request)
        if request.url.host == "firestore.googleapis.com":
            return self._firestore(request)
        return self._problem(request, "unknown host")

    def _compute(self, request: httpx.Request) -> httpx.Response:
        match = COMPUTE_PATH.match(request.url.path)
        if match is None:
            return self._problem(request, "not an instance URL")
        instance = self.instances.get(match[1])
        if instance is None:
            return _json(404, {"error": {"code": 404, "errors": [{"reason": "notFound"}]}})
        verb = match[2]
        if request.method == "GET" and verb is None:
            return _json(200, {"labels": instance.labels, "labelFingerprint": instance.fingerprint})
        if request.method == "POST" and verb == "/setLabels":
            body = _body(request)
            if set(body) != {"labels", "labelFingerprint"} or not all(
                LABEL.fullmatch(k) for k in body["labels"]
            ):
                return self._problem(request, f"malformed setLabels {body}")
            if body["labelFingerprint"] != instance.fingerprint:
                return _json(
                    412, {"error": {"code": 412, "errors": [{"reason": "conditionNotMet"}]}}
                )
            instance.labels, instance.writes = dict(body["labels"]), instance.writes + 1
            return _json(200, {"kind": "compute#operation", "operationType": "setLabels"})
        if request.method == "POST" and verb == "/stop" and not request.content:
            instance.status = "TERMINATED"
            return _json(200, {"kind": "compute#operation", "operationType": "stop"})
        return self._problem(request, "unexpected Compute call")

    def _firestore(self, request: httpx.Request) -> httpx.Response:
        match = FIRESTORE_PATH.match(request.url.path)
        if match is None:
            return self._problem(request, "not a Firestore URL")
        root, method, document = match.groups()
        name = f"{root}/{document}"
        if request.method == "POST" and method == "commit":
            return self._commit(request, _body(request))
        if request.method == "GET" and document and name in self.documents:
            return _json(200, self.documents[name])
        if request.method == "GET" and document:
            return _json(404, {"error": {"code": 404, "status": "NOT_FOUND"}})
        if request.method == "DELETE" and document:
            self.documents.pop(name, None)
            return _json(200, {})
        if request.method == "POST" and method == "runQuery":
            query = _body(request)["structuredQuery"]
            collection = f"{root}/{query['from'][0]['collectionId']}/"
            found = [d for n, d in self.documents.items() if n.startswith(collection)]
            found.sort(key=lambda d: str(d["fields"]["decidedAt"]["timestampValue"]), reverse=True)
            results: list[dict[str, Any]] = [{"document": d} for d in found[: query["limit"]]]
            return _json(200, results or [{"readTime": "2026-11-27T12:00:00Z"}])
        return self._problem(request, "unexpected Firestore call")

    def _commit(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        (write,) = body["writes"]
        document, precondition = write["update"], write["currentDocument"]
        held = self.documents.get(document["name"])
        if precondition == {"exists": False} and held is not None:
            return _json(409, {"error": {"code": 409, "status": "ALREADY_EXISTS"}})
        if "updateTime" in precondition and (
            held is None or held["updateTime"] != precondition["updateTime"]
        ):
            return _json(400, {"error": {"code": 400, "status": "FAILED_PRECONDITION"}})
        if set(precondition) - {"exists", "updateTime"}:
            return self._problem(request, f"unexpected precondition {precondition}")
        self._commits += 1
        stamp = f"2026-11-27T12:00:00.{self._commits:06d}Z"
        self.documents[document["name"]] = {**document, "createTime": stamp, "updateTime": stamp}
        return _json(200, {"writeResults": [{"updateTime": stamp}], "commitTime": stamp})

    def _problem(self, request: httpx.Request, reason: str) -> httpx.Response:
        self.problems.append(f"{request.method} {request.url}: {reason}")
        return _json(400, {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": reason}})


def _body(request: httpx.Request) -> dict[str, Any]:
    assert request.headers["Content-Type"] == "application/json"
    body: dict[str, Any] = orjson.loads(request.content)
    return body


def _json(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, content=orjson.dumps(body))
