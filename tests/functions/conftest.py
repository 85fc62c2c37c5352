"""What the Azure and GCP function tests share: the cloud planes wired as in production, with
their HTTP calls answered by an in-memory provider API over httpx.MockTransport.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import yaml

from costplane.adapters import rest
from costplane.bootstrap import EXAMPLE_TAXONOMY

Handler = Callable[[httpx.Request], httpx.Response]

# The example taxonomy, plus Azure defaults so that an Azure resource has tags to inherit.
AZURE_DEFAULTS = {"scope": {"provider": "azure"}, "tags": {"CostCenter": "CC-1001"}}


@pytest.fixture
def cloud_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Enforce mode, state in a temporary SQLite file, static tokens instead of identities."""
    taxonomy = yaml.safe_load(EXAMPLE_TAXONOMY.read_text())
    taxonomy["defaults"].append(AZURE_DEFAULTS)
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(taxonomy))
    for name, value in {
        "COSTPLANE_TAXONOMY": str(path),
        "COSTPLANE_MODE": "enforce",
        "COSTPLANE_LAKE": str(tmp_path / "lake"),
        "COSTPLANE_AZURE_TOKEN": "azure-test-token",
        "COSTPLANE_GCP_TOKEN": "gcp-test-token",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("COSTPLANE_PLANE", "IDENTITY_ENDPOINT", "COSTPLANE_AZURE_STATE_ACCOUNT"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch) -> Callable[[Handler], None]:
    """Answer the REST adapters' calls with `handler`: the process-wide client is the seam."""

    def install(handler: Handler) -> None:
        client = httpx.Client(transport=httpx.MockTransport(handler))
        monkeypatch.setattr(rest, "shared_client", lambda: client)

    return install
