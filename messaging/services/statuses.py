"""Outbound delivery statuses from `whatsapp.message.updated`, and template reviews.

YCloud neither orders nor dedupes status webhooks (spec §7), so a status only ever
moves forward: queued → accepted → sent → delivered → read, and failed is final
(a `delivered` after `failed` is kept as its timestamp, the status stays failed).
Each observation fills its own timestamp once.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from messaging.models import Message, Template, WhatsAppChannel
from messaging.services.notify import message_event_send
from messaging.ycloud import YCloudMessage
from messaging.ycloud.events import TemplateReview

logger = logging.getLogger(__name__)

Status = Message.Status
RANK = {
    Status.QUEUED: 0,
    Status.ACCEPTED: 1,
    Status.SENT: 2,
    Status.DELIVERED: 3,
    Status.READ: 4,
    Status.FAILED: 5,
}
# Statuses a later one implies happened, with the field that records each.
TIMESTAMP_FIELDS = {
    Status.SENT: "sent_at",
    Status.DELIVERED: "delivered_at",
    Status.READ: "read_at",
    Status.FAILED: "failed_at",
}


@transaction.atomic
def message_status_apply(
    *, channel: WhatsAppChannel, update: YCloudMessage
) -> Message | None:
    """Applies one status observation to our outbound message; None if the message
    is not ours (sent elsewhere, or its row is gone)."""
    message = _outbound_for_update(channel=channel, update=update)
    if message is None:
        return None
    changed = _learn_ids(message=message, update=update)
    for field, when in _observations(update).items():
        if getattr(message, field) is None and when is not None:
            setattr(message, field, when)
            changed.append(field)
    new = update.status
    if new in RANK and RANK[new] > RANK.get(message.status, -1):
        message.status = new
        changed.append("status")
        if new == Status.FAILED:
            message.error_code = (update.error_code or update.whatsapp_error_code)[:64]
            message.error_message = update.error_message
            changed += ["error_code", "error_message"]
    if changed:
        message.save(update_fields=changed)
        message_event_send(message=message, event_type="message.status")
    return message


def _outbound_for_update(
    *, channel: WhatsAppChannel, update: YCloudMessage
) -> Message | None:
    # YCloud's id first; our externalId covers a webhook that beats the send task's
    # commit; the wamid covers everything else.
    keys = [
        Q(**{field: value})
        for field, value in (
            ("ycloud_id", update.id),
            ("external_id", update.external_id),
            ("wamid", update.wamid),
        )
        if value
    ]
    match = keys.pop()
    for key in keys:
        match |= key
    return (
        Message.objects.select_for_update(of=("self",))
        .select_related("chat")  # its assignee addresses the live event
        .filter(match, channel=channel, direction=Message.Direction.OUT)
        .first()
    )


def _learn_ids(*, message: Message, update: YCloudMessage) -> list[str]:
    changed = []
    if update.id and not message.ycloud_id:
        message.ycloud_id = update.id
        changed.append("ycloud_id")
    if update.wamid and not message.wamid:
        message.wamid = update.wamid
        changed.append("wamid")
    return changed


def _observations(update: YCloudMessage) -> dict[str, datetime | None]:
    """When each status happened, as far as this update tells: its own times, and
    for its status the update time (read implies delivered, which implies sent)."""
    seen = {
        "sent_at": update.send_time,
        "delivered_at": update.deliver_time,
        "read_at": update.read_time,
    }
    status = update.status
    if status in TIMESTAMP_FIELDS:
        when = update.update_time or timezone.now()
        field = TIMESTAMP_FIELDS[status]
        seen[field] = seen.get(field) or when
        if status in (Status.DELIVERED, Status.READ):
            seen["sent_at"] = seen["sent_at"] or when
        if status == Status.READ:
            seen["delivered_at"] = seen["delivered_at"] or seen["read_at"]
    return seen


def template_review_apply(*, channel: WhatsAppChannel, review: TemplateReview) -> int:
    """Records a template's new review status; the number of templates updated."""
    return Template.objects.filter(
        channel=channel, name=review.name, language=review.language
    ).update(
        status=review.status[:32], reason=review.reason[:255], updated_at=timezone.now()
    )
