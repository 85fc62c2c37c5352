"""GCP tokens: the metadata server's, fetched once and reused; a static token locally."""

from __future__ import annotations

import httpx
import pytest

from costplane.adapters.gcp.http import METADATA_TOKEN_URL, token_provider
from costplane.adapters.gcp.inventory import GcpInventory
from costplane.adapters.rest import CredentialsMissing, RestClient
from costplane.config import GcpSettings
from tests.integration.azure_adapters.http_script import Exchange, Script, http
from tests.integration.gcp_adapters.gcp_support import COMPUTE, ref


@pytest.fixture(autouse=True)
def no_static_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COSTPLANE_GCP_TOKEN", raising=False)


def metadata_token(token: str, expires_in: int) -> Exchange:
    return Exchange(
        "GET",
        METADATA_TOKEN_URL,
        headers={"Metadata-Flavor": "Google", "Authorization": None},
        reply={"access_token": token, "expires_in": expires_in, "token_type": "Bearer"},
    )


def read_labels(token: str) -> Exchange:
    return Exchange(
        "GET",
        f"{COMPUTE}?fields=labels%2ClabelFingerprint",
        headers={"Authorization": f"Bearer {token}"},
        reply={"labelFingerprint": "42WmSpB8rSM="},
    )


def inventory(handler: object, settings: GcpSettings) -> GcpInventory:
    client = http(handler)
    return GcpInventory(RestClient(client, token_provider(settings, client)))


def test_the_metadata_token_is_fetched_once_and_reused() -> None:
    script = Script(
        metadata_token("sa-token", 3599),
        read_labels("sa-token"),
        read_labels("sa-token"),
        token=None,
    )
    adapter = inventory(script, GcpSettings())
    adapter.get_tags(ref())
    adapter.get_tags(ref())
    assert script.done


def test_a_token_close_to_expiry_is_fetched_again() -> None:
    script = Script(
        metadata_token("first", 120),
        read_labels("first"),
        metadata_token("second", 3599),
        read_labels("second"),
        token=None,
    )
    adapter = inventory(script, GcpSettings())
    adapter.get_tags(ref())
    adapter.get_tags(ref())
    assert script.done


def test_a_static_token_from_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COSTPLANE_GCP_TOKEN", "local-token")
    script = Script(read_labels("local-token"), token=None)
    inventory(script, GcpSettings()).get_tags(ref())
    assert script.done


def test_outside_google_cloud_the_error_says_what_to_set() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Name or service not known", request=request)

    with pytest.raises(CredentialsMissing, match=r"metadata server.*COSTPLANE_GCP_TOKEN"):
        inventory(unreachable, GcpSettings()).get_tags(ref())
