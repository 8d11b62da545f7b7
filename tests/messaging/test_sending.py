"""Agents' replies: checked, stored as queued, sent once through the fake YCloud."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from messaging.models import Chat, Message, Sticker
from messaging.tasks import message_send_task
from tests.factories import UserFactory
from tests.fakes.ycloud_webhooks import CUSTOMER_NUMBER, inbound_event, status_event
from tests.messaging.factories import ChatFactory, TemplateFactory

pytestmark = pytest.mark.django_db

SENDS = "/v2/whatsapp/messages"


@pytest.fixture
def send(api_client, django_capture_on_commit_callbacks):
    """Posts a reply and runs what waits for the commit (the eager send task)."""

    def post(chat: Chat, body: dict, *, suffix: str = "", client: APIClient = None):
        with django_capture_on_commit_callbacks(execute=True):
            return (client or api_client).post(
                f"/api/chats/{chat.id}/messages{suffix}", body
            )

    return post


def posted(fake_ycloud) -> list:
    return [r for r in fake_ycloud.requests if r.method == "POST" and r.path == SENDS]


# --- Success ------------------------------------------------------------------------


def test_a_text_reply_is_queued_then_sent_once_with_our_external_id(
    send, chat, channel, fake_ycloud, user
):
    response = send(chat, {"type": "text", "text": "Hola Ana, ya lo revisamos."})

    assert response.status_code == 202
    assert response.data["status"] == "queued"
    assert response.data["sent_by"] == user.id
    message = Message.objects.get(id=response.data["id"])
    [request] = posted(fake_ycloud)
    assert request.headers["X-API-Key"] == fake_ycloud.api_key
    assert request.body == {
        "from": channel.phone_number,
        "to": CUSTOMER_NUMBER,
        "type": "text",
        "text": {"body": "Hola Ana, ya lo revisamos.", "preview_url": False},
        "externalId": message.external_id,
    }
    [answer] = fake_ycloud.sent.values()
    assert (message.status, message.ycloud_id) == ("accepted", answer["id"])
    assert message.direction == "out" and message.error_code == ""
    chat.refresh_from_db()
    assert chat.last_message_id == message.id


def test_the_status_webhook_then_marks_it_sent_with_its_wamid(
    send, chat, channel, fake_ycloud, deliver
):
    message_id = send(chat, {"type": "text", "text": "hola"}).data["id"]
    message = Message.objects.get(id=message_id)

    deliver(
        channel,
        status_event(
            message_id=message.ycloud_id,
            external_id=message.external_id,
            wamid="wamid.SENT1",
            status="sent",
        ),
    )

    message.refresh_from_db()
    assert (message.status, message.wamid) == ("sent", "wamid.SENT1")
    assert message.sent_at is not None


def test_media_by_link_or_by_uploaded_id(send, chat, fake_ycloud):
    send(
        chat,
        {
            "type": "document",
            "media": {
                "url": "https://files.example.com/invoice.pdf",
                "caption": "Your invoice",
                "filename": "invoice.pdf",
            },
        },
    )
    send(chat, {"type": "audio", "media": {"id": "1234567890"}})

    document, audio = (r.body for r in posted(fake_ycloud))
    assert document["document"] == {
        "link": "https://files.example.com/invoice.pdf",
        "caption": "Your invoice",
        "filename": "invoice.pdf",
    }
    assert audio["audio"] == {"id": "1234567890"}
    stored = Message.objects.get(type="document")
    assert stored.media_url == "https://files.example.com/invoice.pdf"
    assert stored.payload == {"filename": "invoice.pdf"}


def test_a_reply_quotes_the_customers_message_by_wamid(
    send, chat, channel, fake_ycloud, deliver
):
    deliver(channel, inbound_event(wamid="wamid.CUSTOMER1"))
    quoted = Message.objects.get(wamid="wamid.CUSTOMER1")

    response = send(chat, {"type": "text", "text": "Sí", "reply_to": quoted.id})

    assert response.data["reply_to"] == quoted.id
    assert posted(fake_ycloud)[0].body["context"] == {"message_id": "wamid.CUSTOMER1"}


def test_a_library_sticker_is_sent_by_its_public_url(send, chat, fake_ycloud, settings):
    settings.MEDIA_URL = "https://cdn.example.com/media/"
    sticker = Sticker.objects.create(company=chat.company, file="stickers/ok.webp")

    response = send(chat, {"type": "sticker", "media": {"sticker": sticker.id}})

    assert response.status_code == 202
    assert posted(fake_ycloud)[0].body["sticker"] == {
        "link": "https://cdn.example.com/media/stickers/ok.webp"
    }


def test_a_sticker_without_a_public_url_is_refused(send, chat, fake_ycloud):
    sticker = Sticker.objects.create(company=chat.company, file="stickers/ok.webp")

    response = send(chat, {"type": "sticker", "media": {"sticker": sticker.id}})

    assert response.status_code == 400
    assert "sticker" in response.data["media"][0]
    assert not Message.objects.exists() and not posted(fake_ycloud)


# --- The 24-hour window -------------------------------------------------------------


@pytest.mark.parametrize("hours_ago", [25, None])
def test_free_form_outside_the_window_is_409(send, chat, fake_ycloud, hours_ago):
    Chat.objects.filter(id=chat.id).update(
        last_customer_message_at=hours_ago
        and timezone.now() - timedelta(hours=hours_ago)
    )

    response = send(chat, {"type": "image", "media": {"url": "https://x.io/a.png"}})

    assert response.status_code == 409
    assert response.data["code"] == "window_closed"
    assert "template" in response.data["detail"]
    assert not Message.objects.exists() and not posted(fake_ycloud)


def test_a_template_can_be_sent_outside_the_window(send, chat, channel, fake_ycloud):
    Chat.objects.filter(id=chat.id).update(
        last_customer_message_at=timezone.now() - timedelta(days=3)
    )
    fake_ycloud.add_template("order_update", "es")
    TemplateFactory(
        channel=channel,
        name="order_update",
        language="es",
        status="APPROVED",
        components=[{"type": "BODY", "text": "Hola {{1}}, tu pedido {{2}} salió."}],
    )

    response = send(
        chat,
        {
            "type": "template",
            "template": {
                "name": "order_update",
                "language": "es",
                "params": ["Ana", "#1001"],
            },
        },
    )

    assert response.status_code == 202
    assert response.data["text"] == "Hola Ana, tu pedido #1001 salió."
    assert posted(fake_ycloud)[0].body["template"] == {
        "name": "order_update",
        "language": {"code": "es", "policy": "deterministic"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Ana"},
                    {"type": "text", "text": "#1001"},
                ],
            }
        ],
    }
    assert Message.objects.get().status == "accepted"


# --- Failures and retries -----------------------------------------------------------


def test_a_5xx_is_retried_and_the_message_sent_once(send, chat, fake_ycloud):
    fake_ycloud.fail_next(500)

    response = send(chat, {"type": "text", "text": "hola"})

    message = Message.objects.get(id=response.data["id"])
    first, second = posted(fake_ycloud)
    assert first.body["externalId"] == second.body["externalId"] == message.external_id
    assert len(fake_ycloud.sent) == 1
    assert (message.status, message.ycloud_id) == ("accepted", *fake_ycloud.sent)


def test_a_429_waits_and_is_retried(send, chat, fake_ycloud):
    fake_ycloud.fail_next(429, retry_after=1)
    response = send(chat, {"type": "text", "text": "hola"})
    assert len(posted(fake_ycloud)) == 2
    assert Message.objects.get(id=response.data["id"]).status == "accepted"


def test_a_timeout_is_retried(send, chat, fake_ycloud, settings):
    settings.YCLOUD_TIMEOUT_SECONDS = 0.2
    fake_ycloud.hang_next(0.5)
    response = send(chat, {"type": "text", "text": "hola"})
    assert Message.objects.get(id=response.data["id"]).status == "accepted"


def test_a_4xx_fails_the_message_with_ycloud_error(send, chat, fake_ycloud):
    fake_ycloud.fail_next(
        403, code="RECIPIENT_IN_BLOCK_LIST", message="The recipient blocked you."
    )

    response = send(chat, {"type": "text", "text": "hola"})

    message = Message.objects.get(id=response.data["id"])
    assert len(posted(fake_ycloud)) == 1  # never retried
    assert (message.status, message.error_code) == ("failed", "RECIPIENT_IN_BLOCK_LIST")
    assert "The recipient blocked you." in message.error_message
    assert message.failed_at is not None


def test_a_send_that_keeps_failing_ends_failed_after_the_retries(
    send, chat, fake_ycloud
):
    fake_ycloud.fail_next(503, times=10)

    response = send(chat, {"type": "text", "text": "hola"})

    message = Message.objects.get(id=response.data["id"])
    assert len(posted(fake_ycloud)) == 6  # the first try and 5 retries
    assert (message.status, message.error_code) == ("failed", "SERVICE_UNAVAILABLE")


def test_a_message_no_longer_queued_is_never_sent_again(
    send, chat, channel, fake_ycloud, deliver
):
    message = Message.objects.get(
        id=send(chat, {"type": "text", "text": "a"}).data["id"]
    )

    message_send_task.delay(message.id)  # a redelivered task

    assert len(posted(fake_ycloud)) == 1
    # A send whose answer was lost: its status webhook (matched by our externalId)
    # arrives before the retry, which then has nothing to do.
    lost = Message.objects.create(
        company=chat.company,
        chat=chat,
        channel=channel,
        direction="out",
        text="b",
        status="queued",
        external_id="mostrador-lost",
    )
    deliver(
        channel,
        status_event(
            message_id="ycl-lost", external_id="mostrador-lost", status="sent"
        ),
    )
    message_send_task.delay(lost.id)
    lost.refresh_from_db()
    assert (lost.status, lost.ycloud_id) == ("sent", "ycl-lost")
    assert len(posted(fake_ycloud)) == 1


def test_a_deactivated_channel_refuses_replies(send, chat, channel):
    channel.is_active = False
    channel.save()
    response = send(chat, {"type": "text", "text": "hola"})
    assert (response.status_code, response.data["code"]) == (409, "channel_inactive")


# --- Permissions and input ----------------------------------------------------------


def test_replying_needs_the_reply_permission(send, chat, company):
    role = Role.objects.create(company=company, name="viewer", permissions=[])
    response = send(
        chat,
        {"type": "text", "text": "hola"},
        client=_client(UserFactory(company=company, role=role)),
    )
    assert response.status_code == 403
    assert not Message.objects.exists()


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "type"),
        ({"type": "location"}, "type"),
        ({"type": "text"}, "text"),
        ({"type": "text", "text": ""}, "text"),
        ({"type": "text", "text": "x" * 4097}, "text"),
        ({"type": "text", "text": "hi", "media": {"url": "https://x.io/a"}}, "media"),
        ({"type": "image"}, "media"),
        ({"type": "image", "text": "hi", "media": {"id": "1"}}, "text"),
        ({"type": "image", "media": {}}, "media"),
        ({"type": "image", "media": {"url": "https://x.io/a", "id": "1"}}, "media"),
        ({"type": "image", "media": {"url": "ftp://x.io/a.png"}}, "media"),
        ({"type": "image", "media": {"url": "not a url"}}, "media"),
        ({"type": "audio", "media": {"id": "1", "caption": "hi"}}, "media"),
        ({"type": "image", "media": {"id": "1", "filename": "a.png"}}, "media"),
        ({"type": "image", "media": {"sticker": 1}}, "media"),
        ({"type": "sticker", "media": {"sticker": 999}}, "media"),
        ({"type": "template"}, "template"),
        ({"type": "template", "template": {"name": "x"}}, "template"),
        ({"type": "template", "template": {"language": "en"}}, "template"),
        (
            {
                "type": "template",
                "template": {"name": "x", "language": "en", "params": "a"},
            },
            "template",
        ),
        ({"type": "text", "text": "hi", "reply_to": "abc"}, "reply_to"),
        ({"type": "text", "text": "hi", "reply_to": 10**30}, "reply_to"),
        ({"type": "text", "text": "hi", "reply_to": 424242}, "reply_to"),
    ],
)
def test_bad_input_is_400_naming_the_field(send, chat, fake_ycloud, body, field):
    response = send(chat, body)
    assert response.status_code == 400, response.data
    assert field in response.data
    assert not Message.objects.exists() and not posted(fake_ycloud)


def test_reply_to_a_message_of_another_chat_is_refused(send, chat, channel):
    elsewhere = ChatFactory(channel=channel)
    quoted = Message.objects.create(
        company=chat.company,
        chat=elsewhere,
        channel=channel,
        direction="in",
        text="hi",
        status="received",
    )
    response = send(chat, {"type": "text", "text": "hi", "reply_to": quoted.id})
    assert response.status_code == 400
    assert "reply_to" in response.data


def test_a_malformed_body_is_400(api_client, chat):
    response = api_client.post(
        f"/api/chats/{chat.id}/messages", "{nope", content_type="application/json"
    )
    assert response.status_code == 400


# --- Several at once ----------------------------------------------------------------


def test_bulk_replies_are_all_queued_and_sent_in_order(send, chat, fake_ycloud):
    response = send(
        chat,
        {
            "messages": [
                {"type": "text", "text": "one"},
                {"type": "image", "media": {"url": "https://x.io/two.png"}},
                {"type": "text", "text": "three"},
            ]
        },
        suffix="/bulk",
    )

    assert response.status_code == 202
    assert [m["status"] for m in response.data["results"]] == ["queued"] * 3
    bodies = [r.body for r in posted(fake_ycloud)]
    assert [b["type"] for b in bodies] == ["text", "image", "text"]
    assert bodies[2]["text"]["body"] == "three"
    assert set(Message.objects.values_list("status", flat=True)) == {"accepted"}
    chat.refresh_from_db()
    assert chat.last_message_id == response.data["results"][-1]["id"]


def test_bulk_stores_nothing_when_one_message_is_bad(send, chat, fake_ycloud):
    response = send(
        chat,
        {"messages": [{"type": "text", "text": "ok"}, {"type": "image"}]},
        suffix="/bulk",
    )

    assert response.status_code == 400
    assert "media" in response.data["messages"][1]
    assert not Message.objects.exists() and not posted(fake_ycloud)


def test_bulk_outside_the_window_is_refused_whole(send, chat, fake_ycloud):
    Chat.objects.filter(id=chat.id).update(last_customer_message_at=None)
    fake_ycloud.add_template("hello")
    response = send(
        chat,
        {
            "messages": [
                {"type": "template", "template": {"name": "hello", "language": "en"}},
                {"type": "text", "text": "and a free-form one"},
            ]
        },
        suffix="/bulk",
    )
    assert response.status_code == 409
    assert not Message.objects.exists() and not posted(fake_ycloud)


@pytest.mark.parametrize("body", [{}, {"messages": []}, {"messages": "x"}])
def test_bulk_bad_input_is_400(send, chat, body):
    response = send(chat, body, suffix="/bulk")
    assert response.status_code == 400
    assert "messages" in response.data
