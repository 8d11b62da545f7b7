"""Reads from the company's GLPI: tickets, inventory and statistics, briefly cached."""

import hashlib
import json
import statistics as stats
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

from accounts.models import Company
from helpdesk.glpi import Criterion, GlpiClient, GlpiError
from helpdesk.mapping import (
    COMPUTER_COLUMNS,
    OPEN_STATUSES,
    PRIORITIES,
    STATUSES,
    TICKET_COLUMNS,
    TYPES,
    Computer,
    Followup,
    Ticket,
    clean_text,
    code_of,
    computer_from_search,
    followup_from_item,
    ticket_from_search,
)
from helpdesk.models import GlpiConnection, TicketChatLink
from project.errors import ExternalServiceUnavailable, NotFound
from project.text import is_ascii_digits

T = TypeVar("T")
SEARCH_TEXT = {"Ticket": (1, 21), "Computer": (1, 5, 70)}
OPEN = "notold"  # GLPI's status value for new, assigned, planned and pending
STATISTICS_DIMENSIONS = ("status", "priority", "type", "category")
STATISTICS_PARALLEL_REQUESTS = 8


class HelpdeskNotConfigured(ExternalServiceUnavailable):
    code = "helpdesk_not_configured"


def connection_for(*, company: Company) -> GlpiConnection:
    connection = GlpiConnection.objects.for_company(company).first()
    if connection is None:
        raise HelpdeskNotConfigured(
            "GLPI is not configured for your company; an administrator can set it up "
            "at /api/helpdesk/connection."
        )
    if not connection.enabled:
        raise HelpdeskNotConfigured("The GLPI connection of your company is disabled.")
    return connection


def glpi_client(connection: GlpiConnection) -> GlpiClient:
    return GlpiClient(
        base_url=connection.url,
        app_token=connection.app_token,
        user_token=connection.user_token,
        timeout=connection.timeout,
        session_key=connection.session_key,
        verify_tls=connection.verify_tls,
    )


CONNECTION_STATUS_CACHE_SECONDS = 30


def connection_status(*, company: Company | None) -> dict[str, Any]:
    """Whether the company has a GLPI connection and GLPI answers it (checked at
    most every 30 s, so a busy status page is no load on GLPI)."""
    connection = (
        GlpiConnection.objects.for_company(company).first() if company else None
    )
    if connection is None or not connection.enabled:
        return {"configured": False, "connected": None}
    key = f"helpdesk:status:{company.id}:{connection.session_key}"
    status = cache.get(key)
    if status is None:
        try:
            glpi_client(connection).ping()
            status = {"configured": True, "connected": True}
        except GlpiError as exc:
            status = {"configured": True, "connected": False, "error": exc.message}
        cache.set(key, status, CONNECTION_STATUS_CACHE_SECONDS)
    return status


# --- Caching: per company, cleared by any write through Mostrador ---------------------------


def _version_key(company: Company) -> str:
    return f"helpdesk:version:{company.id}"


def cache_clear(*, company: Company) -> None:
    """Forgets every cached list and statistic of the company."""
    try:
        cache.incr(_version_key(company))
    except ValueError:
        cache.set(_version_key(company), 1, timeout=None)


def _cached(company: Company, name: str, params: dict, compute: Callable[[], T]) -> T:
    version = cache.get_or_set(_version_key(company), 1, timeout=None)
    digest = hashlib.sha256(
        json.dumps(params, sort_keys=True, default=str).encode()
    ).hexdigest()
    key = f"helpdesk:{company.id}:{version}:{name}:{digest[:24]}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.HELPDESK_CACHE_SECONDS)
    return value


# --- Tickets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    total: int
    items: list


@dataclass(frozen=True)
class ListQuery:
    """One GLPI search for a list endpoint: what, filtered how, with which columns."""

    itemtype: str
    criteria: list[Criterion]
    columns: dict[str, int]
    sort_by: str
    order: str


def _search_page(
    company: Company,
    connection: GlpiConnection,
    query: ListQuery,
    mapper: Callable[..., T],
    *,
    filters: dict[str, Any],
    start: int,
    limit: int,
) -> Page:
    """A page of `query` mapped to clean items, cached per company."""

    def fetch() -> Page:
        page = glpi_client(connection).search(
            query.itemtype,
            criteria=query.criteria,
            forcedisplay=list(query.columns.values()),
            sort=query.columns[query.sort_by],
            order=query.order,
            start=start,
            limit=limit,
        )
        tz = _timezone(connection)
        return Page(page.totalcount, [mapper(row, timezone=tz) for row in page.rows])

    cache_params = {**filters, "start": start, "limit": limit}
    return _cached(company, query.itemtype, cache_params, fetch)


def _text_search(itemtype: str, text: str) -> Criterion:
    fields = [
        Criterion(field=f, searchtype="contains", value=text, link="OR")
        for f in SEARCH_TEXT[itemtype]
    ]
    if is_ascii_digits(text):
        fields.append(
            Criterion(field=2, searchtype="equals", value=int(text), link="OR")
        )
    return Criterion(group=tuple(fields))


def _dropdown(field: int, value: str) -> Criterion:
    """An id matches exactly (with its sub-items for trees); a name matches as text."""
    if is_ascii_digits(value):
        return Criterion(field=field, searchtype="equals", value=int(value))
    return Criterion(field=field, searchtype="contains", value=value)


def ticket_criteria(filters: dict[str, Any]) -> list[Criterion]:
    criteria = []
    if status := filters.get("status"):
        value = OPEN if status == "open" else code_of(STATUSES, status)
        criteria.append(Criterion(field=12, searchtype="equals", value=value))
    if priority := filters.get("priority"):
        criteria.append(
            Criterion(field=3, searchtype="equals", value=code_of(PRIORITIES, priority))
        )
    if category := filters.get("category"):
        criteria.append(_dropdown(7, category))
    if requester := filters.get("requester"):
        criteria.append(Criterion(field=4, searchtype="contains", value=requester))
    if technician := filters.get("technician"):
        criteria.append(Criterion(field=5, searchtype="contains", value=technician))
    if search := filters.get("search"):
        criteria.append(_text_search("Ticket", search))
    if (ticket_ids := filters.get("ids")) is not None:
        by_id = (
            Criterion(field=2, searchtype="equals", value=i, link="OR")
            for i in ticket_ids
        )
        criteria.append(Criterion(group=tuple(by_id)))
    return criteria


def _timezone(connection: GlpiConnection) -> str:
    return connection.timezone or settings.TIME_ZONE


def ticket_list(
    *, company: Company, filters: dict[str, Any], start: int, limit: int
) -> Page:
    """A page of tickets; `filters["chat"]` keeps those linked to that inbox chat."""
    connection = connection_for(company=company)
    if (chat_id := filters.pop("chat", None)) is not None:
        filters["ids"] = linked_ticket_ids(company=company, chat_id=chat_id)
        if not filters["ids"]:
            return Page(0, [])

    return _search_page(
        company,
        connection,
        ListQuery(
            "Ticket", ticket_criteria(filters), TICKET_COLUMNS, "updated_at", "DESC"
        ),
        ticket_from_search,
        filters=filters,
        start=start,
        limit=limit,
    )


def ticket_iter_all(*, company: Company, filters: dict[str, Any]):
    """Every matching ticket, page by page from GLPI (never all in memory at once)."""
    connection = connection_for(company=company)
    tz = _timezone(connection)
    rows = glpi_client(connection).search_all(
        "Ticket",
        criteria=ticket_criteria(filters),
        forcedisplay=list(TICKET_COLUMNS.values()),
        sort=TICKET_COLUMNS["id"],
        order="ASC",
        page_size=settings.GLPI_PAGE_SIZE,
    )
    return (ticket_from_search(row, timezone=tz) for row in rows)


def linked_chat_ids(*, company: Company, ticket_id: int) -> list[int]:
    links = TicketChatLink.objects.for_company(company).filter(ticket_id=ticket_id)
    return list(links.values_list("chat_id", flat=True))


def linked_ticket_ids(*, company: Company, chat_id: int) -> list[int]:
    links = TicketChatLink.objects.for_company(company).filter(chat_id=chat_id)
    return list(links.values_list("ticket_id", flat=True))


def ticket_get(*, company: Company, ticket_id: int) -> tuple[Ticket, list[Followup]]:
    connection = connection_for(company=company)
    client = glpi_client(connection)
    page = client.search(
        "Ticket",
        criteria=[Criterion(field=2, searchtype="equals", value=ticket_id)],
        forcedisplay=list(TICKET_COLUMNS.values()),
        sort=TICKET_COLUMNS["id"],
        limit=1,
    )
    if not page.rows:
        raise NotFound("Ticket not found.")
    tz = _timezone(connection)
    followups = client.get_subitems(
        "Ticket", ticket_id, "ITILFollowup", expand_dropdowns=True
    )
    return (
        ticket_from_search(page.rows[0], timezone=tz),
        [followup_from_item(item, timezone=tz) for item in followups],
    )


# --- Inventory ----------------------------------------------------------------------------------


def computer_criteria(filters: dict[str, Any]) -> list[Criterion]:
    criteria = []
    if status := filters.get("status"):
        criteria.append(_dropdown(31, status))
    if location := filters.get("location"):
        criteria.append(_dropdown(3, location))
    if search := filters.get("search"):
        criteria.append(_text_search("Computer", search))
    return criteria


def computer_list(
    *, company: Company, filters: dict[str, Any], start: int, limit: int
) -> Page:
    connection = connection_for(company=company)

    return _search_page(
        company,
        connection,
        ListQuery(
            "Computer", computer_criteria(filters), COMPUTER_COLUMNS, "name", "ASC"
        ),
        computer_from_search,
        filters=filters,
        start=start,
        limit=limit,
    )


def computer_get(*, company: Company, computer_id: int) -> Computer:
    connection = connection_for(company=company)
    page = glpi_client(connection).search(
        "Computer",
        criteria=[Criterion(field=2, searchtype="equals", value=computer_id)],
        forcedisplay=list(COMPUTER_COLUMNS.values()),
        sort=COMPUTER_COLUMNS["id"],
        limit=1,
    )
    if not page.rows:
        raise NotFound("Computer not found.")
    return computer_from_search(page.rows[0], timezone=_timezone(connection))


def asset_count(*, company: Company, itemtype: str) -> int:
    """How many assets of a GLPI itemtype (Printer, Monitor, Phone…) the company has."""
    connection = connection_for(company=company)
    return _cached(
        company,
        "count",
        {"itemtype": itemtype},
        lambda: glpi_client(connection).count(itemtype),
    )


# --- Statistics ---------------------------------------------------------------------------------


def statistics(*, company: Company) -> dict[str, Any]:
    """Counts by status, priority, type and category, and the recent mean time to
    solve: one cheap count request per value (in parallel), never a full download."""
    connection = connection_for(company=company)
    return _cached(
        company, "statistics", {}, lambda: _statistics(glpi_client(connection))
    )


def _statistics(client: GlpiClient) -> dict[str, Any]:
    counted = _count_criteria(client)
    with ThreadPoolExecutor(max_workers=STATISTICS_PARALLEL_REQUESTS) as pool:
        solve_hours = pool.submit(_recent_solve_hours, client)
        totals = pool.map(
            lambda c: client.count("Ticket", criteria=[c]), counted.values()
        )
        by: dict[str, dict[str, int]] = {name: {} for name in STATISTICS_DIMENSIONS}
        for (dimension, value), total in zip(counted, totals, strict=True):
            if total or dimension != "category":  # categories nobody uses are left out
                by[dimension][value] = total
        mean_hours, sample = solve_hours.result()
    open_count = sum(by["status"][name] for name in OPEN_STATUSES)
    closed_count = by["status"]["solved"] + by["status"]["closed"]
    return {
        "total": open_count + closed_count,
        "open": open_count,
        "closed": closed_count,
        "by_status": by["status"],
        "by_priority": by["priority"],
        "by_type": by["type"],
        "by_category": dict(sorted(by["category"].items(), key=lambda item: -item[1])),
        "mean_time_to_solve_hours": mean_hours,
        "solve_time_sample": sample,
    }


def _count_criteria(client: GlpiClient) -> dict[tuple[str, str], Criterion]:
    """One search criterion per (dimension, value) whose tickets are counted."""
    categories = {
        int(item["id"]): clean_text(item.get("completename") or item.get("name"))
        for item in client.get_items("ITILCategory", page_size=settings.GLPI_PAGE_SIZE)
    }
    coded = {"status": (12, STATUSES), "priority": (3, PRIORITIES), "type": (14, TYPES)}
    coded["category"] = (7, categories)
    return {
        (dimension, name): Criterion(field=field, searchtype="equals", value=code)
        for dimension, (field, names) in coded.items()
        for code, name in names.items()
    }


def _recent_solve_hours(client: GlpiClient) -> tuple[float | None, int]:
    """The mean hours from opening to solution of the most recently solved tickets."""
    page = client.search(
        "Ticket",
        criteria=[Criterion(field=12, searchtype="equals", value="old")],
        forcedisplay=[TICKET_COLUMNS[c] for c in ("id", "created_at", "solved_at")],
        sort=TICKET_COLUMNS["solved_at"],
        order="DESC",
        limit=settings.HELPDESK_SOLVE_TIME_SAMPLE,
    )
    opened, solved = str(TICKET_COLUMNS["created_at"]), str(TICKET_COLUMNS["solved_at"])
    durations = (_hours_between(row.get(opened), row.get(solved)) for row in page.rows)
    hours = [duration for duration in durations if duration is not None]
    return (round(stats.fmean(hours), 2) if hours else None), len(hours)


def _hours_between(start: Any, end: Any) -> float | None:
    try:
        delta = datetime.fromisoformat(str(end)) - datetime.fromisoformat(str(start))
    except ValueError:
        return None  # a missing or unreadable date leaves the ticket out of the mean
    return delta.total_seconds() / 3600
