"""The budgets file: what each budget covers, how much it may spend per period, and what
happens at which share of it.

`schemas/budgets.schema.json` is generated from `BudgetsFile`; a contract test keeps them equal.
Thresholds are data: each names a registered policy action and its parameters, which the
policy layer validates with that action's own `Params` model when it compiles the thresholds
into policies (`costplane.policy.thresholds`), so the engine acts on them like on any policy.

A budget counts money (EffectiveCost) or AI tokens (the ConsumedQuantity of the lake's AI
token rows); its scope may also name an AI model or API key, and its `targets` the AI resources
whose vendor lever a threshold pulls when usage crosses it (`costplane.budgets.breach`).

`BudgetView` and `Projection` are what the budgets layer tells others (the policy engine, the
CLI) about a budget, so that neither needs to import the budgets layer itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from costplane.domain.taxonomy import PolicyScope

Basis = Literal["actual", "projected"]
ThresholdAction = Literal[
    "notify", "escalate", "request-approval", "throttle", "suspend", "decommission"
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class BudgetUnit(StrEnum):
    MONEY = "money"
    TOKENS = "tokens"


class BudgetScope(PolicyScope):
    """A policy scope, and for AI spend the model and API key (globs on x_AiModel and
    x_AiApiKeyId): a scope that names either covers AI rows only, never a resource event."""

    model: str | None = Field(None, description="Glob on the AI model, e.g. 'gpt-4o*'.")
    api_key: str | None = Field(None, description="Glob on the AI API key id.")

    @property
    def names_ai(self) -> bool:
        return self.model is not None or self.api_key is not None

    def policy_scope(self) -> dict[str, Any]:
        """The part of the scope a policy understands (resource events have no model)."""
        return self.model_dump(exclude_defaults=True, exclude={"model", "api_key"})


class BudgetTarget(_Model):
    """An AI resource a threshold acts on through its vendor's lever: an OpenAI project, an
    Anthropic API key or workspace, a Bedrock principal or inference profile, an Azure OpenAI
    deployment, a Vertex endpoint."""

    provider: str = Field(description="openai, anthropic, aws, azure or gcp.")
    account: str = Field(description="OpenAI project, Anthropic workspace, account, project.")
    resource_type: str = Field(description="e.g. openai.project, anthropic.api-key.")
    resource_id: str | None = Field(None, description="The resource's id (default: `account`).")
    region: str | None = None


class Threshold(_Model):
    """At `percent` of the amount (on actual or projected spend), run `action`."""

    percent: Decimal = Field(gt=0, description="Share of the amount, e.g. 80, 100, 120.")
    action: ThresholdAction
    basis: Basis = "projected"
    params: dict[str, Any] = Field(
        default_factory=dict, description="Parameters of the action, as in a policy."
    )


class Budget(_Model):
    """One budget: a scope (as in policies), an amount per period, and its thresholds."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Unique, kebab-case.")
    description: str = ""
    scope: BudgetScope = Field(default_factory=BudgetScope)
    unit: BudgetUnit = Field(
        BudgetUnit.MONEY,
        description="money: `amount` is EffectiveCost in `currency`; tokens: `amount` is AI "
        "tokens (every token type: input, cache reads and writes, output).",
    )
    amount: Decimal = Field(gt=0, description="Spend allowed per period, in `unit`.")
    period: Period = Period.MONTHLY
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")
    thresholds: tuple[Threshold, ...] = ()
    signals: tuple[str, ...] = Field(
        (),
        description="Names of cloud budgets (AWS Budgets, Azure, GCP) whose notifications "
        "update this budget's actual spend.",
    )
    targets: tuple[BudgetTarget, ...] = Field(
        (),
        description="AI resources whose vendor lever the thresholds pull when landed usage "
        "crosses them (default: the OpenAI project or Anthropic workspace the scope names).",
    )

    @model_validator(mode="after")
    def _signals_are_money(self) -> Budget:
        if self.unit is BudgetUnit.TOKENS and self.signals:
            raise ValueError("cloud budget alerts report money: a tokens budget takes no signals")
        return self

    @property
    def unit_label(self) -> str:
        """What `amount` counts: the currency, or tokens."""
        return self.currency if self.unit is BudgetUnit.MONEY else "tokens"

    @field_validator("thresholds")
    @classmethod
    def _ordered_and_distinct(cls, value: tuple[Threshold, ...]) -> tuple[Threshold, ...]:
        seen = [(t.basis, t.percent) for t in value]
        if duplicates := sorted({f"{p}% {b}" for b, p in seen if seen.count((b, p)) > 1}):
            raise ValueError(f"duplicate thresholds: {', '.join(duplicates)}")
        return tuple(sorted(value, key=lambda t: t.percent))


class BudgetsFile(_Model):
    """A costplane budgets file."""

    version: Literal[1] = 1
    budgets: list[Budget] = Field(min_length=1)

    @field_validator("budgets")
    @classmethod
    def _unique_names(cls, value: list[Budget]) -> list[Budget]:
        names = [b.name for b in value]
        if duplicates := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"duplicate budget names: {', '.join(duplicates)}")
        return value


def threshold_name(budget: Budget, threshold: Threshold) -> str:
    """The name a threshold acts under (its policy's, its decisions'), e.g. budget-x-actual-100."""
    percent = format(threshold.percent.normalize(), "f").replace(".", "-")
    return f"budget-{budget.name}-{threshold.basis}-{percent}"


@dataclass(frozen=True, slots=True)
class BudgetView:
    """A budget's state as policy conditions see it: amounts in the budget's unit."""

    name: str
    amount: Decimal
    actual: Decimal
    projected: Decimal
    currency: str

    def used(self, basis: str) -> Decimal:
        """Fraction of the budget used, on `actual` or `projected` spend."""
        spent = self.projected if basis == "projected" else self.actual
        return spent / self.amount if self.amount else Decimal("Infinity")


class Projection(NamedTuple):
    """A period total: the point forecast and its interval (actual-to-date included)."""

    point: Decimal
    lo: Decimal
    hi: Decimal
