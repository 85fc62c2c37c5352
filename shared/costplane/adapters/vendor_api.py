"""An AI vendor's admin API, called with a static admin key (OpenAI, Anthropic).

429 and 5xx (Anthropic's 529 "overloaded" among them) and lost connections are retried with
exponential backoff, honouring a `Retry-After` in seconds, up to `attempts` tries; then the call
fails and says why. A 401 or 403 is the admin key refused (`AdminKeyRefused`: impossible as
configured, never retried); a 404 is the resource gone (`ResourceGone`). Errors of both vendors
are `{"error": {"type", "message", …}}`; the message is kept, the key never is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from costplane.adapters.rest import CloudApiError, CloudUnreachable, Json, body_of
from costplane.domain.errors import ActionImpossible
from costplane.engine.ports import ResourceGone

log = logging.getLogger("costplane")

ATTEMPTS = 5
FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0


class AdminKeyRefused(ActionImpossible):
    """The vendor refused the admin key (401) or its permissions (403): a retry fails the same."""


def retried(status: int) -> bool:
    return status == 429 or status >= 500


def backoff(attempt: int, response: httpx.Response | None) -> float:
    """`Retry-After` when the vendor sends seconds, else 1, 2, 4 … seconds, capped."""
    after = response.headers.get("Retry-After") if response is not None else None
    if after is not None and after.replace(".", "", 1).isdigit():
        return min(float(after), MAX_BACKOFF_SECONDS)
    return min(FIRST_BACKOFF_SECONDS * float(2**attempt), MAX_BACKOFF_SECONDS)


def vendor_error(response: httpx.Response) -> str:
    """`type: message` from the vendor's error body, else the start of the body."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.text[:300] or response.reason_phrase
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return response.text[:300]
    kind = error.get("type") or error.get("code") or response.reason_phrase
    return f"{kind}: {error.get('message') or ''}".rstrip(": ")


@dataclass(frozen=True, slots=True)
class VendorApi:
    """One vendor's admin API at `base`, every request carrying `headers` (the key, a version)."""

    vendor: str
    http: httpx.Client
    base: str
    headers: Mapping[str, str]
    sleep: Callable[[float], None] = time.sleep
    attempts: int = ATTEMPTS

    def call(
        self,
        method: str,
        path: str,
        *,
        resource: str,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        missing: bool = False,
    ) -> Json | None:
        """The JSON object answered; None for a 404 when `missing` (absent is an answer)."""
        response = self._send(method, path, resource, params, body)
        if response.status_code == 404:
            if missing:
                return None
            raise ResourceGone(f"{self.vendor} {resource}: {vendor_error(response)}")
        if response.status_code in (401, 403):
            raise AdminKeyRefused(
                f"{self.vendor} refused the admin key for {method} {response.request.url} "
                f"(HTTP {response.status_code} {vendor_error(response)}): check that the key is "
                "an admin key of this organisation and may manage it"
            )
        if response.is_error:
            raise CloudApiError(f"{self.vendor} {resource}", response)
        return body_of(response)

    def _send(
        self,
        method: str,
        path: str,
        resource: str,
        params: Mapping[str, str] | None,
        body: Any,
    ) -> httpx.Response:
        headers = dict(self.headers)
        content = None
        if body is not None:
            content = orjson.dumps(body)
            headers["Content-Type"] = "application/json"
        url = f"{self.base}{path}"
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.http.request(
                    method, url, params=params, content=content, headers=headers
                )
            except httpx.TransportError as exc:
                if attempt == self.attempts:
                    raise CloudUnreachable(
                        f"{self.vendor} {resource}: {method} {url} got no answer in "
                        f"{self.attempts} tries: {type(exc).__name__}: {exc}"
                    ) from exc
                self.sleep(backoff(attempt - 1, None))
                continue
            if not retried(response.status_code) or attempt == self.attempts:
                return response
            wait = backoff(attempt - 1, response)
            log.warning(
                "%s answered %s to %s %s; retrying in %.1fs",
                self.vendor,
                response.status_code,
                method,
                url,
                wait,
            )
            self.sleep(wait)
