"""Everything that talks to YCloud: the REST client, typed values and errors, the
webhook signature and event parsing."""

from messaging.ycloud.client import YCloudClient
from messaging.ycloud.errors import (
    MalformedEvent,
    WebhookSignatureInvalid,
    YCloudAuthError,
    YCloudClientError,
    YCloudError,
    YCloudRateLimited,
    YCloudTimeout,
    YCloudTransientError,
    YCloudUnavailable,
)
from messaging.ycloud.types import (
    MediaContent,
    OutboundContent,
    TemplateContent,
    TextContent,
    YCloudMedia,
    YCloudMessage,
    YCloudTemplate,
)

__all__ = [
    "MalformedEvent",
    "MediaContent",
    "OutboundContent",
    "TemplateContent",
    "TextContent",
    "WebhookSignatureInvalid",
    "YCloudAuthError",
    "YCloudClient",
    "YCloudClientError",
    "YCloudError",
    "YCloudMedia",
    "YCloudMessage",
    "YCloudRateLimited",
    "YCloudTemplate",
    "YCloudTimeout",
    "YCloudTransientError",
    "YCloudUnavailable",
]
