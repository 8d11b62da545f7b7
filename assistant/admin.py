from django.contrib import admin

from assistant.models import Conversation, InteractionLog, Message


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = [
        "role",
        "content",
        "status",
        "model",
        "completion_tokens",
        "latency_ms",
        "created_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "company", "model", "updated_at"]
    list_filter = ["company", "model", "updated_at"]
    search_fields = ["title", "user__username", "messages__content"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["user", "company"]
    inlines = [MessageInline]


@admin.register(InteractionLog)
class InteractionLogAdmin(admin.ModelAdmin):
    """Read-only: the logs are a record of what happened."""

    list_display = [
        "created_at",
        "company",
        "user",
        "provider",
        "model",
        "endpoint",
        "outcome",
        "completion_tokens",
        "latency_ms",
        "time_to_first_token_ms",
    ]
    list_filter = ["company", "level", "outcome", "provider", "endpoint", "created_at"]
    search_fields = ["model", "user__username", "error"]
    list_select_related = ["company", "user"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
