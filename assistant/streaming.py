"""Server-Sent Events: how reply events travel over HTTP."""

import json
from collections.abc import AsyncIterator
from contextlib import aclosing

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer

from assistant.services import ReplyEvent, ReplyFailed, ReplyFinished, ReplyStarted
from project.errors import error_payload


def sse_frame(event: str, data: dict) -> bytes:
    return (
        f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()
    )


def reply_event_payload(event: ReplyEvent) -> tuple[str, dict]:
    """The name and data of one reply event, shared by SSE and WebSocket frames."""
    if isinstance(event, str):
        return "token", {"delta": event}
    if isinstance(event, ReplyStarted):
        return "start", {"conversation": event.conversation, "message": event.message}
    if isinstance(event, ReplyFinished):
        usage = {
            "prompt_tokens": event.usage.prompt_tokens,
            "completion_tokens": event.usage.completion_tokens,
        }
        return "done", {"message": event.message, "usage": usage, "model": event.model}
    if isinstance(event, ReplyFailed):
        return "error", {**error_payload(event.error), "message": event.message}
    raise TypeError(f"not a reply event: {event!r}")


async def _sse_body(events: AsyncIterator[ReplyEvent]) -> AsyncIterator[bytes]:
    async with aclosing(events):
        async for event in events:
            yield sse_frame(*reply_event_payload(event))


def sse_response(events: AsyncIterator[ReplyEvent]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        _sse_body(events), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx and friends must not hold tokens back
    return response


def wants_stream(request, requested: bool) -> bool:
    return requested or "text/event-stream" in request.headers.get("Accept", "")


class EventStreamRenderer(BaseRenderer):
    """Lets clients ask for `text/event-stream`; errors before the stream starts
    arrive as one `error` event with the HTTP status of the failure."""

    media_type = "text/event-stream"
    format = "sse"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return sse_frame("error", data if isinstance(data, dict) else {"detail": data})
