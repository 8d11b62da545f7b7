"""`/api/chats`: the agents' inbox. Each view parses its input, calls one selector or
service and renders the chat in the shape the inbox socket pushes."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import PermissionCode
from accounts.tenancy import CompanyAPIView
from messaging.api import chat_serializers as s
from messaging.models import Chat
from messaging.selectors_chats import chat_get, chat_list, chat_tag_list, note_list
from messaging.serializers import ChatOutputSerializer, TagOutputSerializer
from messaging.services.chats import (
    chat_assign,
    chat_mark_read,
    chat_pin_set,
    chat_snooze,
    chat_status_set,
    chat_tag_add,
    chat_tag_remove,
    chat_unsnooze,
    chats_bulk_update,
    note_create,
)

NOT_FOUND = OpenApiResponse(description="No such chat, or not one the caller sees")


class ChatAPIView(CompanyAPIView):
    # The chat always comes from the access function, which applies visibility.
    filter_backends: list = []  # filters are parsed by input serializers

    def chat(self, chat_id: int) -> Chat:
        return chat_get(company=self.company, user=self.request.user, chat_id=chat_id)


def query_data(request: Request) -> dict[str, str]:
    """The query string as input data; an empty parameter (`?status=`) means unset."""
    return {key: value for key, value in request.query_params.items() if value}


def _chat(chat: Chat) -> Response:
    return Response(ChatOutputSerializer(chat).data)


class ChatListView(ChatAPIView):
    @extend_schema(
        parameters=[s.ChatListFilterInputSerializer],
        responses=ChatOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = s.ChatListFilterInputSerializer(data=query_data(request))
        filters.is_valid(raise_exception=True)
        chats = chat_list(
            company=self.company, user=request.user, **filters.validated_data
        )
        page = self.paginate_queryset(chats)
        return self.get_paginated_response(ChatOutputSerializer(page, many=True).data)


class ChatDetailView(ChatAPIView):
    @extend_schema(responses={200: ChatOutputSerializer, 404: NOT_FOUND})
    def get(self, request: Request, chat_id: int) -> Response:
        return _chat(self.chat(chat_id))


class ChatAssignView(ChatAPIView):
    required_permission = PermissionCode.CHATS_ASSIGN

    @extend_schema(
        request=s.ChatAssignInputSerializer,
        responses={200: ChatOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request: Request, chat_id: int) -> Response:
        serializer = s.ChatAssignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignee_id = serializer.validated_data["user"]
        return _chat(chat_assign(chat=self.chat(chat_id), assignee_id=assignee_id))


class ChatStatusView(ChatAPIView):
    @extend_schema(
        request=s.ChatStatusInputSerializer,
        responses={200: ChatOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request: Request, chat_id: int) -> Response:
        serializer = s.ChatStatusInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new_status = serializer.validated_data["status"]
        return _chat(chat_status_set(chat=self.chat(chat_id), status=new_status))


class ChatPinView(ChatAPIView):
    pinned = True

    @extend_schema(request=None, responses={200: ChatOutputSerializer, 404: NOT_FOUND})
    def post(self, request: Request, chat_id: int) -> Response:
        return _chat(chat_pin_set(chat=self.chat(chat_id), pinned=self.pinned))


class ChatUnpinView(ChatPinView):
    pinned = False


class ChatSnoozeView(ChatAPIView):
    @extend_schema(
        request=s.ChatSnoozeInputSerializer,
        responses={200: ChatOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request: Request, chat_id: int) -> Response:
        serializer = s.ChatSnoozeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        until = serializer.validated_data["until"]
        return _chat(chat_snooze(chat=self.chat(chat_id), until=until))


class ChatUnsnoozeView(ChatAPIView):
    @extend_schema(request=None, responses={200: ChatOutputSerializer, 404: NOT_FOUND})
    def post(self, request: Request, chat_id: int) -> Response:
        return _chat(chat_unsnooze(chat=self.chat(chat_id)))


class ChatReadView(ChatAPIView):
    @extend_schema(
        request=None,
        responses={200: ChatOutputSerializer, 404: NOT_FOUND},
        description="The agent opened the chat: its unread count goes back to 0. "
        "Reading messages (GET .../messages) changes nothing.",
    )
    def post(self, request: Request, chat_id: int) -> Response:
        return _chat(chat_mark_read(chat=self.chat(chat_id)))


class ChatBulkView(ChatAPIView):
    @extend_schema(
        request=s.ChatBulkInputSerializer,
        responses={
            200: s.BulkResultOutputSerializer,
            403: OpenApiResponse(description="`assign` without `chats.assign`"),
            404: OpenApiResponse(
                description="Some ids are not chats the caller sees (listed in `ids`); "
                "nothing changed"
            ),
        },
        description="One action on many chats, all or nothing.",
    )
    def post(self, request: Request) -> Response:
        serializer = s.ChatBulkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        updated = chats_bulk_update(
            company=self.company,
            user=request.user,
            chat_ids=data["ids"],
            action=data["action"],
            assignee_id=data.get("user"),
            status=data.get("status", ""),
            until=data.get("until"),
            tag=data.get("tag", ""),
        )
        return Response({"updated": updated})


class ChatNoteListCreateView(ChatAPIView):
    @extend_schema(responses={200: s.NoteOutputSerializer(many=True), 404: NOT_FOUND})
    def get(self, request: Request, chat_id: int) -> Response:
        page = self.paginate_queryset(note_list(chat=self.chat(chat_id)))
        return self.get_paginated_response(s.NoteOutputSerializer(page, many=True).data)

    @extend_schema(
        request=s.NoteCreateInputSerializer,
        responses={201: s.NoteOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request: Request, chat_id: int) -> Response:
        serializer = s.NoteCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = note_create(
            chat=self.chat(chat_id),
            author=request.user,
            text=serializer.validated_data["text"],
        )
        return Response(
            s.NoteOutputSerializer(note).data, status=status.HTTP_201_CREATED
        )


class ChatTagsView(ChatAPIView):
    """The chat's tags; each answer is the chat's tags after the change."""

    pagination_class = None

    def _tags(self, chat: Chat) -> Response:
        return Response(TagOutputSerializer(chat_tag_list(chat=chat), many=True).data)

    @extend_schema(responses={200: TagOutputSerializer(many=True), 404: NOT_FOUND})
    def get(self, request: Request, chat_id: int) -> Response:
        return self._tags(self.chat(chat_id))

    @extend_schema(
        request=s.ChatTagAddInputSerializer,
        responses={200: TagOutputSerializer(many=True), 404: NOT_FOUND},
        description="Tags the chat, creating the company's tag if no tag has that "
        "name (in any case).",
    )
    def post(self, request: Request, chat_id: int) -> Response:
        serializer = s.ChatTagAddInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        chat = self.chat(chat_id)
        chat_tag_add(chat=chat, **serializer.validated_data)
        return self._tags(chat)

    @extend_schema(
        parameters=[
            OpenApiParameter("name", str, required=True, description="The tag's name")
        ],
        responses={200: TagOutputSerializer(many=True), 404: NOT_FOUND},
    )
    def delete(self, request: Request, chat_id: int) -> Response:
        serializer = s.ChatTagRemoveInputSerializer(data=query_data(request))
        serializer.is_valid(raise_exception=True)
        chat = self.chat(chat_id)
        chat_tag_remove(chat=chat, name=serializer.validated_data["name"])
        return self._tags(chat)
