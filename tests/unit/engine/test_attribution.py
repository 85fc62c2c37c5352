"""Attribution: the resource's tags, then its account, then the actor who created it."""

from __future__ import annotations

from costplane.domain.decisions import Owner
from costplane.engine.attribution import Attribution
from tests.support.tagging import make_event, make_taxonomy


def _owner(tags: dict[str, str], **event: object) -> Owner:
    return Attribution(make_taxonomy()).owner(make_event(**event), tags)


def test_tags_name_the_owner_first() -> None:
    owner = _owner({"Team": "payments", "CostCenter": "CC-4242", "Product": "checkout"})
    assert owner == Owner(team="payments", cost_center="CC-4242", product="checkout", source="tags")


def test_fields_the_tags_lack_come_from_the_account() -> None:
    owner = _owner({"Team": "payments"})
    assert (owner.team, owner.cost_center, owner.source) == ("payments", "CC-1001", "tags")


def test_untagged_resource_is_owned_by_its_accounts_owner() -> None:
    owner = _owner({})
    assert (owner.team, owner.cost_center, owner.source) == ("platform", "CC-1001", "account")


def test_actor_is_the_last_resort() -> None:
    owner = _owner({}, account="555555555555", actor="alice@example.com")
    assert owner == Owner(contact="alice@example.com", source="actor")


def test_nothing_known_is_unattributed() -> None:
    owner = _owner({}, account="555555555555", actor=None)
    assert owner.label == "unattributed"
