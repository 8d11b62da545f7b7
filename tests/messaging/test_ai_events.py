"""AI results reach the inbox sockets of the chat's company, and no other; a failure
is pushed too, so that clients stop waiting."""

import pytest
from channels.db import database_sync_to_async

from messaging.ai.serializers import (
    ChatInsightOutputSerializer,
    ChatSummaryOutputSerializer,
)
from messaging.models import ChatInsight, ChatSummary
from messaging.tasks import chat_insight_generate_task, chat_summary_generate_task
from tests.fakes.openai_server import fake_llm, fake_openai  # noqa: F401
from tests.messaging.ai_helpers import (  # noqa: F401 (fixture)
    COMPLAINT_ES,
    chat_with,
)
from tests.messaging.test_inbox_events import inbox_socket

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def make_chat(company):
    return chat_with(COMPLAINT_ES, company=company)


@database_sync_to_async
def run(task, chat_id: int) -> None:
    # No test transaction here: on-commit events are sent as the task commits.
    task.delay(chat_id)


@database_sync_to_async
def as_data(model, serializer) -> dict:
    return dict(serializer(model.objects.get()).data)


async def test_insights_reach_their_company_only(user, other_user, settings):
    settings.LLM_PROVIDER = "local"
    chat = await make_chat(user.company)
    own, other = await inbox_socket(user), await inbox_socket(other_user)
    try:
        await run(chat_insight_generate_task, chat.id)

        event = await own.receive_json_from(timeout=2)
        data = await as_data(ChatInsight, ChatInsightOutputSerializer)
        assert event == {"type": "insights.ready", "chat": chat.id, **data}
        assert event["sentiment"] == "negative"
        assert await other.receive_nothing(timeout=0.2)
    finally:
        await own.disconnect()
        await other.disconnect()


async def test_a_summary_is_pushed_even_when_nothing_changed(user, settings):
    settings.LLM_PROVIDER = "local"
    chat = await make_chat(user.company)
    socket = await inbox_socket(user)
    try:
        await run(chat_summary_generate_task, chat.id)
        await run(chat_summary_generate_task, chat.id)

        first = await socket.receive_json_from(timeout=2)
        second = await socket.receive_json_from(timeout=2)
        data = await as_data(ChatSummary, ChatSummaryOutputSerializer)
        assert first == second == {"type": "summary.ready", "chat": chat.id, **data}
        assert data["message_count"] == 4
    finally:
        await socket.disconnect()


async def test_an_unusable_reply_twice_is_pushed_as_a_failure(
    user,
    other_user,
    fake_openai,  # noqa: F811
):
    fake_openai.json_reply = {"sentiment": "furious"}
    chat = await make_chat(user.company)
    own, other = await inbox_socket(user), await inbox_socket(other_user)
    try:
        await run(chat_insight_generate_task, chat.id)

        event = await own.receive_json_from(timeout=2)
        assert event["type"] == "insights.failed"
        assert event["chat"] == chat.id
        assert event["code"] == "llm_invalid_reply"
        assert "sentiment must be one of" in event["detail"]
        assert len(fake_openai.chat_requests) == 2  # retried once, not more
        assert await own.receive_nothing(timeout=0.2)
        assert await other.receive_nothing(timeout=0.2)
    finally:
        await own.disconnect()
        await other.disconnect()


async def test_a_failure_is_pushed_once_after_the_last_retry(
    user,
    fake_openai,  # noqa: F811
):
    fake_openai.fail_next(503, times=12)  # 4 attempts, each retried twice by the SDK
    chat = await make_chat(user.company)
    socket = await inbox_socket(user)
    try:
        await run(chat_insight_generate_task, chat.id)

        event = await socket.receive_json_from(timeout=2)
        assert (event["type"], event["code"]) == ("insights.failed", "llm_unavailable")
        assert len(fake_openai.chat_requests) == 12
        assert await socket.receive_nothing(timeout=0.2)
    finally:
        await socket.disconnect()
