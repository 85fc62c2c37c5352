"""What the AI vendors' enforcers share: which levers a resource type has, levers that cannot
be undone, and an inventory for resources that carry no tags.

A lever is named in a table (action kind → resource type → what it does); `supports` answers
from it, so a policy asking for an action a type lacks is told "not possible on <type>" in its
decision instead of attempting it. An irreversible lever (an archived project, a deleted key)
returns state saying so and the lever pulled; a resume of it is refused as impossible, not
retried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from costplane.adapters.rest import UnsupportedResource
from costplane.domain.decisions import ActionKind
from costplane.domain.errors import ActionImpossible
from costplane.engine.executor import NOTIFYING
from costplane.engine.ports import ResourceGone, ResourceRef
from costplane.engine.undo import Reversible, ReversibleActions, Undo


@dataclass(frozen=True, slots=True)
class Lever:
    """What an action does to a resource type at the vendor, and whether a resume undoes it."""

    what: str
    undoable: bool = True

    def state(self) -> dict[str, str]:
        """What an action's undo state says of the lever it pulled."""
        if self.undoable:
            return {"lever": self.what}
        return {"lever": self.what, "reversible": "false"}


Levers = Mapping[ActionKind, Mapping[str, Lever]]
LEVER_KEYS = frozenset({"lever", "reversible"})


class CannotUndo(ActionImpossible):
    """The action taken has no inverse in the vendor's API."""


def lever_supports(levers: Levers, prefix: str, kind: ActionKind, resource_type: str) -> bool:
    if not resource_type.startswith(prefix):
        return False
    return kind in NOTIFYING or resource_type in levers.get(kind, {})


def lever_of(levers: Levers, kind: ActionKind, resource_type: str) -> Lever | None:
    return levers.get(kind, {}).get(resource_type)


def irreversible(act: Callable[[ResourceRef], None], lever: Lever) -> Reversible:
    """Act once; a resource already gone is what the act wanted (`found: false` says so)."""

    def run(ref: ResourceRef) -> Undo:
        try:
            act(ref)
        except ResourceGone:
            return {"found": "false"}
        return {}

    def undo(ref: ResourceRef, _state: Mapping[str, str]) -> None:
        raise CannotUndo(f"{ref.resource_type} {ref.resource_id}: {lever.what}")

    return Reversible(run, undo)


class LeverActions(ReversibleActions):
    """An AI vendor's enforcer: the levers of its `levers` table, each action's state naming the
    lever pulled (and `reversible: false` when nothing undoes it); its resources carry no tags
    and cannot be stopped, so those actions are refused as unsupported."""

    vendor: str
    prefix: str
    levers: Levers

    def supports(self, kind: ActionKind, resource_type: str) -> bool:
        return lever_supports(self.levers, self.prefix, kind, resource_type)

    def throttle(self, ref: ResourceRef) -> Undo:
        return self._pull(ActionKind.THROTTLE, ref)

    def suspend(self, ref: ResourceRef) -> Undo:
        return self._pull(ActionKind.SUSPEND, ref)

    def decommission(self, ref: ResourceRef) -> Undo:
        return self._pull(ActionKind.DECOMMISSION, ref)

    def resume(self, ref: ResourceRef, kind: ActionKind, state: Mapping[str, str]) -> None:
        given = {key: value for key, value in state.items() if key not in LEVER_KEYS}
        self.reversible_for(kind, ref).undo(ref, given)

    def tag(self, ref: ResourceRef, tags: Mapping[str, str]) -> None:
        raise UnsupportedResource(f"{self.vendor} {ref.resource_type} carries no tags")

    def untag(self, ref: ResourceRef, keys: Iterable[str]) -> None:
        raise UnsupportedResource(f"{self.vendor} {ref.resource_type} carries no tags")

    def stop(self, ref: ResourceRef) -> None:
        raise UnsupportedResource(f"cannot stop {ref.resource_type}: suspend it")

    def quarantine(self, ref: ResourceRef) -> None:
        raise UnsupportedResource(f"cannot quarantine {ref.resource_type}: suspend it")

    def _pull(self, kind: ActionKind, ref: ResourceRef) -> Undo:
        state = self.reversible_for(kind, ref).act(ref)
        lever = lever_of(self.levers, kind, ref.resource_type)
        return {**state, **(lever.state() if lever else {})}


class NoTags:
    """The inventory of a vendor whose resources carry no tags: owners come from the taxonomy's
    account mappings (`Scope(provider="openai", account="proj_…")`), not from tags."""

    def get_tags(self, ref: ResourceRef) -> dict[str, str]:
        return {}
