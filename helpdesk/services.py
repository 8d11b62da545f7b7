"""Writes to the company's GLPI and to its connection settings."""

import html
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Company, User
from helpdesk.glpi import GlpiError
from helpdesk.mapping import (
    LEVELS,
    PRIORITIES,
    STATUSES,
    TYPES,
    Followup,
    Ticket,
    code_of,
)
from helpdesk.models import GlpiConnection, TicketChatLink
from helpdesk.selectors import cache_clear, connection_for, glpi_client, ticket_get
from messaging.models import Chat

logger = logging.getLogger(__name__)

CONNECTION_FIELDS = (
    "url",
    "app_token",
    "user_token",
    "enabled",
    "timeout",
    "verify_tls",
    "timezone",
)


# --- Connection -----------------------------------------------------------------------------


def connection_save(*, company: Company, data: dict[str, Any]) -> GlpiConnection:
    """Creates or updates the company's connection; a token left out keeps its value.

    When the address or the credentials change, the GLPI session opened with the old
    ones is closed.
    """
    connection = GlpiConnection.objects.for_company(company).first()
    previous = None
    if connection is None:
        connection = GlpiConnection(company=company)
    else:
        previous = GlpiConnection(
            **{f: getattr(connection, f) for f in CONNECTION_FIELDS}, company=company
        )
    for field in CONNECTION_FIELDS:
        if field in data and not (field.endswith("_token") and data[field] is None):
            setattr(connection, field, data[field])
    connection.full_clean()
    connection.save()
    if previous is not None and (
        previous.session_key != connection.session_key or not connection.enabled
    ):
        glpi_client(previous).kill_session()
    cache_clear(company=company)
    return connection


def connection_test(*, company: Company) -> tuple[bool, str]:
    """Opens a GLPI session with the saved settings; records and returns the outcome."""
    connection = GlpiConnection.objects.for_company(company).first()
    if connection is None:
        return False, "No GLPI connection is configured."
    try:
        glpi_client(connection).ping()
    except GlpiError as exc:
        ok, detail = False, exc.message
    else:
        ok, detail = True, f"Connected to GLPI at {connection.url}."
    connection.last_checked_at = timezone.now()
    connection.last_check_ok, connection.last_check_detail = ok, detail[:500]
    connection.save(
        update_fields=["last_checked_at", "last_check_ok", "last_check_detail"]
    )
    return ok, detail


# --- Tickets ---------------------------------------------------------------------------------


def _html(text: str) -> str:
    """GLPI keeps descriptions as HTML: escape the text, keep its line breaks."""
    return "".join(
        f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip()
    )


def _ticket_input(data: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "title" in data:
        fields["name"] = data["title"]
    if "description" in data:
        fields["content"] = _html(data["description"])
    if "status" in data:
        fields["status"] = code_of(STATUSES, data["status"])
    if "priority" in data:
        fields["priority"] = code_of(PRIORITIES, data["priority"])
    for level in ("urgency", "impact"):
        if level in data:
            fields[level] = code_of(LEVELS, data[level])
    if "type" in data:
        fields["type"] = code_of(TYPES, data["type"])
    if "category" in data:
        fields["itilcategories_id"] = data["category"]
    if "location" in data:
        fields["locations_id"] = data["location"]
    return fields


def ticket_create(
    *,
    company: Company,
    data: dict[str, Any],
    chat_id: int | None = None,
    user: User | None = None,
) -> Ticket:
    """Creates the ticket in GLPI, linked to an inbox chat when `chat_id` is given.
    Never retried automatically: GLPI may have created it even when the answer got
    lost."""
    chat = _chat_of_company(company=company, chat_id=chat_id) if chat_id else None
    client = glpi_client(connection_for(company=company))
    ticket_id = client.create_item("Ticket", _ticket_input(data))
    if chat is not None:
        TicketChatLink.objects.get_or_create(
            company=company,
            ticket_id=ticket_id,
            chat=chat,
            defaults={"created_by": user},
        )
    cache_clear(company=company)
    logger.info("GLPI ticket %s created for company %s", ticket_id, company.id)
    ticket, _ = ticket_get(company=company, ticket_id=ticket_id)
    return ticket


def _chat_of_company(*, company: Company, chat_id: int) -> Chat:
    chat = Chat.objects.for_company(company).filter(id=chat_id).first()
    if chat is None:
        raise ValidationError({"chat": "No such chat in your company."})
    return chat


def ticket_update(*, company: Company, ticket_id: int, data: dict[str, Any]) -> Ticket:
    ticket_get(company=company, ticket_id=ticket_id)  # 404 before writing anything
    glpi_client(connection_for(company=company)).update_item(
        "Ticket", ticket_id, _ticket_input(data)
    )
    cache_clear(company=company)
    ticket, _ = ticket_get(company=company, ticket_id=ticket_id)
    return ticket


def followup_create(
    *, company: Company, ticket_id: int, content: str, is_private: bool = False
) -> Followup:
    ticket_get(company=company, ticket_id=ticket_id)
    client = glpi_client(connection_for(company=company))
    followup_id = client.add_followup(ticket_id, _html(content), is_private=is_private)
    cache_clear(company=company)
    _, followups = ticket_get(company=company, ticket_id=ticket_id)
    created = next((f for f in followups if f.id == followup_id), None)
    # GLPI may hide a follow-up from the API user that wrote it (private ones, rights).
    return created or Followup(
        id=followup_id,
        content=content,
        author="",
        is_private=is_private,
        created_at=None,
    )
