"""Input and output shapes of the chat endpoints; chats themselves are rendered by
`messaging.serializers.ChatOutputSerializer`, the shape the inbox socket uses too."""

from typing import Any

from rest_framework import serializers

from messaging.models import Chat
from messaging.selectors_chats import ME, UNASSIGNED
from messaging.serializers import UserSummaryOutputSerializer
from messaging.services.chats import BULK_ACTIONS
from project.text import is_ascii_digits

MAX_ID = 2**63 - 1
SETTABLE_STATUSES = [
    Chat.Status.OPEN,
    Chat.Status.PENDING,
    Chat.Status.RESOLVED,
]  # `snoozed` needs a time: POST .../snooze


class ChatListFilterInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Chat.Status.choices, required=False)
    assigned_to = serializers.CharField(
        required=False, help_text="A user id, `me` or `none` (unassigned)"
    )
    pinned = serializers.BooleanField(required=False)
    tag = serializers.CharField(
        required=False, max_length=50, help_text="A tag's name (any case) or id"
    )
    search = serializers.CharField(
        required=False,
        max_length=200,
        help_text="In the contact's name and phone and the chat's messages",
    )
    updated_since = serializers.DateTimeField(
        required=False, help_text="Chats changed at or after this time"
    )

    def validate_assigned_to(self, value: str) -> int | str:
        if value in (ME, UNASSIGNED):
            return value
        if is_ascii_digits(value) and 0 < int(value) <= MAX_ID:
            return int(value)
        raise serializers.ValidationError("Give a user id, `me` or `none`.")


class ChatAssignInputSerializer(serializers.Serializer):
    user = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        allow_null=True,
        help_text="An active user of the company, or null to unassign",
    )


class ChatStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=SETTABLE_STATUSES, help_text="To snooze, use `.../snooze`"
    )


class ChatSnoozeInputSerializer(serializers.Serializer):
    until = serializers.DateTimeField(help_text="A future time; it reopens then")


class ChatBulkInputSerializer(serializers.Serializer):
    REQUIRED = {"assign": "user", "status": "status", "snooze": "until"}

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=500,
    )
    action = serializers.ChoiceField(choices=BULK_ACTIONS)
    user = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        allow_null=True,
        help_text="For `assign`: a user id, or null to unassign",
    )
    status = serializers.ChoiceField(
        required=False, choices=SETTABLE_STATUSES, help_text="For `status`"
    )
    until = serializers.DateTimeField(required=False, help_text="For `snooze`")
    tag = serializers.CharField(
        required=False, max_length=50, help_text="For `tag` and `untag`: its name"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        action = attrs["action"]
        needed = "tag" if action in ("tag", "untag") else self.REQUIRED.get(action)
        if needed and needed not in attrs:
            raise serializers.ValidationError(
                {needed: f"This field is required for `{action}`."}
            )
        return attrs


class BulkResultOutputSerializer(serializers.Serializer):
    updated = serializers.IntegerField(
        help_text="Chats changed; those already in that state are not counted"
    )


class NoteCreateInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10_000)


class NoteOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    chat = serializers.IntegerField(source="chat_id")
    author = UserSummaryOutputSerializer(allow_null=True)
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class ChatTagAddInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    color = serializers.RegexField(
        r"^#[0-9a-fA-F]{6}$",
        required=False,
        help_text="#RRGGBB, used only when the tag is new",
    )


class ChatTagRemoveInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
