"""The messages approvers see: a Slack Block Kit message and a Teams Adaptive Card.

Pure builders. A pending request carries approve/deny buttons that name the request: Slack
buttons carry its id in `value` (the `action_id` says approve or deny), Teams `Action.Execute`
actions carry it in `data` (the `verb` says approve or deny). Once decided, the same message is
rebuilt saying who decided and when; an approved throttle, suspend or decommission (which ran
when it was approved) keeps one button, resume, which undoes it through the same callbacks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from costplane.approvals.model import (
    PAST_TENSE,
    ApprovalRequest,
    ApprovalStatus,
    Choice,
    Subject,
)
from costplane.engine.undo import REVERSIBLE

Json = dict[str, Any]

SLACK_ACTIONS: dict[str, Choice] = {
    "costplane-approve": "approve",
    "costplane-deny": "deny",
    "costplane-resume": "resume",
}
SLACK_BLOCK_ID = "costplane-approval"
TEAMS_DATA_KEY = "request_id"
TEAMS_CARD_TYPE = "application/vnd.microsoft.card.adaptive"
# Slack's limits: header text 150 characters, section field 2,000, section text 3,000.
_HEADER_MAX = 150
_FIELD_MAX = 2000


def slack_message(request: ApprovalRequest) -> Json:
    """chat.postMessage / response_url arguments (without `channel`) for `request`."""
    subject = request.subject
    title = _title(request)
    blocks = [
        *_slack_summary(title, subject),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _slack_status(request)}]},
    ]
    buttons = _buttons(request)
    if buttons:
        blocks.append(
            {
                "type": "actions",
                "block_id": SLACK_BLOCK_ID,
                "elements": [
                    _slack_button(text, f"costplane-{choice}", request.id, style)
                    for text, choice, style in buttons
                ],
            }
        )
    return {"text": _plain(title, subject), "blocks": blocks}


def resumable(request: ApprovalRequest) -> bool:
    """An approved request whose action holds a resource out of service until resumed."""
    return request.approved and request.then.kind in REVERSIBLE


_SLACK_STYLES = {"approve": "primary", "deny": "danger", "resume": "primary"}
_TEAMS_STYLES = {"approve": "positive", "deny": "destructive", "resume": "positive"}


def _buttons(request: ApprovalRequest) -> list[tuple[str, Choice, str]]:
    """(title, choice, Slack style) of the buttons `request`'s message carries now."""
    choices: list[Choice] = []
    if request.status is ApprovalStatus.PENDING:
        choices = ["approve", "deny"]
    elif resumable(request):
        choices = ["resume"]
    return [(choice.capitalize(), choice, _SLACK_STYLES[choice]) for choice in choices]


def slack_escalation(subject: Subject) -> Json:
    title = _escalation_title(subject)
    return {"text": _plain(title, subject), "blocks": _slack_summary(title, subject)}


def teams_card(request: ApprovalRequest) -> Json:
    """An Adaptive Card 1.4 for `request`; approve/deny are `Action.Execute` while pending."""
    body = [
        *_teams_summary(_title(request), request.subject),
        _text_block(_teams_status(request), isSubtle=True),
    ]
    actions = [
        {
            "type": "Action.Execute",
            "title": title,
            "verb": choice,
            "data": {TEAMS_DATA_KEY: request.id},
            "style": _TEAMS_STYLES[choice],
        }
        for title, choice, _ in _buttons(request)
    ]
    return _card(body, actions)


def teams_escalation(subject: Subject) -> Json:
    return _card(_teams_summary(_escalation_title(subject), subject), [])


def teams_attachment(card: Json) -> Json:
    return {"contentType": TEAMS_CARD_TYPE, "content": card}


def _slack_summary(title: str, subject: Subject) -> list[Json]:
    return [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(title, _HEADER_MAX)}},
        {"type": "section", "fields": [_field(k, v) for k, v in _facts(subject)]},
    ]


def _teams_summary(title: str, subject: Subject) -> list[Json]:
    facts = [{"title": k, "value": v} for k, v in _facts(subject)]
    return [_text_block(title, weight="Bolder", size="Medium"), {"type": "FactSet", "facts": facts}]


def _escalation_title(subject: Subject) -> str:
    return f"Escalated: {subject.policy} on {subject.resource.resource_id}"


def _title(request: ApprovalRequest) -> str:
    resource = request.subject.resource.resource_id
    if request.status is ApprovalStatus.PENDING:
        return f"Approval needed: {request.then.kind} {resource}"
    return f"{request.status.value.capitalize()}: {request.then.kind} {resource}"


def _facts(subject: Subject) -> list[tuple[str, str]]:
    ref = subject.resource
    where = " ".join(p for p in (ref.provider.value, ref.account, ref.region) if p)
    cost = (
        f"{subject.cost_per_hour:.2f} {subject.currency}/h"
        if subject.cost_per_hour is not None
        else "unknown"
    )
    return [
        ("Resource", f"{ref.resource_id} ({ref.resource_type}, {where})"),
        ("Owner", subject.owner),
        ("Reason", subject.reason),
        ("Cost", cost),
        ("Policy", subject.policy),
    ]


def _slack_status(request: ApprovalRequest) -> str:
    if request.status is ApprovalStatus.PENDING:
        approvers = " ".join(f"<@{_escape(a)}>" for a in request.approvers)
        return (
            f"Approvers: {approvers} · expires {_when(request.expires)}, "
            f"then {PAST_TENSE[request.on_expiry]} by default"
        )
    return _outcome(request, f"<@{_escape(request.decided_by or '')}>")


def _teams_status(request: ApprovalRequest) -> str:
    if request.status is ApprovalStatus.PENDING:
        default = PAST_TENSE[request.on_expiry]
        return f"Expires {_when(request.expires)}; unanswered, it is {default} by default."
    return _outcome(request, request.decided_by or "")


def _outcome(request: ApprovalRequest, who: str) -> str:
    when = _when(request.decided_at)
    if request.status is ApprovalStatus.EXPIRED:
        return f"Expired unanswered at {when}; {PAST_TENSE[request.on_expiry]} by default"
    return f"{request.status.value.capitalize()} by {who} at {when}"


def _slack_button(text: str, action_id: str, request_id: str, style: str) -> Json:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "value": request_id,
        "style": style,
    }


def _field(name: str, value: str) -> Json:
    return {"type": "mrkdwn", "text": _clip(f"*{name}*\n{_escape(value)}", _FIELD_MAX)}


def _plain(title: str, subject: Subject) -> str:
    """The notification text Slack shows where blocks cannot be rendered; escaped like blocks,
    so that a tag value in a reason cannot mention @channel."""
    return _escape(f"{title} — {subject.reason} (policy {subject.policy}, owner {subject.owner})")


def _text_block(text: str, **style: Any) -> Json:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _card(body: list[Json], actions: list[Json]) -> Json:
    card: Json = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "?"


def _escape(text: str) -> str:
    """Slack mrkdwn control characters, escaped as Slack documents."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
