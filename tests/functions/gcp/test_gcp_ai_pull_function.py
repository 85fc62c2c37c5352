"""The GCP AI usage pull served by functions-framework, called as Cloud Scheduler calls it: the
admin keys as Secret Manager mounts them in the environment, the vendors at the HTTP layer, and
each report uploaded as one object in the bill bucket."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from urllib.parse import quote

import functions_framework
import httpx
import orjson

from tests.functions.gcp.conftest import MAIN
from tests.integration.ai_vendors.pages import KEYS, REPORTS, Vendors

PULL_MAIN = MAIN.parents[1] / "ai_pull" / "main.py"
UPLOAD = "https://storage.googleapis.com/upload/storage/v1/b/billing/o"


class Storage:
    """Cloud Storage's media uploads, kept by object name."""

    def __init__(self, vendors: Vendors) -> None:
        self.vendors = vendors
        self.uploaded: dict[str, httpx.Request] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != "storage.googleapis.com":
            return self.vendors(request)
        assert (request.method, f"{request.url.scheme}://{request.url.host}{request.url.path}") == (
            "POST",
            UPLOAD,
        )
        assert request.url.params["uploadType"] == "media"
        self.uploaded[request.url.params["name"]] = request
        return httpx.Response(200, json={"name": request.url.params["name"]})


def test_a_scheduler_call_uploads_each_report_and_answers_what_landed(
    cloud_env, serve, monkeypatch
):
    monkeypatch.setenv("COSTPLANE_AI_PULL_LOCATION", "gs://billing/ai-usage/")
    monkeypatch.setenv("COSTPLANE_AI_ADMIN_KEYS", orjson.dumps(KEYS).decode())
    storage = Storage(Vendors())
    serve(storage)
    for name in ("FUNCTION_TARGET", "FUNCTION_SIGNATURE_TYPE"):
        monkeypatch.setenv(name, "")
    monkeypatch.syspath_prepend(str(PULL_MAIN.parent))
    monkeypatch.delitem(sys.modules, "main", raising=False)
    app = functions_framework.create_app("ai_pull", str(PULL_MAIN))

    response = app.test_client().post("/", data=b"")

    assert response.status_code == 200
    month = f"{datetime.now(UTC):%Y-%m}"
    names = [
        f"ai-usage/{source}/org={organisation}/{month}.json" for source, organisation in REPORTS
    ]
    assert set(names) <= set(storage.uploaded)
    assert set(orjson.loads(response.data)["landed"]) >= {f"gs://billing/{n}" for n in names}
    request = storage.uploaded[names[0]]
    assert request.headers["Authorization"] == "Bearer gcp-test-token"
    assert quote(names[0], safe="") in str(request.url)
