"""The data behind an intent, read through the helpdesk (and inbox) selectors."""

from dataclasses import asdict
from typing import Any

from accounts.models import Company, User
from assistant.agent.intents import Intent
from helpdesk.selectors import (
    asset_count,
    computer_list,
    statistics,
    ticket_get,
    ticket_list,
)
from messaging.reports import inbox_overview
from project.errors import NotFound

LIST_SIZE = 10
TICKET_SUMMARY = (
    "id",
    "title",
    "status",
    "priority",
    "requester",
    "technician",
    "updated_at",
)
COMPUTER_SUMMARY = ("id", "name", "serial", "status", "location", "user", "model")


def _summary(item, fields: tuple[str, ...]) -> dict[str, Any]:
    values = asdict(item)
    return {name: values[name] for name in fields}


def run_action(intent: Intent, *, company: Company, user: User) -> dict[str, Any]:
    """The compact data an answer is written from; raises the data source's errors."""
    return ACTIONS[intent.name](intent.params, company=company, user=user)


def _tickets(params: dict, *, company: Company, user: User) -> dict[str, Any]:
    filters = {
        key: params[key] for key in ("status", "priority", "requester") if key in params
    }
    page = ticket_list(company=company, filters=filters, start=0, limit=LIST_SIZE)
    return {
        "filters": filters,
        "count": page.total,
        "tickets": [_summary(ticket, TICKET_SUMMARY) for ticket in page.items],
    }


def _ticket(params: dict, *, company: Company, user: User) -> dict[str, Any]:
    try:
        ticket, followups = ticket_get(company=company, ticket_id=params["ticket_id"])
    except NotFound:
        return {"ticket_id": params["ticket_id"], "ticket": None}
    return {
        "ticket_id": ticket.id,
        "ticket": asdict(ticket),
        "followups": [asdict(followup) for followup in followups[-5:]],
        "followup_count": len(followups),
    }


def _inventory(params: dict, *, company: Company, user: User) -> dict[str, Any]:
    itemtype = params.get("itemtype", "Computer")
    if itemtype != "Computer":
        return {
            "itemtype": itemtype,
            "count": asset_count(company=company, itemtype=itemtype),
        }
    page = computer_list(company=company, filters={}, start=0, limit=LIST_SIZE)
    return {
        "itemtype": itemtype,
        "count": page.total,
        "computers": [_summary(computer, COMPUTER_SUMMARY) for computer in page.items],
    }


def _equipment(params: dict, *, company: Company, user: User) -> dict[str, Any]:
    page = computer_list(
        company=company, filters={"search": params["name"]}, start=0, limit=5
    )
    return {
        "name": params["name"],
        "count": page.total,
        "computers": [_summary(computer, COMPUTER_SUMMARY) for computer in page.items],
    }


def _report(params: dict, *, company: Company, user: User) -> dict[str, Any]:
    return {"statistics": statistics(company=company)}


def _chats(params: dict, *, company: Company, user: User) -> dict[str, Any]:
    return inbox_overview(
        company=company,
        user=user,
        status=params.get("status"),
        assigned=params.get("assigned"),
        waiting_minutes=params.get("waiting_minutes"),
    )


ACTIONS = {
    "consultar_tickets": _tickets,
    "buscar_ticket": _ticket,
    "consultar_inventario": _inventory,
    "buscar_equipo": _equipment,
    "generar_reporte": _report,
    "consultar_chats": _chats,
}
