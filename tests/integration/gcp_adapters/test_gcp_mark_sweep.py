"""The mark sweep's finder on GCP: Cloud Asset Inventory `searchAllResources` for the mark
label (exact requests, pages by `pageToken`), each asset named as the audit log parser names
the resource, so the inventory and the enforcer can address it."""

from __future__ import annotations

from costplane.adapters.gcp.marked import GcpMarkedResources, ref_of_asset
from costplane.adapters.gcp.resources import locate
from tests.integration.azure_adapters.http_script import Exchange, Script, rest
from tests.integration.gcp_adapters.gcp_support import COMPUTE, INSTANCE, PROJECT, STORAGE

SEARCH = (
    f"https://cloudasset.googleapis.com/v1/projects/{PROJECT}:searchAllResources"
    "?query=labels.costplane-op%3A%2A&pageSize=500"
    "&readMask=name%2CassetType%2Cproject%2Clocation%2Clabels&orderBy=name"
)
VM_ASSET = {
    "name": f"//compute.googleapis.com/{INSTANCE}",
    "assetType": "compute.googleapis.com/Instance",
    "project": "projects/123456789012",
    "location": "us-central1-a",
    "labels": {"costplane-op": "stop-20261128t0615z", "team": "payments"},
}
BUCKET_ASSET = {
    "name": "//storage.googleapis.com/costplane-exports",
    "assetType": "storage.googleapis.com/Bucket",
    "project": "projects/123456789012",
    "location": "us",
    "labels": {"costplane-op": "stop-20261128t0615z"},
}


def test_an_instance_asset_is_named_and_located_as_the_compute_api_addresses_it():
    ref = ref_of_asset(VM_ASSET)
    assert (ref.resource_type, ref.resource_id, ref.account, ref.region) == (
        "gcp.compute.instance",
        INSTANCE,
        PROJECT,
        "us-central1-a",
    )
    assert locate(ref)[1] == COMPUTE


def test_a_bucket_asset_is_addressed_by_its_name_in_its_project_number():
    ref = ref_of_asset(BUCKET_ASSET)
    assert (ref.resource_type, ref.resource_id, ref.account) == (
        "gcp.storage.bucket",
        "costplane-exports",
        "123456789012",
    )
    assert locate(ref)[1] == STORAGE


def test_pages_follow_the_next_page_token_and_carry_each_asset_s_labels():
    script = Script(
        Exchange("GET", SEARCH, reply={"results": [VM_ASSET], "nextPageToken": "t2"}),
        Exchange("GET", f"{SEARCH}&pageToken=t2", reply={"results": [BUCKET_ASSET]}),
    )
    finder = GcpMarkedResources(rest(script), "costplane-op", f"projects/{PROJECT}")
    first = finder.page(f"projects/{PROJECT}", None)
    assert first.next_token == "t2"
    assert first.resources[0].tags == VM_ASSET["labels"]
    last = finder.page(f"projects/{PROJECT}", "t2")
    assert last.next_token is None
    assert [r.ref.resource_id for r in last.resources] == ["costplane-exports"]
    assert script.done


def test_without_a_configured_scope_there_is_nothing_to_sweep():
    assert GcpMarkedResources(rest(Script()), "costplane-op", None).scopes() == []
