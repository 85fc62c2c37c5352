"""The mark sweep: a marked resource is acted on when its mark comes due, never before, once,
and every change is a decision in the audit log (a pass that changes nothing is not)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from costplane.adapters.local.plane import CounterMetrics, LocalEnforcer, LocalInventory
from costplane.adapters.local.resources import LocalMarkedResources, LocalResources
from costplane.adapters.local.sqlite import SqliteRecords
from costplane.adapters.state_records import RecordStateStore
from costplane.adapters.sweep_records import RecordCursorStore
from costplane.domain.decisions import ActionKind, ActionStatus, Outcome
from costplane.domain.events import Operation, Provider
from costplane.domain.marks import Mark
from costplane.domain.taxonomy import Mode
from costplane.engine.ports import ProviderPorts, ResourceRef
from costplane.tagging.ports import CursorExpired, MarkedResource, MarkPage
from costplane.tagging.service import TagEnforcer
from costplane.tagging.sweep import MarkSweep
from tests.support.tagging import NOW, FixedClock, make_event, make_taxonomy

DUE = NOW - timedelta(minutes=1)
LATER = NOW + timedelta(minutes=1)
TAGGED = {"CostCenter": "CC-1001", "Team": "platform"}


def ref(resource_id: str) -> ResourceRef:
    return ResourceRef(
        provider=Provider.AWS,
        account="123456789012",
        region="us-east-1",
        resource_id=resource_id,
        resource_type="aws.ec2.instance",
    )


def marked(at=DUE, **tags: str) -> dict[str, str]:
    return {**tags, "costplane-op": Mark(ActionKind.STOP, at).encode()}


class FailingStops(LocalEnforcer):
    failures = 1

    def stop(self, ref: ResourceRef) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("RequestLimitExceeded")
        super().stop(ref)


class Plane:
    """The local plane's parts over one in-memory SQLite file, the clock at NOW."""

    def __init__(self, enforcer_cls: type[LocalEnforcer] = LocalEnforcer, **taxonomy) -> None:
        self.records = SqliteRecords(":memory:")
        self.resources = LocalResources(self.records)
        self.inventory = LocalInventory(kept=self.resources)
        self.enforcer = enforcer_cls(self.inventory)
        self.clock = FixedClock()
        self.state = RecordStateStore(self.records, self.records, self.clock)
        self.service = TagEnforcer(
            make_taxonomy(**taxonomy),
            dict.fromkeys(
                Provider, ProviderPorts(inventory=self.inventory, enforcer=self.enforcer)
            ),
            self.state,
            LogNotifierStub(),
            self.clock,
            CounterMetrics(),
        )
        self.cursors = RecordCursorStore(self.records)

    def add(self, resource_id: str, tags: dict[str, str]) -> None:
        self.resources.save(ref(resource_id), tags)

    def sweep(self, finder=None, **kwargs) -> MarkSweep:
        finder = finder or LocalMarkedResources(self.resources, "costplane-op")
        return MarkSweep(self.service, finder, self.cursors, **kwargs)

    def tags(self, resource_id: str) -> dict[str, str]:
        return self.inventory.get_tags(ref(resource_id))


class LogNotifierStub:
    def notify(self, decision) -> None:
        pass


@pytest.fixture
def plane() -> Plane:
    return Plane()


def test_a_due_mark_on_a_resource_still_in_violation_runs_its_operation_and_is_cleared(plane):
    plane.add("i-1", marked())
    report = plane.sweep().sweep()
    assert plane.enforcer.stopped == {"i-1"}
    assert "costplane-op" not in plane.tags("i-1")
    assert report.outcomes == {"act": 1}
    [decision] = report.decisions
    assert [(a.kind, a.status) for a in decision.actions] == [
        (ActionKind.TAG, ActionStatus.DONE),  # the taxonomy's default cost centre
        (ActionKind.NOTIFY, ActionStatus.DONE),
        (ActionKind.STOP, ActionStatus.DONE),
        (ActionKind.UNTAG, ActionStatus.DONE),
    ]


def test_a_mark_not_yet_due_is_left_and_nobody_is_notified_again(plane):
    plane.add("i-1", marked(at=LATER))
    report = plane.sweep().sweep()
    assert plane.enforcer.stopped == set()
    assert plane.tags("i-1")["costplane-op"] == Mark(ActionKind.STOP, LATER).encode()
    assert report.outcomes == {"left": 1}
    assert {a.kind for a in report.decisions[0].actions} <= {ActionKind.TAG}


def test_the_operation_runs_at_the_due_time_written_in_the_mark_not_a_minute_before(plane):
    plane.add("i-1", marked(at=NOW))
    plane.clock.current = NOW - timedelta(seconds=1)
    plane.sweep().sweep()
    assert plane.enforcer.stopped == set()
    plane.clock.current = NOW
    plane.sweep().sweep()
    assert plane.enforcer.stopped == {"i-1"}


def test_a_marked_resource_now_compliant_loses_its_mark_and_is_not_stopped(plane):
    plane.add("i-1", marked(**TAGGED))
    report = plane.sweep().sweep()
    assert plane.tags("i-1") == TAGGED
    assert plane.enforcer.stopped == set()
    assert report.outcomes == {"clear": 1}


def test_a_marked_resource_now_exempt_loses_its_mark():
    plane = Plane(exemptions=[{"resource": "i-1", "reason": "load test", "expires": "2027-01-01"}])
    plane.add("i-1", marked())
    assert plane.sweep().sweep().outcomes == {"clear": 1}
    assert "costplane-op" not in plane.tags("i-1")


def test_a_failed_operation_is_reported_and_retried_by_the_next_sweep():
    plane = Plane(FailingStops)
    plane.add("i-1", marked())
    first = plane.sweep().sweep()
    assert first.outcomes == {"failed": 1}
    assert first.failures() == ["i-1: stop failed: RuntimeError: RequestLimitExceeded"]
    assert "costplane-op" in plane.tags("i-1")
    second = plane.sweep().sweep()
    assert second.outcomes == {"act": 1}
    assert plane.enforcer.stopped == {"i-1"}


def test_a_sweep_and_an_event_that_find_the_same_due_mark_act_once(plane):
    plane.add("i-1", marked())
    plane.sweep().sweep()
    late = make_event(resource_id="i-1", operation=Operation.UPDATE, tags=marked())
    [decision] = plane.service.process(late)  # an event carrying the tags it saw before
    assert [c for c in plane.enforcer.calls if c[0] == "stop"] == [("stop", "i-1")]
    assert "mark already carried out" in decision.reason
    assert ActionKind.STOP not in {a.kind for a in decision.actions}


def test_a_mark_whose_resource_is_gone_is_not_acted_on(plane):
    gone = MarkedResource(ref("i-gone"), marked())
    report = plane.sweep(ListedFinder([[gone]])).sweep()
    assert report.outcomes == {"gone": 1}
    assert plane.enforcer.calls == []


def test_a_pass_over_a_mark_not_yet_due_with_nothing_to_do_is_counted_not_audited(plane):
    plane.add("i-1", marked(at=LATER, CostCenter="CC-1001"))
    reports = [plane.sweep().sweep() for _ in range(3)]
    assert [r.outcomes for r in reports] == [{"left": 1}] * 3
    assert plane.state.recent_decisions(10) == []
    assert plane.enforcer.calls == []


def test_every_change_is_a_decision_in_the_audit_log(plane):
    plane.add("i-due", marked())
    plane.add("i-later", marked(at=LATER))
    plane.add("i-fixed", marked(**TAGGED))
    report = plane.sweep().sweep()
    audited = {d.resource_id: d.outcome for d in plane.state.recent_decisions(10)}
    assert audited == {
        "i-due": Outcome.VIOLATION,
        "i-later": Outcome.VIOLATION,
        "i-fixed": Outcome.COMPLIANT,
    }
    assert report.outcomes == {"act": 1, "left": 1, "clear": 1}


def test_in_dry_run_a_due_mark_is_recorded_as_what_would_happen_and_stays():
    plane = Plane(enforcement={"mode": Mode.DRY_RUN.value})
    plane.add("i-1", marked())
    assert plane.sweep().sweep().outcomes == {"would_act": 1}
    assert plane.enforcer.calls == []
    assert "costplane-op" in plane.tags("i-1")


class ListedFinder:
    """Pages of marked resources in scopes; `expire` makes a token stale once."""

    def __init__(self, *scopes: list[list[MarkedResource]], expire: str | None = None) -> None:
        self.pages = {f"scope-{i}": pages for i, pages in enumerate(scopes)}
        self.expire = expire
        self.reads: list[tuple[str, str | None]] = []

    def scopes(self) -> list[str]:
        return list(self.pages)

    def page(self, scope: str, token: str | None) -> MarkPage:
        self.reads.append((scope, token))
        if token is not None and token == self.expire:
            self.expire = None
            raise CursorExpired(token)
        index = int(token or 0)
        pages = self.pages[scope]
        following = str(index + 1) if index + 1 < len(pages) else None
        return MarkPage(pages[index], following)


class Ticks:
    """A monotonic timer that advances one second per reading."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


def test_a_sweep_out_of_time_saves_its_place_and_the_next_finishes_every_mark_once(plane):
    ids = [f"i-{n}" for n in range(7)]
    for resource_id in ids:
        plane.add(resource_id, marked())
    listed = [MarkedResource(ref(i), marked()) for i in ids]
    finder = ListedFinder([listed[0:2], listed[2:4]], [listed[4:7]])
    runs = []
    while not runs or not runs[-1].complete:
        runs.append(plane.sweep(finder, budget_seconds=4, timer=Ticks()).sweep())
    assert len(runs) > 2
    stopped = [resource for kind, resource in plane.enforcer.calls if kind == "stop"]
    assert sorted(stopped) == sorted(ids)
    assert plane.cursors.load("marks").scope is None


def test_a_stale_page_token_restarts_its_scope_rather_than_losing_it(plane):
    for resource_id in ("i-1", "i-2"):
        plane.add(resource_id, marked())
    listed = [MarkedResource(ref(i), marked()) for i in ("i-1", "i-2")]
    finder = ListedFinder([listed[0:1], listed[1:2]], expire="1")
    first = plane.sweep(finder, budget_seconds=3, timer=Ticks()).sweep()
    assert not first.complete
    second = plane.sweep(finder, budget_seconds=100, timer=Ticks()).sweep()
    assert second.complete
    assert second.outcomes["restarted_scope"] == 1
    assert sorted(r for k, r in plane.enforcer.calls if k == "stop") == ["i-1", "i-2"]


def test_the_preview_says_what_a_sweep_at_a_given_time_would_do(plane):
    plane.add("i-due", marked())
    plane.add("i-later", marked(at=LATER))
    plane.add("i-fixed", marked(**TAGGED))
    verdicts = {v.resource.ref.resource_id: v.verdict for v in plane.sweep().preview(NOW)}
    assert verdicts == {
        "i-due": f"will stop now (due {DUE:%Y-%m-%d %H:%M}Z)",
        "i-later": f"will stop at {LATER:%Y-%m-%d %H:%M}Z unless tagged",
        "i-fixed": "will be cleared: now compliant",
    }
    assert plane.enforcer.calls == []
    assert plane.state.recent_decisions(10) == []
