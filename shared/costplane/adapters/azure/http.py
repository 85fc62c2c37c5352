"""Azure credentials: the Functions managed identity, or a static token for tests and local runs.

Tokens are per audience: ARM (`management.azure.com`) for tags and power actions, Storage
(`storage.azure.com`) for the Table state store. Each is cached until shortly before it expires.
"""

from __future__ import annotations

import httpx

from costplane.adapters.rest import (
    CachedToken,
    CredentialsMissing,
    StaticToken,
    TokenProvider,
    UnsupportedResource,
    body_of,
    check,
)
from costplane.config import AzureSettings

ARM = "https://management.azure.com"
ARM_AUDIENCE = "https://management.azure.com/"
STORAGE_AUDIENCE = "https://storage.azure.com/"
IDENTITY_API_VERSION = "2019-08-01"


def token_provider(settings: AzureSettings, http: httpx.Client, audience: str) -> TokenProvider:
    """COSTPLANE_AZURE_TOKEN when set, else the managed identity of the function app."""
    if settings.token is not None:
        return StaticToken(settings.token.get_secret_value())
    if settings.identity_endpoint is None or settings.identity_header is None:
        raise CredentialsMissing(
            "no Azure credentials: run with a managed identity (IDENTITY_ENDPOINT and "
            "IDENTITY_HEADER) or set COSTPLANE_AZURE_TOKEN"
        )
    params = {"resource": audience, "api-version": IDENTITY_API_VERSION}
    if settings.client_id:
        params["client_id"] = settings.client_id
    endpoint = settings.identity_endpoint
    headers = {"X-IDENTITY-HEADER": settings.identity_header.get_secret_value()}

    def fetch() -> tuple[str, float]:
        response = check(
            http.get(endpoint, params=params, headers=headers), f"managed identity for {audience}"
        )
        body = body_of(response)
        return str(body["access_token"]), float(body["expires_on"])

    return CachedToken(fetch)


def arm_path(resource_id: str) -> str:
    """The ARM id as a URL path; ids are case-insensitive, so they are passed as given."""
    if not resource_id.startswith(("/subscriptions/", "/providers/")):
        raise UnsupportedResource(f"not an Azure Resource Manager id: {resource_id!r}")
    return resource_id.rstrip("/")
