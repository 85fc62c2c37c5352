"""The local plane's chat: approval requests and escalations go to the log, not to Slack.

With no Slack or Teams credentials, `make demo` and `costplane events decide` still open real
approval requests (stored, decided through the verified callback path); only the posting is
replaced by a log line: the message's text (`slack_message(request)` is what would be sent).
"""

from __future__ import annotations

import logging

from costplane.approvals.model import ApprovalRequest, Subject

log = logging.getLogger("costplane.chat")


class LogPoster:
    def __init__(self) -> None:
        self.posted: list[ApprovalRequest] = []
        self.escalated: list[tuple[Subject, str]] = []

    def post(self, request: ApprovalRequest) -> None:
        self.posted.append(request)
        log.warning(
            "approval %s requested from %s: %s %s (policy %s)",
            request.id,
            ", ".join(request.approvers),
            request.then.kind.value,
            request.resource.resource_id,
            request.policy,
        )

    def escalate(self, subject: Subject, to: str) -> None:
        self.escalated.append((subject, to))
        log.warning("escalated to %s: %s on %s", to, subject.policy, subject.resource.resource_id)
