"""Reads of the AI results on chats: the newest row is the current one."""

from messaging.ai.errors import ChatAINotReady
from messaging.models import Chat, ChatInsight, ChatSummary


def chat_insight_latest(*, chat: Chat) -> ChatInsight | None:
    return ChatInsight.objects.filter(chat=chat).order_by("-created_at", "-id").first()


def chat_summary_latest(*, chat: Chat) -> ChatSummary | None:
    return ChatSummary.objects.filter(chat=chat).order_by("-created_at", "-id").first()


def chat_insight_get(*, chat: Chat) -> ChatInsight:
    insight = chat_insight_latest(chat=chat)
    if insight is None:
        raise ChatAINotReady(
            "This chat has no insights yet: POST to this address to generate them."
        )
    return insight


def chat_summary_get(*, chat: Chat) -> ChatSummary:
    summary = chat_summary_latest(chat=chat)
    if summary is None:
        raise ChatAINotReady(
            "This chat has no summary yet: POST to this address to generate one."
        )
    return summary
