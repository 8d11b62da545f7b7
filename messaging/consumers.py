from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from messaging.events import inbox_group
from messaging.selectors_chats import ChatVisibility


class InboxConsumer(AsyncJsonWebsocketConsumer):
    """`ws/inbox/`: relays the company's live inbox events to one agent's socket.

    An agent gets the events of the chats they may see (`ChatVisibility`, the chat
    list's rule); when another agent's chat changes, they get
    `{type: "chat.hidden", chat}` instead of `chat.updated`, so a client can drop a
    chat that was just taken. The permission is read when the socket connects."""

    async def connect(self) -> None:
        user = self.scope["user"]
        if user.company_id is None:
            await self.accept()
            await self.close(code=4403)  # a platform superuser has no inbox
            return
        self.visibility = await database_sync_to_async(ChatVisibility.of)(user)
        self.group = inbox_group(user.company_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def inbox_event(self, message: dict) -> None:
        event = message["event"]
        if self.visibility.allows(message["assignee"]):
            await self.send_json(event)
        elif event.get("type") == "chat.updated":
            await self.send_json({"type": "chat.hidden", "chat": event["chat"]})
