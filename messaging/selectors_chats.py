"""Reads of the agents' inbox: chats as the caller may see them, their messages,
notes and tags.

Visibility is decided here and nowhere else: an agent sees the chats assigned to them
and the unassigned ones; `chats.view_all` sees every chat of the company. A chat the
caller may not see is a 404, like another company's.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q, QuerySet

from accounts.models import Company, User
from accounts.permissions import PermissionCode
from messaging.models import Chat, Message, Note, Tag
from project.errors import NotFound
from project.text import is_ascii_digits

UNASSIGNED = "none"
ME = "me"


def chat_payload_queryset() -> QuerySet[Chat]:
    """Chats with everything `ChatOutputSerializer` reads, in a fixed number of
    queries whatever the number of chats."""
    return Chat.objects.select_related(
        "contact", "assigned_to", "last_message"
    ).prefetch_related("tags")


@dataclass(frozen=True)
class ChatVisibility:
    """The rule for one user, read once: the queryset below applies it to rows, the
    inbox socket to each live event by its chat's assignee."""

    user_id: int
    sees_all: bool

    @classmethod
    def of(cls, user: User) -> "ChatVisibility":
        return cls(user.id, user.has_company_permission(PermissionCode.CHATS_VIEW_ALL))

    def allows(self, assignee_id: int | None) -> bool:
        return self.sees_all or assignee_id in (None, self.user_id)

    def as_filter(self) -> Q:
        """`allows`, as a filter on chats."""
        if self.sees_all:
            return Q()
        return Q(assigned_to_id=self.user_id) | Q(assigned_to__isnull=True)


def chat_visible_queryset(*, company: Company, user: User) -> QuerySet[Chat]:
    visible = ChatVisibility.of(user).as_filter()
    return chat_payload_queryset().filter(visible, company=company)


def chat_list(
    *,
    company: Company,
    user: User,
    status: str = "",
    assigned_to: int | str | None = None,
    pinned: bool | None = None,
    tag: str = "",
    search: str = "",
    updated_since: datetime | None = None,
) -> QuerySet[Chat]:
    """The chats `user` may see, filtered; pinned first, then by last message."""
    chats = chat_visible_queryset(company=company, user=user)
    if status:
        chats = chats.filter(status=status)
    if assigned_to == ME:
        chats = chats.filter(assigned_to=user)
    elif assigned_to == UNASSIGNED:
        chats = chats.filter(assigned_to__isnull=True)
    elif assigned_to is not None:
        chats = chats.filter(assigned_to_id=assigned_to)
    if pinned is not None:
        chats = chats.filter(pinned=pinned)
    if tag:
        tagged = Q(tags__name__iexact=tag)
        if is_ascii_digits(tag):
            tagged |= Q(tags__id=int(tag))
        chats = chats.filter(id__in=Chat.objects.filter(tagged).values("id"))
    if search:
        in_messages = Message.objects.filter(
            company=company, text__icontains=search
        ).values("chat_id")
        chats = chats.filter(
            Q(contact__name__icontains=search)
            | Q(contact__phone__icontains=search)
            | Q(id__in=in_messages)
        )
    if updated_since is not None:
        chats = chats.filter(updated_at__gte=updated_since)
    return chats.order_by("-pinned", F("last_message_at").desc(nulls_last=True), "-id")


def chat_get(*, company: Company, user: User, chat_id: int) -> Chat:
    try:
        return chat_visible_queryset(company=company, user=user).get(id=chat_id)
    except Chat.DoesNotExist:
        raise NotFound("Chat not found.") from None


def chats_get_many(*, company: Company, user: User, chat_ids: list[int]) -> list[Chat]:
    """Every chat of `chat_ids` (each once), or NotFound naming those the caller
    cannot see, so that a bulk change applies to all of them or to none."""
    wanted = set(chat_ids)
    chats = list(
        chat_visible_queryset(company=company, user=user).filter(id__in=wanted)
    )
    missing = wanted - {chat.id for chat in chats}
    if missing:
        raise NotFound("Some chats were not found.", extra={"ids": sorted(missing)})
    return chats


@dataclass(frozen=True)
class MessagePage:
    messages: list[Message]
    has_older: bool
    has_newer: bool


def chat_message_page(
    *, chat: Chat, before: int | None = None, after: int | None = None, limit: int
) -> MessagePage:
    """Up to `limit` messages of the chat by id, oldest first: the newest ones older
    than `before` (or the newest of all), or with `after` alone the oldest ones newer
    than it."""
    messages = Message.objects.filter(chat=chat)
    window = messages
    if before is not None:
        window = window.filter(id__lt=before)
    if after is not None:
        window = window.filter(id__gt=after)
    if after is not None and before is None:
        page = list(window.order_by("id")[:limit])
    else:
        page = list(window.order_by("-id")[:limit])[::-1]
    if not page:
        return MessagePage(messages=[], has_older=False, has_newer=False)
    return MessagePage(
        messages=page,
        has_older=messages.filter(id__lt=page[0].id).exists(),
        has_newer=messages.filter(id__gt=page[-1].id).exists(),
    )


def note_list(*, chat: Chat) -> QuerySet[Note]:
    return Note.objects.filter(chat=chat).select_related("author").order_by("id")


def chat_tag_list(*, chat: Chat) -> QuerySet[Tag]:
    return chat.tags.order_by("name")


def tag_find(*, company_id: int, name: str) -> Tag | None:
    """The company's tag of that name, in any case (names are unique that way)."""
    return Tag.objects.filter(company_id=company_id, name__iexact=name).first()
