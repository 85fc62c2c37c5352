"""The provider-neutral part of cost_ingest: which export an object belongs to, what a delivery
manifest lists, and what configuration is refused before any object is read."""

from __future__ import annotations

import orjson
import pytest
import yaml
from pydantic import ValidationError

from costplane.adapters.aws.objects import S3Objects
from costplane.billing.ingest import CostIngest, ManifestError, load_exports, manifest_parts

CUR2 = {"location": "s3://billing/cur2/", "source": "aws-cur2", "deliveries": "manifest"}


def service(*exports: dict[str, str], work_dir) -> CostIngest:
    """A service whose lake must not be needed: these outcomes are decided before any ingest."""
    configured = load_exports(orjson.dumps(list(exports)).decode())
    return CostIngest(configured, S3Objects(), lambda: pytest.fail("opened the lake"), work_dir)


def test_exports_load_from_inline_json_or_from_a_yaml_file(tmp_path):
    path = tmp_path / "exports.yaml"
    path.write_text(yaml.safe_dump({"exports": [CUR2]}))

    inline = load_exports(orjson.dumps([CUR2]).decode())

    assert load_exports(str(path)) == inline
    assert inline.exports[0].deliveries == "manifest"


def test_an_unknown_source_is_refused_with_the_valid_ones():
    with pytest.raises(
        ValidationError,
        match="unknown source 'aws-cur3'; valid: anthropic-cost, anthropic-usage, aws-cur, ",
    ):
        load_exports('[{"location": "s3://billing/", "source": "aws-cur3"}]')


def test_a_location_must_be_a_uri_prefix():
    with pytest.raises(ValidationError, match="not a URI prefix"):
        load_exports('[{"location": "billing/cur2/", "source": "aws-cur2"}]')


def test_an_object_belongs_to_the_export_with_the_longest_matching_location():
    exports = load_exports(
        orjson.dumps([{"location": "s3://billing/", "source": "aws-cur"}, CUR2]).decode()
    )

    assert exports.of("s3://billing/cur2/data/part-1.parquet").source == "aws-cur2"
    assert exports.of("s3://billing/legacy/report-1.csv.gz").source == "aws-cur"
    assert exports.of("s3://elsewhere/report-1.csv") is None


def test_a_plane_refuses_exports_it_cannot_read(tmp_path):
    gcs = {"location": "gs://billing/focus/", "source": "focus"}

    with pytest.raises(ValueError, match=r"reads s3 objects, not \['gs://billing/focus/'\]"):
        service(CUR2, gcs, work_dir=tmp_path)


def test_a_name_that_could_leave_the_download_directory_is_skipped(tmp_path):
    outcome = service(CUR2, work_dir=tmp_path).on_object(
        "s3://billing/cur2/../../etc/manifest.json"
    )

    assert (outcome.status, outcome.reason) == ("skipped", "unsafe_name")


def test_a_data_exports_manifest_lists_its_data_files_as_uris():
    document = {
        "executionId": "0a1b2c3d",
        "dataFiles": ["s3://billing/cur2/x/data/BILLING_PERIOD=2023-11/x-00001.snappy.parquet"],
    }

    parts = manifest_parts("s3://billing/cur2/x/metadata/x-Manifest.json", orjson.dumps(document))

    assert parts == document["dataFiles"]


def test_a_legacy_cur_manifest_lists_keys_in_its_bucket():
    document = {
        "assemblyId": "6d8f2a52-4d54-4a9e-a0a7-2a8c4d1e3b77",
        "reportName": "costplane",
        "billingPeriod": {"start": "20231101T000000.000Z", "end": "20231201T000000.000Z"},
        "bucket": "billing",
        "reportKeys": ["cur/costplane/20231101-20231201/6d8f2a52/costplane-00001.csv.gz"],
    }

    parts = manifest_parts(
        "s3://billing/cur/costplane/20231101-20231201/costplane-Manifest.json",
        orjson.dumps(document),
    )

    assert parts == ["s3://billing/cur/costplane/20231101-20231201/6d8f2a52/costplane-00001.csv.gz"]


def test_an_azure_export_manifest_lists_blobs_of_its_container():
    document = {"blobs": [{"blobName": "partitioned/run/part_0_0001.csv", "byteCount": 10}]}
    root = "https://billing.blob.core.windows.net/exports"

    parts = manifest_parts(f"{root}/partitioned/run/manifest.json", orjson.dumps(document))

    assert parts == [f"{root}/partitioned/run/part_0_0001.csv"]


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (b"{not json", "not JSON"),
        (b"[]", "not a JSON object"),
        (b'{"columns": []}', "lists no data files"),
        (b'{"dataFiles": ["gs://billing/x.csv"]}', r"not s3:// objects: \['gs://billing/x.csv'\]"),
    ],
)
def test_a_manifest_without_readable_data_files_is_refused(document, problem):
    with pytest.raises(ManifestError, match=problem):
        manifest_parts("s3://billing/cur2/x-Manifest.json", document)


def test_an_ai_report_export_takes_its_json_pages_as_bill_files():
    exports = load_exports('[{"location": "s3://landing/openai/", "source": "openai-usage"}]')
    export = exports.exports[0]

    assert export.holds_bill("s3://landing/openai/org=org-abc/2025-08.json")
    assert not export.holds_bill("s3://landing/openai/org=org-abc/notes.txt")
