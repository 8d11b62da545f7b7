"""What OpenAI and Groq have in common: both SDKs are generated from the same template,
so one adapter drives either, given the SDK module and its client classes."""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from types import ModuleType
from typing import Any, ClassVar, TypeVar

from django.conf import settings

from assistant.providers.base import (
    Completion,
    CompletionOptions,
    LLMAuthError,
    LLMBadRequest,
    LLMError,
    LLMRateLimited,
    LLMTimeout,
    LLMUnavailable,
    StreamEnd,
    StreamItem,
    Turn,
    Usage,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Connection:
    """Everything an SDK client is built from; equal connections share one client."""

    base_url: str | None
    api_key: str
    connect_timeout: float
    read_timeout: float
    max_retries: int


def connection_from_settings(*, base_url: str | None, api_key: str) -> Connection:
    return Connection(
        base_url=base_url,
        api_key=api_key,
        connect_timeout=settings.LLM_CONNECT_TIMEOUT_SECONDS,
        read_timeout=settings.LLM_READ_TIMEOUT_SECONDS,
        max_retries=settings.LLM_MAX_RETRIES,
    )


# SDK clients hold connection pools, so they are reused. An async pool belongs to the
# event loop that opened its sockets, hence one set of async clients per loop. (Not a
# WeakKeyDictionary: pooled sockets refer to their loop, which would keep it alive.)
_ClientKey = tuple[type, Connection]
_sync_clients: dict[_ClientKey, Any] = {}
_async_clients: dict[asyncio.AbstractEventLoop, dict[_ClientKey, Any]] = {}


async def aclose_clients() -> None:
    """Close the pooled async SDK clients of the running loop (tests, shutdown)."""
    clients = _async_clients.pop(asyncio.get_running_loop(), {})
    for client in clients.values():
        await client.close()


class _Deadline:
    """One timer for a whole reply; it cancels the task only while it awaits upstream.

    `asyncio.timeout` cannot span the stream's `yield`s (it would cancel the consumer's
    code), and one `asyncio.timeout` per chunk costs a timer per token.
    """

    __slots__ = ("expired", "handle", "task", "waiting")

    def __init__(self, seconds: float) -> None:
        self.task = asyncio.current_task()
        self.handle = asyncio.get_running_loop().call_later(seconds, self._expire)
        self.expired = False
        self.waiting = False

    def _expire(self) -> None:
        self.expired = True
        if self.waiting and self.task is not None:
            self.task.cancel()

    async def wait(self, awaitable: Awaitable[T]) -> T:
        self.waiting = True
        try:
            return await awaitable
        except asyncio.CancelledError:
            if self.expired and self.task is not None and self.task.uncancel() == 0:
                raise TimeoutError from None
            raise
        finally:
            self.waiting = False

    def cancel(self) -> None:
        self.handle.cancel()


class OpenAILikeClient:
    """An `LLMClient` over a Stainless-generated SDK (`openai`, `groq`)."""

    provider: ClassVar[str]
    sdk: ClassVar[ModuleType]
    # The HTTP library under the SDK: its errors escape a streamed body unwrapped.
    http: ClassVar[ModuleType]
    sync_client_class: ClassVar[type]
    async_client_class: ClassVar[type]
    stream_kwargs: ClassVar[dict[str, Any]] = {}

    def __init__(
        self, *, connection: Connection, default_model: str, total_timeout: float
    ) -> None:
        self.connection = connection
        self.default_model = default_model
        self.total_timeout = total_timeout

    # --- LLMClient --------------------------------------------------------------------

    def complete(
        self, *, turns: Sequence[Turn], options: CompletionOptions
    ) -> Completion:
        try:
            response = self._sync_client().chat.completions.create(
                **self._request(turns, options), timeout=self._whole_reply_timeout()
            )
        except self.sdk.APIError as exc:
            raise self._error(exc) from exc
        return self._completion(response, options)

    async def acomplete(
        self, *, turns: Sequence[Turn], options: CompletionOptions
    ) -> Completion:
        client = self._async_client()
        try:
            async with asyncio.timeout(self.total_timeout):
                response = await client.chat.completions.create(
                    **self._request(turns, options),
                    timeout=self._whole_reply_timeout(),
                )
        except self.sdk.APIError as exc:
            raise self._error(exc) from exc
        except TimeoutError as exc:
            raise self._timeout() from exc
        return self._completion(response, options)

    async def astream(
        self, *, turns: Sequence[Turn], options: CompletionOptions
    ) -> AsyncIterator[StreamItem]:
        client = self._async_client()
        request = self._request(turns, options)
        deadline = _Deadline(self.total_timeout)
        try:
            # Leaving this block (end, error, aclose(), cancellation) closes the
            # response, which drops the connection if the reply was not read to the end.
            async with AsyncExitStack() as stack:
                try:
                    response = await deadline.wait(
                        stack.enter_async_context(
                            client.chat.completions.with_streaming_response.create(
                                **request, stream=True, **self.stream_kwargs
                            )
                        )
                    )
                except self.sdk.APIError as exc:
                    raise self._error(exc) from exc
                except TimeoutError as exc:
                    raise self._timeout() from exc
                # Chunks are read as plain JSON: building the SDK's typed chunk models
                # took more CPU per token than the rest of the way to the client.
                chunks = _sse_json(response.iter_lines())
                chunk: dict[str, Any] = {}
                finish_reason = None
                usage = None
                try:
                    while True:
                        if deadline.expired:  # while the consumer had control
                            raise TimeoutError
                        try:
                            chunk = await deadline.wait(chunks.__anext__())
                        except StopAsyncIteration:
                            break
                        if chunk.get("error"):
                            raise self._error_event(chunk["error"])
                        choices = chunk.get("choices")
                        if choices:
                            choice = choices[0]
                            text = (choice.get("delta") or {}).get("content")
                            if text:
                                yield text
                            if choice.get("finish_reason") is None:
                                continue
                            finish_reason = choice["finish_reason"]
                        usage = self._stream_usage(chunk) or usage
                except TimeoutError as exc:
                    raise self._timeout() from exc
                except (self.sdk.APIError, self.http.HTTPError, ValueError) as exc:
                    raise self._broken_stream(exc) from exc
        finally:
            deadline.cancel()
        if finish_reason is None:
            raise LLMError(
                f"The LLM provider ({self.provider}) ended the reply before it was "
                "complete."
            )
        yield StreamEnd(
            model=chunk.get("model") or request["model"],
            usage=_usage(usage),
            finish_reason=finish_reason,
        )

    async def aping(self) -> None:
        client = self._async_client().with_options(max_retries=0)
        try:
            async with asyncio.timeout(self.connection.read_timeout):
                await client.models.list()
        except self.sdk.APIError as exc:
            raise self._error(exc) from exc
        except TimeoutError as exc:
            raise self._timeout() from exc

    # --- Requests and replies ---------------------------------------------------------

    def _request(
        self, turns: Sequence[Turn], options: CompletionOptions
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self._model(options),
            "messages": [{"role": t.role, "content": t.content} for t in turns],
        }
        if options.temperature is not None:
            request["temperature"] = options.temperature
        if options.max_tokens is not None:
            request["max_tokens"] = options.max_tokens
        if options.json_mode:
            request["response_format"] = {"type": "json_object"}
        return request

    def _model(self, options: CompletionOptions) -> str:
        return options.model or self.default_model

    def _whole_reply_timeout(self) -> Any:
        # Without streaming nothing arrives until the reply is whole, so the wait for
        # the next byte is the wait for the whole reply.
        return self.sdk.Timeout(
            self.total_timeout, connect=self.connection.connect_timeout
        )

    def _completion(self, response: Any, options: CompletionOptions) -> Completion:
        if not response.choices:
            raise LLMError("The LLM provider answered without a reply.")
        choice = response.choices[0]
        return Completion(
            text=choice.message.content or "",
            model=response.model or self._model(options),
            usage=_usage(response.usage),
            finish_reason=choice.finish_reason,
        )

    def _stream_usage(self, chunk: dict[str, Any]) -> dict[str, Any] | None:
        return chunk.get("usage")

    # --- SDK clients ------------------------------------------------------------------

    def _sdk_kwargs(self) -> dict[str, Any]:
        connection = self.connection
        return {
            "api_key": connection.api_key,
            "base_url": connection.base_url,
            "timeout": self.sdk.Timeout(
                connection.read_timeout, connect=connection.connect_timeout
            ),
            "max_retries": connection.max_retries,
        }

    def _sync_client(self) -> Any:
        key = (self.sync_client_class, self.connection)
        client = _sync_clients.get(key)
        if client is None:
            client = _sync_clients.setdefault(
                key, self.sync_client_class(**self._sdk_kwargs())
            )
        return client

    def _async_client(self) -> Any:
        loop = asyncio.get_running_loop()
        clients = _async_clients.get(loop)
        if clients is None:
            # A new loop: forget the clients of loops that are gone.
            for old_loop in list(_async_clients):
                if old_loop.is_closed():
                    _async_clients.pop(old_loop, None)
            clients = _async_clients.setdefault(loop, {})
        key = (self.async_client_class, self.connection)
        client = clients.get(key)
        if client is None:
            client = clients[key] = self.async_client_class(**self._sdk_kwargs())
        return client

    # --- Errors -----------------------------------------------------------------------

    def _error(self, exc: Exception) -> LLMError:
        """Our error for an SDK error raised before any part of the reply arrived."""
        sdk = self.sdk
        name = self.provider
        if isinstance(exc, sdk.AuthenticationError | sdk.PermissionDeniedError):
            return LLMAuthError(
                f"The LLM provider ({name}) rejected the API key; check its settings."
            )
        if isinstance(exc, sdk.RateLimitError):
            return LLMRateLimited(
                f"The LLM provider ({name}) is rate limiting us; try again shortly."
            )
        if isinstance(exc, sdk.APITimeoutError):
            return self._timeout()
        if isinstance(exc, sdk.APIConnectionError):
            return LLMUnavailable(f"Could not connect to the LLM provider ({name}).")
        if isinstance(exc, sdk.APIStatusError):
            if exc.status_code == 503:
                return LLMUnavailable(
                    f"The LLM provider ({name}) is unavailable; try again shortly."
                )
            if exc.status_code >= 500:
                return LLMError(f"The LLM provider ({name}) failed to answer.")
            return LLMBadRequest(
                f"The LLM provider ({name}) refused the request: {self._detail(exc)}"
            )
        return LLMError(f"The LLM provider ({name}) failed: {self._detail(exc)}")

    def _broken_stream(self, exc: Exception) -> LLMError:
        """Our error for a failure after the reply started: never retried."""
        if isinstance(exc, self.sdk.APITimeoutError | self.http.TimeoutException):
            return self._timeout()
        return LLMError(
            f"The connection to the LLM provider ({self.provider}) broke mid-reply."
        )

    def _error_event(self, error: Any) -> LLMError:
        """Our error for an error the provider sent inside the stream."""
        message = error.get("message") if isinstance(error, dict) else None
        return LLMError(
            f"The LLM provider ({self.provider}) failed mid-reply: "
            f"{self._redacted(str(message or error))}"
        )

    def _timeout(self) -> LLMTimeout:
        return LLMTimeout(
            f"The LLM provider ({self.provider}) did not answer in time "
            f"(limit {self.total_timeout:g} s for a reply, "
            f"{self.connection.read_timeout:g} s between parts)."
        )

    def _detail(self, exc: Exception) -> str:
        """The provider's own message, without our API key in it."""
        body = getattr(exc, "body", None)
        message = body.get("message") if isinstance(body, dict) else None
        return self._redacted(str(message or getattr(exc, "message", None) or exc))

    def _redacted(self, text: str) -> str:
        key = self.connection.api_key
        return text.replace(key, "***") if key else text


async def _sse_json(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, Any]]:
    """The JSON objects sent as server-sent events, up to `[DONE]`. The body is read to
    its end all the same, so that its connection goes back to the pool."""
    data: list[str] = []
    done = False
    async for line in lines:
        if done:
            continue
        if line.startswith("data:"):
            data.append(line.removeprefix("data:").removeprefix(" "))
        elif not line and data:
            payload, data = "\n".join(data), []
            if payload.startswith("[DONE]"):
                done = True
                continue
            chunk = json.loads(payload)
            if not isinstance(chunk, dict):
                raise ValueError(f"Not a JSON object: {payload[:80]}")
            yield chunk


def _usage(usage: Any) -> Usage:
    """Our usage from the SDK's usage model or from a stream's usage JSON."""
    if usage is None:
        return Usage()
    if isinstance(usage, dict):
        prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    else:
        prompt, completion = usage.prompt_tokens, usage.completion_tokens
    return Usage(prompt_tokens=prompt or 0, completion_tokens=completion or 0)
