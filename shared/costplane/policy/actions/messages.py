"""Actions that tell people: notify, request an approval, escalate."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field

from costplane.domain.decisions import ActionKind
from costplane.policy.registry import ParamsModel, StaticAction, action

Channel = Literal["slack", "teams", "sns", "log"]


class NotifyParams(ParamsModel):
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


class RequestApprovalParams(ParamsModel):
    approvers: tuple[str, ...] = Field(min_length=1, description="Who may approve or deny.")
    channel: Literal["slack", "teams"] = "slack"
    then: Literal["throttle", "suspend", "decommission", "stop"] = Field(
        description="The action that runs once approved."
    )
    expires_after: timedelta = Field(timedelta(hours=4), description="ISO 8601 duration.")
    on_expiry: Literal["approve", "deny"] = Field(
        "deny", description="What an unanswered request becomes."
    )


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


class EscalateParams(ParamsModel):
    to: tuple[str, ...] = Field(min_length=1, description="People or channels to escalate to.")
    channel: Channel = "slack"


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
