from django.conf import settings
from rest_framework import serializers

from assistant.models import Conversation, InteractionLog, Message


class MessageContentField(serializers.CharField):
    """Message text: not blank, at most ASSISTANT_MAX_CONTENT_CHARS characters."""

    def __init__(self, **kwargs) -> None:
        super().__init__(trim_whitespace=False, **kwargs)

    def to_internal_value(self, data) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError("Send the text as a string.")
        value = super().to_internal_value(data)
        if not value.strip():
            raise serializers.ValidationError("This field may not be blank.")
        limit = settings.ASSISTANT_MAX_CONTENT_CHARS
        if len(value) > limit:
            raise serializers.ValidationError(
                f"Keep it under {limit} characters (this has {len(value)})."
            )
        return value


class ModelOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    provider = serializers.CharField()
    name = serializers.CharField()
    default = serializers.BooleanField()
    available = serializers.BooleanField()


class MessageOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "role",
            "content",
            "status",
            "model",
            "prompt_tokens",
            "completion_tokens",
            "latency_ms",
            "time_to_first_token_ms",
            "finish_reason",
            "error",
            "data",
            "created_at",
        ]


class ConversationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Conversation
        fields = ["id", "title", "model", "created_at", "updated_at"]


class ConversationDetailOutputSerializer(ConversationOutputSerializer):
    messages = MessageOutputSerializer(many=True, read_only=True)

    class Meta(ConversationOutputSerializer.Meta):
        fields = [*ConversationOutputSerializer.Meta.fields, "messages"]


class ConversationCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    model = serializers.CharField(
        max_length=200, required=False, allow_null=True, default=None
    )


class ConversationUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    model = serializers.CharField(max_length=200, required=False, allow_blank=True)


class MessageCreateInputSerializer(serializers.Serializer):
    content = MessageContentField()
    model = serializers.CharField(
        max_length=200, required=False, allow_null=True, default=None
    )
    stream = serializers.BooleanField(required=False, default=False)


class ConversationReplyOutputSerializer(serializers.Serializer):
    message = MessageOutputSerializer()
    reply = MessageOutputSerializer()


class AskInputSerializer(serializers.Serializer):
    prompt = MessageContentField()
    temperature = serializers.FloatField(required=False, min_value=0, max_value=2)
    max_tokens = serializers.IntegerField(required=False, min_value=1, max_value=32768)
    stream = serializers.BooleanField(required=False, default=False)
    model = serializers.CharField(
        max_length=200, required=False, allow_null=True, default=None
    )


class AskOutputSerializer(serializers.Serializer):
    response = serializers.CharField()
    tokens_used = serializers.IntegerField()
    model = serializers.CharField()


class LogQueryInputSerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=1000, default=100
    )
    level = serializers.ChoiceField(
        choices=InteractionLog.Level.choices, required=False
    )


class LogOutputSerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField(source="created_at")
    level = serializers.CharField()
    message = serializers.SerializerMethodField()
    metadata = serializers.SerializerMethodField()

    def get_message(self, log: InteractionLog) -> str:
        text = f"{log.provider}/{log.model} {log.endpoint}: {log.outcome}"
        return f"{text} ({log.error})" if log.error else text

    def get_metadata(self, log: InteractionLog) -> dict:
        return {
            "provider": log.provider,
            "model": log.model,
            "endpoint": log.endpoint,
            "outcome": log.outcome,
            "user": log.user.username if log.user else None,
            "conversation": log.conversation_id,
            "prompt_tokens": log.prompt_tokens,
            "completion_tokens": log.completion_tokens,
            "latency_ms": log.latency_ms,
            "time_to_first_token_ms": log.time_to_first_token_ms,
            "error": log.error,
        }


class ChatMessageInputSerializer(serializers.Serializer):
    """A `chat.message` WebSocket frame."""

    conversation = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )
    content = MessageContentField()
    model = serializers.CharField(
        max_length=200, required=False, allow_null=True, default=None
    )


class ChatCancelInputSerializer(serializers.Serializer):
    """A `chat.cancel` frame; without `conversation` it stops every reply on the socket."""

    conversation = serializers.IntegerField(
        required=False, allow_null=True, min_value=1
    )


class QueryInputSerializer(serializers.Serializer):
    query = MessageContentField()
    source = serializers.ChoiceField(
        choices=["auto", "helpdesk", "inbox", "general"], required=False, default="auto"
    )


class QueryOutputSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    data = serializers.DictField()
    intention = serializers.CharField()
    confidence = serializers.FloatField()
