import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from accounts.tenancy import CompanyOwned
from messaging.phones import e164_validator


def new_webhook_token() -> str:
    return secrets.token_urlsafe(32)


def default_api_base_url() -> str:
    return settings.YCLOUD_API_BASE_URL


class WhatsAppChannel(CompanyOwned):
    """One business number of a company, reached through YCloud.

    `api_key` and `webhook_secret` are write-only everywhere (API, admin); the random
    `webhook_token` in the webhook URL says which channel an event is for.
    """

    name = models.CharField(max_length=120, blank=True, help_text="Display name")
    phone_number = models.CharField(
        max_length=16,
        validators=[e164_validator],
        help_text="The business number in E.164, e.g. +15550001111",
    )
    api_key = models.CharField(max_length=255)
    webhook_secret = models.CharField(
        max_length=255, help_text="The endpoint's signing secret (whsec_…)"
    )
    webhook_token = models.CharField(
        max_length=64, unique=True, default=new_webhook_token, editable=False
    )
    api_base_url = models.URLField(max_length=255, default=default_api_base_url)
    waba_id = models.CharField(
        max_length=64, blank=True, help_text="WhatsApp Business Account id, if known"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["company", "name", "id"]
        verbose_name = "WhatsApp channel"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "phone_number"],
                name="whatsapp_channel_unique_number_per_company",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.phone_number

    @property
    def webhook_path(self) -> str:
        return reverse("messaging:ycloud-webhook", args=[self.webhook_token])


class WebhookEvent(CompanyOwned):
    """A YCloud event exactly once per channel, kept with how processing went."""

    class State(models.TextChoices):
        RECEIVED = "received"
        PROCESSED = "processed"
        IGNORED = "ignored"
        FAILED = "failed"

    channel = models.ForeignKey(
        WhatsAppChannel, on_delete=models.CASCADE, related_name="webhook_events"
    )
    # YCloud's event id; an unparseable body gets "sha256:<hex of the body>" instead.
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.RECEIVED
    )
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # Per channel, not global: YCloud sends every event of an account to
            # each of its endpoints, and two of our channels may share an account.
            models.UniqueConstraint(
                fields=["channel", "event_id"], name="webhook_event_unique_per_channel"
            )
        ]
        indexes = [models.Index(fields=["state", "received_at"])]

    def __str__(self) -> str:
        return f"{self.type or 'unparsed'} {self.event_id}"
