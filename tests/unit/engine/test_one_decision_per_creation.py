"""A resource's creation reported by CloudTrail and by a generic feed (AWS Config, Cloud Asset
Inventory) is decided once; a failed first decision leaves the creation to the retry."""

from __future__ import annotations

from costplane.adapters.local.plane import LocalEnforcer, LocalInventory
from costplane.domain.decisions import Outcome
from costplane.domain.events import Operation
from costplane.engine.ports import ResourceRef
from costplane.tagging.service import TagEnforcer
from tests.support.tagging import local_tag_enforcer, make_event, make_taxonomy


class FlakyInventory(LocalInventory):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def get_tags(self, ref: ResourceRef) -> dict[str, str]:
        self.calls += 1
        if self.calls == 1:
            raise TimeoutError("ThrottlingException")
        return {}


def _service(inventory: LocalInventory | None = None) -> TagEnforcer:
    return local_tag_enforcer(make_taxonomy(), LocalEnforcer(inventory or LocalInventory()))


CLOUDTRAIL = make_event(event_id="ct-1", event_name="RunInstances")
CONFIG = make_event(event_id="config:i-0123456789abcdef0:1", event_name="AWS Config create")


def test_a_feed_report_of_a_creation_cloudtrail_decided_is_skipped() -> None:
    service = _service()

    first = service.handle_event(CLOUDTRAIL)
    second = service.handle_event(CONFIG)

    assert first.outcome is Outcome.VIOLATION
    assert second.outcome is Outcome.SKIPPED
    assert "creation of i-0123456789abcdef0 was already decided" in second.reason


def test_whichever_route_reports_the_creation_first_decides_it() -> None:
    service = _service()

    assert service.handle_event(CONFIG).outcome is Outcome.VIOLATION
    assert service.handle_event(CLOUDTRAIL).outcome is Outcome.SKIPPED


def test_updates_from_a_feed_are_decided_each_time() -> None:
    service = _service()
    service.handle_event(CLOUDTRAIL)

    update = service.handle_event(CONFIG.model_copy(update={"operation": Operation.UPDATE}))

    assert update.outcome is Outcome.VIOLATION


def test_a_creation_whose_decision_must_be_retried_is_decided_by_the_next_report() -> None:
    service = _service(FlakyInventory())
    untold = {"tags": None}

    failed = service.handle_event(CLOUDTRAIL.model_copy(update=untold))
    retried = service.handle_event(CONFIG.model_copy(update=untold))

    assert (failed.outcome, failed.retryable) == (Outcome.ERROR, True)
    assert retried.outcome is Outcome.VIOLATION
