"""Domain errors and the one place that turns exceptions into API answers."""

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """A failure a service reports to its caller; rendered as `{detail, code}`."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotFound(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class PermissionDenied(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "permission_denied"


class Conflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class TooManyRequests(ApplicationError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "too_many_requests"


class ExternalServiceError(ApplicationError):
    """An upstream (GLPI, YCloud, an LLM) failed; 502 unless a subclass says better."""

    status_code = status.HTTP_502_BAD_GATEWAY
    code = "upstream_error"


class ExternalServiceUnavailable(ExternalServiceError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "upstream_unavailable"


class ExternalServiceTimeout(ExternalServiceError):
    status_code = status.HTTP_504_GATEWAY_TIMEOUT
    code = "upstream_timeout"


def error_payload(exc: ApplicationError) -> dict[str, Any]:
    """The `{detail, code, ...}` body shared by HTTP answers and WebSocket frames."""
    return {"detail": exc.message, "code": exc.code, **exc.extra}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(error_payload(exc), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, DataError):
        # The database refused a value the validators let through (a NUL byte in a
        # query string, a number out of range): the client's input, not our fault.
        logger.info("database refused a value: %s", exc)
        exc = exceptions.ValidationError(
            {"detail": "A value is not acceptable to the database."}
        )
    response = exception_handler(exc, context)
    if (
        response is not None
        and isinstance(response.data, dict)
        and "detail" in response.data
    ):
        response.data.setdefault("code", _error_code(exc))
    return response


def _error_code(exc: Exception) -> str:
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    return codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
