"""Notifier on SNS: one compact JSON message per decision, routable by message attributes.

Subscribers filter on `outcome`, `owner` and `team` (SNS filter policies), so a team's queue
or chat hook receives only its own violations without parsing the body.
"""

from __future__ import annotations

from typing import Any

import orjson

from costplane.adapters.aws.clients import client
from costplane.domain.decisions import Decision


def compact(decision: Decision) -> dict[str, Any]:
    """The decision without empty fields: what a human or a filter needs, nothing more."""
    dumped = decision.model_dump(mode="json", exclude_none=True)
    return {key: value for key, value in dumped.items() if value not in ("", [], {})}


class SnsNotifier:
    def __init__(self, topic_arn: str) -> None:
        parts = topic_arn.split(":")
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns":
            raise ValueError(f"not an SNS topic ARN: {topic_arn!r}")
        self.topic_arn = topic_arn
        self.region = parts[3]

    def notify(self, decision: Decision) -> None:
        attributes = {
            "outcome": decision.outcome.value,
            "owner": decision.owner.label,
            "team": decision.owner.team,
        }
        client("sns", self.region).publish(
            TopicArn=self.topic_arn,
            Message=orjson.dumps(compact(decision)).decode(),
            MessageAttributes={
                name: {"DataType": "String", "StringValue": value}
                for name, value in attributes.items()
                if value  # SNS rejects empty attribute values
            },
        )
