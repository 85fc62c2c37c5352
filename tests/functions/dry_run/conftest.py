"""What the dry-run suite shares: every entry point configured with the bundled example files
(no taxonomy, policies or budgets of its own) under one deployment mode, and a witness of the
calls that reach each cloud.

The witness of AWS is botocore itself: every API call any client makes passes through
`BaseClient._make_api_call`, which is wrapped to note (service, operation) and then calls
through to the moto server unchanged. Azure's and GCP's witnesses are the HTTP fakes' request
logs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.client import BaseClient

from tests.functions.azure.conftest import arm, function_app  # noqa: F401  (fixtures)
from tests.functions.gcp.conftest import google  # noqa: F401  (a fixture)
from tests.integration.azure_adapters.fake_azure import GRAPH_PATH

MODES = ["dry-run", "enforce"]
# costplane's own records (claims, decisions, budgets, approvals, idempotency) live in DynamoDB:
# writing them is the audit a dry run keeps, not an action on the governed estate.
OWN_STORES = {"dynamodb"}
READS = ("Describe", "Get", "List", "Head", "Query", "Scan", "BatchGet", "Lookup", "Search")


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """The deployment's mode: each test runs dry, and enforcing as the witness's control."""
    return str(request.param)


def bundled_examples(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled examples as the only configuration, under the deployment's `mode`."""
    for name in ("COSTPLANE_TAXONOMY", "COSTPLANE_POLICIES", "COSTPLANE_BUDGETS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COSTPLANE_MODE", mode)


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(service, operation) of every AWS API call made while the test runs."""
    seen: list[tuple[str, str]] = []
    make_api_call = BaseClient._make_api_call

    def noted(client: BaseClient, operation: str, params: dict[str, object]) -> object:
        seen.append((client.meta.service_model.service_name, operation))
        return make_api_call(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", noted)
    return seen


def aws_mutations(calls: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The calls that change something other than costplane's own records."""
    return [
        (service, op)
        for service, op in calls
        if service not in OWN_STORES and not op.startswith(READS)
    ]


def http_mutations(requests: list[tuple[str, str, object, object]]) -> list[tuple[str, str]]:
    """The requests to a provider's API that are not reads (a Resource Graph query is a POST
    that reads)."""
    return [
        (method, path)
        for method, path, *_ in requests
        if method not in ("GET", "HEAD") and path != GRAPH_PATH
    ]


@pytest.fixture
def bundled(cloud_env: Path, mode: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The Azure and GCP functions' environment (static tokens, SQLite state) with the bundled
    examples under `mode`: cloud_env's own taxonomy and mode are replaced."""
    bundled_examples(mode, monkeypatch)
    return cloud_env
