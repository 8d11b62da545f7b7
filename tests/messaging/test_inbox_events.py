"""Processed events reach the inbox sockets of the channel's company, and no other."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from rest_framework.test import APIClient

from accounts.services import tokens_for_user
from messaging.events import inbox_events_send
from messaging.models import Message
from messaging.serializers import ChatOutputSerializer, MessageOutputSerializer
from project.asgi import application
from tests.fakes.ycloud_webhooks import inbound_event, signed_delivery, status_event
from tests.messaging.conftest import webhook_post
from tests.messaging.factories import (
    ChatFactory,
    OutboundMessageFactory,
    WhatsAppChannelFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://localhost")


async def inbox_socket(user) -> WebsocketCommunicator:
    token = (await database_sync_to_async(tokens_for_user)(user=user))["access"]
    communicator = WebsocketCommunicator(
        application, f"/ws/inbox/?token={token}", headers=[ORIGIN]
    )
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@database_sync_to_async
def post_event(channel, event) -> int:
    # No test transaction here: the request commits and on-commit work runs for real.
    body, headers = signed_delivery(channel.webhook_secret, event)
    return webhook_post(APIClient(), channel.webhook_token, body, headers).status_code


@database_sync_to_async
def expected_shapes(message_id: int) -> tuple[dict, dict]:
    message = Message.objects.select_related("chat__contact").get(id=message_id)
    return (
        dict(MessageOutputSerializer(message).data),
        dict(ChatOutputSerializer(message.chat).data),
    )


async def test_an_inbound_message_reaches_its_company_only(user, other_user):
    channel = await database_sync_to_async(WhatsAppChannelFactory)(company=user.company)
    own, other = await inbox_socket(user), await inbox_socket(other_user)
    try:
        assert await post_event(channel, inbound_event(content={"body": "hola"})) == 200

        created = await own.receive_json_from(timeout=2)
        updated = await own.receive_json_from(timeout=2)
        message_data, chat_data = await expected_shapes(created["message"]["id"])
        assert created == {
            "type": "message.created",
            "chat": chat_data["id"],
            "message": message_data,
        }
        assert created["message"]["text"] == "hola"
        assert updated == {
            "type": "chat.updated",
            "chat": chat_data["id"],
            "data": chat_data,
        }
        assert updated["data"]["unread_count"] == 1
        assert updated["data"]["last_message"]["id"] == created["message"]["id"]
        assert await other.receive_nothing(timeout=0.2)
    finally:
        await own.disconnect()
        await other.disconnect()


async def test_a_status_change_is_pushed_once(user):
    chat = await database_sync_to_async(ChatFactory)(
        channel__company=user.company, company=user.company
    )
    message = await database_sync_to_async(OutboundMessageFactory)(chat=chat)
    socket = await inbox_socket(user)
    try:
        event = status_event(message_id=message.ycloud_id, status="delivered")
        await post_event(chat.channel, event)
        await post_event(chat.channel, {**event, "id": "evt_same_status_again"})

        pushed = await socket.receive_json_from(timeout=2)
        assert pushed["type"] == "message.status"
        assert pushed["chat"] == chat.id
        assert (pushed["message"]["id"], pushed["message"]["status"]) == (
            message.id,
            "delivered",
        )
        assert await socket.receive_nothing(timeout=0.2)  # the repeat changed nothing
    finally:
        await socket.disconnect()


@database_sync_to_async
def send_events(*, company_id: int, events: list[dict], commit: bool) -> None:
    with transaction.atomic():
        inbox_events_send(company_id=company_id, events=events)
        if not commit:
            transaction.set_rollback(True)


async def test_events_sent_together_arrive_in_order_after_the_commit_only(user):
    own = await inbox_socket(user)
    try:
        company_id = user.company_id
        await send_events(company_id=company_id, events=[{"n": 1}], commit=False)
        await send_events(
            company_id=company_id, events=[{"n": 2}, {"n": 3}], commit=True
        )

        assert await own.receive_json_from(timeout=2) == {"n": 2}
        assert await own.receive_json_from(timeout=2) == {"n": 3}
        assert await own.receive_nothing(timeout=0.2)
    finally:
        await own.disconnect()
