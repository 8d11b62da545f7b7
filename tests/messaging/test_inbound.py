"""Inbound messages of every type become contacts, chats and messages, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Chat, Contact, Message, WebhookEvent
from tests.factories import CompanyFactory
from tests.fakes.ycloud_webhooks import (
    BUSINESS_NUMBER,
    CUSTOMER_NUMBER,
    fixture_names,
    inbound_event,
    load_fixture,
    new_wamid,
)
from tests.messaging.factories import (
    ChatFactory,
    ContactFactory,
    OutboundMessageFactory,
    WhatsAppChannelFactory,
)

pytestmark = pytest.mark.django_db

# fixture → (type, text, caption, payload keys)
EXPECTED = {
    "inbound_text": ("text", "¿Dónde está mi pedido?", "", {"context"}),
    "inbound_image": ("image", "", "foto del paquete", {"sha256"}),
    "inbound_video": ("video", "", "así llegó", {"sha256"}),
    "inbound_audio": ("audio", "", "", {"sha256", "voice"}),
    "inbound_document": ("document", "", "la factura", {"sha256", "filename"}),
    "inbound_sticker": ("sticker", "", "", {"sha256", "animated"}),
    "inbound_location": ("location", "Puerta del Sol", "", {"location"}),
    "inbound_contacts": ("contacts", "Luis García", "", {"contacts"}),
    "inbound_interactive_button_reply": (
        "interactive",
        "Sí, confirmar",
        "",
        {"interactive", "context"},
    ),
    "inbound_interactive_list_reply": ("interactive", "Reembolso", "", {"interactive"}),
    "inbound_button": (
        "interactive",
        "Hablar con un agente",
        "",
        {"button", "context"},
    ),
    "inbound_reaction": ("reaction", "👍", "", {"reaction", "context"}),
    "inbound_unsupported": ("unknown", "", "", {"type", "unsupported", "errors"}),
    "inbound_order": ("unknown", "", "", {"type", "order", "referral"}),
}


def test_every_inbound_fixture_has_an_expectation():
    assert set(fixture_names("inbound_")) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_inbound_type_creates_contact_chat_and_message(channel, deliver, name):
    event = load_fixture(name)
    data = event["whatsappInboundMessage"]
    kind, text, caption, payload_keys = EXPECTED[name]

    assert deliver(channel, event).status_code == 200

    assert WebhookEvent.objects.get().state == WebhookEvent.State.PROCESSED
    contact = Contact.objects.get()
    assert (contact.company, contact.phone, contact.name, contact.wa_id) == (
        channel.company,
        CUSTOMER_NUMBER,
        "Ana Pérez",
        "34600111222",
    )
    chat = Chat.objects.get()
    assert (chat.company, chat.channel, chat.contact) == (
        channel.company,
        channel,
        contact,
    )
    message = Message.objects.get()
    assert (message.company, message.chat, message.channel) == (
        channel.company,
        chat,
        channel,
    )
    assert (message.direction, message.status) == ("in", "received")
    assert (message.type, message.text, message.caption) == (kind, text, caption)
    assert set(message.payload) == payload_keys
    assert (message.wamid, message.ycloud_id) == (data["wamid"], data["id"])
    assert message.sent_at.isoformat() == "2026-03-01T09:14:57+00:00"
    if message.has_media:
        media = data[kind]
        assert (message.media_id, message.media_url, message.media_mime) == (
            media["id"],
            media["link"],
            media["mime_type"],
        )
    if kind == "reaction":  # a reaction is no new message to read
        assert (chat.unread_count, chat.last_message, chat.last_message_at) == (
            0,
            None,
            None,
        )
    else:
        assert (chat.unread_count, chat.last_message) == (1, message)
        assert chat.last_message_at == chat.last_customer_message_at == message.sent_at


def test_the_same_wamid_under_another_event_id_changes_nothing(channel, deliver):
    event = load_fixture("inbound_text")
    deliver(channel, event)
    chat_before = Chat.objects.values().get()

    response = deliver(channel, {**event, "id": "evt_another_delivery_0001"})

    assert response.data == {"status": "received"}
    assert Message.objects.count() == 1
    assert Chat.objects.values().get() == chat_before
    second = WebhookEvent.objects.get(event_id="evt_another_delivery_0001")
    assert (second.state, second.error) == ("ignored", "Message already stored.")


def test_messages_count_unread_and_the_newest_is_last(channel, deliver):
    now = timezone.now()
    newest = inbound_event(send_time=now.isoformat(), content={"body": "2"})
    # Delivered late: sent earlier, so it is not the chat's last message.
    late = inbound_event(
        send_time=(now - timedelta(minutes=5)).isoformat(), content={"body": "1"}
    )

    deliver(channel, newest)
    deliver(channel, late)

    chat = Chat.objects.get()
    assert chat.unread_count == 2
    assert chat.last_message.text == "2"
    assert chat.last_message_at == chat.last_customer_message_at == now


@pytest.mark.parametrize("status", ["snoozed", "resolved"])
def test_a_new_message_reopens_a_snoozed_or_resolved_chat(channel, deliver, status):
    contact = ContactFactory(company=channel.company, phone=CUSTOMER_NUMBER)
    chat = ChatFactory(
        channel=channel,
        contact=contact,
        status=status,
        snoozed_until=timezone.now() + timedelta(days=1),
        unread_count=3,
    )

    deliver(channel, inbound_event())

    chat.refresh_from_db()
    assert (chat.status, chat.snoozed_until, chat.unread_count) == ("open", None, 4)


def test_a_pending_chat_stays_pending(channel, deliver):
    contact = ContactFactory(company=channel.company, phone=CUSTOMER_NUMBER)
    chat = ChatFactory(channel=channel, contact=contact, status="pending")

    deliver(channel, inbound_event())

    chat.refresh_from_db()
    assert chat.status == "pending"


def test_a_reply_points_at_the_quoted_message(channel, deliver):
    quoted = OutboundMessageFactory(
        chat=ChatFactory(
            channel=channel,
            contact=ContactFactory(company=channel.company, phone=CUSTOMER_NUMBER),
        ),
        wamid=new_wamid(),
    )

    deliver(channel, inbound_event(context_wamid=quoted.wamid))

    reply = Message.objects.get(direction="in")
    assert reply.reply_to == quoted
    assert "context" not in reply.payload


def test_a_reaction_attaches_to_its_target(channel, deliver):
    event = load_fixture("inbound_reaction")
    target_wamid = event["whatsappInboundMessage"]["reaction"]["message_id"]
    target = OutboundMessageFactory(
        chat=ChatFactory(
            channel=channel,
            contact=ContactFactory(company=channel.company, phone=CUSTOMER_NUMBER),
        ),
        wamid=target_wamid,
    )

    deliver(channel, event)

    reaction = Message.objects.get(type="reaction")
    assert reaction.reply_to == target
    assert reaction.payload == {"reaction": {"message_id": target_wamid, "emoji": "👍"}}


def test_a_profile_name_does_not_replace_a_name_agents_gave(channel, deliver):
    ContactFactory(company=channel.company, phone=CUSTOMER_NUMBER, name="Ana (VIP)")

    deliver(channel, inbound_event(profile_name="ana.p"))

    assert Contact.objects.get().name == "Ana (VIP)"


def test_numbers_are_matched_in_e164(channel, deliver):
    deliver(channel, inbound_event(from_number="34600111222"))
    deliver(channel, inbound_event(from_number="+34 600 111 222"))

    assert Contact.objects.get().phone == CUSTOMER_NUMBER
    assert Chat.objects.get().unread_count == 2


def test_a_message_for_another_number_of_the_account_is_ignored(channel, deliver):
    # YCloud sends an account's events to every endpoint of the account.
    deliver(channel, inbound_event(to="+15559998888"))

    event = WebhookEvent.objects.get()
    assert event.state == "ignored"
    assert "+15559998888" in event.error
    assert not Contact.objects.exists()
    assert not Message.objects.exists()


def test_a_channel_token_only_writes_into_its_own_company(channel, deliver):
    other = WhatsAppChannelFactory(
        company=CompanyFactory(), phone_number="+15552223333"
    )

    deliver(channel, inbound_event())
    # Signed by the other channel and addressed to it: lands in its company only.
    deliver(other, inbound_event(to=other.phone_number))
    # The other channel's token with this channel's number: not the other's message.
    deliver(other, inbound_event(to=BUSINESS_NUMBER))

    for company, number in (
        (channel.company, BUSINESS_NUMBER),
        (other.company, "+15552223333"),
    ):
        chats = Chat.objects.for_company(company)
        assert chats.count() == 1
        assert chats.get().channel.phone_number == number
        assert Contact.objects.for_company(company).count() == 1
        assert Message.objects.for_company(company).count() == 1
        assert WebhookEvent.objects.for_company(company).count() == (
            1 if company == channel.company else 2
        )
    assert WebhookEvent.objects.filter(state="ignored").get().channel == other
