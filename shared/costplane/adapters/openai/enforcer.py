"""OpenAI's levers, through the Administration API, each said for what it is:

    openai.project          throttle      every model's rate limits lowered to `percent` of what
                                          they were (at least 1); resume sets them back
                            suspend       the project's hard spend limit set to 1 cent a month, so
                                          the month's spend is already over it; resume puts back
                                          the limit it had, or removes it if it had none
                            decommission  the project archived: the API has no unarchive, so this
                                          cannot be undone (the state returned says so)
    openai.api-key          decommission  the key deleted: a deleted key cannot be restored
    openai.service-account  decommission  the account and its keys deleted: cannot be restored

The API has no way to disable a key and enable it again, so a key or service account has no
suspend: a policy asking for one is told "not possible" (supports says no) rather than having a
key deleted behind a word that promises a resume. Project model permissions (a deny list) exist
in the API but name models, and the enforcer port carries a resource, not a model: not used.
OpenAI says its spend limits are not enforced instantaneously. Projects and keys carry no tags:
tag, untag, stop and quarantine are not possible, and undo records go to the plane's records.

A project is the ResourceRef's `resource_id` (and `account`); a key or service account is its
`resource_id`, its project the `account`.
"""

from __future__ import annotations

from collections.abc import Mapping

from costplane.adapters.openai.admin import OpenAiAdmin
from costplane.adapters.openai.levers import API_KEY, LEVERS, PROJECT, SERVICE_ACCOUNT
from costplane.adapters.vendor_enforcer import LeverActions
from costplane.adapters.vendor_levers import irreversible
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceRef
from costplane.engine.undo import Reversible, TagRecord, Undo, reversible

SUSPENDED_CENTS = 1
DEFAULT_THROTTLE_PERCENT = 10

# The limits a rate limit may carry (ProjectRateLimitUpdateRequest), as short names in the state.
RATE_FIELDS = {
    "rpm": "max_requests_per_1_minute",
    "tpm": "max_tokens_per_1_minute",
    "ipm": "max_images_per_1_minute",
    "apm": "max_audio_megabytes_per_1_minute",
    "rpd": "max_requests_per_1_day",
    "btd": "batch_1_day_max_input_tokens",
}


class OpenAiEnforcer(LeverActions):
    vendor = "OpenAI"
    prefix = "openai."
    levers = LEVERS

    def __init__(
        self, admin: OpenAiAdmin, record: TagRecord, percent: int = DEFAULT_THROTTLE_PERCENT
    ) -> None:
        self.admin = admin
        self.percent = percent
        self.reversible: dict[ActionKind, dict[str, Reversible]] = {
            ActionKind.THROTTLE: {
                PROJECT: reversible(
                    ActionKind.THROTTLE,
                    record,
                    capture=self._rate_limits,
                    apply=lambda ref: self._lower(ref, record.get(ref, ActionKind.THROTTLE) or {}),
                    restore=self._restore_rate_limits,
                ),
            },
            ActionKind.SUSPEND: {
                PROJECT: reversible(
                    ActionKind.SUSPEND,
                    record,
                    capture=self._spend_limit,
                    apply=lambda ref: self._set_spend_limit(ref, SUSPENDED_CENTS),
                    restore=self._restore_spend_limit,
                ),
            },
            ActionKind.DECOMMISSION: {
                PROJECT: irreversible(self._archive, LEVERS[ActionKind.DECOMMISSION][PROJECT]),
                API_KEY: irreversible(self._delete_key, LEVERS[ActionKind.DECOMMISSION][API_KEY]),
                SERVICE_ACCOUNT: irreversible(
                    self._delete_account, LEVERS[ActionKind.DECOMMISSION][SERVICE_ACCOUNT]
                ),
            },
        }

    # throttle: rate limits ----------------------------------------------------------------

    def _rate_limits(self, ref: ResourceRef) -> Undo:
        """`<rate limit id>.<short field>`: the value, for every limit the project has."""
        state: Undo = {}
        for limit in self.admin.rate_limits(ref.resource_id):
            for short, field in RATE_FIELDS.items():
                if isinstance(limit.get(field), int):
                    state[f"{limit['id']}.{short}"] = str(limit[field])
        return state

    def _lower(self, ref: ResourceRef, state: Mapping[str, str]) -> None:
        """Each limit to `percent` of its recorded value: a repeated throttle sets the same."""
        lowered = {key: max(1, int(value) * self.percent // 100) for key, value in state.items()}
        self._set_rate_limits(ref, lowered)

    def _restore_rate_limits(self, ref: ResourceRef, state: Undo) -> None:
        self._set_rate_limits(ref, {key: int(value) for key, value in state.items()})

    def _set_rate_limits(self, ref: ResourceRef, values: Mapping[str, int]) -> None:
        by_limit: dict[str, dict[str, int]] = {}
        for key, value in values.items():
            limit_id, _, short = key.rpartition(".")
            by_limit.setdefault(limit_id, {})[RATE_FIELDS[short]] = value
        for limit_id, body in by_limit.items():
            self.admin.update_rate_limit(ref.resource_id, limit_id, body)

    # suspend: hard spend limit ------------------------------------------------------------

    def _spend_limit(self, ref: ResourceRef) -> Undo:
        self.admin.project(ref.resource_id)  # a missing project is gone, not "no limit"
        found = self.admin.spend_limit(ref.resource_id)
        if found is None:
            return {"spend_limit": "none"}
        return {
            "threshold_amount": str(found["threshold_amount"]),
            "currency": str(found.get("currency") or "USD"),
            "interval": str(found.get("interval") or "month"),
        }

    def _set_spend_limit(self, ref: ResourceRef, cents: int, currency: str = "USD") -> None:
        self.admin.set_spend_limit(ref.resource_id, cents, currency, "month")

    def _restore_spend_limit(self, ref: ResourceRef, state: Undo) -> None:
        if "threshold_amount" not in state:
            self.admin.delete_spend_limit(ref.resource_id)
            return
        self.admin.set_spend_limit(
            ref.resource_id, int(state["threshold_amount"]), state["currency"], state["interval"]
        )

    # decommission: final ------------------------------------------------------------------

    def _archive(self, ref: ResourceRef) -> None:
        if self.admin.project(ref.resource_id).get("status") != "archived":
            self.admin.archive(ref.resource_id)

    def _delete_key(self, ref: ResourceRef) -> None:
        self.admin.delete_api_key(ref.account, ref.resource_id)

    def _delete_account(self, ref: ResourceRef) -> None:
        self.admin.delete_service_account(ref.account, ref.resource_id)
