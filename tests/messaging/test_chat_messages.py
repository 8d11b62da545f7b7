"""A chat's messages by cursor: pages of ids, oldest first in each page."""

import pytest

from messaging.models import Message
from tests.messaging.factories import ChatFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat_with_messages(channel):
    chat = ChatFactory(channel=channel)
    other = ChatFactory(channel=channel)
    for n in range(7):
        for target in (chat, other):  # interleaved ids: pages must skip the other's
            Message.objects.create(
                company=chat.company,
                chat=target,
                channel=channel,
                direction="in",
                text=f"{n}",
                status="received",
            )
    return chat


def texts(response) -> list[str]:
    return [m["text"] for m in response.data["results"]]


def test_the_newest_page_comes_first_oldest_first_within(
    api_client, chat_with_messages
):
    response = api_client.get(
        f"/api/chats/{chat_with_messages.id}/messages", {"limit": 3}
    )

    assert response.status_code == 200
    assert texts(response) == ["4", "5", "6"]
    assert (response.data["has_older"], response.data["has_newer"]) == (True, False)


def test_paging_back_with_before_and_forward_with_after(api_client, chat_with_messages):
    path = f"/api/chats/{chat_with_messages.id}/messages"
    newest = api_client.get(path, {"limit": 3}).data["results"]

    older = api_client.get(path, {"limit": 3, "before": newest[0]["id"]})
    assert texts(older) == ["1", "2", "3"]
    oldest = api_client.get(
        path, {"limit": 3, "before": older.data["results"][0]["id"]}
    )
    assert texts(oldest) == ["0"]
    assert oldest.data["has_older"] is False

    first = oldest.data["results"][0]["id"]
    newer = api_client.get(path, {"limit": 2, "after": first})
    assert texts(newer) == ["1", "2"]
    assert (newer.data["has_older"], newer.data["has_newer"]) == (True, True)
    between = api_client.get(
        path, {"after": first, "before": newest[0]["id"], "limit": 10}
    )
    assert texts(between) == ["1", "2", "3"]


def test_the_default_limit_is_50(api_client, channel):
    chat = ChatFactory(channel=channel)
    Message.objects.bulk_create(
        Message(
            company=chat.company,
            chat=chat,
            channel=channel,
            direction="in",
            text=str(n),
            status="received",
        )
        for n in range(60)
    )
    response = api_client.get(f"/api/chats/{chat.id}/messages")
    assert len(response.data["results"]) == 50
    assert response.data["results"][-1]["text"] == "59"


def test_an_empty_chat_or_page(api_client, chat_with_messages, channel):
    empty = ChatFactory(channel=channel)
    response = api_client.get(f"/api/chats/{empty.id}/messages")
    assert response.data == {"results": [], "has_older": False, "has_newer": False}
    response = api_client.get(
        f"/api/chats/{chat_with_messages.id}/messages", {"after": 10**9}
    )
    assert response.data["results"] == []


@pytest.mark.parametrize(
    "query, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"before": "x"}, "before"),
        ({"after": -1}, "after"),
        ({"before": 10**30}, "before"),
    ],
)
def test_bad_cursors_are_400_naming_the_field(api_client, channel, query, field):
    chat = ChatFactory(channel=channel)
    response = api_client.get(f"/api/chats/{chat.id}/messages", query)
    assert response.status_code == 400
    assert field in response.data
