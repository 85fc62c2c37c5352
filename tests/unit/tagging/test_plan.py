"""Planning: remediate what defaults fix, never stop within the grace period, act when due."""

from __future__ import annotations

from datetime import timedelta

from costplane.domain.decisions import ActionKind
from costplane.domain.events import Operation
from costplane.domain.marks import Mark, decode_mark
from costplane.tagging.check import TagChecker
from costplane.tagging.plan import plan_actions
from tests.support.tagging import NOW, make_event, make_taxonomy

ALL = set(ActionKind)


def _plan(tags: dict[str, str], supports: set[ActionKind] = ALL, **event: object) -> list:
    taxonomy = make_taxonomy(
        enforcement=event.pop("enforcement", make_taxonomy().enforcement.model_dump())
    )
    ev = make_event(**event)
    check = TagChecker(taxonomy).check(ev, tags, NOW.date())
    return plan_actions(ev, check, taxonomy.enforcement, NOW, supports)


def test_inherited_defaults_are_applied_as_one_tag_action() -> None:
    actions = _plan({"Team": "platform"})
    assert [(a.kind, a.params) for a in actions] == [
        (ActionKind.TAG, {"tags": {"CostCenter": "CC-1001"}})
    ]


def test_new_resource_in_violation_is_notified_and_marked_not_stopped() -> None:
    actions = _plan({})
    assert [a.kind for a in actions] == [ActionKind.TAG, ActionKind.NOTIFY, ActionKind.MARK_FOR_OP]
    mark = decode_mark(actions[-1].params["value"])
    assert mark == Mark(ActionKind.STOP, NOW + timedelta(hours=24))


def test_grace_period_protects_a_new_resource_even_without_a_delay() -> None:
    enforcement = {"mode": "enforce", "grace": "PT15M", "delay": "PT0S"}
    actions = _plan({}, enforcement=enforcement, event_time=NOW - timedelta(minutes=1))
    assert actions[-1].kind is ActionKind.MARK_FOR_OP
    assert decode_mark(actions[-1].params["value"]) == Mark(
        ActionKind.STOP, NOW + timedelta(minutes=14)
    )


def test_violation_after_grace_with_no_delay_stops_at_once() -> None:
    enforcement = {"mode": "enforce", "grace": "PT15M", "delay": "PT0S"}
    actions = _plan({}, enforcement=enforcement, event_time=NOW - timedelta(hours=1))
    assert actions[-1].kind is ActionKind.STOP


def test_state_change_of_an_old_resource_is_not_in_grace() -> None:
    enforcement = {"mode": "enforce", "grace": "PT15M", "delay": "PT0S"}
    actions = _plan({}, enforcement=enforcement, operation=Operation.STATE, event_time=NOW)
    assert actions[-1].kind is ActionKind.STOP


def test_due_mark_for_the_same_operation_runs_it() -> None:
    due = Mark(ActionKind.STOP, NOW - timedelta(minutes=1)).encode()
    actions = _plan({"costplane-op": due}, operation=Operation.TAG)
    assert actions[-1].kind is ActionKind.STOP


def test_pending_mark_is_not_written_again() -> None:
    pending = Mark(ActionKind.STOP, NOW + timedelta(hours=3)).encode()
    actions = _plan({"costplane-op": pending}, operation=Operation.TAG)
    assert ActionKind.MARK_FOR_OP not in [a.kind for a in actions]
    assert ActionKind.STOP not in [a.kind for a in actions]


def test_compliant_resource_loses_its_mark() -> None:
    pending = Mark(ActionKind.STOP, NOW + timedelta(hours=3)).encode()
    actions = _plan({"costplane-op": pending, "Team": "platform", "CostCenter": "CC-1001"})
    assert [(a.kind, a.params) for a in actions] == [(ActionKind.UNTAG, {"keys": ["costplane-op"]})]


def test_resource_type_that_cannot_be_stopped_is_only_notified() -> None:
    actions = _plan({}, supports={ActionKind.NOTIFY})
    assert [a.kind for a in actions] == [ActionKind.NOTIFY]


def test_notify_only_policy_never_plans_a_destructive_action() -> None:
    enforcement = {"mode": "enforce", "on_violation": "notify", "delay": "PT0S", "grace": "PT0S"}
    actions = _plan({}, enforcement=enforcement)
    assert [a.kind for a in actions] == [ActionKind.TAG, ActionKind.NOTIFY]


def test_marks_round_trip_and_foreign_values_are_ignored() -> None:
    mark = Mark(ActionKind.QUARANTINE, NOW)
    assert mark.encode() == "quarantine-20261127t1200z"
    assert decode_mark(mark.encode()) == mark
    assert decode_mark("keep-me") is None
