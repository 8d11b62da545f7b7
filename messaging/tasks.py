"""Celery tasks: each loads its row by id and calls one service."""

import logging
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.db import OperationalError

from messaging.ai.errors import RETRYABLE_LLM_ERRORS
from messaging.ai.events import (
    chat_ai_failure_reported,
    chat_insight_ready_send,
    chat_summary_ready_send,
)
from messaging.ai.services import chat_insight_generate, chat_summary_generate
from messaging.models import Chat, Message, WebhookEvent
from messaging.services.chats import chats_unsnooze_due
from messaging.services.media import message_media_download
from messaging.services.sending import message_send, messages_requeue_stuck
from messaging.services.webhooks import webhook_event_process
from messaging.ycloud import YCloudRateLimited, YCloudTransientError

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),  # a lock timeout or a dropped connection
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def webhook_event_process_task(webhook_event_id: int) -> None:
    event = WebhookEvent.objects.filter(id=webhook_event_id).first()
    if event is None:
        logger.info("webhook event %s vanished; skipping", webhook_event_id)
        return
    webhook_event_process(event=event)


@shared_task(
    acks_late=True,
    autoretry_for=(YCloudTransientError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def message_media_download_task(message_id: int) -> None:
    message = Message.objects.select_related("channel").filter(id=message_id).first()
    if message is None:
        logger.info("message %s vanished; skipping its media", message_id)
        return
    message_media_download(message=message)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(YCloudTransientError,),  # 429, 5xx, connection, timeout
    # Longer than `True` (1 s): an ambiguous failure (5xx, timeout) may have sent the
    # message, and the wait lets its status webhook (matched by our externalId) take
    # it out of `queued` before a retry would send it again.
    retry_backoff=5,
    retry_jitter=True,
    max_retries=5,
)
def message_send_task(self: Task, message_id: int) -> None:
    message = Message.objects.filter(id=message_id).first()
    if message is None:
        logger.info("message %s vanished; not sending it", message_id)
        return
    try:
        message_send(
            message=message, last_attempt=self.request.retries >= self.max_retries
        )
    except YCloudRateLimited as exc:
        if exc.retry_after is None:
            raise
        raise self.retry(exc=exc, countdown=exc.retry_after) from exc


@shared_task
def messages_requeue_stuck_task() -> int:
    """Run by Celery beat: queues again the replies whose send task never ran."""
    return messages_requeue_stuck(
        stuck_after=timedelta(minutes=settings.INBOX_SEND_STUCK_MINUTES),
        give_up_after=timedelta(hours=settings.INBOX_SEND_GIVE_UP_HOURS),
    )


@shared_task
def chats_unsnooze_due_task() -> int:
    """Run by Celery beat (`CELERY_BEAT_SCHEDULE`): reopens chats whose snooze ended."""
    return chats_unsnooze_due()


# Model calls that may work later are retried with backoff; a refusal is final.
AI_TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": RETRYABLE_LLM_ERRORS,
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 3,
}


@shared_task(**AI_TASK_OPTIONS)
def chat_insight_generate_task(self: Task, chat_id: int) -> None:
    chat = Chat.objects.filter(id=chat_id).first()
    if chat is None:
        logger.info("chat %s vanished; skipping its insights", chat_id)
        return
    with chat_ai_failure_reported(
        chat=chat, kind="insights", retries_left=_will_retry(self)
    ):
        insight = chat_insight_generate(chat=chat)
    chat_insight_ready_send(insight=insight)


@shared_task(**AI_TASK_OPTIONS)
def chat_summary_generate_task(self: Task, chat_id: int) -> None:
    chat = Chat.objects.filter(id=chat_id).first()
    if chat is None:
        logger.info("chat %s vanished; skipping its summary", chat_id)
        return
    with chat_ai_failure_reported(
        chat=chat, kind="summary", retries_left=_will_retry(self)
    ):
        summary = chat_summary_generate(chat=chat)
    chat_summary_ready_send(summary=summary)


def _will_retry(task: Task) -> bool:
    """Whether a retryable error would run the task again: not after its last retry."""
    return task.request.retries < task.max_retries
