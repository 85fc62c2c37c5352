"""The identities an event names, checked against each provider's documented formats.

An event is acted on in the account, region and resource it names, so a value outside the
provider's format (a path, a NUL byte, a megabyte of text, a placeholder such as
`{subscription-id}`) is never passed to an SDK, a store key or a chat message.
`problems(event)` lists what is wrong; an empty list is an event whose identities are sound.

Formats, as each provider documents them:

- AWS account: "a 12-digit number, such as 012345678901" (AWS Account Management Guide,
  "View AWS account identifiers").
- AWS region: `<area>-<sub-area>-<number>`, e.g. `us-east-1`, `us-gov-west-1`,
  `cn-north-1` (AWS General Reference, "AWS service endpoints: Regional endpoints").
- EC2 ids: a prefix, a hyphen and 8 or 17 hexadecimal characters, e.g. `i-0abc...`,
  `nat-...` (Amazon EC2 User Guide, "Resource IDs").
- S3 bucket: 3-63 characters of lowercase letters, digits, dots and hyphens, beginning and
  ending with a letter or digit, no two adjacent dots (Amazon S3 User Guide, "Bucket naming
  rules").
- ARN: `arn:partition:service:region:account-id:resource`, at most 2048 characters (IAM User
  Guide, "IAM identifiers: ARNs").
- Azure subscription: a GUID (Azure Resource Manager, "Subscription ID").
- Azure resource id: `/subscriptions/{subscriptionId}/resourceGroups/{group}/providers/
  {namespace}/{type}/{name}` (Azure Resource Manager, "Resource ID format").
- Azure location: lowercase letters and digits, e.g. `eastus2` (Azure, "Regions list").
- GCP project id: 6-30 characters of lowercase letters, digits and hyphens, starting with a
  letter and not ending with a hyphen; older projects may be domain-scoped, `example.com:id`;
  or the project number, digits only, which Cloud Asset Inventory names ancestors by
  (Resource Manager, "Creating and managing projects").
- GCP location: a region `us-central1`, a zone `us-central1-a`, `global`, or a multi-region
  such as `US`, `eu`, `nam4` (Compute Engine, "Regions and zones"; BigQuery and Cloud Storage
  "Locations").
- GCP resource name: a relative resource name, `projects/{project}/...` (API Design Guide,
  "Resource names").
- Event ids: CloudTrail's `eventID` (a GUID), EventBridge's and Event Grid's `id`, Pub/Sub's
  `messageId` and a log entry's `insertId` are opaque strings; costplane takes 1-256 printable
  ASCII characters without spaces, which each of them is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from costplane.domain.events import Provider, ResourceEvent

MAX_RESOURCE_ID = 2048
"""The longest ARN IAM accepts; Azure ids and GCP names are shorter in practice."""

_EVENT_ID = re.compile(r"[!-~]{1,256}")
_AWS_ACCOUNT = re.compile(r"\d{12}")
_AWS_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")
_EC2_ID = re.compile(r"[a-z]+-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_S3_BUCKET = re.compile(r"(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(?:\d{12})?:[!-~]+")
_GUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_AZURE_LOCATION = re.compile(r"[a-z0-9]{1,40}")
_AZURE_RESOURCE = re.compile(r"/subscriptions/([^/]+)(?:/[^/]+)+", re.IGNORECASE)
_GCP_PROJECT = re.compile(
    r"(?:[a-z][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20}"
)
_GCP_LOCATION = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,62}")
_GCP_RESOURCE = re.compile(r"projects/[^/]+(?:/[^/]+)+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Check = Callable[[ResourceEvent], list[str]]


def problems(event: ResourceEvent) -> list[str]:
    """What is wrong with the identities `event` names, in words; empty when nothing is."""
    found = [] if _EVENT_ID.fullmatch(event.event_id) else [_bad("event id", event.event_id)]
    return found + _CHECKS[event.provider](event)


def _aws(event: ResourceEvent) -> list[str]:
    found = _format("account", event.account, _AWS_ACCOUNT)
    if event.region is None or not _AWS_REGION.fullmatch(event.region):
        found.append(_bad("region", event.region))
    found.extend(_resource(event.resource_id, _aws_resource(event)))
    return found


def _aws_resource(event: ResourceEvent) -> bool:
    resource_id = event.resource_id
    if resource_id.startswith("arn:"):
        return _ARN.fullmatch(resource_id) is not None
    if event.resource_type == "aws.s3.bucket":
        return _S3_BUCKET.fullmatch(resource_id) is not None
    if event.resource_type.startswith("aws.ec2."):
        return _EC2_ID.fullmatch(resource_id) is not None
    return False


def _azure(event: ResourceEvent) -> list[str]:
    found = _format("subscription", event.account, _GUID)
    if event.region is not None:
        found.extend(_format("location", event.region, _AZURE_LOCATION))
    match = _AZURE_RESOURCE.fullmatch(event.resource_id)
    sound = match is not None and match.group(1).lower() == event.account.lower()
    found.extend(_resource(event.resource_id, sound))
    return found


def _gcp(event: ResourceEvent) -> list[str]:
    found = _format("project", event.account, _GCP_PROJECT)
    if event.region is not None:
        found.extend(_format("location", event.region, _GCP_LOCATION))
    sound = _GCP_RESOURCE.fullmatch(event.resource_id) is not None
    found.extend(_resource(event.resource_id, sound))
    return found


def _resource(resource_id: str, sound: bool) -> list[str]:
    """Every provider's ids are at most MAX_RESOURCE_ID long, have no control characters and
    no relative path segments; `sound` is the provider's own format check."""
    segments = re.split(r"[/:]", resource_id)
    if (
        sound
        and len(resource_id) <= MAX_RESOURCE_ID
        and not _CONTROL.search(resource_id)
        and not any(segment in (".", "..") for segment in segments)
    ):
        return []
    return [_bad("resource id", resource_id)]


def _format(name: str, value: str, pattern: re.Pattern[str]) -> list[str]:
    return [] if pattern.fullmatch(value) else [_bad(name, value)]


def _bad(name: str, value: str | None) -> str:
    shown = "none" if value is None else repr(value[:64]) + ("…" if len(value) > 64 else "")
    return f"{name} {shown} is not in the provider's documented format"


_CHECKS: dict[Provider, Check] = {Provider.AWS: _aws, Provider.AZURE: _azure, Provider.GCP: _gcp}
