"""The enforcer shape of the AI vendors (OpenAI, Anthropic): levers from a table, the state
of each action naming the lever it pulled, and resources that carry no tags and cannot be
stopped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from costplane.adapters.rest import UnsupportedResource
from costplane.adapters.vendor_levers import LEVER_KEYS, Levers, lever_of, lever_supports
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceRef
from costplane.engine.undo import ReversibleActions, Undo


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
