"""Bedrock's control plane over HTTP, for what moto does not emulate (inference profiles and
provisioned throughput; moto 5.2 knows customization jobs and custom models only).

The routes, verbs, bodies and error shapes are those of botocore's bedrock 2023-04-20 model
(restJson1: `x-amzn-ErrorType` names the error); boto3 reaches this server through
`AWS_ENDPOINT_URL_BEDROCK`, which `tests.conftest.aws_env` sets. Every request is kept, in
order, so a test checks exactly what was sent. A resource is addressed by its id or its ARN,
as Bedrock accepts both.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import orjson

ACCOUNT, REGION = "123456789012", "us-east-1"
PROFILES, THROUGHPUTS = "/inference-profiles/", "/provisioned-model-throughput/"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: Any


@dataclass
class FakeBedrock:
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    throughputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.profiles.clear()
            self.throughputs.clear()
            self.tags.clear()
            self.requests.clear()

    def add_profile(self, name: str, model: str, tags: dict[str, str]) -> str:
        """An ACTIVE application inference profile copied from `model`; its ARN."""
        profile_id = f"p{len(self.profiles):011d}"
        arn = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:application-inference-profile/{profile_id}"
        self.profiles[profile_id] = {
            "inferenceProfileName": name,
            "inferenceProfileArn": arn,
            "inferenceProfileId": profile_id,
            "models": [{"modelArn": model}],
            "status": "ACTIVE",
            "type": "APPLICATION",
        }
        self.tags[arn] = dict(tags)
        return arn

    def add_throughput(
        self, name: str, model: str, units: int, tags: dict[str, str], commitment: str = ""
    ) -> str:
        """An InService provisioned throughput (committed when `commitment` is given); its ARN."""
        throughput_id = f"t{len(self.throughputs):011d}"
        arn = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:provisioned-model/{throughput_id}"
        found = {
            "provisionedModelName": name,
            "provisionedModelArn": arn,
            "modelArn": model,
            "foundationModelArn": model,
            "modelUnits": units,
            "desiredModelUnits": units,
            "status": "InService",
            "creationTime": "2026-12-01T00:00:00Z",
            "lastModifiedTime": "2026-12-01T00:00:00Z",
        }
        if commitment:
            found |= {"commitmentDuration": commitment, "commitmentExpirationTime": "2027-06-01"}
        self.throughputs[throughput_id] = found
        self.tags[arn] = dict(tags)
        return arn

    def sent(self, method: str | None = None) -> list[tuple[str, str, Any]]:
        """What was sent, as (method, decoded path, body), optionally of one method."""
        return [(r.method, r.path, r.body) for r in self.requests if method in (None, r.method)]

    # The routes ------------------------------------------------------------------------------

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        with self.lock:
            self.requests.append(Request(method, path, body))
            for prefix, table in ((PROFILES, self.profiles), (THROUGHPUTS, self.throughputs)):
                if path.startswith(prefix):
                    return self._one(method, table, path.removeprefix(prefix))
            if method == "POST" and path == "/listTagsForResource":
                if (tags := self.tags.get(body["resourceARN"])) is None:
                    return _missing(body["resourceARN"])
                return 200, {"tags": [{"key": k, "value": v} for k, v in tags.items()]}
            if method == "POST" and path == "/tagResource":
                if (tags := self.tags.get(body["resourceARN"])) is None:
                    return _missing(body["resourceARN"])
                tags.update({pair["key"]: pair["value"] for pair in body["tags"]})
                return 200, {}
            if method == "POST" and path == "/untagResource":
                if (tags := self.tags.get(body["resourceARN"])) is None:
                    return _missing(body["resourceARN"])
                for key in body["tagKeys"]:
                    tags.pop(key, None)
                return 200, {}
        return 404, {"message": f"no route {method} {path}"}

    def _one(self, method: str, table: dict[str, dict[str, Any]], given: str) -> tuple[int, Any]:
        key = given.rsplit("/", 1)[-1]  # an id, or the last part of an ARN
        if key not in table:
            return _missing(given)
        if method == "GET":
            return 200, table[key]
        if method == "DELETE":
            found = table.pop(key)
            arn = found.get("inferenceProfileArn") or found["provisionedModelArn"]
            self.tags.pop(arn, None)
            return 200, {}
        return 405, {"message": method}


def _missing(what: str) -> tuple[int, Any]:
    return 404, {"__type": "ResourceNotFoundException", "message": f"{what} not found"}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeBedrock

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, payload = self.fake.answer(
            self.command, unquote(self.path.split("?")[0]), orjson.loads(raw) if raw else None
        )
        data = orjson.dumps(payload)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if status >= 400 and isinstance(payload, dict) and "__type" in payload:
            self.send_header("x-amzn-ErrorType", payload["__type"])
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        return


FAKE = FakeBedrock()
_server: ThreadingHTTPServer | None = None


def endpoint() -> str:
    """The fake's URL, started on first use for the life of the test process."""
    global _server
    if _server is None:
        handler = type("Handler", (_Handler,), {"fake": FAKE})
        _server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=_server.serve_forever, daemon=True).start()
    host, port = _server.server_address[:2]
    return f"http://{host}:{port}"
