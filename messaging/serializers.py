"""Output shapes shared by the API and the inbox socket's events.

Plain serializers with declared fields: events are serialized on the webhook's hot
path, where ModelSerializer's per-instance model introspection costs the most.
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from messaging.models import Chat, Message


class ContactOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    phone = serializers.CharField()
    name = serializers.CharField()
    wa_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class TagOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    color = serializers.CharField()


class UserSummaryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()


class MediaOutputSerializer(serializers.Serializer):
    mime_type = serializers.CharField()
    filename = serializers.CharField()
    available = serializers.BooleanField(help_text="Our stored copy exists")


# Named apart from the assistant's MessageOutputSerializer in the OpenAPI schema.
@extend_schema_serializer(component_name="ChatMessageOutput")
class MessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    chat = serializers.IntegerField(source="chat_id")
    direction = serializers.ChoiceField(choices=Message.Direction.choices)
    type = serializers.ChoiceField(choices=Message.Type.choices)
    text = serializers.CharField()
    caption = serializers.CharField()
    media = serializers.SerializerMethodField()
    payload = serializers.JSONField()
    reply_to = serializers.IntegerField(source="reply_to_id", allow_null=True)
    status = serializers.ChoiceField(choices=Message.Status.choices)
    error_code = serializers.CharField()
    error_message = serializers.CharField()
    sent_by = serializers.IntegerField(source="sent_by_id", allow_null=True)
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    read_at = serializers.DateTimeField(allow_null=True)
    failed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(MediaOutputSerializer(allow_null=True))
    def get_media(self, message: Message) -> dict[str, Any] | None:
        """YCloud's link never leaves the server (it expires, and with our key it
        reaches the account); clients get our stored copy once `available`."""
        if not message.has_media:
            return None
        return {
            "mime_type": message.media_mime,
            "filename": message.payload.get("filename", ""),
            "available": bool(message.media_file),
        }


class ChatOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.IntegerField(source="channel_id")
    contact = ContactOutputSerializer()
    status = serializers.ChoiceField(choices=Chat.Status.choices)
    assigned_to = UserSummaryOutputSerializer(allow_null=True)
    pinned = serializers.BooleanField()
    snoozed_until = serializers.DateTimeField(allow_null=True)
    unread_count = serializers.IntegerField()
    tags = TagOutputSerializer(many=True, source="tags.all")
    last_message = MessageOutputSerializer(allow_null=True)
    last_message_at = serializers.DateTimeField(allow_null=True)
    last_customer_message_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class WebhookReceiptOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["received", "ignored", "failed", "duplicate"]
    )
