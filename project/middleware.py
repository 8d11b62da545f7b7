"""Middleware the project wires in place of a library's own."""

from asgiref.sync import sync_to_async
from axes.helpers import get_lockout_response
from axes.middleware import AxesMiddleware as BaseAxesMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse


class AxesMiddleware(BaseAxesMiddleware):
    """django-axes' middleware with its async (ASGI, daphne) path fixed.

    django-axes 8.3.1 calls `get_lockout_response(request, credentials)` from
    `__acall__`, so under daphne the lockout callable receives the credentials dict as
    `original_response` and a locked-out sign-in answers 500 instead of 429. The sync
    path passes `(request, response, credentials)`; this does the same for async.
    Upstream: https://github.com/jazzband/django-axes/pull/1494 — drop this class once a
    release carries that fix.
    """

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        response = await self.get_response(request)
        if settings.AXES_ENABLED and getattr(request, "axes_locked_out", None):
            credentials = getattr(request, "axes_credentials", None)
            response = await sync_to_async(get_lockout_response, thread_sensitive=True)(
                request, response, credentials
            )
        return response
