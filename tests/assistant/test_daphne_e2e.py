"""Replies streamed through a real daphne process, to real HTTP and WebSocket clients.

daphne runs in a subprocess on its own SQLite file, with the `openai` provider pointed
at the fake upstream in this process. The test never touches the ORM: it signs up and
reads conversations through the API, as a browser would.
"""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.fakes.openai_server import FakeLLMServer
from tests.servers import DaphneServer, django_env, manage, run_daphne

TIMEOUT = 5.0
WS_CLOSE_UNAUTHENTICATED = 4401


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as server:
        yield server


@pytest.fixture(scope="module")
def daphne(upstream: FakeLLMServer, tmp_path_factory) -> Iterator[DaphneServer]:
    database = Path(tmp_path_factory.mktemp("daphne-db")) / "db.sqlite3"
    env = django_env(
        DATABASE_URL=f"sqlite:///{database}",
        REDIS_URL="",  # the in-memory channel layer
        ALLOW_SIGNUP="true",
        LLM_PROVIDER="openai",
        LLM_MODEL="",
        OPENAI_BASE_URL=f"{upstream.url}/v1",
        OPENAI_API_KEY="sk-e2e",
        LLM_READ_TIMEOUT_SECONDS="5",
        LLM_TIMEOUT_SECONDS="10",
        LOG_LEVEL="WARNING",
    )
    manage("migrate", "--no-input", env=env)
    with run_daphne(env) as server:
        yield server


@pytest.fixture(scope="module")
def access(daphne: DaphneServer) -> str:
    """An access token of a freshly signed-up company admin."""
    response = httpx.post(
        daphne.url("/api/auth/register"),
        json={
            "username": "e2e-admin",
            "email": "e2e@example.com",
            "password": "streaming-end-to-end-42",
            "company_name": "E2E",
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 201, response.text
    return response.json()["access"]


@pytest.fixture
def fake(upstream: FakeLLMServer) -> FakeLLMServer:
    upstream.reset()
    return upstream


@pytest.fixture
async def api(daphne: DaphneServer, access: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=daphne.origin,
        headers={"Authorization": f"Bearer {access}"},
        timeout=TIMEOUT,
    ) as client:
        yield client


@pytest.fixture(autouse=True)
def daphne_log_on_failure(request, daphne: DaphneServer) -> Iterator[None]:
    """Shows daphne's log under a failed test (its report is in before teardown)."""
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        print(daphne.log_tail())


async def conversation_create(api: httpx.AsyncClient) -> int:
    response = await api.post("/api/assistant/conversations", json={})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def conversation_messages(api: httpx.AsyncClient, conversation: int) -> list:
    response = await api.get(f"/api/assistant/conversations/{conversation}")
    assert response.status_code == 200, response.text
    return response.json()["messages"]


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    async with asyncio.timeout(TIMEOUT):
        while not await check():
            await asyncio.sleep(0.02)


async def sse_events(
    response: httpx.Response,
) -> AsyncIterator[tuple[str, dict, float]]:
    """(name, data, arrival time) for each event, as soon as its blank line arrives."""
    name, data = "", ""
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")
        elif not line and name:
            yield name, json.loads(data), time.monotonic()
            name, data = "", ""


async def ws_frame(socket) -> dict:
    return json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))


class TestSse:
    async def test_tokens_arrive_one_by_one_while_upstream_streams(self, api, fake):
        fake.tokens = [f" token{i}" for i in range(10)]
        fake.token_delay = 0.05
        conversation = await conversation_create(api)

        url = f"/api/assistant/conversations/{conversation}/messages"
        payload = {"content": "stream please", "stream": True}
        async with api.stream("POST", url, json=payload) as response:
            assert response.status_code == 200
            assert response.headers["content-type"] == "text/event-stream"
            events = [event async for event in sse_events(response)]

        names = [name for name, _, _ in events]
        assert names == ["start"] + ["token"] * 10 + ["done"]
        tokens = [(data["delta"], at) for name, data, at in events if name == "token"]
        assert [delta for delta, _ in tokens] == fake.tokens
        # Upstream spaces its 10 tokens 50 ms apart: had daphne or Django buffered the
        # body, they would all arrive together at the end.
        first_at, last_at = tokens[0][1], tokens[-1][1]
        assert last_at - first_at > 0.3
        done = events[-1][1]
        messages = await conversation_messages(api, conversation)
        assert [(m["role"], m["content"]) for m in messages] == [
            ("user", "stream please"),
            ("assistant", "".join(fake.tokens)),
        ]
        assert messages[-1]["id"] == done["message"]

    async def test_client_leaving_aborts_upstream_and_saves_partial(self, api, fake):
        fake.tokens = [f" t{i}" for i in range(300)]
        fake.token_delay = 0.01
        conversation = await conversation_create(api)

        url = f"/api/assistant/conversations/{conversation}/messages"
        payload = {"content": "long one", "stream": True}
        received = 0
        async with api.stream("POST", url, json=payload) as response:
            async for name, _, _ in sse_events(response):
                received += name == "token"
                if received == 3:
                    break  # leaving the block drops the connection mid-body

        await fake.wait_for(lambda: fake.aborted_streams == 1, timeout=TIMEOUT)

        async def partial_saved() -> bool:
            messages = await conversation_messages(api, conversation)
            return len(messages) == 2

        await eventually(partial_saved)
        reply = (await conversation_messages(api, conversation))[-1]
        assert reply["role"] == "assistant" and reply["status"] == "partial"
        assert reply["content"].startswith(" t0 t1 t2")
        assert len(reply["content"].split()) < 300


class TestWebSocket:
    async def test_reply_streams_in_order_then_cancel_keeps_a_partial(
        self, daphne, access, api, fake
    ):
        fake.tokens = [f" w{i}" for i in range(8)]
        fake.token_delay = 0.01
        url = daphne.ws_url(f"/ws/assistant/?token={access}")
        async with websockets.connect(
            url, origin=daphne.origin, open_timeout=TIMEOUT
        ) as socket:
            await socket.send(
                json.dumps(
                    {"type": "chat.message", "conversation": None, "content": "hola"}
                )
            )
            frames = [await ws_frame(socket)]
            while frames[-1]["type"] not in ("chat.done", "chat.error"):
                frames.append(await ws_frame(socket))

            assert [f["type"] for f in frames] == (
                ["chat.started"] + ["chat.token"] * 8 + ["chat.done"]
            )
            assert [f["delta"] for f in frames[1:-1]] == fake.tokens
            conversation = frames[0]["conversation"]
            messages = await conversation_messages(api, conversation)
            assert messages[-1]["content"] == "".join(fake.tokens)
            assert messages[-1]["id"] == frames[-1]["message"]

            fake.tokens = [f" c{i}" for i in range(300)]
            await socket.send(
                json.dumps(
                    {
                        "type": "chat.message",
                        "conversation": conversation,
                        "content": "and now a long one",
                    }
                )
            )
            assert (await ws_frame(socket))["type"] == "chat.started"
            for _ in range(3):
                assert (await ws_frame(socket))["type"] == "chat.token"
            await socket.send(
                json.dumps({"type": "chat.cancel", "conversation": conversation})
            )
            await fake.wait_for(lambda: fake.aborted_streams == 1, timeout=TIMEOUT)

        async def partial_saved() -> bool:
            return len(await conversation_messages(api, conversation)) == 4

        await eventually(partial_saved)
        reply = (await conversation_messages(api, conversation))[-1]
        assert reply["status"] == "partial"
        assert reply["content"].startswith(" c0 c1 c2")
        assert len(reply["content"].split()) < 300

    async def test_bad_token_is_closed_with_4401(self, daphne):
        url = daphne.ws_url("/ws/assistant/?token=not-a-jwt")
        async with websockets.connect(
            url, origin=daphne.origin, open_timeout=TIMEOUT
        ) as socket:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), TIMEOUT)

        assert closed.value.rcvd.code == WS_CLOSE_UNAUTHENTICATED
