"""Azure's actual and amortized exports of one period, combined into one FOCUS dataset.

The two exports share one header and most rows: usage not covered by a commitment is in
both, alike. They differ in commitments: the actual export bills the purchases and refunds
(BilledCost) and shows covered usage at zero; the amortized export spreads them over the
usage they cover (EffectiveCost, and unused commitment as its own rows) and leaves the
purchases out. FOCUS wants both in one dataset: BilledCost from the actual export,
EffectiveCost from the amortized one, and commitment purchases and refunds billed but not
effective (EffectiveCost 0, as the normaliser sets).

So, per billing account and period, the lake holds a *purchase part* (commitment purchase
and refund rows, from the actual export) and a *usage part* (every other row, from the
amortized export when there is one, else from the actual one). A file is told apart by its
rows: actual if it has purchases and no amortised commitment cost, amortized if it has
amortised commitment cost, neutral if neither (then both exports hold it alike). A delivery
replaces the parts it carries and keeps the lake's other part, whichever export comes first.
A neutral file delivered with an amortized one cannot be placed (it could be a part of
either export): that is refused, saying to deliver each export on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.expressions import And, BooleanExpression, EqualTo, Not, NotNull
from pyiceberg.table import Table

from costplane.billing.focus.columns import focus_arrow_schema
from costplane.billing.lake.conflicts import IngestRefused
from costplane.billing.lake.restate import restatement_filter
from costplane.billing.lake.table import RESTATEMENT_KEY, RestatementKey, distinct_keys

COMBINES_DATASETS = "combines_actual_and_amortized"
"""A normaliser with this attribute set reads exports that come as these two datasets."""

Part = Literal["all", "purchases", "usage", "none"]
Kind = Literal["actual", "amortized", "neutral"]

PURCHASE_ROWS: BooleanExpression = And(
    EqualTo(term="ChargeCategory", value="Purchase"), NotNull(term="CommitmentDiscountId")
)


def combines(normaliser: object) -> bool:
    return bool(getattr(normaliser, COMBINES_DATASETS, False))


def purchases(batch: pa.RecordBatch) -> pa.Array:
    """Commitment purchases and refunds (refunds are Purchase rows of class Correction)."""
    return pc.fill_null(
        pc.and_(
            pc.equal(batch["ChargeCategory"], "Purchase"),
            pc.is_valid(batch["CommitmentDiscountId"]),
        ),
        False,
    )


def amortised(batch: pa.RecordBatch) -> pa.Array:
    """Commitment cost spread over usage (used or unused): only the amortized export has it."""
    return pc.fill_null(
        pc.and_(
            pc.is_valid(batch["CommitmentDiscountStatus"]),
            pc.not_equal(batch["EffectiveCost"], pa.scalar(0, batch["EffectiveCost"].type)),
        ),
        False,
    )


@dataclass(slots=True)
class Survey:
    """What one file holds per key: purchases, amortised commitment cost."""

    seen: dict[RestatementKey, tuple[bool, bool]] = field(default_factory=dict)

    def add(self, batch: pa.RecordBatch) -> None:
        flags = (
            pa.Table.from_batches([batch.select(list(RESTATEMENT_KEY))])
            .append_column("p", purchases(batch))
            .append_column("u", amortised(batch))
            .group_by(list(RESTATEMENT_KEY))
            .aggregate([("p", "any"), ("u", "any")])
        )
        for row in flags.to_pylist():
            key = RestatementKey(
                row["x_SourceName"], row["BillingAccountId"], row["BillingPeriodStart"]
            )
            p, u = self.seen.get(key, (False, False))
            self.seen[key] = (p or row["p_any"], u or row["u_any"])

    def kind(self, key: RestatementKey) -> Kind:
        has_purchases, has_amortised = self.seen[key]
        if has_amortised:
            return "amortized"
        return "actual" if has_purchases else "neutral"


@dataclass(frozen=True, slots=True)
class Combination:
    """Which rows of each file to keep per key, and which part to keep from the lake."""

    keep: dict[tuple[Path, RestatementKey], Part]
    carry: dict[RestatementKey, Literal["purchases", "usage"]]

    def part(self, path: Path, key: RestatementKey) -> Part:
        return self.keep.get((path, key), "all")


def combine(
    surveys: Mapping[Path, Survey], lake_amortised: Iterable[RestatementKey]
) -> Combination:
    """The combination of a delivery's files with the lake's parts; see the module doc."""
    amortised_in_lake = set(lake_amortised)
    keep: dict[tuple[Path, RestatementKey], Part] = {}
    carry: dict[RestatementKey, Literal["purchases", "usage"]] = {}
    keys = {key for survey in surveys.values() for key in survey.seen}
    for key in sorted(keys):
        kinds = {path: s.kind(key) for path, s in surveys.items() if key in s.seen}
        actual = [p for p, k in kinds.items() if k == "actual"]
        if "amortized" in kinds.values():
            neutral = [p for p, k in kinds.items() if k == "neutral"]
            if neutral and actual:
                raise IngestRefused(
                    f"{neutral[0]} has no commitment rows, so it cannot be told to be part of"
                    " the actual or of the amortized export delivered with it: ingest each"
                    " export on its own (they are combined whichever comes first)",
                    "ambiguous_azure_dataset",
                )
            for path, kind in kinds.items():
                keep[(path, key)] = (
                    "purchases" if kind == "actual" else "usage" if actual else "all"
                )
            if not actual and not any(surveys[p].seen[key][0] for p in kinds):
                carry[key] = "purchases"
        elif actual:
            if key in amortised_in_lake:
                for path, kind in kinds.items():
                    keep[(path, key)] = "purchases" if kind == "actual" else "none"
                carry[key] = "usage"
        else:
            carry[key] = "purchases"
    return Combination(keep, carry)


def kept(batch: pa.RecordBatch, part: Part) -> pa.RecordBatch:
    if part == "all":
        return batch
    if part == "none":
        return batch.slice(0, 0)
    mask = purchases(batch)
    return batch.filter(mask if part == "purchases" else pc.invert(mask))


def amortised_keys(table: Table, keys: Iterable[RestatementKey]) -> set[RestatementKey]:
    """The keys whose lake rows hold amortised commitment cost (an amortized export's)."""
    keys = set(keys)
    if not keys:
        return set()
    found: set[RestatementKey] = set()
    columns = (*RESTATEMENT_KEY, "CommitmentDiscountStatus", "EffectiveCost")
    row_filter = And(restatement_filter(keys), NotNull(term="CommitmentDiscountStatus"))
    for batch in table.scan(row_filter=row_filter, selected_fields=columns).to_arrow_batch_reader():
        found |= distinct_keys(pa.Table.from_batches([batch]).filter(amortised(batch)))
    return found


def carried(
    table: Table, key: RestatementKey, part: Literal["purchases", "usage"]
) -> Iterable[pa.RecordBatch]:
    """The lake's rows of `key`'s `part`, as FOCUS batches, to write again with a delivery."""
    rows = PURCHASE_ROWS if part == "purchases" else Not(PURCHASE_ROWS)
    scan = table.scan(row_filter=And(restatement_filter({key}), rows))
    names = focus_arrow_schema().names
    for batch in scan.to_arrow_batch_reader():
        if batch.num_rows:
            yield batch.select(names).cast(focus_arrow_schema())
