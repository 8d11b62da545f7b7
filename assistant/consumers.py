"""`ws/assistant/`: stream replies over a WebSocket, several conversations at once."""

import asyncio
import logging

from asgiref.sync import ThreadSensitiveContext
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from accounts.permissions import PermissionCode
from assistant.serializers import ChatCancelInputSerializer, ChatMessageInputSerializer
from assistant.services import conversation_reply_prepare, reply_stream
from assistant.streaming import reply_event_payload
from project.errors import ApplicationError, error_payload

logger = logging.getLogger(__name__)

WS_CLOSE_FORBIDDEN = 4403
FRAME_TYPES = {
    "start": "chat.started",
    "token": "chat.token",
    "done": "chat.done",
    "error": "chat.error",
}


class AssistantConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.replies: dict[object, asyncio.Task] = {}
        await self.accept()
        self.company = await database_sync_to_async(_company_of_assistant_user)(
            self.scope["user"]
        )
        if self.company is None:
            await self.close(code=WS_CLOSE_FORBIDDEN)

    async def disconnect(self, code: int) -> None:
        for task in self.replies.values():
            task.cancel()

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "chat.message":
            await self._start_reply(content)
        elif kind == "chat.cancel":
            await self._cancel(content)
        else:
            await self._send_error(
                None, "invalid", "Send a 'chat.message' or a 'chat.cancel'."
            )

    @classmethod
    async def decode_json(cls, text_data: str):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def _start_reply(self, content: dict) -> None:
        frame = ChatMessageInputSerializer(data=content)
        if not frame.is_valid():
            await self._send_error(content.get("conversation"), "invalid", frame.errors)
            return
        data = frame.validated_data
        key = data["conversation"] if data["conversation"] is not None else object()
        if key in self.replies:
            await self._send_error(key, "busy", "A reply is already streaming here.")
            return
        self.replies[key] = asyncio.create_task(self._reply(key, data))

    async def _reply(self, key, data: dict) -> None:
        # Its own thread for its database work, as Django gives each HTTP request:
        # otherwise every socket's replies queue in the one thread shared by all.
        async with ThreadSensitiveContext():
            await self._reply_in_context(key, data)

    async def _reply_in_context(self, key, data: dict) -> None:
        try:
            prepared = await database_sync_to_async(conversation_reply_prepare)(
                company=self.company,
                user=self.scope["user"],
                conversation_id=data["conversation"],
                content=data["content"],
                model=data["model"],
                endpoint="conversation.ws",
            )
            async for event in reply_stream(prepared):
                name, payload = reply_event_payload(event)
                frame = {
                    "type": FRAME_TYPES[name],
                    "conversation": prepared.conversation_id,
                }
                await self.send_json({**frame, **payload})
        except (ApplicationError, DjangoValidationError, ValidationError) as exc:
            await self._send_error(data["conversation"], *_error_parts(exc))
        except Exception:
            logger.exception("assistant reply failed on the socket")
            await self._send_error(
                data["conversation"], "error", "The reply failed unexpectedly."
            )
        finally:
            self.replies.pop(key, None)

    async def _cancel(self, content: dict) -> None:
        frame = ChatCancelInputSerializer(data=content)
        if not frame.is_valid():
            await self._send_error(None, "invalid", frame.errors)
            return
        conversation = frame.validated_data.get("conversation")
        keys = [conversation] if conversation is not None else list(self.replies)
        for key in keys:
            task = self.replies.get(key)
            if task is not None:
                task.cancel()

    async def _send_error(self, conversation, code: str, detail) -> None:
        await self.send_json(
            {
                "type": "chat.error",
                "conversation": conversation,
                "code": code,
                "detail": detail,
            }
        )


def _company_of_assistant_user(user):
    """The user's company if they may use the assistant there, else None."""
    company = user.company
    if company is None or not company.is_active:
        return None
    return (
        company if user.has_company_permission(PermissionCode.ASSISTANT_USE) else None
    )


def _error_parts(exc: Exception) -> tuple[str, object]:
    if isinstance(exc, ApplicationError):
        payload = error_payload(exc)
        return payload["code"], payload["detail"]
    if isinstance(exc, DjangoValidationError):
        return "invalid", exc.message_dict if hasattr(
            exc, "error_dict"
        ) else exc.messages
    return "invalid", exc.detail
