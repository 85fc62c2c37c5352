"""Conditions on a resource's tags."""

from __future__ import annotations

from pydantic import Field

from costplane.domain.action_params import ActionParams
from costplane.domain.tag_keys import canonical
from costplane.policy.facts import Facts
from costplane.policy.registry import Condition, condition


class TagMissingParams(ActionParams):
    keys: tuple[str, ...] = Field(min_length=1, description="Keys any spelling of which counts.")


@condition("tag-missing")
class TagMissing(Condition):
    """Holds when any of `keys` is absent or blank (spellings compared across clouds).

    Example:
        type: tag-missing
        keys: [CostCenter, Team]
    """

    Params = TagMissingParams
    params: TagMissingParams

    def __init__(self, params: TagMissingParams) -> None:
        super().__init__(params)
        self._wanted = {canonical(k): k for k in params.keys}

    def explain(self, facts: Facts) -> str | None:
        present = {canonical(k) for k, v in facts.tags.items() if v.strip()}
        missing = [k for c, k in self._wanted.items() if c not in present]
        return f"missing tags {', '.join(missing)}" if missing else None
