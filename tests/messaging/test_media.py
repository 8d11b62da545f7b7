"""Inbound media is copied from YCloud into the company's media folder."""

import base64
import hashlib
import logging

import pytest

from messaging.models import Message
from tests.fakes.ycloud_webhooks import load_fixture

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0fake-jpeg-bytes"
MEDIA_ID = "1487365592012345"  # the image fixture's


@pytest.fixture
def image_event(fake_ycloud):
    fake_ycloud.media[MEDIA_ID] = (JPEG, "image/jpeg")
    event = load_fixture("inbound_image")
    digest = base64.b64encode(hashlib.sha256(JPEG).digest()).decode()
    event["whatsappInboundMessage"]["image"]["sha256"] = digest
    return event


def test_media_is_downloaded_by_id_with_the_channels_key(
    channel, deliver, image_event, fake_ycloud, media_root
):
    # The fixture's link is on api.ycloud.com, not the channel's API host: the key
    # must not go there, so the media id is used on the channel's API instead.
    deliver(channel, image_event)

    message = Message.objects.get()
    assert message.media_file.name == (
        f"messaging/{channel.company_id}/media/{message.chat_id}/{message.id}.jpg"
    )
    assert (media_root / message.media_file.name).read_bytes() == JPEG
    [request] = fake_ycloud.requests
    assert request.path == f"/v2/whatsapp/media/download/{MEDIA_ID}"
    assert request.headers["X-API-Key"] == channel.api_key


def test_a_link_on_the_api_host_is_used_directly(
    channel, deliver, image_event, fake_ycloud
):
    image_event["whatsappInboundMessage"]["image"]["link"] = fake_ycloud.media_link(
        MEDIA_ID
    )

    deliver(channel, image_event)

    assert Message.objects.get().media_file.read() == JPEG
    [request] = fake_ycloud.requests
    assert "sig" in request.query
    assert request.headers["X-API-Key"] == channel.api_key


def test_a_rate_limited_download_is_retried(channel, deliver, image_event, fake_ycloud):
    fake_ycloud.fail_next(429, retry_after=0)

    deliver(channel, image_event)

    assert Message.objects.get().media_file.read() == JPEG
    assert len(fake_ycloud.requests) == 2


def test_an_expired_media_id_leaves_the_message_without_a_copy(
    channel, deliver, image_event, fake_ycloud, caplog
):
    fake_ycloud.media.clear()

    with caplog.at_level(logging.WARNING):
        response = deliver(channel, image_event)

    assert response.status_code == 200
    message = Message.objects.get()
    assert not message.media_file
    assert message.media_id == MEDIA_ID  # kept, to try again by hand
    assert "not downloadable" in caplog.text


def test_media_over_the_size_limit_is_not_stored(
    channel, deliver, image_event, settings
):
    settings.YCLOUD_MEDIA_MAX_BYTES = 10

    deliver(channel, image_event)

    assert not Message.objects.get().media_file


def test_a_digest_mismatch_is_logged_but_the_copy_kept(
    channel, deliver, image_event, caplog
):
    image_event["whatsappInboundMessage"]["image"]["sha256"] = "bm90IHRoZSBkaWdlc3Q="

    with caplog.at_level(logging.WARNING):
        deliver(channel, image_event)

    assert Message.objects.get().media_file.read() == JPEG
    assert "does not match its sha256" in caplog.text


def test_a_voice_note_gets_its_extension_from_the_mime_type(
    channel, deliver, fake_ycloud
):
    event = load_fixture("inbound_audio")
    fake_ycloud.media["1487365592012347"] = (b"OggS-voice", "audio/ogg")

    deliver(channel, event)

    message = Message.objects.get()
    assert message.media_file.name.rsplit("/", 1)[1] in (
        f"{message.id}.oga",
        f"{message.id}.ogg",
    )
    assert message.media_mime == "audio/ogg; codecs=opus"
