from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from messaging.models import Chat
from tests.fakes.ycloud_server import _ycloud_server, fake_ycloud  # noqa: F401
from tests.fakes.ycloud_webhooks import CUSTOMER_NUMBER, signed_delivery
from tests.messaging.factories import (
    ChatFactory,
    ContactFactory,
    WhatsAppChannelFactory,
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def channel(company, fake_ycloud):  # noqa: F811 (the fixture imported above)
    """The company's WhatsApp line, with the fake YCloud as its API."""
    return WhatsAppChannelFactory(
        company=company, api_base_url=fake_ycloud.url, api_key=fake_ycloud.api_key
    )


@pytest.fixture
def chat(channel) -> Chat:
    """A chat whose customer wrote a minute ago: the 24-hour window is open."""
    return ChatFactory(
        channel=channel,
        contact=ContactFactory(company=channel.company, phone=CUSTOMER_NUMBER),
        last_customer_message_at=timezone.now() - timedelta(minutes=1),
    )


def webhook_post(client: APIClient, token: str, body: bytes, headers: dict[str, str]):
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    meta.pop("HTTP_CONTENT_TYPE", None)
    return client.post(
        f"/api/webhooks/ycloud/{token}",
        data=body,
        content_type="application/json",
        **meta,
    )


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Posts an event (dict or raw bytes) to a channel's webhook, signed with its
    secret unless told otherwise, running the on-commit work (processing, media)."""

    def send(channel, event, *, secret=None, timestamp=None, headers=None):
        body, signed = signed_delivery(
            secret or channel.webhook_secret, event, timestamp=timestamp
        )
        with django_capture_on_commit_callbacks(execute=True):
            return webhook_post(
                APIClient(),
                channel.webhook_token,
                body,
                signed if headers is None else headers,
            )

    return send
