"""The claims blueprint of the Azure Function App: Table storage has no TTL, so an hourly timer
deletes the claims that expired, under the ETags it found them with; live claims stay."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from urllib.parse import unquote

import azure.functions as func
import httpx
import pytest
from azure.functions.timer import TimerRequest

from costplane.adapters.records import parse_utc

TABLE_HOST = "stcostplane.table.core.windows.net"
EXPIRED_FILTER = re.compile(r"^PartitionKey eq 'claim' and Expires lt datetime'(?P<before>[^']+)'$")
ENTITY = re.compile(r"^/costplane\(PartitionKey='claim',RowKey='(?P<row>[0-9a-f]{64})'\)$")


class ClaimsTable:
    """The `claim` partition of the state table: the expired-claims query (minimal metadata,
    ETags included) and Delete Entity under If-Match, as Table storage answers them."""

    def __init__(self, expires: dict[str, str]) -> None:
        self.rows = {
            hashlib.sha256(key.encode()).hexdigest(): {"Key": key, "Expires": at}
            for key, at in expires.items()
        }
        self.problems: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = unquote(request.url.path)
        if request.method == "GET" and path == "/costplane()":
            found = EXPIRED_FILTER.match(request.url.params["$filter"])
            if request.headers["Accept"] != "application/json;odata=minimalmetadata" or not found:
                self.problems.append(f"unexpected query {request.url}")
                return httpx.Response(400)
            before = parse_utc(found["before"])
            value = [
                {"odata.etag": self._etag(row), "PartitionKey": "claim", "RowKey": row, **entity}
                for row, entity in self.rows.items()
                if parse_utc(entity["Expires"]) < before
            ]
            return httpx.Response(200, json={"value": value})
        entity = ENTITY.match(path)
        if request.method == "DELETE" and entity:
            row = entity["row"]
            if row not in self.rows:
                return httpx.Response(404)
            if request.headers.get("If-Match") != self._etag(row):
                return httpx.Response(412)
            del self.rows[row]
            return httpx.Response(204)
        self.problems.append(f"unexpected {request.method} {request.url}")
        return httpx.Response(400)

    def _etag(self, row: str) -> str:
        return f"W/\"datetime'{self.rows[row]['Expires']}'\""

    def keys(self) -> set[str]:
        return {entity["Key"] for entity in self.rows.values()}


@pytest.fixture
def claims(function_app: ModuleType) -> ModuleType:
    return sys.modules["blueprints.claims"]


@pytest.fixture
def table(
    cloud_env: Path, serve: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> ClaimsTable:
    monkeypatch.setenv("COSTPLANE_AZURE_STATE_ACCOUNT", "stcostplane")
    fake = ClaimsTable(
        {
            "azure:expired:vm1": "2020-01-01T00:00:00.0000000Z",
            "azure:live:vm2": "2999-01-01T00:00:00.0000000Z",
        }
    )
    serve(fake)
    return fake


def test_the_blueprint_registers_an_hourly_timer(claims: ModuleType) -> None:
    app = func.FunctionApp()
    app.register_functions(claims.bp)
    [function] = app.get_functions()
    [timer] = json.loads(function.get_function_json())["bindings"]

    assert function.get_function_name() == "claims_purge"
    assert (timer["type"], timer["schedule"]) == ("timerTrigger", "0 17 * * * *")


def test_the_timer_deletes_expired_claims_and_keeps_live_ones(
    claims: ModuleType, table: ClaimsTable
) -> None:
    claims.purge(TimerRequest(past_due=False))

    assert table.keys() == {"azure:live:vm2"}
    assert table.problems == []


def test_without_a_claims_table_the_timer_calls_nothing(
    claims: ModuleType, cloud_env: Path, serve: Callable[..., None]
) -> None:
    calls: list[httpx.Request] = []
    serve(lambda request: calls.append(request) or httpx.Response(500))

    claims.purge(TimerRequest(past_due=False))

    assert calls == []
