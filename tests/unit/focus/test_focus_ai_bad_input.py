"""A broken or changed AI report is refused with a BillFileError naming the file and where:
page, bucket, result and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from costplane.billing.focus.errors import BillFileError
from costplane.billing.focus.sources import get_normaliser
from tests.support.ai_reports import (
    anthropic_bucket,
    anthropic_cost,
    anthropic_page,
    completions,
    messages_usage,
    openai_bucket,
    openai_cost,
    openai_page,
    write_pages,
)


def read(source: str, path: Path) -> None:
    for _ in get_normaliser(source).batches(path, ingestion_id="test"):
        pass


def refused(source: str, path: Path) -> BillFileError:
    with pytest.raises(BillFileError) as error:
        read(source, path)
    assert error.value.file == str(path)
    return error.value


def two_pages(*second: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        openai_page([openai_bucket("2025-08-01", [completions()])]),
        openai_page(
            [
                openai_bucket("2025-08-02", [completions()]),
                openai_bucket("2025-08-03", [completions(), *second]),
            ]
        ),
    ]


def test_a_truncated_file_is_refused(tmp_path):
    path = tmp_path / "org=o" / "u.json"
    write_pages(path, two_pages())
    path.write_bytes(path.read_bytes()[:-40])
    assert refused("openai-usage", path).code == "malformed_json"


def test_a_wrong_type_names_page_bucket_result_and_field(tmp_path):
    bad = completions(output_tokens="many")
    error = refused("openai-usage", write_pages(tmp_path / "org=o" / "u.json", two_pages(bad)))
    assert error.column == "output_tokens"
    assert "page 2, bucket 2 (" in error.message
    assert "result 2" in error.message
    assert error.row == 4


def test_a_missing_required_count_is_refused(tmp_path):
    bad = completions()
    del bad["output_tokens"]
    error = refused("openai-usage", write_pages(tmp_path / "org=o" / "u.json", two_pages(bad)))
    assert (error.column, error.code) == ("output_tokens", "missing_field")


def test_a_renamed_count_is_refused_rather_than_left_uncounted(tmp_path):
    bad = completions()
    bad["input_cached_tokens_v2"] = bad.pop("input_cached_tokens")
    error = refused("openai-usage", write_pages(tmp_path / "org=o" / "u.json", two_pages(bad)))
    assert (error.column, error.code) == ("input_cached_tokens_v2", "unknown_field")


def test_splits_that_do_not_add_up_are_refused(tmp_path):
    bad = completions(input_text_tokens=10_000)
    error = refused("openai-usage", write_pages(tmp_path / "org=o" / "u.json", two_pages(bad)))
    assert error.code == "bad_total"
    assert "input_tokens + output_tokens" in error.message


def test_an_unknown_result_type_is_refused(tmp_path):
    bad = {"object": "organization.usage.holograms.result", "holograms": 1}
    error = refused("openai-usage", write_pages(tmp_path / "org=o" / "u.json", two_pages(bad)))
    assert error.code in ("unknown_result", "unknown_field")


def test_a_page_without_buckets_is_refused(tmp_path):
    path = write_pages(tmp_path / "org=o" / "u.json", [{"object": "page", "results": []}])
    assert refused("openai-usage", path).code == "bad_page"


def test_a_bucket_without_unix_times_is_refused(tmp_path):
    bucket = openai_bucket("2025-08-01", [completions()]) | {"start_time": "2025-08-01"}
    path = write_pages(tmp_path / "org=o" / "u.json", openai_page([bucket]))
    assert refused("openai-usage", path).code == "bad_bucket"


def test_an_openai_cost_currency_not_in_iso_form_is_refused(tmp_path):
    page = openai_page([openai_bucket("2025-08-01", [openai_cost(1.0, currency="US$")])])
    error = refused("openai-costs", write_pages(tmp_path / "org=o" / "c.json", page))
    assert (error.column, error.code) == ("amount.currency", "bad_currency")


def test_an_anthropic_amount_that_is_not_a_string_of_cents_is_refused(tmp_path):
    page = anthropic_page([anthropic_bucket("2025-08-01", [anthropic_cost(1.23)])])  # type: ignore[arg-type]
    error = refused("anthropic-cost", write_pages(tmp_path / "org=o" / "c.json", page))
    assert (error.column, error.code) == ("amount", "bad_field")


def test_an_anthropic_cost_in_another_currency_is_refused(tmp_path):
    page = anthropic_page([anthropic_bucket("2025-08-01", [anthropic_cost("100", currency="EUR")])])
    error = refused("anthropic-cost", write_pages(tmp_path / "org=o" / "c.json", page))
    assert (error.column, error.code) == ("currency", "bad_currency")


def test_an_anthropic_usage_result_missing_output_is_refused(tmp_path):
    bad = messages_usage()
    del bad["output_tokens"]
    page = anthropic_page([anthropic_bucket("2025-08-01", [bad])])
    error = refused("anthropic-usage", write_pages(tmp_path / "org=o" / "u.json", page))
    assert (error.column, error.code) == ("output_tokens", "missing_field")


def test_not_json_pages_at_all_is_refused(tmp_path):
    path = tmp_path / "org=o" / "u.json"
    path.parent.mkdir()
    path.write_bytes(orjson.dumps("just a string"))
    assert refused("openai-usage", path).code == "malformed_json"


def test_a_new_count_inside_a_known_object_is_refused(tmp_path):
    bad = messages_usage()
    bad["cache_creation"]["ephemeral_24h_input_tokens"] = 300
    page = anthropic_page([anthropic_bucket("2025-08-01", [bad])])
    error = refused("anthropic-usage", write_pages(tmp_path / "org=o" / "u.json", page))
    assert (error.column, error.code) == (
        "cache_creation.ephemeral_24h_input_tokens",
        "unknown_field",
    )
