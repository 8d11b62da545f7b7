"""`POST /api/chats/import`: a WhatsApp chat export becomes an inbox chat."""

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import PermissionCode
from accounts.tenancy import CompanyAPIView
from messaging.models import Chat
from messaging.serializers import ChatOutputSerializer
from messaging.services.imports import chat_import


class ChatImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="WhatsApp's 'Export chat' file: the .txt, or the .zip with media"
    )
    channel = serializers.IntegerField(
        required=False, help_text="The channel the chat belongs to, if several"
    )
    phone = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="The customer's number (E.164); found in the export if left out",
    )
    name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="The customer's name as the export writes it",
    )
    agent_name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The author on your side; the others' messages are inbound",
    )
    date_order = serializers.ChoiceField(
        choices=["dmy", "mdy"],
        required=False,
        allow_null=True,
        default=None,
        help_text="Day or month first in the export's dates; guessed if left out",
    )
    timezone = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="The exporting phone's time zone (IANA), e.g. Europe/Madrid",
    )

    def validate_timezone(self, value: str) -> ZoneInfo | None:
        if not value:
            return None
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise serializers.ValidationError(
                "Unknown time zone; use an IANA name such as Europe/Madrid."
            ) from None


class ChatImportStatsOutputSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Messages added")
    duplicates = serializers.IntegerField(help_text="Messages imported before")
    media_stored = serializers.IntegerField()
    media_missing = serializers.IntegerField(
        help_text="Referenced files the upload did not contain"
    )
    system_lines = serializers.IntegerField(
        help_text="Notices skipped (encryption, number changes…)"
    )


class ChatImportOutputSerializer(ChatOutputSerializer):
    imported = serializers.SerializerMethodField()

    @extend_schema_field(ChatImportStatsOutputSerializer)
    def get_imported(self, chat: Chat) -> dict[str, Any]:
        return ChatImportStatsOutputSerializer(self.context["result"]).data


class ChatImportView(CompanyAPIView):
    required_permission = PermissionCode.CHATS_REPLY
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ChatImportInputSerializer},
        responses={201: ChatImportOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ChatImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = chat_import(
            company=self.company,
            channel_id=data.pop("channel", None),
            tz=data.pop("timezone"),
            **data,
        )
        output = ChatImportOutputSerializer(result.chat, context={"result": result})
        return Response(output.data, status=status.HTTP_201_CREATED)
