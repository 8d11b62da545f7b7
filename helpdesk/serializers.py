from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rest_framework import serializers

from helpdesk.mapping import LEVELS, PRIORITIES, STATUSES, TYPES
from helpdesk.models import GlpiConnection

STATUS_FILTERS = [*STATUSES.values(), "open"]
LEVEL_CHOICES = list(LEVELS.values())  # urgency and impact share one scale


def _choices(names: dict[int, str]) -> list[str]:
    return list(names.values())


class PageQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=200, default=50
    )


class TicketListQuerySerializer(PageQuerySerializer):
    chat = serializers.IntegerField(
        required=False, min_value=1, help_text="Linked inbox chat"
    )
    status = serializers.ChoiceField(choices=STATUS_FILTERS, required=False)
    priority = serializers.ChoiceField(choices=_choices(PRIORITIES), required=False)
    category = serializers.CharField(required=False, max_length=200)
    requester = serializers.CharField(required=False, max_length=200)
    technician = serializers.CharField(required=False, max_length=200)
    search = serializers.CharField(required=False, max_length=200)


class ComputerListQuerySerializer(PageQuerySerializer):
    status = serializers.CharField(required=False, max_length=200)
    location = serializers.CharField(required=False, max_length=200)
    search = serializers.CharField(required=False, max_length=200)


class TicketOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField(allow_null=True)
    priority = serializers.CharField(allow_null=True)
    urgency = serializers.CharField(allow_null=True)
    impact = serializers.CharField(allow_null=True)
    type = serializers.CharField(allow_null=True)
    category = serializers.CharField()
    location = serializers.CharField()
    requester = serializers.CharField()
    technician = serializers.CharField()
    created_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    solved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class FollowupOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    content = serializers.CharField()
    author = serializers.CharField()
    is_private = serializers.BooleanField()
    created_at = serializers.DateTimeField(allow_null=True)


class TicketDetailOutputSerializer(TicketOutputSerializer):
    followups = FollowupOutputSerializer(many=True)
    chats = serializers.ListField(
        child=serializers.IntegerField(), help_text="Linked inbox chats"
    )


class TicketCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=250)
    description = serializers.CharField(max_length=20000)
    priority = serializers.ChoiceField(choices=_choices(PRIORITIES), required=False)
    urgency = serializers.ChoiceField(choices=LEVEL_CHOICES, required=False)
    impact = serializers.ChoiceField(choices=LEVEL_CHOICES, required=False)
    type = serializers.ChoiceField(choices=_choices(TYPES), required=False)
    category = serializers.IntegerField(
        required=False, min_value=1, help_text="GLPI category id"
    )
    location = serializers.IntegerField(
        required=False, min_value=1, help_text="GLPI location id"
    )
    chat = serializers.IntegerField(
        required=False, min_value=1, help_text="Inbox chat to link"
    )


class TicketUpdateInputSerializer(TicketCreateInputSerializer):
    chat = None  # a ticket is linked to a chat when it is created from it
    title = serializers.CharField(max_length=250, required=False)
    description = serializers.CharField(max_length=20000, required=False)
    status = serializers.ChoiceField(choices=_choices(STATUSES), required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs


class FollowupCreateInputSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=20000)
    is_private = serializers.BooleanField(required=False, default=False)


class ComputerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    serial = serializers.CharField()
    status = serializers.CharField()
    location = serializers.CharField()
    manufacturer = serializers.CharField()
    model = serializers.CharField()
    user = serializers.CharField()
    updated_at = serializers.DateTimeField(allow_null=True)


class StatisticsOutputSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    closed = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_priority = serializers.DictField(child=serializers.IntegerField())
    by_type = serializers.DictField(child=serializers.IntegerField())
    by_category = serializers.DictField(child=serializers.IntegerField())
    mean_time_to_solve_hours = serializers.FloatField(allow_null=True)
    solve_time_sample = serializers.IntegerField()


class ConnectionOutputSerializer(serializers.ModelSerializer):
    app_token_set = serializers.SerializerMethodField()
    user_token_set = serializers.SerializerMethodField()

    class Meta:
        model = GlpiConnection
        fields = [
            "url",
            "enabled",
            "timeout",
            "verify_tls",
            "timezone",
            "app_token_set",
            "user_token_set",
            "last_checked_at",
            "last_check_ok",
            "last_check_detail",
            "updated_at",
        ]

    def get_app_token_set(self, connection: GlpiConnection) -> bool:
        return bool(connection.app_token)

    def get_user_token_set(self, connection: GlpiConnection) -> bool:
        return bool(connection.user_token)


class ConnectionInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    app_token = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        allow_null=True,
        write_only=True,
    )
    user_token = serializers.CharField(
        max_length=255, required=False, allow_null=True, write_only=True
    )
    enabled = serializers.BooleanField(required=False, default=True)
    timeout = serializers.FloatField(
        required=False, min_value=1, max_value=120, default=10.0
    )
    verify_tls = serializers.BooleanField(required=False, default=True)
    timezone = serializers.CharField(
        required=False, allow_blank=True, max_length=64, default=""
    )

    def validate_timezone(self, value: str) -> str:
        try:
            value and ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise serializers.ValidationError(f"Unknown time zone '{value}'.") from None
        return value


class ConnectionTestOutputSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    detail = serializers.CharField()
