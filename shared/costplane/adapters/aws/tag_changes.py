"""EventBridge 'Tag Change on Resource' (`aws.tag`) events -> ResourceEvents, for any service.

AWS emits one for every tag change on a taggable resource, whatever API made it (the
service's own, Tag Editor, the Tagging API), carrying the resource's full tag set after the
change in `detail.tags` and the keys that changed in `detail.changed-tag-keys`. The event is
an UPDATE with those full tags, so the decision needs no read of the resource.

The type is the ARN's (`type_of_arn`), except S3, whose bucket ARNs carry no type segment;
a type outside `governed.GOVERNED` is skipped (`ungoverned_resource_type`), naming it. The
event id is EventBridge's: a tag change reported also by CloudTrail is decided on each
report, from the same full tag set, so the second finds nothing left to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from costplane.adapters.aws.cloudtrail import PROVIDER, parse_time
from costplane.adapters.aws.cloudtrail_fields import (
    obj,
    opt_text,
    parse_arn,
    tag_map,
    text,
    type_of_arn,
)
from costplane.adapters.aws.governed import BY_TYPE, IdForm
from costplane.domain.errors import EventRejected, Rejection
from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.engine.envelopes import ParseResult, register_envelope

TAG_SOURCE = "aws.tag"
TAG_CHANGE = "Tag Change on Resource"


def is_tag_change(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and document.get("source") == TAG_SOURCE
        and document.get("detail-type") == TAG_CHANGE
    )


@register_envelope("aws.tag.eventbridge", is_tag_change)
def parse_tag_change(document: Any) -> Iterator[ParseResult]:
    event_id = opt_text(document, "id")
    try:
        yield from _events(document)
    except EventRejected as exc:
        exc.provider, exc.event_name = PROVIDER, TAG_CHANGE
        exc.event_id = exc.event_id or event_id
        yield exc


def _events(document: dict[str, Any]) -> Iterator[ParseResult]:
    detail = obj(document, "detail")
    resources = document.get("resources")
    if not isinstance(resources, list) or not resources:
        raise EventRejected(Rejection.NO_RESOURCES, "the tag change names no resource")
    tags = tag_map(detail.get("tags") or {}, "detail.tags")
    for index, arn in enumerate(resources):
        path = f"resources[{index}]"
        if not isinstance(arn, str):
            raise EventRejected(Rejection.INVALID_FIELD, f"{path} is not an ARN string")
        parsed = parse_arn(arn, path)
        resource_type = "aws.s3.bucket" if parsed.service == "s3" else type_of_arn(parsed)
        governed = BY_TYPE.get(resource_type)
        if governed is None:
            reason = f"{resource_type} is not a resource type costplane governs"
            yield EventRejected(
                Rejection.UNGOVERNED_RESOURCE_TYPE,
                reason,
                skipped=True,
                provider=PROVIDER,
                event_id=opt_text(document, "id"),
                event_name=TAG_CHANGE,
            )
            continue
        yield ResourceEvent(
            provider=Provider.AWS,
            event_id=text(document, "id"),
            event_name=TAG_CHANGE,
            event_time=parse_time(document.get("time"), "time"),
            account=parsed.account or text(document, "account"),
            region=parsed.region or opt_text(document, "region"),
            resource_id=_resource_id(arn, parsed.resource, governed.id_form),
            resource_type=resource_type,
            operation=Operation.UPDATE,
            tags=tags,
            raw=document,
        )


def _resource_id(arn: str, resource: str, form: IdForm) -> str:
    """`instance/i-0abc` -> `i-0abc` for EC2, the bucket name for S3, else the ARN itself."""
    if form is IdForm.ARN:
        return arn
    return resource.rpartition("/")[2]
