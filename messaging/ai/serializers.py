"""Shapes of the AI endpoints, shared with the inbox socket's `*.ready` events."""

from rest_framework import serializers

from messaging.ai.results import ENTITY_TYPES, INTENTS, SENTIMENTS


class EntityOutputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ENTITY_TYPES)
    value = serializers.CharField()


class ChatInsightOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sentiment = serializers.ChoiceField(choices=SENTIMENTS)
    sentiment_score = serializers.FloatField(
        allow_null=True, help_text="0 very negative, 0.5 neutral, 1 very positive"
    )
    intents = serializers.ListField(child=serializers.ChoiceField(choices=INTENTS))
    entities = EntityOutputSerializer(many=True)
    suggested_actions = serializers.ListField(child=serializers.CharField())
    suggested_replies = serializers.ListField(child=serializers.CharField())
    churn_risk = serializers.FloatField(
        allow_null=True, help_text="0 none to 1 certain"
    )
    model = serializers.CharField(help_text="provider:model that wrote it")
    up_to_message = serializers.IntegerField(
        source="up_to_message_id", allow_null=True, help_text="The newest message read"
    )
    created_at = serializers.DateTimeField()


class ChatSummaryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    summary = serializers.CharField()
    message_count = serializers.IntegerField(help_text="Messages it was written from")
    model = serializers.CharField(help_text="provider:model that wrote it")
    up_to_message = serializers.IntegerField(
        source="up_to_message_id", allow_null=True, help_text="The newest message read"
    )
    created_at = serializers.DateTimeField()


class TaskOutputSerializer(serializers.Serializer):
    task = serializers.CharField(
        help_text="The Celery task id; the result arrives on the inbox socket"
    )


class AssistDraftInputSerializer(serializers.Serializer):
    instruction = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text='What to change, e.g. "more formal", "shorter"',
    )
    draft = serializers.CharField(
        max_length=4096,
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="The agent's draft to improve; empty to propose a reply",
    )


class AssistDraftOutputSerializer(serializers.Serializer):
    draft = serializers.CharField()
