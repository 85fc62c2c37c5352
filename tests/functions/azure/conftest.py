"""The Function App loaded as the Functions host loads it, and an in-memory ARM Tags API."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import httpx
import orjson
import pytest

from tests.integration.azure_adapters.fake_azure import GRAPH_PATH, graph_answer
from tests.support.placeholders import filled, filled_bytes

REPO = Path(__file__).resolve().parents[3]
APP_ROOT = REPO / "functions" / "azure"
EVENTS = REPO / "events" / "azure"
TAGS = "/providers/Microsoft.Resources/tags/default"
# The storage account of the real ResourceWriteSuccess sample, its placeholders filled.
STORAGE = filled(
    "/subscriptions/{subscription-id}/resourcegroups/{resource-group}"
    "/providers/Microsoft.Storage/storageAccounts/{storage-name}"
)


@dataclass
class FakeArm:
    """ARM's Tags API (GET, PATCH Merge/Delete) over the resources it holds, 404 for others;
    Resource Graph's query by id over the same resources.

    `refuse_writes` answers PATCH with 403 AuthorizationFailed, as ARM does for a missing role.
    """

    tags: dict[str, dict[str, str]]
    refuse_writes: bool = False
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "POST" and request.url.path == GRAPH_PATH:
            reply = graph_answer(orjson.loads(request.content), self.tags)
            if reply is None:
                return _error(400, "BadRequest", "unexpected Resource Graph query")
            return httpx.Response(200, json=reply)
        resource = unquote(request.url.path).removesuffix(TAGS)
        if resource not in self.tags:
            return _error(404, "ResourceNotFound", f"{resource} was not found")
        if request.method == "PATCH":
            if self.refuse_writes:
                return _error(403, "AuthorizationFailed", "no tags/write on the scope")
            body = orjson.loads(request.content)
            changes = body["properties"]["tags"]
            current = self.tags[resource]
            if body["operation"] == "Merge":
                current.update(changes)
            else:
                for key in changes:
                    current.pop(key, None)
        return httpx.Response(200, json={"properties": {"tags": self.tags[resource]}})

    def calls(self) -> list[tuple[str, str, dict[str, str], Any]]:
        """(method, ARM path, query, JSON body) of every request, in order."""
        return [
            (
                r.method,
                unquote(r.url.path),
                dict(r.url.params),
                orjson.loads(r.content) if r.content else None,
            )
            for r in self.requests
        ]


def _error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message}})


@pytest.fixture
def arm(cloud_env: Path, serve: Any) -> FakeArm:
    fake = FakeArm({STORAGE: {}})
    serve(fake)
    return fake


@pytest.fixture
def function_app(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """`function_app` imported afresh with the app root on sys.path, as the host does."""
    monkeypatch.syspath_prepend(str(APP_ROOT))
    for name in [n for n in sys.modules if n == "function_app" or n.startswith("blueprints")]:
        monkeypatch.delitem(sys.modules, name)
    return importlib.import_module("function_app")


@pytest.fixture
def blueprint(function_app: ModuleType) -> ModuleType:
    return sys.modules["blueprints.tag_enforcer"]


def payload(name: str) -> bytes:
    return filled_bytes(EVENTS / name)
