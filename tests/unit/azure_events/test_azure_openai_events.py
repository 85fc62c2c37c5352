"""Azure OpenAI accounts and deployments through Event Grid: the real ResourceWriteSuccess
sample with its subject, scope and operation replaced by those of a Cognitive Services write
(no public sample of one was found; the ids follow the ARM REST reference's paths)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from costplane.domain.events import Operation
from costplane.engine.envelopes import parse_document

GROUP = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-ai"
ACCOUNT = f"{GROUP}/providers/Microsoft.CognitiveServices/accounts/oai-search"
DEPLOYMENT = f"{ACCOUNT}/deployments/gpt-4o"


def written(event: dict[str, Any], resource_id: str, operation: str) -> dict[str, Any]:
    event = copy.deepcopy(event)
    event["subject"] = event["data"]["resourceUri"] = resource_id
    event["data"]["authorization"]["scope"] = resource_id
    event["data"]["authorization"]["action"] = event["data"]["operationName"] = operation
    event["data"]["resourceProvider"] = "Microsoft.CognitiveServices"
    return event


@pytest.mark.parametrize(
    ("resource_id", "operation", "resource_type"),
    [
        (
            ACCOUNT,
            "Microsoft.CognitiveServices/accounts/write",
            "azure.cognitiveservices.account",
        ),
        (
            DEPLOYMENT,
            "Microsoft.CognitiveServices/accounts/deployments/write",
            "azure.cognitiveservices.account.deployment",
        ),
    ],
    ids=["account", "deployment"],
)
def test_a_write_is_a_create_of_its_own_resource_type(
    write_event: Any, resource_id: str, operation: str, resource_type: str
) -> None:
    [event] = parse_document([written(write_event, resource_id, operation)]).events

    assert (event.resource_type, event.resource_id, event.operation) == (
        resource_type,
        resource_id,
        Operation.CREATE,
    )
    assert event.tags is None  # Event Grid carries none: the inventory reads them
