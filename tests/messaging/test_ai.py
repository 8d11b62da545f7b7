"""AI on inbox chats with a remote model (the fake OpenAI server, or scripted
replies): validation, one retry, idempotency, logs, and the Celery tasks."""

import json

import pytest

from assistant.models import InteractionLog
from assistant.providers.base import LLMUnavailable
from messaging.ai.errors import RETRYABLE_LLM_ERRORS, ChatAIReplyInvalid
from messaging.ai.services import chat_insight_generate, chat_summary_generate
from messaging.models import ChatInsight
from messaging.tasks import chat_insight_generate_task, chat_summary_generate_task
from tests.fakes.glpi_server import APP_TOKEN, USER_TOKEN, fake_glpi  # noqa: F401
from tests.fakes.llm import FakeLLMClient
from tests.fakes.openai_server import fake_llm, fake_openai  # noqa: F401
from tests.messaging.ai_helpers import (  # noqa: F401 (fixture)
    COMPLAINT_ES,
    chat_with,
    say,
)

pytestmark = pytest.mark.django_db

INSIGHT = {
    "sentiment": "negative",
    "sentiment_score": 0.1,
    "intents": ["complaint", "cancellation"],
    "entities": [
        {"type": "order", "value": "#4521"},
        {"type": "amount", "value": "59,90 €"},
    ],
    "suggested_actions": ["Escalar a un supervisor"],
    "suggested_replies": ["Hola Ana, lo sentimos mucho."],
    "churn_risk": 0.8,
}


@pytest.fixture
def chat(company):
    return chat_with(COMPLAINT_ES, company=company)


# --- The model's replies --------------------------------------------------------------


def test_a_valid_json_reply_is_stored(chat, fake_openai):  # noqa: F811
    fake_openai.json_reply = INSIGHT

    insight = chat_insight_generate(chat=chat)

    assert insight.sentiment == "negative" and insight.sentiment_score == 0.1
    assert insight.intents == ["complaint", "cancellation"]
    assert insight.entities == INSIGHT["entities"]
    assert insight.suggested_replies == ["Hola Ana, lo sentimos mucho."]
    assert insight.churn_risk == 0.8
    assert insight.model.startswith("openai:")
    assert insight.up_to_message_id == chat.messages.order_by("id").last().id
    (request,) = fake_openai.chat_requests
    assert request.body["response_format"] == {"type": "json_object"}
    prompt = request.body["messages"][1]["content"]
    assert "Customer: Quiero cancelar" in prompt and "Agent: Hola Ana" in prompt
    log = InteractionLog.objects.get()
    assert (log.provider, log.endpoint, log.outcome) == (
        "openai",
        "chat.insights",
        "ok",
    )


def test_an_invalid_reply_is_retried_once_with_the_problem_explained(chat):
    fake = FakeLLMClient(['{"sentiment": "furious"}', json.dumps(INSIGHT)])

    insight = chat_insight_generate(chat=chat, llm=fake)

    assert insight.churn_risk == 0.8
    assert len(fake.calls) == 2
    retry = fake.calls[1].turns
    assert retry[-2].content == '{"sentiment": "furious"}'
    assert (
        "sentiment must be one of positive, neutral, negative, mixed"
        in retry[-1].content
    )
    outcomes = InteractionLog.objects.order_by("id").values_list("outcome", flat=True)
    assert list(outcomes) == ["error", "ok"]


@pytest.mark.parametrize(
    "reply",
    [
        "not json at all",
        "[1, 2]",
        json.dumps({**INSIGHT, "sentiment_score": 1.5}),
        json.dumps({**INSIGHT, "intents": ["refund"]}),
        json.dumps({**INSIGHT, "entities": [{"type": "iban", "value": "ES12"}]}),
        json.dumps({**INSIGHT, "suggested_replies": []}),
        json.dumps({**INSIGHT, "suggested_replies": ["a", "b", "c", "d"]}),
        json.dumps({**INSIGHT, "churn_risk": "high"}),
    ],
)
def test_an_invalid_reply_twice_is_a_clear_error(chat, reply):
    fake = FakeLLMClient([reply, reply])

    with pytest.raises(ChatAIReplyInvalid) as raised:
        chat_insight_generate(chat=chat, llm=fake)

    assert raised.value.code == "llm_invalid_reply"
    assert raised.value.message.startswith("The model's reply was unusable: ")
    assert not ChatInsight.objects.exists()
    assert InteractionLog.objects.filter(outcome="error").count() == 2


def test_nothing_new_means_no_second_model_call(chat, fake_openai):  # noqa: F811
    fake_openai.json_reply = INSIGHT
    fake_openai.tokens = ["Ana reclama ", "el pedido #4521."]

    first = chat_insight_generate(chat=chat)
    again = chat_insight_generate(chat=chat)
    summary = chat_summary_generate(chat=chat)
    summary_again = chat_summary_generate(chat=chat)

    assert again == first and summary_again == summary
    assert summary.summary == "Ana reclama el pedido #4521."
    assert len(fake_openai.chat_requests) == 2
    newest = say(chat, "¿Alguna novedad?")
    newer = chat_insight_generate(chat=chat)
    assert newer != first and newer.up_to_message_id == newest.id
    assert len(fake_openai.chat_requests) == 3
    assert InteractionLog.objects.count() == 3


def test_an_unavailable_model_raises_and_is_logged(chat, fake_openai):  # noqa: F811
    fake_openai.fail_next(503, times=3)  # the SDK's own two retries fail as well

    with pytest.raises(LLMUnavailable):
        chat_insight_generate(chat=chat)

    log = InteractionLog.objects.get()
    assert (log.outcome, log.level) == ("error", "ERROR")
    assert not ChatInsight.objects.exists()


# --- Tasks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "task", [chat_insight_generate_task, chat_summary_generate_task]
)
def test_tasks_retry_only_passing_upstream_trouble(task):
    assert task.autoretry_for == RETRYABLE_LLM_ERRORS
    assert task.max_retries == 3
    assert task.retry_backoff is True and task.retry_jitter is True
    assert task.acks_late is True


def test_the_task_retries_an_unavailable_model(chat, fake_openai):  # noqa: F811
    fake_openai.json_reply = INSIGHT
    fake_openai.fail_next(503, times=3)  # the whole first attempt

    result = chat_insight_generate_task.delay(chat.id)

    assert result.successful()
    assert ChatInsight.objects.get().churn_risk == 0.8
    assert len(fake_openai.chat_requests) == 4


def test_the_task_gives_up_after_three_retries(chat, fake_openai):  # noqa: F811
    fake_openai.fail_next(503, times=12)

    result = chat_insight_generate_task.delay(chat.id)

    assert result.failed() and isinstance(result.result, LLMUnavailable)
    assert len(fake_openai.chat_requests) == 12  # 4 attempts, each retried by the SDK
    assert not ChatInsight.objects.exists()


def test_a_vanished_chat_is_skipped():
    assert chat_insight_generate_task.delay(999_999).get() is None
    assert chat_summary_generate_task.delay(999_999).get() is None
