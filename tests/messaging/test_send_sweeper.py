"""Celery beat's sweep for replies whose send task never ran."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Message
from messaging.tasks import messages_requeue_stuck_task

pytestmark = pytest.mark.django_db

SENDS = "/v2/whatsapp/messages"


@pytest.fixture
def lost_replies(api_client, chat, django_capture_on_commit_callbacks):
    """Queues replies whose send task is lost (their on-commit enqueue never runs),
    as if their task had been queued `minutes_ago`."""

    def queue(*texts: str, minutes_ago: float) -> list[Message]:
        body = {"messages": [{"type": "text", "text": text} for text in texts]}
        with django_capture_on_commit_callbacks(execute=False):
            response = api_client.post(f"/api/chats/{chat.id}/messages/bulk", body)
        assert response.status_code == 202
        ids = [result["id"] for result in response.data["results"]]
        then = timezone.now() - timedelta(minutes=minutes_ago)
        Message.objects.filter(id__in=ids).update(enqueued_at=then, created_at=then)
        return list(Message.objects.filter(id__in=ids).order_by("id"))

    return queue


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return messages_requeue_stuck_task.delay().get()

    return run


def sent_texts(fake_ycloud) -> list[str]:
    return [
        r.body["text"]["body"]
        for r in fake_ycloud.requests
        if r.method == "POST" and r.path == SENDS
    ]


def test_a_stuck_reply_is_sent_once_in_its_chats_order(
    lost_replies, sweep, fake_ycloud
):
    first, second = lost_replies("one", "two", minutes_ago=16)

    assert sweep() == 2
    assert sent_texts(fake_ycloud) == ["one", "two"]
    assert {m.status for m in Message.objects.all()} == {"accepted"}
    assert sweep() == 0  # no longer queued: nothing is sent twice
    assert sent_texts(fake_ycloud) == ["one", "two"]


def test_a_recent_reply_is_left_to_its_own_task(lost_replies, sweep, fake_ycloud):
    [reply] = lost_replies("soon", minutes_ago=5)

    assert sweep() == 0
    assert sent_texts(fake_ycloud) == []
    reply.refresh_from_db()
    assert reply.status == "queued"


def test_a_reply_is_queued_again_at_most_once_per_period(
    lost_replies, sweep, fake_ycloud, django_capture_on_commit_callbacks
):
    [reply] = lost_replies("again", minutes_ago=16)
    with django_capture_on_commit_callbacks(execute=False):  # lost once more
        assert messages_requeue_stuck_task.delay().get() == 1

    assert sweep() == 0  # queued again just now: its task gets its time
    reply.refresh_from_db()
    assert reply.status == "queued"
    assert reply.enqueued_at > timezone.now() - timedelta(minutes=1)
    assert sent_texts(fake_ycloud) == []


def test_a_reply_too_old_to_send_is_failed_not_sent(
    lost_replies, sweep, fake_ycloud, settings
):
    settings.INBOX_SEND_GIVE_UP_HOURS = 24
    [reply] = lost_replies("too late", minutes_ago=25 * 60)

    assert sweep() == 0
    assert sent_texts(fake_ycloud) == []
    reply.refresh_from_db()
    assert (reply.status, reply.error_code) == ("failed", "not_sent")
    assert reply.error_message == "Not sent: no worker sent it in 25 hours."
    assert reply.failed_at is not None
