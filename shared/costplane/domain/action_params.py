"""Parameters of the actions that ask people (request an approval, escalate): the policy layer
validates policies with them and the approvals layer reads them, so they live here, below both."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["slack", "teams", "sns", "log"]


class ActionParams(BaseModel):
    """The base of every action's and condition's `Params`: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RequestApprovalParams(ActionParams):
    approvers: tuple[str, ...] = Field(min_length=1, description="Who may approve or deny.")
    channel: Literal["slack", "teams"] = "slack"
    then: Literal["throttle", "suspend", "decommission", "stop"] = Field(
        description="The action that runs once approved."
    )
    expires_after: timedelta = Field(timedelta(hours=4), description="ISO 8601 duration.")
    on_expiry: Literal["approve", "deny"] = Field(
        "deny", description="What an unanswered request becomes."
    )


class EscalateParams(ActionParams):
    to: tuple[str, ...] = Field(min_length=1, description="People or channels to escalate to.")
    channel: Channel = "slack"
