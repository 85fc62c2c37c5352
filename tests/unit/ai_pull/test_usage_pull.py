"""The hourly pull: which months it pulls, one object per (source, organisation, month) at a
stable key holding the report's pages as they came, and a report that failed landing nothing
while the others land."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from costplane.billing.pull import (
    LandedReport,
    Report,
    ReportIncomplete,
    UsagePull,
    landed_report,
    summary,
    windows,
)

LOCATION = "s3://bills/ai/"
PAGE_1 = b'{"object":"page","data":[],"has_more":true,"next_page":"page_A"}'
PAGE_2 = b'{"object":"page","data":[],"has_more":false,"next_page":null}'


class Store:
    """The bill store: each key's latest body."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put(self, uri: str, body: bytes) -> None:
        self.objects[uri] = body


class Fetches:
    """A report's fetch: records the windows asked, answers the pages or raises."""

    def __init__(self, pages: list[bytes] | None = None, failure: str | None = None) -> None:
        self.pages = pages or [PAGE_1, PAGE_2]
        self.failure = failure
        self.asked: list[tuple[datetime, datetime]] = []

    def __call__(self, start: datetime, end: datetime) -> list[bytes]:
        self.asked.append((start, end))
        if self.failure:
            raise ReportIncomplete(self.failure)
        return self.pages


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_mid_month_the_month_is_pulled_to_the_end_of_the_current_hour():
    assert windows(at("2026-11-17T10:25:00"), grace_days=3) == [
        (at("2026-11-01T00:00:00"), at("2026-11-17T11:00:00"))
    ]


def test_in_the_first_days_the_previous_month_is_pulled_again_whole():
    assert windows(at("2026-12-02T00:10:00"), grace_days=3) == [
        (at("2026-11-01T00:00:00"), at("2026-12-01T00:00:00")),
        (at("2026-12-01T00:00:00"), at("2026-12-02T01:00:00")),
    ]


def test_after_the_grace_days_only_the_current_month_is_pulled():
    assert len(windows(at("2026-12-04T00:10:00"), grace_days=3)) == 1


def test_the_first_hour_of_january_pulls_december_of_the_year_before():
    [previous, _] = windows(at("2027-01-01T00:00:00"), grace_days=3)
    assert previous == (at("2026-12-01T00:00:00"), at("2027-01-01T00:00:00"))


def test_each_report_lands_as_one_object_holding_its_pages_as_they_came():
    store = Store()
    pull = UsagePull(
        [Report("openai-usage", "org-abc", Fetches())],
        store,
        LOCATION,
        lambda: at("2026-11-17T10:25:00"),
    )

    [outcome] = pull.pull()

    uri = "s3://bills/ai/openai-usage/org=org-abc/2026-11.json"
    assert (outcome.status, outcome.uri, outcome.pages) == ("landed", uri, 2)
    assert store.objects[uri] == b"[" + PAGE_1 + b"," + PAGE_2 + b"]"
    assert orjson.loads(store.objects[uri])[1]["has_more"] is False


def test_every_run_replaces_the_same_key_so_a_bucket_lands_once():
    store = Store()
    fetch = Fetches([PAGE_1])
    pull = UsagePull(
        [Report("anthropic-cost", "org-1", fetch)],
        store,
        LOCATION,
        lambda: at("2026-11-17T10:25:00"),
    )

    pull.pull()
    fetch.pages = [PAGE_2]
    pull.pull()

    assert store.objects == {
        "s3://bills/ai/anthropic-cost/org=org-1/2026-11.json": b"[" + PAGE_2 + b"]"
    }


def test_a_report_that_failed_lands_nothing_and_the_others_still_land():
    store = Store()
    store.objects["s3://bills/ai/openai-costs/org=org-abc/2026-11.json"] = b"[last good]"
    reports = [
        Report("openai-costs", "org-abc", Fetches(failure="page 2 is not whole JSON")),
        Report("anthropic-usage", "org-1", Fetches()),
    ]
    pull = UsagePull(reports, store, LOCATION, lambda: at("2026-11-17T10:25:00"))

    outcomes = pull.pull()

    assert summary(outcomes) == {
        "landed": ["s3://bills/ai/anthropic-usage/org=org-1/2026-11.json"],
        "failed": {
            "s3://bills/ai/openai-costs/org=org-abc/2026-11.json": "page 2 is not whole JSON"
        },
    }
    assert store.objects["s3://bills/ai/openai-costs/org=org-abc/2026-11.json"] == b"[last good]"


def test_each_month_due_is_its_own_object():
    store = Store()
    fetch = Fetches()
    pull = UsagePull(
        [Report("openai-usage", "org-abc", fetch)],
        store,
        LOCATION,
        lambda: at("2026-12-01T05:00:00"),
    )

    pull.pull()

    assert sorted(store.objects) == [
        "s3://bills/ai/openai-usage/org=org-abc/2026-11.json",
        "s3://bills/ai/openai-usage/org=org-abc/2026-12.json",
    ]
    assert fetch.asked[0] == (at("2026-11-01T00:00:00"), at("2026-12-01T00:00:00"))


def test_a_landed_key_names_its_source_organisation_and_month():
    uri = "gs://bills/ai/anthropic-usage/org=8c3f0a2e-1b2c-4d5e-9f00-0123456789ab/2026-11.json"
    assert landed_report(uri) == LandedReport(
        "anthropic-usage", "8c3f0a2e-1b2c-4d5e-9f00-0123456789ab", "2026-11"
    )


def test_other_objects_are_no_landed_report():
    assert landed_report("s3://bills/cur2/data/part-0.parquet") is None
    assert landed_report("s3://bills/ai/not-a-source/org=org-abc/2026-11.json") is None


@pytest.mark.parametrize("organisation", ["../etc", "org/abc", ""])
def test_an_organisation_id_that_is_not_a_plain_id_is_refused(organisation):
    with pytest.raises(ValueError, match="not a plain id"):
        Report("openai-usage", organisation, Fetches())


def test_a_location_that_is_not_a_prefix_is_refused():
    with pytest.raises(ValueError, match="must end with '/'"):
        UsagePull([], Store(), "s3://bills/ai", lambda: at("2026-11-17T10:25:00"))
