"""Budget thresholds that act when usage lands, through the vendor's own lever.

AI spend has no resource event to hang a threshold on: tokens are spent by API calls, and
the first we hear of them is an hourly usage bucket landing in the lake. So after each
landing, every budget with `targets` (an OpenAI project, an Anthropic API key, a Bedrock
principal, an Azure OpenAI deployment, a Vertex endpoint) is measured again, and each
threshold it has newly reached runs its action on each target through the executor and that
provider's `Enforcer`: a throttle, suspend or decommission keeps its undo state on the
decision, and every decision is audited. Each (budget, period, threshold, target) acts once:
a claim in the state store holds it for the period, and is given back when the action
failed, so the next landing tries again. Under a dry-run deployment nothing is called and
the decision says what would have happened; its claim is its own, so a deployment that
turns to enforcing later in the period still acts.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from costplane.budgets.status import BudgetStatus
from costplane.domain.budgets import Budget, BudgetTarget, Threshold, threshold_name
from costplane.domain.decisions import (
    Action,
    ActionKind,
    ActionStatus,
    Decision,
    Outcome,
    Owner,
)
from costplane.domain.events import Provider
from costplane.engine.executor import execute
from costplane.engine.ports import (
    Approvals,
    Clock,
    Notifier,
    ProviderPorts,
    ResourceRef,
    StateStore,
)

_GLOB = frozenset("*?[")
_SCOPE_TARGETS = {"openai": "openai.project", "anthropic": "anthropic.workspace"}


def targets_of(budget: Budget) -> tuple[BudgetTarget, ...]:
    """The budget's targets; by default the API key, or else the OpenAI project or Anthropic
    workspace, its scope names exactly (a glob names no one resource)."""
    if budget.targets:
        return budget.targets
    scope = budget.scope
    provider, account, key = scope.provider, scope.account, scope.api_key
    if provider not in _SCOPE_TARGETS or account is None or _GLOB & set(account):
        return ()
    if key is not None and not _GLOB & set(key):
        return (
            BudgetTarget(
                provider=provider,
                account=account,
                resource_type=f"{provider}.api-key",
                resource_id=key,
            ),
        )
    return (
        BudgetTarget(provider=provider, account=account, resource_type=_SCOPE_TARGETS[provider]),
    )


def ref_of(target: BudgetTarget) -> ResourceRef:
    return ResourceRef(
        provider=Provider(target.provider),
        account=target.account,
        region=target.region,
        resource_id=target.resource_id or target.account,
        resource_type=target.resource_type,
    )


@dataclass(frozen=True, slots=True)
class BudgetLevers:
    """Runs the thresholds landed usage has reached on the budgets' targets, once each."""

    budgets: Sequence[Budget]
    status: Callable[[datetime], list[BudgetStatus]]
    ports: Mapping[Provider, ProviderPorts]
    state: StateStore
    notifier: Notifier
    clock: Clock
    dry_run: bool = True
    approvals: Approvals | None = None
    source: str = "local"
    owner: Callable[[ResourceRef], Owner] | None = None
    """Who owns a target (the taxonomy's attribution), named on its decisions."""

    def check(self, now: datetime | None = None) -> list[Decision]:
        """Act on every threshold reached as of `now` (the clock's) not acted on this period."""
        now = now or self.clock.now()
        acting = {b.name for b in self.budgets if targets_of(b)}
        decisions = []
        for status in self.status(now):
            if status.budget.name not in acting:
                continue
            for threshold in status.budget.thresholds:
                if status.reached(threshold):
                    decisions += self._act(status, threshold, now)
        return decisions

    def _act(self, status: BudgetStatus, threshold: Threshold, now: datetime) -> list[Decision]:
        budget, period = status.budget, status.period
        name = threshold_name(budget, threshold)
        ttl = int((period.end - now).total_seconds()) + 1
        decisions = []
        for target in targets_of(budget):
            ref = ref_of(target)
            mode = "dry-run" if self.dry_run else "enforce"
            key = f"{name}:{period.key}:{ref.provider}:{ref.account}:{ref.resource_id}:{mode}"
            if not self.state.claim(key, max(ttl, 1)):
                continue
            decision = self._decision(status, threshold, name, ref, now)
            ports = self.ports.get(ref.provider)
            if ports is None:
                for action in decision.actions:
                    action.status = ActionStatus.FAILED
                    action.error = f"this plane has no {ref.provider} adapters"
                ok = False
            else:
                ok = execute(decision, ref, ports.enforcer, self.notifier, self.approvals)
            if not ok:
                self.state.release(key)
            self.state.append_decision(decision)
            decisions.append(decision)
        return decisions

    def _decision(
        self, status: BudgetStatus, threshold: Threshold, name: str, ref: ResourceRef, now: datetime
    ) -> Decision:
        budget = status.budget
        spent = status.projected if threshold.basis == "projected" else status.actual
        used = status.projected_percent if threshold.basis == "projected" else status.used_percent
        return Decision(
            decision_id=uuid.uuid4().hex,
            policy=name,
            provider=ref.provider.value,
            event_name="budget threshold reached by landed usage",
            account=ref.account,
            region=ref.region,
            resource_id=ref.resource_id,
            resource_type=ref.resource_type,
            owner=self.owner(ref) if self.owner else Owner(),
            outcome=Outcome.VIOLATION,
            actions=[Action(kind=ActionKind(threshold.action), params=dict(threshold.params))],
            reason=f"budget {budget.name} ({status.period.key}): {threshold.basis} "
            f"{spent:,.2f} {budget.unit_label} is {used:.0f}% of {budget.amount:,} "
            f"{budget.unit_label}, at or past {threshold.percent}%: {threshold.action}",
            dry_run=self.dry_run,
            source=self.source,
            event_time=now,
            decided_at=now,
        )
