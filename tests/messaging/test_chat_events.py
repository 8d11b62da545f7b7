"""Agents' changes and replies reach their company's inbox sockets, and no other."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone
from rest_framework.test import APIClient

from messaging.models import Chat
from messaging.serializers import ChatOutputSerializer
from messaging.tasks import chats_unsnooze_due_task
from tests.messaging.factories import ChatFactory
from tests.messaging.test_inbox_events import inbox_socket

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def api_post(user, path: str, body: dict | None = None) -> int:
    # No test transaction here: the request commits and on-commit work runs for real.
    client = APIClient()
    client.force_authenticate(user)
    return client.post(path, body, format="json").status_code


@database_sync_to_async
def chat_shape(chat_id: int) -> dict:
    return dict(ChatOutputSerializer(Chat.objects.get(id=chat_id)).data)


@database_sync_to_async
def make_chat(channel, **fields) -> Chat:
    return ChatFactory(channel=channel, **fields)


async def test_a_change_is_pushed_as_chat_updated_to_its_company_only(
    user, other_user, channel
):
    chat = await make_chat(channel)
    own, other = await inbox_socket(user), await inbox_socket(other_user)
    try:
        assert await api_post(user, f"/api/chats/{chat.id}/pin") == 200

        event = await own.receive_json_from(timeout=2)
        assert event == {
            "type": "chat.updated",
            "chat": chat.id,
            "data": await chat_shape(chat.id),
        }
        assert event["data"]["pinned"] is True
        assert await own.receive_nothing(timeout=0.2)  # one change, one event
        assert await other.receive_nothing(timeout=0.2)
    finally:
        await own.disconnect()
        await other.disconnect()


async def test_a_change_that_changes_nothing_pushes_nothing(user, channel):
    chat = await make_chat(channel, pinned=True)
    socket = await inbox_socket(user)
    try:
        assert await api_post(user, f"/api/chats/{chat.id}/pin") == 200
        assert await socket.receive_nothing(timeout=0.2)
    finally:
        await socket.disconnect()


async def test_bulk_pushes_every_chat_it_changed_and_a_refused_bulk_none(
    user, other_user, channel
):
    chats = [await make_chat(channel) for _ in range(2)]
    foreign = await database_sync_to_async(ChatFactory)(
        channel__company=other_user.company
    )
    own, other = await inbox_socket(user), await inbox_socket(other_user)
    try:
        ids = [chat.id for chat in chats]
        body = {"ids": [*ids, foreign.id], "action": "status", "status": "resolved"}
        assert await api_post(user, "/api/chats/bulk", body) == 404
        assert await own.receive_nothing(timeout=0.2)

        body = {"ids": ids, "action": "status", "status": "resolved"}
        assert await api_post(user, "/api/chats/bulk", body) == 200
        pushed = [await own.receive_json_from(timeout=2) for _ in ids]
        assert sorted(e["chat"] for e in pushed) == ids
        assert {e["data"]["status"] for e in pushed} == {"resolved"}
        assert await other.receive_nothing(timeout=0.2)
    finally:
        await own.disconnect()
        await other.disconnect()


async def test_a_reply_is_pushed_created_then_with_its_status(
    user, other_user, channel, fake_ycloud
):
    chat = await make_chat(channel, last_customer_message_at=timezone.now())
    own, other = await inbox_socket(user), await inbox_socket(other_user)
    try:
        body = {"type": "text", "text": "hola"}
        assert await api_post(user, f"/api/chats/{chat.id}/messages", body) == 202

        created = await own.receive_json_from(timeout=2)
        updated = await own.receive_json_from(timeout=2)
        status = await own.receive_json_from(timeout=5)
        assert (created["type"], created["message"]["status"]) == (
            "message.created",
            "queued",
        )
        assert (updated["type"], updated["data"]["last_message"]["id"]) == (
            "chat.updated",
            created["message"]["id"],
        )
        assert (status["type"], status["chat"], status["message"]["status"]) == (
            "message.status",
            chat.id,
            "accepted",
        )
        assert await other.receive_nothing(timeout=0.2)
    finally:
        await own.disconnect()
        await other.disconnect()


async def test_the_beat_task_pushes_the_chats_it_reopens(user, channel):
    chat = await make_chat(
        channel, status="snoozed", snoozed_until=timezone.now() - timedelta(minutes=1)
    )
    socket = await inbox_socket(user)
    try:
        assert await database_sync_to_async(chats_unsnooze_due_task)() == 1
        event = await socket.receive_json_from(timeout=2)
        assert (event["type"], event["chat"], event["data"]["status"]) == (
            "chat.updated",
            chat.id,
            "open",
        )
    finally:
        await socket.disconnect()
