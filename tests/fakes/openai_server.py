"""A fake OpenAI-compatible server on a real loopback socket.

It serves OpenAI's paths (/v1/...) and Groq's (/openai/v1/..., whose final stream
chunk carries `x_groq.usage`) from asyncio streams in a background thread, so the real
SDKs, their timeouts, retries and connection pools run against it unchanged. A test
scripts the next replies by setting attributes (`tokens`, `token_delay`, `cut_after`,
`hang`...) or calling `fail_next()`, and asserts on `requests`, `connections` and
`aborted_streams`. Streams use chunked transfer encoding, so a cut connection is
visible to the client as an incomplete body.
"""

import asyncio
import json
import math
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

DEFAULT_TOKENS = ["Hello", ",", " world", "!"]
REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}
CHAT_PATHS = ("/v1/chat/completions", "/openai/v1/chat/completions")
MODELS_PATHS = ("/v1/models", "/openai/v1/models")
STREAM_HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
    b"cache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n"
)
END_OF_BODY = b"0\r\n\r\n"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class _Failure:
    status: int
    message: str
    retry_after_ms: int | None


class FakeLLMServer:
    def __init__(self) -> None:
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="fake-llm", daemon=True
        )
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task] = set()
        self._failures: deque[_Failure] = deque()
        self.reset()

    def reset(self) -> None:
        # The script for the next replies.
        self.tokens: list[str] = list(DEFAULT_TOKENS)
        self.first_token_delay = 0.0
        self.token_delay = 0.0
        self.cut_after: int | None = None  # close the connection after K tokens
        self.malformed_after: int | None = None  # send a broken chunk after K tokens
        self.end_after: int | None = None  # end the body cleanly after K tokens
        self.error_after: int | None = None  # send an error event after K tokens
        self.hang = False  # read the request, never answer
        self.json_reply: dict[str, Any] | None = None  # the reply in JSON mode
        self.known_models: set[str] | None = None  # others get 404 model_not_found
        self.api_key: str | None = None  # required bearer token, if set
        self._failures.clear()
        # What happened.
        self.requests: list[RecordedRequest] = []
        self.connections = 0
        self.aborted_streams = 0  # streams the client closed before their end

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path in CHAT_PATHS]

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        message: str | None = None,
        retry_after_ms: int | None = 1,
    ) -> None:
        """Answer the next `times` requests with an OpenAI-style error."""
        failure = _Failure(
            status, message or f"Fake upstream error {status}.", retry_after_ms
        )
        self._failures.extend([failure] * times)

    async def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 2.0
    ) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.005)

    # --- Lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()
        self._server = self._run(
            asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=1024)
        )
        self.port = self._server.sockets[0].getsockname()[1]

    def __enter__(self) -> "FakeLLMServer":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._run(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=5)

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._handlers:
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    # --- HTTP -------------------------------------------------------------------------

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self.connections += 1
        try:
            while await self._handle_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._handlers.discard(task)
            writer.close()

    async def _handle_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Answers one request; False when the connection should close."""
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *lines = head.decode("latin-1").split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers = {}
        for line in lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", 0))
        body = json.loads(await reader.readexactly(length)) if length else None
        path = target.partition("?")[0]
        self.requests.append(RecordedRequest(method, path, headers, body))

        if self.api_key is not None:
            sent = headers.get("authorization", "").removeprefix("Bearer ")
            if sent != self.api_key:
                # Echoes the key, as a careless provider might: our messages must not.
                self._send_error(writer, 401, f"Incorrect API key provided: {sent}.")
                return True
        if self._failures:
            failure = self._failures.popleft()
            self._send_error(
                writer, failure.status, failure.message, failure.retry_after_ms
            )
            return True
        if self.hang:
            while await reader.read(65536):
                pass
            return False
        if method == "GET" and path in MODELS_PATHS:
            self._send_json(writer, 200, self._models())
        elif method == "POST" and path in CHAT_PATHS:
            await self._chat(reader, writer, body, groq=path.startswith("/openai/"))
        else:
            self._send_error(writer, 404, f"Unknown path {path}.")
        return (
            not writer.is_closing() and headers.get("connection", "").lower() != "close"
        )

    async def _chat(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        body: dict[str, Any],
        *,
        groq: bool,
    ) -> None:
        model = body["model"]
        if self.known_models is not None and model not in self.known_models:
            self._send_error(
                writer,
                404,
                f"The model `{model}` does not exist or you do not have access to it.",
            )
            return
        tokens = self.tokens
        if body.get("response_format", {}).get("type") == "json_object":
            tokens = [json.dumps(self.json_reply or {"answer": "".join(tokens)})]
        prompt_chars = sum(len(m.get("content") or "") for m in body["messages"])
        usage = {
            "prompt_tokens": math.ceil(prompt_chars / 4),
            "completion_tokens": len(tokens),
            "total_tokens": math.ceil(prompt_chars / 4) + len(tokens),
        }
        if not body.get("stream"):
            await asyncio.sleep(self.first_token_delay + self.token_delay * len(tokens))
            self._send_json(writer, 200, _completion(model, "".join(tokens), usage))
            return
        include_usage = (body.get("stream_options") or {}).get("include_usage")
        writer.write(STREAM_HEAD)
        events = _events(model, tokens, usage, groq=groq)
        if not await self._stream(reader, writer, events):
            return
        if include_usage:
            writer.write(_chunk(_event(_chunk_json(model, [], usage=usage))))
        writer.write(_chunk(b"data: [DONE]\n\n") + END_OF_BODY)
        await writer.drain()

    async def _stream(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        events: list[bytes],
    ) -> bool:
        """Writes the role chunk, one chunk per token and the finish chunk; False if
        the stream ended early (as scripted, or because the client left)."""
        if self.first_token_delay:
            await writer.drain()
            await asyncio.sleep(self.first_token_delay)
        # events[0] carries the role, events[1:-1] the tokens, events[-1] the finish.
        try:
            for index, event in enumerate(events):
                sent_tokens = index - 1
                if sent_tokens == self.cut_after:
                    await writer.drain()
                    writer.close()
                    return False
                if sent_tokens == self.end_after:
                    writer.write(END_OF_BODY)
                    return False
                if sent_tokens == self.error_after:
                    error = {
                        "message": "The model is overloaded.",
                        "type": "server_error",
                    }
                    writer.write(_chunk(_event(json.dumps({"error": error}))))
                    writer.write(END_OF_BODY)
                    return False
                if sent_tokens == self.malformed_after:
                    event = b'data: {"id": "chatcmpl-fake", "choices": [{"del\n\n'
                writer.write(_chunk(event))
                if self.token_delay and 0 < index < len(events) - 1:
                    # No drain per token: a token fits the socket buffer, and a
                    # client that left shows up as EOF or a closing transport.
                    await asyncio.sleep(self.token_delay)
                    if reader.at_eof() or writer.is_closing():
                        raise ConnectionResetError
            await writer.drain()
        except ConnectionError:
            self.aborted_streams += 1
            writer.close()
            return False
        return True

    def _models(self) -> dict[str, Any]:
        names = sorted(self.known_models or {"fake-model"})
        return {
            "object": "list",
            "data": [
                {"id": name, "object": "model", "created": 0, "owned_by": "fake"}
                for name in names
            ],
        }

    def _send_error(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        message: str,
        retry_after_ms: int | None = None,
    ) -> None:
        error_type, code = ERROR_TYPES.get(status, ("server_error", None))
        headers = {}
        if retry_after_ms is not None and (status == 429 or status >= 500):
            headers = {"retry-after": "0", "retry-after-ms": str(retry_after_ms)}
        payload = {
            "error": {
                "message": message,
                "type": error_type,
                "param": None,
                "code": code,
            }
        }
        self._send_json(writer, status, payload, headers)

    def _send_json(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(payload).encode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        head = (
            f"HTTP/1.1 {status} {REASONS[status]}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(data)}\r\n"
            f"{extra}\r\n"
        )
        writer.write(head.encode() + data)


def _completion(model: str, text: str, usage: dict[str, int]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": usage,
    }


def _events(
    model: str, tokens: list[str], usage: dict[str, int], *, groq: bool
) -> list[bytes]:
    # Tokens are pasted into a pre-built prefix/suffix: this runs per token for
    # hundreds of concurrent streams in benchmarks.
    prefix = _event(_chunk_json(model, [{"index": 0, "delta": {"content": ""}}]))
    prefix = prefix[: prefix.index(b'""}')]
    suffix = b'}, "finish_reason": null}]}\n\n'
    role = {"index": 0, "delta": {"role": "assistant", "content": ""}}
    finish = {"index": 0, "delta": {}, "finish_reason": "stop"}
    extra = {"x_groq": {"id": "req_fake", "usage": usage}} if groq else {}
    return [
        _event(_chunk_json(model, [role])),
        *(prefix + json.dumps(token).encode() + suffix for token in tokens),
        _event(_chunk_json(model, [finish], **extra)),
    ]


def _chunk_json(model: str, choices: list[dict[str, Any]], **extra: Any) -> str:
    chunk = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": choices,
        **extra,
    }
    return json.dumps(chunk)


def _event(data: str) -> bytes:
    return f"data: {data}\n\n".encode()


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


@pytest.fixture
def fake_llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as server:
        yield server


def _small_timeouts(settings: Any) -> None:
    settings.LLM_CONNECT_TIMEOUT_SECONDS = 1.0
    settings.LLM_READ_TIMEOUT_SECONDS = 1.0
    settings.LLM_TIMEOUT_SECONDS = 3.0
    settings.LLM_MAX_RETRIES = 2


@pytest.fixture
def fake_openai(fake_llm: FakeLLMServer, settings: Any) -> FakeLLMServer:
    """The fake, with settings pointing the `openai` provider at it."""
    settings.LLM_PROVIDER = "openai"
    settings.LLM_MODEL = ""
    settings.OPENAI_BASE_URL = f"{fake_llm.url}/v1"
    settings.OPENAI_API_KEY = fake_llm.api_key = "sk-test-openai-key"
    _small_timeouts(settings)
    return fake_llm


@pytest.fixture
def fake_groq(fake_llm: FakeLLMServer, settings: Any) -> FakeLLMServer:
    """The fake, with settings pointing the `groq` provider at it."""
    settings.LLM_PROVIDER = "groq"
    settings.LLM_MODEL = ""
    settings.GROQ_BASE_URL = fake_llm.url
    settings.GROQ_API_KEY = fake_llm.api_key = "gsk-test-groq-key"
    _small_timeouts(settings)
    return fake_llm
