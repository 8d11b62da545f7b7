"""YCloud webhook events, parsed leniently into typed values (spec §5-§7)."""

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from messaging.phones import normalize_e164
from messaging.ycloud.errors import MalformedEvent
from messaging.ycloud.types import YCloudMessage, parse_time

INBOUND_MESSAGE_RECEIVED = "whatsapp.inbound_message.received"
MESSAGE_UPDATED = "whatsapp.message.updated"
TEMPLATE_REVIEWED = "whatsapp.template.reviewed"
PAYLOAD_KEYS = {
    INBOUND_MESSAGE_RECEIVED: "whatsappInboundMessage",
    MESSAGE_UPDATED: "whatsappMessage",
    TEMPLATE_REVIEWED: "whatsappTemplate",
}
MAX_ID_LENGTH = 255


@dataclass(frozen=True)
class Envelope:
    id: str
    type: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class InboundMessage:
    id: str
    wamid: str
    waba_id: str
    from_number: str  # E.164
    to: str  # E.164
    profile_name: str
    type: str  # YCloud's type, which may be one we don't model
    # What sits under the key named by `type`: an object, or a list for `contacts`.
    content: dict[str, Any] | list[Any]
    send_time: datetime | None
    context_wamid: str
    extras: dict[str, Any]  # referral, errors: kept for the record


@dataclass(frozen=True)
class TemplateReview:
    name: str
    language: str
    status: str
    reason: str


def parse_envelope(body: bytes) -> Envelope:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedEvent(f"The body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise MalformedEvent("The body is not a JSON object.")
    event_id, event_type = payload.get("id"), payload.get("type")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= MAX_ID_LENGTH:
        raise MalformedEvent("The event has no valid `id`.")
    if not isinstance(event_type, str) or not 0 < len(event_type) <= 100:
        raise MalformedEvent("The event has no valid `type`.")
    return Envelope(id=event_id, type=event_type, payload=payload)


def _object(payload: dict[str, Any], event_type: str) -> dict[str, Any]:
    data = payload.get(PAYLOAD_KEYS[event_type])
    if not isinstance(data, dict):
        raise MalformedEvent(f"`{PAYLOAD_KEYS[event_type]}` is missing.")
    return data


def _number(data: dict[str, Any], key: str) -> str:
    number = normalize_e164(data.get(key) if isinstance(data.get(key), str) else "")
    if number is None:
        raise MalformedEvent(f"`{key}` is not a phone number.")
    return number


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def parse_inbound(payload: dict[str, Any]) -> InboundMessage:
    data = _object(payload, INBOUND_MESSAGE_RECEIVED)
    wamid, message_type = _str(data, "wamid"), _str(data, "type")
    if not (wamid or _str(data, "id")):
        raise MalformedEvent("The inbound message has neither `wamid` nor `id`.")
    if not message_type:
        raise MalformedEvent("The inbound message has no `type`.")
    if len(wamid) > MAX_ID_LENGTH or len(_str(data, "id")) > MAX_ID_LENGTH:
        raise MalformedEvent("An id of the inbound message is too long.")
    content = data.get(message_type)
    context = data.get("context")
    profile = data.get("customerProfile")
    return InboundMessage(
        id=_str(data, "id"),
        wamid=wamid,
        waba_id=_str(data, "wabaId"),
        from_number=_number(data, "from"),
        to=_number(data, "to"),
        profile_name=_str(profile, "name") if isinstance(profile, dict) else "",
        type=message_type,
        content=content if isinstance(content, dict | list) else {},
        send_time=parse_time(data.get("sendTime")),
        context_wamid=_str(context, "id") if isinstance(context, dict) else "",
        extras={key: data[key] for key in ("referral", "errors") if key in data},
    )


def parse_status(payload: dict[str, Any]) -> YCloudMessage:
    try:
        message = YCloudMessage.from_json(_object(payload, MESSAGE_UPDATED))
    except ValueError as exc:
        raise MalformedEvent(str(exc)) from None
    from_number = normalize_e164(message.from_number)
    if from_number is None:
        raise MalformedEvent("`from` is not a phone number.")
    return replace(message, from_number=from_number)


def parse_template_review(payload: dict[str, Any]) -> TemplateReview:
    data = _object(payload, TEMPLATE_REVIEWED)
    name, language = _str(data, "name"), _str(data, "language")
    status = _str(data, "status")
    if not (name and language and status):
        raise MalformedEvent("The template needs `name`, `language` and `status`.")
    return TemplateReview(
        name=name, language=language, status=status, reason=_str(data, "reason")
    )
