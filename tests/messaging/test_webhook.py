"""The YCloud webhook: signature, tokens, storing each event once, and never a 500."""

import json
import time

import pytest
from rest_framework.test import APIClient

from messaging.models import Message, WebhookEvent
from messaging.ycloud import WebhookSignatureInvalid, signatures
from tests.fakes.ycloud_webhooks import (
    inbound_event,
    load_fixture,
    sign,
    signed_delivery,
)
from tests.messaging.conftest import webhook_post

pytestmark = pytest.mark.django_db

# The YCloud Developer Kit's golden vector (spec §5).
GOLDEN_SECRET = "whsec_test_6c2f0f6c3a6d4b16"
GOLDEN_BODY = (
    b'{"id":"evt_01","type":"whatsapp.inbound_message.received","apiVersion":"v2"}'
)
GOLDEN_DIGEST = "4ee5dc4c43b9d27aa16b9e46a59ea8700d0b3b90d9da6139a302aa7a55cbdaa1"


def test_signature_matches_the_golden_vector():
    header = f"t=1700000000,s={GOLDEN_DIGEST}"
    assert sign(GOLDEN_SECRET, 1700000000, GOLDEN_BODY) == GOLDEN_DIGEST
    assert (
        signatures.sign(secret=GOLDEN_SECRET, timestamp=1700000000, body=GOLDEN_BODY)
        == GOLDEN_DIGEST
    )
    signatures.verify(
        secret=GOLDEN_SECRET,
        header=header,
        body=GOLDEN_BODY,
        tolerance_seconds=300,
        now=1700000000 + 299,
    )
    with pytest.raises(WebhookSignatureInvalid):  # the legacy trailing-dot form
        signatures.verify(
            secret=GOLDEN_SECRET,
            header=f"t=1700000000,s={sign(GOLDEN_SECRET, 1700000000, GOLDEN_BODY + b'.')}",
            body=GOLDEN_BODY,
            tolerance_seconds=0,
        )


def test_a_signed_event_is_stored_and_processed(channel, deliver):
    event = load_fixture("inbound_text")

    response = deliver(channel, event)

    assert response.status_code == 200
    assert response.data == {"status": "received"}
    stored = WebhookEvent.objects.get()
    assert (stored.event_id, stored.type, stored.state) == (
        event["id"],
        event["type"],
        WebhookEvent.State.PROCESSED,
    )
    assert stored.payload == event
    assert (stored.company, stored.channel) == (channel.company, channel)
    assert stored.processed_at is not None
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        "t=,s=",
        "t=abc,s=" + "0" * 64,
        "s=" + "0" * 64,
        "t=1700000000",
        "t=1700000000,s=xyz",
    ],
)
def test_a_missing_or_garbled_signature_is_401(channel, header):
    body = json.dumps(inbound_event()).encode()
    headers = {} if header is None else {"YCloud-Signature": header}

    response = webhook_post(APIClient(), channel.webhook_token, body, headers)

    assert response.status_code == 401
    assert response.data["code"] == "invalid_signature"
    assert not WebhookEvent.objects.exists()


def test_a_signature_with_another_secret_is_401(channel, deliver):
    response = deliver(channel, inbound_event(), secret="whsec_someone_else")

    assert response.status_code == 401
    assert response.data["code"] == "invalid_signature"
    assert not WebhookEvent.objects.exists()


def test_a_body_changed_after_signing_is_401(channel):
    body, headers = signed_delivery(channel.webhook_secret, inbound_event())
    # Re-serialising changes bytes (spacing) and must fail: the raw body is signed.
    tampered = json.dumps(json.loads(body)).encode()

    response = webhook_post(APIClient(), channel.webhook_token, tampered, headers)

    assert response.status_code == 401
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("skew", [-305, 305, -3600])  # a margin for the clock tick
def test_a_stale_or_future_timestamp_is_401(channel, deliver, skew):
    response = deliver(channel, inbound_event(), timestamp=int(time.time()) + skew)

    assert response.status_code == 401
    assert "out of range" in response.data["detail"]
    assert not WebhookEvent.objects.exists()


def test_a_timestamp_within_tolerance_is_accepted(channel, deliver):
    response = deliver(channel, inbound_event(), timestamp=int(time.time()) - 290)

    assert response.status_code == 200


def test_tolerance_zero_accepts_any_timestamp(channel, deliver, settings):
    settings.YCLOUD_WEBHOOK_TOLERANCE_SECONDS = 0

    response = deliver(channel, inbound_event(), timestamp=1700000000)

    assert response.status_code == 200


def test_several_digests_pass_when_one_matches(channel):
    body = json.dumps(inbound_event()).encode()
    t = int(time.time())
    header = f"t={t},s={'0' * 64},s={sign(channel.webhook_secret, t, body)}"

    response = webhook_post(
        APIClient(), channel.webhook_token, body, {"YCloud-Signature": header}
    )

    assert response.status_code == 200


def test_an_unknown_token_is_404(channel, deliver):
    channel.webhook_token = "not-a-channel-token"  # signed correctly, wrong URL

    response = deliver(channel, inbound_event())

    assert response.status_code == 404
    assert response.data["code"] == "not_found"
    assert not WebhookEvent.objects.exists()


def test_an_inactive_channel_is_404_even_after_being_cached(channel, deliver):
    assert deliver(channel, inbound_event()).status_code == 200
    channel.is_active = False
    channel.save()

    response = deliver(channel, inbound_event())

    assert response.status_code == 404
    assert WebhookEvent.objects.count() == 1


def test_a_rotated_secret_applies_at_once(channel, deliver):
    assert deliver(channel, inbound_event()).status_code == 200
    old_secret = channel.webhook_secret
    channel.webhook_secret = "whsec_rotated"
    channel.save()

    assert deliver(channel, inbound_event(), secret=old_secret).status_code == 401
    assert deliver(channel, inbound_event()).status_code == 200


def test_the_same_event_twice_is_stored_and_applied_once(channel, deliver):
    event = load_fixture("inbound_text")

    first = deliver(channel, event)
    second = deliver(channel, event)  # a retry: same id and bytes, fresh signature

    assert first.data == {"status": "received"}
    assert second.status_code == 200
    assert second.data == {"status": "duplicate"}
    assert WebhookEvent.objects.count() == 1
    assert Message.objects.count() == 1


def test_the_view_does_one_insert_once_the_channel_is_cached(
    channel, django_assert_max_num_queries
):
    client = APIClient()
    webhook_post(
        client,
        channel.webhook_token,
        *signed_delivery(channel.webhook_secret, inbound_event()),
    )
    body, headers = signed_delivery(channel.webhook_secret, inbound_event())

    # Processing waits for the commit, which the test transaction never reaches:
    # what is counted is the request itself: the insert within its savepoint.
    with django_assert_max_num_queries(3) as queries:
        response = webhook_post(client, channel.webhook_token, body, headers)

    assert response.status_code == 200
    assert [q["sql"].split()[0] for q in queries.captured_queries].count("INSERT") == 1


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"\xff\xfe\x00", b"[1, 2]", b'"text"', b'{"type": "x"}'],
)
def test_an_unparseable_signed_body_is_kept_as_failed_and_acknowledged(
    channel, deliver, body
):
    response = deliver(channel, body)
    again = deliver(channel, body)

    assert response.status_code == 200
    assert response.data == {"status": "failed"}
    assert again.data == {"status": "duplicate"}
    stored = WebhookEvent.objects.get()
    assert stored.state == WebhookEvent.State.FAILED
    assert stored.event_id.startswith("sha256:")
    assert stored.payload == {"raw": body.decode("utf-8", errors="replace")}
    assert stored.error


def test_an_unknown_event_type_is_kept_as_ignored(channel, deliver):
    event = load_fixture("contact_created")

    response = deliver(channel, event)

    assert response.data == {"status": "ignored"}
    stored = WebhookEvent.objects.get()
    assert (stored.state, stored.type, stored.payload) == (
        WebhookEvent.State.IGNORED,
        "contact.created",
        event,
    )


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: e.pop("whatsappInboundMessage"),
        lambda e: e.update(whatsappInboundMessage="text"),
        lambda e: e["whatsappInboundMessage"].pop("from"),
        lambda e: e["whatsappInboundMessage"].update({"from": "not a number"}),
        lambda e: e["whatsappInboundMessage"].pop("type"),
        lambda e: e["whatsappInboundMessage"].update(wamid="", id=""),
        lambda e: e["whatsappInboundMessage"].update(wamid="w" * 300),
    ],
)
def test_a_known_event_with_missing_fields_fails_without_losing_it(
    channel, deliver, mutate
):
    event = inbound_event()
    mutate(event)

    response = deliver(channel, event)

    assert response.status_code == 200
    stored = WebhookEvent.objects.get()
    assert stored.state == WebhookEvent.State.FAILED
    assert stored.payload == event
    assert stored.error
    assert not Message.objects.exists()


def test_a_status_event_with_missing_fields_fails(channel, deliver):
    event = load_fixture("status_sent")
    del event["whatsappMessage"]["id"]

    deliver(channel, event)

    stored = WebhookEvent.objects.get()
    assert stored.state == WebhookEvent.State.FAILED
    assert "id" in stored.error


def test_get_is_not_allowed(channel):
    response = APIClient().get(f"/api/webhooks/ycloud/{channel.webhook_token}")

    assert response.status_code == 405


def test_an_oversized_body_is_400_not_500(channel, deliver, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    event = inbound_event(content={"body": "x" * 2000})

    response = deliver(channel, event)

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
