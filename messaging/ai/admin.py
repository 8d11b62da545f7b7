"""Admin for the AI results on chats (read-only) and the chat actions that queue
them; `messaging/admin.py` adds the actions to the chats' admin."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from messaging.ai.services import chat_insights_request, chat_summary_request
from messaging.models import Chat, ChatInsight, ChatSummary
from project.errors import ApplicationError


def _enqueue_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    chats: QuerySet[Chat],
    enqueue: Callable[..., str],
    what: str,
) -> None:
    queued, skipped = 0, []
    for chat in chats:
        try:
            enqueue(chat=chat)
        except ApplicationError as exc:
            skipped.append(f"{chat}: {exc.message}")
        else:
            queued += 1
    if queued:
        modeladmin.message_user(request, f"Queued {what} for {queued} chat(s).")
    for reason in skipped:
        modeladmin.message_user(request, reason, messages.WARNING)


@admin.action(description="Generate summary")
def generate_summary(modeladmin, request: HttpRequest, chats: QuerySet[Chat]) -> None:
    _enqueue_each(modeladmin, request, chats, chat_summary_request, "a summary")


@admin.action(description="Generate insights")
def generate_insights(modeladmin, request: HttpRequest, chats: QuerySet[Chat]) -> None:
    _enqueue_each(modeladmin, request, chats, chat_insights_request, "insights")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ChatInsight)
class ChatInsightAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "chat",
        "sentiment",
        "sentiment_score",
        "intents",
        "churn_risk",
        "model",
        "company",
    ]
    list_filter = ["sentiment", "company"]
    list_select_related = ["chat__contact", "chat__channel", "company"]
    search_fields = ["chat__contact__name", "chat__contact__phone"]
    raw_id_fields = ["chat", "up_to_message"]
    date_hierarchy = "created_at"


@admin.register(ChatSummary)
class ChatSummaryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "chat", "message_count", "model", "company"]
    list_filter = ["company"]
    list_select_related = ["chat__contact", "chat__channel", "company"]
    search_fields = ["chat__contact__name", "chat__contact__phone", "summary"]
    raw_id_fields = ["chat", "up_to_message"]
    date_hierarchy = "created_at"
