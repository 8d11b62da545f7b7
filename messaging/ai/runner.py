"""One AI call on a chat: the default model (the offline heuristics when that is the
`local` provider), one interaction log row per call, and one retry with the problem
explained when the model's reply is unusable."""

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from accounts.models import User
from assistant.interactions import interaction_log_create
from assistant.models import InteractionLog
from assistant.providers import get_llm_client, resolve_model
from assistant.providers.base import (
    CompletionOptions,
    LLMClient,
    LLMError,
    Turn,
    Usage,
)
from assistant.providers.local import MODEL as LOCAL_MODEL
from assistant.providers.local import estimate_tokens
from messaging.ai.errors import ChatAIReplyInvalid
from messaging.ai.prompts import retry_turn
from messaging.ai.results import InvalidReply
from messaging.models import Chat

T = TypeVar("T")
TEMPERATURE = 0.2
ATTEMPTS = 2  # the first reply, and one retry when it is unusable
ECHOED_REPLY_CHARS = 2000


@dataclass(frozen=True)
class Generated(Generic[T]):
    value: T
    model: str  # "provider:model"


@dataclass(frozen=True)
class AICall(Generic[T]):
    """What to ask: the turns for a model, how to read its reply, and the offline
    answer when the default model is the `local` one."""

    endpoint: str
    turns: list[Turn]
    parse: Callable[[str], T]
    local: Callable[[], T]
    json_mode: bool = False


def ai_run(
    call: AICall[T], *, chat: Chat, user: User | None, llm: LLMClient | None = None
) -> Generated[T]:
    """The parsed reply; raises the provider's LLMError, or ChatAIReplyInvalid when
    the reply is unusable twice."""
    model = resolve_model(None)
    llm = llm or get_llm_client(model.provider)
    if llm.provider == "local":
        return _run_local(call, chat=chat, user=user)
    log = _Log(call=call, chat=chat, user=user, provider=llm.provider)
    options = CompletionOptions(
        model=model.name, temperature=TEMPERATURE, json_mode=call.json_mode
    )
    turns = list(call.turns)
    for attempt in range(1, ATTEMPTS + 1):
        started = time.perf_counter()
        try:
            completion = llm.complete(turns=turns, options=options)
        except LLMError as exc:
            log.write(model=model.name, started=started, turns=turns, error=exc)
            raise
        done = {"model": completion.model, "started": started, "turns": turns}
        try:
            value = call.parse(completion.text)
        except InvalidReply as problem:
            error = ChatAIReplyInvalid(f"The model's reply was unusable: {problem}.")
            log.write(**done, usage=completion.usage, error=error)
            if attempt == ATTEMPTS:
                raise error from None
            echoed = Turn("assistant", completion.text[:ECHOED_REPLY_CHARS])
            turns = [*turns, echoed, retry_turn(str(problem), json_mode=call.json_mode)]
            continue
        log.write(**done, usage=completion.usage)
        return Generated(value, f"{llm.provider}:{completion.model}")
    raise AssertionError("unreachable: the last attempt returns or raises")


def _run_local(call: AICall[T], *, chat: Chat, user: User | None) -> Generated[T]:
    started = time.perf_counter()
    value = call.local()
    written = value if isinstance(value, str) else _as_json(value)
    usage = Usage(
        prompt_tokens=estimate_tokens("".join(turn.content for turn in call.turns)),
        completion_tokens=estimate_tokens(written),
    )
    log = _Log(call=call, chat=chat, user=user, provider="local")
    log.write(model=LOCAL_MODEL, started=started, turns=call.turns, usage=usage)
    return Generated(value, f"local:{LOCAL_MODEL}")


def _as_json(value: object) -> str:
    data = dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value
    return json.dumps(data, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class _Log:
    """Writes the interaction log rows of one AI call on a chat."""

    call: AICall
    chat: Chat
    user: User | None
    provider: str

    def write(
        self,
        *,
        model: str,
        started: float,
        turns: list[Turn],
        usage: Usage | None = None,
        error: LLMError | None = None,
    ) -> None:
        outcome = InteractionLog.Outcome.ERROR if error else InteractionLog.Outcome.OK
        interaction_log_create(
            company=self.chat.company,
            user=self.user,
            provider=self.provider,
            model=model,
            endpoint=self.call.endpoint,
            usage=usage or Usage(),
            latency_ms=round((time.perf_counter() - started) * 1000),
            outcome=outcome,
            error=error,
            turns=turns,
        )
