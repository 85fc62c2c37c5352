"""The envelope registry: bad payloads are rejected with precise, countable reasons."""

from __future__ import annotations

import pytest

from costplane.engine.admission import MAX_PAYLOAD_BYTES
from costplane.engine.envelopes import parse_payload, register_envelope


def test_truncated_json_is_rejected_as_malformed() -> None:
    [rejection] = parse_payload(
        b'{"detail-type": "AWS API Call via CloudTrail", "detail": {'
    ).rejected
    assert rejection.code == "malformed_json"
    assert "not valid JSON" in rejection.reason


def test_payload_over_one_megabyte_is_rejected_before_decoding() -> None:
    [rejection] = parse_payload(b" " * (MAX_PAYLOAD_BYTES + 1)).rejected
    assert rejection.code == "payload_too_large"
    assert str(MAX_PAYLOAD_BYTES) in rejection.reason


def test_unknown_object_names_its_keys() -> None:
    [rejection] = parse_payload(b'{"b": 1, "a": 2}').rejected
    assert rejection.code == "unknown_event_type"
    assert "[a, b]" in rejection.reason


def test_top_level_scalar_is_unknown() -> None:
    [rejection] = parse_payload(b"42").rejected
    assert rejection.reason == "no parser recognises a top-level JSON int"


def test_a_parser_name_registers_once() -> None:
    register_envelope("test.once", lambda _: False)(lambda _: iter(()))
    with pytest.raises(ValueError, match="already registered"):
        register_envelope("test.once", lambda _: False)(lambda _: iter(()))
