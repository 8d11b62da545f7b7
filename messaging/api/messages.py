"""`/api/chats/<id>/messages`: reading a chat by cursor, and replying."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import PermissionCode
from messaging.api import message_serializers as s
from messaging.api.chats import NOT_FOUND, ChatAPIView, query_data
from messaging.selectors_chats import chat_message_page
from messaging.serializers import MessageOutputSerializer
from messaging.services.sending import message_queue, messages_queue

SEND_RESPONSES = {
    404: NOT_FOUND,
    409: OpenApiResponse(
        description="`window_closed`: no customer message in the last 24 hours, "
        "only templates can be sent; `channel_inactive`: the channel is off"
    ),
}
SEND_DESCRIPTION = (
    "Stored as `queued` and sent through YCloud in the background; its status then "
    "arrives on the inbox socket (`message.status`)."
)


class ChatMessagesView(ChatAPIView):
    required_permissions = {"POST": PermissionCode.CHATS_REPLY}

    @extend_schema(
        parameters=[s.ChatMessagePageInputSerializer],
        responses={200: s.ChatMessagePageOutputSerializer, 404: NOT_FOUND},
        description="Messages by id, oldest first: the newest `limit` (or those "
        "older than `before`), or with `after` alone the oldest ones newer than it.",
    )
    def get(self, request: Request, chat_id: int) -> Response:
        query = s.ChatMessagePageInputSerializer(data=query_data(request))
        query.is_valid(raise_exception=True)
        page = chat_message_page(chat=self.chat(chat_id), **query.validated_data)
        return Response(s.ChatMessagePageOutputSerializer(page).data)

    @extend_schema(
        request=s.ChatMessageCreateInputSerializer,
        responses={202: MessageOutputSerializer, **SEND_RESPONSES},
        description=SEND_DESCRIPTION,
    )
    def post(self, request: Request, chat_id: int) -> Response:
        serializer = s.ChatMessageCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = message_queue(
            chat=self.chat(chat_id),
            sender=request.user,
            draft=s.draft_from(serializer.validated_data),
        )
        return Response(
            MessageOutputSerializer(message).data, status=status.HTTP_202_ACCEPTED
        )


class ChatMessagesBulkView(ChatAPIView):
    required_permission = PermissionCode.CHATS_REPLY

    @extend_schema(
        request=s.ChatMessageBulkCreateInputSerializer,
        responses={202: s.ChatMessageBulkOutputSerializer, **SEND_RESPONSES},
        description="Several replies, all checked before any is stored, sent in "
        "order. " + SEND_DESCRIPTION,
    )
    def post(self, request: Request, chat_id: int) -> Response:
        serializer = s.ChatMessageBulkCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        messages = messages_queue(
            chat=self.chat(chat_id),
            sender=request.user,
            drafts=[s.draft_from(m) for m in serializer.validated_data["messages"]],
        )
        return Response(
            s.ChatMessageBulkOutputSerializer({"results": messages}).data,
            status=status.HTTP_202_ACCEPTED,
        )
