"""Live inbox events: one group per company, sent only after the commit."""

from collections.abc import Sequence
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def inbox_group(company_id: int) -> str:
    return f"inbox-company-{company_id}"


def inbox_event_send(*, company_id: int, event: dict[str, Any]) -> None:
    """Pushes `event` (`{type, chat, ...}`) to every inbox socket of the company once
    the current transaction commits, so clients never see rows that roll back."""
    inbox_events_send(company_id=company_id, events=[event])


def inbox_events_send(*, company_id: int, events: Sequence[dict[str, Any]]) -> None:
    """Like inbox_event_send, for several events, in order, in one call to the
    channel layer: from a worker each call costs a thread, an event loop and a Redis
    connection of its own."""
    group, events = inbox_group(company_id), list(events)

    async def send_all() -> None:
        layer = get_channel_layer()
        for event in events:
            await layer.group_send(group, {"type": "inbox.event", "event": event})

    def send() -> None:
        async_to_sync(send_all)()

    transaction.on_commit(send)
