"""Input and output shapes of a chat's message endpoints."""

from typing import Any

from django.core.validators import URLValidator
from rest_framework import serializers

from messaging.models import Message
from messaging.serializers import MessageOutputSerializer
from messaging.services.sending import OutboundDraft

MAX_ID = 2**63 - 1
TEXT_MAX_LENGTH = 4096  # WhatsApp's limit for a text body
CAPTION_MAX_LENGTH = 1024
T = Message.Type
SENDABLE_TYPES = [T.TEXT, T.IMAGE, T.DOCUMENT, T.AUDIO, T.VIDEO, T.STICKER, T.TEMPLATE]
NO_CAPTION_TYPES = ("audio", "sticker")


class ChatMessagePageInputSerializer(serializers.Serializer):
    before = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Older than this id"
    )
    after = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Newer than this id"
    )
    limit = serializers.IntegerField(
        required=False, default=50, min_value=1, max_value=200
    )


class ChatMessagePageOutputSerializer(serializers.Serializer):
    results = MessageOutputSerializer(many=True, source="messages")
    has_older = serializers.BooleanField(
        help_text="Older messages exist: ask with `before` = the first id"
    )
    has_newer = serializers.BooleanField(
        help_text="Newer messages exist: ask with `after` = the last id"
    )


class ChatMessageMediaInputSerializer(serializers.Serializer):
    url = serializers.CharField(
        required=False,
        max_length=2000,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="A public http(s) link YCloud fetches the file from",
    )
    id = serializers.CharField(
        required=False, max_length=255, help_text="A media id uploaded to YCloud"
    )
    sticker = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="A sticker of the company's library (type `sticker`)",
    )
    caption = serializers.CharField(required=False, max_length=CAPTION_MAX_LENGTH)
    filename = serializers.CharField(
        required=False, max_length=240, help_text="Documents only"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        sources = [key for key in ("url", "id", "sticker") if key in attrs]
        if len(sources) != 1:
            raise serializers.ValidationError(
                "Give exactly one of `url`, `id` or `sticker`."
            )
        return attrs


class ChatMessageTemplateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=512)
    language = serializers.CharField(max_length=16, help_text="e.g. `en`, `es_MX`")
    params = serializers.ListField(
        child=serializers.CharField(max_length=1024, trim_whitespace=False),
        required=False,
        default=list,
        max_length=100,
        help_text="The body's variables {{1}}, {{2}}… in order",
    )


class ChatMessageCreateInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=SENDABLE_TYPES)
    text = serializers.CharField(
        required=False, max_length=TEXT_MAX_LENGTH, help_text="For `text`"
    )
    media = ChatMessageMediaInputSerializer(required=False, help_text="For media types")
    template = ChatMessageTemplateInputSerializer(
        required=False, help_text="For `template`"
    )
    reply_to = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="The id of a message of this chat to quote",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs["type"]
        wanted = {"text": "text", "template": "template"}.get(kind, "media")
        for key in ("text", "media", "template"):
            if key == wanted and key not in attrs:
                raise serializers.ValidationError(
                    {key: f"This field is required for `{kind}` messages."}
                )
            if key != wanted and key in attrs:
                raise serializers.ValidationError(
                    {key: f"`{kind}` messages have no `{key}`."}
                )
        if wanted == "media":
            _check_media(kind, attrs["media"])
        return attrs


def _check_media(kind: str, media: dict[str, Any]) -> None:
    errors = {}
    if "caption" in media and kind in NO_CAPTION_TYPES:
        errors["caption"] = f"A {kind} cannot have a caption."
    if "filename" in media and kind != "document":
        errors["filename"] = "Only documents have a file name."
    if "sticker" in media and kind != "sticker":
        errors["sticker"] = "Only `sticker` messages take a library sticker."
    if errors:
        raise serializers.ValidationError({"media": errors})


class ChatMessageBulkCreateInputSerializer(serializers.Serializer):
    messages = serializers.ListField(
        child=ChatMessageCreateInputSerializer(), min_length=1, max_length=20
    )


class ChatMessageBulkOutputSerializer(serializers.Serializer):
    results = MessageOutputSerializer(many=True)


def draft_from(data: dict[str, Any]) -> OutboundDraft:
    """The service's draft for one validated message."""
    media = data.get("media", {})
    template = data.get("template", {})
    return OutboundDraft(
        type=data["type"],
        text=data.get("text", ""),
        media_url=media.get("url", ""),
        media_id=media.get("id", ""),
        sticker_id=media.get("sticker"),
        caption=media.get("caption", ""),
        filename=media.get("filename", ""),
        template_name=template.get("name", ""),
        template_language=template.get("language", ""),
        template_params=template.get("params", []),
        reply_to_id=data.get("reply_to"),
    )
