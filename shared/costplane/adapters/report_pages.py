"""Cursor-paged usage and cost reports (OpenAI's and Anthropic's admin APIs page alike): every
page fetched within a bounded retry budget and validated before any of the report is kept.

Both vendors answer a page as `{data: [buckets], has_more, next_page}` and take `page=<next_page>`
for the next. A 429 is waited out as its Retry-After says, a 5xx or a dropped connection with
exponential backoff, all within one budget of seconds per report; any other error, a page that
is not whole JSON (truncated), or one whose fields changed fails the whole report with a
message naming the page and the field. The admin key is never part of a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx
import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

from costplane.billing.pull import ReportIncomplete

MAX_PAGES = 1000
"""A month of hourly buckets is under 10 pages; more means the cursor does not advance."""
EXCERPT = 300


@dataclass(frozen=True, slots=True)
class Retry:
    """How long one report may wait out throttling and server errors."""

    budget_seconds: float = 300.0
    attempts: int = 8
    base_seconds: float = 1.0
    cap_seconds: float = 60.0


@dataclass(slots=True)
class Budget:
    """The seconds one report (all of a source's endpoints) may still spend waiting."""

    seconds: float
    spent: float = 0.0

    def allows(self, wait: float) -> bool:
        return self.spent + wait <= self.seconds


class Open(BaseModel):
    """A vendor's object: the fields it adds are let through, as its page lands as it came."""

    model_config = ConfigDict(extra="allow")


R = TypeVar("R", bound=BaseModel)
"""A page's kind of result."""


class Cursor(Open):
    """What every page says about the next one (the page models extend it)."""

    has_more: bool
    next_page: str | None


@dataclass(slots=True)
class ReportPages:
    """A vendor's reports, fetched through `http` with its auth `headers`."""

    http: httpx.Client
    headers: Mapping[str, str]
    retry: Retry
    sleep: Callable[[float], None] = time.sleep

    def budget(self) -> Budget:
        """A new report's waiting budget, shared by every endpoint it is fetched from."""
        return Budget(self.retry.budget_seconds)

    def fetch(
        self,
        url: str,
        page: type[Cursor],
        query: Sequence[tuple[str, str]],
        budget: Budget | None = None,
    ) -> list[bytes]:
        """Every page of the report at `url` that `query` asks for, each validated against
        `page`, as the API's bytes; the waits spend `budget` (a new one if none)."""
        return _Report(self, url, page, budget or self.budget()).fetch(query)


class ReportClient:
    """A vendor's report client: its admin key, sent as `headers` says, over one ReportPages."""

    def __init__(
        self,
        http: httpx.Client,
        admin_key: str,
        retry: Retry | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.pages = ReportPages(http, self.headers(admin_key), retry or Retry(), sleep)

    @staticmethod
    def headers(admin_key: str) -> dict[str, str]:
        """How the vendor takes the admin key (and its other required headers)."""
        raise NotImplementedError


def report_query(
    start: tuple[str, str],
    end: tuple[str, str],
    width: str,
    group_by: Sequence[str],
    limit: int,
) -> list[tuple[str, str]]:
    """A report's query: its bounds (each vendor names and writes them its way), the bucket
    width, group_by[] repeated (the brackets as both vendors' SDKs send arrays), the page size."""
    return [
        start,
        end,
        ("bucket_width", width),
        *(("group_by[]", field) for field in group_by),
        ("limit", str(limit)),
    ]


@dataclass(slots=True)
class _Report:
    """One report's pages, fetched in turn."""

    api: ReportPages
    url: str
    page: type[Cursor]
    budget: Budget

    @property
    def retry(self) -> Retry:
        return self.api.retry

    def fetch(self, query: Sequence[tuple[str, str]]) -> list[bytes]:
        pages: list[bytes] = []
        seen: set[str] = set()
        cursor: str | None = None
        while True:
            number = len(pages) + 1
            params = [*query, ("page", cursor)] if cursor else list(query)
            body = self._get(params, number)
            parsed = self._validated(body, number)
            pages.append(body)
            if not parsed.has_more:
                return pages
            cursor = parsed.next_page
            if not cursor:
                raise ReportIncomplete(f"{self.url}: page {number} has more but no next_page")
            if cursor in seen:
                raise ReportIncomplete(f"{self.url}: page {number} does not advance the cursor")
            if number >= MAX_PAGES:
                raise ReportIncomplete(f"{self.url}: more than {MAX_PAGES} pages")
            seen.add(cursor)

    def _get(self, params: list[tuple[str, str]], number: int) -> bytes:
        for attempt in range(1, self.retry.attempts + 1):
            try:
                response = self.api.http.get(
                    self.url, params=tuple(params), headers=self.api.headers
                )
            except httpx.TransportError as exc:
                failure, wait = f"got no answer ({type(exc).__name__})", self._backoff(attempt)
            else:
                if response.status_code == 200:
                    return response.content
                failure = f"answered {response.status_code}: {_excerpt(response.content)}"
                if response.status_code != 429 and response.status_code < 500:
                    raise ReportIncomplete(f"{self.url}: page {number} {failure}")
                wait = _retry_after(response) or self._backoff(attempt)
            if attempt == self.retry.attempts:
                break
            if not self.budget.allows(wait):
                raise ReportIncomplete(
                    f"{self.url}: page {number} {failure}; waiting {wait:g} s more would exceed "
                    f"the retry budget of {self.budget.seconds:g} s"
                )
            self.budget.spent += wait
            self.api.sleep(wait)
        raise ReportIncomplete(
            f"{self.url}: page {number} {failure} on all {self.retry.attempts} attempts"
        )

    def _backoff(self, attempt: int) -> float:
        return float(min(self.retry.cap_seconds, self.retry.base_seconds * 2 ** (attempt - 1)))

    def _validated(self, body: bytes, number: int) -> Cursor:
        try:
            return self.page.model_validate(orjson.loads(body))
        except orjson.JSONDecodeError as exc:
            raise ReportIncomplete(
                f"{self.url}: page {number} is not whole JSON ({len(body)} bytes): {exc}"
            ) from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ReportIncomplete(
                f"{self.url}: page {number} changed: {where}: {first['msg']} "
                f"({exc.error_count()} error(s))"
            ) from None


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds, given as seconds or as an HTTP date."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _excerpt(content: bytes) -> str:
    text = content.decode("utf-8", "replace").strip()
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"
