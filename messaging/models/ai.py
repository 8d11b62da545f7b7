from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.tenancy import CompanyOwned


class ChatInsight(CompanyOwned):
    """What an LLM read in a chat, up to one message; the newest row is current."""

    class Sentiment(models.TextChoices):
        POSITIVE = "positive"
        NEUTRAL = "neutral"
        NEGATIVE = "negative"
        MIXED = "mixed"

    chat = models.ForeignKey(
        "messaging.Chat", on_delete=models.CASCADE, related_name="insights"
    )
    sentiment = models.CharField(
        max_length=16, choices=Sentiment.choices, default=Sentiment.NEUTRAL
    )
    sentiment_score = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="0 (very negative), 0.5 (neutral) to 1 (very positive)",
    )
    intents = models.JSONField(default=list, blank=True)
    entities = models.JSONField(default=list, blank=True)
    suggested_actions = models.JSONField(default=list, blank=True)
    suggested_replies = models.JSONField(default=list, blank=True)
    churn_risk = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="0 (none) to 1 (certain)",
    )
    model = models.CharField(max_length=200, blank=True)
    up_to_message = models.ForeignKey(
        "messaging.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["chat", "-created_at"])]

    def __str__(self) -> str:
        return f"Insight on chat {self.chat_id}"


class ChatSummary(CompanyOwned):
    chat = models.ForeignKey(
        "messaging.Chat", on_delete=models.CASCADE, related_name="summaries"
    )
    summary = models.TextField()
    message_count = models.PositiveIntegerField(default=0)
    model = models.CharField(max_length=200, blank=True)
    up_to_message = models.ForeignKey(
        "messaging.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "chat summaries"
        indexes = [models.Index(fields=["chat", "-created_at"])]

    def __str__(self) -> str:
        return f"Summary of chat {self.chat_id}"
