"""The built-in offline provider: deterministic answers, no network, no API key."""

import json
import math
import re
from collections.abc import AsyncIterator, Sequence

from assistant.providers.base import (
    Completion,
    CompletionOptions,
    StreamEnd,
    StreamItem,
    Turn,
    Usage,
)

MODEL = "local"

_SPANISH_LETTERS = re.compile(r"[¿¡ñáéíóú]", re.IGNORECASE)
_SPANISH_WORDS = re.compile(
    r"\b(qué|que|cómo|como|cuántos|cuantos|cuántas|cuantas|cuál|cual|dónde|donde|"
    r"hola|hay|tengo|puedes|gracias|buenos|buenas|por favor)\b",
    re.IGNORECASE,
)
# A word with the spaces after it, so the chunks join back into the text exactly.
_WORD_CHUNK = re.compile(r"\s*\S+\s*")

ANSWER_EN = (
    "I'm Mostrador's built-in offline assistant. To answer general questions I need "
    "a language model: set OPENAI_API_KEY (or OPENAI_BASE_URL for an "
    "OpenAI-compatible server such as Ollama) or GROQ_API_KEY, and choose it with "
    "LLM_PROVIDER. Offline I can already answer questions about your helpdesk "
    "tickets, your inventory and the inbox, such as how many tickets are open or "
    "which chats are waiting for a reply."
)
ANSWER_ES = (
    "Soy el asistente integrado de Mostrador y funciono sin conexión. Para responder "
    "preguntas generales necesito un modelo de lenguaje: configura OPENAI_API_KEY (u "
    "OPENAI_BASE_URL para un servidor compatible con OpenAI, como Ollama) o "
    "GROQ_API_KEY, y elígelo con LLM_PROVIDER. Sin conexión ya puedo responder "
    "preguntas sobre tus tickets de soporte, tu inventario y la bandeja de entrada, "
    "como cuántos tickets hay abiertos o qué chats esperan respuesta."
)


def looks_spanish(text: str) -> bool:
    return bool(_SPANISH_LETTERS.search(text) or _SPANISH_WORDS.search(text))


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


class LocalClient:
    """Answers general questions by saying a model is needed; given `answer` (the
    helpdesk agent's templated reply built from real data), streams that instead."""

    provider = "local"

    def __init__(self, answer: str | None = None) -> None:
        self.answer = answer

    def complete(
        self, *, turns: Sequence[Turn], options: CompletionOptions
    ) -> Completion:
        text = self._answer(turns, options)
        return Completion(
            text=text,
            model=MODEL,
            usage=self._usage(turns, text),
            finish_reason="stop",
        )

    async def acomplete(
        self, *, turns: Sequence[Turn], options: CompletionOptions
    ) -> Completion:
        return self.complete(turns=turns, options=options)

    async def astream(
        self, *, turns: Sequence[Turn], options: CompletionOptions
    ) -> AsyncIterator[StreamItem]:
        text = self._answer(turns, options)
        for chunk in _WORD_CHUNK.findall(text):
            yield chunk
        yield StreamEnd(
            model=MODEL, usage=self._usage(turns, text), finish_reason="stop"
        )

    async def aping(self) -> None:
        return None

    def _answer(self, turns: Sequence[Turn], options: CompletionOptions) -> str:
        question = next((t.content for t in reversed(turns) if t.role == "user"), "")
        answer = self.answer or (ANSWER_ES if looks_spanish(question) else ANSWER_EN)
        if options.json_mode:
            return json.dumps(
                {"answer": answer, "needs_model": True}, ensure_ascii=False
            )
        return answer

    def _usage(self, turns: Sequence[Turn], text: str) -> Usage:
        prompt = sum(len(t.content) for t in turns)
        return Usage(
            prompt_tokens=math.ceil(prompt / 4), completion_tokens=estimate_tokens(text)
        )
