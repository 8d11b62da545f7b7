"""`/api/channels`: the company's WhatsApp lines, secrets write-only, webhook URL."""

import pytest

from messaging.models import WhatsAppChannel
from tests.factories import UserFactory
from tests.messaging.catalog_helpers import client_as, user_with
from tests.messaging.factories import ChatFactory, WhatsAppChannelFactory

pytestmark = pytest.mark.django_db

API_KEY = "ycloud-secret-key-0001"
SECRET = "whsec_secret_0001"


def new_channel(**overrides) -> dict:
    return {
        "name": "Ventas",
        "phone_number": "+34 600 11 12 22",
        "api_key": API_KEY,
        "webhook_secret": SECRET,
        **overrides,
    }


def assert_no_secrets(response) -> None:
    body = response.content.decode()
    for leak in (API_KEY, SECRET, '"api_key"', '"webhook_secret"'):
        assert leak not in body


def test_create_answers_the_webhook_url_and_never_the_secrets(api_client, company):
    response = api_client.post("/api/channels", new_channel(), format="json")

    assert response.status_code == 201, response.data
    channel = WhatsAppChannel.objects.get()
    assert channel.company == company
    assert (channel.api_key, channel.webhook_secret) == (API_KEY, SECRET)
    assert response.data["phone_number"] == "+34600111222"  # normalised to E.164
    assert response.data["api_key_set"] is True
    assert response.data["webhook_secret_set"] is True
    assert response.data["api_base_url"] == "https://api.ycloud.com/v2"
    assert response.data["webhook_url"] == (
        f"http://testserver/api/webhooks/ycloud/{channel.webhook_token}"
    )
    assert_no_secrets(response)


def test_the_webhook_url_follows_the_request_host(api_client, settings):
    settings.ALLOWED_HOSTS = ["inbox.example.com"]
    response = api_client.post(
        "/api/channels",
        new_channel(),
        format="json",
        HTTP_HOST="inbox.example.com",
        HTTP_X_FORWARDED_PROTO="https",
    )

    assert response.data["webhook_url"].startswith(
        "https://inbox.example.com/api/webhooks/ycloud/"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone_number", "600111222x"),
        ("phone_number", "+0123"),
        ("api_key", ""),
        ("webhook_secret", ""),
        ("api_base_url", "ftp://files.example.com"),
        ("api_base_url", "not a url"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_client, field, value):
    response = api_client.post(
        "/api/channels", new_channel(**{field: value}), format="json"
    )

    assert response.status_code == 400
    assert field in response.data
    assert not WhatsAppChannel.objects.exists()


def test_both_secrets_are_required_on_creation(api_client):
    body = new_channel()
    del body["api_key"], body["webhook_secret"]

    response = api_client.post("/api/channels", body, format="json")

    assert response.status_code == 400
    assert set(response.data) == {"api_key", "webhook_secret"}


def test_a_number_is_unique_per_company_only(api_client, other_user):
    assert (
        api_client.post("/api/channels", new_channel(), format="json").status_code
        == 201
    )

    again = api_client.post(
        "/api/channels", new_channel(phone_number="+34600111222"), format="json"
    )
    elsewhere = client_as(other_user).post(
        "/api/channels", new_channel(), format="json"
    )

    assert again.status_code == 400
    assert "phone_number" in again.data
    assert elsewhere.status_code == 201


def test_list_is_paginated_and_scoped(api_client, company, other_company):
    WhatsAppChannelFactory(
        company=company, phone_number="+15550001111", api_key=API_KEY
    )
    WhatsAppChannelFactory(company=other_company, phone_number="+15550002222")

    response = api_client.get("/api/channels")

    assert response.status_code == 200
    assert response.data["count"] == 1
    assert [c["phone_number"] for c in response.data["results"]] == ["+15550001111"]
    assert_no_secrets(response)


def test_patch_changes_fields_and_keeps_secrets_left_out(api_client, company):
    channel = WhatsAppChannelFactory(
        company=company, api_key=API_KEY, webhook_secret=SECRET
    )
    url = f"/api/channels/{channel.id}"

    renamed = api_client.patch(
        url, {"name": "Soporte", "is_active": False}, format="json"
    )
    channel.refresh_from_db()
    assert renamed.status_code == 200
    assert (channel.name, channel.is_active) == ("Soporte", False)
    assert (channel.api_key, channel.webhook_secret) == (API_KEY, SECRET)
    assert_no_secrets(renamed)

    rekeyed = api_client.patch(url, {"api_key": "a-new-key"}, format="json")
    channel.refresh_from_db()
    assert rekeyed.status_code == 200
    assert channel.api_key == "a-new-key"
    assert "a-new-key" not in rekeyed.content.decode()

    blank = api_client.patch(url, {"webhook_secret": ""}, format="json")
    assert blank.status_code == 400
    assert "webhook_secret" in blank.data


def test_patch_to_a_number_the_company_already_has_is_a_400(api_client, company):
    WhatsAppChannelFactory(company=company, phone_number="+15550001111")
    channel = WhatsAppChannelFactory(company=company, phone_number="+15550002222")

    response = api_client.patch(
        f"/api/channels/{channel.id}", {"phone_number": "+15550001111"}, format="json"
    )

    assert response.status_code == 400
    assert "phone_number" in response.data


def test_delete_refuses_a_channel_with_chats(api_client, company):
    busy = ChatFactory(channel__company=company).channel
    idle = WhatsAppChannelFactory(company=company, phone_number="+15550003333")

    refused = api_client.delete(f"/api/channels/{busy.id}")
    deleted = api_client.delete(f"/api/channels/{idle.id}")

    assert refused.status_code == 409
    assert "is_active" in refused.data["detail"]
    assert deleted.status_code == 204
    assert list(WhatsAppChannel.objects.all()) == [busy]


def test_rotating_the_token_retires_the_old_webhook_url_at_once(
    api_client, company, django_capture_on_commit_callbacks
):
    channel = WhatsAppChannelFactory(company=company)
    old_url = f"/api/webhooks/ycloud/{channel.webhook_token}"
    unsigned = {"data": b"{}", "content_type": "application/json"}
    assert api_client.post(old_url, **unsigned).status_code == 401  # known, unsigned

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/channels/{channel.id}/rotate-token")

    channel.refresh_from_db()
    assert response.status_code == 200
    assert response.data["webhook_url"].endswith(channel.webhook_token)
    assert not old_url.endswith(channel.webhook_token)
    assert api_client.post(old_url, **unsigned).status_code == 404
    new_url = f"/api/webhooks/ycloud/{channel.webhook_token}"
    assert api_client.post(new_url, **unsigned).status_code == 401


def test_another_company_gets_404_everywhere(company, other_user):
    channel = WhatsAppChannelFactory(company=company)
    client = client_as(other_user)
    url = f"/api/channels/{channel.id}"

    answers = [
        client.get(url),
        client.patch(url, {"name": "mine"}, format="json"),
        client.delete(url),
        client.post(f"{url}/rotate-token"),
    ]

    assert [r.status_code for r in answers] == [404, 404, 404, 404]
    channel.refresh_from_db()
    assert channel.name != "mine"


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_without_company_manage_it_is_a_403(company, role):
    client = client_as(UserFactory(company=company, role_name=role))
    channel = WhatsAppChannelFactory(company=company)

    assert client.get("/api/channels").status_code == 403
    assert client.post("/api/channels", new_channel(), format="json").status_code == 403
    assert client.get(f"/api/channels/{channel.id}").status_code == 403


def test_a_user_holding_only_company_manage_may_manage_channels(company):
    client = client_as(user_with(company, "company.manage"))

    assert client.post("/api/channels", new_channel(), format="json").status_code == 201


def test_anonymous_is_a_401(anon_client):
    assert anon_client.get("/api/channels").status_code == 401
