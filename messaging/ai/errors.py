"""The errors of the AI work on chats."""

from assistant.providers.base import (
    LLMError,
    LLMRateLimited,
    LLMTimeout,
    LLMUnavailable,
)
from project.errors import Conflict, NotFound

# Upstream trouble that may pass: the Celery tasks retry these with backoff.
RETRYABLE_LLM_ERRORS: tuple[type[LLMError], ...] = (
    LLMRateLimited,
    LLMUnavailable,
    LLMTimeout,
)


class ChatAIReplyInvalid(LLMError):
    """The model answered twice with something unusable (not the JSON asked for)."""

    code = "llm_invalid_reply"


class ChatEmpty(Conflict):
    code = "chat_empty"


class ChatAINotReady(NotFound):
    code = "not_generated"
