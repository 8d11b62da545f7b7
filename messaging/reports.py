"""Reads that summarise a company's inbox: for the assistant's inbox questions."""

from datetime import timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Company, User
from messaging.models import Chat, Message
from messaging.selectors_chats import chat_visible_queryset

OPEN_STATUSES = (Chat.Status.OPEN, Chat.Status.PENDING)
LIST_SIZE = 10
HISTORY_DAYS = 7


def _waiting(chats: QuerySet[Chat], minutes: int) -> QuerySet[Chat]:
    """Open chats whose last word is the customer's, older than `minutes`."""
    since = timezone.now() - timedelta(minutes=minutes)
    return chats.filter(
        status__in=OPEN_STATUSES,
        last_message__direction=Message.Direction.IN,
        last_customer_message_at__lte=since,
    )


def inbox_overview(
    *,
    company: Company,
    user: User,
    status: str | None = None,
    assigned: str | None = None,
    waiting_minutes: int | None = None,
) -> dict[str, Any]:
    chats = chat_visible_queryset(company=company, user=user)
    selected = chats
    if status:
        selected = selected.filter(status=status)
    elif waiting_minutes is None:
        selected = selected.filter(status__in=OPEN_STATUSES)
    if assigned == "none":
        selected = selected.filter(assigned_to__isnull=True)
    elif assigned == "me":
        selected = selected.filter(assigned_to=user)
    if waiting_minutes is not None:
        selected = _waiting(selected, waiting_minutes)
    by_status = dict(chats.values_list("status").annotate(n=Count("id")).order_by())
    open_chats = chats.filter(status__in=OPEN_STATUSES)
    return {
        "filters": {
            "status": status,
            "assigned": assigned,
            "waiting_minutes": waiting_minutes,
        },
        "count": selected.count(),
        "chats": [
            _chat_summary(chat)
            for chat in selected.select_related("contact", "assigned_to")[:LIST_SIZE]
        ],
        "by_status": {name: by_status.get(name, 0) for name in Chat.Status.values},
        "unassigned_open": open_chats.filter(assigned_to__isnull=True).count(),
        "assigned_to_me_open": open_chats.filter(assigned_to=user).count(),
        "per_agent_open": dict(
            open_chats.filter(assigned_to__isnull=False)
            .values_list("assigned_to__username")
            .annotate(n=Count("id"))
            .order_by()
        ),
        "messages_per_day": _messages_per_day(company=company),
        "messages_per_agent": _messages_per_agent(company=company),
    }


def _chat_summary(chat: Chat) -> dict[str, Any]:
    return {
        "id": chat.id,
        "contact": chat.contact.name or chat.contact.phone,
        "status": chat.status,
        "assigned_to": chat.assigned_to.username if chat.assigned_to else None,
        "unread": chat.unread_count,
        "last_message_at": chat.last_message_at.isoformat()
        if chat.last_message_at
        else None,
    }


def _messages_per_day(*, company: Company) -> dict[str, dict[str, int]]:
    since = timezone.now() - timedelta(days=HISTORY_DAYS)
    rows = (
        Message.objects.for_company(company)
        .filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values_list("day", "direction")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    days: dict[str, dict[str, int]] = {}
    for day, direction, total in rows:
        days.setdefault(day.isoformat(), {"in": 0, "out": 0})[direction] = total
    return days


def _messages_per_agent(*, company: Company) -> dict[str, int]:
    since = timezone.now() - timedelta(days=HISTORY_DAYS)
    sent = Message.objects.for_company(company).filter(
        direction=Message.Direction.OUT, sent_by__isnull=False, created_at__gte=since
    )
    return dict(
        sent.values_list("sent_by__username").annotate(n=Count("id")).order_by()
    )
