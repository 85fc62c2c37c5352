"""The policy file model, built from the registries so that its JSON Schema is exact.

Each condition and action is validated by its own `Params` model, selected by `type`
(a discriminated union), so a typo in a parameter is reported at its path, not at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from costplane.domain.taxonomy import Exemption, Mode, PolicyScope
from costplane.policy.plugins import load_plugins
from costplane.policy.registry import ACTIONS, CONDITIONS, Plugin


def _entry_model(plugin: type[Plugin]) -> type[BaseModel]:
    """`{type: <name>, **Params}` for one plug-in, named after it for readable schemas."""
    name = "".join(part.title() for part in plugin.key.split("-"))
    tag: Any = Literal[plugin.key]
    model: type[BaseModel] = create_model(
        name,
        __base__=plugin.Params,
        __doc__=(plugin.__doc__ or "").split("\n\n")[0],
        type=(tag, Field(description=f"`{plugin.key}`")),
    )
    return model


def _union(plugins: Mapping[str, type[Plugin]]) -> Any:
    models = tuple(_entry_model(p) for p in plugins.values())
    return Annotated[Union[models], Field(discriminator="type")]  # noqa: UP007


@cache
def policy_models() -> tuple[type[BaseModel], type[BaseModel]]:
    """(Policy, PolicyFile) with every registered condition and action."""
    load_plugins()
    conditions: Any = list[_union(CONDITIONS)]  # type: ignore[misc]
    actions: Any = list[_union(ACTIONS)]  # type: ignore[misc]
    policy = create_model(
        "Policy",
        __config__=ConfigDict(extra="forbid", frozen=True),
        __doc__="One policy: where it applies, when it matches, and what it does.",
        name=(str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Unique, kebab-case.")),
        description=(str, ""),
        scope=(PolicyScope, Field(default_factory=PolicyScope)),
        conditions=(conditions, Field(min_length=1, description="All must hold.")),
        actions=(actions, Field(min_length=1)),
        mode=(Mode, Mode.DRY_RUN),
        grace=(
            timedelta,
            Field(timedelta(0), description="No destructive action this soon after creation."),
        ),
        exemptions=(list[Exemption], Field(default_factory=list)),
    )
    policy_file = create_model(
        "PolicyFile",
        __config__=ConfigDict(extra="forbid", frozen=True),
        __doc__="A costplane policy file.",
        version=(Literal[1], 1),
        policies=(list[policy], Field(min_length=1)),
    )
    return policy, policy_file
