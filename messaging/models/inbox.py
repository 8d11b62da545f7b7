from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

from accounts.tenancy import CompanyOwned
from messaging.phones import e164_validator


class Contact(CompanyOwned):
    phone = models.CharField(max_length=16, validators=[e164_validator])
    name = models.CharField(max_length=200, blank=True)
    wa_id = models.CharField(max_length=64, blank=True, help_text="WhatsApp user id")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "phone"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "phone"], name="contact_unique_phone_per_company"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})" if self.name else self.phone


class Tag(CompanyOwned):
    name = models.CharField(max_length=50)
    color = models.CharField(
        max_length=7,
        default="#64748b",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use #RRGGBB.")],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "company",
                Lower("name"),
                name="tag_unique_name_per_company_ci",
                violation_error_message="A tag with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Chat(CompanyOwned):
    """The one conversation between a channel and a contact."""

    class Status(models.TextChoices):
        OPEN = "open"
        PENDING = "pending"
        RESOLVED = "resolved"
        SNOOZED = "snoozed"

    channel = models.ForeignKey(
        "messaging.WhatsAppChannel", on_delete=models.CASCADE, related_name="chats"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="chats")
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.OPEN
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_chats",
    )
    pinned = models.BooleanField(default=False)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="chats")
    # Denormalised so the inbox list needs no per-chat query; reactions don't move it.
    last_message = models.ForeignKey(
        "messaging.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_message_at = models.DateTimeField(null=True, blank=True)
    # When the 24-hour customer-service window last (re)opened.
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    unread_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pinned", models.F("last_message_at").desc(nulls_last=True), "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "contact"], name="chat_unique_per_channel_contact"
            )
        ]
        indexes = [
            models.Index(fields=["company", "status", "-last_message_at"]),
            models.Index(fields=["company", "assigned_to"]),
        ]

    def __str__(self) -> str:
        return f"{self.contact} via {self.channel}"


def message_media_path(message: "Message", filename: str) -> str:
    return f"messaging/{message.company_id}/media/{message.chat_id}/{filename}"


class Message(CompanyOwned):
    class Direction(models.TextChoices):
        IN = "in"
        OUT = "out"

    class Type(models.TextChoices):
        TEXT = "text"
        IMAGE = "image"
        AUDIO = "audio"
        VIDEO = "video"
        DOCUMENT = "document"
        STICKER = "sticker"
        LOCATION = "location"
        CONTACTS = "contacts"
        INTERACTIVE = "interactive"
        TEMPLATE = "template"
        REACTION = "reaction"
        UNKNOWN = "unknown"

    class Status(models.TextChoices):
        # Outbound, in the only order they may move: queued (ours) → accepted
        # (YCloud took it) → sent → delivered → read; failed is final. Inbound
        # messages are simply `received`.
        QUEUED = "queued"
        ACCEPTED = "accepted"
        SENT = "sent"
        DELIVERED = "delivered"
        READ = "read"
        FAILED = "failed"
        RECEIVED = "received"

    MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    # Denormalised from the chat so a wamid can be unique per channel.
    channel = models.ForeignKey(
        "messaging.WhatsAppChannel", on_delete=models.CASCADE, related_name="+"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    type = models.CharField(max_length=16, choices=Type.choices, default="text")
    text = models.TextField(blank=True)
    caption = models.TextField(blank=True)
    media_id = models.CharField(max_length=255, blank=True)
    # YCloud's link: only for downloading; browsers get our stored copy.
    media_url = models.URLField(max_length=2000, blank=True)
    media_mime = models.CharField(max_length=255, blank=True)
    media_file = models.FileField(upload_to=message_media_path, blank=True)
    payload = models.JSONField(
        default=dict, blank=True, help_text="The type-specific part"
    )
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    wamid = models.CharField(max_length=255, blank=True)
    ycloud_id = models.CharField(max_length=255, blank=True)
    external_id = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="Our correlation id for sends, echoed back by YCloud",
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the send task of a queued reply was last handed to Celery: the sweeper for
    # replies whose task never ran goes by it (see `messages_requeue_stuck`).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "wamid"],
                condition=~models.Q(wamid=""),
                name="message_unique_wamid_per_channel",
            )
        ]
        indexes = [
            models.Index(fields=["chat", "id"]),
            models.Index(fields=["channel", "ycloud_id"]),
            models.Index(
                fields=["enqueued_at"],
                condition=models.Q(status="queued"),
                name="message_queued_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.type}: {(self.text or self.caption)[:60]}"

    @property
    def has_media(self) -> bool:
        return self.type in self.MEDIA_TYPES


class Note(CompanyOwned):
    """A private note agents leave on a chat; customers never see it."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]
