import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth import SESSION_KEY

from accounts.services import tokens_for_user
from messaging.events import inbox_group
from project.asgi import application
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = [(b"origin", b"http://localhost")]


async def connect(path: str, headers=ORIGIN):
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, close_code = await communicator.connect()
    return communicator, connected, close_code


async def access_token_for(**kwargs) -> tuple:
    user = await database_sync_to_async(UserFactory)(**kwargs)
    return user, (await database_sync_to_async(tokens_for_user)(user=user))["access"]


async def assert_closed_unauthenticated(communicator) -> None:
    assert await communicator.receive_output(timeout=1) == {
        "type": "websocket.close",
        "code": 4401,
    }


async def test_valid_token_is_accepted_and_receives_company_events():
    user, token = await access_token_for()
    communicator, connected, _ = await connect(f"/ws/inbox/?token={token}")
    assert connected
    event = {"type": "message.created", "chat": 1, "text": "hola"}
    await get_channel_layer().group_send(
        inbox_group(user.company_id),
        {"type": "inbox.event", "event": event, "assignee": None},
    )
    assert await communicator.receive_json_from(timeout=1) == event
    await communicator.disconnect()


async def test_other_company_receives_nothing():
    user_a, _ = await access_token_for()
    other_company = await database_sync_to_async(CompanyFactory)()
    _, token_b = await access_token_for(company=other_company)
    communicator, connected, _ = await connect(f"/ws/inbox/?token={token_b}")
    assert connected
    await get_channel_layer().group_send(
        inbox_group(user_a.company_id),
        {"type": "inbox.event", "event": {"type": "x"}, "assignee": None},
    )
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


@pytest.mark.parametrize("query", ["", "?token=", "?token=not-a-jwt", "?token=a.b.c"])
async def test_missing_or_invalid_token_is_closed_4401(query, db):
    communicator, connected, _ = await connect(f"/ws/inbox/{query}")
    assert connected  # accepted only so the browser can read the close code
    await assert_closed_unauthenticated(communicator)


async def test_refresh_token_is_not_an_access_token():
    user = await database_sync_to_async(UserFactory)()
    tokens = await database_sync_to_async(tokens_for_user)(user=user)
    communicator, _, _ = await connect(f"/ws/inbox/?token={tokens['refresh']}")
    await assert_closed_unauthenticated(communicator)


async def test_token_of_deactivated_user_is_closed_4401():
    user, token = await access_token_for()
    user.is_active = False
    await database_sync_to_async(user.save)()
    communicator, _, _ = await connect(f"/ws/inbox/?token={token}")
    await assert_closed_unauthenticated(communicator)


async def test_session_cookie_is_accepted(client):
    user = await database_sync_to_async(UserFactory)()
    await database_sync_to_async(client.force_login)(user)
    session_id = client.cookies["sessionid"].value
    headers = [*ORIGIN, (b"cookie", f"sessionid={session_id}".encode())]
    communicator, connected, _ = await connect("/ws/inbox/", headers=headers)
    assert connected
    assert (await database_sync_to_async(lambda: client.session[SESSION_KEY])()) == str(
        user.pk
    )
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=1) == {"type": "pong"}
    await communicator.disconnect()


async def test_foreign_origin_is_refused():
    _, token = await access_token_for()
    headers = [(b"origin", b"http://evil.example")]
    communicator, connected, _ = await connect(f"/ws/inbox/?token={token}", headers)
    assert not connected
