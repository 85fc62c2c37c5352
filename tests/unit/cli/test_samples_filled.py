"""The demo decides the bundled documentation samples with every placeholder filled, so the
events it prints name well-formed accounts, projects and resources, never `{storage-name}`."""

from __future__ import annotations

from pathlib import Path

import pytest

from costplane.cli.samples import filled
from costplane.engine.envelopes import parse_payload
from costplane.planes.envelopes import register_every_cloud

EVENTS = Path(__file__).parents[3] / "events"
CLOUD_SAMPLES = sorted(
    p for cloud in ("aws", "azure", "gcp") for p in (EVENTS / cloud).rglob("*.json")
)


@pytest.fixture(scope="module", autouse=True)
def _parsers() -> None:
    register_every_cloud()


@pytest.mark.parametrize("path", CLOUD_SAMPLES, ids=lambda p: p.name)
def test_a_filled_cloud_sample_names_no_placeholder_in_its_events(path: Path) -> None:
    parsed = parse_payload(filled(path.read_text()))
    named = [(e.account, e.resource_id, e.actor or "") for e in parsed.events]
    assert [n for n in named if any("{" in part for part in n)] == []


def test_a_dollar_placeholder_is_filled_whole_not_left_with_its_dollar() -> None:
    assert filled('"projects/${project}/buckets/${name}"') == (
        '"projects/costplane-sample/buckets/costplane-sample-1"'
    )
