"""OpenAI, or any OpenAI-compatible server (vLLM, Ollama, LM Studio, llama.cpp…)."""

from typing import Any, ClassVar

import httpx2
import openai
from django.conf import settings

from assistant.providers.base import LLMAuthError
from assistant.providers.openai_like import OpenAILikeClient, connection_from_settings

# Keyless local servers ignore the key, but the SDK insists on one.
KEYLESS_PLACEHOLDER = "not-needed"


class OpenAIClient(OpenAILikeClient):
    provider = "openai"
    sdk = openai
    http = httpx2
    sync_client_class = openai.OpenAI
    async_client_class = openai.AsyncOpenAI
    stream_kwargs: ClassVar[dict[str, Any]] = {
        "stream_options": {"include_usage": True}
    }

    @classmethod
    def from_settings(cls) -> "OpenAIClient":
        api_key = settings.OPENAI_API_KEY
        base_url = settings.OPENAI_BASE_URL
        if not api_key and not base_url:
            raise LLMAuthError(
                "OpenAI is not configured: set OPENAI_API_KEY, or OPENAI_BASE_URL for "
                "an OpenAI-compatible server."
            )
        return cls(
            connection=connection_from_settings(
                base_url=base_url or None, api_key=api_key or KEYLESS_PLACEHOLDER
            ),
            default_model=settings.OPENAI_DEFAULT_MODEL,
            total_timeout=settings.LLM_TIMEOUT_SECONDS,
        )
