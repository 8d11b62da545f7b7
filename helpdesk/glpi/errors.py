"""GLPI failures as domain errors: one class per way GLPI can fail, keyed on GLPI's
error code (element 0 of its `[CODE, message]` answers; the message is localized)."""

import logging
import re
from typing import Any

import requests
from rest_framework import status

from project.errors import (
    ExternalServiceError,
    ExternalServiceTimeout,
    ExternalServiceUnavailable,
    NotFound,
    PermissionDenied,
)

logger = logging.getLogger(__name__)

RANGE_EXCEEDED = "ERROR_RANGE_EXCEED_TOTAL"
SESSION_ERRORS = frozenset(
    {"ERROR_SESSION_TOKEN_INVALID", "ERROR_SESSION_TOKEN_MISSING"}
)
_DOC_SUFFIX = re.compile(r";[^;]*\bhttps?://\S*$")


class GlpiError(ExternalServiceError):
    code = "glpi_error"

    def __init__(
        self,
        message: str,
        *,
        glpi_code: str = "",
        http_status: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        if glpi_code:
            extra = {**(extra or {}), "glpi_code": glpi_code}
        super().__init__(message, extra=extra)
        self.glpi_code = glpi_code
        self.http_status = http_status


class GlpiAuthError(GlpiError):
    code = "glpi_auth_failed"


class GlpiRightMissing(GlpiError, PermissionDenied):
    status_code = status.HTTP_403_FORBIDDEN
    code = "glpi_right_missing"


class GlpiNotFound(GlpiError, NotFound):
    status_code = status.HTTP_404_NOT_FOUND
    code = "glpi_not_found"


class GlpiRefused(GlpiError):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "glpi_refused"


class GlpiUnavailable(GlpiError, ExternalServiceUnavailable):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "glpi_unavailable"


class GlpiTimeout(GlpiError, ExternalServiceTimeout):
    status_code = status.HTTP_504_GATEWAY_TIMEOUT
    code = "glpi_timeout"


_AUTH_MESSAGES = {
    "ERROR_APP_TOKEN_PARAMETERS_MISSING": "GLPI requires an app token ({code}): set the app token in the helpdesk connection.",
    "ERROR_WRONG_APP_TOKEN_PARAMETER": "GLPI refused the app token ({code}): check the app token in the helpdesk connection.",
    "ERROR_NOT_ALLOWED_IP": "GLPI does not accept API calls from this server's IP address ({code}): allow it in an API client in GLPI (Setup > General > API).",
    "ERROR_LOGIN_PARAMETERS_MISSING": "GLPI received no user token ({code}): set the user token in the helpdesk connection.",
    "ERROR_GLPI_LOGIN_USER_TOKEN": "GLPI refused the user token ({code}): check the user token in the helpdesk connection.",
    "ERROR_GLPI_LOGIN": "GLPI refused the login ({code}): check the user token in the helpdesk connection.",
    "ERROR_SESSION_TOKEN_INVALID": "GLPI rejected the session it had just opened ({code}).",
    "ERROR_SESSION_TOKEN_MISSING": "GLPI did not receive the session token ({code}); a proxy in front of GLPI may drop the Session-Token header.",
}


def transport_error(
    exc: requests.RequestException, method: str, path: str, timeout: float
) -> GlpiError:
    where = f"{method} {path}"
    if isinstance(exc, requests.ConnectTimeout):
        return GlpiTimeout(
            f"GLPI did not accept a connection within {timeout:g} s ({where}); "
            "check that the GLPI server is up and reachable."
        )
    if isinstance(exc, requests.Timeout):
        message = f"GLPI did not answer {where} within {timeout:g} s."
        if method != "GET":
            message += " It may still apply the change; check GLPI before retrying."
        return GlpiTimeout(message)
    if isinstance(exc, requests.exceptions.SSLError):
        return GlpiError(
            f"The TLS connection to GLPI failed ({where}); check the GLPI "
            "server's certificate."
        )
    if isinstance(exc, requests.ConnectionError):
        return GlpiUnavailable(
            f"GLPI is unreachable ({where}): the connection failed; check the "
            "GLPI URL and that the server is up."
        )
    return GlpiError(
        f"The request to GLPI failed ({where}, {type(exc).__name__}); check the GLPI URL."
    )


def json_body(response: requests.Response, path: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise GlpiError(
            f"GLPI answered {path} with something other than JSON; check that the "
            "GLPI URL ends with apirest.php.",
            http_status=response.status_code,
        ) from None


def error_from_response(
    response: requests.Response, method: str, path: str
) -> GlpiError:
    http_status = response.status_code
    where = f"{method} {path}"
    try:
        body = response.json()
    except ValueError:
        body = None
    if not (isinstance(body, list) and len(body) == 2 and isinstance(body[0], str)):
        if http_status == 503:
            return GlpiUnavailable(
                f"GLPI is unavailable (HTTP 503 on {where}); try again later.",
                http_status=http_status,
            )
        if http_status == 504:
            return GlpiTimeout(
                f"A gateway in front of GLPI timed out (HTTP 504 on {where}).",
                http_status=http_status,
            )
        if http_status >= 500:
            text = f"GLPI failed with HTTP {http_status} on {where}."
        elif http_status == 404:
            text = (
                f"GLPI answered HTTP 404 to {where} without an API error; check "
                "that the GLPI URL ends with apirest.php."
            )
        else:
            text = (
                f"GLPI answered HTTP {http_status} to {where} without an API error; "
                "check the GLPI URL and any proxy in front of GLPI."
            )
        return GlpiError(text, http_status=http_status)
    code = body[0]
    detail = _DOC_SUFFIX.sub("", body[1]).strip() if isinstance(body[1], str) else ""
    kw: dict[str, Any] = {"glpi_code": code, "http_status": http_status}
    if code in _AUTH_MESSAGES:
        return GlpiAuthError(_AUTH_MESSAGES[code].format(code=code), **kw)
    if code == "ERROR_ITEM_NOT_FOUND":
        return GlpiNotFound(f"GLPI has no such item: {path} ({code}).", **kw)
    if code == "ERROR_RIGHT_MISSING":
        return GlpiRightMissing(
            f"The GLPI user of the helpdesk connection lacks the right for {where} "
            f"({code}); grant it in the user's GLPI profile.",
            **kw,
        )
    if http_status >= 500:
        # GLPI's text (an SQL error...) is for GLPI's admins, not for our users.
        logger.warning("GLPI %s failed: %s %s", where, code, detail)
        return GlpiError(f"GLPI failed on {where} ({code}).", **kw)
    if path == "initSession":
        text = f"GLPI refused to open a session ({code})"
        return GlpiAuthError(_with_detail(text, detail), **kw)
    if not detail and code in ("ERROR_GLPI_UPDATE", "ERROR_GLPI_DELETE"):
        detail = "the item may not exist"
    return GlpiRefused(_with_detail(f"GLPI refused {where} ({code})", detail), **kw)


def _with_detail(text: str, detail: str) -> str:
    return f"{text}: {detail}" if detail else f"{text}."
