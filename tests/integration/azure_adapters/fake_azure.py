"""A stateful fake of the ARM and Table storage endpoints the Azure plane calls.

It keeps resources (tags and power state) and table entities, changes them as the real services
would for the requests it understands (Resource Graph answers queries by id from the resources
it keeps), and answers anything else with 400 and a recorded problem, so a test can assert that
every request the plane sent was well formed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

ARM_HOST = "management.azure.com"
TAGS_PATH = "/providers/Microsoft.Resources/tags/default"
TABLE_VERSION = "2019-02-02"
_TABLE = re.compile(r"^/\w+$")
_QUERY = re.compile(r"^/\w+\(\)$")
GRAPH_PATH = "/providers/Microsoft.ResourceGraph/resources"
_BY_ID = re.compile(
    r"^(Resources|ResourceContainers) \| where id =~ '(?P<id>.*)' \| project id, tags$"
)
_ENTITY = re.compile(r"^/(?P<table>\w+)\(PartitionKey='(?P<pk>[^']+)',RowKey='(?P<rk>[^']+)'\)$")


@dataclass
class FakeResource:
    tags: dict[str, str] = field(default_factory=dict)
    power: str = "running"


class FakeAzure:
    def __init__(self, token: str, table_host: str) -> None:
        self.token = token
        self.table_host = table_host
        self.resources: dict[str, FakeResource] = {}
        self.entities: dict[tuple[str, str], dict[str, Any]] = {}
        self.requests: list[str] = []
        self.problems: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url}")
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._problem(request, "missing or wrong bearer token")
        if request.url.host == ARM_HOST:
            return self._arm(request)
        if request.url.host == self.table_host:
            return self._table(request)
        return self._problem(request, "unknown host")

    def _arm(self, request: httpx.Request) -> httpx.Response:
        path, version = request.url.path, request.url.params.get("api-version")
        if path.endswith(TAGS_PATH) and version == "2021-04-01":
            resource = self.resources.get(path.removesuffix(TAGS_PATH))
            if resource is None:
                return _json(404, {"error": {"code": "ResourceNotFound", "message": path}})
            if request.method == "PATCH":
                body = _body(request)
                tags = body.get("properties", {}).get("tags")
                if body.get("operation") not in ("Merge", "Delete") or not isinstance(tags, dict):
                    return self._problem(request, f"malformed tags patch {body}")
                if body["operation"] == "Merge":
                    resource.tags.update(tags)
                for key, value in tags.items() if body["operation"] == "Delete" else ():
                    if resource.tags.get(key) == value:
                        del resource.tags[key]
            elif request.method != "GET":
                return self._problem(request, "unexpected method on tags")
            return _json(200, {"name": "default", "properties": {"tags": resource.tags}})
        if request.method == "POST" and path == GRAPH_PATH and version == "2022-10-01":
            return self._graph(request)
        if request.method == "POST" and path.endswith("/deallocate") and version == "2024-07-01":
            resource = self.resources.get(path.removesuffix("/deallocate"))
            if resource is None:
                return _json(404, {"error": {"code": "ResourceNotFound", "message": path}})
            resource.power = "deallocated"
            return httpx.Response(202, headers={"Azure-AsyncOperation": f"https://{ARM_HOST}/op"})
        return self._problem(request, "unexpected ARM call")

    def _graph(self, request: httpx.Request) -> httpx.Response:
        tags = {resource_id: resource.tags for resource_id, resource in self.resources.items()}
        reply = graph_answer(_body(request), tags)
        if reply is None:
            return self._problem(request, "unexpected Resource Graph query")
        return _json(200, reply)

    def _table(self, request: httpx.Request) -> httpx.Response:
        if (
            request.headers.get("x-ms-version") != TABLE_VERSION
            or "x-ms-date" not in request.headers
        ):
            return self._problem(request, "missing Table storage headers")
        path = request.url.path
        if request.method == "POST" and _TABLE.match(path):
            inserted = _body(request)
            key = (inserted["PartitionKey"], inserted["RowKey"])
            if key in self.entities:
                return _json(409, {"odata.error": {"code": "EntityAlreadyExists"}})
            self.entities[key] = inserted
            return httpx.Response(204)
        if request.method == "GET" and _QUERY.match(path):
            partition = request.url.params["$filter"].split("'")[1]
            rows = sorted((v for k, v in self.entities.items() if k[0] == partition), key=_row)
            return _json(200, {"value": rows[: int(request.url.params["$top"])]})
        match = _ENTITY.match(path)
        entity = self.entities.get((match["pk"], match["rk"])) if match else None
        if request.method == "GET" and match:
            if entity is None:
                return _json(404, {"odata.error": {"code": "ResourceNotFound"}})
            return _json(200, entity, {"ETag": f"W/\"datetime'{entity['RowKey']}'\""})
        if request.method == "DELETE" and match:
            self.entities.pop((match["pk"], match["rk"]), None)
            return httpx.Response(204)
        return self._problem(request, "unexpected Table call")

    def _problem(self, request: httpx.Request, reason: str) -> httpx.Response:
        self.problems.append(f"{request.method} {request.url}: {reason}")
        return _json(400, {"error": {"code": "BadRequest", "message": reason}})


def graph_answer(body: dict[str, Any], tags: Mapping[str, dict[str, str]]) -> Any:
    """Resource Graph's answer to the plane's query by id, over resources `tags` holds (an
    index up to date with ARM); None for a query body the plane would not send."""
    match = _BY_ID.match(str(body.get("query")))
    if match is None or body.get("options") != {"resultFormat": "objectArray"}:
        return None
    wanted = match["id"].replace("\\'", "'").lower()
    rows = [
        {"id": resource_id, "tags": resource_tags}
        for resource_id, resource_tags in tags.items()
        if resource_id.lower() == wanted and resource_id.split("/")[2] in body["subscriptions"]
    ]
    return {"totalRecords": len(rows), "count": len(rows), "data": rows}


def _row(entity: dict[str, Any]) -> str:
    return str(entity["RowKey"])


def _body(request: httpx.Request) -> dict[str, Any]:
    assert request.headers["Content-Type"] == "application/json"
    body: dict[str, Any] = orjson.loads(request.content)
    return body


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=orjson.dumps(body), headers=headers)
