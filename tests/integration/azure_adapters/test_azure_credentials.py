"""Azure tokens: the Functions managed identity, fetched once and reused; a static token locally."""

from __future__ import annotations

import time

import pytest

from costplane.adapters.azure.http import ARM_AUDIENCE, STORAGE_AUDIENCE, token_provider
from costplane.adapters.azure.inventory import AzureInventory
from costplane.adapters.rest import CredentialsMissing, RestClient
from costplane.config import AzureSettings
from tests.integration.azure_adapters.azure_support import ARM, TAGS, VM, ref, tags_resource
from tests.integration.azure_adapters.http_script import Exchange, Script, http

IDENTITY_ENDPOINT = "http://localhost:8081/msi/token"
IDENTITY_HEADER = "7f5a2b1c-secret"


@pytest.fixture(autouse=True)
def no_static_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COSTPLANE_AZURE_TOKEN", raising=False)


def identity_settings(client_id: str | None = None) -> AzureSettings:
    return AzureSettings.model_validate(
        {
            "IDENTITY_ENDPOINT": IDENTITY_ENDPOINT,
            "IDENTITY_HEADER": IDENTITY_HEADER,
            "client_id": client_id,
        }
    )


def token_exchange(
    token: str, expires_in: float, audience: str = ARM_AUDIENCE, query: str = ""
) -> Exchange:
    """App Service's token endpoint and its response (expires_on in epoch seconds, a string)."""
    return Exchange(
        "GET",
        f"{IDENTITY_ENDPOINT}?resource={audience.replace(':', '%3A').replace('/', '%2F')}"
        f"&api-version=2019-08-01{query}",
        headers={"X-IDENTITY-HEADER": IDENTITY_HEADER, "Authorization": None},
        reply={
            "access_token": token,
            "expires_on": str(int(time.time() + expires_in)),
            "resource": audience,
            "token_type": "Bearer",
            "client_id": "5e2b8a4c-0d1e-4f6a-9b3c-2a1d0e9f8c7b",
        },
    )


def read_tags(token: str) -> Exchange:
    return Exchange(
        "GET",
        f"{ARM}{VM}{TAGS}",
        headers={"Authorization": f"Bearer {token}"},
        reply=tags_resource(VM, {}),
    )


def inventory(
    script: Script, settings: AzureSettings, audience: str = ARM_AUDIENCE
) -> AzureInventory:
    client = http(script)
    return AzureInventory(RestClient(client, token_provider(settings, client, audience)))


def test_the_managed_identity_token_is_fetched_once_and_reused() -> None:
    script = Script(
        token_exchange("mi-token", expires_in=3600),
        read_tags("mi-token"),
        read_tags("mi-token"),
        token=None,
    )
    adapter = inventory(script, identity_settings())
    adapter.get_tags(ref())
    adapter.get_tags(ref())
    assert script.done


def test_a_token_close_to_expiry_is_fetched_again() -> None:
    script = Script(
        token_exchange("first", expires_in=60),
        read_tags("first"),
        token_exchange("second", expires_in=3600),
        read_tags("second"),
        token=None,
    )
    adapter = inventory(script, identity_settings())
    adapter.get_tags(ref())
    adapter.get_tags(ref())
    assert script.done


def test_a_user_assigned_identity_asks_for_its_client_id() -> None:
    client_id = "9d3f1e2a-7b6c-4d5e-8f9a-0b1c2d3e4f5a"
    script = Script(
        token_exchange("mi-token", 3600, query=f"&client_id={client_id}"),
        read_tags("mi-token"),
        token=None,
    )
    inventory(script, identity_settings(client_id)).get_tags(ref())
    assert script.done


def test_the_storage_audience_has_its_own_token() -> None:
    script = Script(token_exchange("storage-token", 3600, audience=STORAGE_AUDIENCE), token=None)
    client = http(script)
    assert token_provider(identity_settings(), client, STORAGE_AUDIENCE).token() == "storage-token"


def test_a_static_token_from_the_environment_wins_over_the_identity(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COSTPLANE_AZURE_TOKEN", "local-token")
    monkeypatch.setenv("IDENTITY_ENDPOINT", IDENTITY_ENDPOINT)
    monkeypatch.setenv("IDENTITY_HEADER", IDENTITY_HEADER)
    script = Script(read_tags("local-token"), token=None)
    inventory(script, AzureSettings()).get_tags(ref())
    assert script.done


def test_without_any_credentials_the_error_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(CredentialsMissing, match=r"IDENTITY_ENDPOINT.*COSTPLANE_AZURE_TOKEN"):
        token_provider(AzureSettings(), http(Script()), ARM_AUDIENCE)
