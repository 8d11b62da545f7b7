"""Sign-in by username or email, and JWT/session authentication for WebSockets."""

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from rest_framework_simplejwt.exceptions import (
    AuthenticationFailed,
    InvalidToken,
    TokenError,
)

from accounts.selectors import user_find_by_login
from accounts.token_authentication import CompanyJWTAuthentication

WS_CLOSE_UNAUTHENTICATED = 4401


class UsernameOrEmailBackend(ModelBackend):
    """ModelBackend that also accepts the account's email as the username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = user_find_by_login(identifier=username)
        if user is None:
            # Run the hasher anyway so a missing account takes as long as a wrong password.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


@database_sync_to_async
def _user_from_access_token(raw_token: str):
    authentication = CompanyJWTAuthentication()
    try:
        return authentication.get_user(authentication.get_validated_token(raw_token))
    except (InvalidToken, TokenError, AuthenticationFailed):
        return AnonymousUser()


class JwtAuthMiddleware:
    """Fills `scope["user"]` from `?token=<access JWT>`, else keeps the session user.

    Unauthenticated sockets are accepted and closed at once with code 4401, so that
    browser clients can read the reason (a refused handshake shows only as 403).
    """

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        token = parse_qs(scope.get("query_string", b"").decode()).get("token", [None])[
            0
        ]
        if token:
            scope = {**scope, "user": await _user_from_access_token(token)}
        user = scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            return await _close_unauthenticated(receive, send)
        return await self.inner(scope, receive, send)


async def _close_unauthenticated(receive, send) -> None:
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": WS_CLOSE_UNAUTHENTICATED})


def WebsocketAuthStack(inner):  # noqa: N802 - named like Channels' AuthMiddlewareStack
    return AuthMiddlewareStack(JwtAuthMiddleware(inner))
