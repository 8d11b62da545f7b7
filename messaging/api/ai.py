"""`/api/chats/<id>/insights|summary|assist-draft|ticket`: AI work on one chat the
caller may see. Insights and summaries run in Celery (202 with the task id, the
result pushed on the inbox socket); drafts and tickets answer directly."""

from dataclasses import asdict

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import PermissionCode
from helpdesk.serializers import TicketOutputSerializer
from messaging.ai import serializers as s
from messaging.ai.selectors import chat_insight_get, chat_summary_get
from messaging.ai.services import (
    chat_assist_draft,
    chat_insights_request,
    chat_summary_request,
    chat_ticket_create,
)
from messaging.api.chats import NOT_FOUND, ChatAPIView

NOTHING_YET = OpenApiResponse(
    description="No such chat, not one the caller sees, or nothing generated yet"
)
NO_MESSAGES = OpenApiResponse(description="The chat has no messages yet")
LLM_FAILED = OpenApiResponse(
    description="The model failed, or answered twice with an unusable reply"
)


class ChatInsightsView(ChatAPIView):
    required_permission = PermissionCode.AI_RUN

    @extend_schema(
        request=None,
        responses={202: s.TaskOutputSerializer, 404: NOT_FOUND, 409: NO_MESSAGES},
    )
    def post(self, request: Request, chat_id: int) -> Response:
        task = chat_insights_request(chat=self.chat(chat_id))
        return Response({"task": task}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: s.ChatInsightOutputSerializer, 404: NOTHING_YET})
    def get(self, request: Request, chat_id: int) -> Response:
        insight = chat_insight_get(chat=self.chat(chat_id))
        return Response(s.ChatInsightOutputSerializer(insight).data)


class ChatSummaryView(ChatAPIView):
    required_permission = PermissionCode.AI_RUN

    @extend_schema(
        request=None,
        responses={202: s.TaskOutputSerializer, 404: NOT_FOUND, 409: NO_MESSAGES},
    )
    def post(self, request: Request, chat_id: int) -> Response:
        task = chat_summary_request(chat=self.chat(chat_id))
        return Response({"task": task}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: s.ChatSummaryOutputSerializer, 404: NOTHING_YET})
    def get(self, request: Request, chat_id: int) -> Response:
        summary = chat_summary_get(chat=self.chat(chat_id))
        return Response(s.ChatSummaryOutputSerializer(summary).data)


class ChatAssistDraftView(ChatAPIView):
    required_permission = PermissionCode.AI_RUN

    @extend_schema(
        request=s.AssistDraftInputSerializer,
        responses={
            200: s.AssistDraftOutputSerializer,
            404: NOT_FOUND,
            502: LLM_FAILED,
        },
    )
    def post(self, request: Request, chat_id: int) -> Response:
        serializer = s.AssistDraftInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = chat_assist_draft(
            chat=self.chat(chat_id), user=request.user, **serializer.validated_data
        )
        return Response({"draft": draft})


class ChatTicketView(ChatAPIView):
    required_permission = PermissionCode.HELPDESK_EDIT

    @extend_schema(
        request=None,
        responses={
            201: TicketOutputSerializer,
            404: NOT_FOUND,
            409: NO_MESSAGES,
            502: LLM_FAILED,
            503: OpenApiResponse(description="GLPI is not configured or down"),
        },
    )
    def post(self, request: Request, chat_id: int) -> Response:
        ticket = chat_ticket_create(chat=self.chat(chat_id), user=request.user)
        return Response(
            TicketOutputSerializer(asdict(ticket)).data, status=status.HTTP_201_CREATED
        )
