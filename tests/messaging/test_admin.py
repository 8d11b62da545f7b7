"""The admin: channels with write-only secrets, chats, read-only webhook events."""

import pytest

from messaging.models import WebhookEvent, WhatsAppChannel
from tests.fakes.ycloud_webhooks import inbound_event
from tests.messaging.factories import ChatFactory, WhatsAppChannelFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/messaging/whatsappchannel/add/"


def channel_form(company, **overrides) -> dict:
    return {
        "company": company.id,
        "name": "Ventas",
        "phone_number": "+15550001111",
        "api_key": "",
        "webhook_secret": "",
        "api_base_url": "https://api.ycloud.com/v2",
        "waba_id": "",
        "is_active": "on",
        **overrides,
    }


def test_a_new_channel_needs_both_secrets(admin_client, company):
    response = admin_client.post(ADD_URL, channel_form(company, api_key="k"))

    assert response.status_code == 200
    assert "webhook_secret" in response.context["adminform"].form.errors
    assert not WhatsAppChannel.objects.exists()


def test_secrets_are_write_only_and_kept_when_left_empty(admin_client, company):
    admin_client.post(
        ADD_URL,
        channel_form(company, api_key="secret-key-1", webhook_secret="whsec_secret_1"),
    )
    channel = WhatsAppChannel.objects.get()
    change_url = f"/admin/messaging/whatsappchannel/{channel.id}/change/"

    page = admin_client.get(change_url).content.decode()
    listing = admin_client.get("/admin/messaging/whatsappchannel/").content.decode()
    admin_client.post(change_url, channel_form(company, name="Soporte"))

    for html in (page, listing):
        assert "secret-key-1" not in html
        assert "whsec_secret_1" not in html
    assert channel.webhook_token in page  # the URL to paste into YCloud
    channel.refresh_from_db()
    assert (channel.name, channel.api_key, channel.webhook_secret) == (
        "Soporte",
        "secret-key-1",
        "whsec_secret_1",
    )

    admin_client.post(change_url, channel_form(company, api_key="secret-key-2"))
    channel.refresh_from_db()
    assert (channel.api_key, channel.webhook_secret) == (
        "secret-key-2",
        "whsec_secret_1",
    )


def test_chat_list_filters_and_search(admin_client):
    chat = ChatFactory(contact__name="Ana Pérez", status="snoozed")
    base = "/admin/messaging/chat/"

    for query in (
        "?status__exact=snoozed",
        f"?assigned_to__id__exact={chat.company_id}",
        "?q=Ana",
        f"?q={chat.contact.phone}",
    ):
        assert admin_client.get(base + query).status_code == 200
    assert admin_client.get(f"{base}{chat.id}/change/").status_code == 200


def test_webhook_events_are_read_only(admin_client, channel, deliver):
    deliver(channel, inbound_event())
    event = WebhookEvent.objects.get()

    listing = admin_client.get("/admin/messaging/webhookevent/?state__exact=processed")
    page = admin_client.get(f"/admin/messaging/webhookevent/{event.id}/change/")

    assert event.event_id in listing.content.decode()
    assert page.status_code == 200
    assert "whatsappInboundMessage" in page.content.decode()
    assert b'name="_save"' not in page.content
    assert admin_client.get("/admin/messaging/webhookevent/add/").status_code == 403


def test_channel_list_is_searchable(admin_client):
    WhatsAppChannelFactory(name="Ventas")

    response = admin_client.get("/admin/messaging/whatsappchannel/?q=Ventas")

    assert response.status_code == 200
    assert "Ventas" in response.content.decode()
