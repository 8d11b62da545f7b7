"""What the AI work on chats produces, and the validation of the model's replies.

A parser takes the model's text and returns a result or raises `InvalidReply` naming
what is wrong, which the caller feeds back to the model once.
"""

import json
import math
from dataclasses import dataclass
from typing import Any

SENTIMENTS = ("positive", "neutral", "negative", "mixed")
INTENTS = (
    "purchase",
    "booking",
    "support",
    "complaint",
    "information",
    "cancellation",
    "other",
)
ENTITY_TYPES = ("amount", "date", "name", "email", "phone", "order")
MAX_REPLIES = 3
MAX_ACTIONS = 8
MAX_ENTITIES = 20
ITEM_CHARS = 1000
SUMMARY_CHARS = 4000
DRAFT_CHARS = 4096
TITLE_CHARS = 250
DESCRIPTION_CHARS = 10000


class InvalidReply(ValueError):
    """The model's reply does not have the required shape."""


@dataclass(frozen=True)
class InsightResult:
    sentiment: str
    sentiment_score: float
    intents: list[str]
    entities: list[dict[str, str]]
    suggested_actions: list[str]
    suggested_replies: list[str]
    churn_risk: float


@dataclass(frozen=True)
class TicketText:
    title: str
    description: str


def parse_insight(text: str) -> InsightResult:
    reply = _json_object(text)
    sentiment = reply.get("sentiment")
    if sentiment not in SENTIMENTS:
        raise InvalidReply(f"sentiment must be one of {', '.join(SENTIMENTS)}")
    intents = _strings(reply, "intents", minimum=1, maximum=len(INTENTS))
    unknown = [intent for intent in intents if intent not in INTENTS]
    if unknown:
        raise InvalidReply(f"unknown intents {unknown}; use only {', '.join(INTENTS)}")
    return InsightResult(
        sentiment=sentiment,
        sentiment_score=_unit(reply, "sentiment_score"),
        intents=list(dict.fromkeys(intents)),
        entities=_entities(reply.get("entities")),
        suggested_actions=_strings(reply, "suggested_actions", maximum=MAX_ACTIONS),
        suggested_replies=_strings(
            reply, "suggested_replies", minimum=1, maximum=MAX_REPLIES
        ),
        churn_risk=_unit(reply, "churn_risk"),
    )


def parse_ticket(text: str) -> TicketText:
    reply = _json_object(text)
    title, description = reply.get("title"), reply.get("description")
    if not isinstance(title, str) or not title.strip():
        raise InvalidReply("title must be a non-empty string")
    if not isinstance(description, str) or not description.strip():
        raise InvalidReply("description must be a non-empty string")
    title = " ".join(title.split())
    if len(title) > TITLE_CHARS:
        raise InvalidReply(f"title must be at most {TITLE_CHARS} characters")
    return TicketText(title=title, description=description.strip()[:DESCRIPTION_CHARS])


def text_parser(limit: int):
    """A parser for plain-text replies: any non-empty text, cut at `limit`."""

    def parse(text: str) -> str:
        text = text.strip()
        if not text:
            raise InvalidReply("the reply is empty")
        return text[:limit]

    return parse


def _json_object(text: str) -> dict[str, Any]:
    try:
        reply = json.loads(text)
    except ValueError:
        raise InvalidReply("the reply is not JSON") from None
    if not isinstance(reply, dict):
        raise InvalidReply("the reply must be a JSON object")
    return reply


def _unit(reply: dict[str, Any], key: str) -> float:
    value = reply.get(key)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= 1
    ):
        raise InvalidReply(f"{key} must be a number from 0 to 1")
    return round(float(value), 3)


def _strings(
    reply: dict[str, Any], key: str, *, minimum: int = 0, maximum: int
) -> list[str]:
    value = reply.get(key, [] if minimum == 0 else None)
    if not isinstance(value, list) or not all(
        isinstance(item, str) and item.strip() for item in value
    ):
        raise InvalidReply(f"{key} must be a list of non-empty strings")
    if not minimum <= len(value) <= maximum:
        raise InvalidReply(f"{key} must have {minimum} to {maximum} items")
    return [item.strip()[:ITEM_CHARS] for item in value]


def _entities(value: Any) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidReply("entities must be a list")
    entities = []
    for item in value:
        if (
            not isinstance(item, dict)
            or item.get("type") not in ENTITY_TYPES
            or not isinstance(item.get("value"), str)
            or not item["value"].strip()
        ):
            raise InvalidReply(
                'each entity must be {"type": one of '
                f'{", ".join(ENTITY_TYPES)}, "value": a non-empty string}}'
            )
        entities.append({"type": item["type"], "value": item["value"].strip()[:200]})
    return entities[:MAX_ENTITIES]
