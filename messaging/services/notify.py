"""Inbox socket events, sent after the commit in the shapes the API uses."""

from typing import Any

from messaging.events import inbox_event_send
from messaging.models import Chat, Message
from messaging.serializers import ChatOutputSerializer, MessageOutputSerializer


def message_event(*, message: Message, event_type: str) -> dict[str, Any]:
    """`message.created`, `message.status` or `message.updated` for one message."""
    return {
        "type": event_type,
        "chat": message.chat_id,
        "message": MessageOutputSerializer(message).data,
    }


def chat_updated_event(*, chat: Chat) -> dict[str, Any]:
    return {
        "type": "chat.updated",
        "chat": chat.id,
        "data": ChatOutputSerializer(chat).data,
    }


def message_event_send(*, message: Message, event_type: str) -> None:
    inbox_event_send(
        chat=message.chat, event=message_event(message=message, event_type=event_type)
    )


def chat_updated_send(*, chat: Chat) -> None:
    inbox_event_send(chat=chat, event=chat_updated_event(chat=chat))
