"""Reads of the inbox catalog: channels, templates, stickers and appointments, each
scoped to one company; another company's id is the same NotFound as a missing one."""

import mimetypes
from datetime import datetime
from typing import TypeVar

from django.db.models import Model, QuerySet

from accounts.models import Company
from messaging.models import Appointment, Sticker, Template, WhatsAppChannel
from project.errors import NotFound

M = TypeVar("M", bound=Model)


def _get(queryset: QuerySet[M], object_id: int, label: str) -> M:
    try:
        return queryset.get(id=object_id)
    except queryset.model.DoesNotExist:
        raise NotFound(f"{label} not found.") from None


def channel_list(*, company: Company) -> QuerySet[WhatsAppChannel]:
    return WhatsAppChannel.objects.for_company(company).order_by("name", "id")


def channel_get(*, company: Company, channel_id: int) -> WhatsAppChannel:
    return _get(channel_list(company=company), channel_id, "Channel")


def template_list(
    *,
    company: Company,
    channel: int | None = None,
    status: str | None = None,
    language: str | None = None,
    search: str | None = None,
) -> QuerySet[Template]:
    templates = Template.objects.for_company(company)
    if channel is not None:
        templates = templates.filter(channel_id=channel)
    if status:
        templates = templates.filter(status=status)
    if language:
        templates = templates.filter(language__iexact=language)
    if search:
        templates = templates.filter(name__icontains=search)
    return templates.order_by("name", "language", "id")


def template_get(*, company: Company, template_id: int) -> Template:
    return _get(template_list(company=company), template_id, "Template")


def sticker_list(*, company: Company) -> QuerySet[Sticker]:
    return Sticker.objects.for_company(company)


def sticker_get(*, company: Company, sticker_id: int) -> Sticker:
    return _get(sticker_list(company=company), sticker_id, "Sticker")


def sticker_mime_type(sticker: Sticker) -> str:
    return mimetypes.guess_type(sticker.file.name)[0] or "application/octet-stream"


def appointment_list(
    *,
    company: Company,
    starts_from: datetime | None = None,
    starts_to: datetime | None = None,
    status: str | None = None,
    chat: int | None = None,
    contact: int | None = None,
) -> QuerySet[Appointment]:
    """Oldest first; `starts_from`/`starts_to` bound the start, both inclusive."""
    appointments = Appointment.objects.for_company(company)
    if starts_from is not None:
        appointments = appointments.filter(starts_at__gte=starts_from)
    if starts_to is not None:
        appointments = appointments.filter(starts_at__lte=starts_to)
    if status:
        appointments = appointments.filter(status=status)
    if chat is not None:
        appointments = appointments.filter(chat_id=chat)
    if contact is not None:
        appointments = appointments.filter(contact_id=contact)
    return appointments.select_related("contact").order_by("starts_at", "id")


def appointment_get(*, company: Company, appointment_id: int) -> Appointment:
    return _get(appointment_list(company=company), appointment_id, "Appointment")
