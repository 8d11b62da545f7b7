"""Writes of the inbox catalog: WhatsApp channels, message templates (kept in step
with YCloud) and stickers."""

import logging
import uuid
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Company
from messaging.models import Sticker, Template, WhatsAppChannel
from messaging.models.channels import new_webhook_token
from messaging.selectors import webhook_channel_cache_key
from messaging.services.channels import ycloud_client_for
from messaging.ycloud import YCloudAuthError, YCloudTemplate
from project.errors import Conflict

logger = logging.getLogger(__name__)

CHANNEL_FIELDS = (
    "name",
    "phone_number",
    "api_key",
    "webhook_secret",
    "api_base_url",
    "waba_id",
    "is_active",
)
TEMPLATE_FIELDS = ("name", "language", "category", "status", "reason", "components")
SYNCED_FIELDS = ("category", "status", "reason", "components")
# Content types we take for stickers, with the bytes their files must start with.
STICKER_TYPES = {"image/webp": "webp", "image/png": "png"}


# --- Channels ---------------------------------------------------------------------------


def channel_create(
    *,
    company: Company,
    phone_number: str,
    api_key: str,
    webhook_secret: str,
    name: str = "",
    api_base_url: str = "",
    waba_id: str = "",
    is_active: bool = True,
) -> WhatsAppChannel:
    channel = WhatsAppChannel(
        company=company,
        name=name,
        phone_number=phone_number,
        api_key=api_key,
        webhook_secret=webhook_secret,
        api_base_url=api_base_url or settings.YCLOUD_API_BASE_URL,
        waba_id=waba_id,
        is_active=is_active,
    )
    _channel_save(channel)
    return channel


def channel_update(
    *, channel: WhatsAppChannel, data: dict[str, Any]
) -> WhatsAppChannel:
    """Changes the given fields; a secret left out keeps its stored value."""
    for field in CHANNEL_FIELDS:
        if field in data:
            setattr(channel, field, data[field])
    if not channel.api_base_url:
        channel.api_base_url = settings.YCLOUD_API_BASE_URL
    _channel_save(channel)
    return channel


def channel_delete(*, channel: WhatsAppChannel) -> None:
    chats = channel.chats.count()
    if chats:
        raise Conflict(
            f"The channel has {chats} chat(s); deleting it would delete their "
            "history. Deactivate it instead (is_active: false)."
        )
    channel.delete()


def channel_rotate_token(*, channel: WhatsAppChannel) -> WhatsAppChannel:
    """A new webhook URL; the old one stops working as soon as this commits."""
    old_token = channel.webhook_token
    channel.webhook_token = new_webhook_token()
    channel.save(update_fields=["webhook_token", "updated_at"])
    transaction.on_commit(lambda: cache.delete(webhook_channel_cache_key(old_token)))
    return channel


def _channel_save(channel: WhatsAppChannel) -> None:
    clash = WhatsAppChannel.objects.filter(
        company_id=channel.company_id, phone_number=channel.phone_number
    ).exclude(id=channel.id)
    error = ValidationError(
        {"phone_number": "The company already has a channel with this number."}
    )
    if clash.exists():
        raise error
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError:  # the same number saved concurrently
        raise error from None


# --- Templates --------------------------------------------------------------------------


def template_create(
    *,
    company: Company,
    channel_id: int,
    name: str,
    language: str,
    category: str,
    status: str = Template.Status.PENDING,
    reason: str = "",
    components: list[dict[str, Any]] | None = None,
) -> Template:
    template = Template(
        company=company,
        channel=company_channel(company=company, channel_id=channel_id),
        name=name,
        language=language,
        category=category,
        status=status,
        reason=reason,
        components=components or [],
    )
    _template_save(template)
    return template


def template_update(*, template: Template, data: dict[str, Any]) -> Template:
    for field in TEMPLATE_FIELDS:
        if field in data:
            setattr(template, field, data[field])
    _template_save(template)
    return template


def template_delete(*, template: Template) -> None:
    template.delete()


def _template_save(template: Template) -> None:
    clash = Template.objects.filter(
        channel_id=template.channel_id,
        name=template.name,
        language=template.language,
    ).exclude(id=template.id)
    error = ValidationError(
        {"name": "The channel already has a template with this name and language."}
    )
    if clash.exists():
        raise error
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise error from None


@dataclass(frozen=True)
class TemplateSyncResult:
    channels: tuple[int, ...] = ()
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: "TemplateSyncResult") -> "TemplateSyncResult":
        return TemplateSyncResult(
            channels=self.channels + other.channels,
            created=self.created + other.created,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
        )

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def template_sync(
    *, company: Company, channel_id: int | None = None
) -> TemplateSyncResult:
    """Pulls the templates of one channel, or of every active channel, from YCloud."""
    if channel_id is not None:
        channels = [company_channel(company=company, channel_id=channel_id)]
    else:
        channels = list(
            WhatsAppChannel.objects.for_company(company).filter(is_active=True)
        )
    if not channels:
        raise ValidationError(
            {"channel": "The company has no active WhatsApp channel to sync."}
        )
    result = TemplateSyncResult()
    for channel in channels:
        result += template_sync_channel(channel=channel)
    return result


def template_sync_channel(*, channel: WhatsAppChannel) -> TemplateSyncResult:
    """Upserts the channel's templates by (name, language), idempotently. Local
    templates YCloud does not list are left alone."""
    try:
        upstream = ycloud_client_for(channel).list_templates()
    except YCloudAuthError as exc:
        raise YCloudAuthError(
            f"YCloud refused the API key of channel {channel.phone_number}; "
            f"set the right one with PATCH /api/channels/{channel.id}.",
            status=exc.status,
            error_code=exc.error_code,
            request_id=exc.request_id,
        ) from exc
    wanted = {
        (item.name, item.language): _synced_fields(item)
        for item in upstream
        if _belongs_to(item, channel)
    }
    now = timezone.now()
    with transaction.atomic():
        # One sync per channel at a time, so two cannot insert the same template.
        WhatsAppChannel.objects.select_for_update().filter(id=channel.id).first()
        existing = {(t.name, t.language): t for t in channel.templates.all()}
        created, changed = [], []
        for (name, language), fields in wanted.items():
            template = existing.get((name, language))
            if template is None:
                created.append(
                    Template(
                        company_id=channel.company_id,
                        channel=channel,
                        name=name,
                        language=language,
                        **fields,
                    )
                )
            elif any(getattr(template, key) != value for key, value in fields.items()):
                for key, value in fields.items():
                    setattr(template, key, value)
                template.updated_at = now
                changed.append(template)
        Template.objects.bulk_create(created)
        Template.objects.bulk_update(changed, [*SYNCED_FIELDS, "updated_at"])
    logger.info(
        "templates of channel %s synced: %s new, %s changed",
        channel.id,
        len(created),
        len(changed),
    )
    return TemplateSyncResult(
        channels=(channel.id,),
        created=len(created),
        updated=len(changed),
        unchanged=len(wanted) - len(created) - len(changed),
    )


def _belongs_to(item: YCloudTemplate, channel: WhatsAppChannel) -> bool:
    """One API key sees every WABA of the account: keep the channel's own, when known,
    and what fits our columns."""
    if channel.waba_id and item.waba_id and item.waba_id != channel.waba_id:
        return False
    if len(item.name) > 512 or len(item.language) > 16:
        logger.warning(
            "template %r (%r) does not fit; skipped", item.name[:60], item.language[:20]
        )
        return False
    return True


def _synced_fields(item: YCloudTemplate) -> dict[str, Any]:
    return {
        "category": item.category[:32],
        "status": (item.status or Template.Status.PENDING)[:32],
        "reason": item.reason[:255],
        "components": item.components,
    }


def company_channel(*, company: Company, channel_id: int) -> WhatsAppChannel:
    """The company's channel named in a request body; any other id is a 400."""
    channel = WhatsAppChannel.objects.for_company(company).filter(id=channel_id).first()
    if channel is None:
        raise ValidationError({"channel": "No such channel in your company."})
    return channel


# --- Stickers ---------------------------------------------------------------------------


def sticker_create(*, company: Company, file: UploadedFile, name: str = "") -> Sticker:
    """Stores an uploaded sticker under the company's media folder, under a random
    name; the declared type and the file's first bytes must both say WebP or PNG."""
    extension = _sticker_extension(file)
    sticker = Sticker(
        company=company, name=name or PurePath(file.name or "").stem[:100]
    )
    sticker.file.save(f"{uuid.uuid4().hex}.{extension}", file, save=False)
    try:
        sticker.save()
    except Exception:
        sticker.file.delete(save=False)
        raise
    return sticker


def sticker_delete(*, sticker: Sticker) -> None:
    storage, name = sticker.file.storage, sticker.file.name
    sticker.delete()
    transaction.on_commit(lambda: storage.delete(name))


def _sticker_extension(file: UploadedFile) -> str:
    declared = (file.content_type or "").split(";")[0].strip().lower()
    if declared not in STICKER_TYPES:
        raise ValidationError(
            {"file": "A sticker must be a WebP or PNG image (image/webp, image/png)."}
        )
    limit = settings.STICKER_MAX_BYTES
    if file.size is None or file.size > limit:
        raise ValidationError(
            {"file": f"The sticker is {file.size} bytes; the limit is {limit}."}
        )
    file.seek(0)
    head = file.read(12)
    file.seek(0)
    if _sniffed_type(head) != declared:
        raise ValidationError(
            {"file": f"The file's content is not a {declared} image."}
        )
    return STICKER_TYPES[declared]


def _sniffed_type(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None
