"""The record of every LLM call."""

import json
import logging

from django.conf import settings

from accounts.models import Company, User
from assistant.models import Conversation, InteractionLog
from assistant.providers.base import LLMError, Turn, Usage

logger = logging.getLogger(__name__)


LOG_LEVELS = {
    InteractionLog.Outcome.OK: InteractionLog.Level.INFO,
    InteractionLog.Outcome.CANCELLED: InteractionLog.Level.WARNING,
    InteractionLog.Outcome.ERROR: InteractionLog.Level.ERROR,
}


def interaction_log_create(
    *,
    company: Company,
    user: User | None,
    provider: str,
    model: str,
    endpoint: str,
    usage: Usage,
    latency_ms: int,
    outcome: str,
    time_to_first_token_ms: int | None = None,
    error: LLMError | None = None,
    turns: list[Turn] | None = None,
    conversation: Conversation | None = None,
) -> InteractionLog:
    """Records one LLM call; prompts only when LOG_PROMPTS is on."""
    if error is not None:
        logger.warning("LLM call failed (%s/%s): %s", provider, model, error)
    prompt = ""
    if settings.LOG_PROMPTS and turns:
        prompt = json.dumps([{"role": t.role, "content": t.content} for t in turns])
    return InteractionLog.objects.create(
        company=company,
        user=user,
        conversation=conversation,
        provider=provider,
        model=model,
        endpoint=endpoint,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        latency_ms=latency_ms,
        time_to_first_token_ms=time_to_first_token_ms,
        outcome=outcome,
        level=LOG_LEVELS[outcome],
        error=error.message if error else "",
        prompt=prompt,
    )
