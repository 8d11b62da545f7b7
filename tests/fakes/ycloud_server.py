"""A fake YCloud API on a real loopback socket.

`FakeYCloudServer` serves the parts of API v2 the inbox uses (spec §2-§4, §6): both
send endpoints, message retrieval, the templates list and media download. It checks
`X-API-Key` and each send's body, answers with YCloud's shapes (message objects with
`id` and `status: accepted`, the `{"error": {...}}` envelope with `whatsappApiError`,
a `YCloud-Request-ID` header), records every request, and can be scripted to fail
(`fail_next`) or to hang past a client's timeout (`hang_next`). Webhook deliveries
are built by `tests.fakes.ycloud_webhooks`.

As a process (CI's fuzz run, or trying the inbox without YCloud):
`python -m tests.fakes.ycloud_server --port 8091`, with the API URL and key printed.
"""

import argparse
import itertools
import json
import re
import secrets
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

WABA_ID = "104839201938475"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
SEND_TYPES = {
    "template",
    "text",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "location",
    "interactive",
    "contacts",
    "reaction",
}
ERROR_CODES = {
    400: "PARAM_INVALID",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


def now_rfc3339() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def hex_id() -> str:
    return secrets.token_hex(12)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class Failure:
    status: int
    code: str
    message: str
    target: str = ""
    whatsapp_code: str = ""
    retry_after: int | None = None


@dataclass
class FakeYCloudServer:
    api_key: str = "test-ycloud-key"
    templates: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    sent: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    _failures: deque[Failure] = field(default_factory=deque)
    _hangs: deque[float] = field(default_factory=deque)
    _server: ThreadingHTTPServer | None = None

    @property
    def origin(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The API base URL to give a channel."""
        return self.origin + "/v2"

    def media_link(self, media_id: str) -> str:
        """A link shaped like YCloud's inbound media `link` (signed query string)."""
        return f"{self.url}/whatsapp/media/download/{media_id}?sig=t%3D1%2Cs%3Dabc&payload=e30"

    def reset(self) -> None:
        self.templates.clear()
        self.media.clear()
        self.sent.clear()
        self.requests.clear()
        self._failures.clear()
        self._hangs.clear()

    def fail_next(
        self,
        status: int,
        *,
        code: str | None = None,
        message: str | None = None,
        target: str = "",
        whatsapp_code: str = "",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        failure = Failure(
            status=status,
            code=code or ERROR_CODES.get(status, "BAD_REQUEST"),
            message=message or f"Fake YCloud error {status}.",
            target=target,
            whatsapp_code=whatsapp_code,
            retry_after=retry_after,
        )
        self._failures.extend([failure] * times)

    def hang_next(self, seconds: float, *, times: int = 1) -> None:
        """Wait `seconds` before answering the next `times` requests."""
        self._hangs.extend([seconds] * times)

    def add_template(self, name: str, language: str = "en", **fields: Any) -> None:
        self.templates.append(
            {
                "wabaId": WABA_ID,
                "name": name,
                "language": language,
                "category": "UTILITY",
                "status": "APPROVED",
                "components": [{"type": "BODY", "text": "Hi {{1}}."}],
                **fields,
            }
        )

    # --- Lifecycle ----------------------------------------------------------------

    def start(self, port: int = 0) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, name="fake-ycloud", daemon=True
        ).start()

    def stop(self) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    # --- Behaviour ------------------------------------------------------------------

    def answer(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, dict[str, str], bytes]:
        if self._hangs:
            time.sleep(self._hangs.popleft())
        if self._failures:
            return _error(self._failures.popleft())
        if method == "POST" and path in (
            "/v2/whatsapp/messages",
            "/v2/whatsapp/messages/sendDirectly",
        ):
            return self._send(body, direct=path.endswith("sendDirectly"))
        if method == "GET" and path.startswith("/v2/whatsapp/messages/"):
            message = self.sent.get(path.rsplit("/", 1)[1])
            if message is None:
                return _error(Failure(404, "NOT_FOUND", "Message not found."))
            return _json(200, message)
        if method == "GET" and path == "/v2/whatsapp/templates":
            return self._templates(query)
        if method == "GET" and path.startswith("/v2/whatsapp/media/download/"):
            media = self.media.get(path.rsplit("/", 1)[1])
            if media is None:
                return _error(Failure(404, "NOT_FOUND", "Media not found."))
            content, mime = media
            return 200, {"Content-Type": mime}, content
        return _error(Failure(404, "NOT_FOUND", f"No route for {method} {path}."))

    def _send(self, body: Any, *, direct: bool) -> tuple[int, dict[str, str], bytes]:
        if not isinstance(body, dict):
            return _error(Failure(400, "BAD_REQUEST", "The body must be an object."))
        for key in ("from", "to"):
            if not isinstance(body.get(key), str) or not E164.match(body[key]):
                return _invalid(key, f"Parameter '{key}' must be an E.164 number.")
        kind = body.get("type")
        if kind not in SEND_TYPES:
            return _invalid("type", "Parameter 'type' is invalid.")
        content = body.get(kind)
        if not isinstance(content, dict | list):
            return _invalid(kind, f"Parameter '{kind}' is required.")
        if kind == "text" and not 0 < len(content.get("body") or "") <= 4096:
            return _invalid("text.body", "Text body must be 1-4096 characters.")
        if kind == "template" and not self._sendable(content):
            return _error(
                Failure(403, "WHATSAPP_TEMPLATE_UNAVAILABLE", "Template unavailable.")
            )
        message = {
            "id": hex_id(),
            "wabaId": WABA_ID,
            "from": body["from"],
            "to": body["to"],
            "type": kind,
            kind: content,
            "status": "accepted",
            "totalPrice": 0.0,
            "currency": "USD",
            "createTime": now_rfc3339(),
            "updateTime": now_rfc3339(),
            "bizType": "whatsapp",
        }
        for key in ("context", "externalId"):
            if key in body:
                message[key] = body[key]
        if direct:  # only the synchronous endpoint knows Meta's wamid at once
            message["wamid"] = "wamid." + secrets.token_urlsafe(24)
        self.sent[message["id"]] = message
        return _json(200, message)

    def _sendable(self, template: dict[str, Any]) -> bool:
        language = (template.get("language") or {}).get("code")
        return any(
            t["name"] == template.get("name")
            and t["language"] == language
            and t["status"] == "APPROVED"
            for t in self.templates
        )

    def _templates(
        self, query: dict[str, list[str]]
    ) -> tuple[int, dict[str, str], bytes]:
        page = int(query.get("page", ["1"])[0])
        limit = int(query.get("limit", ["10"])[0])
        if not (1 <= page <= 100 and 1 <= limit <= 100):
            return _invalid("page", "page must be 1-100 and limit 1-100.")
        items = [
            t
            for t in self.templates
            if all(
                t.get(key) == query[f"filter.{key}"][0]
                for key in ("name", "language")
                if f"filter.{key}" in query
            )
        ]
        offset = (page - 1) * limit
        chunk = items[offset : offset + limit]
        result = {
            "offset": offset,
            "limit": limit,
            "length": len(chunk),
            "items": chunk,
        }
        if query.get("includeTotal") == ["true"]:
            result["total"] = len(items)
        return _json(200, result)


_request_ids = itertools.count(1)


def _json(status: int, payload: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()


def _invalid(target: str, message: str) -> tuple[int, dict[str, str], bytes]:
    return _error(Failure(400, "PARAM_INVALID", message, target=target))


def _error(failure: Failure) -> tuple[int, dict[str, str], bytes]:
    request_id = f"req_fake{next(_request_ids)}"
    error: dict[str, Any] = {
        "status": failure.status,
        "code": failure.code,
        "message": failure.message,
        "requestId": request_id,
    }
    if failure.target:
        error["target"] = failure.target
    if failure.whatsapp_code:
        error["whatsappApiError"] = {
            "code": failure.whatsapp_code,
            "message": f"(#{failure.whatsapp_code}) {failure.message}",
            "type": "OAuthException",
        }
    status, headers, body = _json(failure.status, {"error": error})
    headers["YCloud-Request-ID"] = request_id
    if failure.retry_after is not None:
        headers["Retry-After"] = str(failure.retry_after)
    return status, headers, body


def _handler_for(fake: FakeYCloudServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet tests

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def _handle(self, method: str) -> None:
            target = urlsplit(self.path)
            query = parse_qs(target.query)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            fake.requests.append(
                RecordedRequest(
                    method, target.path, query, dict(self.headers.items()), body
                )
            )
            # A key-less media link (signed `sig`) works without X-API-Key.
            keyless = "sig" in query and "/media/download/" in target.path
            if not keyless and self.headers.get("X-API-Key") != fake.api_key:
                status, headers, payload = _error(
                    Failure(401, "UNAUTHORIZED", "Authentication is required.")
                )
            else:
                status, headers, payload = fake.answer(method, target.path, query, body)
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(payload))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@pytest.fixture(scope="session")
def _ycloud_server() -> Iterator[FakeYCloudServer]:
    server = FakeYCloudServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_ycloud(_ycloud_server: FakeYCloudServer) -> FakeYCloudServer:
    """The fake YCloud API, reset for this test."""
    _ycloud_server.reset()
    return _ycloud_server


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a fake YCloud API.")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args()
    server = FakeYCloudServer()
    server.add_template(
        "order_update", components=[{"type": "BODY", "text": "Hi {{1}}."}]
    )
    server.start(args.port)
    print(
        f"YCLOUD_API_BASE_URL={server.url}",
        f"YCLOUD_API_KEY={server.api_key}",
        sep="\n",
    )
    sys.stdout.flush()
    threading.Event().wait()


if __name__ == "__main__":
    main()
