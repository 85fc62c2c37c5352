"""The GCP mark sweep served by functions-framework, called as Cloud Scheduler calls it: it
searches the configured scope for the mark label and answers what it did."""

from __future__ import annotations

import sys

import functions_framework
import orjson

from tests.functions.gcp.conftest import MAIN
from tests.integration.azure_adapters.http_script import Exchange, Script

SWEEP_MAIN = MAIN.parents[1] / "mark_sweep" / "main.py"

SEARCH = (
    "https://cloudasset.googleapis.com/v1/projects/acme-prod:searchAllResources"
    "?query=labels.costplane-op%3A%2A&pageSize=500"
    "&readMask=name%2CassetType%2Cproject%2Clocation%2Clabels&orderBy=name"
)


def test_a_scheduler_call_searches_the_configured_scope_and_answers_the_pass(
    cloud_env, serve, monkeypatch
):
    monkeypatch.setenv("COSTPLANE_SWEEP_SCOPE", "projects/acme-prod")
    script = Script(Exchange("GET", SEARCH, reply={"results": []}), token="gcp-test-token")
    serve(script)
    for name in ("FUNCTION_TARGET", "FUNCTION_SIGNATURE_TYPE"):
        monkeypatch.setenv(name, "")
    monkeypatch.syspath_prepend(str(SWEEP_MAIN.parent))
    monkeypatch.delitem(sys.modules, "main", raising=False)
    app = functions_framework.create_app("mark_sweep", str(SWEEP_MAIN))
    response = app.test_client().post("/", data=b"")
    assert response.status_code == 200
    answer = orjson.loads(response.data)
    assert answer["complete"] is True
    assert answer["outcomes"] == {}
    assert script.done
