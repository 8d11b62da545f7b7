"""What the assistant sends upstream: the system prompt and the trimmed history."""

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from assistant.providers.base import Turn

# A rough, provider-independent estimate (about four characters per token, plus the
# few tokens each message costs in the chat format); good enough to stay under budget.
CHARS_PER_TOKEN = 4
TOKENS_PER_MESSAGE = 4
TITLE_LENGTH = 80


def estimate_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN + TOKENS_PER_MESSAGE


def system_prompt(*, user: User) -> str:
    company = user.company.name if user.company else "the"
    language = (user.preferences or {}).get("language")
    lines = [
        f"You are Mostrador, the assistant of {company} support team. "
        "Help agents with customer conversations, IT helpdesk tickets and inventory. "
        "Be accurate and concise; say so when you do not know.",
        f"Now is {timezone.now():%Y-%m-%d %H:%M %Z}.",
        f"Answer in the language with code '{language}'."
        if language
        else "Answer in the language of the question.",
    ]
    return "\n".join(lines)


def context_budget(model_name: str) -> int:
    return settings.LLM_CONTEXT_TOKENS_BY_MODEL.get(
        model_name, settings.LLM_CONTEXT_TOKENS
    )


def build_turns(
    *, system: str, history: Iterable[tuple[str, str]], budget: int
) -> list[Turn]:
    """The system prompt plus the newest messages that fit in `budget` tokens.

    `history` is (role, content) pairs, newest first, read only as far as the budget
    goes; the newest message is always kept, whatever its size.
    """
    remaining = budget - estimate_tokens(system)
    kept: list[Turn] = []
    for role, content in history:
        if not content:
            continue
        cost = estimate_tokens(content)
        if kept and cost > remaining:
            break
        kept.append(Turn(role=role, content=content))
        remaining -= cost
    return [Turn(role="system", content=system), *reversed(kept)]


def title_from(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    if len(first_line) <= TITLE_LENGTH:
        return first_line
    return first_line[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"
