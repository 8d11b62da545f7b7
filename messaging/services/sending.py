"""Agents' replies: checked and stored as `queued`, then sent through YCloud by
`message_send_task`.

YCloud has no idempotency key (spec §3, pitfall 6): `externalId` is only echoed back
in status webhooks. So a send holds its message row locked while it calls YCloud and
stores the answer in the same transaction, a message that is no longer `queued` is
never sent again, and a status webhook carrying our `externalId` (which the status
processing matches) moves an ambiguously failed send out of `queued` before the task's
retry would send it twice.
"""

import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import groupby
from operator import attrgetter
from typing import Any

from celery import chain
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from messaging.models import Chat, Message, Sticker, Template
from messaging.services.channels import ycloud_client_for
from messaging.services.notify import chat_updated_send, message_event_send
from messaging.services.statuses import RANK
from messaging.ycloud import (
    MediaContent,
    OutboundContent,
    TemplateContent,
    TextContent,
    YCloudError,
    YCloudMessage,
    YCloudTransientError,
)
from project.errors import Conflict

logger = logging.getLogger(__name__)

Status = Message.Status
CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)
TEMPLATE_VARIABLE = re.compile(r"\{\{\s*(\d+)\s*\}\}")


class WindowClosed(Conflict):
    code = "window_closed"


class ChannelInactive(Conflict):
    code = "channel_inactive"


@dataclass(frozen=True)
class OutboundDraft:
    """One message an agent wants to send, as the API received it.

    Media comes by public `media_url`, by YCloud `media_id` (uploaded earlier) or as a
    company `sticker`; a template by `template_name`, `template_language` and the
    body's `template_params`.
    """

    type: str
    text: str = ""
    media_url: str = ""
    media_id: str = ""
    sticker_id: int | None = None
    caption: str = ""
    filename: str = ""
    template_name: str = ""
    template_language: str = ""
    template_params: list[str] = field(default_factory=list)
    reply_to_id: int | None = None


def message_queue(*, chat: Chat, sender: User, draft: OutboundDraft) -> Message:
    """Stores one reply as `queued` and sends it after the commit."""
    return messages_queue(chat=chat, sender=sender, drafts=[draft])[0]


@transaction.atomic
def messages_queue(
    *, chat: Chat, sender: User, drafts: list[OutboundDraft]
) -> list[Message]:
    """Stores replies as `queued`, all or none, and sends them in order after the
    commit. Free-form messages need the customer-service window open (a customer
    message in the last 24 hours); templates can be sent any time."""
    chat = (
        Chat.objects.select_for_update(of=("self",))
        .select_related("channel")
        .get(pk=chat.pk)
    )
    _check_sendable(chat=chat, drafts=drafts)
    messages = [
        Message.objects.create(
            company_id=chat.company_id,
            chat=chat,
            channel=chat.channel,
            direction=Message.Direction.OUT,
            status=Status.QUEUED,
            enqueued_at=timezone.now(),
            external_id=f"mostrador-{uuid.uuid4().hex}",
            sent_by=sender,
            **_message_fields(chat=chat, draft=draft),
        )
        for draft in drafts
    ]
    chat.last_message = messages[-1]
    chat.last_message_at = messages[-1].created_at
    chat.save(update_fields=["last_message", "last_message_at", "updated_at"])
    for message in messages:
        message_event_send(message=message, event_type="message.created")
    chat_updated_send(chat=chat)
    _send_after_commit([message.id for message in messages])
    return messages


NOT_SENT_CODE = "not_sent"


def messages_requeue_stuck(*, stuck_after: timedelta, give_up_after: timedelta) -> int:
    """Celery beat's sweep for replies whose send task never ran (the broker failed at
    the commit, a worker was lost with it): a reply still `queued` `stuck_after` its
    task was queued is queued again, in its chat's order, at most once per
    `stuck_after`; one older than `give_up_after` is marked failed instead, as sending
    it that late would surprise the customer. One being sent right now is locked and
    left alone. Returns how many were queued again."""
    now = timezone.now()
    with transaction.atomic():
        stuck = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(
                direction=Message.Direction.OUT,
                status=Status.QUEUED,
                enqueued_at__lt=now - stuck_after,
            )
            .order_by("chat_id", "id")
        )
        too_old = now - give_up_after
        expired = [m for m in stuck if m.created_at < too_old]
        requeued = [m for m in stuck if m.created_at >= too_old]
        for message in expired:
            _record_not_sent(message=message, waited=now - message.created_at)
        Message.objects.filter(id__in=[m.id for m in requeued]).update(enqueued_at=now)
        for _, messages in groupby(requeued, key=attrgetter("chat_id")):
            _send_after_commit([message.id for message in messages])
    if stuck:
        logger.warning(
            "%s stuck replies queued again, %s given up", len(requeued), len(expired)
        )
    return len(requeued)


def _record_not_sent(*, message: Message, waited: timedelta) -> None:
    hours = waited.total_seconds() / 3600
    _mark_failed(
        message=message,
        code=NOT_SENT_CODE,
        detail=f"Not sent: no worker sent it in {hours:.0f} hours.",
    )
    message_event_send(message=message, event_type="message.status")


def message_send(*, message: Message, last_attempt: bool = False) -> Message | None:
    """Sends a queued message through its channel's YCloud account and records the
    answer; None when it is not (or no longer) queued, or another worker is on it.

    A transient failure (429, 5xx, network, timeout) propagates for the task to retry,
    except on the `last_attempt`, which marks the message failed like a refusal.
    """
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("channel", "chat__contact", "reply_to")
            .filter(pk=message.pk, status=Status.QUEUED)
            .first()
        )
        if message is None:
            return None
        client = ycloud_client_for(message.channel)
        try:
            answer = client.send_message(
                from_number=message.channel.phone_number,
                to=message.chat.contact.phone,
                content=_content(message),
                external_id=message.external_id,
                reply_to_wamid=message.reply_to.wamid if message.reply_to else "",
            )
        except YCloudTransientError as exc:
            if not last_attempt:
                raise
            _record_failure(message=message, error=exc)
        except YCloudError as exc:
            _record_failure(message=message, error=exc)
        else:
            _record_answer(message=message, answer=answer)
        message_event_send(message=message, event_type="message.status")
    return message


# --- Checks -------------------------------------------------------------------------


def _check_sendable(*, chat: Chat, drafts: list[OutboundDraft]) -> None:
    if not chat.channel.is_active:
        raise ChannelInactive("This chat's WhatsApp channel is deactivated.")
    free_form = [d for d in drafts if d.type != Message.Type.TEMPLATE]
    opened = chat.last_customer_message_at
    if free_form and (
        opened is None or timezone.now() >= opened + CUSTOMER_SERVICE_WINDOW
    ):
        raise WindowClosed(
            "The customer has not written in the last 24 hours, so WhatsApp only "
            "accepts an approved template until they write again.",
            extra={"last_customer_message_at": opened.isoformat() if opened else None},
        )


def _message_fields(*, chat: Chat, draft: OutboundDraft) -> dict[str, Any]:
    fields: dict[str, Any] = {"type": draft.type, "payload": {}}
    if draft.reply_to_id is not None:
        fields["reply_to"] = _reply_target(chat=chat, message_id=draft.reply_to_id)
    if draft.type == Message.Type.TEXT:
        fields["text"] = draft.text
    elif draft.type == Message.Type.TEMPLATE:
        fields["text"] = _template_text(chat=chat, draft=draft)
        fields["payload"]["template"] = {
            "name": draft.template_name,
            "language": draft.template_language,
            "params": draft.template_params,
        }
    else:
        fields.update(
            caption=draft.caption,
            media_id=draft.media_id,
            media_url=draft.media_url or _sticker_link(chat=chat, draft=draft),
        )
        if draft.filename:
            fields["payload"]["filename"] = draft.filename
        if draft.sticker_id is not None:
            fields["payload"]["sticker"] = draft.sticker_id
    return fields


def _reply_target(*, chat: Chat, message_id: int) -> Message:
    target = Message.objects.filter(chat=chat, id=message_id).first()
    if target is None:
        raise ValidationError({"reply_to": "No message of this chat has this id."})
    return target


def _sticker_link(*, chat: Chat, draft: OutboundDraft) -> str:
    """YCloud fetches media by public link: a sticker of the company's library
    qualifies only where its storage serves absolute URLs (a CDN `MEDIA_URL`, S3)."""
    if draft.sticker_id is None:
        return ""
    sticker = Sticker.objects.filter(
        company_id=chat.company_id, id=draft.sticker_id
    ).first()
    if sticker is None:
        raise ValidationError({"media": "No sticker of your company has this id."})
    link = sticker.file.url
    if not link.startswith(("https://", "http://")):
        raise ValidationError(
            {
                "media": "Stickers are not served at a public URL here; send the "
                "sticker by `url` or by YCloud media `id`."
            }
        )
    return link


def _template_text(*, chat: Chat, draft: OutboundDraft) -> str:
    """The template's body with its parameters, for the inbox to show; empty when
    the template is not in our copy of the channel's catalogue."""
    template = Template.objects.filter(
        channel_id=chat.channel_id,
        name=draft.template_name,
        language=draft.template_language,
    ).first()
    bodies = [
        c.get("text", "")
        for c in (template.components if template else [])
        if isinstance(c, dict) and str(c.get("type", "")).upper() == "BODY"
    ]
    if not bodies:
        return ""
    params = draft.template_params

    def fill(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        return params[index] if 0 <= index < len(params) else match.group(0)

    return TEMPLATE_VARIABLE.sub(fill, str(bodies[0]))


# --- Sending ------------------------------------------------------------------------


def _send_after_commit(message_ids: list[int]) -> None:
    """One task per message, chained so several replies reach the customer in order
    (each link waits for the one before, retries included). Robust: the messages are
    stored, so a broker failure is logged rather than failing the agent's request."""
    from messaging.tasks import message_send_task  # tasks import us

    tasks = chain(message_send_task.si(message_id) for message_id in message_ids)
    transaction.on_commit(tasks.delay, robust=True)


def _content(message: Message) -> OutboundContent:
    if message.type == Message.Type.TEXT:
        return TextContent(body=message.text)
    if message.type == Message.Type.TEMPLATE:
        template = message.payload["template"]
        params = template.get("params") or []
        components = (
            [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": p} for p in params],
                }
            ]
            if params
            else []
        )
        return TemplateContent(
            name=template["name"],
            language=template["language"],
            components=components,
        )
    return MediaContent(
        type=message.type,
        link=message.media_url,
        media_id=message.media_id,
        caption=message.caption,
        filename=message.payload.get("filename", ""),
    )


def _record_answer(*, message: Message, answer: YCloudMessage) -> None:
    message.ycloud_id = answer.id
    message.wamid = answer.wamid
    # Usually `accepted`; anything further along (or failed) is taken as it is.
    accepted_or_later = RANK.get(answer.status, 0) > RANK[Status.QUEUED]
    message.status = answer.status if accepted_or_later else Status.ACCEPTED
    message.sent_at = answer.send_time
    if message.status == Status.FAILED:
        message.failed_at = timezone.now()
        message.error_code = (answer.error_code or answer.whatsapp_error_code)[:64]
        message.error_message = answer.error_message
    message.save(
        update_fields=[
            "ycloud_id",
            "wamid",
            "status",
            "sent_at",
            "failed_at",
            "error_code",
            "error_message",
        ]
    )


def _record_failure(*, message: Message, error: YCloudError) -> None:
    logger.warning("message %s not sent: %s", message.id, error)
    code = error.error_code or error.whatsapp_code or str(error.status or error.code)
    _mark_failed(message=message, code=code, detail=error.message)


def _mark_failed(*, message: Message, code: str, detail: str) -> None:
    message.status = Status.FAILED
    message.failed_at = timezone.now()
    message.error_code = code[:64]
    message.error_message = detail
    message.save(update_fields=["status", "failed_at", "error_code", "error_message"])
