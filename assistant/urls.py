from django.urls import path

from assistant import views

app_name = "assistant"

urlpatterns = [
    path("models", views.ModelListView.as_view(), name="model-list"),
    path(
        "conversations",
        views.ConversationListCreateView.as_view(),
        name="conversation-list",
    ),
    path(
        "conversations/<int:conversation_id>",
        views.ConversationDetailView.as_view(),
        name="conversation-detail",
    ),
    path(
        "conversations/<int:conversation_id>/messages",
        views.ConversationMessageCreateView.as_view(),
        name="conversation-message-create",
    ),
    path("ask", views.AskView.as_view(), name="ask"),
    path("query", views.QueryView.as_view(), name="query"),
    path("logs", views.InteractionLogListView.as_view(), name="log-list"),
]
