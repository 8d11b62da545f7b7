"""Conversations and replies: prepare (one database round trip), stream, then record."""

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass, field, replace

from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from accounts.models import Company, User
from assistant.agent import agent_data_for_message
from assistant.interactions import interaction_log_create
from assistant.models import Conversation, InteractionLog, Message
from assistant.prompts import build_turns, context_budget, system_prompt, title_from
from assistant.providers import ModelInfo, get_llm_client, resolve_model
from assistant.providers.base import CompletionOptions, LLMClient, LLMError, Turn, Usage
from assistant.providers.local import LocalClient
from assistant.selectors import conversation_get, conversation_history

logger = logging.getLogger(__name__)


# --- Conversations ---------------------------------------------------------------------------


def conversation_create(
    *, company: Company, user: User, title: str = "", model: str | None = None
) -> Conversation:
    model_id = resolve_model(model).id if model else ""
    return Conversation.objects.create(
        company=company, user=user, title=title, model=model_id
    )


def conversation_update(*, conversation: Conversation, data: dict) -> Conversation:
    if "title" in data:
        conversation.title = data["title"]
    if "model" in data:
        conversation.model = resolve_model(data["model"]).id if data["model"] else ""
    conversation.save()
    return conversation


def conversation_delete(*, conversation: Conversation) -> None:
    conversation.delete()


# --- Replies ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyStarted:
    conversation: int | None
    message: int | None


@dataclass(frozen=True)
class ReplyFinished:
    conversation: int | None
    message: int | None
    text: str
    model: str
    usage: Usage


@dataclass(frozen=True)
class ReplyFailed:
    conversation: int | None
    message: int | None
    error: LLMError


ReplyEvent = ReplyStarted | str | ReplyFinished | ReplyFailed


@dataclass
class PreparedReply:
    """Everything a reply needs, gathered before the upstream call starts."""

    company: Company
    user: User
    model: ModelInfo
    turns: list[Turn]
    options: CompletionOptions
    endpoint: str
    conversation: Conversation | None = None
    user_message: Message | None = None
    llm: LLMClient | None = field(default=None, repr=False)
    data: dict | None = None  # what the agent fetched for the question

    @property
    def conversation_id(self) -> int | None:
        return self.conversation.id if self.conversation else None


def conversation_reply_prepare(
    *,
    company: Company,
    user: User,
    conversation_id: int | None,
    content: str,
    model: str | None = None,
    endpoint: str,
) -> PreparedReply:
    """Stores the user's message (opening a conversation when `conversation_id` is
    None) and builds the history to send upstream. A question about tickets,
    inventory or the inbox brings its data along (read before the transaction, so no
    database lock is held while GLPI answers)."""
    conversation = None
    if conversation_id is not None:
        conversation = conversation_get(
            company=company, user=user, conversation_id=conversation_id
        )
    model_info = resolve_model(
        model or (conversation.model if conversation else None) or None
    )
    agent = agent_data_for_message(
        company=company, user=user, content=content, provider=model_info.provider
    )
    system = system_prompt(user=user)
    if agent is not None:
        system = f"{system}\n\n{agent.system_context}"
    with transaction.atomic():
        if conversation is None:
            conversation = conversation_create(company=company, user=user, model=model)
        user_message = Message.objects.create(
            conversation=conversation, role=Message.Role.USER, content=content
        )
        if not conversation.title:
            conversation.title = title_from(content)
        conversation.save(update_fields=["title", "updated_at"])
    turns = build_turns(
        system=system,
        history=conversation_history(conversation=conversation),
        budget=context_budget(model_info.name),
    )
    return PreparedReply(
        company=company,
        user=user,
        model=model_info,
        turns=turns,
        options=CompletionOptions(model=model_info.name),
        endpoint=endpoint,
        conversation=conversation,
        user_message=user_message,
        llm=LocalClient(answer=agent.answer) if agent and agent.answer else None,
        data=agent.data if agent else None,
    )


def ask_prepare(
    *,
    company: Company,
    user: User,
    prompt: str,
    model: str | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    endpoint: str,
) -> PreparedReply:
    """A one-off question: nothing is stored but the interaction log."""
    model_info = resolve_model(model)
    turns = [
        Turn(role="system", content=system_prompt(user=user)),
        Turn("user", prompt),
    ]
    options = CompletionOptions(
        model=model_info.name, temperature=temperature, max_tokens=max_tokens
    )
    return PreparedReply(
        company=company,
        user=user,
        model=model_info,
        turns=turns,
        options=options,
        endpoint=endpoint,
    )


async def reply_stream(prepared: PreparedReply) -> AsyncIterator[ReplyEvent]:
    """Yields ReplyStarted, each text delta as it arrives, then ReplyFinished or
    ReplyFailed. A reply cut short (error, cancel, client gone) is saved as far as it
    got; the interaction log records every outcome. A reply in a conversation is saved
    before ReplyFinished, which carries its id; without one, nothing waits for the log,
    which is written after ReplyFinished."""
    user_message_id = prepared.user_message.id if prepared.user_message else None
    yield ReplyStarted(conversation=prepared.conversation_id, message=user_message_id)
    record = _ReplyRecord(started=time.perf_counter())
    try:
        llm = prepared.llm or get_llm_client(prepared.model.provider)
        upstream = llm.astream(turns=prepared.turns, options=prepared.options)
        async with aclosing(upstream):
            async for item in upstream:
                if isinstance(item, str):
                    record.add(item)
                    yield item
                else:
                    record.end(item.model, item.usage, item.finish_reason)
    except LLMError as exc:
        message_id = await _reply_record(prepared, record, error=exc)
        yield ReplyFailed(prepared.conversation_id, message_id, exc)
        return
    except (asyncio.CancelledError, GeneratorExit):
        await asyncio.shield(_reply_record(prepared, record, cancelled=True))
        raise
    finished = ReplyFinished(
        conversation=prepared.conversation_id,
        message=None,
        text=record.text,
        model=record.model or prepared.model.name,
        usage=record.usage,
    )
    if prepared.conversation is not None:
        message_id = await _reply_record(prepared, record)
        yield replace(finished, message=message_id)
        return
    try:
        yield finished
    finally:
        await asyncio.shield(_reply_record(prepared, record))


async def reply_collect(prepared: PreparedReply) -> ReplyFinished:
    """The whole reply at once; raises the provider's error after recording it."""
    async with aclosing(reply_stream(prepared)) as events:
        async for event in events:
            if isinstance(event, ReplyFailed):
                raise event.error
            if isinstance(event, ReplyFinished):
                return event
    raise AssertionError("reply_stream ended without a result")


@dataclass
class _ReplyRecord:
    started: float
    parts: list[str] = field(default_factory=list)
    first_token_at: float | None = None
    model: str = ""
    usage: Usage = field(default_factory=Usage)
    finish_reason: str = ""

    def add(self, delta: str) -> None:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        self.parts.append(delta)

    def end(self, model: str, usage: Usage, finish_reason: str | None) -> None:
        self.model, self.usage, self.finish_reason = model, usage, finish_reason or ""

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def ttft_ms(self) -> int | None:
        if self.first_token_at is None:
            return None
        return round((self.first_token_at - self.started) * 1000)


@database_sync_to_async
def _reply_record(
    prepared: PreparedReply,
    record: _ReplyRecord,
    *,
    error: LLMError | None = None,
    cancelled: bool = False,
) -> int | None:
    """Saves the assistant's message (if in a conversation) and the interaction log."""
    latency_ms = round((time.perf_counter() - record.started) * 1000)
    if error is not None:
        outcome = InteractionLog.Outcome.ERROR
    elif cancelled:
        outcome = InteractionLog.Outcome.CANCELLED
    else:
        outcome = InteractionLog.Outcome.OK
    with transaction.atomic():
        message_id = None
        if prepared.conversation is not None:
            message_id = _assistant_message_save(
                prepared, record, latency_ms, error, cancelled
            )
        interaction_log_create(
            company=prepared.company,
            user=prepared.user,
            conversation=prepared.conversation,
            provider=prepared.model.provider,
            model=record.model or prepared.model.name,
            endpoint=prepared.endpoint,
            usage=record.usage,
            latency_ms=latency_ms,
            time_to_first_token_ms=record.ttft_ms,
            outcome=outcome,
            error=error,
            turns=prepared.turns,
        )
    return message_id


def _assistant_message_save(
    prepared: PreparedReply,
    record: _ReplyRecord,
    latency_ms: int,
    error: LLMError | None,
    cancelled: bool,
) -> int:
    if error is None and not cancelled:
        status = Message.Status.COMPLETE
    else:
        status = Message.Status.PARTIAL if record.parts else Message.Status.ERROR
    message = Message.objects.create(
        conversation=prepared.conversation,
        role=Message.Role.ASSISTANT,
        content=record.text,
        status=status,
        model=record.model or prepared.model.name,
        prompt_tokens=record.usage.prompt_tokens or None,
        completion_tokens=record.usage.completion_tokens or None,
        latency_ms=latency_ms,
        time_to_first_token_ms=record.ttft_ms,
        finish_reason=record.finish_reason or ("cancelled" if cancelled else ""),
        error=error.message if error else "",
        data=prepared.data,
    )
    Conversation.objects.filter(id=prepared.conversation.id).update(
        updated_at=timezone.now()
    )
    return message.id
