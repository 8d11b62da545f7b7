"""Replies streamed token by token over SSE and WebSocket, against the fake upstream."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.test import AsyncClient

from accounts.services import tokens_for_user
from assistant.models import Conversation, InteractionLog, Message
from project.asgi import application
from tests.assistant.sse import parse_sse, read_streaming_response
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
TOKENS = ["Los", " tickets", " abiertos", " son", " 7", "."]


@pytest.fixture
async def member():
    return await database_sync_to_async(UserFactory)()


@pytest.fixture
async def conversation(member):
    return await Conversation.objects.acreate(company_id=member.company_id, user=member)


class SignedInAsyncClient:
    """Django's AsyncClient sends default headers only as WSGI-style scope keys, so
    the bearer token goes on every request."""

    def __init__(self, access: str) -> None:
        self.client = AsyncClient()
        self.authorization = {"Authorization": f"Bearer {access}"}

    async def post(self, url: str, payload: dict, **headers):
        return await self.client.post(
            url,
            payload,
            content_type="application/json",
            headers={**self.authorization, **headers},
        )


@pytest.fixture
async def http(member):
    tokens = await database_sync_to_async(tokens_for_user)(user=member)
    return SignedInAsyncClient(tokens["access"])


@pytest.fixture
async def socket(member):
    tokens = await database_sync_to_async(tokens_for_user)(user=member)
    communicator = WebsocketCommunicator(
        application,
        f"/ws/assistant/?token={tokens['access']}",
        headers=[(b"origin", b"http://localhost")],
    )
    connected, _ = await communicator.connect()
    assert connected
    yield communicator
    await communicator.disconnect()


async def eventually(check, timeout: float = 2.0) -> None:
    """Waits until the async `check()` is true: saving a cut reply happens after it."""
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.01)


async def post_stream(http, url: str, payload: dict, **headers):
    return await http.post(url, payload, **headers)


async def ws_reply(socket, **frame) -> list[dict]:
    await socket.send_json_to({"type": "chat.message", **frame})
    frames = []
    while not frames or frames[-1]["type"] not in ("chat.done", "chat.error"):
        frames.append(await socket.receive_json_from(timeout=15))
    return frames


class TestSse:
    async def test_tokens_arrive_in_order_then_done_with_usage(
        self, http, conversation, remote_llm
    ):
        remote_llm.tokens = TOKENS
        response = await post_stream(
            http,
            f"/api/assistant/conversations/{conversation.id}/messages",
            {"content": "¿cuántos?", "stream": True},
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "text/event-stream"
        assert (
            response["Cache-Control"] == "no-cache"
            and response["X-Accel-Buffering"] == "no"
        )
        events = await read_streaming_response(response)
        names = [name for name, _ in events]
        assert names == ["start"] + ["token"] * len(TOKENS) + ["done"]
        assert "".join(
            data["delta"] for name, data in events if name == "token"
        ) == "".join(TOKENS)
        start, done = events[0][1], events[-1][1]
        user_message = await Message.objects.aget(id=start["message"])
        assert (
            start["conversation"] == conversation.id
            and user_message.content == "¿cuántos?"
        )
        reply = await Message.objects.aget(id=done["message"])
        assert reply.content == "".join(TOKENS) and reply.status == "complete"
        assert (
            done["usage"]["completion_tokens"] == reply.completion_tokens == len(TOKENS)
        )
        assert reply.prompt_tokens > 0 and reply.time_to_first_token_ms is not None

    async def test_accept_header_asks_for_a_stream(
        self, http, conversation, fake_openai
    ):
        response = await post_stream(
            http,
            f"/api/assistant/conversations/{conversation.id}/messages",
            {"content": "hi"},
            Accept="text/event-stream",
        )
        assert [name for name, _ in await read_streaming_response(response)][
            -1
        ] == "done"

    async def test_upstream_cut_mid_stream_saves_partial_and_sends_error(
        self, http, conversation, remote_llm
    ):
        remote_llm.tokens, remote_llm.cut_after = TOKENS, 3
        response = await post_stream(
            http,
            f"/api/assistant/conversations/{conversation.id}/messages",
            {"content": "hi", "stream": True},
        )
        events = await read_streaming_response(response)
        assert [name for name, _ in events] == [
            "start",
            "token",
            "token",
            "token",
            "error",
        ]
        error = events[-1][1]
        assert error["code"].startswith("llm_") and error["detail"]
        partial = await Message.objects.aget(id=error["message"])
        assert partial.status == "partial" and partial.content == "".join(TOKENS[:3])
        assert len(remote_llm.chat_requests) == 1  # nothing is retried after a token
        log = await InteractionLog.objects.aget()
        assert (log.outcome, log.level) == ("error", "ERROR")

    @pytest.mark.parametrize(
        ("status", "code"),
        [(401, "llm_auth_failed"), (429, "llm_rate_limited"), (500, "llm_error")],
    )
    async def test_upstream_refusal_before_any_token_is_an_error_event(
        self, http, conversation, fake_openai, status, code
    ):
        fake_openai.fail_next(status, times=10)
        response = await post_stream(
            http,
            f"/api/assistant/conversations/{conversation.id}/messages",
            {"content": "hi", "stream": True},
        )
        events = await read_streaming_response(response)
        assert [name for name, _ in events] == ["start", "error"]
        assert events[-1][1]["code"] == code
        assert "sk-test" not in str(events)
        failed = await Message.objects.aget(id=events[-1][1]["message"])
        assert failed.status == "error" and failed.content == ""

    async def test_client_going_away_stops_upstream_and_saves_partial(
        self, http, conversation, fake_openai
    ):
        fake_openai.tokens = [f" t{i}" for i in range(200)]
        fake_openai.token_delay = 0.01
        response = await post_stream(
            http,
            f"/api/assistant/conversations/{conversation.id}/messages",
            {"content": "hi", "stream": True},
        )
        received = []

        async def consume() -> None:
            async for chunk in response.streaming_content:
                received.append(chunk)

        # As Django's ASGI handler does when the client disconnects: cancel the
        # task that is writing the response.
        reader = asyncio.create_task(consume())
        await fake_openai.wait_for(lambda: len(received) >= 4)
        reader.cancel()
        await fake_openai.wait_for(lambda: fake_openai.aborted_streams == 1)
        await eventually(InteractionLog.objects.aexists)
        partial = await Message.objects.aget(
            conversation=conversation, role="assistant"
        )
        assert partial.status == "partial"
        assert partial.content.startswith(" t0 t1 t2")
        assert len(partial.content.split()) < 200
        assert parse_sse(received[0])[0][1]["message"] < partial.id
        assert (await InteractionLog.objects.aget()).outcome == "cancelled"

    async def test_ask_streams_without_storing_messages(self, http, member, remote_llm):
        remote_llm.tokens = TOKENS
        response = await post_stream(
            http, "/api/assistant/ask", {"prompt": "hola", "stream": True}
        )
        events = await read_streaming_response(response)
        assert events[0] == ("start", {"conversation": None, "message": None})
        assert "".join(d["delta"] for n, d in events if n == "token") == "".join(TOKENS)
        assert events[-1][1]["message"] is None
        assert not await Message.objects.aexists()
        assert (await InteractionLog.objects.aget()).endpoint == "ask.sse"

    async def test_bad_input_before_the_stream_is_a_plain_400(
        self, http, conversation, fake_openai
    ):
        response = await post_stream(
            http,
            f"/api/assistant/conversations/{conversation.id}/messages",
            {"content": "", "stream": True},
            Accept="text/event-stream",
        )
        assert response.status_code == 400
        assert parse_sse(response.content)[0][0] == "error"


class TestJsonAgainstUpstream:
    async def test_ask_json(self, http, member, remote_llm):
        remote_llm.tokens = TOKENS
        response = await http.post(
            "/api/assistant/ask",
            {"prompt": "hola", "temperature": 0.2, "max_tokens": 50},
        )
        assert response.status_code == 200
        body = response.json()
        assert body["response"] == "".join(TOKENS)
        assert body["tokens_used"] > len(TOKENS) and body["model"]
        sent = remote_llm.chat_requests[-1].body
        assert sent["temperature"] == 0.2 and sent["max_tokens"] == 50
        assert (
            sent["messages"][0]["role"] == "system"
            and sent["messages"][-1]["content"] == "hola"
        )

    @pytest.mark.parametrize(
        ("status", "expected"), [(401, 502), (429, 503), (503, 503), (500, 502)]
    )
    async def test_upstream_failures_map_to_gateway_errors_and_keep_the_question(
        self, http, conversation, fake_openai, status, expected
    ):
        fake_openai.fail_next(status, times=10)
        response = await http.post(
            f"/api/assistant/conversations/{conversation.id}/messages",
            {"content": "keep me"},
        )
        assert response.status_code == expected
        assert response.json()["detail"] and "sk-test" not in response.content.decode()
        assert await Message.objects.filter(
            conversation=conversation, content="keep me"
        ).aexists()

    async def test_slow_upstream_times_out_with_504(
        self, http, conversation, fake_openai, settings
    ):
        settings.LLM_READ_TIMEOUT_SECONDS = 0.2
        settings.LLM_MAX_RETRIES = 0
        fake_openai.hang = True
        response = await http.post(
            f"/api/assistant/conversations/{conversation.id}/messages",
            {"content": "hi"},
        )
        assert response.status_code == 504
        assert response.json()["code"] == "llm_timeout"

    async def test_history_is_sent_and_trimmed_to_the_budget(
        self, http, conversation, fake_openai, settings
    ):
        settings.LLM_CONTEXT_TOKENS = 200
        for i in range(40):
            await Message.objects.acreate(
                conversation=conversation,
                role="user" if i % 2 == 0 else "assistant",
                content=f"message {i} " + "x" * 40,
            )
        await http.post(
            f"/api/assistant/conversations/{conversation.id}/messages",
            {"content": "latest"},
        )
        sent = fake_openai.chat_requests[-1].body["messages"]
        assert sent[0]["role"] == "system" and sent[-1]["content"] == "latest"
        assert 2 < len(sent) < 40
        assert "message 39" in sent[-2]["content"]


class TestWebSocket:
    async def test_new_conversation_streams_in_order(self, socket, member, remote_llm):
        remote_llm.tokens = TOKENS
        frames = await ws_reply(socket, conversation=None, content="¿cuántos tickets?")
        assert [f["type"] for f in frames] == ["chat.started"] + ["chat.token"] * len(
            TOKENS
        ) + ["chat.done"]
        assert "".join(
            f["delta"] for f in frames if f["type"] == "chat.token"
        ) == "".join(TOKENS)
        conversation = await Conversation.objects.aget(user=member)
        assert all(f["conversation"] == conversation.id for f in frames)
        assert conversation.title == "¿cuántos tickets?"
        reply = await Message.objects.aget(id=frames[-1]["message"])
        assert reply.content == "".join(TOKENS) and frames[-1]["usage"][
            "completion_tokens"
        ] == len(TOKENS)

    async def test_cancel_stops_upstream_and_saves_partial(
        self, socket, conversation, fake_openai
    ):
        fake_openai.tokens = [f" t{i}" for i in range(300)]
        fake_openai.token_delay = 0.01
        await socket.send_json_to(
            {"type": "chat.message", "conversation": conversation.id, "content": "long"}
        )
        for _ in range(4):
            await socket.receive_json_from(timeout=15)
        await socket.send_json_to(
            {"type": "chat.cancel", "conversation": conversation.id}
        )
        await fake_openai.wait_for(lambda: fake_openai.aborted_streams == 1)
        await asyncio.sleep(0.05)
        partial = await Message.objects.aget(
            conversation=conversation, role="assistant"
        )
        assert partial.status == "partial" and 0 < len(partial.content.split()) < 300
        log = await InteractionLog.objects.aget()
        assert log.outcome == "cancelled" and log.endpoint == "conversation.ws"

    async def test_two_conversations_over_one_socket(self, socket, member, fake_openai):
        fake_openai.tokens = [f" {i}" for i in range(20)]
        fake_openai.token_delay = 0.005
        first = await Conversation.objects.acreate(
            company_id=member.company_id, user=member
        )
        second = await Conversation.objects.acreate(
            company_id=member.company_id, user=member
        )
        for conversation in (first, second):
            await socket.send_json_to(
                {
                    "type": "chat.message",
                    "conversation": conversation.id,
                    "content": "go",
                }
            )
        done, deltas = set(), {first.id: [], second.id: []}
        while len(done) < 2:
            frame = await socket.receive_json_from(timeout=15)
            if frame["type"] == "chat.token":
                deltas[frame["conversation"]].append(frame["delta"])
            elif frame["type"] == "chat.done":
                done.add(frame["conversation"])
        assert deltas[first.id] == deltas[second.id] == fake_openai.tokens

    async def test_one_reply_at_a_time_per_conversation(
        self, socket, conversation, fake_openai
    ):
        fake_openai.tokens = [" a"] * 50
        fake_openai.token_delay = 0.01
        message = {
            "type": "chat.message",
            "conversation": conversation.id,
            "content": "x",
        }
        await socket.send_json_to(message)
        await socket.send_json_to(message)
        frames = [await socket.receive_json_from(timeout=15) for _ in range(5)]
        busy = [f for f in frames if f["type"] == "chat.error"]
        assert busy and busy[0]["code"] == "busy"

    @pytest.mark.parametrize(
        "frame",
        [
            {"type": "chat.message", "content": ""},
            {"type": "chat.message"},
            {"type": "nope"},
            {"type": "chat.message", "content": "x", "conversation": "abc"},
        ],
    )
    async def test_bad_frames_get_an_error_and_the_socket_stays_open(
        self, socket, frame, fake_openai
    ):
        await socket.send_json_to(frame)
        error = await socket.receive_json_from(timeout=2)
        assert error["type"] == "chat.error" and error["code"] == "invalid"
        assert len(await ws_reply(socket, content="still here")) > 2

    async def test_not_json_is_an_error_frame(self, socket):
        await socket.send_to(text_data="{oops")
        assert (await socket.receive_json_from(timeout=2))["code"] == "invalid"

    async def test_other_companys_conversation_is_not_found(self, socket, fake_openai):
        stranger = await database_sync_to_async(UserFactory)(
            company=await database_sync_to_async(CompanyFactory)()
        )
        theirs = await Conversation.objects.acreate(
            company_id=stranger.company_id, user=stranger
        )
        frames = await ws_reply(socket, conversation=theirs.id, content="peek")
        assert frames == [
            {
                "type": "chat.error",
                "conversation": theirs.id,
                "code": "not_found",
                "detail": "Conversation not found.",
            }
        ]
        assert not await Message.objects.filter(conversation=theirs).aexists()

    async def test_anonymous_is_closed_4401(self, db):
        communicator = WebsocketCommunicator(
            application, "/ws/assistant/", headers=[(b"origin", b"http://localhost")]
        )
        await communicator.connect()
        assert (await communicator.receive_output(timeout=1))["code"] == 4401

    async def test_user_without_assistant_permission_is_closed_4403(self):
        user = await database_sync_to_async(UserFactory)(role=None)
        tokens = await database_sync_to_async(tokens_for_user)(user=user)
        communicator = WebsocketCommunicator(
            application,
            f"/ws/assistant/?token={tokens['access']}",
            headers=[(b"origin", b"http://localhost")],
        )
        await communicator.connect()
        assert (await communicator.receive_output(timeout=1))["code"] == 4403


class TestStatus:
    async def test_status_reports_whether_the_provider_answers(self, fake_openai):
        client = AsyncClient()
        llm = (await client.get("/api/status")).json()["llm"]
        assert llm == {"provider": "openai", "connected": True}
        await cache.adelete("status:llm:openai")  # checked at most every 30 s
        fake_openai.fail_next(401)
        llm = (await client.get("/api/status")).json()["llm"]
        assert llm["connected"] is False and "key" in llm["error"]
        assert "sk-test" not in llm["error"]


class TestUnconfiguredProvider:
    async def test_missing_key_is_an_error_event_not_a_crash(
        self, http, conversation, settings
    ):
        settings.LLM_PROVIDER, settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL = (
            "openai",
            "",
            "",
        )
        response = await post_stream(
            http,
            f"/api/assistant/conversations/{conversation.id}/messages",
            {"content": "hi", "stream": True},
        )
        events = await read_streaming_response(response)
        assert [name for name, _ in events] == ["start", "error"]
        assert events[-1][1]["code"] == "llm_auth_failed"
