"""Appointments with contacts: who, when, for how long; never two at once for one
contact."""

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Company, User
from messaging.models import Appointment, Chat, Contact
from project.errors import Conflict

MAX_DURATION_MINUTES = 24 * 60
# A form filled in a minute ago for "now" is not "in the past".
PAST_GRACE = timedelta(minutes=5)


@transaction.atomic
def appointment_create(
    *,
    company: Company,
    user: User | None,
    starts_at: datetime,
    duration_minutes: int = 30,
    notes: str = "",
    status: str = Appointment.Status.SCHEDULED,
    chat_id: int | None = None,
    contact_id: int | None = None,
) -> Appointment:
    chat, contact = _parties(company=company, chat_id=chat_id, contact_id=contact_id)
    appointment = Appointment(
        company=company,
        chat=chat,
        contact=contact,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        notes=notes,
        status=status,
        created_by=user,
    )
    _check_not_past(appointment)
    _check_no_overlap(appointment)
    appointment.save()
    return appointment


@transaction.atomic
def appointment_update(
    *, appointment: Appointment, data: dict[str, Any]
) -> Appointment:
    """Changes the given fields. A new chat brings its contact unless one is given;
    moving the start (or rescheduling) into the past is refused."""
    if "chat" in data or "contact" in data:
        keeps_contact = data.get("chat") is None  # no chat given, or chat removed
        appointment.chat, appointment.contact = _parties(
            company=appointment.company,
            chat_id=data.get("chat", appointment.chat_id),
            contact_id=data.get(
                "contact", appointment.contact_id if keeps_contact else None
            ),
        )
    for field in ("starts_at", "duration_minutes", "notes", "status"):
        if field in data:
            setattr(appointment, field, data[field])
    if "starts_at" in data or data.get("status") == Appointment.Status.SCHEDULED:
        _check_not_past(appointment)
    _check_no_overlap(appointment)
    appointment.save()
    return appointment


def appointment_delete(*, appointment: Appointment) -> None:
    appointment.delete()


def _parties(
    *, company: Company, chat_id: int | None, contact_id: int | None
) -> tuple[Chat | None, Contact]:
    """The chat and contact named by id; both must be the company's and agree."""
    chat = contact = None
    if chat_id is not None:
        chat = Chat.objects.for_company(company).filter(id=chat_id).first()
        if chat is None:
            raise ValidationError({"chat": "No such chat in your company."})
    if contact_id is not None:
        contact = Contact.objects.for_company(company).filter(id=contact_id).first()
        if contact is None:
            raise ValidationError({"contact": "No such contact in your company."})
    if chat is not None and contact is not None and chat.contact_id != contact.id:
        raise ValidationError({"contact": "This is not the contact of that chat."})
    if contact is None and chat is None:
        raise ValidationError({"contact": "Give the contact, or a chat with them."})
    return chat, contact or chat.contact


def _check_not_past(appointment: Appointment) -> None:
    if (
        appointment.status == Appointment.Status.SCHEDULED
        and appointment.starts_at < timezone.now() - PAST_GRACE
    ):
        raise ValidationError(
            {"starts_at": "A scheduled appointment cannot start in the past."}
        )


def _check_no_overlap(appointment: Appointment) -> None:
    """Scheduled appointments of one contact never overlap. The contact's row is
    locked so that two concurrent bookings cannot both pass the check."""
    if appointment.status != Appointment.Status.SCHEDULED:
        return
    Contact.objects.select_for_update().filter(id=appointment.contact_id).first()
    start = appointment.starts_at
    end = start + timedelta(minutes=appointment.duration_minutes)
    candidates = (
        Appointment.objects.filter(
            contact_id=appointment.contact_id,
            status=Appointment.Status.SCHEDULED,
            starts_at__lt=end,
            starts_at__gt=start - timedelta(minutes=MAX_DURATION_MINUTES),
        )
        .exclude(id=appointment.id)
        .order_by("starts_at")
    )
    for other in candidates:
        if other.starts_at + timedelta(minutes=other.duration_minutes) > start:
            raise Conflict(
                f"{appointment.contact} already has an appointment from "
                f"{other.starts_at.isoformat()} for {other.duration_minutes} minutes.",
                extra={"appointment": other.id},
            )
