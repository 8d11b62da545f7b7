"""Live inbox events: one group per company, sent only after the commit.

Each event travels with the id of its chat's assignee, so that every socket can
relay only what its agent may see (see `messaging.consumers`)."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

if TYPE_CHECKING:
    from messaging.models import Chat


def inbox_group(company_id: int) -> str:
    return f"inbox-company-{company_id}"


def inbox_event_send(*, chat: "Chat", event: dict[str, Any]) -> None:
    """Pushes `event` (`{type, chat, ...}`) about `chat` to the inbox sockets of its
    company once the current transaction commits, so clients never see rows that roll
    back."""
    inbox_events_send(chat=chat, events=[event])


def inbox_events_send(*, chat: "Chat", events: Sequence[dict[str, Any]]) -> None:
    """Like inbox_event_send, for several events, in order, in one call to the
    channel layer: from a worker each call costs a thread, an event loop and a Redis
    connection of its own."""
    group, events = inbox_group(chat.company_id), list(events)
    assignee = chat.assigned_to_id

    async def send_all() -> None:
        layer = get_channel_layer()
        for event in events:
            await layer.group_send(
                group, {"type": "inbox.event", "event": event, "assignee": assignee}
            )

    def send() -> None:
        async_to_sync(send_all)()

    transaction.on_commit(send)
