"""Groq, through its SDK: the same API as OpenAI's under /openai/v1."""

from typing import Any

import groq
import httpx
from django.conf import settings

from assistant.providers.base import LLMAuthError
from assistant.providers.openai_like import OpenAILikeClient, connection_from_settings


class GroqClient(OpenAILikeClient):
    provider = "groq"
    sdk = groq
    http = httpx
    sync_client_class = groq.Groq
    async_client_class = groq.AsyncGroq

    @classmethod
    def from_settings(cls) -> "GroqClient":
        if not settings.GROQ_API_KEY:
            raise LLMAuthError("Groq is not configured: set GROQ_API_KEY.")
        return cls(
            connection=connection_from_settings(
                base_url=settings.GROQ_BASE_URL or None,
                api_key=settings.GROQ_API_KEY,
            ),
            default_model=settings.GROQ_DEFAULT_MODEL,
            total_timeout=settings.LLM_TIMEOUT_SECONDS,
        )

    def _stream_usage(self, chunk: dict[str, Any]) -> dict[str, Any] | None:
        # Groq reports a stream's usage in its own `x_groq` field of the last chunk.
        return chunk.get("usage") or (chunk.get("x_groq") or {}).get("usage")
