"""The mark sweep: resources marked for an operation are acted on when the mark comes due, even
if no event ever mentions them again.

Each marked resource becomes a `sweep` event through the tag enforcer, so that its outcome is a
decision in the audit log under the same claims and idempotency as events: a resource now
compliant or exempt loses its mark, one still in violation whose mark is due has its operation
run (its tags re-read from the resource first, which also finds a resource that is gone), the
rest are left. A sweep stops at its time budget and saves where it was, the next resumes there.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from costplane.domain.decisions import ActionKind, ActionStatus, Decision, Outcome
from costplane.domain.events import Operation, ResourceEvent
from costplane.domain.marks import Mark, decode_mark
from costplane.tagging.ports import (
    Cursor,
    CursorExpired,
    CursorStore,
    MarkedResource,
    MarkFinder,
    MarkPage,
)
from costplane.tagging.service import TagEnforcer

SWEEP_EVENT = "MarkSweep"


@dataclass(slots=True)
class SweepReport:
    """What one invocation did: outcomes counted by name, the API calls its listing took, and
    whether it finished a whole pass (else `cursor` is where the next one resumes)."""

    at: datetime
    decisions: list[Decision] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    complete: bool = False
    cursor: Cursor = field(default_factory=Cursor)

    def failures(self) -> list[str]:
        """What failed and why: retried by the next sweep."""
        return [
            f"{d.resource_id}: {a.kind.value} failed: {a.error}"
            for d in self.decisions
            for a in d.actions
            if a.status is ActionStatus.FAILED
        ] + [f"{d.resource_id}: {d.reason}" for d in self.decisions if d.outcome is Outcome.ERROR]


def summary(report: SweepReport) -> dict[str, Any]:
    """A report as JSON: outcomes, listing calls, whether the pass finished, failures."""
    return {
        "at": report.at.isoformat(),
        "outcomes": dict(sorted(report.outcomes.items())),
        "listing_calls": report.calls,
        "complete": report.complete,
        "failures": report.failures(),
    }


@dataclass(frozen=True, slots=True)
class MarkView:
    """A marked resource, its mark and what the sweep would do about it at a given time."""

    resource: MarkedResource
    mark: Mark | None
    verdict: str


class MarkSweep:
    """Sweeps the marks `finder` lists through `enforcer`, at most `budget_seconds` per call."""

    def __init__(
        self,
        enforcer: TagEnforcer,
        finder: MarkFinder,
        cursors: CursorStore,
        budget_seconds: float = 240.0,
        timer: Callable[[], float] = time.monotonic,
        name: str = "marks",
    ) -> None:
        self.enforcer = enforcer
        self.finder = finder
        self.cursors = cursors
        self.budget_seconds = budget_seconds
        self.timer = timer
        self.name = name

    @property
    def mark_tag(self) -> str:
        return self.enforcer.taxonomy.enforcement.mark_tag

    def sweep(self) -> SweepReport:
        """One invocation: resume at the saved cursor, stop at the budget or the end of a pass."""
        report = SweepReport(at=self.enforcer.clock.now())
        deadline = self.timer() + self.budget_seconds
        cursor = self.cursors.load(self.name)
        scopes = self.finder.scopes()
        if cursor.scope not in scopes:
            cursor = Cursor(scopes[0] if scopes else None)
        report.complete = cursor.scope is None
        while cursor.scope is not None:
            if self.timer() >= deadline:
                break
            page = self._page(cursor, report)
            for resource in page.resources[cursor.done :]:
                if self.timer() >= deadline:
                    break
                self._sweep_one(resource, report)
                cursor = Cursor(cursor.scope, cursor.token, cursor.done + 1)
            else:
                cursor = _after(page, cursor, scopes)
                report.complete = cursor.scope is None
                continue
            break
        report.cursor = cursor
        self.cursors.save(self.name, cursor)
        if not report.complete:
            self.enforcer.metrics.count("sweep_resumes_later")
        return report

    def preview(self, at: datetime) -> Iterator[MarkView]:
        """Every marked resource with what a sweep at `at` would do; nothing is done."""
        for resource in self._every_mark():
            decision = self.enforcer.preview(self._event(resource, at, resource.tags), at)
            value = resource.tags.get(self.mark_tag, "")
            yield MarkView(resource, decode_mark(value), self._verdict(decision, value))

    def _every_mark(self) -> Iterator[MarkedResource]:
        for scope in self.finder.scopes():
            token: str | None = None
            while True:
                page = self.finder.page(scope, token)
                yield from page.resources
                if (token := page.next_token) is None:
                    break

    def _page(self, cursor: Cursor, report: SweepReport) -> MarkPage:
        assert cursor.scope is not None
        try:
            page = self.finder.page(cursor.scope, cursor.token)
        except CursorExpired:
            page = self.finder.page(cursor.scope, None)
            report.outcomes["restarted_scope"] += 1
        report.calls += page.calls
        return page

    def _sweep_one(self, resource: MarkedResource, report: SweepReport) -> None:
        mark = decode_mark(resource.tags.get(self.mark_tag, ""))
        due = mark is not None and mark.due(report.at)
        event = self._event(resource, report.at, None if due else resource.tags)
        if not due and self._unchanged(event, report.at):
            report.outcomes["left"] += 1
            return
        for decision in self.enforcer.process(event):
            report.decisions.append(decision)
            report.outcomes[self._outcome(decision)] += 1

    def _unchanged(self, event: ResourceEvent, at: datetime) -> bool:
        """A mark not yet due on a resource still out of policy: nothing to do, and nothing to
        audit (the mark was audited when written), so the log records changes, not each pass."""
        decision = self.enforcer.preview(event, at)
        return decision.outcome is not Outcome.ERROR and not decision.actions

    def _event(
        self, resource: MarkedResource, at: datetime, tags: dict[str, str] | None
    ) -> ResourceEvent:
        """A sweep event; without tags, the enforcer re-reads them from the resource."""
        ref = resource.ref
        return ResourceEvent(
            provider=ref.provider,
            event_id=f"sweep-{at.strftime('%Y%m%dT%H%M%S.%fZ')}",
            event_name=SWEEP_EVENT,
            event_time=at,
            account=ref.account,
            region=ref.region,
            resource_id=ref.resource_id,
            resource_type=ref.resource_type,
            operation=Operation.SWEEP,
            tags=tags,
        )

    def _outcome(self, decision: Decision) -> str:
        """One word per decision: acted, cleared, left, gone, failed (or their dry runs)."""
        if decision.outcome is Outcome.ERROR or any(
            a.status is ActionStatus.FAILED for a in decision.actions
        ):
            return "failed"
        if decision.outcome is Outcome.SKIPPED:
            return "gone" if "no longer exists" in decision.reason else "skipped"
        dry = "would_" if decision.dry_run else ""
        kinds = {a.kind for a in decision.actions}
        if any("mark" in a.params for a in decision.actions):
            return f"{dry}act"
        if ActionKind.UNTAG in kinds:
            return f"{dry}clear"
        return "already" if "already carried out" in decision.reason else "left"

    def _verdict(self, decision: Decision, value: str) -> str:
        mark = decode_mark(value)
        if decision.outcome is Outcome.ERROR:
            return f"cannot tell: {decision.reason}"
        if any(a.kind is ActionKind.UNTAG for a in decision.actions):
            why = "exempt" if decision.reason.startswith("exempt") else "now compliant"
            return f"will be cleared: {why}"
        if mark is None:
            return f"left: {value!r} is not a mark costplane wrote"
        op = self.enforcer.taxonomy.enforcement.on_violation.kind
        if mark.op is not op:
            return f"left: marked for {mark.op.value}, the taxonomy now says {op.value}"
        if any("mark" in a.params for a in decision.actions):
            return f"will {op.value} now (due {mark.at:%Y-%m-%d %H:%M}Z)"
        return f"will {op.value} at {mark.at:%Y-%m-%d %H:%M}Z unless tagged"


def _after(page: MarkPage, cursor: Cursor, scopes: list[str]) -> Cursor:
    """The cursor past a finished page: its next page, else the next scope's first, else none."""
    if page.next_token is not None:
        return Cursor(cursor.scope, page.next_token, 0)
    following = scopes.index(cursor.scope) + 1 if cursor.scope in scopes else len(scopes)
    return Cursor(scopes[following]) if following < len(scopes) else Cursor()
