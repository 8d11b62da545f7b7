"""Input and output shapes of `/api/channels`, `/api/templates` and `/api/stickers`."""

from django.core.validators import URLValidator
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from messaging.models import Sticker, Template, WhatsAppChannel
from messaging.phones import normalize_e164
from messaging.selectors_catalog import sticker_mime_type

# --- Channels ---------------------------------------------------------------------------


class ChannelInputSerializer(serializers.Serializer):
    """Creation needs both secrets; an update (partial) keeps any it leaves out."""

    name = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default=""
    )
    phone_number = serializers.CharField(
        max_length=32, help_text="The business number in E.164, e.g. +15550001111"
    )
    api_key = serializers.CharField(max_length=255, write_only=True)
    webhook_secret = serializers.CharField(
        max_length=255,
        write_only=True,
        help_text="The signing secret YCloud shows for the webhook endpoint (whsec_…)",
    )
    api_base_url = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        default="",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="YCloud's API; empty for the default",
    )
    waba_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    is_active = serializers.BooleanField(required=False, default=True)

    def validate_phone_number(self, value: str) -> str:
        number = normalize_e164(value)
        if number is None:
            raise serializers.ValidationError(
                "Enter the number in E.164 form, e.g. +34600111222."
            )
        return number


class ChannelOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone_number = serializers.CharField()
    api_base_url = serializers.CharField()
    waba_id = serializers.CharField()
    is_active = serializers.BooleanField()
    api_key_set = serializers.SerializerMethodField()
    webhook_secret_set = serializers.SerializerMethodField()
    webhook_url = serializers.SerializerMethodField(
        help_text="Paste into YCloud as the webhook endpoint's URL"
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_api_key_set(self, channel: WhatsAppChannel) -> bool:
        return bool(channel.api_key)

    def get_webhook_secret_set(self, channel: WhatsAppChannel) -> bool:
        return bool(channel.webhook_secret)

    def get_webhook_url(self, channel: WhatsAppChannel) -> str:
        return self.context["request"].build_absolute_uri(channel.webhook_path)


# --- Templates --------------------------------------------------------------------------


class TemplateInputSerializer(serializers.Serializer):
    channel = serializers.IntegerField(help_text="Only on creation")
    name = serializers.RegexField(
        r"^[a-z0-9_]+$",
        max_length=512,
        error_messages={"invalid": "Use lower-case letters, digits and _ only."},
    )
    language = serializers.RegexField(
        r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$",
        max_length=16,
        error_messages={"invalid": "Use a language code such as en, es or en_US."},
    )
    category = serializers.ChoiceField(choices=Template.Category.choices)
    status = serializers.ChoiceField(
        choices=Template.Status.choices,
        required=False,
        default=Template.Status.PENDING,
    )
    reason = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )
    components = serializers.ListField(
        child=serializers.DictField(), required=False, default=list, max_length=50
    )


class TemplateUpdateInputSerializer(TemplateInputSerializer):
    channel = None  # a template stays on its channel


class TemplateListFilterInputSerializer(serializers.Serializer):
    channel = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=Template.Status.choices, required=False)
    language = serializers.CharField(max_length=16, required=False)
    search = serializers.CharField(max_length=200, required=False)


class TemplateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.IntegerField(source="channel_id")
    name = serializers.CharField()
    language = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField()
    components = serializers.JSONField()
    sendable = serializers.SerializerMethodField(
        help_text="Only approved templates can be sent"
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_sendable(self, template: Template) -> bool:
        return template.status == Template.Status.APPROVED


class TemplateSyncInputSerializer(serializers.Serializer):
    channel = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The channel to sync; every active channel when left out",
    )


class TemplateSyncOutputSerializer(serializers.Serializer):
    channels = serializers.ListField(child=serializers.IntegerField())
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    total = serializers.IntegerField()


# --- Stickers ---------------------------------------------------------------------------


class StickerCreateInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A WebP or PNG image")
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)


class StickerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The file, for signed-in users")
    mime_type = serializers.SerializerMethodField()
    size = serializers.SerializerMethodField(
        help_text="Bytes; null if the file is gone"
    )
    created_at = serializers.DateTimeField()

    def get_url(self, sticker: Sticker) -> str:
        path = reverse("messaging:sticker-file", args=[sticker.id])
        return self.context["request"].build_absolute_uri(path)

    def get_mime_type(self, sticker: Sticker) -> str:
        return sticker_mime_type(sticker)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_size(self, sticker: Sticker) -> int | None:
        try:
            return sticker.file.size
        except OSError:
            return None
