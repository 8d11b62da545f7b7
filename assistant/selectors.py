from collections.abc import Iterator

from django.db.models import Q, QuerySet

from accounts.models import Company, User
from assistant.models import Conversation, InteractionLog, Message
from project.errors import NotFound

HISTORY_BATCH = 50


def conversation_list(
    *, company: Company, user: User, search: str = ""
) -> QuerySet[Conversation]:
    """The user's own conversations, newest activity first; `search` looks in titles
    and message texts."""
    conversations = Conversation.objects.for_company(company).filter(user=user)
    if search:
        matching = Message.objects.filter(content__icontains=search).values(
            "conversation_id"
        )
        conversations = conversations.filter(
            Q(title__icontains=search) | Q(id__in=matching)
        )
    return conversations


def conversation_get(
    *, company: Company, user: User, conversation_id: int
) -> Conversation:
    try:
        return conversation_list(company=company, user=user).get(id=conversation_id)
    except Conversation.DoesNotExist:
        raise NotFound("Conversation not found.") from None


def conversation_history(*, conversation: Conversation) -> Iterator[tuple[str, str]]:
    """(role, content) of the conversation's messages, newest first, fetched in
    batches as they are read: a long conversation is read only as far as needed."""
    messages = conversation.messages.order_by("-id").values_list("role", "content")
    return messages.iterator(chunk_size=HISTORY_BATCH)


def interaction_log_list(
    *, company: Company, level: str | None = None, limit: int = 100
) -> QuerySet[InteractionLog]:
    logs = InteractionLog.objects.for_company(company).select_related("user")
    if level:
        logs = logs.filter(level=level)
    return logs[:limit]
