"""cost_ingest on Azure Functions: the blueprint's functions called with the objects the host
builds (the blob binding decoded by azure.functions' own converter, a TimerRequest), Blob
storage answered over httpx.MockTransport with every request checked, and the embedded lake
(SQLite catalog) in a temporary directory, read back by a catalog of the test's own.
"""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from urllib.parse import unquote

import azure.functions as func
import httpx
import orjson
import pytest
from azure.functions.blob import BlobConverter
from azure.functions.meta import Datum
from azure.functions.timer import TimerRequest

from costplane.adapters.lake.forecast_table import FORECAST_TABLE
from costplane.domain.errors import DeliveryFailed
from tests.functions.cost_ingest.conftest import (
    EA_ACTUAL,
    Totals,
    csv_halves,
    csv_totals,
    lake_totals,
    sql_lake,
)
from tests.integration.azure_adapters.azure_support import SUB
from tests.integration.azure_adapters.http_script import Script
from tests.integration.azure_capacity.openai_arm import (
    DEPLOYMENT_ID,
    RECORD,
    account_tags,
    patch_account_tags,
    put_deployment,
    read_deployment,
)

REPO = Path(__file__).resolve().parents[3]
APP_ROOT = REPO / "functions" / "azure"
HOST = "costexports.blob.core.windows.net"
ROOT = f"https://{HOST}/exports"
EXPORTS = [
    {"location": f"{ROOT}/ea/", "source": "azure-ea"},
    {"location": f"{ROOT}/partitioned/", "source": "azure-ea", "deliveries": "manifest"},
]
SOURCE = csv_totals(EA_ACTUAL, "Cost").to_the_cent()
LONG_AGO = "Mon, 01 Jan 2024 06:00:00 GMT"
ARM_HOST = "management.azure.com"
STORAGE_HEADERS = {"authorization": "Bearer azure-test-token", "x-ms-version": "2023-11-03"}


@dataclass
class FakeBlobStorage:
    """Blob storage of one account: Get Blob, and List Blobs two at a time; 404 otherwise."""

    blobs: dict[str, bytes]
    broken: set[str] = field(default_factory=set)
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = unquote(request.url.path).removeprefix("/")
        if request.url.params.get("comp") == "list":
            return self._list(path, request.url.params)
        if path in self.broken:
            return _error(500, "InternalError", "The server encountered an internal error.")
        if path not in self.blobs:
            return _error(404, "BlobNotFound", "The specified blob does not exist.")
        return httpx.Response(200, content=self.blobs[path])

    def _list(self, container: str, params: httpx.QueryParams) -> httpx.Response:
        names = sorted(
            n.removeprefix(f"{container}/")
            for n in self.blobs
            if n.startswith(f"{container}/{params['prefix']}")
        )
        start = names.index(params["marker"]) if "marker" in params else 0
        page, rest = names[start : start + 2], names[start + 2 : start + 3]
        blobs = "".join(
            f"<Blob><Name>{name}</Name><Properties><Last-Modified>{LONG_AGO}</Last-Modified>"
            f"<Content-Length>{len(self.blobs[f'{container}/{name}'])}</Content-Length>"
            "<BlobType>BlockBlob</BlobType></Properties></Blob>"
            for name in page
        )
        xml = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<EnumerationResults ServiceEndpoint="https://{HOST}/" ContainerName="{container}">'
            f"<Prefix>{params['prefix']}</Prefix><Blobs>{blobs}</Blobs>"
            f"<NextMarker>{rest[0] if rest else ''}</NextMarker></EnumerationResults>"
        )
        return httpx.Response(
            200, content=xml.encode(), headers={"Content-Type": "application/xml"}
        )

    def urls(self) -> list[str]:
        return [f"{r.method} {r.url}" for r in self.requests]


def _error(status: int, code: str, message: str) -> httpx.Response:
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return httpx.Response(status, content=body.encode(), headers={"x-ms-error-code": code})


@pytest.fixture
def storage(cloud_env: Path, serve, monkeypatch: pytest.MonkeyPatch) -> FakeBlobStorage:
    fake = FakeBlobStorage({})
    serve(fake)
    monkeypatch.setenv("COSTPLANE_EXPORTS", json.dumps(EXPORTS))
    monkeypatch.setenv("COSTPLANE_INGEST_DIR", str(cloud_env / "ingest"))
    return fake


@pytest.fixture
def function_app(storage: FakeBlobStorage, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """`function_app` imported afresh with the app root on sys.path, as the host does."""
    monkeypatch.syspath_prepend(str(APP_ROOT))
    for name in [n for n in sys.modules if n == "function_app" or n.startswith("blueprints")]:
        monkeypatch.delitem(sys.modules, name)
    return importlib.import_module("function_app")


@pytest.fixture
def blueprint(function_app: ModuleType) -> ModuleType:
    return sys.modules["blueprints.cost_ingest"]


@pytest.fixture
def lake(cloud_env: Path):
    return lambda: lake_totals(sql_lake(cloud_env / "lake")).to_the_cent()


def blob(name: str, content: bytes) -> func.InputStream:
    """The trigger's InputStream as the worker decodes it from the host's binding data."""
    metadata = {
        "BlobTrigger": Datum(name, "string"),
        "Uri": Datum(f"https://{HOST}/{name}", "string"),
        "Properties": Datum(json.dumps({"ContentLength": len(content)}), "json"),
    }
    stream: func.InputStream = BlobConverter.decode(
        Datum(content, "bytes"), trigger_metadata=metadata
    )
    return stream


def export_manifest(*names: str) -> bytes:
    """manifest.json as Cost Management's exports write it beside a partitioned delivery."""
    return orjson.dumps(
        {
            "manifestVersion": "2024-04-01",
            "blobCount": len(names),
            "exportConfig": {
                "exportName": "costplane-ea",
                "type": "ActualCost",
                "timeFrame": "MonthToDate",
            },
            "deliveryConfig": {
                "partitionData": True,
                "fileFormat": "Csv",
                "rootFolderPath": "partitioned",
            },
            "runInfo": {
                "executionType": "Scheduled",
                "runId": "6d8f2a52-4d54-4a9e-a0a7-2a8c4d1e3b77",
            },
            "blobs": [{"blobName": name, "byteCount": 1000, "dataRowCount": 5} for name in names],
        }
    )


def test_the_app_registers_a_blob_trigger_and_a_rescan_timer(function_app):
    functions = {f.get_function_name(): f for f in function_app.app.get_functions()}

    trigger = json.loads(functions["cost_ingest"].get_function_json())["bindings"][0]
    timer = json.loads(functions["cost_ingest_scan"].get_function_json())["bindings"][0]

    assert (trigger["type"], trigger["path"], trigger["source"]) == (
        "blobTrigger",
        "%COSTPLANE_EXPORTS_CONTAINER%/{name}",
        "EventGrid",
    )
    assert trigger["connection"] == "COSTPLANE_EXPORTS_STORAGE"
    assert (timer["type"], timer["schedule"]) == ("timerTrigger", "%COSTPLANE_INGEST_SCHEDULE%")


def test_a_bill_blob_lands_in_the_lake_from_the_bytes_the_trigger_holds(blueprint, storage, lake):
    blueprint.on_blob(blob("exports/ea/20240101-20240131/costplane-ea.csv", EA_ACTUAL.read_bytes()))

    assert lake() == SOURCE
    assert storage.requests == []


def test_a_manifest_blob_downloads_its_parts_and_ingests_them_as_one_delivery(
    blueprint, storage, lake
):
    run = "partitioned/costplane-ea/20240101-20240131/6d8f2a52-4d54-4a9e-a0a7-2a8c4d1e3b77"
    parts = [f"{run}/part_0_0001.csv", f"{run}/part_1_0001.csv"]
    storage.blobs.update(zip([f"exports/{p}" for p in parts], csv_halves(EA_ACTUAL), strict=True))

    blueprint.on_blob(blob(f"exports/{run}/manifest.json", export_manifest(*parts)))

    assert storage.urls() == [f"GET {ROOT}/{part}" for part in parts]
    for request in storage.requests:
        assert STORAGE_HEADERS.items() <= dict(request.headers).items()
        assert request.headers["x-ms-date"].endswith(" GMT")
    assert lake() == SOURCE


def test_a_broken_bill_blob_is_rejected_without_a_retry_and_commits_nothing(
    blueprint, storage, lake, caplog
):
    broken = EA_ACTUAL.read_bytes().replace(b",09/21/2023,", b",the 21st,", 1)

    blueprint.on_blob(blob("exports/ea/20240101-20240131/costplane-ea.csv", broken))

    [record] = [r for r in caplog.records if r.name == "costplane.cost_ingest"]
    outcome = orjson.loads(record.args[2])  # the outcome, logged as JSON after status and URI
    assert (record.levelname, outcome["status"], outcome["reason"]) == (
        "WARNING",
        "rejected",
        "bad_timestamp",
    )
    assert outcome["message"].startswith(
        f"{ROOT}/ea/20240101-20240131/costplane-ea.csv: row 1, column "
    )
    assert lake() == Totals(0, Decimal(0))


def test_the_timer_lists_the_exports_and_ingests_what_the_lake_lacks_once(blueprint, storage, lake):
    storage.blobs.update(
        {
            "exports/ea/20240101-20240131/costplane-ea.csv": EA_ACTUAL.read_bytes(),
            "exports/ea/20240101-20240131/run-info.json": b"{}",
            "exports/ea/20240101-20240131/readme.txt": b"exported by Cost Management",
        }
    )

    blueprint.on_timer(TimerRequest(past_due=False))
    first = storage.urls()
    storage.requests.clear()
    blueprint.on_timer(TimerRequest(past_due=False))

    listing = f"GET {ROOT}?restype=container&comp=list&prefix=ea%2F"
    next_page = f"{listing}&marker=ea%2F20240101-20240131%2Frun-info.json"
    partitioned = f"GET {ROOT}?restype=container&comp=list&prefix=partitioned%2F"
    assert first == [
        listing,
        next_page,
        f"GET {ROOT}/ea/20240101-20240131/costplane-ea.csv",
        partitioned,
    ]
    assert storage.urls() == [listing, next_page, partitioned]
    assert lake() == SOURCE


def test_the_timer_raises_after_trying_every_delivery_when_one_failed(blueprint, storage, lake):
    storage.blobs.update(
        {
            "exports/ea/2024-01/costplane-ea.csv": EA_ACTUAL.read_bytes(),
            "exports/ea/2024-02/costplane-ea.csv": b"never served",
        }
    )
    storage.broken.add("exports/ea/2024-02/costplane-ea.csv")

    with pytest.raises(DeliveryFailed, match=r"2024-02.*CloudApiError.*HTTP 500.*InternalError"):
        blueprint.on_timer(TimerRequest(past_due=True))

    assert lake() == SOURCE


def test_a_bill_blob_then_writes_the_budget_forecasts_into_the_lake(blueprint, storage, cloud_env):
    blueprint.on_blob(blob("exports/ea/20240101-20240131/costplane-ea.csv", EA_ACTUAL.read_bytes()))

    assert sql_lake(cloud_env / "lake").table_exists(("costplane", FORECAST_TABLE))


# AI budgets' levers after a landing -----------------------------------------------------------

AI_BUDGETS = {
    "version": 1,
    "budgets": [
        {
            "name": "azure-openai-search",
            "scope": {"provider": "azure"},
            "amount": 1,
            "targets": [
                {
                    "provider": "azure",
                    "account": SUB,
                    "resource_type": "azure.cognitiveservices.account.deployment",
                    "resource_id": DEPLOYMENT_ID,
                }
            ],
            "thresholds": [{"percent": 100, "action": "throttle", "basis": "actual"}],
        }
    ],
}


@pytest.fixture
def ai_budget(cloud_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The budgets file with an Azure OpenAI deployment as target; the Azure plane's clock in
    the bill's month."""
    from costplane.adapters.local.plane import PinnedClock
    from costplane.planes import azure as azure_plane

    budgets = cloud_env / "budgets.json"
    budgets.write_bytes(orjson.dumps(AI_BUDGETS))
    monkeypatch.setenv("COSTPLANE_BUDGETS", str(budgets))
    in_the_bills_month = PinnedClock(datetime(2023, 9, 25, 22, tzinfo=UTC))
    monkeypatch.setattr(azure_plane, "SystemClock", lambda: in_the_bills_month)


def test_a_landed_bill_over_an_ai_budget_lowers_its_azure_openai_deployment_at_once(
    blueprint, storage, serve, ai_budget
):
    from costplane import bootstrap
    from costplane.config import Settings

    arm = Script(
        account_tags({"Team": "search"}),
        read_deployment(30),
        patch_account_tags("Merge", {RECORD: "capacity=30"}),
        read_deployment(30),
        put_deployment(1),
        token="azure-test-token",
    )
    serve(lambda request: (arm if request.url.host == ARM_HOST else storage)(request))

    blueprint.on_blob(blob("exports/ea/20240101-20240131/costplane-ea.csv", EA_ACTUAL.read_bytes()))

    assert arm.done
    audited = bootstrap.plane(Settings(), "azure").runtime.state.recent_decisions(10)
    [acted] = [d for d in audited if d.policy == "budget-azure-openai-search-actual-100"]
    assert acted.resource_id == DEPLOYMENT_ID
    assert [(a.kind.value, a.status.value) for a in acted.actions] == [("throttle", "done")]
    assert acted.actions[0].params["undo"] == {"capacity": "30"}
