"""The local plane's inventory, enforcer, notifier, clock and metrics.

Locally there is no cloud to act on: the enforcer applies actions to the inventory it learned
from events (so a later event sees the tags remediation applied), and the notifier logs. On an
OpenAI or Anthropic resource it has the levers the vendor's enforcer has, no more, and the state
each action returns names the lever the vendor would have pulled: the audit log shows it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from costplane.adapters.anthropic.levers import LEVERS as ANTHROPIC_LEVERS
from costplane.adapters.openai.levers import LEVERS as OPENAI_LEVERS
from costplane.adapters.vendor_levers import CannotUndo, Levers, lever_of, lever_supports
from costplane.domain.decisions import ActionKind, Decision
from costplane.engine.ports import ResourceGone, ResourceRef

if TYPE_CHECKING:
    from costplane.adapters.local.resources import LocalResources

log = logging.getLogger("costplane")

VENDOR_LEVERS: dict[str, Levers] = {"openai.": OPENAI_LEVERS, "anthropic.": ANTHROPIC_LEVERS}


def _vendor_levers(resource_type: str) -> tuple[str, Levers] | None:
    return next(
        (
            (prefix, levers)
            for prefix, levers in VENDOR_LEVERS.items()
            if resource_type.startswith(prefix)
        ),
        None,
    )


class LocalInventory:
    """Tags per resource id, seeded from a JSON file `{resource_id: {key: value}}`; with `kept`,
    the tags the enforcer changed are kept there too and win over the seed."""

    def __init__(
        self,
        tags: Mapping[str, Mapping[str, str]] | None = None,
        kept: LocalResources | None = None,
    ) -> None:
        self.tags: dict[str, dict[str, str]] = {k: dict(v) for k, v in (tags or {}).items()}
        self.kept = kept

    @classmethod
    def from_file(cls, path: Path, kept: LocalResources | None = None) -> LocalInventory:
        return cls(orjson.loads(path.read_bytes()), kept)

    def get_tags(self, ref: ResourceRef) -> dict[str, str]:
        found = self.kept.tags_of(ref.resource_id) if self.kept else None
        if found is not None:
            return found
        try:
            return dict(self.tags[ref.resource_id])
        except KeyError:
            raise ResourceGone(ref.resource_id) from None

    def change(self, ref: ResourceRef, apply: Callable[[dict[str, str]], object]) -> None:
        """Change a resource's tags (one not seen yet starts with none), and keep them."""
        try:
            current = self.get_tags(ref)
        except ResourceGone:
            current = {}
        apply(current)
        self.tags[ref.resource_id] = current
        if self.kept is not None:
            self.kept.save(ref, current)


class LocalEnforcer:
    """Applies tag actions to a LocalInventory and records every call it receives.

    Throttle, suspend and decommission hold a resource out of service until `resume`; each
    returns (and keeps, like a tag would) whether the resource was in service before.
    """

    def __init__(self, inventory: LocalInventory) -> None:
        self.inventory = inventory
        self.calls: list[tuple[str, str]] = []
        self.stopped: set[str] = set()
        self.held: dict[tuple[ActionKind, str], dict[str, str]] = {}

    def supports(self, kind: ActionKind, resource_type: str) -> bool:
        vendor = _vendor_levers(resource_type)
        return vendor is None or lever_supports(vendor[1], vendor[0], kind, resource_type)

    def tag(self, ref: ResourceRef, tags: Mapping[str, str]) -> None:
        self.calls.append(("tag", ref.resource_id))
        self.inventory.change(ref, lambda current: current.update(tags))

    def untag(self, ref: ResourceRef, keys: Iterable[str]) -> None:
        self.calls.append(("untag", ref.resource_id))
        gone = set(keys)

        def drop(current: dict[str, str]) -> None:
            for key in gone:
                current.pop(key, None)

        self.inventory.change(ref, drop)

    def stop(self, ref: ResourceRef) -> None:
        self.calls.append(("stop", ref.resource_id))
        self.stopped.add(ref.resource_id)

    def quarantine(self, ref: ResourceRef) -> None:
        self.calls.append(("quarantine", ref.resource_id))
        self.stopped.add(ref.resource_id)

    def throttle(self, ref: ResourceRef) -> dict[str, str]:
        return self._hold(ActionKind.THROTTLE, ref)

    def suspend(self, ref: ResourceRef) -> dict[str, str]:
        return self._hold(ActionKind.SUSPEND, ref)

    def decommission(self, ref: ResourceRef) -> dict[str, str]:
        return self._hold(ActionKind.DECOMMISSION, ref)

    def resume(self, ref: ResourceRef, kind: ActionKind, state: Mapping[str, str]) -> None:
        self.calls.append((f"resume-{kind.value}", ref.resource_id))
        held = dict(state) or self.held.get((kind, ref.resource_id)) or {}
        if held.get("reversible") == "false":
            raise CannotUndo(f"{ref.resource_type} {ref.resource_id}: {held.get('lever')}")
        self.held.pop((kind, ref.resource_id), None)
        if held.get("in_service") == "true":
            self.stopped.discard(ref.resource_id)

    def _hold(self, kind: ActionKind, ref: ResourceRef) -> dict[str, str]:
        self.calls.append((kind.value, ref.resource_id))
        in_service = "false" if ref.resource_id in self.stopped else "true"
        vendor = _vendor_levers(ref.resource_type)
        lever = lever_of(vendor[1], kind, ref.resource_type) if vendor else None
        state = self.held.setdefault(
            (kind, ref.resource_id),
            {"in_service": in_service, **(lever.state() if lever else {})},
        )
        self.stopped.add(ref.resource_id)
        return dict(state)


class LogNotifier:
    def notify(self, decision: Decision) -> None:
        log.warning(
            "%s %s on %s (owner %s): %s",
            decision.policy,
            decision.outcome.value,
            decision.resource_id,
            decision.owner.label,
            decision.reason,
        )


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class PinnedClock:
    """A clock that stands at one moment: replays and demos decide as of the events' time."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


class CounterMetrics:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def count(self, name: str, value: int = 1) -> None:
        self.counts[name] += value
