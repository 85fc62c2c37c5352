"""Distribute the claimed group totals step by step, in integer minor units.

Each (period, currency) is settled on its own. Its claimed totals are rounded once to minor
units with largest remainder (so they add up to the rounded bill total), and from then on
every split is an integer apportionment: a pool of N cents always becomes parts that add up
to N cents. Conservation therefore holds by construction, whatever the rules. The odd cent
of a split goes to the largest remainder; on a tie, to the target listed first (even, fixed)
or first by name (consumers found in data), so the same input always gives the same cents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fnmatch import fnmatchcase

import pyarrow as pa

from costplane.billing.allocation.errors import AllocationError, AllocationWarning
from costplane.billing.allocation.metrics import Weights, file_weights, opencost_weights
from costplane.billing.allocation.result import (
    UNALLOCATED,
    Allocation,
    ChargebackLine,
    Share,
    SourceTotal,
)
from costplane.billing.allocation.rules import (
    ByValue,
    CostMetric,
    Direct,
    Even,
    FileMetric,
    Filter,
    Fixed,
    LakeMetric,
    OpenCostMetric,
    Proportional,
    Rule,
    RuleSet,
)
from costplane.billing.allocation.select import UNCLAIMED, Claims, Scan, lake_metrics
from costplane.domain.money import apportion, from_minor, round_preserving_total

FALLBACK_RULE = "(fallback)"
UNCLAIMED_RULE = "(unclaimed)"
RATIO = Decimal("1e-12")
"""Precision of the recorded split ratio (metadata; the amounts themselves are exact)."""


def allocate(rules: RuleSet, batches: Iterable[pa.RecordBatch]) -> Allocation:
    """Allocate every period and currency found in `batches` (FOCUS record batches)."""
    return settle(rules, Scan(rules).add_all(batches))


@dataclass(frozen=True, slots=True)
class _Part:
    cost_object: str
    units: int
    method: str
    share: Share | None = None


@dataclass(slots=True)
class _Held:
    units: int
    step: str
    method: str
    share: Share | None


def settle(rules: RuleSet, claims: Claims) -> Allocation:
    """Turn the scan's group totals into chargeback lines; raises on overlapping rules."""
    warnings = _overlap_warnings(rules, claims) + _idle_rule_warnings(rules, claims)
    groups: dict[tuple[date, str], dict[tuple[int, str | None], Decimal]] = defaultdict(dict)
    for (period, currency, rule, key), amount in claims.pools.items():
        groups[(period, currency)][(rule, key)] = amount
    external = _ExternalWeights()
    lines: list[ChargebackLine] = []
    sources: list[SourceTotal] = []
    for (period, currency), pools in sorted(groups.items()):
        ledger = _Ledger(rules, claims, period, currency, external)
        exact = sum(pools.values(), Decimal(0))
        ledger.run(pools)
        lines += ledger.lines()
        warnings += ledger.warnings
        sources.append(SourceTotal(period, currency, exact, from_minor(ledger.total, currency)))
    return Allocation(
        rules.name, rules.cost_column, lines, sources, claims.rows, list(dict.fromkeys(warnings))
    )


def _idle_rule_warnings(rules: RuleSet, claims: Claims) -> list[AllocationWarning]:
    """A select rule naming exact values that claims no line: a value may be misspelt
    (`Netwroking`). Rules that only ask for a tag's presence (`*`) may well select nothing
    in some periods, and stay quiet."""
    if not claims.rows:
        return []
    claimed = {rule for _, _, rule, _ in claims.pools}
    selectors = [r for r in rules.rules if r.select is not None]
    return [
        AllocationWarning(
            "selects_nothing",
            f"rule {rule.name!r} selects no bill line of the period; check the values it "
            f"names: {', '.join(named)}",
            rule.name,
        )
        for index, rule in enumerate(selectors)
        if index not in claimed and rule.select and (named := _named_values(rule.select))
    ]


def _named_values(select: Filter) -> list[str]:
    """`column=value` and `tag:key=value` conditions of a filter (not its exclusions)."""
    named = [f"{column}={'|'.join(values)}" for column, values in select.where.items()]
    return named + [
        f"tag:{key}={'|'.join(values)}" for key, values in select.tags.items() if values != "*"
    ]


def _overlap_warnings(rules: RuleSet, claims: Claims) -> list[AllocationWarning]:
    if not claims.overlaps:
        return []
    selectors = [r.name for r in rules.rules if r.select is not None]
    detail = "; ".join(
        f"{selectors[first]!r} and {selectors[second]!r} both select {rows} line(s) "
        f"costing {cost.normalize():f} {currency}"
        for (first, second, currency), (rows, cost) in sorted(claims.overlaps.items())
    )
    if rules.overlap == "error":
        raise AllocationError(
            "overlapping_rules",
            f"rules overlap: {detail}. Narrow them (e.g. with `exclude`) or set "
            "`overlap: first-match`",
        )
    return [AllocationWarning("overlapping_rules", f"first match wins: {detail}")]


class _ExternalWeights:
    """Metrics read from files once per run (per period for tables with a period column)."""

    def __init__(self) -> None:
        self._files: dict[tuple[FileMetric, date], Weights] = {}
        self._opencost: dict[OpenCostMetric, Weights] = {}

    def file(self, metric: FileMetric, period: date) -> Weights:
        key = (metric, period if metric.period_column else date.min)
        if key not in self._files:
            self._files[key] = file_weights(metric, period)
        return self._files[key]

    def opencost(self, metric: OpenCostMetric) -> Weights:
        if metric not in self._opencost:
            self._opencost[metric] = opencost_weights(metric)
        return self._opencost[metric]


class _Ledger:
    """The allocation of one period and currency, in integer minor units."""

    def __init__(
        self,
        rules: RuleSet,
        claims: Claims,
        period: date,
        currency: str,
        external: _ExternalWeights,
    ) -> None:
        self.rules = rules
        self.claims = claims
        self.period = period
        self.currency = currency
        self.external = external
        self.selector_index = {
            rule.name: i for i, rule in enumerate(r for r in rules.rules if r.select is not None)
        }
        self.lake_metrics = lake_metrics(rules)
        self.holdings: dict[tuple[str, str], _Held] = {}
        self.claimed: dict[int, list[tuple[str | None, int]]] = defaultdict(list)
        self.warnings: list[AllocationWarning] = []
        self.total = 0

    def run(self, pools: dict[tuple[int, str | None], Decimal]) -> None:
        order = sorted(pools, key=lambda k: (k[0], k[1] or ""))
        units = round_preserving_total([pools[k] for k in order], self.currency)
        self.total = sum(units)
        for (rule, key), amount in zip(order, units, strict=True):
            self.claimed[rule].append((key, amount))
        fallback = self.rules.fallback
        unclaimed = sum(amount for _, amount in self.claimed[UNCLAIMED])
        self._add(
            fallback or UNALLOCATED,
            FALLBACK_RULE if fallback else UNCLAIMED_RULE,
            _Held(unclaimed, "", "fallback" if fallback else "unclaimed", None),
        )
        for step in self.rules.steps:
            self._run_step(step.name, step.rules)

    def _run_step(self, step: str, rules: tuple[Rule, ...]) -> None:
        totals = self._object_totals()
        parts: list[tuple[Rule, _Part]] = []
        taken: set[str] = set()
        for rule in rules:
            if rule.from_ is not None:
                present = [o for o in rule.from_ if o in totals]
                taken |= set(present)
                pool = sum(totals[o] for o in present)
                parts += [(rule, p) for p in self._split(rule, pool, totals, set(rule.from_))]
            elif isinstance(rule.distribute, ByValue):
                prefix = rule.distribute.prefix
                claimed = self.claimed[self.selector_index[rule.name]]
                parts += [
                    (rule, _Part(f"{prefix}{key}", units, rule.distribute.method))
                    for key, units in claimed
                ]
            else:
                pool = sum(units for _, units in self.claimed[self.selector_index[rule.name]])
                parts += [(rule, p) for p in self._split(rule, pool, totals, set())]
        self.holdings = {k: v for k, v in self.holdings.items() if k[0] not in taken}
        for rule, part in parts:
            self._add(part.cost_object, rule.name, _Held(part.units, step, part.method, part.share))

    def _add(self, cost_object: str, rule: str, held: _Held) -> None:
        if held.units == 0:
            return
        key = (cost_object, rule)
        if key in self.holdings:
            self.holdings[key].units += held.units
        else:
            self.holdings[key] = held

    def _object_totals(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for (cost_object, _), held in self.holdings.items():
            totals[cost_object] += held.units
        return dict(totals)

    def _split(
        self, rule: Rule, pool: int, totals: dict[str, int], sources: set[str]
    ) -> list[_Part]:
        if pool == 0:
            return []
        distribute = rule.distribute
        if isinstance(distribute, Direct):
            return [_Part(distribute.to, pool, "direct")]
        if isinstance(distribute, Even):
            weights = dict.fromkeys(distribute.targets, Decimal(1))
            return self._apportion(rule, pool, weights, "even", None)
        if isinstance(distribute, Fixed):
            return self._apportion(rule, pool, dict(distribute.shares), "fixed", "percent")
        assert isinstance(distribute, Proportional)
        weights, unit = self._weights(rule, distribute, totals, sources)
        return self._apportion(rule, pool, weights, "proportional", unit)

    def _apportion(
        self, rule: Rule, pool: int, weights: dict[str, Decimal], method: str, unit: str | None
    ) -> list[_Part]:
        for name, weight in weights.items():
            if weight < 0:
                self._warn(
                    "negative_weight", rule, f"{name!r} has a negative weight ({weight}); uses 0"
                )
        usable = {name: max(weight, Decimal(0)) for name, weight in weights.items()}
        total = sum(usable.values(), Decimal(0))
        if total == 0:
            who = f"all {len(usable)} consumers weigh 0" if usable else "no consumer was named"
            self._warn(
                "all_zero_weights",
                rule,
                f"{who}; {from_minor(pool, self.currency)} stays unallocated",
            )
            return [_Part(UNALLOCATED, pool, method)]
        names = list(usable)
        amounts = apportion(pool, [usable[n] for n in names])
        return [
            _Part(
                name,
                units,
                method,
                Share((usable[name] / total).quantize(RATIO), usable[name] if unit else None, unit),
            )
            for name, units in zip(names, amounts, strict=True)
        ]

    def _weights(
        self, rule: Rule, distribute: Proportional, totals: dict[str, int], sources: set[str]
    ) -> tuple[dict[str, Decimal], str]:
        metric = distribute.metric
        if isinstance(metric, CostMetric):
            named: dict[str, Decimal] = {
                name: from_minor(units, self.currency)
                for name, units in totals.items()
                if name not in sources and name != UNALLOCATED
            }
            unit = f"{self.rules.cost_column} {self.currency}"
        else:
            keyed, unit = self._metric(metric)
            named = defaultdict(Decimal)
            for key, weight in keyed.items():
                named[UNALLOCATED if key is None else f"{distribute.prefix}{key}"] += weight
        if distribute.targets is not None:
            named = {
                name: weight
                for name, weight in named.items()
                if any(fnmatchcase(name, target) for target in distribute.targets)
            }
        return dict(sorted(named.items())), unit

    def _metric(self, metric: LakeMetric | FileMetric | OpenCostMetric) -> tuple[Weights, str]:
        if isinstance(metric, LakeMetric):
            index = self.lake_metrics.index(metric)
            weights: Weights = {
                key: value
                for (period, i, key), value in self.claims.metrics.items()
                if period == self.period and i == index
            }
            return weights, metric.value
        if isinstance(metric, FileMetric):
            return self.external.file(metric, self.period), metric.value
        return self.external.opencost(metric), metric.value

    def _warn(self, code: str, rule: Rule, message: str) -> None:
        where = f"rule {rule.name!r}, {self.period:%Y-%m} {self.currency}"
        self.warnings.append(AllocationWarning(code, f"{where}: {message}", rule.name))

    def lines(self) -> list[ChargebackLine]:
        return [
            ChargebackLine(
                self.period,
                self.currency,
                cost_object,
                from_minor(held.units, self.currency),
                rule,
                held.step,
                held.method,
                held.share,
            )
            for (cost_object, rule), held in sorted(self.holdings.items())
        ]
