"""The state that undoes a throttle, suspend or decommission, and how a resource carries it.

Each action returns that state (it goes into the audit log with the action) and also writes it
on the resource, in one tag or label (`RECORD_KEYS`), so that a resume still works when the
audit log is lost. The first action records; a repeated one finds the record and returns it
unchanged, so a second throttle never replaces the capacity to restore with zeros. Resume takes
the state from the audit log, or from the record when the log is lost, restores it and drops
the record. `reversible` is that shape, shared by every adapter.

Clouds restrict tag values differently, hence one `StateCodec` per cloud: `min=1 max=4` where
tags allow `=` and spaces (AWS, Azure), `nodes-3_min-1` in GCP labels (`[a-z0-9_-]`, 63 chars).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceRef

Undo = dict[str, str]

REVERSIBLE = frozenset({ActionKind.THROTTLE, ActionKind.SUSPEND, ActionKind.DECOMMISSION})
RECORD_KEYS: dict[ActionKind, str] = {
    ActionKind.THROTTLE: "costplane-throttled",
    ActionKind.SUSPEND: "costplane-suspended",
    ActionKind.DECOMMISSION: "costplane-decommissioned",
}


@dataclass(frozen=True, slots=True)
class StateCodec:
    """A flat `{key: value}` state as one tag value; refuses what the value could not hold."""

    pair_separator: str
    key_separator: str
    allowed: re.Pattern[str]
    max_length: int

    def encode(self, state: Mapping[str, str]) -> str:
        for part in (*state, *state.values()):
            if not self.allowed.fullmatch(part):
                raise ValueError(f"{part!r} cannot be kept in a tag value")
        value = self.pair_separator.join(f"{k}{self.key_separator}{v}" for k, v in state.items())
        if len(value) > self.max_length:
            raise ValueError(f"{len(value)} characters of undo state do not fit in one tag")
        return value

    def decode(self, value: str) -> Undo:
        pairs = (pair.partition(self.key_separator) for pair in value.split(self.pair_separator))
        return {key: val for key, sep, val in pairs if key and sep}


# AWS tag values allow letters, digits, spaces and `_ . : / = + - @` (IAM, Lambda, SageMaker
# are the strictest); Azure tag values allow 256 characters of almost anything.
TAG_CODEC = StateCodec(" ", "=", re.compile(r"[\w.:/+@-]+"), 256)
LABEL_CODEC = StateCodec("_", "-", re.compile(r"[a-z0-9]+"), 63)


def record_key(_ref: ResourceRef, kind: ActionKind) -> str:
    return RECORD_KEYS[kind]


@dataclass(frozen=True, slots=True)
class Reversible:
    """One reversible action on one resource type: `act` returns the state `undo` needs."""

    act: Callable[[ResourceRef], Undo]
    undo: Callable[[ResourceRef, Mapping[str, str]], None]


@dataclass(frozen=True, slots=True)
class TagRecord:
    """Where a resource type keeps its undo records: how to read, add and remove its tags."""

    read: Callable[[ResourceRef], Mapping[str, str]]
    add: Callable[[ResourceRef, dict[str, str]], None]
    remove: Callable[[ResourceRef, list[str]], None]
    codec: StateCodec = TAG_CODEC
    key: Callable[[ResourceRef, ActionKind], str] = record_key

    def get(self, ref: ResourceRef, kind: ActionKind) -> Undo | None:
        value = self.read(ref).get(self.key(ref, kind))
        return None if value is None else self.codec.decode(value)

    def put(self, ref: ResourceRef, kind: ActionKind, state: Mapping[str, str]) -> None:
        self.add(ref, {self.key(ref, kind): self.codec.encode(state)})

    def drop(self, ref: ResourceRef, kind: ActionKind) -> None:
        self.remove(ref, [self.key(ref, kind)])


def reversible(
    kind: ActionKind,
    record: TagRecord,
    capture: Callable[[ResourceRef], Undo],
    apply: Callable[[ResourceRef], None],
    restore: Callable[[ResourceRef, Undo], None],
) -> Reversible:
    """Record once, then act (every time: acting is idempotent); restore, then forget."""

    def act(ref: ResourceRef) -> Undo:
        state = record.get(ref, kind)
        if state is None:
            state = capture(ref)
            record.put(ref, kind, state)
        apply(ref)
        return state

    def undo(ref: ResourceRef, given: Mapping[str, str]) -> None:
        state = dict(given) or record.get(ref, kind)
        if state is None:
            return
        restore(ref, state)
        record.drop(ref, kind)

    return Reversible(act, undo)


class NotReversible(LookupError):
    """The action has no reversible form for this resource type on this provider."""


class ReversibleActions:
    """An enforcer's throttle, suspend, decommission and resume, from its `reversible` registry
    (action kind → resource type → Reversible)."""

    reversible: Mapping[ActionKind, Mapping[str, Reversible]]

    def throttle(self, ref: ResourceRef) -> Undo:
        return self.reversible_for(ActionKind.THROTTLE, ref).act(ref)

    def suspend(self, ref: ResourceRef) -> Undo:
        return self.reversible_for(ActionKind.SUSPEND, ref).act(ref)

    def decommission(self, ref: ResourceRef) -> Undo:
        return self.reversible_for(ActionKind.DECOMMISSION, ref).act(ref)

    def resume(self, ref: ResourceRef, kind: ActionKind, state: Mapping[str, str]) -> None:
        self.reversible_for(kind, ref).undo(ref, state)

    def reverses(self, kind: ActionKind, resource_type: str) -> bool:
        return resource_type in self.reversible.get(kind, {})

    def reversible_for(self, kind: ActionKind, ref: ResourceRef) -> Reversible:
        found = self.reversible.get(kind, {}).get(ref.resource_type)
        if found is None:
            raise NotReversible(f"cannot {kind.value} {ref.resource_type} {ref.resource_id}")
        return found
