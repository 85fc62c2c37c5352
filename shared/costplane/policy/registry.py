"""Registries of conditions and actions: typed plug-ins, documented where they are defined.

A condition or action is a class with a pydantic `Params` model (its YAML fields), the
providers it supports, the permissions it needs per provider, and a docstring whose YAML
example the docs and tests read. Policies reference them by `type`; the policy JSON Schema is
generated from these registries, so a new plug-in is validated the moment it is registered.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from costplane.domain.action_params import ActionParams
from costplane.domain.decisions import Action, ActionKind, ActionStatus
from costplane.policy.facts import Facts

ALL_PROVIDERS = frozenset({"aws", "azure", "gcp"})


class Plugin(ABC):
    key: ClassVar[str]
    Params: ClassVar[type[ActionParams]]
    providers: ClassVar[frozenset[str]] = ALL_PROVIDERS
    permissions: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    def __init__(self, params: ActionParams) -> None:
        self.params = params

    @classmethod
    def example(cls) -> str:
        """The YAML example from the docstring (after the line `Example:`)."""
        doc = cls.__doc__ or ""
        _, _, example = doc.partition("Example:")
        lines = example.strip("\n").splitlines()
        indent = min((len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()), default=0)
        return "\n".join(ln[indent:] for ln in lines).strip() + "\n"


class Condition(Plugin):
    """True when the resource matches; `explain` says why, for the decision's reason."""

    @abstractmethod
    def explain(self, facts: Facts) -> str | None:
        """A reason when the condition holds, else None."""


class PolicyAction(Plugin):
    """Turns a matched policy into a planned action on the resource."""

    @abstractmethod
    def plan(self, facts: Facts) -> Action: ...


class StaticAction(PolicyAction):
    """An action whose plan is its kind plus its parameters, dumped once at compile time."""

    kind: ClassVar[ActionKind]

    def __init__(self, params: ActionParams) -> None:
        super().__init__(params)
        self._params = params.model_dump(mode="json", exclude={"type"})

    def plan(self, facts: Facts) -> Action:
        return Action.model_construct(
            kind=self.kind, params=dict(self._params), status=ActionStatus.PLANNED, error=None
        )


C = TypeVar("C", bound=type[Condition])
A = TypeVar("A", bound=type[PolicyAction])

CONDITIONS: dict[str, type[Condition]] = {}
ACTIONS: dict[str, type[PolicyAction]] = {}


def _register(table: dict[str, Any], name: str) -> Callable[[Any], Any]:
    def decorator(cls: Any) -> Any:
        if name in table:
            raise ValueError(f"{name!r} is already registered")
        cls.key = name
        table[name] = cls
        return cls

    return decorator


def condition(name: str) -> Callable[[C], C]:
    return _register(CONDITIONS, name)


def action(name: str) -> Callable[[A], A]:
    return _register(ACTIONS, name)
