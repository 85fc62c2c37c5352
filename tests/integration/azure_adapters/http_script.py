"""Scripted HTTP for the REST adapter tests (Azure and GCP): each request is checked exactly.

A `Script` is an httpx.MockTransport handler that expects exactly its exchanges, in order: the
method, the full URL with its query, the bearer token, the listed headers and the JSON body.
Anything else fails the test at the request that differed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from costplane.adapters.rest import RestClient, StaticToken

TOKEN = "test-token"


@dataclass
class Exchange:
    """One expected request and the reply to it; a header expected as None must be absent."""

    method: str
    url: str
    body: Any = None
    headers: dict[str, str | None] = field(default_factory=dict)
    status: int = 200
    reply: Any = None
    reply_headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    """The reply's bytes as they are, instead of `reply` as JSON (a truncated page …)."""


class Script:
    def __init__(self, *exchanges: Exchange, token: str | None = TOKEN) -> None:
        self.pending = list(exchanges)
        self.token = token

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert self.pending, f"unexpected request {request.method} {request.url}"
        want = self.pending.pop(0)
        sent = (request.method, str(request.url))
        assert sent == (want.method, want.url), f"sent {sent}, expected {want.method} {want.url}"
        expected = dict(want.headers)
        if self.token is not None:
            expected.setdefault("Authorization", f"Bearer {self.token}")
        for name, value in expected.items():
            got = request.headers.get(name)
            assert got == value, (
                f"{want.method} {want.url}: header {name} is {got!r}, not {value!r}"
            )
        if want.body is None:
            assert request.content == b"", f"{want.method} {want.url}: unexpected body"
        else:
            assert request.headers["Content-Type"] == "application/json"
            body = orjson.loads(request.content)
            assert body == want.body, f"{want.method} {want.url}: body {body!r}"
        content = orjson.dumps(want.reply) if want.reply is not None else want.raw or b""
        return httpx.Response(want.status, content=content, headers=want.reply_headers)

    @property
    def done(self) -> bool:
        return not self.pending


def http(handler: Any) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def rest(script: Script) -> RestClient:
    return RestClient(http(script), StaticToken(TOKEN))
