"""A compact, bounded view of a chat for the model: the newest messages that fit a
character budget, plus the customer's first request when it falls outside them."""

from dataclasses import dataclass
from typing import Literal

from messaging.models import Chat, Message

CHAR_BUDGET = 6000
MESSAGE_CHARS = 1000
MAX_MESSAGES = 200
SKIPPED_TYPES = (Message.Type.REACTION,)

Role = Literal["customer", "agent"]


@dataclass(frozen=True)
class Line:
    message_id: int
    role: Role
    text: str


@dataclass(frozen=True)
class Transcript:
    lines: tuple[Line, ...]  # oldest first
    first_request: Line | None  # the customer's first message, even if not in lines
    contact_name: str

    @property
    def up_to_message_id(self) -> int | None:
        return self.lines[-1].message_id if self.lines else None

    @property
    def customer_lines(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.role == "customer")

    @property
    def opens_earlier(self) -> bool:
        """Whether the first request is older than the newest messages kept."""
        first = self.first_request
        if first is None or not self.lines:
            return False
        return first.message_id < self.lines[0].message_id

    @property
    def message_count(self) -> int:
        return len(self.lines) + self.opens_earlier

    def render(self) -> str:
        rendered = [f"{line.role.capitalize()}: {line.text}" for line in self.lines]
        if self.opens_earlier and self.first_request is not None:
            first = f"Customer (first message): {self.first_request.text}"
            rendered = [first, "[…]", *rendered]
        return "\n".join(rendered)


def chat_transcript(*, chat: Chat) -> Transcript:
    messages = (
        Message.objects.filter(chat=chat)
        .exclude(type__in=SKIPPED_TYPES)
        .only("id", "direction", "type", "text", "caption")
        .order_by("-id")[:MAX_MESSAGES]
    )
    lines: list[Line] = []
    budget = CHAR_BUDGET
    for message in messages:
        line = _line(message)
        if line is None:
            continue
        if lines and len(line.text) > budget:
            break
        lines.append(line)
        budget -= len(line.text)
    lines.reverse()
    first = _first_request(chat, lines)
    return Transcript(
        lines=tuple(lines), first_request=first, contact_name=chat.contact.name
    )


def chat_has_messages(*, chat: Chat) -> bool:
    return Message.objects.filter(chat=chat).exclude(type__in=SKIPPED_TYPES).exists()


def _first_request(chat: Chat, lines: list[Line]) -> Line | None:
    first_in_lines = next((line for line in lines if line.role == "customer"), None)
    older = Message.objects.filter(chat=chat, direction=Message.Direction.IN).exclude(
        type__in=SKIPPED_TYPES
    )
    if lines:
        older = older.filter(id__lt=lines[0].message_id)
    for message in older.order_by("id")[:5]:
        line = _line(message)
        if line is not None:
            return line
    return first_in_lines


def _line(message: Message) -> Line | None:
    text = (message.text or message.caption).strip()
    if not text and message.type != Message.Type.TEXT:
        text = f"[{message.type}]"
    if not text:
        return None
    if len(text) > MESSAGE_CHARS:
        text = text[: MESSAGE_CHARS - 1] + "…"
    role: Role = "customer" if message.direction == Message.Direction.IN else "agent"
    return Line(message_id=message.id, role=role, text=text)
