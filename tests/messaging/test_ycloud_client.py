"""The YCloud client against the fake YCloud API on a real socket."""

import logging
import socket

import pytest

from messaging.ycloud import (
    MediaContent,
    TemplateContent,
    TextContent,
    YCloudAuthError,
    YCloudClient,
    YCloudClientError,
    YCloudError,
    YCloudRateLimited,
    YCloudTimeout,
    YCloudTransientError,
    YCloudUnavailable,
)
from tests.fakes.ycloud_webhooks import BUSINESS_NUMBER, CUSTOMER_NUMBER


@pytest.fixture
def client(fake_ycloud) -> YCloudClient:
    return YCloudClient(
        api_key=fake_ycloud.api_key, base_url=fake_ycloud.url, timeout=2
    )


def send_text(client: YCloudClient, **kwargs):
    return client.send_message(
        from_number=BUSINESS_NUMBER,
        to=CUSTOMER_NUMBER,
        content=TextContent(body="Hola Ana"),
        external_id="msg_1",
        **kwargs,
    )


def test_send_text_queues_it_with_the_documented_body(client, fake_ycloud):
    message = send_text(client, reply_to_wamid="wamid.QUOTED")

    [request] = fake_ycloud.requests
    assert (request.method, request.path) == ("POST", "/v2/whatsapp/messages")
    assert request.headers["X-API-Key"] == fake_ycloud.api_key
    assert request.body == {
        "from": BUSINESS_NUMBER,
        "to": CUSTOMER_NUMBER,
        "type": "text",
        "text": {"body": "Hola Ana", "preview_url": False},
        "externalId": "msg_1",
        "context": {"message_id": "wamid.QUOTED"},
    }
    assert message.id in fake_ycloud.sent
    assert (message.status, message.wamid, message.external_id) == (
        "accepted",
        "",
        "msg_1",
    )
    assert (message.from_number, message.to, message.type) == (
        BUSINESS_NUMBER,
        CUSTOMER_NUMBER,
        "text",
    )
    assert message.create_time is not None


def test_send_template(client, fake_ycloud):
    fake_ycloud.add_template("order_update", "en")
    components = [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}]

    message = client.send_message(
        from_number=BUSINESS_NUMBER,
        to=CUSTOMER_NUMBER,
        content=TemplateContent(
            name="order_update", language="en", components=components
        ),
        external_id="msg_2",
    )

    assert message.status == "accepted"
    assert fake_ycloud.requests[0].body["template"] == {
        "name": "order_update",
        "language": {"code": "en", "policy": "deterministic"},
        "components": components,
    }


def test_an_unapproved_template_is_a_client_error(client, fake_ycloud):
    fake_ycloud.add_template("promo", "es", status="PENDING")

    with pytest.raises(YCloudClientError) as raised:
        client.send_message(
            from_number=BUSINESS_NUMBER,
            to=CUSTOMER_NUMBER,
            content=TemplateContent(name="promo", language="es"),
            external_id="msg_3",
        )

    assert (raised.value.status, raised.value.error_code) == (
        403,
        "WHATSAPP_TEMPLATE_UNAVAILABLE",
    )
    assert raised.value.request_id.startswith("req_fake")
    assert not isinstance(raised.value, YCloudTransientError)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            MediaContent(type="image", link="https://cdn.example/a.jpg", caption="A"),
            {"link": "https://cdn.example/a.jpg", "caption": "A"},
        ),
        (
            MediaContent(type="document", media_id="99", filename="f.pdf"),
            {"id": "99", "filename": "f.pdf"},
        ),
        (MediaContent(type="audio", media_id="98"), {"id": "98"}),
        (MediaContent(type="video", link="https://cdn.example/v.mp4"), None),
        (MediaContent(type="sticker", media_id="97"), {"id": "97"}),
    ],
)
def test_send_media(client, fake_ycloud, content, expected):
    client.send_message(
        from_number=BUSINESS_NUMBER,
        to=CUSTOMER_NUMBER,
        content=content,
        external_id="m",
    )

    body = fake_ycloud.requests[0].body
    assert body["type"] == content.type
    assert body[content.type] == (expected or {"link": content.link})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"type": "image"},
        {"type": "audio", "media_id": "1", "caption": "no"},
        {"type": "sticker", "media_id": "1", "caption": "no"},
        {"type": "image", "media_id": "1", "filename": "x.jpg"},
    ],
)
def test_invalid_media_is_refused_before_sending(kwargs):
    with pytest.raises(ValueError):
        MediaContent(**kwargs)


def test_a_bad_number_keeps_ycloud_code_and_target(client):
    with pytest.raises(YCloudClientError) as raised:
        client.send_message(
            from_number=BUSINESS_NUMBER,
            to="600111222",
            content=TextContent(body="x"),
            external_id="m",
        )

    assert (raised.value.error_code, raised.value.target) == ("PARAM_INVALID", "to")
    assert raised.value.extra["upstream_code"] == "PARAM_INVALID"


def test_a_meta_error_keeps_the_whatsapp_code(client, fake_ycloud):
    fake_ycloud.fail_next(
        429, code="TOO_MANY_REQUESTS", whatsapp_code="131056", retry_after=7
    )

    with pytest.raises(YCloudRateLimited) as raised:
        send_text(client)

    error = raised.value
    assert (error.status, error.whatsapp_code, error.retry_after) == (429, "131056", 7)
    assert isinstance(error, YCloudTransientError)
    assert error.status_code == 503


def test_a_wrong_key_is_an_auth_error(fake_ycloud):
    client = YCloudClient(api_key="wrong", base_url=fake_ycloud.url, timeout=2)

    with pytest.raises(YCloudAuthError) as raised:
        send_text(client)

    assert (raised.value.status, raised.value.error_code) == (401, "UNAUTHORIZED")
    assert not isinstance(raised.value, YCloudTransientError)


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_is_transient_and_a_post_is_not_retried(
    client, fake_ycloud, status
):
    fake_ycloud.fail_next(status, times=5)

    with pytest.raises(YCloudUnavailable) as raised:
        send_text(client)

    assert raised.value.status == status
    assert len(fake_ycloud.requests) == 1  # the owning task decides about retries


def test_a_get_is_retried_on_503(client, fake_ycloud):
    sent = send_text(client)
    fake_ycloud.fail_next(503)

    assert client.retrieve_message(message_id=sent.id) == sent
    assert len(fake_ycloud.requests) == 3


def test_retrieving_an_unknown_message_is_a_client_error(client):
    with pytest.raises(YCloudClientError) as raised:
        client.retrieve_message(message_id="ffffffffffffffffffffffff")

    assert (raised.value.status, raised.value.error_code) == (404, "NOT_FOUND")


def test_a_slow_answer_is_a_timeout(fake_ycloud):
    client = YCloudClient(
        api_key=fake_ycloud.api_key, base_url=fake_ycloud.url, timeout=0.2
    )
    fake_ycloud.hang_next(0.6)

    with pytest.raises(YCloudTimeout) as raised:
        send_text(client)

    assert raised.value.status_code == 504
    assert isinstance(raised.value, YCloudTransientError)


def test_an_unreachable_api_is_unavailable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    client = YCloudClient(
        api_key="k", base_url=f"http://127.0.0.1:{port}/v2", timeout=1
    )

    with pytest.raises(YCloudUnavailable):
        send_text(client)


def test_the_api_key_never_appears_in_errors_or_logs(client, fake_ycloud, caplog):
    key = fake_ycloud.api_key
    fake_ycloud.fail_next(400, message=f"Invalid API key {key} for this account")

    with caplog.at_level(logging.DEBUG), pytest.raises(YCloudError) as raised:
        send_text(client)

    assert key not in str(raised.value)
    assert key not in repr(raised.value.extra)
    assert key not in caplog.text
    assert "[redacted]" in str(raised.value)


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (7, 1), (100, 2), (150, 2)])
def test_templates_are_listed_page_by_page(client, fake_ycloud, count, pages):
    for n in range(count):
        fake_ycloud.add_template(f"tpl_{n}", "en")

    templates = client.list_templates()

    assert [t.name for t in templates] == [f"tpl_{n}" for n in range(count)]
    assert len(fake_ycloud.requests) == pages
    assert [r.query["page"] for r in fake_ycloud.requests] == [
        [str(n)] for n in range(1, pages + 1)
    ]
    assert all(r.query["limit"] == ["100"] for r in fake_ycloud.requests)


def test_templates_can_be_filtered(client, fake_ycloud):
    fake_ycloud.add_template("order_update", "en")
    fake_ycloud.add_template("order_update", "es", status="REJECTED", reason="SPAM")

    [template] = client.list_templates(name="order_update", language="es")

    assert (template.language, template.status, template.reason) == (
        "es",
        "REJECTED",
        "SPAM",
    )
    assert template.components == [{"type": "BODY", "text": "Hi {{1}}."}]


def test_download_media_by_id(client, fake_ycloud):
    fake_ycloud.media["555"] = (b"%PDF-1.7", "application/pdf")

    media = client.download_media(media_id="555", max_bytes=1000)

    assert (media.content, media.mime_type) == (b"%PDF-1.7", "application/pdf")


def test_the_key_is_not_sent_to_a_foreign_link(client, fake_ycloud):
    fake_ycloud.media["556"] = (b"data", "image/png")
    # Same fake, reached under another origin name: the key must stay home.
    link = fake_ycloud.media_link("556").replace("127.0.0.1", "localhost")

    media = client.download_media(link=link, max_bytes=1000)

    assert media.content == b"data"
    assert "X-API-Key" not in fake_ycloud.requests[0].headers
