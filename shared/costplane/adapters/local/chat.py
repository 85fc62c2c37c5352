"""The local plane's chat: approval requests and escalations go to the log, not to Slack.

With no Slack or Teams credentials, `make demo` and `costplane events decide` still open real
approval requests (stored, decided through the verified callback path); only the posting is
replaced by a log line carrying the message that would have been sent.
"""

from __future__ import annotations

import logging

import orjson

from costplane.approvals.messages import slack_message
from costplane.approvals.model import ApprovalRequest, Subject

log = logging.getLogger("costplane.chat")


class LogPoster:
    def __init__(self) -> None:
        self.posted: list[ApprovalRequest] = []
        self.escalated: list[tuple[Subject, str]] = []

    def post(self, request: ApprovalRequest) -> None:
        self.posted.append(request)
        log.warning(
            "approval requested from %s: %s",
            ", ".join(request.approvers),
            orjson.dumps(slack_message(request)).decode(),
        )

    def escalate(self, subject: Subject, to: str) -> None:
        self.escalated.append((subject, to))
        log.warning("escalated to %s: %s on %s", to, subject.policy, subject.resource.resource_id)
