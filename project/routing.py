from django.urls import path

from assistant.consumers import AssistantConsumer
from messaging.consumers import InboxConsumer

websocket_urlpatterns = [
    path("ws/assistant/", AssistantConsumer.as_asgi()),
    path("ws/inbox/", InboxConsumer.as_asgi()),
]
