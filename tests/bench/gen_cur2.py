"""A CUR 2.0 Parquet bill of any size whose values follow the real anonymised CUR sample.

Usage lines come from the real legacy CUR sample in tests/data (MIT): each of its distinct usage
lines (product, usage type, operation, region, SKU, rates, unit, description and product
attributes, all together) is drawn as often as it occurs there; its usage amount is log-normal
around that line's own geometric mean, with the spread fitted on the sample's repeated lines; cost
is amount x rate rounded to the 10 decimals CUR writes. The sample is one small account's week of
Usage and Tax lines, so what it cannot show is added by the rules stated below: EC2 instance hours
at public on-demand prices, a share of them covered by Compute Savings Plans (covered usage,
negation, an hourly recurring fee for the commitment and what was used of it) or by
partial-upfront reservations (discounted usage, a monthly RI fee with the unused hours, one upfront
fee), linked accounts owning the resources, resource tags with the example taxonomy's keys, and
the month's tax per account and product.

Types are CUR 2.0 Parquet's as AWS documents them (../shared/data/aws/cur2_columns.csv): costs,
amounts and factors double (AWS writes binary floats), rates and ids string, dates timestamp (ms,
UTC), `product`/`resource_tags`/`cost_category` map<string, string>. Row groups are generated and
written one at a time, so memory is bounded by one group whatever the size of the bill; the file
depends only on (rows, seed).
"""

from __future__ import annotations

import argparse
import csv
import functools
import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

SAMPLE = Path(__file__).resolve().parents[1] / "data/focus/aws"
SAMPLE /= "cur_legacy_anonymized_2023-11_days01-07.csv"
ROW_GROUP_ROWS = 500_000

COLUMNS = tuple(
    """
    bill_bill_type bill_billing_entity bill_billing_period_end_date bill_billing_period_start_date
    bill_invoice_id bill_invoicing_entity bill_payer_account_id bill_payer_account_name
    cost_category discount discount_bundled_discount discount_total_discount
    identity_line_item_id identity_time_interval line_item_usage_account_name
    line_item_availability_zone line_item_blended_cost line_item_blended_rate
    line_item_currency_code line_item_legal_entity line_item_line_item_description
    line_item_line_item_type line_item_net_unblended_cost line_item_net_unblended_rate
    line_item_normalization_factor line_item_normalized_usage_amount line_item_operation
    line_item_product_code line_item_resource_id line_item_tax_type line_item_unblended_cost
    line_item_unblended_rate line_item_usage_account_id line_item_usage_amount
    line_item_usage_end_date line_item_usage_start_date line_item_usage_type pricing_currency
    pricing_lease_contract_length pricing_offering_class pricing_public_on_demand_cost
    pricing_public_on_demand_rate pricing_purchase_option pricing_rate_code pricing_rate_id
    pricing_term pricing_unit product product_comment product_fee_code product_fee_description
    product_from_location product_from_location_type product_from_region_code
    product_instancesku product_instance_family product_instance_type product_location
    product_location_type product_operation product_pricing_unit product_product_family
    product_region_code product_sku product_servicecode product_to_location_type
    product_to_location product_to_region_code product_usagetype
    reservation_amortized_upfront_cost_for_usage
    reservation_amortized_upfront_fee_for_billing_period reservation_availability_zone
    reservation_effective_cost reservation_end_time reservation_modification_status
    reservation_net_amortized_upfront_cost_for_usage
    reservation_net_amortized_upfront_fee_for_billing_period reservation_net_effective_cost
    reservation_net_recurring_fee_for_usage
    reservation_net_unused_amortized_upfront_fee_for_billing_period
    reservation_net_unused_recurring_fee reservation_net_upfront_value
    reservation_normalized_units_per_reservation reservation_number_of_reservations
    reservation_recurring_fee_for_usage reservation_reservation_a_r_n reservation_start_time
    reservation_subscription_id reservation_total_reserved_normalized_units
    reservation_total_reserved_units reservation_units_per_reservation
    reservation_unused_amortized_upfront_fee_for_billing_period
    reservation_unused_normalized_unit_quantity reservation_unused_quantity
    reservation_unused_recurring_fee reservation_upfront_value resource_tags
    savings_plan_amortized_upfront_commitment_for_billing_period savings_plan_end_time
    savings_plan_instance_type_family
    savings_plan_net_amortized_upfront_commitment_for_billing_period
    savings_plan_net_recurring_commitment_for_billing_period
    savings_plan_net_savings_plan_effective_cost savings_plan_offering_type
    savings_plan_payment_option savings_plan_purchase_term
    savings_plan_recurring_commitment_for_billing_period savings_plan_region
    savings_plan_savings_plan_a_r_n savings_plan_savings_plan_effective_cost
    savings_plan_savings_plan_rate savings_plan_start_time savings_plan_total_commitment_to_date
    savings_plan_used_commitment
    """.split()  # noqa: SIM905 (one name a line would take 114 lines)
)
"""The 113 standard columns of a CUR 2.0 export, plus line_item_resource_id (exports that
include resource ids), in the order of AWS's column dictionary."""

DOUBLES = frozenset(
    """
    discount_bundled_discount discount_total_discount line_item_blended_cost
    line_item_net_unblended_cost line_item_normalization_factor line_item_normalized_usage_amount
    line_item_unblended_cost line_item_usage_amount pricing_public_on_demand_cost
    reservation_amortized_upfront_cost_for_usage
    reservation_amortized_upfront_fee_for_billing_period reservation_effective_cost
    reservation_net_amortized_upfront_cost_for_usage
    reservation_net_amortized_upfront_fee_for_billing_period reservation_net_effective_cost
    reservation_net_recurring_fee_for_usage
    reservation_net_unused_amortized_upfront_fee_for_billing_period
    reservation_net_unused_recurring_fee reservation_net_upfront_value
    reservation_recurring_fee_for_usage
    reservation_unused_amortized_upfront_fee_for_billing_period
    reservation_unused_normalized_unit_quantity reservation_unused_quantity
    reservation_unused_recurring_fee reservation_upfront_value
    savings_plan_amortized_upfront_commitment_for_billing_period
    savings_plan_net_amortized_upfront_commitment_for_billing_period
    savings_plan_net_recurring_commitment_for_billing_period
    savings_plan_net_savings_plan_effective_cost
    savings_plan_recurring_commitment_for_billing_period savings_plan_savings_plan_effective_cost
    savings_plan_savings_plan_rate savings_plan_total_commitment_to_date
    savings_plan_used_commitment
    """.split()  # noqa: SIM905
)
TIMESTAMP = pa.timestamp("ms", tz="UTC")
TEXT_MAP = pa.map_(pa.string(), pa.string())
TYPES = {
    **dict.fromkeys(DOUBLES, pa.float64()),
    **dict.fromkeys(
        (
            "bill_billing_period_end_date",
            "bill_billing_period_start_date",
            "line_item_usage_end_date",
            "line_item_usage_start_date",
        ),
        TIMESTAMP,
    ),
    **dict.fromkeys(("cost_category", "product", "resource_tags"), TEXT_MAP),
    "discount": pa.map_(pa.string(), pa.float64()),
}
SCHEMA = pa.schema([pa.field(name, TYPES.get(name, pa.string())) for name in COLUMNS])

PERIOD_START = datetime(2023, 11, 1, tzinfo=UTC)
"""The sample's billing period."""
HOURS = 30 * 24
PERIOD_END = PERIOD_START + timedelta(hours=HOURS)
LINKED_ACCOUNTS = 11
ROWS_PER_RESOURCE = 400
COMPUTE_SHARE = 0.3
"""Of the usage rows, EC2 instance hours (the sample has none; commitments cover them)."""
SAVINGS_PLAN_SHARE = 0.4
RESERVED_SHARE = 0.2
"""Of the instance hours: covered by a Savings Plan (each also writes a negation row), or by a
reservation; the rest run on demand."""
SAVINGS_PLANS = 2
SAVINGS_PLAN_PRICE = 0.72
"""A 1-year no-upfront Compute Savings Plan's price as a share of on demand."""
RESERVATION_PRICES = (0.3, 0.3)
"""A partial-upfront reservation's amortised upfront fee and recurring fee per hour, as shares
of on demand."""
TAX_RATE = 0.13

INSTANCE_TYPES = (
    ("t3.medium", 0.0416, 2.0, "General purpose"),
    ("m5.large", 0.096, 4.0, "General purpose"),
    ("m5.xlarge", 0.192, 8.0, "General purpose"),
    ("c5.xlarge", 0.17, 8.0, "Compute optimized"),
    ("r5.large", 0.126, 4.0, "Memory optimized"),
    ("m6g.large", 0.077, 4.0, "General purpose"),
)
"""Public on-demand Linux price per hour in us-east-1, normalisation factor, family."""
EC2_REGIONS = (
    ("us-east-1", "", "US East (N. Virginia)", 1.0),
    ("us-east-2", "USE2-", "US East (Ohio)", 1.0),
    ("us-west-2", "USW2-", "US West (Oregon)", 1.0),
    ("ca-central-1", "CAN1-", "Canada (Central)", 1.1),
)
"""Region, usage-type prefix, location and price relative to us-east-1."""
ON_DEMAND_RATE_CODE = ".JRTCKXETXF.6YS6EN2CT7"
ADDED_PRODUCTS = {
    "AmazonEC2": "Amazon Elastic Compute Cloud",
    "ComputeSavingsPlans": "Savings Plans for AWS Compute usage",
}
"""Product codes of the lines the sample lacks, and their product names."""

TEAMS = ("payments", "search", "platform", "data", "ml", "security")
BUSINESS_UNITS = ("Commerce", "Discovery", "Engineering", "Analytics", "Research", "Engineering")
ENVIRONMENTS = ("prod", "staging", "dev", "sandbox")
ENVIRONMENT_WEIGHTS = (0.5, 0.2, 0.25, 0.05)
TAG_KEYS = ("user_team", "user_cost_center", "user_environment", "aws_created_by")
TAG_PRESENCE = (0.85, 0.75, 0.9, 0.3)
UNTAGGED = 0.15

HOUSE = (
    "bill_bill_type",
    "bill_billing_entity",
    "bill_invoicing_entity",
    "line_item_legal_entity",
    "line_item_currency_code",
)
"""Columns whose single value in the sample every generated row shares."""
_NOT_LINE = frozenset(
    {"line_item_line_item_type", "line_item_usage_account_id", "line_item_tax_type"}
)
"""Sample columns that do not identify a usage line."""
_KIND = {
    "Usage": 1,
    "SavingsPlanCoveredUsage": 2,
    "SavingsPlanNegation": 3,
    "DiscountedUsage": 4,
    "RIFee": 5,
    "Fee": 6,
    "SavingsPlanRecurringFee": 7,
    "Tax": 8,
}
_PLAN_COSTS = (
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_net_savings_plan_effective_cost",
)
_COSTS = ("line_item_unblended_cost", "line_item_blended_cost", "line_item_net_unblended_cost")
_RATES = ("line_item_unblended_rate", "line_item_blended_rate", "line_item_net_unblended_rate")

Part = dict[str, pa.Array]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Keys = npt.NDArray[np.uint64]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _cur2_name(header: str) -> str:
    group, attribute = header.split("/", 1)
    return f"{_snake(group)}_{_snake(attribute)}"


def _floats(text: pa.Array) -> Floats:
    """Rates as numbers (blank = 0)."""
    numbers = pc.cast(pc.if_else(pc.equal(text, ""), "0", text), pa.float64())
    return np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=np.float64)


def _text(value: object, length: int, kind: pa.DataType | None = None) -> pa.Array:
    return pa.repeat(pa.scalar(value, kind or pa.string()), length)


def _maps(entries: Sequence[Sequence[tuple[str, str]]]) -> pa.Array:
    return pa.array([list(e) for e in entries], TEXT_MAP)


def _costs(cost: Floats | pa.Array) -> Part:
    """Unblended, blended and net unblended cost (equal: one payer, no discounts)."""
    return dict.fromkeys(_COSTS, pa.array(cost, pa.float64()))


@dataclass(frozen=True, slots=True)
class Lines:
    """Kinds of usage line: their CUR columns (one value per line), how often each occurs, and
    its usage amount's distribution (log-normal around the line's geometric mean)."""

    columns: Part
    weight: Floats
    log_mean: Floats
    log_sigma: float
    whole: npt.NDArray[np.bool_]
    rate: Floats
    public_rate: Floats

    def __len__(self) -> int:
        return len(self.weight)

    def draw(self, rng: np.random.Generator, count: int) -> Ints:
        return rng.choice(len(self), size=count, p=self.weight)

    def amounts(self, rng: np.random.Generator, line: Ints) -> Floats:
        amount = np.exp(rng.normal(self.log_mean[line], self.log_sigma))
        return np.where(self.whole[line], np.maximum(np.round(amount), 1.0), np.round(amount, 10))

    def text(self, name: str) -> list[str]:
        return [v or "" for v in self.columns[name].to_pylist()]


@dataclass(frozen=True, slots=True)
class Sample:
    """What the generator learns from the real sample."""

    usage: Lines
    house: dict[str, str]
    payer: str
    tax_type: str
    product_names: dict[str, str]
    region_counts: dict[str, int]


def learn(sample: Path = SAMPLE) -> Sample:
    """The sample's distinct usage lines, their frequencies and fitted amount spreads."""
    with sample.open(newline="") as handle:
        header = next(csv.reader(handle))
    table = pacsv.read_csv(
        sample,
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
        ),
    )
    names = {h: _cur2_name(h) for h in header}
    kind = table["lineItem/LineItemType"]
    usage = table.filter(pc.equal(kind, "Usage"))
    amount = pc.cast(usage["lineItem/UsageAmount"], pa.float64())
    usage = usage.append_column("log_amount", pc.ln(amount))
    usage = usage.append_column("whole", pc.equal(pc.floor(amount), amount))
    dedicated = [
        h
        for h, name in names.items()
        if TYPES.get(name, pa.string()) == pa.string()
        and name.startswith(("line_item_", "pricing_", "product_"))
        and name in COLUMNS
        and name not in (*HOUSE, *_NOT_LINE)
    ]
    attributes = [
        h for h, name in names.items() if h.startswith("product/") and name not in COLUMNS
    ]
    grouped = usage.group_by(dedicated + attributes, use_threads=False).aggregate(
        [
            ("log_amount", "mean"),
            ("log_amount", "count"),
            ("log_amount", "variance", pc.VarianceOptions(ddof=1)),
            ("whole", "all"),
        ]
    )
    count = grouped["log_amount_count"].to_numpy().astype(np.float64)
    variance = np.nan_to_num(grouped["log_amount_variance"].to_numpy(zero_copy_only=False))
    repeats = count - 1
    columns = {
        names[h]: pc.if_else(pc.equal(grouped[h], ""), pa.scalar(None, pa.string()), grouped[h])
        for h in dedicated
    }
    columns = {name: values.combine_chunks() for name, values in columns.items()}
    columns["line_item_net_unblended_rate"] = columns["line_item_unblended_rate"]
    columns["product"] = _maps(
        [
            [(_snake(h.split("/", 1)[1]), value) for h in attributes if (value := row[h])]
            for row in grouped.select(attributes).to_pylist()
        ]
    )
    first = table.slice(0, 1).to_pylist()[0]
    regions = pc.value_counts(usage["product/regionCode"]).to_pylist()
    return Sample(
        usage=Lines(
            columns=columns,
            weight=count / count.sum(),
            log_mean=grouped["log_amount_mean"].to_numpy(),
            log_sigma=float(np.sqrt((variance * repeats).sum() / repeats.sum())),
            whole=grouped["whole_all"].to_numpy(zero_copy_only=False),
            rate=_floats(grouped["lineItem/UnblendedRate"]),
            public_rate=_floats(grouped["pricing/publicOnDemandRate"]),
        ),
        house={name: first[h] for h, name in names.items() if name in HOUSE},
        payer=first["bill/PayerAccountId"],
        tax_type=table.filter(pc.equal(kind, "Tax"))["lineItem/TaxType"][0].as_py(),
        product_names=dict(
            zip(
                table["lineItem/ProductCode"].to_pylist(),
                table["product/ProductName"].to_pylist(),
                strict=True,
            ),
            **ADDED_PRODUCTS,
        ),
        region_counts={r["values"]: r["counts"] for r in regions},
    )


def _sku(*parts: str) -> str:
    """A stable SKU-shaped id (16 characters) for a line the sample does not have."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=16).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest)


def ec2_lines(sample: Sample) -> tuple[Lines, Floats]:
    """One line per instance type and region, weighted by the sample's region frequencies; one
    instance hour each. Also each line's normalisation factor."""
    records: list[dict[str, str]] = []
    weights: list[float] = []
    factors: list[float] = []
    for region, prefix, location, price_factor in EC2_REGIONS:
        for instance, price, factor, family in INSTANCE_TYPES:
            rate = f"{round(price * price_factor, 6)}"
            usage_type = f"{prefix}BoxUsage:{instance}"
            sku = _sku(instance, region)
            records.append(
                {
                    "line_item_product_code": "AmazonEC2",
                    "line_item_usage_type": usage_type,
                    "line_item_operation": "RunInstances",
                    "line_item_line_item_description": (
                        f"${rate} per On Demand Linux {instance} Instance Hour"
                    ),
                    **dict.fromkeys((*_RATES, "pricing_public_on_demand_rate"), rate),
                    "pricing_rate_code": sku + ON_DEMAND_RATE_CODE,
                    "pricing_currency": "USD",
                    "pricing_term": "OnDemand",
                    "pricing_unit": "Hrs",
                    "product_pricing_unit": "Hrs",
                    "product_product_family": "Compute Instance",
                    "product_servicecode": "AmazonEC2",
                    "product_sku": sku,
                    "product_usagetype": usage_type,
                    "product_operation": "RunInstances",
                    "product_location": location,
                    "product_location_type": "AWS Region",
                    "product_region_code": region,
                    "product_instance_type": instance,
                    "product_instance_family": family,
                }
            )
            weights.append(sample.region_counts.get(region, 1))
            factors.append(factor)
    table = pa.Table.from_pylist(records)
    columns = {name: table[name].combine_chunks() for name in table.column_names}
    columns["product"] = _maps(
        [
            [
                ("product_name", ADDED_PRODUCTS["AmazonEC2"]),
                ("operating_system", "Linux"),
                ("tenancy", "Shared"),
                ("region", r["product_region_code"]),
            ]
            for r in records
        ]
    )
    weight = np.array(weights, dtype=np.float64)
    prices = _floats(columns["line_item_unblended_rate"])
    lines = Lines(
        columns=columns,
        weight=weight / weight.sum(),
        log_mean=np.zeros(len(records)),
        log_sigma=0.0,
        whole=np.ones(len(records), dtype=np.bool_),
        rate=prices,
        public_rate=prices,
    )
    return lines, np.array(factors)


@dataclass(frozen=True, slots=True)
class Accounts:
    """The payer (index 0, as in the sample) and its linked accounts."""

    ids: pa.Array
    names: pa.Array
    cost_categories: pa.Array

    def __len__(self) -> int:
        return len(self.ids)

    def owners(self, rng: np.random.Generator, count: int) -> Ints:
        """Zipf-distributed owners: a few accounts own most resources."""
        weight = 1.0 / np.arange(1, len(self) + 1)
        return rng.choice(len(self), size=count, p=weight / weight.sum())

    def columns(self, owner: Ints) -> Part:
        return {
            "line_item_usage_account_id": self.ids.take(owner),
            "line_item_usage_account_name": self.names.take(owner),
            "cost_category": self.cost_categories.take(owner),
        }


def _accounts(rng: np.random.Generator, payer: str) -> Accounts:
    linked = range(LINKED_ACCOUNTS)
    return Accounts(
        pa.array([payer, *(str(v) for v in rng.integers(10**11, 10**12, LINKED_ACCOUNTS))]),
        pa.array(["management", *(f"{TEAMS[i % 6]}-{('prod', 'dev')[i // 6]}" for i in linked)]),
        _maps([[], *([("business_unit", BUSINESS_UNITS[i % 6])] for i in linked)]),
    )


@dataclass(frozen=True, slots=True)
class Resources:
    """Resources: id, owning account, tags, availability zone."""

    ids: pa.Array
    owner: Ints
    tags: pa.Array
    zone: pa.Array


def _tags(rng: np.random.Generator, count: int) -> pa.Array:
    """Resource tags, mostly consistent per team; some resources untagged or partly tagged."""
    team = rng.integers(0, len(TEAMS), count)
    center = np.where(rng.random(count) < 0.9, team, rng.integers(0, len(TEAMS), count))
    environment = rng.choice(len(ENVIRONMENTS), count, p=ENVIRONMENT_WEIGHTS)
    values = np.stack(
        [
            np.array(TEAMS)[team],
            np.char.add("CC-", (1001 + 100 * center).astype(str)),
            np.array(ENVIRONMENTS)[environment],
            np.char.add("IAMUser:AIDA:", np.array(TEAMS)[team]),
        ],
        axis=1,
    )
    present = rng.random((count, len(TAG_KEYS))) < np.array(TAG_PRESENCE)
    present[rng.random(count) < UNTAGGED] = False
    offsets = np.zeros(count + 1, dtype=np.int32)
    np.cumsum(present.sum(axis=1), out=offsets[1:])
    keys = np.broadcast_to(np.array(TAG_KEYS), present.shape)[present]
    return pa.MapArray.from_arrays(
        pa.array(offsets), pa.array(keys), pa.array(values[present]), type=TEXT_MAP
    )


def _hex(rng: np.random.Generator, count: int) -> list[str]:
    return [f"{v:016x}" for v in rng.integers(0, 1 << 63, count, dtype=np.int64)]


def _uuids(rng: np.random.Generator, count: int) -> list[str]:
    return [
        f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        for h in map("".join, zip(_hex(rng, count), _hex(rng, count), strict=True))
    ]


def _resource_id(code: str, region: str, account: str, serial: int) -> str:
    if code == "AmazonS3":
        return f"{account}-data-{serial:05d}"
    service = re.sub(r"^(aws|amazon)", "", code.lower()) or code.lower()
    return f"arn:aws:{service}:{region or 'us-east-1'}:{account}:{service}/{serial:05d}"


@dataclass(frozen=True, slots=True)
class Pools:
    """Resources of the sample's lines: a pool per product and region, sized by how often its
    lines occur; a line's rows fall on its pool's resources, a few of them most often."""

    resources: Resources
    start: Ints
    size: Ints

    def draw(self, rng: np.random.Generator, line: Ints) -> Ints:
        return self.start[line] + (self.size[line] * rng.random(len(line)) ** 2).astype(np.int64)


def _pools(rng: np.random.Generator, lines: Lines, accounts: Accounts, rows: int) -> Pools:
    keys = list(
        zip(lines.text("line_item_product_code"), lines.text("product_region_code"), strict=True)
    )
    groups = sorted(set(keys))
    group_of_line = np.array([groups.index(key) for key in keys])
    share = np.bincount(group_of_line, weights=lines.weight, minlength=len(groups))
    total = max(rows * (1 - COMPUTE_SHARE) / ROWS_PER_RESOURCE, len(groups))
    sizes = np.maximum(np.round(share * total), 1).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    owner = accounts.owners(rng, int(sizes.sum()))
    account_ids = accounts.ids.to_pylist()
    ids = [
        _resource_id(code, region, account_ids[owner[start + n]], n)
        for (code, region), start, size in zip(groups, starts, sizes, strict=True)
        for n in range(size)
    ]
    resources = Resources(
        pa.array(ids), owner, _tags(rng, len(ids)), pa.nulls(len(ids), pa.string())
    )
    return Pools(resources, starts[group_of_line], sizes[group_of_line])


@dataclass(frozen=True, slots=True)
class Fleet:
    """EC2 instances that run all month, each of one instance type and region (an EC2 line);
    every third line has a reservation, and the Savings Plans cover any instance."""

    resources: Resources
    line: Ints
    reservation_of_line: Ints
    reservation_line: Ints
    reservation_arns: list[str]
    plan_arns: list[str]

    @property
    def reserved(self) -> Ints:
        """The instances a reservation can cover."""
        return np.flatnonzero(self.reservation_of_line[self.line] >= 0)


def _fleet(rng: np.random.Generator, ec2: Lines, accounts: Accounts, rows: int) -> Fleet:
    count = max(round(rows * COMPUTE_SHARE / HOURS), len(ec2))
    line = ec2.draw(rng, count)
    regions = np.array(ec2.text("product_region_code"))
    zones = np.char.add(regions[line], rng.choice(np.array(["a", "b", "c"]), count))
    reservation_line = np.arange(0, len(ec2), 3)
    reservation_of_line = np.full(len(ec2), -1)
    reservation_of_line[reservation_line] = np.arange(len(reservation_line))
    payer = accounts.ids[0].as_py()
    return Fleet(
        resources=Resources(
            pa.array([f"i-0{h[1:]}" for h in _hex(rng, count)]),
            accounts.owners(rng, count),
            _tags(rng, count),
            pa.array(zones),
        ),
        line=line,
        reservation_of_line=reservation_of_line,
        reservation_line=reservation_line,
        reservation_arns=[
            f"arn:aws:ec2:{regions[n]}:{payer}:reserved-instances/{uid}"
            for n, uid in zip(reservation_line, _uuids(rng, len(reservation_line)), strict=True)
        ],
        plan_arns=[
            f"arn:aws:savingsplans::{payer}:savingsplan/{uid}" for uid in _uuids(rng, SAVINGS_PLANS)
        ],
    )


_BASE32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)
_GOLDEN = 0x9E3779B97F4A7C15


def _mix(x: Keys) -> Keys:
    """splitmix64's finaliser: a well-spread 64-bit hash of each key."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def line_item_ids(keys: Keys) -> pa.Array:
    """52-character base32 ids, one per key: a line keeps its id across hours, as CUR's
    identity_line_item_id does."""
    chars = np.empty((len(keys), 52), dtype=np.uint8)
    for column in range(52):
        block, position = divmod(column, 12)
        bits = _mix(keys + np.uint64(block * _GOLDEN % (1 << 64)))
        chars[:, column] = _BASE32[(bits >> np.uint64(5 * position)) & np.uint64(31)]
    return pa.array(chars.view("S52").ravel()).cast(pa.string())


def _keys(kind: str, line: Ints, serial: Ints) -> Keys:
    return (
        (np.uint64(_KIND[kind]) << np.uint64(56))
        | (line.astype(np.uint64) << np.uint64(32))
        | serial.astype(np.uint64)
    )


@functools.cache
def _hour_names() -> pa.Array:
    moments = [PERIOD_START + timedelta(hours=h) for h in range(HOURS + 1)]
    return pa.array([m.strftime("%Y-%m-%dT%H:%M:%SZ") for m in moments])


def _stamps(start: Ints, hours: int) -> Part:
    """Usage start/end and identity_time_interval of rows from hour `start` for `hours`."""
    end = start + hours
    base = int(PERIOD_START.timestamp()) * 1000
    names = _hour_names()
    return {
        "line_item_usage_start_date": pa.array(base + start * 3_600_000, pa.int64()).cast(
            TIMESTAMP
        ),
        "line_item_usage_end_date": pa.array(base + end * 3_600_000, pa.int64()).cast(TIMESTAMP),
        "identity_time_interval": pc.binary_join_element_wise(
            names.take(start), names.take(end), "/"
        ),
    }


@dataclass(frozen=True, slots=True)
class Rows:
    """Generated rows; who is billed for which product (the tax base), and from which hour."""

    columns: Part
    owner: Ints
    product: Ints
    hour: Ints


class Bill:
    """One payer's month: accounts, resources and commitments, and the rows they produce.

    Usage rows are generated group by group; what the month's closing rows (fees, tax) need
    from them is accumulated as they are: cost per account and product, Savings Plan use and
    reserved hours per hour.
    """

    def __init__(self, sample: Sample, rng: np.random.Generator, rows: int) -> None:
        self.sample = sample
        self.rng = rng
        self.ec2, self.factors = ec2_lines(sample)
        self.products = sorted({*sample.usage.text("line_item_product_code"), *ADDED_PRODUCTS})
        self.accounts = _accounts(rng, sample.payer)
        self.pools = _pools(rng, sample.usage, self.accounts, rows)
        self.fleet = _fleet(rng, self.ec2, self.accounts, rows)
        reservations = len(self.fleet.reservation_arns)
        self.billed = np.zeros(len(self.accounts) * len(self.products))
        self.plan_used = np.zeros(SAVINGS_PLANS * HOURS)
        self.reserved_hours = np.zeros(reservations * HOURS)
        rate = self.ec2.rate[self.fleet.reservation_line]
        self.upfront = np.round(rate * RESERVATION_PRICES[0], 6)
        self.recurring = np.round(rate * RESERVATION_PRICES[1], 6)
        self.closing_rows = (
            reservations + 1 + SAVINGS_PLANS * HOURS + len(self.accounts) * len(self.products)
        )

    def _product(self, codes: Sequence[str]) -> Ints:
        return np.searchsorted(self.products, codes)

    def _common(self, count: int, bill_type: str | None = None) -> Part:
        house = self.sample.house | ({"bill_bill_type": bill_type} if bill_type else {})
        return {name: _text(house[name], count) for name in HOUSE} | {
            "bill_payer_account_id": _text(self.accounts.ids[0].as_py(), count),
            "bill_payer_account_name": _text(self.accounts.names[0].as_py(), count),
            "bill_billing_period_start_date": _text(PERIOD_START, count, TIMESTAMP),
            "bill_billing_period_end_date": _text(PERIOD_END, count, TIMESTAMP),
        }

    def _line_rows(
        self, lines: Lines, line: Ints, resources: Resources, resource: Ints, kind: str
    ) -> Rows:
        """Rows of `lines` on `resources` at random hours of the month."""
        count = len(line)
        owner = resources.owner[resource]
        amount = lines.amounts(self.rng, line)
        cost = np.round(amount * lines.rate[line], 10)
        columns = {name: values.take(line) for name, values in lines.columns.items()}
        columns |= self._common(count) | self.accounts.columns(owner)
        hour = self.rng.integers(0, HOURS, count)
        columns |= _stamps(hour, 1) | _costs(cost)
        columns |= {
            "identity_line_item_id": line_item_ids(_keys(kind, line, resource)),
            "line_item_line_item_type": _text(kind, count),
            "line_item_resource_id": resources.ids.take(resource),
            "line_item_availability_zone": resources.zone.take(resource),
            "resource_tags": resources.tags.take(resource),
            "line_item_usage_amount": pa.array(amount),
            "pricing_public_on_demand_cost": pa.array(
                np.round(amount * lines.public_rate[line], 10)
            ),
        }
        product = self._product(lines.text("line_item_product_code"))[line]
        return Rows(columns, owner, product, hour)

    def _sample_usage(self, count: int) -> Rows:
        line = self.sample.usage.draw(self.rng, count)
        resource = self.pools.draw(self.rng, line)
        return self._line_rows(self.sample.usage, line, self.pools.resources, resource, "Usage")

    def _instance_hours(self, instance: Ints, kind: str) -> Rows:
        line = self.fleet.line[instance]
        rows = self._line_rows(self.ec2, line, self.fleet.resources, instance, kind)
        rows.columns["line_item_normalization_factor"] = pa.array(self.factors[line])
        rows.columns["line_item_normalized_usage_amount"] = pa.array(self.factors[line])
        return rows

    def _on_demand(self, count: int) -> Rows:
        return self._instance_hours(self.rng.integers(0, len(self.fleet.line), count), "Usage")

    def _savings_plan(self, count: int) -> list[Rows]:
        """Covered instance hours, and their negations (which cancel the on-demand cost)."""
        instance = self.rng.integers(0, len(self.fleet.line), count)
        covered = self._instance_hours(instance, "SavingsPlanCoveredUsage")
        plan = covered.owner % SAVINGS_PLANS
        rate = np.round(self.ec2.rate[self.fleet.line[instance]] * SAVINGS_PLAN_PRICE, 6)
        effective = np.round(covered.columns["line_item_usage_amount"].to_numpy() * rate, 10)
        self.plan_used += np.bincount(plan * HOURS + covered.hour, effective, len(self.plan_used))
        plans = {
            "savings_plan_savings_plan_a_r_n": pa.array(self.fleet.plan_arns).take(plan),
            "savings_plan_savings_plan_rate": pa.array(rate),
        }
        negation = {k: v for k, v in covered.columns.items() if k not in _PLAN_COSTS} | plans
        covered.columns.update(plans | dict.fromkeys(_PLAN_COSTS, pa.array(effective)))
        negation |= _costs(pc.negate(covered.columns["line_item_unblended_cost"])) | {
            "identity_line_item_id": line_item_ids(
                _keys("SavingsPlanNegation", self.fleet.line[instance], instance)
            ),
            "line_item_line_item_type": _text("SavingsPlanNegation", count),
            "line_item_line_item_description": pc.binary_join_element_wise(
                "SavingsPlanNegation used by AccountId : ",
                covered.columns["line_item_usage_account_id"],
                " and UsageSku : ",
                covered.columns["product_sku"],
                "",
            ),
        }
        return [covered, Rows(negation, covered.owner, covered.product, covered.hour)]

    def _reserved(self, count: int) -> Rows:
        """Instance hours a reservation covers: no unblended cost, an amortised effective cost."""
        instance = self.rng.choice(self.fleet.reserved, count)
        rows = self._instance_hours(instance, "DiscountedUsage")
        reservation = self.fleet.reservation_of_line[self.fleet.line[instance]]
        self.reserved_hours += np.bincount(
            reservation * HOURS + rows.hour, minlength=len(self.reserved_hours)
        )
        upfront, recurring = self.upfront[reservation], self.recurring[reservation]
        instance_types = np.array(self.ec2.text("product_instance_type"))
        description = np.char.add(
            np.char.add("USD ", recurring.astype(str)),
            np.char.add(
                " hourly fee per Linux/UNIX (Amazon VPC), ",
                instance_types[self.fleet.line[instance]],
            ),
        )
        rows.columns.update(
            _costs(np.zeros(count))
            | dict.fromkeys(_RATES, _text("0.0", count))
            | {
                "line_item_line_item_description": pa.array(np.char.add(description, " instance")),
                "reservation_reservation_a_r_n": pa.array(self.fleet.reservation_arns).take(
                    reservation
                ),
                "reservation_effective_cost": pa.array(upfront + recurring),
                "reservation_net_effective_cost": pa.array(upfront + recurring),
                "reservation_amortized_upfront_cost_for_usage": pa.array(upfront),
                "reservation_net_amortized_upfront_cost_for_usage": pa.array(upfront),
                "reservation_recurring_fee_for_usage": pa.array(recurring),
                "reservation_net_recurring_fee_for_usage": pa.array(recurring),
                "pricing_term": _text("Reserved", count),
                "pricing_lease_contract_length": _text("1yr", count),
                "pricing_offering_class": _text("standard", count),
                "pricing_purchase_option": _text("Partial Upfront", count),
            }
        )
        return rows

    def usage_group(self, count: int) -> list[Part]:
        """`count` usage rows in the shares this module states."""
        compute = round(count * COMPUTE_SHARE)
        pairs = round(compute * SAVINGS_PLAN_SHARE / 2)
        reserved = round(compute * RESERVED_SHARE)
        rows = [
            self._sample_usage(count - compute),
            self._on_demand(compute - 2 * pairs - reserved),
            *self._savings_plan(pairs),
            self._reserved(reserved),
        ]
        return [self._billed(r) for r in rows]

    def _billed(self, rows: Rows) -> Part:
        cost = rows.columns["line_item_unblended_cost"].to_numpy(zero_copy_only=False)
        index = rows.owner * len(self.products) + rows.product
        self.billed += np.bincount(index, cost, len(self.billed))
        return rows.columns

    def closing(self) -> list[Part]:
        """The month's reservation fees, reservation purchase and Savings Plan fees, then the
        tax on everything billed."""
        parts = [
            self._billed(r)
            for r in (self._reservation_fees(), self._reservation_purchase(), self._plan_fees())
        ]
        return [*parts, self._taxes()]

    def _closing_rows(
        self,
        kind: str,
        product: str,
        cost: Floats,
        columns: Part,
        *,
        hour: Ints | None = None,
        bill_type: str | None = None,
    ) -> Rows:
        """Rows billed to the payer: monthly, or hourly from `hour`."""
        count = len(cost)
        payer = np.zeros(count, dtype=np.int64)
        name = self.sample.product_names.get(product, product)
        start = payer if hour is None else hour
        stamps = _stamps(start, HOURS if hour is None else 1)
        base = self._common(count, bill_type) | self.accounts.columns(payer) | stamps
        return Rows(
            base
            | _costs(cost)
            | {
                "identity_line_item_id": line_item_ids(_keys(kind, payer, np.arange(count))),
                "line_item_line_item_type": _text(kind, count),
                "line_item_product_code": _text(product, count),
                "line_item_usage_amount": pa.array(np.ones(count)),
                "product": _maps([[("product_name", name)]]).take(payer),
            }
            | columns,
            payer,
            self._product([product] * count),
            start,
        )

    def _reservation_fees(self) -> Rows:
        """One RIFee per reservation: the month's recurring fee, and its unused hours."""
        used = self.reserved_hours.reshape(len(self.fleet.reservation_arns), HOURS)
        units = np.maximum(used.max(axis=1), 1.0)
        unused = units * HOURS - used.sum(axis=1)
        lines = self.fleet.reservation_line
        arns = pa.array(self.fleet.reservation_arns)
        usage_types = pa.array(self.ec2.text("line_item_usage_type")).take(lines)
        instance_types = pa.array(self.ec2.text("product_instance_type")).take(lines)
        recurring = pa.array(self.recurring).cast(pa.string())
        return self._closing_rows(
            "RIFee",
            "AmazonEC2",
            np.round(self.recurring * units * HOURS, 10),
            {
                "line_item_usage_amount": pa.array(units * HOURS),
                "line_item_usage_type": pc.replace_substring(usage_types, "Box", "Heavy"),
                "line_item_operation": _text("RunInstances", len(units)),
                "line_item_line_item_description": pc.binary_join_element_wise(
                    "USD ",
                    recurring,
                    " hourly fee per Linux/UNIX (Amazon VPC), ",
                    instance_types,
                    " instance",
                    "",
                ),
                "line_item_resource_id": arns,
                "line_item_unblended_rate": recurring,
                "pricing_unit": _text("Hrs", len(units)),
                "reservation_reservation_a_r_n": arns,
                "reservation_number_of_reservations": pa.array(units)
                .cast(pa.int64())
                .cast(pa.string()),
                "reservation_amortized_upfront_fee_for_billing_period": pa.array(
                    np.round(self.upfront * units * HOURS, 10)
                ),
                "reservation_unused_quantity": pa.array(unused),
                "reservation_unused_amortized_upfront_fee_for_billing_period": pa.array(
                    np.round(self.upfront * unused, 10)
                ),
                "reservation_unused_recurring_fee": pa.array(np.round(self.recurring * unused, 10)),
                "reservation_upfront_value": pa.array(np.round(self.upfront * units * 8760, 2)),
                "reservation_start_time": _text("2023-11-01T00:00:00.000Z", len(units)),
                "reservation_end_time": _text("2024-10-31T23:59:59.000Z", len(units)),
            },
        )

    def _reservation_purchase(self) -> Rows:
        """The first reservation was bought this month: its upfront fee (a Purchase bill)."""
        units = max(float(self.reserved_hours[:HOURS].max()), 1.0)
        arn = self.fleet.reservation_arns[0]
        return self._closing_rows(
            "Fee",
            "AmazonEC2",
            np.array([round(float(self.upfront[0]) * units * 8760, 2)]),
            {
                "line_item_line_item_description": _text(
                    f"Sign up charge for subscription: {arn.rsplit('/', 1)[-1]}", 1
                ),
                "line_item_resource_id": pa.array([arn]),
                "reservation_reservation_a_r_n": pa.array([arn]),
            },
            bill_type="Purchase",
        )

    def _plan_fees(self) -> Rows:
        """Hourly recurring fee per Savings Plan: its commitment, and what usage used of it."""
        used = np.round(self.plan_used.reshape(SAVINGS_PLANS, HOURS), 10)
        commitment = np.ceil(used.max(axis=1) * 102) / 100
        plan = np.repeat(np.arange(SAVINGS_PLANS), HOURS)
        cost = commitment[plan]
        count = len(cost)
        arns = pa.array(self.fleet.plan_arns).take(plan)
        return self._closing_rows(
            "SavingsPlanRecurringFee",
            "ComputeSavingsPlans",
            cost,
            {
                "line_item_usage_type": _text("ComputeSP:1yrNoUpfront", count),
                "line_item_line_item_description": _text(
                    "1 year No Upfront Compute Savings Plan", count
                ),
                "line_item_unblended_rate": pa.array(cost).cast(pa.string()),
                "line_item_resource_id": arns,
                "savings_plan_savings_plan_a_r_n": arns,
                "savings_plan_total_commitment_to_date": pa.array(cost),
                "savings_plan_recurring_commitment_for_billing_period": pa.array(cost),
                "savings_plan_net_recurring_commitment_for_billing_period": pa.array(cost),
                "savings_plan_amortized_upfront_commitment_for_billing_period": pa.array(
                    np.zeros(count)
                ),
                "savings_plan_used_commitment": pa.array(used.ravel()),
                "savings_plan_offering_type": _text("ComputeSavingsPlans", count),
                "savings_plan_payment_option": _text("No Upfront", count),
                "savings_plan_purchase_term": _text("1yr", count),
                "savings_plan_start_time": _text("2023-06-01T00:00:00.000Z", count),
                "savings_plan_end_time": _text("2024-05-31T23:59:59.000Z", count),
            },
            hour=np.tile(np.arange(HOURS), SAVINGS_PLANS),
        )

    def _taxes(self) -> Part:
        """The month's tax per account and product (zero where nothing was billed)."""
        owner = np.repeat(np.arange(len(self.accounts)), len(self.products))
        product = np.tile(np.arange(len(self.products)), len(self.accounts))
        count = len(owner)
        codes = pa.array(self.products).take(product)
        names = [self.sample.product_names.get(p, p) for p in self.products]
        return (
            self._common(count)
            | self.accounts.columns(owner)
            | _stamps(np.zeros(count, dtype=np.int64), HOURS)
            | _costs(np.round(np.maximum(self.billed, 0.0) * TAX_RATE, 2))
            | {
                "identity_line_item_id": line_item_ids(_keys("Tax", owner, product)),
                "line_item_line_item_type": _text("Tax", count),
                "line_item_product_code": codes,
                "line_item_line_item_description": pc.binary_join_element_wise(
                    "Tax for product code ", codes, ""
                ),
                "line_item_tax_type": _text(self.sample.tax_type, count),
                "line_item_usage_amount": pa.array(np.ones(count)),
                "product": _maps([[("product_name", n)] for n in names]).take(product),
            }
        )


def _table(parts: Sequence[Part]) -> pa.Table:
    """The parts as one table of SCHEMA (a column a part lacks is null in its rows)."""
    lengths = [len(part["line_item_line_item_type"]) for part in parts]
    columns = [
        pa.chunked_array(
            [
                part[f.name] if f.name in part else pa.nulls(length, f.type)
                for part, length in zip(parts, lengths, strict=True)
            ],
            f.type,
        )
        for f in SCHEMA
    ]
    return pa.Table.from_arrays(columns, schema=SCHEMA)


def generate(path: Path, rows: int, seed: int, *, row_group_rows: int = ROW_GROUP_ROWS) -> None:
    """Write a `rows`-row CUR 2.0 Parquet bill to `path`, one row group at a time; the month's
    closing rows (fees, tax) end the last group."""
    bill = Bill(learn(), np.random.default_rng(seed), rows)
    usage_rows = rows - bill.closing_rows
    if usage_rows < bill.closing_rows:
        raise ValueError(f"a bill needs at least {2 * bill.closing_rows} rows, not {rows}")
    sizes = [row_group_rows] * (usage_rows // row_group_rows)
    if usage_rows % row_group_rows:
        sizes.append(usage_rows % row_group_rows)
    with pq.ParquetWriter(path, SCHEMA) as writer:
        for index, size in enumerate(sizes, start=1):
            parts = bill.usage_group(size)
            if index == len(sizes):
                parts += bill.closing()
            table = _table(parts)
            writer.write_table(table, row_group_size=table.num_rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a CUR 2.0 Parquet bill for benchmarks.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    generate(args.out, args.rows, args.seed)
    elapsed = time.perf_counter() - started
    megabytes = args.out.stat().st_size / 2**20
    print(f"{args.rows} rows, {megabytes:.1f} MiB, {elapsed:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()
