"""Reads of the messaging app."""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from messaging.models import Message, WhatsAppChannel
from project.errors import NotFound

WEBHOOK_CHANNEL_CACHE_SECONDS = 60
_MISSING = "missing"


@dataclass(frozen=True)
class WebhookChannel:
    """What the webhook view needs of a channel, cheap to cache."""

    id: int
    company_id: int
    webhook_secret: str


def webhook_channel_cache_key(token: str) -> str:
    return "messaging:webhook-channel:" + hashlib.sha256(token.encode()).hexdigest()


def webhook_channel_get(*, token: str) -> WebhookChannel:
    """The active channel whose webhook URL carries `token`, cached briefly (saves
    and deletes clear it); an unknown or inactive token is a NotFound."""
    key = webhook_channel_cache_key(token)
    found = cache.get(key)
    if found is None:
        channel = (
            WhatsAppChannel.objects.filter(webhook_token=token, is_active=True)
            .values("id", "company_id", "webhook_secret")
            .first()
        )
        found = WebhookChannel(**channel) if channel else _MISSING
        cache.set(key, found, WEBHOOK_CHANNEL_CACHE_SECONDS)
    if found == _MISSING:
        raise NotFound("Unknown webhook.")
    return found


def message_by_wamid(*, channel: WhatsAppChannel, wamid: str) -> Message | None:
    if not wamid:
        return None
    return Message.objects.filter(channel=channel, wamid=wamid).first()
