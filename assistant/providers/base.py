"""The interface every LLM provider implements, and the errors they raise."""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from rest_framework import status

from project.errors import ExternalServiceError

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Turn:
    role: Role
    content: str


@dataclass(frozen=True)
class CompletionOptions:
    model: str
    temperature: float | None = None
    max_tokens: int | None = None
    json_mode: bool = False


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None


@dataclass(frozen=True)
class StreamEnd:
    """The last item of a stream: what the provider reported about the whole reply."""

    model: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None


StreamItem = str | StreamEnd


class LLMClient(Protocol):
    """A chat model. `astream` yields text deltas (str) in order, then one StreamEnd."""

    provider: str

    async def acomplete(
        self, *, turns: Sequence[Turn], options: CompletionOptions
    ) -> Completion: ...

    def astream(
        self, *, turns: Sequence[Turn], options: CompletionOptions
    ) -> AsyncIterator[StreamItem]: ...

    def complete(
        self, *, turns: Sequence[Turn], options: CompletionOptions
    ) -> Completion: ...

    async def aping(self) -> None:
        """Raises an LLMError unless the provider answers (used by /api/status)."""


class LLMError(ExternalServiceError):
    code = "llm_error"


class LLMAuthError(LLMError):
    code = "llm_auth_failed"


class LLMRateLimited(LLMError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "llm_rate_limited"


class LLMUnavailable(LLMError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "llm_unavailable"


class LLMTimeout(LLMError):
    status_code = status.HTTP_504_GATEWAY_TIMEOUT
    code = "llm_timeout"


class LLMBadRequest(LLMError):
    """The provider refused the request itself (context too long, unknown model…)."""

    code = "llm_bad_request"
