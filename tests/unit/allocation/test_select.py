"""Selecting bill lines with FOCUS filters, vectorised over record batches."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from costplane.billing.allocation.lines import LineView, tag_columns
from costplane.billing.allocation.rules import Filter
from costplane.billing.allocation.select import filter_mask
from tests.unit.allocation.bills import bill, line

LINES = bill(
    line("1", category="Networking", tags={"team": "web", "env": "prod"}),
    line("2", category="Compute", tags={"team": ""}),
    line("3", category="Compute", account="222", tags=None),
    line("4", category="Storage", tags={"env": "dev"}),
)


def selected(**where: object) -> list[int]:
    criteria = Filter.model_validate(where)
    view = LineView(LINES.to_batches()[0], criteria.tag_keys)
    return [i for i, hit in enumerate(filter_mask(criteria, view)) if hit]


def test_an_empty_filter_selects_every_line() -> None:
    assert selected() == [0, 1, 2, 3]


def test_column_values_are_alternatives_and_conditions_all_hold() -> None:
    assert selected(where={"ServiceCategory": ["Compute", "Storage"]}) == [1, 2, 3]
    assert selected(where={"ServiceCategory": ["Compute"], "SubAccountId": ["222"]}) == [2]


def test_a_star_tag_needs_a_non_empty_value() -> None:
    assert selected(tags={"team": "*"}) == [0]


def test_untagged_means_none_of_the_keys_has_a_value() -> None:
    assert selected(untagged=["team"]) == [1, 2, 3]
    assert selected(untagged=["team", "env"]) == [1, 2]


def test_exclude_leaves_its_lines_out() -> None:
    assert selected(exclude={"where": {"ServiceCategory": ["Storage"]}}) == [0, 1, 2]


@pytest.mark.parametrize(("offset", "length"), [(0, 5), (1, 3), (2, 2), (4, 1), (3, 0)])
def test_tag_columns_match_map_lookup_on_sliced_maps(offset: int, length: int) -> None:
    maps = pa.array(
        [[("a", "1"), ("b", "2"), ("a", "9")], None, [("b", "3")], [], [("a", "4")]],
        pa.map_(pa.string(), pa.string()),
    ).slice(offset, length)
    found = tag_columns(maps, ["a", "b", "missing"])
    for key in ("a", "b", "missing"):
        assert found[key].to_pylist() == pc.map_lookup(maps, key, "first").to_pylist()
