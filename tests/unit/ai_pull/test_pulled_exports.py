"""Cost ingest routes a landed report by its key's prefix to the source it is the report of,
when the pull lands somewhere (COSTPLANE_AI_PULL_LOCATION); the configured exports stay."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from costplane.billing.focus import registry
from costplane.billing.ingest.exports import Exports, load_exports, with_pulled
from costplane.billing.pull import PULLED_SOURCES, landed_uri

LOCATION = "s3://bills/ai/"
CUR = '[{"location": "s3://bills/cur2/", "source": "aws-cur2", "deliveries": "manifest"}]'


class StandIn:
    """A source's normaliser until its own registers (built in parallel, issue 10)."""

    def __init__(self, name: str) -> None:
        self.name = name


@pytest.fixture(autouse=True)
def ai_sources(monkeypatch):
    for name in PULLED_SOURCES:
        found = registry.registered().get(name) or StandIn(name)
        monkeypatch.setitem(registry._NORMALISERS, name, found)


def exports() -> Exports:
    return with_pulled(load_exports(CUR), LOCATION)


@pytest.mark.parametrize("source", PULLED_SOURCES)
def test_a_landed_report_is_routed_to_the_source_it_is_the_report_of(source):
    uri = landed_uri(LOCATION, source, "org-abc", datetime(2026, 11, 1, tzinfo=UTC))

    export = exports().of(uri)

    assert export is not None
    assert (export.source, export.deliveries) == (source, "files")
    assert export.holds_bill(uri)


def test_the_configured_exports_still_route_their_own_files():
    export = exports().of("s3://bills/cur2/data/BILLING_PERIOD=2026-11/part-0.parquet")
    assert export is not None
    assert export.source == "aws-cur2"


def test_without_a_pull_location_only_the_configured_exports_are_read():
    assert with_pulled(load_exports(CUR), None) == load_exports(CUR)
