"""YCloud webhook deliveries: verified and stored once by the view, processed by a
task (spec §5, pitfalls 1, 8, 9, 13)."""

import hashlib
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from messaging.models import WebhookEvent
from messaging.selectors import WebhookChannel
from messaging.services.inbound import inbound_message_receive
from messaging.services.statuses import message_status_apply, template_review_apply
from messaging.ycloud import MalformedEvent, signatures
from messaging.ycloud import events as ycloud_events

logger = logging.getLogger(__name__)

State = WebhookEvent.State
DUPLICATE = "duplicate"
HANDLED_TYPES = frozenset(ycloud_events.PAYLOAD_KEYS)


def webhook_event_receive(
    *, channel: WebhookChannel, body: bytes, signature: str | None
) -> str:
    """Verifies a delivery, stores it once and queues its processing; returns the
    stored state, or `duplicate` for an event this channel already has.

    Only a bad signature is refused (WebhookSignatureInvalid). Anything signed is
    acknowledged, because YCloud retries non-2xx answers and an unparseable or
    unhandled event would fail again on every retry: it is stored as `failed` or
    `ignored` for a person to look at.
    """
    signatures.verify(
        secret=channel.webhook_secret,
        header=signature,
        body=body,
        tolerance_seconds=settings.YCLOUD_WEBHOOK_TOLERANCE_SECONDS,
    )
    event = _event_from_body(channel=channel, body=body)
    try:
        with transaction.atomic():
            event.save(force_insert=True)
    except IntegrityError:
        return DUPLICATE
    if event.state == State.RECEIVED:
        from messaging.tasks import webhook_event_process_task  # tasks import us

        # Robust: the event is stored, so a broker hiccup must not fail the answer.
        transaction.on_commit(
            lambda: webhook_event_process_task.delay(event.id), robust=True
        )
    return event.state


def _event_from_body(*, channel: WebhookChannel, body: bytes) -> WebhookEvent:
    common = {"channel_id": channel.id, "company_id": channel.company_id}
    try:
        envelope = ycloud_events.parse_envelope(body)
    except MalformedEvent as exc:
        logger.warning("unparseable webhook for channel %s: %s", channel.id, exc)
        return WebhookEvent(
            **common,
            event_id="sha256:" + hashlib.sha256(body).hexdigest(),
            payload={"raw": body.decode("utf-8", errors="replace")},
            state=State.FAILED,
            error=str(exc),
            processed_at=timezone.now(),
        )
    if envelope.type in HANDLED_TYPES:
        return WebhookEvent(
            **common, event_id=envelope.id, type=envelope.type, payload=envelope.payload
        )
    return WebhookEvent(
        **common,
        event_id=envelope.id,
        type=envelope.type,
        payload=envelope.payload,
        state=State.IGNORED,
        error="Not an event type the inbox handles.",
        processed_at=timezone.now(),
    )


@transaction.atomic
def webhook_event_process(*, event: WebhookEvent) -> WebhookEvent:
    """Applies a stored event once (its row is locked, and only `received` events
    are applied); a payload without the documented shape marks it `failed`."""
    # Only the event's row: FOR UPDATE would also lock the joined channel row, and so
    # apply one channel's events one at a time across all workers.
    event = (
        WebhookEvent.objects.select_for_update(of=("self",))
        .select_related("channel")
        .get(pk=event.pk)
    )
    if event.state != State.RECEIVED:
        return event
    try:
        with transaction.atomic():
            event.state, event.error = _apply(event)
    except MalformedEvent as exc:
        logger.warning("webhook event %s is malformed: %s", event.id, exc)
        event.state, event.error = State.FAILED, str(exc)
    event.processed_at = timezone.now()
    event.save(update_fields=["state", "error", "processed_at"])
    return event


def _apply(event: WebhookEvent) -> tuple[str, str]:
    """(state, note) after applying the event to the inbox."""
    channel, payload = event.channel, event.payload
    if event.type == ycloud_events.INBOUND_MESSAGE_RECEIVED:
        inbound = ycloud_events.parse_inbound(payload)
        # YCloud sends an account's events to all its endpoints: ours is one number.
        if inbound.to != channel.phone_number:
            return State.IGNORED, f"Addressed to {inbound.to}, not this channel."
        if inbound_message_receive(channel=channel, inbound=inbound) is None:
            return State.IGNORED, "Message already stored."
        return State.PROCESSED, ""
    if event.type == ycloud_events.MESSAGE_UPDATED:
        update = ycloud_events.parse_status(payload)
        if update.from_number != channel.phone_number:
            return State.IGNORED, f"Sent from {update.from_number}, not this channel."
        if message_status_apply(channel=channel, update=update) is None:
            return State.IGNORED, "No outbound message of this channel matches."
        return State.PROCESSED, ""
    review = ycloud_events.parse_template_review(payload)
    if not template_review_apply(channel=channel, review=review):
        return State.IGNORED, "No template of this channel matches."
    return State.PROCESSED, ""
