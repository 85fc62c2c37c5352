"""The tag enforcer and the policy runner attribute every resource the same way: one owner per
resource, whichever service decided about it (both read `costplane.engine.attribution`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from costplane import bootstrap
from costplane.config import Settings
from costplane.domain.decisions import Decision
from tests.conftest import EVENTS
from tests.support.placeholders import filled_bytes

PAYLOADS = sorted(p for cloud in ("aws", "azure", "gcp") for p in (EVENTS / cloud).glob("*.json"))


def _owners(decisions: list[Decision]) -> dict[tuple[str | None, str | None], str]:
    return {
        (d.event_id, d.resource_id): f"{d.owner.label} ({d.owner.source})"
        for d in decisions
        if d.resource_id is not None
    }


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    inventory = tmp_path / "inventory.json"
    inventory.write_bytes(filled_bytes(EVENTS / "inventory.json"))
    return Settings(lake=tmp_path, inventory=inventory, mode="dry-run")


def test_both_services_name_the_same_owner_for_every_bundled_event(settings: Settings) -> None:
    enforcer = bootstrap.tag_enforcer(settings.model_copy(update={"state": ":memory:"}))
    runner = bootstrap.policy_runner(settings.model_copy(update={"state": ":memory:"}))
    tagged: dict[tuple[str | None, str | None], str] = {}
    ruled: dict[tuple[str | None, str | None], str] = {}
    for path in PAYLOADS:
        tagged |= _owners(enforcer.handle_payload(filled_bytes(path)))
        ruled |= _owners(runner.handle_payload(filled_bytes(path)))
    shared = tagged.keys() & ruled.keys()
    assert len(shared) >= 10
    assert {key: ruled[key] for key in shared} == {key: tagged[key] for key in shared}


def test_an_azure_resource_write_is_owned_by_its_tags_on_both_paths(settings: Settings) -> None:
    payload = EVENTS / "azure" / "azure-eventgrid-resourcegroup-resourcewritesuccess.json"
    settings = settings.model_copy(update={"state": ":memory:"})
    [tagged] = bootstrap.tag_enforcer(settings).handle_payload(filled_bytes(payload))
    ruled = bootstrap.policy_runner(settings).handle_payload(filled_bytes(payload))
    assert ruled
    assert [d.owner for d in ruled] == [tagged.owner] * len(ruled)
    assert tagged.owner.label != "unattributed"
