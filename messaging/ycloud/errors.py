"""YCloud failures as typed errors; transient ones are worth a retry by the task."""

from typing import Any

import requests

from project.errors import (
    ApplicationError,
    ExternalServiceError,
    ExternalServiceTimeout,
    ExternalServiceUnavailable,
)


class YCloudError(ExternalServiceError):
    """YCloud refused or failed a call. Keeps YCloud's `error.code`, the HTTP status,
    Meta's `whatsappApiError.code` and the request id (for YCloud's support)."""

    code = "ycloud_error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: str = "",
        whatsapp_code: str = "",
        target: str = "",
        request_id: str = "",
    ) -> None:
        extra = {
            key: value
            for key, value in {
                "upstream_status": status,
                "upstream_code": error_code,
                "whatsapp_code": whatsapp_code,
                "target": target,
                "request_id": request_id,
            }.items()
            if value
        }
        super().__init__(message, extra=extra)
        self.status = status
        self.error_code = error_code
        self.whatsapp_code = whatsapp_code
        self.target = target
        self.request_id = request_id


class YCloudAuthError(YCloudError):
    """401: the channel's API key is wrong or revoked."""

    code = "ycloud_unauthorized"


class YCloudClientError(YCloudError):
    """Any other 4xx: the request itself is wrong; sending it again cannot help."""

    code = "ycloud_rejected"


class YCloudTransientError(YCloudError):
    """Rate limits, 5xx, network failures and timeouts: may succeed later."""


class YCloudRateLimited(YCloudTransientError, ExternalServiceUnavailable):
    code = "ycloud_rate_limited"

    def __init__(
        self, message: str, *, retry_after: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class YCloudUnavailable(YCloudTransientError, ExternalServiceUnavailable):
    code = "ycloud_unavailable"


class YCloudTimeout(YCloudTransientError, ExternalServiceTimeout):
    code = "ycloud_timeout"


class WebhookSignatureInvalid(ApplicationError):
    status_code = 401
    code = "invalid_signature"


class MalformedEvent(ValueError):
    """A webhook body or payload that does not have the documented shape."""


def error_from_response(response: requests.Response, *, api_key: str) -> YCloudError:
    """The typed error for a non-2xx answer, built from YCloud's error envelope."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    meta = error.get("whatsappApiError")
    meta = meta if isinstance(meta, dict) else {}
    status = response.status_code
    message = str(error.get("message") or response.reason or f"HTTP {status}")
    kwargs: dict[str, Any] = {
        "status": status,
        "error_code": str(error.get("code") or ""),
        "whatsapp_code": str(meta.get("code") or ""),
        "target": str(error.get("target") or ""),
        "request_id": str(
            error.get("requestId") or response.headers.get("YCloud-Request-ID", "")
        ),
    }
    text = f"YCloud answered {status}: {redact(message, api_key)}"
    if status == 401:
        return YCloudAuthError(text, **kwargs)
    if status == 429:
        return YCloudRateLimited(
            text, retry_after=_seconds(response.headers.get("Retry-After")), **kwargs
        )
    if 400 <= status < 500:
        return YCloudClientError(text, **kwargs)
    return YCloudUnavailable(text, **kwargs)


def redact(text: str, secret: str) -> str:
    """`text` without `secret`, for upstream messages that might echo a key."""
    return text.replace(secret, "[redacted]") if secret else text


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
