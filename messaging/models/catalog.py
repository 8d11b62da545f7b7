from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.tenancy import CompanyOwned


class Template(CompanyOwned):
    """A WhatsApp message template of a channel, as YCloud knows it."""

    class Category(models.TextChoices):
        AUTHENTICATION = "AUTHENTICATION"
        MARKETING = "MARKETING"
        UTILITY = "UTILITY"

    class Status(models.TextChoices):
        PENDING = "PENDING"
        APPROVED = "APPROVED"
        REJECTED = "REJECTED"
        PAUSED = "PAUSED"
        DISABLED = "DISABLED"
        ARCHIVED = "ARCHIVED"
        IN_APPEAL = "IN_APPEAL"
        DELETED = "DELETED"

    channel = models.ForeignKey(
        "messaging.WhatsAppChannel", on_delete=models.CASCADE, related_name="templates"
    )
    name = models.CharField(max_length=512)
    language = models.CharField(max_length=16)
    category = models.CharField(max_length=32, choices=Category.choices)
    status = models.CharField(
        max_length=32, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(max_length=255, blank=True, help_text="Why rejected")
    components = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "name", "language"],
                name="template_unique_per_channel_name_language",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


def sticker_path(sticker: "Sticker", filename: str) -> str:
    return f"messaging/{sticker.company_id}/stickers/{filename}"


class Sticker(CompanyOwned):
    file = models.FileField(upload_to=sticker_path)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name or self.file.name


class Appointment(CompanyOwned):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled"
        COMPLETED = "completed"
        CANCELLED = "cancelled"
        NO_SHOW = "no_show"

    chat = models.ForeignKey(
        "messaging.Chat",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    contact = models.ForeignKey(
        "messaging.Contact", on_delete=models.CASCADE, related_name="appointments"
    )
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["company", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.contact} at {self.starts_at:%Y-%m-%d %H:%M}"
