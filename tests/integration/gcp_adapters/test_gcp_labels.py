"""Tags become valid GCP labels, and the taxonomy still recognises them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costplane.adapters.gcp.labels import label_key, label_value, to_labels
from costplane.domain.tag_keys import canonical

KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
VALUE = re.compile(r"[a-z0-9_-]{0,63}")


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("CostCenter", "costcenter"),
        ("cost-center", "cost-center"),
        ("cost center", "cost_center"),
        ("aws:createdBy", "aws_createdby"),
        ("1st-owner", "k1st-owner"),
        ("_private", "k_private"),
        ("Équipe", "k_quipe"),
        ("x" * 80, "x" * 63),
    ],
)
def test_keys_are_lowercased_sanitised_cut_and_start_with_a_letter(key: str, label: str) -> None:
    assert label_key(key) == label


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("CC-1001", "cc-1001"),
        ("payments", "payments"),
        ("alice@example.com", "alice_example_com"),
        ("stop-20261128t0615z", "stop-20261128t0615z"),
        ("", ""),
        ("9" * 70, "9" * 63),
    ],
)
def test_values_are_lowercased_sanitised_and_cut(value: str, label: str) -> None:
    assert label_value(value) == label


def test_converted_keys_still_resolve_to_their_taxonomy_key() -> None:
    labels = to_labels({"CostCenter": "CC-1001", "Cost Center": "CC-1001", "Team": "Payments"})
    assert labels == {"costcenter": "cc-1001", "cost_center": "cc-1001", "team": "payments"}
    assert {canonical(key) for key in labels} == {"costcenter", "team"}


@given(st.text())
def test_any_key_becomes_a_valid_label_key_and_converting_twice_changes_nothing(key: str) -> None:
    label = label_key(key)
    assert KEY.fullmatch(label)
    assert label_key(label) == label


@given(st.text())
def test_any_value_becomes_a_valid_label_value_and_converting_twice_changes_nothing(
    value: str,
) -> None:
    label = label_value(value)
    assert VALUE.fullmatch(label)
    assert label_value(label) == label
