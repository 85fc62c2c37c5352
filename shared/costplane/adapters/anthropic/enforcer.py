"""Anthropic's levers, through the Admin API, each said for what it is:

    anthropic.api-key    suspend       the key set `inactive`; resume sets it `active` again if it
                                       was active before
                         decommission  the key set `archived`: the API documents no way back
    anthropic.workspace  throttle      every rate limit the workspace sees (its overrides and what
                                       it inherits) lowered to `percent` of its value, at least 1;
                                       resume restores each override, or clears the ones that
                                       were inherited. Anthropic applies changes within about an
                                       hour, and refuses limits on the default workspace
                         suspend       every active key of the workspace set `inactive`; resume
                                       reactivates the keys that were active when suspended
                         decommission  the workspace archived: cannot be undone

Workspace spend limits are settable only in Anthropic's early-access preview: not a lever here.
Keys and workspaces carry no tags: tag, untag, stop and quarantine are not possible, and undo
records go to the plane's records. A workspace is the ResourceRef's `resource_id` (and
`account`); a key is its `resource_id`, its workspace the `account`.
"""

from __future__ import annotations

from collections.abc import Mapping

from costplane.adapters.anthropic.admin import AnthropicAdmin
from costplane.adapters.anthropic.levers import API_KEY, LEVERS, WORKSPACE
from costplane.adapters.vendor_enforcer import LeverActions
from costplane.adapters.vendor_levers import irreversible
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceRef
from costplane.engine.undo import Reversible, TagRecord, Undo, reversible

DEFAULT_THROTTLE_PERCENT = 10
INHERITED = "org"


class AnthropicEnforcer(LeverActions):
    vendor = "Anthropic"
    prefix = "anthropic."
    levers = LEVERS

    def __init__(
        self, admin: AnthropicAdmin, record: TagRecord, percent: int = DEFAULT_THROTTLE_PERCENT
    ) -> None:
        self.admin = admin
        self.percent = percent
        decommission = LEVERS[ActionKind.DECOMMISSION]
        self.reversible: dict[ActionKind, dict[str, Reversible]] = {
            ActionKind.THROTTLE: {
                WORKSPACE: reversible(
                    ActionKind.THROTTLE,
                    record,
                    capture=self._rate_limits,
                    apply=lambda ref: self._lower(ref, record.get(ref, ActionKind.THROTTLE) or {}),
                    restore=self._restore_rate_limits,
                ),
            },
            ActionKind.SUSPEND: {
                API_KEY: reversible(
                    ActionKind.SUSPEND,
                    record,
                    capture=lambda ref: {
                        "status": str(self.admin.api_key(ref.resource_id)["status"])
                    },
                    apply=lambda ref: self._set_status(ref.resource_id, "inactive"),
                    restore=self._restore_key,
                ),
                WORKSPACE: reversible(
                    ActionKind.SUSPEND,
                    record,
                    capture=self._active_keys,
                    apply=self._deactivate_keys,
                    restore=self._reactivate_keys,
                ),
            },
            ActionKind.DECOMMISSION: {
                API_KEY: irreversible(
                    lambda ref: self._set_status(ref.resource_id, "archived"), decommission[API_KEY]
                ),
                WORKSPACE: irreversible(self._archive, decommission[WORKSPACE]),
            },
        }

    # throttle: workspace rate limits ------------------------------------------------------

    def _rate_limits(self, ref: ResourceRef) -> Undo:
        """`<rate limit id>.<limiter type>`: the workspace's override, or `org` if inherited."""
        state: Undo = {}
        for entry in self.admin.rate_limits(ref.resource_id):
            for limit in entry.get("limits") or ():
                if not isinstance(limit, dict) or not isinstance(limit.get("value"), int):
                    continue
                source = (limit.get("source") or {}).get("type")
                own = str(limit["value"]) if source == "workspace" else INHERITED
                state[f"{entry['rate_limit_id']}.{limit['type']}"] = own
                state[f"{entry['rate_limit_id']}.{limit['type']}.was"] = str(limit["value"])
        return state

    def _lower(self, ref: ResourceRef, state: Mapping[str, str]) -> None:
        """Each limit to `percent` of the value it had: a repeated throttle sets the same."""
        self._set_rate_limits(
            ref,
            {
                key.removesuffix(".was"): max(1, int(value) * self.percent // 100)
                for key, value in state.items()
                if key.endswith(".was")
            },
        )

    def _restore_rate_limits(self, ref: ResourceRef, state: Undo) -> None:
        self._set_rate_limits(
            ref,
            {
                key: None if value == INHERITED else int(value)
                for key, value in state.items()
                if not key.endswith(".was")
            },
        )

    def _set_rate_limits(self, ref: ResourceRef, values: Mapping[str, int | None]) -> None:
        by_group: dict[str, dict[str, int | None]] = {}
        for key, value in values.items():
            rate_limit_id, _, limiter = key.rpartition(".")
            by_group.setdefault(rate_limit_id, {})[limiter] = value
        for rate_limit_id, limits in by_group.items():
            self.admin.set_rate_limits(ref.resource_id, rate_limit_id, limits)

    # suspend: keys ------------------------------------------------------------------------

    def _set_status(self, key_id: str, status: str) -> None:
        self.admin.set_key_status(key_id, status)

    def _restore_key(self, ref: ResourceRef, state: Undo) -> None:
        if state.get("status") == "active":
            self._set_status(ref.resource_id, "active")

    def _active_keys(self, ref: ResourceRef) -> Undo:
        self.admin.workspace(ref.resource_id)  # a missing workspace is gone, not keyless
        return {str(key["id"]): "active" for key in self.admin.active_keys(ref.resource_id)}

    def _deactivate_keys(self, ref: ResourceRef) -> None:
        """Every key active now, those created since the record included."""
        for key in list(self.admin.active_keys(ref.resource_id)):
            self._set_status(str(key["id"]), "inactive")

    def _reactivate_keys(self, ref: ResourceRef, state: Undo) -> None:
        for key_id, status in state.items():
            if status == "active":
                self._set_status(key_id, "active")

    # decommission: final ------------------------------------------------------------------

    def _archive(self, ref: ResourceRef) -> None:
        if not self.admin.workspace(ref.resource_id).get("archived_at"):
            self.admin.archive_workspace(ref.resource_id)
