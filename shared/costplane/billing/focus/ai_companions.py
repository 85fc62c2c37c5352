"""A vendor's usage report and cost report are companions: both describe the same spend.

They share an organisation and billing month in the lake without the lake's refusal of a
second source (`billing/lake/conflicts`): the cost report holds the money (`billed`), the
usage report the quantities. For every day a cost report covers, the usage rows of the
same vendor and organisation are `reported` (cost 0, quantities kept); on the days it does
not cover yet, they stay priced from the price book. Which lands first does not matter:
usage landing after the cost report is reported as it is normalised, and a cost report
landing after usage restates the usage rows of its months in the same ingest.

Anthropic's cost report leaves Priority Tier out (its Usage and Cost API page), so priority
usage is never reported and keeps its price.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict

from costplane.billing.focus.ai_costs import is_usage
from costplane.billing.focus.columns import STRING
from costplane.domain.ai import AiVendor, CostBasis

_SEPARATOR = "\x1f"


@dataclass(frozen=True, slots=True)
class Companions:
    """One vendor's usage and cost report sources, and the usage tiers its cost report
    leaves out."""

    vendor: AiVendor
    usage: str
    cost: str
    uncovered_tiers: frozenset[str] = frozenset()


PAIRS = (
    Companions(AiVendor.OPENAI, "openai-usage", "openai-costs"),
    Companions(AiVendor.ANTHROPIC, "anthropic-usage", "anthropic-cost", frozenset({"priority"})),
)


def pair_of(source: str) -> Companions | None:
    return next((p for p in PAIRS if source in (p.usage, p.cost)), None)


def companions_of(source: str) -> set[str]:
    """The other source of `source`'s pair (empty for sources without one)."""
    pair = pair_of(source)
    return {pair.usage, pair.cost} - {source} if pair else set()


def day_keys(batch: pa.RecordBatch | pa.Table) -> pa.Array:
    """Organisation and UTC day of each row, as one comparable string."""
    day = pc.cast(pc.floor_temporal(batch["ChargePeriodStart"], unit="day"), STRING)
    return pc.binary_join_element_wise(batch["BillingAccountId"], day, _SEPARATOR)


def covered_days(batch: pa.RecordBatch | pa.Table) -> set[str]:
    """The (organisation, day) keys a cost report's rows cover."""
    return set(pc.unique(day_keys(batch)).to_pylist())


def reported(batch: pa.RecordBatch, covered: set[str], pair: Companions) -> pa.Array:
    """Which usage rows of `batch` a cost report covers: their day is covered and their tier
    is one the cost report holds."""
    if not covered:
        return pa.repeat(pa.scalar(False), batch.num_rows)
    days = pc.is_in(day_keys(batch), value_set=pa.array(sorted(covered), STRING))
    left_out = pa.array(sorted(pair.uncovered_tiers), STRING)
    tier_held = pc.invert(
        pc.fill_null(pc.is_in(batch["x_AiServiceTier"], value_set=left_out), False)
    )
    return pc.and_(pc.and_(days, tier_held), is_usage(batch))


class UsageBasis(BaseModel):
    """How the AI usage rows an ingest wrote are costed: counts per cost basis, and the
    models the price book has no price for (their rows cost 0 until a cost report lands)."""

    model_config = ConfigDict(frozen=True)

    priced: int = 0
    unpriced: int = 0
    reported: int = 0
    unpriced_models: list[str] = []

    def add(self, batch: pa.RecordBatch) -> UsageBasis:
        basis = batch["x_AiCostBasis"]
        counts = {
            value: int(pc.sum(pc.fill_null(pc.equal(basis, value), False)).as_py() or 0)
            for value in (CostBasis.PRICED, CostBasis.UNPRICED, CostBasis.REPORTED)
        }
        unpriced = pc.fill_null(pc.equal(basis, CostBasis.UNPRICED.value), False)
        models = pc.unique(pc.fill_null(batch["x_AiModel"].filter(unpriced), "(no model)"))
        return UsageBasis(
            priced=self.priced + counts[CostBasis.PRICED],
            unpriced=self.unpriced + counts[CostBasis.UNPRICED],
            reported=self.reported + counts[CostBasis.REPORTED],
            unpriced_models=sorted({*self.unpriced_models, *models.to_pylist()}),
        )
