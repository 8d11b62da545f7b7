"""GLPI's search rows and items turned into clean, stable shapes.

GLPI speaks in search option ids, integer codes, HTML-encoded text and naive dates in
its server's time zone; Mostrador answers with names, plain text and ISO 8601.
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

STATUSES = {
    1: "new",
    2: "assigned",
    3: "planned",
    4: "pending",
    5: "solved",
    6: "closed",
}
PRIORITIES = {
    1: "very_low",
    2: "low",
    3: "medium",
    4: "high",
    5: "very_high",
    6: "major",
}
LEVELS = {
    code: name for code, name in PRIORITIES.items() if code <= 5
}  # urgency, impact
TYPES = {1: "incident", 2: "request"}
OPEN_STATUSES = ("new", "assigned", "planned", "pending")


def code_of(names: dict[int, str], name: str) -> int:
    return next(code for code, known in names.items() if known == name)


# Search option ids (shared/specs/glpi.md §7) of the columns each shape needs.
TICKET_COLUMNS = {
    "id": 2,
    "title": 1,
    "description": 21,
    "status": 12,
    "priority": 3,
    "urgency": 10,
    "impact": 11,
    "type": 14,
    "category": 7,
    "location": 83,
    "requester": 4,
    "technician": 5,
    "created_at": 15,
    "updated_at": 19,
    "solved_at": 17,
    "closed_at": 16,
}
COMPUTER_COLUMNS = {
    "id": 2,
    "name": 1,
    "serial": 5,
    "status": 31,
    "location": 3,
    "manufacturer": 23,
    "model": 40,
    "user": 70,
    "updated_at": 19,
}


@dataclass(frozen=True)
class Ticket:
    id: int
    title: str
    description: str
    status: str | None
    priority: str | None
    urgency: str | None
    impact: str | None
    type: str | None
    category: str
    location: str
    requester: str
    technician: str
    created_at: str | None
    updated_at: str | None
    solved_at: str | None
    closed_at: str | None


@dataclass(frozen=True)
class Followup:
    id: int
    content: str
    author: str
    is_private: bool
    created_at: str | None


@dataclass(frozen=True)
class Computer:
    id: int
    name: str
    serial: str
    status: str
    location: str
    manufacturer: str
    model: str
    user: str
    updated_at: str | None


_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(p|div|li|h[1-6]|tr)>")
_TAG = re.compile(r"<[^>]*>")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def clean_text(value: Any) -> str:
    """Plain text from GLPI's HTML, which GLPI 10 also stores entity-encoded."""
    if value is None or isinstance(value, (int, float)):
        return "" if value is None else str(value)
    if isinstance(value, list):
        return ", ".join(filter(None, (clean_text(item) for item in value)))
    text = str(value)
    if "&" not in text and "<" not in text:
        return text.strip()  # most names, logins and dates: nothing to decode
    text = html.unescape(text)  # &#60;p&#62; -> <p>
    text = _BLOCK_END.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))  # &amp; left inside the markup -> &
    text = text.replace("\xa0", " ")
    return _BLANK_LINES.sub("\n\n", text).strip()


def iso_datetime(value: Any, *, timezone: str | None = None) -> str | None:
    """GLPI's "YYYY-MM-DD HH:MM:SS" (server time) as ISO 8601 with its offset."""
    if not value:
        return None
    try:
        naive = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    zone = ZoneInfo(timezone or settings.TIME_ZONE)
    return naive.replace(tzinfo=zone).isoformat()


def _code(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _name(names: dict[int, str], value: Any) -> str | None:
    return names.get(_code(value))


def ticket_from_search(row: dict[str, Any], *, timezone: str | None = None) -> Ticket:
    def column(name: str) -> Any:
        return row.get(str(TICKET_COLUMNS[name]))

    def when(name: str) -> str | None:
        return iso_datetime(column(name), timezone=timezone)

    return Ticket(
        id=int(column("id")),
        title=clean_text(column("title")),
        description=clean_text(column("description")),
        status=_name(STATUSES, column("status")),
        priority=_name(PRIORITIES, column("priority")),
        urgency=_name(LEVELS, column("urgency")),
        impact=_name(LEVELS, column("impact")),
        type=_name(TYPES, column("type")),
        category=clean_text(column("category")),
        location=clean_text(column("location")),
        requester=clean_text(column("requester")),
        technician=clean_text(column("technician")),
        created_at=when("created_at"),
        updated_at=when("updated_at"),
        solved_at=when("solved_at"),
        closed_at=when("closed_at"),
    )


def computer_from_search(
    row: dict[str, Any], *, timezone: str | None = None
) -> Computer:
    def column(name: str) -> Any:
        return row.get(str(COMPUTER_COLUMNS[name]))

    return Computer(
        id=int(column("id")),
        name=clean_text(column("name")),
        serial=clean_text(column("serial")),
        status=clean_text(column("status")),
        location=clean_text(column("location")),
        manufacturer=clean_text(column("manufacturer")),
        model=clean_text(column("model")),
        user=clean_text(column("user")),
        updated_at=iso_datetime(column("updated_at"), timezone=timezone),
    )


def followup_from_item(
    item: dict[str, Any], *, timezone: str | None = None
) -> Followup:
    """A follow-up read with `expand_dropdowns`, so `users_id` is the author's name."""
    author = item.get("users_id")
    return Followup(
        id=int(item["id"]),
        content=clean_text(item.get("content")),
        author=clean_text(author) if author not in (0, "0", None) else "",
        is_private=bool(_code(item.get("is_private"))),
        created_at=iso_datetime(
            item.get("date") or item.get("date_creation"), timezone=timezone
        ),
    )
