"""Normalisers are found by source name; an unknown name says which names exist."""

from __future__ import annotations

import pickle

import pytest

from costplane.billing.focus.errors import BillFileError, UnknownSourceError
from costplane.billing.focus.registry import Normaliser, register_normaliser
from costplane.billing.focus.sources import get_normaliser, normaliser_names

SOURCES = [
    "anthropic-cost",
    "anthropic-usage",
    "aws-cur",
    "aws-cur2",
    "aws-focus",
    "azure-ea",
    "azure-focus",
    "azure-mca",
    "focus",
    "gcp-billing",
    "oci",
    "openai-costs",
    "openai-usage",
]


def test_every_issue_source_is_registered():
    assert normaliser_names() == SOURCES


@pytest.mark.parametrize("name", SOURCES)
def test_registered_normaliser_satisfies_the_protocol(name):
    normaliser = get_normaliser(name)
    assert isinstance(normaliser, Normaliser)
    assert normaliser.name == name


def test_unknown_source_lists_the_valid_names():
    with pytest.raises(UnknownSourceError) as raised:
        get_normaliser("aws")
    assert "unknown bill source 'aws'" in str(raised.value)
    assert "anthropic-usage, aws-cur, aws-cur2" in str(raised.value)
    assert raised.value.valid == SOURCES


def test_registering_a_name_twice_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        register_normaliser(get_normaliser("oci"))


def test_bill_file_error_renders_file_row_and_column():
    error = BillFileError("bill.csv", "'x' is not a number", column="Cost", row=7)
    assert str(error) == "bill.csv: row 7, column Cost: 'x' is not a number"
    assert str(BillFileError("bill.csv", "the file is empty")) == "bill.csv: the file is empty"


def test_bill_file_error_survives_pickling_across_processes():
    error = BillFileError("bill.csv", "bad", column="Cost", row=3, code="bad_number")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.file, copy.column, copy.row, copy.code, str(copy)) == (
        "bill.csv",
        "Cost",
        3,
        "bad_number",
        str(error),
    )
