import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from accounts.authentication import WebsocketAuthStack  # noqa: E402
from project.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Browsers may open sockets from this host or from the SPA origins CORS allows.
        "websocket": OriginValidator(
            WebsocketAuthStack(URLRouter(websocket_urlpatterns)),
            allowed_origins=[*settings.ALLOWED_HOSTS, *settings.CORS_ALLOWED_ORIGINS],
        ),
    }
)
