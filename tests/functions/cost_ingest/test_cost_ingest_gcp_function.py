"""cost_ingest on Cloud Run functions, served by functions-framework's own app: the CloudEvent
Eventarc sends when an object is finalized (binary mode), and Cloud Scheduler's POST. Cloud
Storage's JSON API is answered over httpx.MockTransport, every request checked; the lake is the
embedded one (SQLite catalog) in a temporary directory, read back by a catalog of the test's own.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import flask.testing
import functions_framework
import httpx
import orjson
import pytest

from costplane.adapters.lake.forecast_table import FORECAST_TABLE
from tests.functions.cost_ingest.conftest import (
    FOCUS_SAMPLE,
    Totals,
    csv_totals,
    lake_totals,
    sql_lake,
)

REPO = Path(__file__).resolve().parents[3]
MAIN = REPO / "functions" / "gcp" / "cost_ingest" / "main.py"
BUCKET = "costplane-billing"
KEY = "focus/costplane-focus/2024-01/focus-00001.csv"
STORAGE = "https://storage.googleapis.com/storage/v1"
SOURCE = csv_totals(FOCUS_SAMPLE, "BilledCost").to_the_cent()
FIELDS = "fields=items%28name%2Csize%2Cupdated%29%2CnextPageToken"


@dataclass
class FakeCloudStorage:
    """The JSON API of one bucket: objects.get (alt=media) and objects.list, one per page."""

    objects: dict[str, bytes]
    unavailable: set[str] = field(default_factory=set)
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        prefix = f"/storage/v1/b/{BUCKET}/o"
        path = request.url.raw_path.decode().partition("?")[0]
        if path == prefix:
            return self._list(request.url.params)
        name = unquote(path.removeprefix(prefix + "/"))
        if name in self.unavailable:
            return httpx.Response(503, json={"error": {"code": 503, "message": "Backend Error"}})
        if name not in self.objects:
            body = {"error": {"code": 404, "message": f"No such object: {BUCKET}/{name}"}}
            return httpx.Response(404, json=body)
        return httpx.Response(200, content=self.objects[name])

    def _list(self, params: httpx.QueryParams) -> httpx.Response:
        names = sorted(n for n in self.objects if n.startswith(params["prefix"]))
        start = int(params.get("pageToken", 0))
        items = [
            {"name": n, "size": str(len(self.objects[n])), "updated": "2024-01-31T08:00:00.123Z"}
            for n in names[start : start + 1]
        ]
        page: dict[str, Any] = {"items": items} if items else {}
        if start + 1 < len(names):
            page["nextPageToken"] = str(start + 1)
        return httpx.Response(200, json=page)

    def calls(self) -> list[str]:
        return [f"{r.method} {r.url}" for r in self.requests]


@pytest.fixture
def storage(cloud_env: Path, serve, monkeypatch: pytest.MonkeyPatch) -> FakeCloudStorage:
    fake = FakeCloudStorage({})
    serve(fake)
    exports = [{"location": f"gs://{BUCKET}/focus/", "source": "focus"}]
    monkeypatch.setenv("COSTPLANE_EXPORTS", json.dumps(exports))
    monkeypatch.setenv("COSTPLANE_INGEST_DIR", str(cloud_env / "ingest"))
    return fake


@pytest.fixture
def serve_function(
    storage: FakeCloudStorage, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], flask.testing.FlaskClient]:
    """A test client of `create_app(target, main.py)`, main.py loaded afresh (a new instance)."""
    monkeypatch.setenv("FUNCTION_TARGET", "")
    monkeypatch.setenv("FUNCTION_SIGNATURE_TYPE", "")
    monkeypatch.syspath_prepend(str(MAIN.parent))
    monkeypatch.delitem(sys.modules, "main", raising=False)
    return lambda target: functions_framework.create_app(target, str(MAIN)).test_client()


@pytest.fixture
def lake(cloud_env: Path) -> Callable[[], Totals]:
    return lambda: lake_totals(sql_lake(cloud_env / "lake")).to_the_cent()


def finalized(name: str, size: int) -> tuple[bytes, dict[str, str]]:
    """storage.object.v1.finalized in binary mode: attributes as ce-* headers, StorageObjectData
    as the body, as Eventarc delivers it."""
    headers = {
        "ce-specversion": "1.0",
        "ce-type": "google.cloud.storage.object.v1.finalized",
        "ce-source": f"//storage.googleapis.com/projects/_/buckets/{BUCKET}",
        "ce-subject": f"objects/{name}",
        "ce-id": "10226422355423452",
        "ce-time": "2024-01-31T08:00:00.123Z",
        "Content-Type": "application/json",
    }
    data = {
        "kind": "storage#object",
        "id": f"{BUCKET}/{name}/1706688000123456",
        "selfLink": f"https://www.googleapis.com/storage/v1/b/{BUCKET}/o/{quote(name, safe='')}",
        "name": name,
        "bucket": BUCKET,
        "generation": "1706688000123456",
        "metageneration": "1",
        "contentType": "text/csv",
        "timeCreated": "2024-01-31T08:00:00.123Z",
        "updated": "2024-01-31T08:00:00.123Z",
        "storageClass": "STANDARD",
        "timeStorageClassUpdated": "2024-01-31T08:00:00.123Z",
        "size": str(size),
        "md5Hash": "mj6bb1Dg2G9Qv1ZbgT7Ciw==",
        "mediaLink": f"https://storage.googleapis.com/download/storage/v1/b/{BUCKET}/o/"
        f"{quote(name, safe='')}?generation=1706688000123456&alt=media",
        "crc32c": "yXU6pg==",
        "etag": "CMDo8Zqkx4MDEAE=",
    }
    return orjson.dumps(data), headers


def media(name: str) -> str:
    return f"GET {STORAGE}/b/{BUCKET}/o/{quote(name, safe='')}?alt=media"


def test_a_finalized_bill_is_downloaded_with_the_token_and_lands_in_the_lake(
    serve_function, storage, lake
):
    storage.objects[KEY] = FOCUS_SAMPLE.read_bytes()
    body, headers = finalized(KEY, len(storage.objects[KEY]))

    response = serve_function("cost_ingest").post("/", data=body, headers=headers)

    assert response.status_code == 200
    assert storage.calls() == [media(KEY)]
    assert storage.requests[0].headers["Authorization"] == "Bearer gcp-test-token"
    assert lake() == SOURCE


def test_a_broken_bill_is_acknowledged_so_eventarc_does_not_retry_it(
    serve_function, storage, lake, capsys
):
    storage.objects[KEY] = FOCUS_SAMPLE.read_bytes()[:5000]
    body, headers = finalized(KEY, 5000)

    response = serve_function("cost_ingest").post("/", data=body, headers=headers)

    [line] = [orjson.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    assert response.status_code == 200
    assert (line["severity"], line["outcome"]["status"]) == ("WARNING", "rejected")
    assert line["outcome"]["message"].startswith(f"gs://{BUCKET}/{KEY}: ")
    assert lake() == Totals(0, Decimal(0))


def test_an_object_deleted_before_it_was_read_is_skipped(serve_function, storage, lake, capsys):
    body, headers = finalized(KEY, 1)

    response = serve_function("cost_ingest").post("/", data=body, headers=headers)

    [line] = [orjson.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    assert response.status_code == 200
    assert (line["outcome"]["status"], line["outcome"]["reason"]) == ("skipped", "object_gone")


def test_the_scheduler_rescan_ingests_what_the_lake_lacks_then_finds_it_up_to_date(
    serve_function, storage, lake
):
    storage.objects[KEY] = FOCUS_SAMPLE.read_bytes()
    storage.objects["focus/costplane-focus/2024-01/manifest.json"] = b"{}"
    scan = serve_function("cost_ingest_scan")

    first = scan.post("/")
    calls = storage.calls()
    storage.requests.clear()
    second = scan.post("/")

    listing = f"GET {STORAGE}/b/{BUCKET}/o?prefix=focus%2F&{FIELDS}"
    assert (first.status_code, second.status_code) == (200, 200)
    assert calls == [listing, f"{listing}&pageToken=1", media(KEY)]
    assert [o["status"] for o in first.get_json()["outcomes"]] == ["ingested"]
    assert second.get_json() == {"outcomes": [], "up_to_date": 1}
    assert storage.calls() == [listing, f"{listing}&pageToken=1"]
    assert lake() == SOURCE


def test_the_scheduler_rescan_answers_500_when_a_delivery_failed(serve_function, storage, lake):
    storage.objects[KEY] = FOCUS_SAMPLE.read_bytes()
    storage.objects["focus/costplane-focus/2024-02/focus-00001.csv"] = b""
    storage.unavailable.add("focus/costplane-focus/2024-02/focus-00001.csv")

    response = serve_function("cost_ingest_scan").post("/")

    failed = [o for o in response.get_json()["outcomes"] if o["status"] == "failed"]
    assert response.status_code == 500
    assert [o["uri"] for o in failed] == [
        f"gs://{BUCKET}/focus/costplane-focus/2024-02/focus-00001.csv"
    ]
    assert lake() == SOURCE


def test_a_finalized_bill_then_writes_the_budget_forecasts_into_the_lake(
    serve_function, storage, cloud_env
):
    storage.objects[KEY] = FOCUS_SAMPLE.read_bytes()
    body, headers = finalized(KEY, len(storage.objects[KEY]))

    serve_function("cost_ingest").post("/", data=body, headers=headers)

    assert sql_lake(cloud_env / "lake").table_exists(("costplane", FORECAST_TABLE))


def test_a_broken_bill_writes_no_forecasts(serve_function, storage, cloud_env):
    storage.objects[KEY] = FOCUS_SAMPLE.read_bytes()[:5000]
    body, headers = finalized(KEY, 5000)

    serve_function("cost_ingest").post("/", data=body, headers=headers)

    assert not sql_lake(cloud_env / "lake").table_exists(("costplane", FORECAST_TABLE))


def test_the_scheduler_rescan_refreshes_the_forecasts_even_when_no_bill_changed(
    serve_function, storage, cloud_env
):
    storage.objects[KEY] = FOCUS_SAMPLE.read_bytes()
    scan = serve_function("cost_ingest_scan")
    scan.post("/")
    forecasts = sql_lake(cloud_env / "lake").load_table(("costplane", FORECAST_TABLE))
    written = len(forecasts.snapshots())

    assert scan.post("/").get_json() == {"outcomes": [], "up_to_date": 1}
    assert len(forecasts.refresh().snapshots()) == written + 1


AI_BUDGETS = {
    "version": 1,
    "budgets": [
        {
            "name": "sample-aws",
            "scope": {"provider": "aws"},
            "amount": 1,
            "targets": [
                {
                    "provider": "gcp",
                    "account": "demo-project",
                    "resource_type": "gcp.aiplatform.endpoint",
                    "resource_id": "projects/demo-project/locations/us-central1/endpoints/42",
                }
            ],
            "thresholds": [{"percent": 100, "action": "notify", "basis": "actual"}],
        }
    ],
}


def test_a_landed_bill_that_crosses_a_budget_with_targets_acts_on_them_at_once(
    serve_function, storage, cloud_env, monkeypatch
):
    from costplane import bootstrap
    from costplane.adapters.local.plane import PinnedClock
    from costplane.config import Settings
    from costplane.planes import gcp as gcp_plane

    budgets = cloud_env / "budgets.json"
    budgets.write_bytes(orjson.dumps(AI_BUDGETS))
    monkeypatch.setenv("COSTPLANE_BUDGETS", str(budgets))
    in_the_bills_month = PinnedClock(datetime(2024, 9, 20, 22, tzinfo=UTC))
    monkeypatch.setattr(gcp_plane, "SystemClock", lambda: in_the_bills_month)
    storage.objects[KEY] = FOCUS_SAMPLE.read_bytes()
    body, headers = finalized(KEY, len(storage.objects[KEY]))

    serve_function("cost_ingest").post("/", data=body, headers=headers)

    audited = bootstrap.plane(Settings(), "gcp").runtime.state.recent_decisions(10)
    [acted] = [d for d in audited if d.policy == "budget-sample-aws-actual-100"]
    assert acted.resource_id == "projects/demo-project/locations/us-central1/endpoints/42"
    assert [(a.kind.value, a.status.value) for a in acted.actions] == [("notify", "done")]
