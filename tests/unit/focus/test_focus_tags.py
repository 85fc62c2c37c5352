"""Tags become a FOCUS JSON object string and a map column, from every source shape."""

from __future__ import annotations

import orjson
import pyarrow as pa
import pytest

from costplane.billing.focus import tags
from costplane.billing.focus.convert import Where
from costplane.billing.focus.errors import BillFileError

WHERE = Where("bill.csv", pa.array(range(1, 11), pa.int64()))


def _as_dicts(entries: tags.Entries) -> list[dict[str, str] | None]:
    text, mapped = tags.to_columns(entries)
    decoded = [None if t is None else orjson.loads(t) for t in text.to_pylist()]
    as_maps = [None if m is None else dict(m) for m in mapped.to_pylist()]
    assert decoded == as_maps
    return decoded


def test_one_column_per_tag_skips_blank_cells_and_keeps_order():
    entries = tags.from_columns(
        [pa.array(["a", None, "c"]), pa.array([None, None, "z"])], ["team", "env"], 3
    )
    assert _as_dicts(entries) == [{"team": "a"}, None, {"team": "c", "env": "z"}]


@pytest.mark.parametrize("value", ['say "hi"', "back\\slash", "tab\there", "bell\x07", "ünï"])
def test_json_escaping_round_trips_every_character(value):
    entries = tags.from_columns([pa.array([value])], ['k"\\'], 1)
    assert _as_dicts(entries) == [{'k"\\': value}]


def test_azure_tags_without_outer_braces_are_read():
    text = pa.array(['"CostCenter": "1234","env": "prod"', None, '{"a": "b"}'])
    entries = tags.from_json_objects(text, "Tags", WHERE, wrap_bare=True)
    assert _as_dicts(entries) == [{"CostCenter": "1234", "env": "prod"}, None, {"a": "b"}]


def test_malformed_tag_json_names_the_first_row_holding_it():
    text = pa.array(['{"a": "b"}', None, '{"a": "b"}', '{"a": ', '{"a": '])
    with pytest.raises(BillFileError, match="row 4, column Tags"):
        tags.from_json_objects(text, "Tags", WHERE)


def test_map_columns_and_key_value_lists_are_read():
    mapped = pa.array([[("user_team", "x")], None], pa.map_(pa.string(), pa.string()))
    listed = pa.array(
        [[{"key": "env", "value": "prod"}], []],
        pa.list_(pa.struct([("key", pa.string()), ("value", pa.string())])),
    )
    assert _as_dicts(tags.from_entry_lists(mapped)) == [{"user_team": "x"}, None]
    assert _as_dicts(tags.from_entry_lists(listed)) == [{"env": "prod"}, None]


def test_merge_keeps_the_primary_value_for_a_shared_key():
    primary = tags.from_columns([pa.array(["resource", None])], ["env"], 2)
    secondary = tags.from_columns(
        [pa.array(["project", "project"]), pa.array(["t1", None])], ["env", "team"], 2
    )
    assert _as_dicts(tags.merge(primary, secondary)) == [
        {"env": "resource", "team": "t1"},
        {"env": "project"},
    ]


def test_take_repeats_rows_for_expanded_credit_rows():
    entries = tags.from_columns([pa.array(["a", "b"])], ["k"], 2)
    assert _as_dicts(tags.take(entries, pa.array([1, 1, 0]))) == [
        {"k": "b"},
        {"k": "b"},
        {"k": "a"},
    ]
