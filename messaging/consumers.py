from channels.generic.websocket import AsyncJsonWebsocketConsumer

from messaging.events import inbox_group


class InboxConsumer(AsyncJsonWebsocketConsumer):
    """`ws/inbox/`: relays the company's live inbox events to one agent's socket."""

    async def connect(self) -> None:
        user = self.scope["user"]
        if user.company_id is None:
            await self.accept()
            await self.close(code=4403)  # a platform superuser has no inbox
            return
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
        await self.send_json(message["event"])
