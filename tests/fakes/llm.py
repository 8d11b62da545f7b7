"""An in-process LLMClient with scripted replies, after simonw/llm's MockModel.

Each call takes the next reply: a str (streamed word by word), a list of chunks
(streamed as given; an exception in the list is raised at that point of the stream),
or an exception (raised before anything is streamed).
"""

import math
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from assistant.providers.base import (
    Completion,
    CompletionOptions,
    StreamEnd,
    StreamItem,
    Turn,
    Usage,
)

Reply = str | list[str | Exception] | Exception
_WORD_CHUNK = re.compile(r"\s*\S+\s*|\s+")


@dataclass(frozen=True)
class FakeCall:
    turns: tuple[Turn, ...]
    options: CompletionOptions


class FakeLLMClient:
    provider = "fake"

    def __init__(
        self,
        replies: Sequence[Reply] = (),
        *,
        model: str = "fake-model",
        ping_error: Exception | None = None,
    ) -> None:
        self.replies = list(replies)
        self.model = model
        self.ping_error = ping_error
        self.calls: list[FakeCall] = []

    def enqueue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def complete(
        self, *, turns: Sequence[Turn], options: CompletionOptions
    ) -> Completion:
        chunks = self._next(turns, options)
        text = ""
        for chunk in chunks:
            if isinstance(chunk, Exception):
                raise chunk
            text += chunk
        return Completion(
            text=text,
            model=options.model or self.model,
            usage=_usage(turns, text),
            finish_reason="stop",
        )

    async def acomplete(
        self, *, turns: Sequence[Turn], options: CompletionOptions
    ) -> Completion:
        return self.complete(turns=turns, options=options)

    async def astream(
        self, *, turns: Sequence[Turn], options: CompletionOptions
    ) -> AsyncIterator[StreamItem]:
        chunks = self._next(turns, options)
        text = ""
        for chunk in chunks:
            if isinstance(chunk, Exception):
                raise chunk
            text += chunk
            yield chunk
        yield StreamEnd(
            model=options.model or self.model,
            usage=_usage(turns, text),
            finish_reason="stop",
        )

    async def aping(self) -> None:
        if self.ping_error is not None:
            raise self.ping_error

    def _next(
        self, turns: Sequence[Turn], options: CompletionOptions
    ) -> list[str | Exception]:
        self.calls.append(FakeCall(tuple(turns), options))
        if not self.replies:
            raise AssertionError("FakeLLMClient has no reply left for this call.")
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, str):
            return _WORD_CHUNK.findall(reply)
        return reply


def _usage(turns: Sequence[Turn], text: str) -> Usage:
    prompt = sum(len(turn.content) for turn in turns)
    return Usage(
        prompt_tokens=math.ceil(prompt / 4), completion_tokens=math.ceil(len(text) / 4)
    )
