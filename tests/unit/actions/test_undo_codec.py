"""Undo state goes into one tag (AWS, Azure) or label (GCP) value and comes back unchanged."""

from __future__ import annotations

import pytest

from costplane.engine.undo import LABEL_CODEC, TAG_CODEC

ARN = "arn:aws:iam::123456789012:policy/costplane/costplane-deny-spend"


@pytest.mark.parametrize(
    ("state", "value"),
    [
        ({"min": "1", "max": "4", "desired": "2"}, "min=1 max=4 desired=2"),
        ({"policy": ARN}, f"policy={ARN}"),
        ({"concurrency": "unreserved"}, "concurrency=unreserved"),
    ],
)
def test_a_tag_value_reads_as_key_equals_value(state, value):
    assert TAG_CODEC.encode(state) == value
    assert TAG_CODEC.decode(value) == state


def test_a_label_value_uses_only_what_gcp_labels_allow():
    state = {"nodes": "3", "autoscaling": "on", "min": "1", "max": "5"}

    value = LABEL_CODEC.encode(state)

    assert value == "nodes-3_autoscaling-on_min-1_max-5"
    assert LABEL_CODEC.decode(value) == state


@pytest.mark.parametrize(
    ("codec", "state", "reason"),
    [
        (TAG_CODEC, {"tags": '{"Team":"x"}'}, "cannot be kept"),
        (TAG_CODEC, {"name": "two words"}, "cannot be kept"),
        (LABEL_CODEC, {"policy": "BALANCED"}, "cannot be kept"),
        (LABEL_CODEC, {"nodes": "1" * 70}, "do not fit"),
        (TAG_CODEC, {"k": ""}, "cannot be kept"),
    ],
)
def test_state_a_value_could_not_hold_is_refused_rather_than_mangled(codec, state, reason):
    with pytest.raises(ValueError, match=reason):
        codec.encode(state)


def test_a_value_we_did_not_write_decodes_to_what_it_has_of_ours():
    assert TAG_CODEC.decode("hand-written note desired=2") == {"desired": "2"}
