"""Conditions on what a resource is: its type, age and utilisation."""

from __future__ import annotations

from datetime import timedelta
from fnmatch import fnmatchcase

from pydantic import Field

from costplane.domain.action_params import ActionParams
from costplane.policy.facts import Facts
from costplane.policy.registry import Condition, condition


class ResourceTypeParams(ActionParams):
    types: tuple[str, ...] = Field(min_length=1, description="Globs, e.g. 'aws.sagemaker.*'.")


@condition("resource-type")
class ResourceType(Condition):
    """Holds when the resource type matches any glob in `types`.

    Example:
        type: resource-type
        types: ["aws.ec2.instance", "gcp.compute.instance", "azure.compute.virtualmachine"]
    """

    Params = ResourceTypeParams
    params: ResourceTypeParams

    def explain(self, facts: Facts) -> str | None:
        kind = facts.event.resource_type
        return f"type {kind}" if any(fnmatchcase(kind, g) for g in self.params.types) else None


class AgeParams(ActionParams):
    older_than: timedelta = Field(description="ISO 8601 duration, e.g. P30D.")


@condition("age")
class Age(Condition):
    """Holds when the resource was created more than `older_than` ago (when known).

    Example:
        type: age
        older_than: P30D
    """

    Params = AgeParams
    params: AgeParams

    def explain(self, facts: Facts) -> str | None:
        if facts.created_at is None:
            return None
        age = facts.now - facts.created_at
        return f"{age.days} days old" if age > self.params.older_than else None


class IdleParams(ActionParams):
    below: float = Field(ge=0, le=1, description="Utilisation (0..1) under which it is idle.")


@condition("idle")
class Idle(Condition):
    """Holds when the resource's measured utilisation is below `below`.

    Example:
        type: idle
        below: 0.05
    """

    Params = IdleParams
    params: IdleParams

    def explain(self, facts: Facts) -> str | None:
        used = facts.utilisation
        if used is None or used >= self.params.below:
            return None
        return f"utilisation {used:.1%} below {self.params.below:.0%}"
