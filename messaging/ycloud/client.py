"""The YCloud REST client (API v2): sends, retrieval, templates and media."""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry

from messaging.ycloud.errors import (
    YCloudClientError,
    YCloudError,
    YCloudTimeout,
    YCloudUnavailable,
    error_from_response,
    redact,
)
from messaging.ycloud.types import (
    OutboundContent,
    YCloudMedia,
    YCloudMessage,
    YCloudTemplate,
)
from project.text import is_ascii_digits

logger = logging.getLogger(__name__)
T = TypeVar("T")

TEMPLATE_PAGE_SIZE = 100  # YCloud's maximum
TEMPLATE_MAX_PAGES = 100  # YCloud refuses `page` beyond 100
_sessions: dict[str, requests.Session] = {}
_sessions_lock = threading.Lock()


def _session(base_url: str) -> requests.Session:
    """One pooled session per base URL. Only GETs are retried by the adapter (and
    connection failures, which happen before anything is sent); POSTs are retried by
    the Celery task that owns them."""
    with _sessions_lock:
        session = _sessions.get(base_url)
        if session is None:
            retry = Retry(
                total=2,
                backoff_factor=0.2,
                status_forcelist=(502, 503, 504),
                allowed_methods=frozenset({"GET"}),
                raise_on_status=False,
            )
            session = requests.Session()
            session.mount(base_url, HTTPAdapter(max_retries=retry, pool_maxsize=32))
            _sessions[base_url] = session
        return session


class YCloudClient:
    def __init__(self, *, api_key: str, base_url: str, timeout: float) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = _session(self.base_url)

    # --- Messages ---------------------------------------------------------------------

    def send_message(
        self,
        *,
        from_number: str,
        to: str,
        content: OutboundContent,
        external_id: str,
        reply_to_wamid: str = "",
    ) -> YCloudMessage:
        """Queues a message at YCloud (`POST /whatsapp/messages`).

        The queued endpoint rather than `sendDirectly`: it allows 200 sends/s per
        sender instead of 80, and Meta's verdict arrives as a status webhook either
        way (a closed 24-hour window, 131047, is never a synchronous error), so one
        failure path serves every send. The answer is `accepted` with YCloud's `id`
        and no wamid yet. YCloud has no idempotency key: `externalId` is echoed in
        every status webhook, which lets a lost answer be reconciled, not deduped.
        """
        body: dict[str, Any] = {
            "from": from_number,
            "to": to,
            "type": content.type,
            content.type: content.to_json(),
            "externalId": external_id,
        }
        if reply_to_wamid:
            body["context"] = {"message_id": reply_to_wamid}
        with self._request("POST", "/whatsapp/messages", json=body) as response:
            return self._decode(response, YCloudMessage.from_json)

    def retrieve_message(self, *, message_id: str) -> YCloudMessage:
        path = f"/whatsapp/messages/{quote(message_id, safe='')}"
        with self._request("GET", path) as response:
            return self._decode(response, YCloudMessage.from_json)

    # --- Templates ----------------------------------------------------------------------

    def list_templates(
        self, *, name: str = "", language: str = "", statuses: tuple[str, ...] = ()
    ) -> list[YCloudTemplate]:
        """Every template, page by page until a short page: `total` is only sent with
        `includeTotal=true`, so it is not relied on."""
        params: dict[str, Any] = {"limit": TEMPLATE_PAGE_SIZE}
        if name:
            params["filter.name"] = name
        if language:
            params["filter.language"] = language
        if statuses:
            params["filter.status"] = ",".join(statuses)
        templates: list[YCloudTemplate] = []
        for page in range(1, TEMPLATE_MAX_PAGES + 1):
            with self._request(
                "GET", "/whatsapp/templates", params={**params, "page": page}
            ) as response:
                items = self._decode(response, _template_items)
            templates.extend(items)
            if len(items) < TEMPLATE_PAGE_SIZE:
                break
        return templates

    # --- Media --------------------------------------------------------------------------

    def download_media(
        self, *, link: str = "", media_id: str = "", max_bytes: int
    ) -> YCloudMedia:
        """Downloads inbound media: from its `link` when that is on YCloud's API host
        (it then accepts our key for about a month), otherwise by media id. The key
        is never sent to another host."""
        if link and _same_origin(link, self.base_url):
            url = link
        elif media_id:
            url = f"{self.base_url}/whatsapp/media/download/{quote(media_id, safe='')}"
        elif link:
            url = link
        else:
            raise ValueError("Media needs a link or an id to download.")
        with_key = _same_origin(url, self.base_url)
        with self._request("GET", url, stream=True, with_key=with_key) as response:
            if not response.ok:
                raise error_from_response(response, api_key=self.api_key)
            return YCloudMedia(
                content=self._read_bounded(response, max_bytes),
                mime_type=response.headers.get("Content-Type", "").split(";")[0],
            )

    # --- Plumbing -----------------------------------------------------------------------

    @contextmanager
    def _request(
        self,
        method: str,
        path_or_url: str,
        *,
        with_key: bool = True,
        **kwargs: Any,
    ) -> Iterator[requests.Response]:
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        headers = {"Accept": "application/json"}
        if with_key:
            headers["X-API-Key"] = self.api_key
        try:
            response = self.session.request(
                method, url, headers=headers, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            if not _timed_out(exc):
                message = redact(str(exc), self.api_key)
                raise YCloudUnavailable(
                    f"YCloud is unreachable ({method} {_path(url)}): {message}"
                ) from exc
            raise YCloudTimeout(
                f"YCloud did not answer {method} {_path(url)} within {self.timeout}s."
            ) from exc
        try:
            yield response
        except requests.RequestException as exc:  # while streaming the body
            raise YCloudUnavailable(
                f"The answer to {method} {_path(url)} was cut short."
            ) from exc
        finally:
            response.close()

    def _decode(self, response: requests.Response, parse: Callable[[Any], T]) -> T:
        if not response.ok:
            error = error_from_response(response, api_key=self.api_key)
            logger.warning(
                "YCloud %s %s: %s (request id %s)",
                response.request.method,
                _path(response.url),
                error.error_code or error.status,
                error.request_id or "-",
            )
            raise error
        try:
            return parse(response.json())
        except ValueError as exc:
            raise YCloudError(
                f"YCloud answered {_path(response.url)} with an unexpected body."
            ) from exc

    def _read_bounded(self, response: requests.Response, max_bytes: int) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if is_ascii_digits(declared) and int(declared) > max_bytes:
            raise YCloudClientError(
                f"The media is {declared} bytes; the limit is {max_bytes}.",
                error_code="CONTENT_TOO_LARGE",
            )
        chunks, size = [], 0
        for chunk in response.iter_content(chunk_size=64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise YCloudClientError(
                    f"The media exceeds the limit of {max_bytes} bytes.",
                    error_code="CONTENT_TOO_LARGE",
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _template_items(data: Any) -> list[YCloudTemplate]:
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValueError("A template page needs `items`.")
    return [YCloudTemplate.from_json(item) for item in items]


def _same_origin(url: str, base_url: str) -> bool:
    a, b = urlsplit(url), urlsplit(base_url)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def _path(url: str) -> str:
    """The URL's path only: media links carry signed query strings."""
    return urlsplit(url).path


def _timed_out(exc: requests.RequestException) -> bool:
    """A timeout, also when retries ran out on one (urllib3 then reports the
    exhausted retries as a connection error)."""
    if isinstance(exc, requests.Timeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(reason, NewConnectionError):  # a refusal, though urllib3 files it
        return False  # under ConnectTimeoutError
    return isinstance(reason, (ReadTimeoutError, ConnectTimeoutError))
