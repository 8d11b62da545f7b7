"""Cache invalidation only: a changed or deleted channel must not be served from the
webhook's channel cache."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from messaging.models import WhatsAppChannel
from messaging.selectors import webhook_channel_cache_key


@receiver(post_save, sender=WhatsAppChannel)
@receiver(post_delete, sender=WhatsAppChannel)
def webhook_channel_cache_clear(sender, instance: WhatsAppChannel, **kwargs) -> None:
    cache.delete(webhook_channel_cache_key(instance.webhook_token))
