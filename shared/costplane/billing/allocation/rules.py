"""Allocation rules: which bill lines form which pool, and how each pool is distributed.

`schemas/allocation.schema.json` is generated from `RuleSet`; a test keeps them equal.

A rule either selects bill lines with FOCUS filters (`select`) or takes over what earlier steps
gave to some cost objects (`from`), then distributes that cost: to one owner (`direct`), by a
tag or column value (`tag`, `column`), evenly, by fixed percentages, or in proportion to a
metric (the targets' cost so far, a lake column, a metrics file, OpenCost allocations).
Steps run in order, so cost can flow platform → teams → products.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from costplane.billing.focus.columns import COLUMNS_BY_NAME, FocusType

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 _.:/@+-]*$"
STRING_COLUMNS = tuple(
    name
    for name, column in COLUMNS_BY_NAME.items()
    if column.focus_type is FocusType.STRING and not name.startswith("x_")
)
DECIMAL_COLUMNS = tuple(
    name for name, column in COLUMNS_BY_NAME.items() if column.focus_type is FocusType.DECIMAL
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _known(column: str, allowed: tuple[str, ...], kind: str) -> str:
    if column not in allowed:
        near = [c for c in allowed if c.casefold() == column.casefold()]
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ValueError(f"unknown column {column!r}: not a FOCUS {kind} column{hint}")
    return column


class Filter(_Model):
    """Bill lines for which every condition given holds; the values listed under one
    condition are alternatives. An empty filter selects every line."""

    where: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="FOCUS string column → values it must equal, e.g. "
        "{ServiceCategory: [Networking], SubAccountId: ['123456789012']}.",
        json_schema_extra={"propertyNames": {"enum": list(STRING_COLUMNS)}},
    )
    tags: dict[str, tuple[str, ...] | Literal["*"]] = Field(
        default_factory=dict,
        description="Tag key → values it must equal, or '*' for any non-empty value.",
    )
    untagged: tuple[str, ...] = Field(
        (), description="Lines on which none of these tag keys has a value (untagged cost)."
    )
    exclude: Filter | None = Field(None, description="Lines matching this filter are left out.")

    @field_validator("where")
    @classmethod
    def _columns_exist(cls, where: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for column in where:
            _known(column, STRING_COLUMNS, "string")
        return where

    @property
    def columns(self) -> set[str]:
        """FOCUS columns this filter reads (tags are read from x_TagsMap)."""
        own = set(self.where) | ({"x_TagsMap"} if self.tags or self.untagged else set())
        return own | (self.exclude.columns if self.exclude else set())

    @property
    def tag_keys(self) -> set[str]:
        own = set(self.tags) | set(self.untagged)
        return own | (self.exclude.tag_keys if self.exclude else set())


class Dimension(_Model):
    """What names a consumer on each bill line: a tag's value, or a FOCUS string column's."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"minProperties": 1, "maxProperties": 1}
    )

    tag: str | None = None
    column: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Dimension:
        if (self.tag is None) == (self.column is None):
            raise ValueError("give exactly one of `tag` or `column`")
        if self.column is not None:
            _known(self.column, STRING_COLUMNS, "string")
        return self

    @property
    def label(self) -> str:
        return f"tag {self.tag!r}" if self.tag is not None else f"column {self.column}"


class CostMetric(_Model):
    """Weights are the targets' allocated cost so far (AWS split charges' "proportional")."""

    source: Literal["cost"]


class LakeMetric(_Model):
    """Weights are a FOCUS decimal column summed per tag/column value over the same period."""

    source: Literal["lake"]
    value: str = Field(description="FOCUS decimal column, e.g. ConsumedQuantity.")
    by: Dimension
    where: Filter = Field(default_factory=Filter)

    @field_validator("value")
    @classmethod
    def _decimal_column(cls, value: str) -> str:
        return _known(value, DECIMAL_COLUMNS, "decimal")


class FileMetric(_Model):
    """Weights from a CSV or Parquet table, e.g. requests per team (relative to the rules file)."""

    source: Literal["file"]
    path: Path
    key: str = Field(description="Column naming the consumer.")
    value: str = Field(description="Numeric column holding the weight.")
    period_column: str | None = Field(
        None, description="Column holding YYYY-MM; when given, only rows of the period count."
    )


class OpenCostMetric(_Model):
    """Weights from an OpenCost /allocation response, per namespace or namespace label.

    `__idle__` entries are left out of the weights, so idle cost is shared proportionally to
    what each consumer was allocated; `__unallocated__` stays visibly unallocated.
    """

    source: Literal["opencost"]
    path: Path
    value: str = Field("totalCost", description="Allocation field to weigh by.")
    label: str | None = Field(
        None, description="Aggregate by this namespace label instead of by namespace."
    )


Metric = Annotated[
    CostMetric | LakeMetric | FileMetric | OpenCostMetric, Field(discriminator="source")
]


class Direct(_Model):
    """Everything the rule takes goes to one cost object."""

    method: Literal["direct"]
    to: str = Field(pattern=NAME_PATTERN)

    def outputs(self) -> tuple[set[str], str | None]:
        """Cost objects this method can produce: names, and a prefix of data-driven names."""
        return {self.to}, None


class ByValue(_Model):
    """Each line goes to the cost object named by its tag or column value (plus `prefix`).
    Lines where that value is missing are not claimed by this rule."""

    method: Literal["tag", "column"]
    key: str = Field(description="The tag key (method tag) or FOCUS string column (column).")
    prefix: str = ""

    @model_validator(mode="after")
    def _column_exists(self) -> ByValue:
        if self.method == "column":
            _known(self.key, STRING_COLUMNS, "string")
        return self

    @property
    def by(self) -> Dimension:
        return Dimension(tag=self.key) if self.method == "tag" else Dimension(column=self.key)

    def outputs(self) -> tuple[set[str], str | None]:
        return set(), self.prefix


class Even(_Model):
    """An even split between the targets."""

    method: Literal["even"]
    targets: tuple[Annotated[str, Field(pattern=NAME_PATTERN)], ...] = Field(min_length=1)

    def outputs(self) -> tuple[set[str], str | None]:
        return set(self.targets), None


class Fixed(_Model):
    """Fixed percentages, which must add up to exactly 100."""

    method: Literal["fixed"]
    shares: dict[Annotated[str, Field(pattern=NAME_PATTERN)], Decimal] = Field(min_length=1)

    @field_validator("shares")
    @classmethod
    def _hundred(cls, shares: dict[str, Decimal]) -> dict[str, Decimal]:
        if any(not v.is_finite() or v < 0 for v in shares.values()):
            raise ValueError("percentages must be finite and not negative")
        if (total := sum(shares.values(), Decimal(0))) != 100:
            raise ValueError(f"percentages add up to {total}, not 100")
        return shares

    def outputs(self) -> tuple[set[str], str | None]:
        return set(self.shares), None


class Proportional(_Model):
    """In proportion to a metric. Consumers are the metric's keys (plus `prefix`); `targets`
    (globs on cost object names) restricts them, and is required for the `cost` metric."""

    method: Literal["proportional"]
    metric: Metric
    targets: tuple[str, ...] | None = None
    prefix: str = ""

    @model_validator(mode="after")
    def _cost_needs_targets(self) -> Proportional:
        if isinstance(self.metric, CostMetric) and not self.targets:
            raise ValueError("the `cost` metric needs `targets` (globs on cost objects)")
        return self

    def outputs(self) -> tuple[set[str], str | None]:
        if isinstance(self.metric, CostMetric):
            return set(), None
        return set(), self.prefix


Distribution = Annotated[
    Direct | ByValue | Even | Fixed | Proportional, Field(discriminator="method")
]


class Rule(_Model):
    """One pool and how it is distributed."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        json_schema_extra={"oneOf": [{"required": ["select"]}, {"required": ["from"]}]},
    )

    name: str = Field(pattern=NAME_PATTERN)
    description: str | None = None
    select: Filter | None = Field(None, description="Bill lines this rule claims.")
    from_: tuple[Annotated[str, Field(pattern=NAME_PATTERN)], ...] | None = Field(
        None, alias="from", description="Cost objects whose allocation so far this rule splits."
    )
    distribute: Distribution

    @model_validator(mode="after")
    def _one_source(self) -> Rule:
        if (self.select is None) == (self.from_ is None):
            raise ValueError(f"rule {self.name!r}: give exactly one of `select` or `from`")
        if self.from_ is not None and isinstance(self.distribute, ByValue):
            raise ValueError(
                f"rule {self.name!r}: method {self.distribute.method!r} needs bill lines; "
                "use it with `select`"
            )
        return self


class Step(_Model):
    """Rules that run together: each sees the allocation as it was when the step began."""

    name: str = Field(pattern=NAME_PATTERN)
    rules: tuple[Rule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _sources_split_once(self) -> Step:
        seen: dict[str, str] = {}
        for rule in self.rules:
            for source in rule.from_ or ():
                if source in seen:
                    raise ValueError(
                        f"step {self.name!r}: rules {seen[source]!r} and {rule.name!r} both "
                        f"split {source!r}"
                    )
                seen[source] = rule.name
        return self


class RuleSet(_Model):
    """A whole allocation rule file."""

    version: Literal[1] = 1
    name: str = Field(pattern=NAME_PATTERN, description="Identifies this rule set's output.")
    cost_column: Literal["EffectiveCost", "BilledCost", "ListCost", "ContractedCost"] = Field(
        "EffectiveCost", description="The FOCUS cost column allocated (amortised by default)."
    )
    fallback: str | None = Field(
        None,
        pattern=NAME_PATTERN,
        description="Owner of bill lines no rule selects; without it they stay unallocated.",
    )
    overlap: Literal["error", "first-match"] = Field(
        "error",
        description="When two `select` rules claim the same line: fail, or give it to the "
        "rule listed first (with a warning).",
    )
    steps: tuple[Step, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_rule_names(self) -> RuleSet:
        names = [rule.name for step in self.steps for rule in step.rules]
        if duplicates := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"rule names must be unique: {', '.join(duplicates)}")
        return self

    @model_validator(mode="after")
    def _sources_can_exist(self) -> RuleSet:
        """A `from` must name something an earlier step (or the fallback) can produce."""
        exact: set[str] = {self.fallback} if self.fallback else set()
        prefixes: set[str] = set()
        for step in self.steps:
            for rule in step.rules:
                for source in rule.from_ or ():
                    if source not in exact and not any(source.startswith(p) for p in prefixes):
                        raise ValueError(
                            f"rule {rule.name!r} splits {source!r}, which no earlier step "
                            "or the fallback produces"
                        )
            for rule in step.rules:
                made, prefix = rule.distribute.outputs()
                exact |= made
                if prefix is not None:
                    prefixes.add(prefix)
        return self

    @property
    def rules(self) -> list[Rule]:
        return [rule for step in self.steps for rule in step.rules]

    def resolve_paths(self, base: Path) -> RuleSet:
        """Metric file paths made relative to `base` (the rules file's directory)."""
        document: dict[str, Any] = self.model_dump(by_alias=True, exclude_none=True)
        for step in document["steps"]:
            for rule in step["rules"]:
                metric = rule["distribute"].get("metric", {})
                if "path" in metric and not Path(metric["path"]).is_absolute():
                    metric["path"] = base / metric["path"]
        return RuleSet.model_validate(document)
