import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.tenancy import CompanyOwned


class GlpiConnection(CompanyOwned):
    """How one company reaches its GLPI server; tokens are never shown back."""

    url = models.URLField(
        max_length=500,
        help_text="The apirest.php URL, e.g. https://glpi.example.com/apirest.php",
    )
    app_token = models.CharField(max_length=255, blank=True)
    user_token = models.CharField(max_length=255)
    enabled = models.BooleanField(default=True)
    timeout = models.FloatField(
        default=10.0, validators=[MinValueValidator(1.0), MaxValueValidator(120.0)]
    )
    verify_tls = models.BooleanField(default=True)
    timezone = models.CharField(
        max_length=64,
        blank=True,
        help_text="The GLPI server's time zone; blank: TIME_ZONE",
    )
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_ok = models.BooleanField(null=True, blank=True)
    last_check_detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company"], name="glpi_connection_one_per_company"
            )
        ]

    def __str__(self) -> str:
        return f"GLPI of {self.company} ({self.url})"

    @property
    def session_key(self) -> str:
        """Where the GLPI session token is kept: new credentials mean a new session."""
        fingerprint = hashlib.sha256(
            f"{self.url}|{self.app_token}|{self.user_token}".encode()
        ).hexdigest()[:16]
        return f"glpi:session:{self.company_id}:{fingerprint}"


class TicketChatLink(CompanyOwned):
    """A GLPI ticket opened from (or about) an inbox chat."""

    ticket_id = models.PositiveIntegerField(
        db_index=True, help_text="The GLPI ticket id"
    )
    chat = models.ForeignKey(
        "messaging.Chat", on_delete=models.CASCADE, related_name="ticket_links"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "ticket_id", "chat"], name="ticket_chat_link_unique"
            )
        ]

    def __str__(self) -> str:
        return f"GLPI ticket {self.ticket_id} ↔ chat {self.chat_id}"
