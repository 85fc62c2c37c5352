"""What the REST adapters (Azure, GCP) share: one warm HTTP client, cached tokens, clear errors.

Both clouds are called with httpx directly instead of their SDKs, which import hundreds of
modules and would dominate a function's cold start. Everything here is provider-neutral.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from functools import cache
from typing import Any, Protocol

import httpx
import orjson

from costplane.domain.decisions import ActionKind
from costplane.domain.marks import Mark
from costplane.engine.ports import ResourceGone

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
REFRESH_MARGIN_SECONDS = 300.0

Json = dict[str, Any]

TAGGING = frozenset({ActionKind.TAG, ActionKind.UNTAG, ActionKind.MARK_FOR_OP})
STOPPING = frozenset({ActionKind.STOP, ActionKind.QUARANTINE})
QUARANTINE_TAG = "costplane-quarantined"


class TokenProvider(Protocol):
    """Gives a bearer token valid for at least the next request."""

    def token(self) -> str: ...


class StaticToken:
    """A token handed in by the environment, for tests and local runs."""

    def __init__(self, value: str) -> None:
        self._value = value

    def token(self) -> str:
        return self._value


class CachedToken:
    """Fetches a token with `fetch` and reuses it until `margin` seconds before it expires.

    `fetch` returns the token and its expiry as a Unix time. One fetch at a time per process,
    so a burst of events after a cold start asks the token endpoint once.
    """

    def __init__(
        self,
        fetch: Callable[[], tuple[str, float]],
        *,
        margin: float = REFRESH_MARGIN_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch = fetch
        self._margin = margin
        self._clock = clock
        self._lock = threading.Lock()
        self._value: str | None = None
        self._expires = 0.0

    def token(self) -> str:
        with self._lock:
            if self._value is None or self._clock() >= self._expires - self._margin:
                self._value, self._expires = self._fetch()
            return self._value


class CloudApiError(RuntimeError):
    """A provider API refused a call; says which resource, which call and why."""

    def __init__(self, resource: str, response: httpx.Response) -> None:
        request = response.request
        self.resource = resource
        self.status = response.status_code
        self.code = error_code(response)
        failure = f"failed with HTTP {self.status} {self.code}: {error_message(response)}"
        super().__init__(_naming(resource, request, failure))


class UnsupportedResource(ValueError):
    """The adapter cannot address this resource id or act on this resource type."""


class CloudUnreachable(ConnectionError):
    """No answer at all (DNS, connection, timeout): names the call and the resource."""


class CredentialsMissing(RuntimeError):
    """No way to get a token in this environment."""


class RestClient:
    """Calls one provider's REST APIs with a bearer token on every request.

    Statuses in `expect` are returned to the caller, which handles them (a 409 on a claim, a
    412 on a stale fingerprint); any other error is raised by `check`. A 404 means the resource
    is gone, unless `missing_is_gone` is False: a state store's missing table is an error.
    """

    def __init__(self, http: httpx.Client, token: TokenProvider) -> None:
        self.http = http
        self.token = token

    def call(
        self,
        method: str,
        url: str,
        *,
        resource: str,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        expect: Collection[int] = (),
        missing_is_gone: bool = True,
    ) -> httpx.Response:
        """`body` is sent as JSON; `content` as it is, its type in `headers`."""
        sent = {"Authorization": f"Bearer {self.token.token()}", **(headers or {})}
        if body is not None:
            content = orjson.dumps(body)
            sent["Content-Type"] = "application/json"
        try:
            response = self.http.request(method, url, params=params, content=content, headers=sent)
        except httpx.TransportError as exc:
            failure = f"got no answer: {type(exc).__name__}: {exc}"
            raise CloudUnreachable(_naming(resource, exc.request, failure)) from exc
        if response.status_code in expect:
            return response
        if response.status_code == 404 and not missing_is_gone:
            raise CloudApiError(resource, response)
        return check(response, resource)


@cache
def shared_client() -> httpx.Client:
    """The process-wide client: its connection pool stays warm between invocations."""
    return httpx.Client(timeout=TIMEOUT)


def new_client(transport: httpx.BaseTransport | None) -> httpx.Client:
    """The shared client, or a dedicated one over `transport` (tests, proxies)."""
    if transport is None:
        return shared_client()
    return httpx.Client(transport=transport, timeout=TIMEOUT)


def error_code(response: httpx.Response) -> str:
    """The provider's error code: `AuthorizationFailed` (ARM), `PERMISSION_DENIED` (Google),
    `conditionNotMet` (Compute, Storage: a reason, their `code` is the HTTP status)."""
    error = _error(response)
    code = error.get("code")
    reasons = [e.get("reason") for e in error.get("errors") or () if isinstance(e, dict)]
    for candidate in (error.get("status"), code if isinstance(code, str) else None, *reasons):
        if candidate:
            return str(candidate)
    return response.reason_phrase


def error_message(response: httpx.Response) -> str:
    error = _error(response)
    message = error.get("message")
    return str(message) if message else response.text[:500]


def body_of(response: httpx.Response) -> Json:
    """The JSON object a response carries; empty for 204s and non-object bodies."""
    if not response.content:
        return {}
    body = orjson.loads(response.content)
    return body if isinstance(body, dict) else {}


def check(response: httpx.Response, resource: str) -> httpx.Response:
    """Return a successful response; 404 means the resource is gone, anything else fails."""
    if response.status_code == 404:
        raise ResourceGone(f"{resource}: {error_message(response)}")
    if response.is_error:
        raise CloudApiError(resource, response)
    return response


def _error(response: httpx.Response) -> Json:
    """Azure and Google both wrap errors as {"error": {...}}; Table storage as odata.error."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(body, dict):
        return {}
    error = body.get("error") or body.get("odata.error") or {}
    if not isinstance(error, dict):
        return {}
    if isinstance(error.get("message"), dict):  # odata.error nests {"lang", "value"}
        error = {**error, "message": error["message"].get("value")}
    return error


def _naming(resource: str, request: httpx.Request, failure: str) -> str:
    """`METHOD URL failure`, prefixed by the resource when the URL does not name it."""
    message = f"{request.method} {request.url} {failure}"
    return message if resource in str(request.url) else f"{resource}: {message}"


def quarantine_tags(now: datetime) -> dict[str, str]:
    """The tag that says when a resource was quarantined; label-safe, like a mark."""
    return {QUARANTINE_TAG: Mark(ActionKind.QUARANTINE, now).encode()}
