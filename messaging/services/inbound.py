"""Customers' messages from `whatsapp.inbound_message.received` into contacts, chats
and messages, each stored once however often YCloud delivers it."""

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from messaging.events import inbox_events_send
from messaging.models import Chat, Contact, Message, WhatsAppChannel
from messaging.selectors import message_by_wamid
from messaging.services.notify import chat_updated_event, message_event
from messaging.ycloud.events import InboundMessage

logger = logging.getLogger(__name__)

URL_MAX_LENGTH = 2000
REOPENED_BY_CUSTOMER = (Chat.Status.SNOOZED, Chat.Status.RESOLVED)


def contact_upsert(*, company_id: int, phone: str, profile_name: str) -> Contact:
    """The company's contact for `phone`. A WhatsApp profile name only fills an empty
    name, so a name an agent typed is kept."""
    contact, created = Contact.objects.get_or_create(
        company_id=company_id,
        phone=phone,
        defaults={"name": profile_name[:200], "wa_id": phone.removeprefix("+")},
    )
    if not created and profile_name and not contact.name:
        contact.name = profile_name[:200]
        contact.save(update_fields=["name", "updated_at"])
    return contact


@transaction.atomic
def inbound_message_receive(
    *, channel: WhatsAppChannel, inbound: InboundMessage
) -> Message | None:
    """Stores one customer message and updates its chat; None if already stored."""
    if _already_stored(channel=channel, inbound=inbound):
        return None
    contact = contact_upsert(
        company_id=channel.company_id,
        phone=inbound.from_number,
        profile_name=inbound.profile_name,
    )
    # Locked, so that concurrent messages of one customer count and order correctly.
    chat, _ = Chat.objects.select_for_update().get_or_create(
        channel=channel, contact=contact, defaults={"company_id": channel.company_id}
    )
    fields = inbound_message_fields(inbound)
    target = (
        fields["payload"].get("reaction", {}).get("message_id")
        if fields["type"] == Message.Type.REACTION
        else inbound.context_wamid
    )
    reply_to = message_by_wamid(channel=channel, wamid=target or "")
    if target and reply_to is None:
        fields["payload"]["context"] = {"id": target}  # quoted before our records
    try:
        with transaction.atomic():
            message = Message.objects.create(
                company_id=channel.company_id,
                chat=chat,
                channel=channel,
                direction=Message.Direction.IN,
                status=Message.Status.RECEIVED,
                wamid=inbound.wamid,
                ycloud_id=inbound.id,
                sent_at=inbound.send_time or timezone.now(),
                reply_to=reply_to,
                **fields,
            )
    except IntegrityError:
        logger.info("wamid %s of channel %s already stored", inbound.wamid, channel.id)
        return None
    events = [message_event(message=message, event_type="message.created")]
    if _chat_register_inbound(chat=chat, message=message):
        events.append(chat_updated_event(chat=chat))
    inbox_events_send(chat=chat, events=events)
    if message.has_media and (message.media_id or message.media_url):
        from messaging.tasks import message_media_download_task  # tasks import us

        # Robust: a failed enqueue or download must not undo or fail the message.
        transaction.on_commit(
            lambda: message_media_download_task.delay(message.id), robust=True
        )
    return message


def _already_stored(*, channel: WhatsAppChannel, inbound: InboundMessage) -> bool:
    # The wamid's unique constraint settles races; this check only saves the work.
    if inbound.wamid:
        return Message.objects.filter(channel=channel, wamid=inbound.wamid).exists()
    return Message.objects.filter(channel=channel, ycloud_id=inbound.id).exists()


def _chat_register_inbound(*, chat: Chat, message: Message) -> bool:
    """Counts the message on its (locked) chat; reactions don't count. True if the
    chat changed."""
    if message.type == Message.Type.REACTION:
        return False
    chat.unread_count += 1
    if chat.last_message_at is None or message.sent_at >= chat.last_message_at:
        chat.last_message_at = message.sent_at
        chat.last_message = message
    if (
        chat.last_customer_message_at is None
        or message.sent_at > chat.last_customer_message_at
    ):
        chat.last_customer_message_at = message.sent_at
    if chat.status in REOPENED_BY_CUSTOMER:
        chat.status = Chat.Status.OPEN
        chat.snoozed_until = None
    chat.save(
        update_fields=[
            "unread_count",
            "last_message_at",
            "last_message",
            "last_customer_message_at",
            "status",
            "snoozed_until",
            "updated_at",
        ]
    )
    return True


def inbound_message_fields(inbound: InboundMessage) -> dict[str, Any]:
    """Message fields for an inbound message of any type; types we don't model are
    kept whole in `payload` as `unknown`."""
    kind, content = inbound.type, inbound.content
    body = content if isinstance(content, dict) else {}
    fields: dict[str, Any] = {"type": Message.Type.UNKNOWN, "payload": {}}
    if kind == "text":
        fields.update(type=Message.Type.TEXT, text=_str(body.get("body")))
    elif kind in Message.MEDIA_TYPES:
        link = _str(body.get("link"))
        fields.update(
            type=kind,
            caption=_str(body.get("caption")),
            media_id=_str(body.get("id"))[:255],
            media_url=link if len(link) <= URL_MAX_LENGTH else "",
            media_mime=_str(body.get("mime_type"))[:255],
            payload={
                key: body[key]
                for key in ("filename", "sha256", "voice", "animated")
                if key in body
            },
        )
    elif kind == "location":
        label = _str(body.get("name")) or _str(body.get("address"))
        fields.update(
            type=Message.Type.LOCATION, text=label, payload={"location": body}
        )
    elif kind == "contacts":
        cards = content if isinstance(content, list) else []
        names = [_card_name(card) for card in cards]
        fields.update(
            type=Message.Type.CONTACTS,
            text=", ".join(name for name in names if name),
            payload={"contacts": cards},
        )
    elif kind == "interactive":
        reply = body.get(_str(body.get("type")))
        title = _str(reply.get("title")) if isinstance(reply, dict) else ""
        fields.update(
            type=Message.Type.INTERACTIVE, text=title, payload={"interactive": body}
        )
    elif kind == "button":  # a tap on a template's quick-reply button
        fields.update(
            type=Message.Type.INTERACTIVE,
            text=_str(body.get("text")),
            payload={"button": body},
        )
    elif kind == "reaction":  # no emoji: the customer removed the reaction
        fields.update(
            type=Message.Type.REACTION,
            text=_str(body.get("emoji")),
            payload={"reaction": body},
        )
    else:
        fields["payload"] = {"type": kind, kind: content}
    fields["payload"].update(inbound.extras)
    return fields


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _card_name(card: Any) -> str:
    name = card.get("name") if isinstance(card, dict) else None
    return _str(name.get("formatted_name")) if isinstance(name, dict) else ""
