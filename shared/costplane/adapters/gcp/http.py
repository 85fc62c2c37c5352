"""GCP credentials: the metadata server's service-account token, or a static token locally.

Cloud Functions and Cloud Run serve the function's service-account token on the metadata
server; it is cached until shortly before it expires.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from costplane.adapters.rest import (
    CachedToken,
    CredentialsMissing,
    StaticToken,
    TokenProvider,
    body_of,
    check,
)
from costplane.config import GcpSettings

METADATA_TOKEN_URL = (
    "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token"
)


def token_provider(
    settings: GcpSettings, http: httpx.Client, clock: Callable[[], float] = time.time
) -> TokenProvider:
    """COSTPLANE_GCP_TOKEN when set, else the metadata server of the function's runtime."""
    if settings.token is not None:
        return StaticToken(settings.token.get_secret_value())

    def fetch() -> tuple[str, float]:
        try:
            response = http.get(METADATA_TOKEN_URL, headers={"Metadata-Flavor": "Google"})
        except httpx.TransportError as exc:
            raise CredentialsMissing(
                f"cannot reach the GCP metadata server ({exc}); outside Google Cloud set "
                "COSTPLANE_GCP_TOKEN"
            ) from exc
        body = body_of(check(response, "metadata server token"))
        return str(body["access_token"]), clock() + float(body["expires_in"])

    return CachedToken(fetch, clock=clock)
