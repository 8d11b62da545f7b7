"""The built-in offline provider, and the in-process fake used by service tests."""

import json
import math

import pytest

from assistant.providers import get_llm_client
from assistant.providers.base import (
    CompletionOptions,
    LLMError,
    LLMTimeout,
    StreamEnd,
    Turn,
    Usage,
)
from tests.fakes.llm import FakeLLMClient

OPTIONS = CompletionOptions(model="local")


@pytest.fixture(autouse=True)
def local_settings(settings):
    settings.LLM_PROVIDER = "local"
    # Pointing nowhere: the local provider must not touch the network.
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"
    settings.OPENAI_API_KEY = "sk-unused"


def ask(question: str, options: CompletionOptions = OPTIONS) -> str:
    turns = [Turn("system", "Be brief."), Turn("user", question)]
    return get_llm_client().complete(turns=turns, options=options).text


def test_the_same_question_gets_the_same_answer():
    assert ask("What is the capital of France?") == ask(
        "What is the capital of France?"
    )


def test_it_explains_itself_and_how_to_configure_a_model_in_english():
    answer = ask("What is the capital of France?")

    assert answer.startswith("I'm Mostrador's built-in offline assistant.")
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "GROQ_API_KEY", "LLM_PROVIDER"):
        assert name in answer
    assert "helpdesk tickets" in answer and "inventory" in answer and "inbox" in answer


@pytest.mark.parametrize(
    "question",
    ["¿Cuál es la capital de Francia?", "hola", "que tiempo hace mañana", "Cómo va"],
)
def test_it_answers_in_spanish_when_asked_in_spanish(question):
    answer = ask(question)

    assert answer.startswith("Soy el asistente integrado de Mostrador")
    assert "OPENAI_API_KEY" in answer and "GROQ_API_KEY" in answer


def test_it_answers_the_last_user_message():
    turns = [
        Turn("user", "Hola"),
        Turn("assistant", "Hola, ¿en qué te ayudo?"),
        Turn("user", "Tell me a joke"),
    ]

    answer = get_llm_client().complete(turns=turns, options=OPTIONS).text

    assert answer.startswith("I'm Mostrador's")


async def test_the_stream_is_word_chunks_of_the_same_answer():
    client = get_llm_client()
    turns = [Turn("user", "Summarise the news")]

    items = [item async for item in client.astream(turns=turns, options=OPTIONS)]
    completion = await client.acomplete(turns=turns, options=OPTIONS)

    *deltas, end = items
    assert len(deltas) > 10
    assert all(deltas)
    assert "".join(deltas) == completion.text
    assert end == StreamEnd(
        model="local",
        usage=Usage(
            prompt_tokens=5, completion_tokens=math.ceil(len(completion.text) / 4)
        ),
        finish_reason="stop",
    )
    assert completion.usage == end.usage
    assert completion.model == "local"


def test_json_mode_returns_a_json_object():
    answer = json.loads(
        ask("¿Qué hora es?", CompletionOptions("local", json_mode=True))
    )

    assert answer["needs_model"] is True
    assert answer["answer"].startswith("Soy el asistente")


async def test_ping_always_answers():
    await get_llm_client().aping()
    assert get_llm_client().provider == "local"


# --- FakeLLMClient -------------------------------------------------------------------


async def test_the_fake_client_plays_its_script_in_order():
    fake = FakeLLMClient(replies=["Hola mundo", ["a", "b"], LLMTimeout("slow")])
    turns = [Turn("user", "hi")]

    first = [item async for item in fake.astream(turns=turns, options=OPTIONS)]
    second = await fake.acomplete(turns=turns, options=OPTIONS)
    with pytest.raises(LLMTimeout):
        fake.complete(turns=turns, options=OPTIONS)

    assert first[:-1] == ["Hola ", "mundo"]
    assert isinstance(first[-1], StreamEnd)
    assert second.text == "ab"
    assert [call.turns for call in fake.calls] == [tuple(turns)] * 3


async def test_the_fake_client_can_fail_mid_stream():
    fake = FakeLLMClient(replies=[["Hola", " mun", LLMError("cut")]])
    deltas = []

    with pytest.raises(LLMError, match="cut"):
        async for item in fake.astream(turns=[Turn("user", "hi")], options=OPTIONS):
            deltas.append(item)

    assert deltas == ["Hola", " mun"]
