"""The company tag taxonomy: what every resource must carry, and what happens when it does not.

`schemas/taxonomy.schema.json` is generated from `Taxonomy`; a contract test keeps them equal.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum
from fnmatch import fnmatchcase
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from costplane.domain.decisions import ActionKind
from costplane.domain.events import ResourceEvent


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scope(_Model):
    """Selects resources by provider, account/subscription/project, region and type (globs)."""

    provider: str | None = None
    account: str | None = Field(None, description="Account id, subscription id or project id.")
    region: str | None = None
    resource_type: str | None = Field(None, description="Glob, e.g. 'aws.ec2.*'.")

    def matches(self, event: ResourceEvent) -> bool:
        checks = (
            (self.provider, event.provider.value),
            (self.account, event.account),
            (self.region, event.region or ""),
            (self.resource_type, event.resource_type),
        )
        return all(want is None or fnmatchcase(got, want) for want, got in checks)


class PolicyScope(Scope):
    """Resources a policy applies to: provider/account/region/type globs and tag values."""

    tags: dict[str, str] = Field(
        default_factory=dict, description="Tag values the resource must carry, e.g. team: payments."
    )


class TagKey(_Model):
    """One key of the taxonomy. `aliases` are other spellings used across clouds and teams."""

    key: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    allowed: tuple[str, ...] | None = Field(
        None, description="Allowed values, compared case-insensitively (GCP labels are lowercase)."
    )
    pattern: str | None = Field(None, description="Regular expression the whole value must match.")
    applies_to: tuple[str, ...] = Field(
        ("*",), description="Resource-type globs this key is required on."
    )
    description: str | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value

    @cached_property
    def regex(self) -> re.Pattern[str] | None:
        return re.compile(value) if (value := self.pattern) else None

    @cached_property
    def allowed_folded(self) -> dict[str, str]:
        return {v.casefold(): v for v in self.allowed or ()}

    def applies(self, resource_type: str) -> bool:
        return any(fnmatchcase(resource_type, glob) for glob in self.applies_to)


class Defaults(_Model):
    """Tags inherited by every resource in `scope` that does not set them itself."""

    scope: Scope
    tags: dict[str, str]


class Exemption(_Model):
    """Resources exempt from the taxonomy until `expires` (inclusive)."""

    scope: Scope = Field(default_factory=Scope)
    resource: str | None = Field(None, description="Glob on the resource id.")
    reason: str
    expires: date

    def covers(self, event: ResourceEvent, today: date) -> bool:
        if today > self.expires or not self.scope.matches(event):
            return False
        return self.resource is None or fnmatchcase(event.resource_id, self.resource)


class OwnerMapping(_Model):
    """Who owns everything in a scope when the resource's tags do not say; `resource` and
    `principal` narrow it to one resource (an API key, an inference profile) or to who called
    (an IAM principal, an AI usage row's user)."""

    scope: Scope
    resource: str | None = Field(None, description="Glob on the resource id, e.g. an API key.")
    principal: str | None = Field(
        None, description="Glob on who acted or called: an IAM principal ARN, an AI user id."
    )
    team: str | None = None
    cost_center: str | None = None
    product: str | None = None

    def covers(self, event: ResourceEvent) -> bool:
        if not self.scope.matches(event):
            return False
        if self.resource is not None and not fnmatchcase(event.resource_id, self.resource):
            return False
        return self.principal is None or fnmatchcase(event.actor or "", self.principal)


class AttributionKeys(_Model):
    """Which taxonomy keys name the owner."""

    team: str = "Team"
    cost_center: str = "CostCenter"
    product: str = "Product"


class Mode(StrEnum):
    DRY_RUN = "dry-run"
    ENFORCE = "enforce"


def under_ceiling(own: Mode, ceiling: Mode) -> Mode:
    """The deployment's mode is a ceiling: `dry-run` there makes everything dry (a dry-run
    deployment never acts); `enforce` lets `own`, the file's mode, stand."""
    return Mode.DRY_RUN if ceiling is Mode.DRY_RUN else own


class ViolationAction(StrEnum):
    NOTIFY = "notify"
    STOP = "stop"
    QUARANTINE = "quarantine"

    @property
    def kind(self) -> ActionKind:
        return ActionKind(self.value)


class Enforcement(_Model):
    """What the tag enforcer does about a violation."""

    mode: Mode = Mode.DRY_RUN
    remediate: bool = Field(True, description="Apply inherited default tags that are missing.")
    notify: bool = True
    on_violation: ViolationAction = ViolationAction.STOP
    grace: timedelta = Field(
        timedelta(minutes=15),
        description="No destructive action within this time of creation, for tools that tag "
        "right after creating (ISO 8601 duration or seconds).",
    )
    delay: timedelta = Field(
        timedelta(hours=24),
        description="Mark-for-op delay before `on_violation` runs on a resource still in "
        "violation.",
    )
    mark_tag: str = Field(
        "costplane-op", description="Tag that holds a scheduled action (mark-for-op)."
    )


class Taxonomy(_Model):
    """The whole taxonomy file."""

    version: int = 1
    keys: tuple[TagKey, ...]
    defaults: tuple[Defaults, ...] = ()
    exemptions: tuple[Exemption, ...] = ()
    owners: tuple[OwnerMapping, ...] = ()
    attribution: AttributionKeys = Field(default_factory=AttributionKeys)
    enforcement: Enforcement = Field(default_factory=Enforcement)

    @model_validator(mode="after")
    def _unique_keys(self) -> Taxonomy:
        from costplane.domain.tag_keys import canonical

        seen: dict[str, str] = {}
        for key in self.keys:
            for spelling in (key.key, *key.aliases):
                folded = canonical(spelling)
                if folded in seen and seen[folded] != key.key:
                    raise ValueError(
                        f"tag spelling {spelling!r} is claimed by both {seen[folded]!r} "
                        f"and {key.key!r}"
                    )
                seen[folded] = key.key
        return self
