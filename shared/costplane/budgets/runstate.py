"""Whether an event started or stopped a resource: a registry of readers keyed by event name.

Start and stop events carry no size, so the run-rate of a restarted resource is the one its
creation was priced at; these readers only say which way it went (None: cannot tell).

    EC2 Instance State-change Notification   detail.state
    StartInstances / StopInstances           the instance's currentState.name in
                                             responseElements.instancesSet.items
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum

from costplane.budgets.sizing import dig
from costplane.domain.events import ResourceEvent


class RunState(Enum):
    RUNNING = "running"
    STOPPED = "stopped"
    GONE = "gone"


_STATES = {
    "pending": RunState.RUNNING,
    "running": RunState.RUNNING,
    "stopping": RunState.STOPPED,
    "stopped": RunState.STOPPED,
    "shutting-down": RunState.GONE,
    "terminated": RunState.GONE,
}

StateReader = Callable[[ResourceEvent], str | None]
_READERS: dict[str, StateReader] = {}


def state_reader(*event_names: str) -> Callable[[StateReader], StateReader]:
    def register(read: StateReader) -> StateReader:
        for name in event_names:
            _READERS[name] = read
        return read

    return register


def run_state(event: ResourceEvent) -> RunState | None:
    read = _READERS.get(event.event_name)
    name = read(event) if read is not None else None
    return _STATES.get(name) if name is not None else None


@state_reader("EC2 Instance State-change Notification")
def _state_change(event: ResourceEvent) -> str | None:
    state = dig(event.raw, "detail", "state")
    return state if isinstance(state, str) else None


@state_reader("StartInstances", "StopInstances")
def _start_stop(event: ResourceEvent) -> str | None:
    items = dig(event.raw, "responseElements", "instancesSet", "items")
    for item in items if isinstance(items, list) else ():
        if isinstance(item, Mapping) and item.get("instanceId") == event.resource_id:
            name = dig(item, "currentState", "name")
            return name if isinstance(name, str) else None
    return None
