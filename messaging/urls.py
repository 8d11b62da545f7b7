from django.urls import path

from messaging import views
from messaging.api import ai, appointments, catalog, chats, imports, messages

app_name = "messaging"

urlpatterns = [
    path(
        "webhooks/ycloud/<str:token>",
        views.YCloudWebhookView.as_view(),
        name="ycloud-webhook",
    ),
    path("channels", catalog.ChannelListCreateView.as_view(), name="channel-list"),
    path(
        "channels/<int:channel_id>",
        catalog.ChannelDetailView.as_view(),
        name="channel-detail",
    ),
    path(
        "channels/<int:channel_id>/rotate-token",
        catalog.ChannelRotateTokenView.as_view(),
        name="channel-rotate-token",
    ),
    path("templates", catalog.TemplateListCreateView.as_view(), name="template-list"),
    path("templates/sync", catalog.TemplateSyncView.as_view(), name="template-sync"),
    path(
        "templates/<int:template_id>",
        catalog.TemplateDetailView.as_view(),
        name="template-detail",
    ),
    path("stickers", catalog.StickerListCreateView.as_view(), name="sticker-list"),
    path(
        "stickers/<int:sticker_id>",
        catalog.StickerDetailView.as_view(),
        name="sticker-detail",
    ),
    path(
        "stickers/<int:sticker_id>/file",
        catalog.StickerFileView.as_view(),
        name="sticker-file",
    ),
    path(
        "appointments",
        appointments.AppointmentListCreateView.as_view(),
        name="appointment-list",
    ),
    path(
        "appointments/<int:appointment_id>",
        appointments.AppointmentDetailView.as_view(),
        name="appointment-detail",
    ),
    path("chats", chats.ChatListView.as_view(), name="chat-list"),
    path("chats/import", imports.ChatImportView.as_view(), name="chat-import"),
    path("chats/bulk", chats.ChatBulkView.as_view(), name="chat-bulk"),
    path("chats/<int:chat_id>", chats.ChatDetailView.as_view(), name="chat-detail"),
    *[
        path(f"chats/<int:chat_id>/{action}", view.as_view(), name=f"chat-{action}")
        for action, view in {
            "assign": chats.ChatAssignView,
            "status": chats.ChatStatusView,
            "pin": chats.ChatPinView,
            "unpin": chats.ChatUnpinView,
            "snooze": chats.ChatSnoozeView,
            "unsnooze": chats.ChatUnsnoozeView,
            "read": chats.ChatReadView,
            "notes": chats.ChatNoteListCreateView,
            "tags": chats.ChatTagsView,
            "messages": messages.ChatMessagesView,
            "insights": ai.ChatInsightsView,
            "summary": ai.ChatSummaryView,
            "assist-draft": ai.ChatAssistDraftView,
            "ticket": ai.ChatTicketView,
        }.items()
    ],
    path(
        "chats/<int:chat_id>/messages/bulk",
        messages.ChatMessagesBulkView.as_view(),
        name="chat-messages-bulk",
    ),
]
