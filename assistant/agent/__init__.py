"""The helpdesk agent: understand the question, fetch the data it needs from GLPI or
the inbox, and answer from that data (templated offline, written by the model
otherwise)."""

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from accounts.models import Company, User
from assistant.agent import answers
from assistant.agent.actions import ACTIONS, run_action
from assistant.agent.intents import (
    HELPDESK_INTENTS,
    INBOX_INTENTS,
    MIN_CONFIDENCE,
    Intent,
    detect_intent,
)
from assistant.agent.llm import data_context, llm_answer, llm_intent
from assistant.interactions import interaction_log_create
from assistant.models import InteractionLog
from assistant.providers import get_llm_client, resolve_model
from assistant.providers.base import CompletionOptions, LLMClient, LLMError, Turn, Usage
from project.errors import ExternalServiceError, error_payload

logger = logging.getLogger(__name__)

SOURCES = ("auto", "helpdesk", "inbox", "general")
ENDPOINT = "agent.query"


@dataclass(frozen=True)
class AgentAnswer:
    success: bool
    message: str
    data: dict[str, Any] = field(default_factory=dict)
    intention: str = "consulta_general"
    confidence: float = 0.0


@dataclass(frozen=True)
class AgentData:
    """What the agent found for a conversation message: the data, and the answer
    itself when no language model is there to write one."""

    intent: Intent
    data: dict[str, Any]
    answer: str | None
    system_context: str


def agent_query(
    *,
    company: Company,
    user: User,
    query: str,
    source: str = "auto",
    llm: LLMClient | None = None,
) -> AgentAnswer:
    model = resolve_model(None)
    llm = llm or get_llm_client(model.provider)
    intent = _understand(
        query, source=source, llm=llm, model=model.name, company=company, user=user
    )
    if intent.confidence < MIN_CONFIDENCE:
        return AgentAnswer(
            True,
            answers.low_confidence(intent.language),
            {},
            "low_confidence",
            intent.confidence,
        )
    if intent.name not in ACTIONS:
        message = _general_answer(
            query, intent, llm=llm, model=model.name, company=company, user=user
        )
        return AgentAnswer(True, message, {}, intent.name, intent.confidence)
    try:
        data = run_action(intent, company=company, user=user)
    except ExternalServiceError as exc:
        message = answers.source_failed(intent.language, exc.message)
        return AgentAnswer(
            False,
            message,
            {"error": error_payload(exc)},
            intent.name,
            intent.confidence,
        )
    message = _write(
        query, intent, data, llm=llm, model=model.name, company=company, user=user
    )
    return AgentAnswer(True, message, data, intent.name, intent.confidence)


def agent_data_for_message(
    *, company: Company, user: User, content: str, provider: str
) -> AgentData | None:
    """The data a conversation message asks about (tickets, inventory, inbox), or None
    for general questions. Routing is by rules so that no extra model call delays the
    reply."""
    intent = detect_intent(content)
    if intent.confidence < MIN_CONFIDENCE or intent.name not in ACTIONS:
        return None
    try:
        data = run_action(intent, company=company, user=user)
    except ExternalServiceError as exc:
        data = {"error": error_payload(exc)}
        answer = answers.source_failed(intent.language, exc.message)
    else:
        answer = answers.answer(intent.name, data, intent.language)
    data = {"intention": intent.name, "confidence": intent.confidence, **data}
    return AgentData(
        intent, data, answer if provider == "local" else None, data_context(data)
    )


def _restricted(intent: Intent, source: str) -> Intent:
    """Keeps the intent within the data source the caller chose."""
    allowed = {"helpdesk": HELPDESK_INTENTS, "inbox": INBOX_INTENTS}.get(source)
    if source == "general":
        return Intent(
            "consulta_general",
            max(intent.confidence, MIN_CONFIDENCE),
            {},
            intent.language,
        )
    if allowed is not None and intent.name not in allowed:
        return Intent(
            intent.name, min(intent.confidence, 0.3), intent.params, intent.language
        )
    return intent


def _understand(
    query: str, *, source: str, llm: LLMClient, model: str, company: Company, user: User
) -> Intent:
    rules = detect_intent(query)
    if llm.provider == "local" or source == "general":
        return _restricted(rules, source)
    started = time.perf_counter()
    try:
        understood, completion = llm_intent(llm, question=query, model=model)
    except LLMError as exc:
        _log(company, user, llm, model, started, Usage(), error=exc)
        return _restricted(rules, source)  # the rules still know the common questions
    _log(company, user, llm, completion.model, started, completion.usage)
    return _restricted(understood or rules, source)


def _write(
    query: str,
    intent: Intent,
    data: dict,
    *,
    llm: LLMClient,
    model: str,
    company: Company,
    user: User,
) -> str:
    templated = answers.answer(intent.name, data, intent.language)
    if llm.provider == "local":
        return templated
    started = time.perf_counter()
    try:
        completion = llm_answer(
            llm, question=query, data=data, language=intent.language, model=model
        )
    except LLMError as exc:
        _log(company, user, llm, model, started, Usage(), error=exc)
        return templated  # the numbers are known; say them without the model
    _log(company, user, llm, completion.model, started, completion.usage)
    return completion.text


def _general_answer(
    query: str,
    intent: Intent,
    *,
    llm: LLMClient,
    model: str,
    company: Company,
    user: User,
) -> str:
    started = time.perf_counter()
    try:
        completion = llm.complete(
            turns=[Turn("user", query)], options=CompletionOptions(model=model)
        )
    except LLMError as exc:
        _log(company, user, llm, model, started, Usage(), error=exc)
        raise
    _log(company, user, llm, completion.model, started, completion.usage)
    return completion.text


def _log(company, user, llm, model, started, usage, *, error=None) -> None:
    interaction_log_create(
        company=company,
        user=user,
        provider=llm.provider,
        model=model,
        endpoint=ENDPOINT,
        usage=usage,
        latency_ms=round((time.perf_counter() - started) * 1000),
        outcome=InteractionLog.Outcome.ERROR if error else InteractionLog.Outcome.OK,
        error=error,
    )
