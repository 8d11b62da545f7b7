"""The OpenAI and Groq adapters through their real SDKs against the fake server."""

import asyncio
import json
import socket
import time
from contextlib import aclosing

import pytest

from assistant.providers import aclose_clients, get_llm_client
from assistant.providers.base import (
    CompletionOptions,
    LLMAuthError,
    LLMBadRequest,
    LLMError,
    LLMRateLimited,
    LLMTimeout,
    LLMUnavailable,
    StreamEnd,
    Turn,
    Usage,
)
from tests.fakes.openai_server import FakeLLMServer

TURNS = [
    Turn("system", "You are a helpdesk assistant."),
    Turn("user", "How many tickets are open?"),
]
PROMPT_TOKENS = 14  # ceil(55 characters / 4), as the fake counts
OPTIONS = CompletionOptions(model="fake-model")


async def stream_until_error(
    options: CompletionOptions = OPTIONS,
) -> tuple[list[str], LLMError]:
    deltas: list[str] = []
    with pytest.raises(LLMError) as excinfo:
        async for item in get_llm_client().astream(turns=TURNS, options=options):
            deltas.append(item)
    return deltas, excinfo.value


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Replies -------------------------------------------------------------------------


async def test_complete_returns_text_usage_and_model(remote_llm: FakeLLMServer):
    completion = await get_llm_client().acomplete(
        turns=TURNS,
        options=CompletionOptions(model="fake-model", temperature=0.2, max_tokens=50),
    )

    assert completion.text == "Hello, world!"
    assert completion.model == "fake-model"
    assert completion.usage == Usage(prompt_tokens=PROMPT_TOKENS, completion_tokens=4)
    assert completion.finish_reason == "stop"
    (request,) = remote_llm.chat_requests
    assert request.body["messages"] == [
        {"role": "system", "content": "You are a helpdesk assistant."},
        {"role": "user", "content": "How many tickets are open?"},
    ]
    assert request.body["temperature"] == 0.2
    assert request.body["max_tokens"] == 50
    assert not request.body.get("stream")


async def test_an_empty_model_means_the_providers_default(remote_llm, settings):
    completion = await get_llm_client().acomplete(
        turns=TURNS, options=CompletionOptions(model="")
    )

    default = {
        "openai": settings.OPENAI_DEFAULT_MODEL,
        "groq": settings.GROQ_DEFAULT_MODEL,
    }
    assert completion.model == default[settings.LLM_PROVIDER]


async def test_stream_yields_every_token_in_order_then_one_stream_end(
    remote_llm: FakeLLMServer, settings
):
    remote_llm.tokens = ["¿Qué", " tal", "?", " ", "Todo", " bien", " ✓", "\n"]

    items = [
        item async for item in get_llm_client().astream(turns=TURNS, options=OPTIONS)
    ]

    assert items[:-1] == remote_llm.tokens
    assert items[-1] == StreamEnd(
        model="fake-model",
        usage=Usage(prompt_tokens=PROMPT_TOKENS, completion_tokens=8),
        finish_reason="stop",
    )
    (request,) = remote_llm.chat_requests
    assert request.body["stream"] is True
    if settings.LLM_PROVIDER == "openai":
        # Groq reports usage in x_groq without being asked.
        assert request.body["stream_options"] == {"include_usage": True}


async def test_stream_deltas_arrive_as_the_upstream_sends_them(remote_llm):
    remote_llm.tokens = ["one", " two", " three"]
    remote_llm.token_delay = 0.3
    client = get_llm_client()
    started = time.monotonic()
    arrivals = []

    async for item in client.astream(turns=TURNS, options=OPTIONS):
        arrivals.append((item, time.monotonic() - started))

    # Unbuffered: the first word arrives two token delays before the last one. (Only
    # the gap is compared, so a busy machine cannot make this fail.)
    assert arrivals[0][0] == "one"
    assert arrivals[-2][1] - arrivals[0][1] > 0.5


async def test_json_mode_asks_for_a_json_object(remote_llm):
    remote_llm.json_reply = {"intention": "helpdesk", "confidence": 0.9}

    completion = await get_llm_client().acomplete(
        turns=TURNS, options=CompletionOptions(model="fake-model", json_mode=True)
    )

    assert json.loads(completion.text) == {"intention": "helpdesk", "confidence": 0.9}
    (request,) = remote_llm.chat_requests
    assert request.body["response_format"] == {"type": "json_object"}


def test_sync_complete_for_tasks(remote_llm):
    client = get_llm_client()

    first = client.complete(turns=TURNS, options=OPTIONS)
    second = client.complete(turns=TURNS, options=OPTIONS)

    assert first.text == second.text == "Hello, world!"
    assert first.usage.completion_tokens == 4
    assert remote_llm.connections == 1


async def test_calls_in_one_event_loop_share_one_connection(remote_llm):
    await get_llm_client().acomplete(turns=TURNS, options=OPTIONS)
    async for _ in get_llm_client().astream(turns=TURNS, options=OPTIONS):
        pass
    await get_llm_client().acomplete(turns=TURNS, options=OPTIONS)

    assert len(remote_llm.chat_requests) == 3
    assert remote_llm.connections == 1


def test_each_event_loop_gets_its_own_pool(remote_llm):
    # Celery and async_to_sync run coroutines in loops of their own; an async HTTP
    # pool cannot move between loops.
    async def ask() -> str:
        try:
            completion = await get_llm_client().acomplete(turns=TURNS, options=OPTIONS)
        finally:
            await aclose_clients()
        return completion.text

    assert asyncio.run(ask()) == asyncio.run(ask()) == "Hello, world!"
    assert remote_llm.connections == 2


# --- Failures before the reply: mapped, retried when worth it -------------------------


async def test_a_rejected_key_is_an_auth_error_without_the_key(remote_llm, settings):
    secret = "sk-wrong-secret-1234567890"
    settings.OPENAI_API_KEY = settings.GROQ_API_KEY = secret

    with pytest.raises(LLMAuthError) as excinfo:
        await get_llm_client().acomplete(turns=TURNS, options=OPTIONS)

    error = excinfo.value
    assert error.status_code == 502
    assert "rejected the API key" in error.message
    assert secret not in str(error)
    assert secret not in json.dumps(error.extra)
    assert len(remote_llm.chat_requests) == 1  # 401 is not retried


async def test_rate_limited_once_is_retried(remote_llm):
    remote_llm.fail_next(429)

    items = [
        item async for item in get_llm_client().astream(turns=TURNS, options=OPTIONS)
    ]

    assert "".join(items[:-1]) == "Hello, world!"
    assert len(remote_llm.chat_requests) == 2


async def test_rate_limited_for_good(remote_llm, settings):
    remote_llm.fail_next(429, times=10)

    with pytest.raises(LLMRateLimited) as excinfo:
        await get_llm_client().acomplete(turns=TURNS, options=OPTIONS)

    assert excinfo.value.status_code == 503
    assert len(remote_llm.chat_requests) == 1 + settings.LLM_MAX_RETRIES


@pytest.mark.parametrize(
    ("status", "error_class", "http_status"),
    [(500, LLMError, 502), (502, LLMError, 502), (503, LLMUnavailable, 503)],
)
async def test_persistent_server_errors_give_up_after_the_retries(
    remote_llm, settings, status, error_class, http_status
):
    remote_llm.fail_next(status, times=10, message="Upstream exploded")

    deltas, error = await stream_until_error()

    assert deltas == []
    assert type(error) is error_class
    assert error.status_code == http_status
    assert len(remote_llm.chat_requests) == 1 + settings.LLM_MAX_RETRIES


async def test_an_unknown_model_is_a_bad_request_with_the_providers_reason(remote_llm):
    remote_llm.known_models = {"fake-model"}

    with pytest.raises(LLMBadRequest) as excinfo:
        await get_llm_client().acomplete(
            turns=TURNS, options=CompletionOptions(model="gpt-9")
        )

    assert "The model `gpt-9` does not exist" in excinfo.value.message
    assert len(remote_llm.chat_requests) == 1


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(400, LLMBadRequest), (403, LLMAuthError), (422, LLMBadRequest)],
)
async def test_client_errors_are_not_retried(remote_llm, status, error_class):
    remote_llm.fail_next(status, message="This model's maximum context is 8192 tokens")

    with pytest.raises(error_class) as excinfo:
        await get_llm_client().acomplete(turns=TURNS, options=OPTIONS)

    if error_class is LLMBadRequest:
        assert "maximum context is 8192 tokens" in excinfo.value.message
    assert len(remote_llm.chat_requests) == 1


async def test_nothing_listening_is_unavailable(remote_llm, settings):
    url = f"http://127.0.0.1:{closed_port()}"
    settings.OPENAI_BASE_URL = f"{url}/v1"
    settings.GROQ_BASE_URL = url
    settings.LLM_MAX_RETRIES = 0

    with pytest.raises(LLMUnavailable):
        await get_llm_client().acomplete(turns=TURNS, options=OPTIONS)


# --- Failures after the reply started: never retried ---------------------------------


async def test_a_stream_cut_mid_reply_keeps_what_arrived_then_fails(remote_llm):
    remote_llm.tokens = ["a", "b", "c", "d", "e"]
    remote_llm.cut_after = 2

    deltas, error = await stream_until_error()

    assert deltas == ["a", "b"]
    assert type(error) is LLMError
    assert "broke mid-reply" in error.message
    assert len(remote_llm.chat_requests) == 1


async def test_a_malformed_chunk_fails_the_stream(remote_llm):
    remote_llm.tokens = ["a", "b", "c"]
    remote_llm.malformed_after = 1

    deltas, error = await stream_until_error()

    assert deltas == ["a"]
    assert type(error) is LLMError
    assert len(remote_llm.chat_requests) == 1


async def test_an_error_event_mid_stream_fails_with_the_providers_message(
    remote_llm,
):
    remote_llm.tokens = ["a", "b", "c"]
    remote_llm.error_after = 1

    deltas, error = await stream_until_error()

    assert deltas == ["a"]
    assert type(error) is LLMError
    assert "failed mid-reply: The model is overloaded." in error.message
    assert len(remote_llm.chat_requests) == 1


async def test_a_stream_that_ends_without_finishing_fails(remote_llm):
    remote_llm.tokens = ["a", "b", "c"]
    remote_llm.end_after = 2

    deltas, error = await stream_until_error()

    assert deltas == ["a", "b"]
    assert type(error) is LLMError
    assert "before it was complete" in error.message


async def test_an_upstream_that_never_answers_times_out(remote_llm, settings):
    settings.LLM_READ_TIMEOUT_SECONDS = 0.2
    settings.LLM_TIMEOUT_SECONDS = 0.5  # less than the retries would take
    remote_llm.hang = True
    started = time.monotonic()

    deltas, error = await stream_until_error()

    assert type(error) is LLMTimeout
    assert error.status_code == 504
    assert 0.45 < time.monotonic() - started < 1.0
    assert deltas == []


async def test_acomplete_times_out_at_the_whole_reply_limit(remote_llm, settings):
    settings.LLM_TIMEOUT_SECONDS = 0.3
    remote_llm.first_token_delay = 2.0

    started = time.monotonic()
    with pytest.raises(LLMTimeout):
        await get_llm_client().acomplete(turns=TURNS, options=OPTIONS)

    assert time.monotonic() - started < 0.8


def test_sync_complete_times_out(remote_llm, settings):
    settings.LLM_TIMEOUT_SECONDS = 0.3
    settings.LLM_MAX_RETRIES = 0
    remote_llm.first_token_delay = 2.0

    started = time.monotonic()
    with pytest.raises(LLMTimeout):
        get_llm_client().complete(turns=TURNS, options=OPTIONS)

    assert time.monotonic() - started < 0.8


async def test_a_stalled_stream_times_out_without_retrying(remote_llm, settings):
    settings.LLM_READ_TIMEOUT_SECONDS = 0.2
    remote_llm.tokens = ["a", "b", "c"]
    remote_llm.token_delay = 1.0

    deltas, error = await stream_until_error()

    assert deltas == ["a"]
    assert type(error) is LLMTimeout
    assert len(remote_llm.chat_requests) == 1


async def test_a_trickling_stream_stops_at_the_whole_reply_limit(remote_llm, settings):
    settings.LLM_TIMEOUT_SECONDS = 0.5
    remote_llm.tokens = [f"t{i} " for i in range(50)]
    remote_llm.token_delay = 0.05
    started = time.monotonic()

    deltas, error = await stream_until_error()

    assert type(error) is LLMTimeout
    assert 0.45 < time.monotonic() - started < 0.9
    assert 3 < len(deltas) < 50
    assert deltas == remote_llm.tokens[: len(deltas)]
    await remote_llm.wait_for(lambda: remote_llm.aborted_streams == 1)


async def test_the_deadline_never_cancels_the_consumers_code(remote_llm, settings):
    settings.LLM_TIMEOUT_SECONDS = 0.3
    remote_llm.tokens = ["a", "b"]
    slept = []

    with pytest.raises(LLMTimeout):
        async for item in get_llm_client().astream(turns=TURNS, options=OPTIONS):
            await asyncio.sleep(0.5)  # past the deadline, while the stream waits on us
            slept.append(item)

    # The whole reply is late, so the stream ends, but only when it gets control back.
    assert slept == ["a"]


# --- The consumer stops early --------------------------------------------------------


async def test_closing_the_stream_early_drops_the_upstream_request(remote_llm):
    remote_llm.tokens = [f"t{i} " for i in range(100)]
    remote_llm.token_delay = 0.02
    deltas = []

    async with aclosing(
        get_llm_client().astream(turns=TURNS, options=OPTIONS)
    ) as stream:
        async for item in stream:
            deltas.append(item)
            if len(deltas) == 2:
                break

    await remote_llm.wait_for(lambda: remote_llm.aborted_streams == 1)
    assert deltas == ["t0 ", "t1 "]


async def test_cancelling_the_consumer_drops_the_upstream_request(remote_llm):
    remote_llm.tokens = [f"t{i} " for i in range(100)]
    remote_llm.token_delay = 0.02
    first = asyncio.Event()

    async def consume() -> None:
        async for _ in get_llm_client().astream(turns=TURNS, options=OPTIONS):
            first.set()

    task = asyncio.create_task(consume())
    await first.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await remote_llm.wait_for(lambda: remote_llm.aborted_streams == 1)


# --- Status check and configuration --------------------------------------------------


async def test_ping_answers_when_the_provider_does(remote_llm):
    await get_llm_client().aping()

    assert remote_llm.requests[-1].path.endswith("/v1/models")


@pytest.mark.parametrize(
    ("status", "error_class"), [(503, LLMUnavailable), (401, LLMAuthError)]
)
async def test_ping_fails_at_once_when_the_provider_does(
    remote_llm, status, error_class
):
    remote_llm.fail_next(status, times=10)

    with pytest.raises(error_class):
        await get_llm_client().aping()

    assert len(remote_llm.requests) == 1


def test_remote_providers_need_their_settings(settings):
    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = settings.GROQ_API_KEY = ""

    with pytest.raises(LLMAuthError, match="OPENAI_API_KEY"):
        get_llm_client("openai")
    with pytest.raises(LLMAuthError, match="GROQ_API_KEY"):
        get_llm_client("groq")
    with pytest.raises(LLMBadRequest, match="Unknown LLM provider"):
        get_llm_client("anthropic")


async def test_a_keyless_openai_compatible_server_gets_a_placeholder_key(
    fake_openai, settings
):
    settings.OPENAI_API_KEY = ""
    fake_openai.api_key = None

    completion = await get_llm_client().acomplete(turns=TURNS, options=OPTIONS)

    assert completion.text == "Hello, world!"
    assert fake_openai.requests[0].headers["authorization"] == "Bearer not-needed"
