"""Actions that tell people: notify, request an approval, escalate."""

from __future__ import annotations

from pydantic import Field

from costplane.domain.action_params import (
    ActionParams,
    Channel,
    EscalateParams,
    RequestApprovalParams,
)
from costplane.domain.decisions import ActionKind
from costplane.policy.registry import StaticAction, action


class NotifyParams(ActionParams):
    channel: Channel = "log"
    to: tuple[str, ...] = Field((), description="Recipients; the resource's owner when empty.")


@action("notify")
class Notify(StaticAction):
    """Tell the owner (or `to`) what the policy found.

    Example:
        type: notify
        channel: slack
        to: ["#finops-alerts"]
    """

    Params = NotifyParams
    params: NotifyParams

    kind = ActionKind.NOTIFY


@action("request-approval")
class RequestApproval(StaticAction):
    """Ask approvers in Slack or Teams before a disruptive action; resume on their answer.

    Example:
        type: request-approval
        approvers: [U024BE7LH, U0G9QF9C6]
        channel: slack
        then: suspend
        expires_after: PT4H
        on_expiry: deny
    """

    Params = RequestApprovalParams
    params: RequestApprovalParams

    kind = ActionKind.REQUEST_APPROVAL


@action("escalate")
class Escalate(StaticAction):
    """Raise the finding to a wider audience (a FinOps lead, a VP) without acting.

    Example:
        type: escalate
        to: ["#finops-leads"]
        channel: slack
    """

    Params = EscalateParams
    params: EscalateParams

    kind = ActionKind.ESCALATE
