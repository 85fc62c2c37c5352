"""What every costplane Azure Function shares: the Event Grid binding's event as the document
the parsers read, and JSON answers."""

from __future__ import annotations

from typing import Any

import azure.functions as func
import orjson


def event_grid_document(event: func.EventGridEvent) -> dict[str, Any]:
    """The trigger binding's event, back in the Event Grid schema it was delivered in."""
    return {
        "id": event.id,
        "topic": event.topic,
        "subject": event.subject,
        "eventType": event.event_type,
        "eventTime": event.event_time.isoformat() if event.event_time else None,
        "data": event.get_json(),
        "dataVersion": event.data_version,
    }


def json_response(status: int, body: Any) -> func.HttpResponse:
    return func.HttpResponse(orjson.dumps(body), status_code=status, mimetype="application/json")
