import json

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from messaging.ai.admin import generate_insights, generate_summary
from messaging.models import (
    Appointment,
    Chat,
    Contact,
    Message,
    Sticker,
    Tag,
    Template,
    WebhookEvent,
    WhatsAppChannel,
)
from messaging.services.catalog import template_sync_channel
from messaging.ycloud import YCloudError

SECRET_FIELDS = ("api_key", "webhook_secret")


class WhatsAppChannelAdminForm(forms.ModelForm):
    """Secrets are write-only: never rendered back, and left empty they keep the
    stored value (they are required only for a new channel)."""

    api_key = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="YCloud API key. Leave empty to keep the current one.",
    )
    webhook_secret = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="The webhook endpoint's signing secret (whsec_…). "
        "Leave empty to keep the current one.",
    )

    class Meta:
        model = WhatsAppChannel
        fields = [
            "company",
            "name",
            "phone_number",
            "api_key",
            "webhook_secret",
            "api_base_url",
            "waba_id",
            "is_active",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            self.initial.pop(name, None)

    def _clean_secret(self, name: str) -> str:
        value = self.cleaned_data.get(name, "")
        if value:
            return value
        if self.instance.pk:
            return getattr(self.instance, name)
        raise forms.ValidationError("This field is required.")

    def clean_api_key(self) -> str:
        return self._clean_secret("api_key")

    def clean_webhook_secret(self) -> str:
        return self._clean_secret("webhook_secret")


@admin.register(WhatsAppChannel)
class WhatsAppChannelAdmin(admin.ModelAdmin):
    form = WhatsAppChannelAdminForm
    list_display = ["__str__", "phone_number", "company", "is_active", "updated_at"]
    list_filter = ["is_active", "company"]
    search_fields = ["name", "phone_number", "company__name"]
    list_select_related = ["company"]
    readonly_fields = ["webhook_path", "created_at", "updated_at"]

    @admin.display(description="webhook path (paste into YCloud after the origin)")
    def webhook_path(self, channel: WhatsAppChannel) -> str:
        return channel.webhook_path if channel.pk else "Shown once saved."


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["phone", "name", "company", "created_at"]
    list_filter = ["company"]
    search_fields = ["phone", "name", "wa_id"]
    list_select_related = ["company"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "color", "company"]
    list_filter = ["company"]
    search_fields = ["name"]
    list_select_related = ["company"]


class MessageInline(admin.TabularInline):
    model = Message
    fk_name = "chat"
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-id"]
    fields = [
        "created_at",
        "direction",
        "type",
        "text",
        "caption",
        "media_file",
        "status",
        "error_code",
        "sent_by",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    list_display = [
        "contact",
        "channel",
        "status",
        "assigned_to",
        "pinned",
        "unread_count",
        "last_message_at",
        "company",
    ]
    list_filter = ["status", "pinned", "assigned_to", "tags", "company"]
    search_fields = ["contact__phone", "contact__name", "messages__text"]
    list_select_related = ["contact", "channel", "assigned_to", "company"]
    raw_id_fields = ["contact", "channel", "last_message"]
    readonly_fields = [
        "last_message_at",
        "last_customer_message_at",
        "created_at",
        "updated_at",
    ]
    filter_horizontal = ["tags"]
    inlines = [MessageInline]
    actions = [generate_summary, generate_insights]


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """Read-only: what YCloud sent and how processing went."""

    list_display = [
        "received_at",
        "type",
        "event_id",
        "state",
        "channel",
        "processed_at",
        "company",
    ]
    list_filter = ["state", "type", "company"]
    search_fields = ["event_id", "type", "error"]
    list_select_related = ["channel", "company"]
    date_hierarchy = "received_at"
    fields = [
        "company",
        "channel",
        "event_id",
        "type",
        "state",
        "error",
        "received_at",
        "processed_at",
        "pretty_payload",
    ]
    readonly_fields = fields

    @admin.display(description="payload")
    def pretty_payload(self, event: WebhookEvent) -> str:
        text = json.dumps(event.payload, indent=2, ensure_ascii=False)
        return format_html("<pre>{}</pre>", text)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "channel", "category", "status", "company"]
    list_filter = ["company", "status", "category", "language"]
    search_fields = ["name", "channel__phone_number"]
    list_select_related = ["channel", "company"]
    raw_id_fields = ["channel"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["sync_from_ycloud"]

    @admin.action(description="Sync the selected templates' channels from YCloud")
    def sync_from_ycloud(self, request, queryset) -> None:
        channels = {template.channel for template in queryset}
        for channel in channels:
            try:
                result = template_sync_channel(channel=channel)
            except YCloudError as exc:
                self.message_user(request, f"{channel}: {exc.message}", "error")
                continue
            self.message_user(
                request,
                f"{channel}: {result.created} new, {result.updated} changed, "
                f"{result.unchanged} unchanged.",
            )


@admin.register(Sticker)
class StickerAdmin(admin.ModelAdmin):
    """Stickers are uploaded through the API, which checks their type and size."""

    list_display = ["__str__", "file", "company", "created_at"]
    list_filter = ["company"]
    search_fields = ["name"]
    list_select_related = ["company"]
    readonly_fields = ["company", "file", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = [
        "starts_at",
        "contact",
        "duration_minutes",
        "status",
        "chat",
        "company",
    ]
    list_filter = ["company", "status"]
    search_fields = ["contact__phone", "contact__name", "notes"]
    list_select_related = ["contact", "chat__contact", "company"]
    raw_id_fields = ["chat", "contact", "created_by"]
    date_hierarchy = "starts_at"
    readonly_fields = ["created_at", "updated_at"]
