"""A WhatsApp chat export imported as a contact, a chat and its messages.

Each imported message carries `payload.import_key`, a digest of its time, author,
text and attachment (and which repeat of those it is), so importing the same export
again, or a longer one of the same chat, adds only what is new."""

import hashlib
import json
import logging
import mimetypes
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Company
from messaging.chat_export import (
    ChatExport,
    DateOrder,
    ExportedMessage,
    ExportError,
    read_export,
)
from messaging.models import Chat, Message, WhatsAppChannel
from messaging.phones import normalize_e164
from messaging.services.catalog import company_channel
from messaging.services.inbound import contact_upsert
from messaging.services.notify import chat_updated_send

logger = logging.getLogger(__name__)

# Media inside a zip are mostly compressed already (JPEG, MP4, Opus), so what the
# export unpacks to is bounded at twice the upload limit.
UNPACKED_FACTOR = 2
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-().]{7,20}$")
_MIME_OVERRIDES = {".opus": "audio/ogg", ".webp": "image/webp"}
_TYPE_BY_MIME = {"image": "image", "audio": "audio", "video": "video"}


@dataclass(frozen=True)
class ChatImportResult:
    chat: Chat
    created: int
    duplicates: int
    media_stored: int
    media_missing: int
    system_lines: int


def chat_import(
    *,
    company: Company,
    file: UploadedFile,
    channel_id: int | None = None,
    phone: str = "",
    name: str = "",
    agent_name: str = "",
    date_order: DateOrder | None = None,
    tz: tzinfo | None = None,
) -> ChatImportResult:
    """Imports the export into the channel's chat with its contact. `agent_name` is
    the author on our side (messages `out`); without it, the author matching the
    contact's number or name is the customer and every other author is us."""
    channel = _import_channel(company=company, channel_id=channel_id)
    export = _read(file=file, date_order=date_order)
    phone = _contact_phone(export=export, phone=phone, agent_name=agent_name)
    customers = _customer_authors(
        export=export, phone=phone, name=name, agent_name=agent_name
    )
    display_name = name or next(
        (
            a
            for a in [*sorted(customers), export.title]
            if a and not _PHONE_LIKE.match(a)
        ),
        "",
    )
    written: list[Message] = []  # whose files must go if the import fails
    try:
        with transaction.atomic():
            contact = contact_upsert(
                company_id=company.id, phone=phone, profile_name=display_name
            )
            chat, _ = Chat.objects.select_for_update().get_or_create(
                channel=channel, contact=contact, defaults={"company_id": company.id}
            )
            known = set(
                Message.objects.filter(chat=chat, payload__has_key="import_key")
                .values_list("payload__import_key", flat=True)
                .iterator()
            )
            messages = [
                _message(chat=chat, key=key, exported=item, customers=customers, tz=tz)
                for key, item in _keyed(export.messages)
                if key not in known
            ]
            _attach_media(messages=messages, media=export.media, written=written)
            Message.objects.bulk_create(messages, batch_size=500)
            # Dated by the export, not by today (earlier imports already are).
            Message.objects.filter(chat=chat, payload__has_key="import_key").update(
                created_at=F("sent_at")
            )
            _chat_register_history(chat=chat, messages=messages)
    except BaseException:
        for message in written:
            message.media_file.delete(save=False)
        raise
    logger.info("chat %s: %s messages imported", chat.id, len(messages))
    attached = sum(1 for m in messages if m.payload.get("filename"))
    return ChatImportResult(
        chat=chat,
        created=len(messages),
        duplicates=len(export.messages) - len(messages),
        media_stored=len(written),
        media_missing=attached - len(written),
        system_lines=export.system_lines,
    )


def _import_channel(*, company: Company, channel_id: int | None) -> WhatsAppChannel:
    if channel_id is not None:
        return company_channel(company=company, channel_id=channel_id)
    channels = list(
        WhatsAppChannel.objects.for_company(company).filter(is_active=True)[:2]
    )
    if len(channels) == 1:
        return channels[0]
    raise ValidationError(
        {
            "channel": "Several channels could hold this chat; say which one."
            if channels
            else "The company has no active WhatsApp channel; create one first."
        }
    )


def _read(*, file: UploadedFile, date_order: DateOrder | None) -> ChatExport:
    limit = settings.CHAT_IMPORT_MAX_BYTES
    if file.size is None or file.size > limit:
        raise ValidationError(
            {"file": f"The export is {file.size} bytes; the limit is {limit}."}
        )
    try:
        return read_export(
            filename=file.name or "",
            content=file.read(),
            max_messages=settings.CHAT_IMPORT_MAX_MESSAGES,
            max_unpacked_bytes=limit * UNPACKED_FACTOR,
            date_order=date_order,
        )
    except ExportError as exc:
        raise ValidationError({exc.field: str(exc)}) from exc


def _contact_phone(*, export: ChatExport, phone: str, agent_name: str) -> str:
    """The customer's number: as given, or the one number among the authors and the
    export's title ("WhatsApp Chat with +34 600 …") when the contact was not saved."""
    if phone:
        number = normalize_e164(phone)
        if number is None:
            raise ValidationError(
                {"phone": "Enter the number in E.164 form, e.g. +34600111222."}
            )
        return number
    candidates = {
        normalize_e164(label)
        for label in [*export.authors, export.title]
        if label and _PHONE_LIKE.match(label) and label != agent_name
    } - {None}
    if len(candidates) == 1:
        return candidates.pop()
    raise ValidationError(
        {"phone": "The export does not say the customer's number; send it in phone."}
    )


def _customer_authors(
    *, export: ChatExport, phone: str, name: str, agent_name: str
) -> set[str]:
    authors = export.authors
    if agent_name:
        if agent_name.casefold() not in {a.casefold() for a in authors}:
            raise ValidationError(
                {"agent_name": f"No message is by '{agent_name}'. {_listing(authors)}"}
            )
        return {a for a in authors if a.casefold() != agent_name.casefold()}
    names = {n.casefold() for n in (name, export.title) if n}
    customers = {
        a
        for a in authors
        if a.casefold() in names
        or (_PHONE_LIKE.match(a) and normalize_e164(a) == phone)
    }
    if customers:
        return customers
    if len(authors) == 1:
        return set(authors)
    raise ValidationError(
        {"agent_name": f"Say which author is your side. {_listing(authors)}"}
    )


def _listing(authors: list[str]) -> str:
    return "The authors are: " + ", ".join(f"'{a}'" for a in authors[:10]) + "."


def _keyed(messages: list[ExportedMessage]) -> list[tuple[str, ExportedMessage]]:
    """Each message with its import key; identical messages (two "ok" in one minute)
    are told apart by their repeat number."""
    repeats: Counter[tuple] = Counter()
    keyed = []
    for message in messages:
        basis = (
            message.sent_at.isoformat(),
            message.author,
            message.text,
            message.attachment,
            message.media_omitted,
        )
        repeats[basis] += 1
        digest = hashlib.sha256(
            json.dumps([*basis, repeats[basis]]).encode()
        ).hexdigest()
        keyed.append((digest[:40], message))
    return keyed


def _message(
    *,
    chat: Chat,
    key: str,
    exported: ExportedMessage,
    customers: set[str],
    tz: tzinfo | None,
) -> Message:
    inbound = exported.author in customers
    payload: dict = {"import_key": key, "author": exported.author}
    kind = Message.Type.TEXT
    if exported.attachment:
        kind = _media_type(exported.attachment)
        payload["filename"] = exported.attachment
    elif exported.media_omitted:
        kind = Message.Type.UNKNOWN
        payload["media_omitted"] = True
    media = kind in Message.MEDIA_TYPES
    return Message(
        company_id=chat.company_id,
        chat=chat,
        channel_id=chat.channel_id,
        direction=Message.Direction.IN if inbound else Message.Direction.OUT,
        type=kind,
        text="" if media else exported.text or _omitted_text(exported),
        caption=exported.text if media else "",
        media_mime=_mime(exported.attachment) if media else "",
        payload=payload,
        status=Message.Status.RECEIVED if inbound else Message.Status.SENT,
        sent_at=timezone.make_aware(exported.sent_at, tz),
    )


def _omitted_text(exported: ExportedMessage) -> str:
    return "Media omitted from the export." if exported.media_omitted else ""


def _mime(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    return (
        _MIME_OVERRIDES.get(suffix)
        or mimetypes.guess_type(filename)[0]
        or "application/octet-stream"
    )


def _media_type(filename: str) -> str:
    if filename.lower().endswith(".webp"):
        return Message.Type.STICKER  # WhatsApp exports stickers as STK-….webp
    return _TYPE_BY_MIME.get(_mime(filename).split("/")[0], Message.Type.DOCUMENT)


def _attach_media(
    *, messages: list[Message], media: dict[str, bytes], written: list[Message]
) -> None:
    """Writes the zip's files to the company's media folder under random names (the
    export's names stay in `payload.filename`), appending each message to `written`."""
    for message in messages:
        content = media.get(message.payload.get("filename", ""))
        if content is not None:
            suffix = PurePath(message.payload["filename"]).suffix.lower()[:10]
            message.media_file.save(
                f"{uuid.uuid4().hex}{suffix}", ContentFile(content), save=False
            )
            written.append(message)


def _chat_register_history(*, chat: Chat, messages: list[Message]) -> None:
    """Moves the chat's last message forward if the export reaches further. The
    24-hour window is left alone: old history says nothing about what YCloud sees."""
    if not messages:
        return
    newest = max(messages, key=lambda m: (m.sent_at, m.id))
    if chat.last_message_at is None or newest.sent_at > chat.last_message_at:
        chat.last_message = newest
        chat.last_message_at = newest.sent_at
        chat.save(update_fields=["last_message", "last_message_at", "updated_at"])
    chat_updated_send(chat=chat)
