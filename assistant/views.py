from dataclasses import asdict

from asgiref.sync import async_to_sync
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.mixins import ListModelMixin
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import PermissionCode
from accounts.tenancy import CompanyAPIView
from assistant import serializers as s
from assistant.agent import agent_query
from assistant.models import Conversation
from assistant.providers import model_catalogue
from assistant.selectors import (
    conversation_get,
    conversation_list,
    interaction_log_list,
)
from assistant.services import (
    ask_prepare,
    conversation_create,
    conversation_delete,
    conversation_reply_prepare,
    conversation_update,
    reply_collect,
    reply_stream,
)
from assistant.streaming import EventStreamRenderer, sse_response, wants_stream

SSE_RESPONSE = OpenApiResponse(
    description="With `stream: true` or `Accept: text/event-stream`: events `start`, "
    "`token` (one per upstream chunk), then `done` or `error`."
)


class AssistantAPIView(CompanyAPIView):
    required_permission = PermissionCode.ASSISTANT_USE


class ModelListView(AssistantAPIView):
    filter_backends: list = []
    pagination_class = None

    @extend_schema(responses=s.ModelOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(s.ModelOutputSerializer(model_catalogue(), many=True).data)


class ConversationListCreateView(ListModelMixin, AssistantAPIView):
    serializer_class = s.ConversationOutputSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Conversation.objects.none()  # the schema is built without a user
        search = self.request.query_params.get("search", "")
        return conversation_list(
            company=self.company, user=self.request.user, search=search
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="In titles and messages")
        ]
    )
    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(
        request=s.ConversationCreateInputSerializer,
        responses={201: s.ConversationOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = s.ConversationCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        conversation = conversation_create(
            company=self.company, user=request.user, **serializer.validated_data
        )
        output = s.ConversationOutputSerializer(conversation)
        return Response(output.data, status=status.HTTP_201_CREATED)


class ConversationDetailView(AssistantAPIView):
    serializer_class = s.ConversationDetailOutputSerializer

    def _conversation(self, conversation_id: int):
        return conversation_get(
            company=self.company,
            user=self.request.user,
            conversation_id=conversation_id,
        )

    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = self._conversation(conversation_id)
        return Response(s.ConversationDetailOutputSerializer(conversation).data)

    @extend_schema(
        request=s.ConversationUpdateInputSerializer,
        responses=s.ConversationDetailOutputSerializer,
    )
    def patch(self, request: Request, conversation_id: int) -> Response:
        serializer = s.ConversationUpdateInputSerializer(
            data=request.data, partial=True
        )
        serializer.is_valid(raise_exception=True)
        conversation = conversation_update(
            conversation=self._conversation(conversation_id),
            data=serializer.validated_data,
        )
        return Response(s.ConversationDetailOutputSerializer(conversation).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, conversation_id: int) -> Response:
        conversation_delete(conversation=self._conversation(conversation_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StreamingAPIView(AssistantAPIView):
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, EventStreamRenderer]


class ConversationMessageCreateView(StreamingAPIView):
    @extend_schema(
        request=s.MessageCreateInputSerializer,
        responses={201: s.ConversationReplyOutputSerializer, 200: SSE_RESPONSE},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        serializer = s.MessageCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        streaming = wants_stream(request, data["stream"])
        prepared = conversation_reply_prepare(
            company=self.company,
            user=request.user,
            conversation_id=conversation_id,
            content=data["content"],
            model=data["model"],
            endpoint="conversation.sse" if streaming else "conversation.json",
        )
        if streaming:
            return sse_response(reply_stream(prepared))
        reply = async_to_sync(reply_collect)(prepared)
        message = prepared.user_message
        assistant_message = message.conversation.messages.get(id=reply.message)
        output = s.ConversationReplyOutputSerializer(
            {"message": message, "reply": assistant_message}
        )
        return Response(output.data, status=status.HTTP_201_CREATED)


class AskView(StreamingAPIView):
    @extend_schema(
        request=s.AskInputSerializer,
        responses={200: s.AskOutputSerializer},
        description="A one-off question, without a conversation. "
        + SSE_RESPONSE.description,
    )
    def post(self, request: Request) -> Response:
        serializer = s.AskInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        streaming = wants_stream(request, data.pop("stream"))
        prepared = ask_prepare(
            company=self.company,
            user=request.user,
            endpoint="ask.sse" if streaming else "ask.json",
            **data,
        )
        if streaming:
            return sse_response(reply_stream(prepared))
        reply = async_to_sync(reply_collect)(prepared)
        output = {
            "response": reply.text,
            "tokens_used": reply.usage.total_tokens,
            "model": reply.model,
        }
        return Response(s.AskOutputSerializer(output).data)


class InteractionLogListView(CompanyAPIView):
    required_permission = PermissionCode.LOGS_VIEW
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        parameters=[s.LogQueryInputSerializer],
        responses=s.LogOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = s.LogQueryInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        logs = interaction_log_list(company=self.company, **query.validated_data)
        return Response(s.LogOutputSerializer(logs, many=True).data)


class QueryView(AssistantAPIView):
    @extend_schema(
        request=s.QueryInputSerializer,
        responses=s.QueryOutputSerializer,
        description="The agent: answers from GLPI, the inbox's data or the model.",
    )
    def post(self, request: Request) -> Response:
        serializer = s.QueryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = agent_query(
            company=self.company,
            user=request.user,
            query=serializer.validated_data["query"],
            source=serializer.validated_data["source"],
        )
        return Response(s.QueryOutputSerializer(asdict(result)).data)
