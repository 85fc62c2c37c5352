"""The hourly pull of AI vendors' usage and cost reports into the bill store, for cost ingest.

A vendor's report is an API, not an export: something has to fetch it. Each run pulls, per
report (source) and organisation, the month to date (and, for the first `grace_days` of a
month, the whole previous month, whose late buckets can still change), and writes ONE object
per (source, organisation, month) at a stable key, overwriting the last run's:

    <location><source>/org=<organisation>/<YYYY-MM>.json

a JSON array of the report's pages, each exactly as the API returned it. Cost ingest routes
the key by its prefix to the source's normaliser (`exports.pulled_exports`) and restates
(source, organisation, month), so every bucket lands once however often it is pulled; the
`org=<id>` segment names the BillingAccountId, as the AI report normalisers read it
(billing/focus/sources/ai_reports), and `landed_report` reads the whole key back.

A report is fetched whole before anything is written: a page the vendor truncated or changed
fails that report (`ReportIncomplete`, naming the page and the field), lands nothing of it,
and leaves the last good object in place; the other reports still land.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol, TypedDict

PULLED_SOURCES = ("openai-usage", "openai-costs", "anthropic-usage", "anthropic-cost")
"""The normalisers of the landed reports, each one report of one vendor."""

ORGANISATION = re.compile(r"[A-Za-z0-9_-]{1,128}")
_LANDED = re.compile(
    r"(?P<source>[a-z-]+)/org=(?P<organisation>[A-Za-z0-9_-]{1,128})/(?P<month>\d{4}-\d{2})\.json$"
)


class ReportIncomplete(RuntimeError):
    """A report could not be fetched whole (a page truncated or changed, the vendor refused or
    kept failing): nothing of it may land."""


class ObjectWriter(Protocol):
    """Where pulled reports land: the plane's bill store (S3, Blob, GCS) or a directory."""

    def put(self, uri: str, body: bytes) -> None:
        """Write `body` at `uri`, replacing what is there."""
        ...


@dataclass(frozen=True, slots=True)
class Report:
    """One source's report of one organisation: `fetch(start, end)` gives its pages, each the
    API's bytes, or raises ReportIncomplete."""

    source: str
    organisation: str
    fetch: Callable[[datetime, datetime], list[bytes]]

    def __post_init__(self) -> None:
        if self.source not in PULLED_SOURCES:
            raise ValueError(f"unknown pulled source {self.source!r}; valid: {PULLED_SOURCES}")
        if not ORGANISATION.fullmatch(self.organisation):
            raise ValueError(f"organisation id {self.organisation!r} is not a plain id")


@dataclass(frozen=True, slots=True)
class LandedReport:
    """What a landed key says: whose report of which month it is."""

    source: str
    organisation: str
    month: str


@dataclass(frozen=True, slots=True)
class PullOutcome:
    source: str
    organisation: str
    month: str
    status: Literal["landed", "failed"]
    uri: str
    pages: int = 0
    detail: str = ""


def landed_uri(location: str, source: str, organisation: str, month: datetime) -> str:
    return f"{location}{source}/org={organisation}/{month:%Y-%m}.json"


def landed_report(uri: str) -> LandedReport | None:
    """The source, organisation and month a landed key names; None for any other object."""
    match = _LANDED.search(uri)
    if match is None or match["source"] not in PULLED_SOURCES:
        return None
    return LandedReport(match["source"], match["organisation"], match["month"])


def month_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def windows(now: datetime, grace_days: int) -> list[tuple[datetime, datetime]]:
    """The months to pull as [start, end): the previous one whole during the grace days, then
    this one up to the end of the current hour."""
    current = month_start(now)
    hour_end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    months = [(current, hour_end)]
    if now.astimezone(UTC).day <= grace_days:
        months.insert(0, (month_start(current - timedelta(days=1)), current))
    return months


class UsagePull:
    """Pulls every configured report into the bill store, one object per (source,
    organisation, month)."""

    def __init__(
        self,
        reports: Sequence[Report],
        writer: ObjectWriter,
        location: str,
        clock: Callable[[], datetime],
        grace_days: int = 3,
    ) -> None:
        if not location.endswith("/"):
            raise ValueError(f"the pull location must end with '/': {location!r}")
        self.reports = list(reports)
        self.writer = writer
        self.location = location
        self.clock = clock
        self.grace_days = grace_days

    def pull(self) -> list[PullOutcome]:
        """Every report of every month due; a report that fails lands nothing and does not stop
        the others. What the writer raises raises, for the platform to retry."""
        outcomes = []
        for start, end in windows(self.clock(), self.grace_days):
            for report in self.reports:
                outcomes.append(self._pull(report, start, end))
        return outcomes

    def _pull(self, report: Report, start: datetime, end: datetime) -> PullOutcome:
        uri = landed_uri(self.location, report.source, report.organisation, start)
        whose = (report.source, report.organisation, f"{start:%Y-%m}")
        try:
            pages = report.fetch(start, end)
        except ReportIncomplete as exc:
            return PullOutcome(*whose, "failed", uri, detail=str(exc))
        self.writer.put(uri, b"[" + b",".join(pages) + b"]")
        return PullOutcome(*whose, "landed", uri, pages=len(pages))


class PullSummary(TypedDict):
    landed: list[str]
    failed: dict[str, str]


def summary(outcomes: Sequence[PullOutcome]) -> PullSummary:
    """What a run did, for the function's log and reply: the objects landed, and why each
    report that failed did."""
    return {
        "landed": [o.uri for o in outcomes if o.status == "landed"],
        "failed": {o.uri: o.detail for o in outcomes if o.status == "failed"},
    }


def logged(outcomes: Sequence[PullOutcome], log: logging.Logger) -> PullSummary:
    """The run's summary, each failed report logged as a warning and the whole as info."""
    done = summary(outcomes)
    for uri, detail in done["failed"].items():
        log.warning("pull: %s: %s", uri, detail)
    log.info("pull: %d landed, %d failed", len(done["landed"]), len(done["failed"]))
    return done
