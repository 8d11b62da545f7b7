"""The agent answers inbox questions from the company's own chats (consultar_chats)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Chat, Message
from tests.factories import UserFactory
from tests.messaging.factories import ChatFactory, WhatsAppChannelFactory

URL = "/api/assistant/query"


def customer_wrote(chat: Chat, *, minutes_ago: int) -> None:
    when = timezone.now() - timedelta(minutes=minutes_ago)
    message = Message.objects.create(
        company=chat.company, chat=chat, channel=chat.channel, direction="in",
        text="hola?", status="received",
    )  # fmt: skip
    Chat.objects.filter(id=chat.id).update(
        last_message=message, last_message_at=when, last_customer_message_at=when
    )


@pytest.fixture
def inbox(company, user, agent):
    channel = WhatsAppChannelFactory(company=company)

    def chat(**fields) -> Chat:
        return ChatFactory(channel=channel, **fields)

    waiting = chat(status="open")
    customer_wrote(waiting, minutes_ago=45)
    fresh = chat(status="open", assigned_to=user)
    customer_wrote(fresh, minutes_ago=5)
    chat(status="pending", assigned_to=agent)
    chat(status="resolved")
    chat(status="snoozed", snoozed_until=timezone.now() + timedelta(hours=2))
    return {"waiting": waiting, "fresh": fresh}


def ask(client, query: str, **extra):
    response = client.post(URL, {"query": query, **extra}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_unassigned_chats_waiting_longer_than_30_minutes(api_client, inbox):
    body = ask(api_client, "chats sin asignar esperando más de 30 minutos")
    assert body["intention"] == "consultar_chats"
    assert body["data"]["count"] == 1
    assert body["data"]["chats"][0]["id"] == inbox["waiting"].id
    assert body["message"].startswith(
        "Hay 1 chats sin asignar, esperando respuesta más de 30 min."
    )


def test_open_chats_assigned_to_me_in_english(api_client, inbox):
    body = ask(api_client, "how many open chats are assigned to me?")
    assert (
        body["data"]["count"] == 1
        and body["data"]["chats"][0]["id"] == inbox["fresh"].id
    )
    assert body["data"]["by_status"] == {
        "open": 2,
        "pending": 1,
        "resolved": 1,
        "snoozed": 1,
    }


def test_agents_only_count_what_they_may_see(client_for, inbox, agent):
    body = ask(client_for(agent), "how many pending chats are there?", source="inbox")
    assert body["data"]["count"] == 1  # their own pending chat
    assert (
        body["data"]["by_status"]["open"] == 1
    )  # the unassigned one, not another agent's


def test_other_companies_chats_never_count(client_for, inbox, other_user):
    body = ask(client_for(other_user), "how many open chats are there?")
    assert body["data"]["count"] == 0 and body["data"]["chats"] == []


def test_messages_per_day_and_per_agent(api_client, inbox, user):
    chat = inbox["fresh"]
    Message.objects.create(
        company=chat.company, chat=chat, channel=chat.channel, direction="out",
        text="hi", status="sent", sent_by=user,
    )  # fmt: skip
    data = ask(api_client, "¿cuántos mensajes de whatsapp hubo esta semana?")["data"]
    today = timezone.now().date().isoformat()
    assert data["messages_per_day"][today] == {"in": 2, "out": 1}
    assert data["messages_per_agent"] == {user.username: 1}


# Replies are saved through Channels' database_sync_to_async, which closes the
# connection that a rolled-back test transaction would live on.
@pytest.mark.django_db(transaction=True)
def test_conversations_use_inbox_data_offline(api_client, user, inbox):
    from assistant.models import Conversation

    conversation = Conversation.objects.create(company=user.company, user=user)
    reply = api_client.post(
        f"/api/assistant/conversations/{conversation.id}/messages",
        {"content": "¿cuántos chats pendientes hay?"},
        format="json",
    ).json()["reply"]
    assert reply["content"].startswith("Hay 1 chats pendientes.")
    assert reply["data"]["intention"] == "consultar_chats"


def test_a_superuser_sees_everything(client_for, company, inbox):
    root = UserFactory(company=company, role=None, is_superuser=True)
    assert ask(client_for(root), "how many open chats are there?")["data"]["count"] == 2
