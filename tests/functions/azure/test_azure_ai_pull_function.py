"""The Azure AI usage pull as the Functions host runs it: the timer blueprint registered by
function_app, the admin keys as the Key Vault reference resolves them into the app's settings,
the vendors at the HTTP layer, and each report put as one block blob in the bill container."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from urllib.parse import unquote

import httpx
import orjson

from tests.integration.ai_vendors.pages import KEYS, REPORTS, Vendors

LOCATION = "https://billing.blob.core.windows.net/exports/ai-usage/"


class Blobs:
    """The Blob service: Put Blob, answered 201, kept by its blob's URL (the name decoded, as
    the service stores it)."""

    def __init__(self, vendors: Vendors) -> None:
        self.vendors = vendors
        self.put: dict[str, httpx.Request] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != "billing.blob.core.windows.net":
            return self.vendors(request)
        assert request.method == "PUT"
        self.put[unquote(str(request.url))] = request
        return httpx.Response(201)


def test_a_timer_tick_puts_each_report_as_one_block_blob(
    cloud_env, serve, function_app, monkeypatch
):
    monkeypatch.setenv("COSTPLANE_AI_PULL_LOCATION", LOCATION)
    monkeypatch.setenv("COSTPLANE_AI_ADMIN_KEYS", orjson.dumps(KEYS).decode())
    blobs = Blobs(Vendors())
    serve(blobs)
    blueprint = sys.modules["blueprints.ai_pull"]
    blueprint.service.cache_clear()

    blueprint.on_timer(None)

    month = f"{datetime.now(UTC):%Y-%m}"
    for source, organisation in REPORTS:
        request = blobs.put[f"{LOCATION}{source}/org={organisation}/{month}.json"]
        assert request.headers["x-ms-blob-type"] == "BlockBlob"
        assert request.headers["Authorization"] == "Bearer azure-test-token"
        assert request.headers["x-ms-version"] == "2023-11-03"
        assert orjson.loads(request.content)[0]["has_more"] is False
