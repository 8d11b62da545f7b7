"""A fake GLPI 10 legacy REST API (apirest.php) on a real loopback socket.

It follows specs/glpi.md: App-Token and user-token checks with GLPI's `[CODE, message]`
errors, sessions (26-char tokens) that expire on demand or after N requests, item and
list endpoints with `range`, 200/206 and `Content-Range` as GLPI 10 computes them,
/search with criteria, and ticket/follow-up writes. A test scripts it with attributes
(`latency`, `max_page_size`, `expire_after`, `denied`) and `fail_next()`, takes it
`down()` and `up()` again, and asserts on `requests` and `init_sessions`.

Outside pytest: `with FakeGlpiServer() as glpi: glpi.seed(tickets=10_000); glpi.url`.
As a process (CI's fuzz run, or trying the helpdesk without a GLPI):
`python -m tests.fakes.glpi_server --port 8090`, with the tokens printed at start.
"""

import argparse
import contextlib
import json
import re
import secrets
import socket
import string
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.fakes.glpi_data import GlpiFailure
from tests.fakes.glpi_endpoints import Answer, GlpiEndpoints, item_id_of

APP_TOKEN = "app-token-test"
USER_TOKEN = "user-token-test"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # the resource after apirest.php/, e.g. "search/Ticket", "Ticket/5"
    query: dict[str, Any]  # PHP-style parameters, nested: {"criteria": {"0": {...}}}
    headers: dict[str, str]  # lower-case names
    body: Any


@dataclass(frozen=True)
class _Failure:
    status: int
    body: Any
    path: str | None
    method: str | None
    apply: bool


class FakeGlpiServer(GlpiEndpoints):
    def __init__(
        self,
        *,
        app_token: str | None = APP_TOKEN,  # None: an API client without app token
        user_token: str = USER_TOKEN,
        latency: float = 0.0,
        max_page_size: int | None = None,
        list_limit: int = 15,
        expire_after: int | None = None,
    ) -> None:
        super().__init__()
        self.app_token = app_token
        self.user_token = user_token
        self.latency = latency  # seconds added to every answer
        self.max_page_size = max_page_size  # grant fewer rows than the range asks
        self.list_limit = list_limit  # glpilist_limit: the page without a range
        self.expire_after = expire_after  # a session dies after serving N requests
        self.denied: set[str] = set()  # itemtypes the API user has no right on
        self.sessions: dict[str, int] = {}  # token -> requests served
        self.requests: list[RecordedRequest] = []
        self.init_sessions = 0
        self.port = 0
        self._failures: deque[_Failure] = deque()
        self._lock = threading.RLock()
        self._httpd: _HTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/apirest.php"

    def requests_to(self, path: str, method: str | None = None) -> int:
        path = path.strip("/")
        return sum(
            1
            for r in self.requests
            if r.path.strip("/") == path and method in (None, r.method)
        )

    def fail_next(
        self,
        status: int,
        body: Any = None,
        *,
        times: int = 1,
        path: str | None = None,
        method: str | None = None,
        apply: bool = False,
    ) -> None:
        """Answer the next `times` matching requests (resource starting with `path`)
        with `status` and `body` (JSON for lists/dicts, text otherwise; None gives a
        proxy-like HTML page). With `apply`, the request is processed first."""
        self._failures.extend([_Failure(status, body, path, method, apply)] * times)

    def expire_sessions(self) -> None:
        self.sessions.clear()

    # --- Lifecycle (down() keeps the port, so up() comes back at the same URL) ----

    def start(self) -> None:
        self._httpd = _HTTPServer(("127.0.0.1", self.port), self)
        self.port = self._httpd.server_address[1]
        threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        ).start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd.drop_connections()
            self._httpd = None

    up, down = start, stop

    def __enter__(self) -> "FakeGlpiServer":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- HTTP -----------------------------------------------------------------------

    def serve(self, handler: "_Handler") -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        target = urlsplit(handler.path)
        headers = {name.lower(): value for name, value in handler.headers.items()}
        query = _php_parse(parse_qsl(target.query, keep_blank_values=True))
        path = target.path.removeprefix("/apirest.php").strip("/")
        method = handler.command
        self.requests.append(RecordedRequest(method, path, query, headers, _body(raw)))
        if self.latency:
            time.sleep(self.latency)
        failure = self._take_failure(method, path)
        if not target.path.startswith("/apirest.php"):
            answer: Answer = (404, "<html><body>Not Found</body></html>", {})
        elif failure is not None and not failure.apply:
            answer = (failure.status, failure.body, {})
        else:
            try:
                with self._lock:
                    answer = self._route(method, path, query, headers, raw)
            except GlpiFailure as error:
                answer = (error.status, [error.code, error.message], {})
            if failure is not None:
                answer = (failure.status, failure.body, {})
        _write(handler, *answer)

    def _take_failure(self, method: str, path: str) -> _Failure | None:
        with self._lock:
            for failure in self._failures:
                if (failure.path is None or path.startswith(failure.path)) and (
                    failure.method in (None, method)
                ):
                    self._failures.remove(failure)
                    return failure
        return None

    def _route(
        self, method: str, path: str, query: dict, headers: dict, raw: bytes
    ) -> Answer:
        if method == "GET" and raw.strip():
            message = "GET Request should not have json payload (http body)"
            raise GlpiFailure(400, "ERROR_JSON_PAYLOAD_FORBIDDEN", message, doc=True)
        try:
            data = json.loads(raw) if raw.strip() else {}
        except ValueError:
            message = "JSON payload seems not valid"
            raise GlpiFailure(400, "ERROR_JSON_PAYLOAD_INVALID", message) from None
        self._check_app_token(headers.get("app-token") or query.get("app_token"))
        if path == "initSession":
            return self._init_session(headers, query)
        token = headers.get("session-token") or query.get("session_token")
        self._check_session(token)
        parts = path.split("/")
        if parts[0] == "killSession":
            del self.sessions[token]
            return 200, True, {}
        if parts[0] == "getFullSession":
            return 200, {"session": self._session_info()}, {}
        if parts[0] == "search" and len(parts) == 2:
            return self._search(self._itemtype(parts[1]), query)
        if not parts[0]:
            raise GlpiFailure(
                400, "ERROR_RESOURCE_MISSING", "missing resource", doc=True
            )
        itemtype = self._itemtype(parts[0])
        if method == "GET":
            return self._read(itemtype, parts[1:], query, headers)
        if method == "POST" and len(parts) in (1, 3):
            # /Ticket/5/ITILFollowup is createItems too, without the parent injected.
            return self._create(self._itemtype(parts[-1]), data)
        if method in ("PUT", "PATCH") and len(parts) == 2:
            return self._update(itemtype, item_id_of(parts[1]), data)
        raise GlpiFailure(
            405, "ERROR_METHOD_NOT_ALLOWED", "Method Not Allowed", doc=True
        )

    # --- Sessions -------------------------------------------------------------------

    def _check_app_token(self, given: str | None) -> None:
        if given and given != self.app_token:
            message = "parameter app_token seems wrong"
            raise GlpiFailure(400, "ERROR_WRONG_APP_TOKEN_PARAMETER", message, doc=True)
        if self.app_token is not None and not given:
            message = "missing parameter app_token"
            raise GlpiFailure(
                400, "ERROR_APP_TOKEN_PARAMETERS_MISSING", message, doc=True
            )

    def _init_session(self, headers: dict, query: dict) -> Answer:
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("basic "):
            message = "usage of initSession resource with credentials is disabled"
            raise GlpiFailure(400, "ERROR_LOGIN_WITH_CREDENTIALS_DISABLED", message)
        words = authorization.split(" ")
        user_token = query.get("user_token") or (words[1] if len(words) > 1 else "")
        if not user_token:
            message = "parameter(s) login, password or user_token are missing"
            raise GlpiFailure(400, "ERROR_LOGIN_PARAMETERS_MISSING", message, doc=True)
        if user_token != self.user_token:
            message = "parameter user_token seems invalid"
            raise GlpiFailure(401, "ERROR_GLPI_LOGIN_USER_TOKEN", message)
        alphabet = string.ascii_lowercase + string.digits
        token = "".join(secrets.choice(alphabet) for _ in range(26))
        self.sessions[token] = 0
        self.init_sessions += 1
        answer: dict[str, Any] = {"session_token": token}
        if query.get("get_full_session") is True:
            answer["session"] = self._session_info()
        return 200, answer, {}

    def _check_session(self, token: str | None) -> None:
        if not token:
            message = "parameter session_token is missing or empty"
            raise GlpiFailure(400, "ERROR_SESSION_TOKEN_MISSING", message, doc=True)
        if token in self.sessions:
            self.sessions[token] += 1
            if self.expire_after is None or self.sessions[token] <= self.expire_after:
                return
            del self.sessions[token]
        raise GlpiFailure(
            401, "ERROR_SESSION_TOKEN_INVALID", "session_token seems invalid"
        )

    def _session_info(self) -> dict[str, Any]:
        return {
            "glpiID": 2,
            "glpiname": "glpi",
            "glpiactiveprofile": {"id": 4, "name": "Super-Admin"},
            "glpiactiveentities": [0],
            "glpilist_limit": self.list_limit,
        }


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: FakeGlpiServer) -> None:
        self.fake = fake
        self.connections: set[socket.socket] = set()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients that gave up
            super().handle_error(request, client_address)

    def drop_connections(self) -> None:
        """Cuts the kept-alive connections too, so "down" really refuses service."""
        for connection in list(self.connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _HTTPServer

    def handle_one(self) -> None:
        self.server.fake.serve(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_one

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _write(
    handler: _Handler, status: int, payload: Any, headers: dict[str, str]
) -> None:
    if isinstance(payload, str):
        data, content_type = payload.encode(), "text/html; charset=UTF-8"
    elif payload is None:
        data, content_type = f"<html><body>{status}</body></html>".encode(), "text/html"
    else:
        data = json.dumps(payload, ensure_ascii=False).encode()
        content_type = "application/json; charset=UTF-8"
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)


def _php_parse(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """`a[0][b]=1` -> {"a": {"0": {"b": "1"}}}; "true"/"false" become booleans."""
    parsed: dict[str, Any] = {}
    for key, value in pairs:
        names = [key.split("[", 1)[0], *re.findall(r"\[([^\]]*)\]", key)]
        node = parsed
        for name in names[:-1]:
            node = node.setdefault(name, {})
        last = names[-1] or str(len(node))
        node[last] = {"true": True, "false": False}.get(value, value)
    return parsed


def _body(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("latin-1")


@pytest.fixture
def fake_glpi() -> Iterator[FakeGlpiServer]:
    """A running fake GLPI with the sample helpdesk (see `add_sample_data`)."""
    with FakeGlpiServer() as server:
        server.add_sample_data()
        yield server


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a fake GLPI with sample data.")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--tickets", type=int, default=0, help="bulk random tickets")
    args = parser.parse_args()
    server = FakeGlpiServer()
    server.port = args.port
    server.add_sample_data()
    if args.tickets:
        server.seed(tickets=args.tickets, computers=args.tickets // 10)
    server.start()
    print(f"GLPI_URL={server.url}", f"GLPI_APP_TOKEN={APP_TOKEN}", sep="\n")
    print(f"GLPI_USER_TOKEN={USER_TOKEN}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
