from django.conf import settings

from messaging.models import WhatsAppChannel
from messaging.ycloud import YCloudClient


def ycloud_client_for(channel: WhatsAppChannel) -> YCloudClient:
    return YCloudClient(
        api_key=channel.api_key,
        base_url=channel.api_base_url,
        timeout=settings.YCLOUD_TIMEOUT_SECONDS,
    )
