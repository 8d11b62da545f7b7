"""Outbound statuses only move forward, whatever order YCloud delivers them in."""

from datetime import datetime

import pytest

from messaging.models import Message, Template, WebhookEvent
from tests.fakes.ycloud_webhooks import inbound_event, load_fixture, status_event
from tests.messaging.factories import (
    ChatFactory,
    OutboundMessageFactory,
    TemplateFactory,
)

pytestmark = pytest.mark.django_db

# The fixtures' message: YCloud id, our externalId and the wamid Meta gave it.
YCLOUD_ID = "6651f0c2a9e34b7f1c0d2e81"
EXTERNAL_ID = "msg_8f3a2c"
WAMID = "wamid.HBgLMzQ2MDAxMTEyMjIVAgARGBI0QTc5"


@pytest.fixture
def sent(channel) -> Message:
    return OutboundMessageFactory(
        chat=ChatFactory(channel=channel), ycloud_id=YCLOUD_ID, external_id=EXTERNAL_ID
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_sent_delivered_read_move_the_status_forward(sent, channel, deliver):
    deliver(channel, load_fixture("status_sent"))
    sent.refresh_from_db()
    assert (sent.status, sent.wamid) == ("sent", WAMID)
    assert sent.sent_at == at("2026-03-01T09:15:03Z")

    deliver(channel, load_fixture("status_delivered"))
    deliver(channel, load_fixture("status_read"))

    sent.refresh_from_db()
    assert sent.status == "read"
    assert (sent.sent_at, sent.delivered_at, sent.read_at) == (
        at("2026-03-01T09:15:03Z"),
        at("2026-03-01T09:15:04Z"),
        at("2026-03-01T09:16:10Z"),
    )
    assert set(WebhookEvent.objects.values_list("state", flat=True)) == {"processed"}


def test_out_of_order_statuses_never_move_it_backwards(sent, channel, deliver):
    for name in ("status_read", "status_delivered", "status_sent"):
        deliver(channel, load_fixture(name))

    sent.refresh_from_db()
    assert sent.status == "read"
    assert sent.sent_at and sent.delivered_at and sent.read_at


def test_read_alone_implies_delivered_and_sent(sent, channel, deliver):
    deliver(
        channel,
        status_event(
            message_id=YCLOUD_ID, status="read", update_time="2026-03-01T09:20:00Z"
        ),
    )

    sent.refresh_from_db()
    assert sent.status == "read"
    assert sent.sent_at == sent.delivered_at == sent.read_at == at("2026-03-01T09:20Z")


def test_a_repeated_status_under_a_new_event_id_changes_nothing(sent, channel, deliver):
    event = load_fixture("status_delivered")
    deliver(channel, event)
    before = Message.objects.values().get(pk=sent.pk)

    deliver(channel, {**event, "id": "evt_delivered_again_01"})

    assert Message.objects.values().get(pk=sent.pk) == before
    assert WebhookEvent.objects.count() == 2


def test_failed_keeps_the_error_and_is_final(sent, channel, deliver):
    deliver(channel, load_fixture("status_sent"))
    failed = load_fixture("status_failed")
    failed["whatsappMessage"]["id"] = YCLOUD_ID
    deliver(channel, failed)
    deliver(channel, load_fixture("status_delivered"))  # a late, contradicting one

    sent.refresh_from_db()
    assert sent.status == "failed"
    assert (sent.error_code, sent.error_message) == (
        "131047",
        "(#131047) Re-engagement message",
    )
    assert sent.failed_at == at("2026-03-01T10:02:11.200Z")
    assert sent.delivered_at is not None  # both observations are kept


def test_failed_after_read_is_recorded(sent, channel, deliver):
    deliver(channel, load_fixture("status_read"))
    deliver(
        channel,
        status_event(
            message_id=YCLOUD_ID,
            status="failed",
            error_code="131000",
            error_message="Something went wrong",
        ),
    )

    sent.refresh_from_db()
    assert (sent.status, sent.error_code) == ("failed", "131000")
    assert sent.read_at is not None


def test_a_status_before_the_send_task_saved_the_id_matches_by_external_id(
    channel, deliver
):
    queued = OutboundMessageFactory(
        chat=ChatFactory(channel=channel),
        status="queued",
        ycloud_id="",
        external_id=EXTERNAL_ID,
    )

    deliver(channel, load_fixture("status_sent"))

    queued.refresh_from_db()
    assert (queued.status, queued.ycloud_id, queued.wamid) == ("sent", YCLOUD_ID, WAMID)


def test_a_status_for_an_unknown_message_is_kept_and_ignored(channel, deliver):
    response = deliver(channel, load_fixture("status_delivered"))

    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.state == "ignored"
    assert "No outbound message" in event.error


def test_a_status_never_touches_an_inbound_message(channel, deliver):
    deliver(channel, inbound_event(wamid=WAMID))

    deliver(channel, status_event(message_id="x" * 24, wamid=WAMID, status="read"))

    assert Message.objects.get().status == "received"
    assert WebhookEvent.objects.filter(state="ignored").count() == 1


def test_a_status_of_another_channel_is_ignored(sent, channel, deliver):
    event = load_fixture("status_read")
    event["whatsappMessage"]["from"] = "+15559998888"

    deliver(channel, event)

    sent.refresh_from_db()
    assert sent.status == "accepted"
    assert WebhookEvent.objects.get().state == "ignored"


def test_another_companys_message_is_never_matched(sent, deliver):
    other_channel = OutboundMessageFactory(external_id="msg_other").channel

    deliver(other_channel, load_fixture("status_read"))  # carries `sent`'s ids

    sent.refresh_from_db()
    assert sent.status == "accepted"
    assert WebhookEvent.objects.get().state == "ignored"


def test_a_template_review_updates_the_template(channel, deliver):
    template = TemplateFactory(channel=channel, name="order_update", language="en")

    deliver(channel, load_fixture("template_reviewed"))

    template.refresh_from_db()
    assert template.status == Template.Status.APPROVED
    assert WebhookEvent.objects.get().state == "processed"


def test_a_review_of_an_unknown_template_is_ignored(channel, deliver):
    deliver(channel, load_fixture("template_reviewed"))

    assert WebhookEvent.objects.get().state == "ignored"
