"""The messages approvers see, checked against the shapes of the real Slack and Teams payloads
in events/: the click a button produces must be the click the parsers read."""

from __future__ import annotations

from decimal import Decimal

from costplane.approvals.messages import (
    SLACK_BLOCK_ID,
    slack_escalation,
    slack_message,
    teams_card,
    teams_escalation,
)
from costplane.approvals.model import ApprovalStatus
from tests.support.tagging import NOW
from tests.unit.approvals.approvals_support import event, pending_request

REAL_SLACK = event("slack/slack-interactivity-block-actions-button-payload.json")
REAL_TEAMS = event("teams/teams-invoke-adaptivecard-action-execute-activity.json")


def buttons(message: dict) -> list[dict]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def sections(message: dict) -> list[dict]:
    return [b for b in message["blocks"] if b["type"] == "section"]


def facts(card: dict) -> dict[str, str]:
    [fact_set] = [b for b in card["body"] if b["type"] == "FactSet"]
    return {f["title"]: f["value"] for f in fact_set["facts"]}


def test_slack_buttons_carry_the_request_id_in_value_and_the_verdict_in_action_id():
    message = slack_message(pending_request("req-42"))

    assert [(b["action_id"], b["value"]) for b in buttons(message)] == [
        ("costplane-approve", "req-42"),
        ("costplane-deny", "req-42"),
    ]


def test_a_slack_button_has_every_field_slack_echoes_in_a_real_click():
    [real] = REAL_SLACK["actions"]
    echoed_by_slack = {"block_id", "action_ts"}

    for button in buttons(slack_message(pending_request())):
        assert set(real) - echoed_by_slack <= set(button)
        assert button["type"] == real["type"] == "button"
        assert button["text"].keys() == real["text"].keys()
        assert button["text"]["type"] == real["text"]["type"]


def test_the_slack_actions_block_has_a_stable_block_id():
    message = slack_message(pending_request())
    [actions] = [b for b in message["blocks"] if b["type"] == "actions"]
    assert actions["block_id"] == SLACK_BLOCK_ID


def test_the_slack_summary_names_resource_owner_reason_and_cost():
    request = pending_request(
        subject=pending_request().subject.model_copy(update={"cost_per_hour": Decimal("32.7700")})
    )
    [section] = sections(slack_message(request))
    texts = [f["text"] for f in section["fields"]]

    assert texts[:4] == [
        "*Resource*\ni-0123456789abcdef0 (aws.ec2.instance, aws 123456789012 us-east-1)",
        "*Owner*\nml-research",
        "*Reason*\nprojected spend 124% of budget ml-research-monthly",
        "*Cost*\n32.77 USD/h",
    ]


def test_the_slack_message_mentions_the_approvers():
    context = next(b for b in slack_message(pending_request())["blocks"] if b["type"] == "context")
    assert "<@U024BE7LH>" in context["elements"][0]["text"]


def test_slack_control_characters_in_a_reason_are_escaped():
    subject = pending_request().subject.model_copy(update={"reason": "<!channel> & <@U1>"})
    [section] = [
        b
        for b in slack_message(pending_request(subject=subject))["blocks"]
        if b["type"] == "section"
    ]
    assert section["fields"][2]["text"] == "*Reason*\n&lt;!channel&gt; &amp; &lt;@U1&gt;"


def test_slack_limits_are_kept_for_very_long_fields():
    subject = pending_request().subject.model_copy(update={"reason": "x" * 5000})
    message = slack_message(pending_request(subject=subject))
    [section] = sections(message)
    assert all(len(f["text"]) <= 2000 for f in section["fields"])
    assert len(message["blocks"][0]["text"]["text"]) <= 150


def test_a_decided_slack_message_has_no_buttons_and_says_who_decided():
    decided = pending_request(
        status=ApprovalStatus.APPROVED, decided_by="U024BE7LH", decided_at=NOW
    )
    message = slack_message(decided)

    assert buttons(message) == []
    assert message["blocks"][0]["text"]["text"].startswith("Approved: stop")
    context = next(b for b in message["blocks"] if b["type"] == "context")
    assert context["elements"][0]["text"] == "Approved by <@U024BE7LH> at 2026-11-27 12:00 UTC"


def test_teams_actions_are_action_execute_with_a_verb_and_the_request_id_in_data():
    card = teams_card(pending_request("req-42"))

    assert [(a["type"], a["verb"], a["data"]) for a in card["actions"]] == [
        ("Action.Execute", "approve", {"request_id": "req-42"}),
        ("Action.Execute", "deny", {"request_id": "req-42"}),
    ]


def test_a_teams_action_has_every_field_of_a_real_invokes_action():
    real = REAL_TEAMS["value"]["action"]

    for action in teams_card(pending_request())["actions"]:
        assert set(real) <= set(action)
        assert action["type"] == real["type"]


def test_the_teams_card_is_version_1_4_which_action_execute_needs():
    card = teams_card(pending_request())
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")


def test_the_teams_card_lists_resource_owner_reason_and_cost():
    assert facts(teams_card(pending_request())) == {
        "Resource": "i-0123456789abcdef0 (aws.ec2.instance, aws 123456789012 us-east-1)",
        "Owner": "ml-research",
        "Reason": "projected spend 124% of budget ml-research-monthly",
        "Cost": "unknown",
        "Policy": "gpu-budget",
    }


def test_a_decided_teams_card_has_no_actions_and_says_who_decided():
    card = teams_card(
        pending_request(status=ApprovalStatus.DENIED, decided_by="c5e9", decided_at=NOW)
    )

    assert "actions" not in card
    assert card["body"][-1]["text"] == "Denied by c5e9 at 2026-11-27 12:00 UTC"


def test_escalations_carry_the_summary_without_buttons():
    subject = pending_request().subject

    assert buttons(slack_escalation(subject)) == []
    assert "actions" not in teams_escalation(subject)
    assert facts(teams_escalation(subject))["Owner"] == "ml-research"


def test_the_slack_notification_text_is_escaped_too():
    subject = pending_request().subject.model_copy(update={"reason": "tag Team=<!channel>"})
    text = slack_message(pending_request(subject=subject))["text"]
    assert "<!channel>" not in text
    assert "&lt;!channel&gt;" in text
