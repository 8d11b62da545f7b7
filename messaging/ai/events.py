"""Inbox socket events of the AI work: `insights.ready`, `summary.ready`, and
`insights.failed` / `summary.failed` so that clients stop waiting."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from messaging.ai.errors import RETRYABLE_LLM_ERRORS
from messaging.ai.serializers import (
    ChatInsightOutputSerializer,
    ChatSummaryOutputSerializer,
)
from messaging.events import inbox_event_send
from messaging.models import Chat, ChatInsight, ChatSummary
from project.errors import ApplicationError, error_payload

logger = logging.getLogger(__name__)


def chat_insight_ready_send(*, insight: ChatInsight) -> None:
    inbox_event_send(
        chat=insight.chat,
        event={
            "type": "insights.ready",
            "chat": insight.chat_id,
            **ChatInsightOutputSerializer(insight).data,
        },
    )


def chat_summary_ready_send(*, summary: ChatSummary) -> None:
    inbox_event_send(
        chat=summary.chat,
        event={
            "type": "summary.ready",
            "chat": summary.chat_id,
            **ChatSummaryOutputSerializer(summary).data,
        },
    )


def chat_ai_failed_send(*, chat: Chat, kind: str, error: Exception) -> None:
    """`<kind>.failed {chat, code, detail}`."""
    if isinstance(error, ApplicationError):
        payload = error_payload(error)
    else:
        payload = {"code": "error", "detail": f"The {kind} could not be generated."}
    inbox_event_send(
        chat=chat,
        event={"type": f"{kind}.failed", "chat": chat.id, **payload},
    )


@contextmanager
def chat_ai_failure_reported(
    *, chat: Chat, kind: str, retries_left: bool
) -> Iterator[None]:
    """Pushes `<kind>.failed` when the work inside fails for good, then lets the error
    propagate; a retryable LLM error with retries left is not final yet."""
    try:
        yield
    except Exception as exc:
        if not (retries_left and isinstance(exc, RETRYABLE_LLM_ERRORS)):
            logger.warning("%s of chat %s failed: %s", kind, chat.id, exc)
            chat_ai_failed_send(chat=chat, kind=kind, error=exc)
        raise
