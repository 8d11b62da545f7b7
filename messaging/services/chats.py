"""Agents' changes to chats: assignment, status, pins, snoozes, tags, notes, reading.

Every change runs in one transaction on locked rows, skips the chats already in the
wanted state, and pushes each chat it changed as `chat.updated` after the commit (the
same `ChatOutputSerializer` shape the API answers with).
"""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Company, User
from accounts.permissions import PermissionCode
from messaging.models import Chat, Note, Tag
from messaging.selectors_chats import chat_payload_queryset, chats_get_many, tag_find
from messaging.services.notify import chat_updated_send
from project.errors import NotFound, PermissionDenied

Status = Chat.Status
ChatTag = Chat.tags.through
BULK_ACTIONS = (
    "assign",
    "status",
    "pin",
    "unpin",
    "snooze",
    "unsnooze",
    "tag",
    "untag",
)
UNSNOOZE_BATCH = 500


def chat_assign(*, chat: Chat, assignee_id: int | None) -> Chat:
    _chats_assign(company_id=chat.company_id, chat_ids=[chat.id], user_id=assignee_id)
    return _reloaded(chat)


def chat_status_set(*, chat: Chat, status: str) -> Chat:
    _chats_change(chat_ids=[chat.id], status=status, snoozed_until=None)
    return _reloaded(chat)


def chat_pin_set(*, chat: Chat, pinned: bool) -> Chat:
    _chats_change(chat_ids=[chat.id], pinned=pinned)
    return _reloaded(chat)


def chat_snooze(*, chat: Chat, until: datetime) -> Chat:
    _chats_snooze(chat_ids=[chat.id], until=until)
    return _reloaded(chat)


def chat_unsnooze(*, chat: Chat) -> Chat:
    _chats_unsnooze(chat_ids=[chat.id])
    return _reloaded(chat)


def chat_mark_read(*, chat: Chat) -> Chat:
    """Resets the unread count; agents call it when they open a chat."""
    _chats_change(chat_ids=[chat.id], unread_count=0)
    return _reloaded(chat)


def chat_tag_add(*, chat: Chat, name: str, color: str = "") -> Tag:
    """Tags the chat, creating the company's tag of that name (any case) if needed."""
    tag = tag_get_or_create(company_id=chat.company_id, name=name, color=color)
    _chats_tag(chat_ids=[chat.id], tag=tag)
    return tag


def chat_tag_remove(*, chat: Chat, name: str) -> None:
    _chats_untag(
        chat_ids=[chat.id], tag=_tag_named(company_id=chat.company_id, name=name)
    )


@transaction.atomic
def chats_bulk_update(
    *,
    company: Company,
    user: User,
    chat_ids: list[int],
    action: str,
    assignee_id: int | None = None,
    status: str = "",
    until: datetime | None = None,
    tag: str = "",
) -> int:
    """Applies one action to every chat of `chat_ids`, or to none: a chat the user
    cannot see, or a refused value, fails the whole request. Returns the number of
    chats that changed (those already in the wanted state don't count)."""
    if action == "assign" and not user.has_company_permission(
        PermissionCode.CHATS_ASSIGN
    ):
        raise PermissionDenied("Your role does not allow assigning chats.")
    ids = [
        chat.id
        for chat in chats_get_many(company=company, user=user, chat_ids=chat_ids)
    ]
    match action:
        case "assign":
            changed = _chats_assign(
                company_id=company.id, chat_ids=ids, user_id=assignee_id
            )
        case "status":
            changed = _chats_change(chat_ids=ids, status=status, snoozed_until=None)
        case "pin" | "unpin":
            changed = _chats_change(chat_ids=ids, pinned=action == "pin")
        case "snooze":
            changed = _chats_snooze(chat_ids=ids, until=until)
        case "unsnooze":
            changed = _chats_unsnooze(chat_ids=ids)
        case "tag":
            changed = _chats_tag(
                chat_ids=ids, tag=tag_get_or_create(company_id=company.id, name=tag)
            )
        case "untag":
            changed = _chats_untag(
                chat_ids=ids, tag=_tag_named(company_id=company.id, name=tag)
            )
        case _:
            raise ValidationError({"action": f"Unknown action {action!r}."})
    return len(changed)


def chats_unsnooze_due() -> int:
    """Reopens every snoozed chat whose time has come, in batches; the number
    reopened. Rows another worker holds are left for the next run."""
    reopened = 0
    while True:
        with transaction.atomic():
            due = list(
                Chat.objects.select_for_update(skip_locked=True)
                .filter(status=Status.SNOOZED, snoozed_until__lte=timezone.now())
                .order_by("id")
                .values_list("id", flat=True)[:UNSNOOZE_BATCH]
            )
            reopened += len(_chats_unsnooze(chat_ids=due))
        if len(due) < UNSNOOZE_BATCH:
            return reopened


def note_create(*, chat: Chat, author: User, text: str) -> Note:
    return Note.objects.create(
        company_id=chat.company_id, chat=chat, author=author, text=text
    )


def tag_get_or_create(*, company_id: int, name: str, color: str = "") -> Tag:
    """The company's tag named `name` in any case, created if missing."""
    name = name.strip()
    tag = tag_find(company_id=company_id, name=name)
    if tag is not None:
        return tag
    try:
        with transaction.atomic():
            return Tag.objects.create(
                company_id=company_id, name=name, **({"color": color} if color else {})
            )
    except IntegrityError:  # created by a concurrent request
        return _tag_named(company_id=company_id, name=name)


# --- Building blocks, each on a list of chat ids ------------------------------------


def _chats_change(
    *, chat_ids: Collection[int], only: Q | None = None, **fields: Any
) -> list[int]:
    """Sets `fields` on those chats (matching `only`) that differ; their ids."""
    with transaction.atomic():
        changed = list(
            Chat.objects.select_for_update()
            .filter(only or Q(), id__in=chat_ids)
            .exclude(**fields)
            .order_by("id")
            .values_list("id", flat=True)
        )
        _touch(chat_ids=changed, **fields)
    return changed


def _touch(*, chat_ids: list[int], **fields: Any) -> None:
    if not chat_ids:
        return
    Chat.objects.filter(id__in=chat_ids).update(**fields, updated_at=timezone.now())
    for chat in chat_payload_queryset().filter(id__in=chat_ids):
        chat_updated_send(chat=chat)


def _chats_assign(
    *, company_id: int, chat_ids: Collection[int], user_id: int | None
) -> list[int]:
    if user_id is not None and not (
        User.objects.filter(id=user_id, company_id=company_id, is_active=True).exists()
    ):
        raise ValidationError({"user": "Not an active user of your company."})
    return _chats_change(chat_ids=chat_ids, assigned_to_id=user_id)


def _chats_snooze(*, chat_ids: Collection[int], until: datetime | None) -> list[int]:
    if until is None or until <= timezone.now():
        raise ValidationError({"until": "Snooze until a time in the future."})
    return _chats_change(chat_ids=chat_ids, status=Status.SNOOZED, snoozed_until=until)


def _chats_unsnooze(*, chat_ids: Collection[int]) -> list[int]:
    return _chats_change(
        chat_ids=chat_ids,
        only=Q(status=Status.SNOOZED),
        status=Status.OPEN,
        snoozed_until=None,
    )


def _chats_tag(*, chat_ids: Collection[int], tag: Tag) -> list[int]:
    with transaction.atomic():
        tagged = set(
            ChatTag.objects.filter(tag=tag, chat_id__in=chat_ids).values_list(
                "chat_id", flat=True
            )
        )
        new = sorted(set(chat_ids) - tagged)
        ChatTag.objects.bulk_create(
            [ChatTag(chat_id=chat_id, tag_id=tag.id) for chat_id in new],
            ignore_conflicts=True,
        )
        _touch(chat_ids=new)
    return new


def _chats_untag(*, chat_ids: Collection[int], tag: Tag) -> list[int]:
    with transaction.atomic():
        links = ChatTag.objects.filter(tag=tag, chat_id__in=chat_ids)
        untagged = sorted(links.values_list("chat_id", flat=True))
        links.delete()
        _touch(chat_ids=untagged)
    return untagged


def _tag_named(*, company_id: int, name: str) -> Tag:
    tag = tag_find(company_id=company_id, name=name.strip())
    if tag is None:
        raise NotFound(f"No tag is named {name!r}.")
    return tag


def _reloaded(chat: Chat) -> Chat:
    return chat_payload_queryset().get(id=chat.id)
