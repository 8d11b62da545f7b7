"""The inbox socket over the Redis channel layer, in process and through daphne."""

import asyncio
import json

import pytest
import websockets
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from accounts.services import tokens_for_user
from messaging.events import inbox_event_send, inbox_group
from messaging.models import Chat
from project.asgi import application
from tests.messaging.factories import ChatFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5
ORIGIN = (b"origin", b"http://localhost")
WS_CLOSE_UNAUTHENTICATED = 4401


@pytest.fixture
def token(user) -> str:
    return tokens_for_user(user=user)["access"]


@pytest.fixture
def other_token(other_user) -> str:
    return tokens_for_user(user=other_user)["access"]


def inbox_event(**fields) -> dict:
    """A channel-layer message as messaging.events sends it, for an unassigned chat."""
    return {
        "type": "inbox.event",
        "event": {"type": "chat.updated", **fields},
        "assignee": None,
    }


async def connected(path: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN])
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


async def test_the_company_socket_receives_its_event_and_no_other(
    channel_layer, user, other_user, token, other_token
):
    own = await connected(f"/ws/inbox/?token={token}")
    other = await connected(f"/ws/inbox/?token={other_token}")
    try:
        event = inbox_event(chat=42)
        await channel_layer.group_send(inbox_group(user.company_id), event)

        assert await own.receive_json_from(timeout=TIMEOUT) == event["event"]
        assert await other.receive_nothing(timeout=0.5)

        # The other socket is live: it gets its own company's events.
        event = inbox_event(chat=43)
        await channel_layer.group_send(inbox_group(other_user.company_id), event)
        assert await other.receive_json_from(timeout=TIMEOUT) == event["event"]
        assert await own.receive_nothing(timeout=0.5)
    finally:
        await own.disconnect()
        await other.disconnect()


def send_in_transaction(*, chat: Chat, event: dict, commit: bool) -> None:
    with transaction.atomic():
        inbox_event_send(chat=chat, event=event)
        if not commit:
            transaction.set_rollback(True)


async def test_inbox_event_send_delivers_after_commit_only(channel_layer, user, token):
    chat = await sync_to_async(ChatFactory)(channel__company=user.company)
    socket = await connected(f"/ws/inbox/?token={token}")
    try:
        send = sync_to_async(send_in_transaction)
        await send(chat=chat, event={"n": 1}, commit=False)
        await send(chat=chat, event={"n": 2}, commit=True)

        assert await socket.receive_json_from(timeout=TIMEOUT) == {"n": 2}
        assert await socket.receive_nothing(timeout=0.5)
    finally:
        await socket.disconnect()


async def test_a_socket_without_token_is_closed_with_4401(channel_layer):
    communicator = WebsocketCommunicator(application, "/ws/inbox/", headers=[ORIGIN])
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected  # accepted, so that browsers can read the close code

    assert await communicator.receive_output(timeout=TIMEOUT) == {
        "type": "websocket.close",
        "code": WS_CLOSE_UNAUTHENTICATED,
    }


async def test_daphne_relays_a_redis_event_to_a_real_socket(
    daphne_server, channel_layer, user, token
):
    url = daphne_server.ws_url(f"/ws/inbox/?token={token}")
    try:
        async with websockets.connect(
            url, origin=daphne_server.origin, open_timeout=TIMEOUT
        ) as socket:
            # The consumer joins the group before accepting, so it is listening now.
            event = inbox_event(chat=7, text="hola")
            await channel_layer.group_send(inbox_group(user.company_id), event)

            frame = await asyncio.wait_for(socket.recv(), TIMEOUT)
            assert json.loads(frame) == event["event"]
    except BaseException:
        print(daphne_server.log_tail())
        raise


async def test_daphne_closes_a_bad_token_with_4401(daphne_server):
    url = daphne_server.ws_url("/ws/inbox/?token=not-a-jwt")
    async with websockets.connect(
        url, origin=daphne_server.origin, open_timeout=TIMEOUT
    ) as socket:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), TIMEOUT)

    assert closed.value.rcvd.code == WS_CLOSE_UNAUTHENTICATED
