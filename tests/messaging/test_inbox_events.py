"""Processed events reach the inbox sockets of the channel's company, and no other."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from rest_framework.test import APIClient

from accounts.services import tokens_for_user
from messaging.events import inbox_events_send
from messaging.models import Chat, Message
from messaging.serializers import ChatOutputSerializer, MessageOutputSerializer
from project.asgi import application
from tests.factories import UserFactory
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
def send_events(*, chat: Chat, events: list[dict], commit: bool) -> None:
    with transaction.atomic():
        inbox_events_send(chat=chat, events=events)
        if not commit:
            transaction.set_rollback(True)


async def test_events_sent_together_arrive_in_order_after_the_commit_only(user):
    chat = await database_sync_to_async(ChatFactory)(channel__company=user.company)
    own = await inbox_socket(user)
    try:
        await send_events(chat=chat, events=[{"n": 1}], commit=False)
        await send_events(chat=chat, events=[{"n": 2}, {"n": 3}], commit=True)

        assert await own.receive_json_from(timeout=2) == {"n": 2}
        assert await own.receive_json_from(timeout=2) == {"n": 3}
        assert await own.receive_nothing(timeout=0.2)
    finally:
        await own.disconnect()


@database_sync_to_async
def chat_assigned_to(assignee, *, channel) -> Chat:
    return ChatFactory(channel=channel, assigned_to=assignee)


async def test_an_agent_gets_only_the_events_of_chats_they_may_see(user, agent):
    """`agent` (no chats.view_all) sees own and unassigned chats, like the chat list;
    `user` (admin) sees all."""
    other_agent = await database_sync_to_async(UserFactory)(
        company=user.company, role_name="agent"
    )
    channel = await database_sync_to_async(WhatsAppChannelFactory)(company=user.company)
    own, unassigned, others = [
        await chat_assigned_to(assignee, channel=channel)
        for assignee in (agent, None, other_agent)
    ]
    agent_socket, admin_socket = await inbox_socket(agent), await inbox_socket(user)
    try:
        for chat in (others, own, unassigned):
            event = {"type": "message.created", "chat": chat.id, "message": {}}
            await send_events(chat=chat, events=[event], commit=True)
        update = {"type": "chat.updated", "chat": others.id, "data": {"id": others.id}}
        await send_events(chat=others, events=[update], commit=True)

        received = [await agent_socket.receive_json_from(timeout=2) for _ in range(3)]
        assert [(e["type"], e["chat"]) for e in received] == [
            ("message.created", own.id),
            ("message.created", unassigned.id),
            ("chat.hidden", others.id),  # taken by someone else: drop it, see nothing
        ]
        assert received[2] == {"type": "chat.hidden", "chat": others.id}
        assert await agent_socket.receive_nothing(timeout=0.2)
        admin_got = [await admin_socket.receive_json_from(timeout=2) for _ in range(4)]
        assert [e["chat"] for e in admin_got] == [
            others.id,
            own.id,
            unassigned.id,
            others.id,
        ]
        assert admin_got[3] == update
    finally:
        await agent_socket.disconnect()
        await admin_socket.disconnect()
