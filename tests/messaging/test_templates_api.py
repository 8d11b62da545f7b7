"""`/api/templates`: CRUD, filters, and the sync from the fake YCloud (real socket)."""

import pytest

from messaging.models import Template
from tests.factories import UserFactory
from tests.messaging.catalog_helpers import client_as, user_with
from tests.messaging.factories import TemplateFactory, WhatsAppChannelFactory

pytestmark = pytest.mark.django_db

SYNC = "/api/templates/sync"


def new_template(channel, **overrides) -> dict:
    return {
        "channel": channel.id,
        "name": "order_update",
        "language": "en_US",
        "category": "UTILITY",
        "components": [{"type": "BODY", "text": "Hi {{1}}, order {{2}} shipped."}],
        **overrides,
    }


# --- Sync --------------------------------------------------------------------------------


def test_sync_walks_every_page_and_upserts_idempotently(
    api_client, channel, fake_ycloud
):
    for n in range(150):
        fake_ycloud.add_template(f"template_{n:03d}", status="PENDING")

    first = api_client.post(SYNC, {"channel": channel.id}, format="json")

    assert first.status_code == 200, first.data
    assert first.data == {
        "channels": [channel.id],
        "created": 150,
        "updated": 0,
        "unchanged": 0,
        "total": 150,
    }
    pages = [
        r.query for r in fake_ycloud.requests if r.path == "/v2/whatsapp/templates"
    ]
    assert [(q["page"], q["limit"]) for q in pages] == [
        (["1"], ["100"]),
        (["2"], ["100"]),
    ]
    assert all(
        r.headers["X-API-Key"] == fake_ycloud.api_key for r in fake_ycloud.requests
    )

    again = api_client.post(SYNC, {"channel": channel.id}, format="json")
    assert again.data["created"] == again.data["updated"] == 0
    assert again.data["unchanged"] == 150
    assert Template.objects.count() == 150

    fake_ycloud.templates[0]["status"] = "APPROVED"
    fake_ycloud.add_template("template_new", language="es")
    third = api_client.post(SYNC, {"channel": channel.id}, format="json")
    assert (third.data["created"], third.data["updated"]) == (1, 1)
    assert Template.objects.get(name="template_000").status == "APPROVED"
    assert Template.objects.count() == 151


def test_sync_keeps_local_templates_and_same_names_in_other_languages(
    api_client, channel, fake_ycloud
):
    local = TemplateFactory(channel=channel, name="draft_only")
    fake_ycloud.add_template("welcome", language="en")
    fake_ycloud.add_template("welcome", language="es", status="REJECTED", reason="Spam")

    response = api_client.post(SYNC, {}, format="json")  # every active channel

    assert response.data["created"] == 2
    assert Template.objects.filter(id=local.id).exists()
    spanish = Template.objects.get(name="welcome", language="es")
    assert (spanish.status, spanish.reason, spanish.company_id) == (
        "REJECTED",
        "Spam",
        channel.company_id,
    )


def test_sync_keeps_only_the_channels_own_waba_when_known(
    api_client, channel, fake_ycloud
):
    channel.waba_id = "104839201938475"  # the fake's WABA
    channel.save()
    fake_ycloud.add_template("ours")
    fake_ycloud.add_template("theirs", wabaId="999")

    api_client.post(SYNC, {"channel": channel.id}, format="json")

    assert list(Template.objects.values_list("name", flat=True)) == ["ours"]


def test_sync_with_a_refused_key_is_a_502_that_names_the_channel(
    api_client, channel, fake_ycloud
):
    fake_ycloud.fail_next(401)

    response = api_client.post(SYNC, {"channel": channel.id}, format="json")

    assert response.status_code == 502
    assert response.data["code"] == "ycloud_unauthorized"
    assert channel.phone_number in response.data["detail"]
    assert f"/api/channels/{channel.id}" in response.data["detail"]
    assert channel.api_key not in response.content.decode()


@pytest.mark.parametrize(
    ("status", "times", "expected"), [(500, 1, 503), (503, 3, 503), (400, 1, 502)]
)
def test_sync_upstream_failures_are_clear_gateway_errors(
    api_client, channel, fake_ycloud, status, times, expected
):
    fake_ycloud.add_template("kept")
    fake_ycloud.fail_next(status, times=times)

    response = api_client.post(SYNC, {"channel": channel.id}, format="json")

    assert response.status_code == expected
    assert response.data["detail"].startswith(f"YCloud answered {status}")
    assert response.data["upstream_status"] == status
    assert not Template.objects.exists()


def test_sync_survives_one_slow_answer(api_client, channel, fake_ycloud, settings):
    settings.YCLOUD_TIMEOUT_SECONDS = 0.2
    fake_ycloud.add_template("welcome")
    fake_ycloud.hang_next(0.6)  # the client retries the GET

    response = api_client.post(SYNC, {"channel": channel.id}, format="json")

    assert response.status_code == 200
    assert response.data["created"] == 1


def test_sync_against_a_hung_ycloud_is_a_gateway_error(
    api_client, channel, fake_ycloud, settings
):
    settings.YCLOUD_TIMEOUT_SECONDS = 0.2
    fake_ycloud.hang_next(0.6, times=3)

    response = api_client.post(SYNC, {"channel": channel.id}, format="json")

    assert response.status_code == 504
    assert "did not answer" in response.data["detail"]


def test_sync_needs_a_channel_of_the_company(api_client, company, other_company):
    theirs = WhatsAppChannelFactory(company=other_company)

    nothing = api_client.post(SYNC, {}, format="json")
    foreign = api_client.post(SYNC, {"channel": theirs.id}, format="json")

    assert nothing.status_code == foreign.status_code == 400
    assert "channel" in nothing.data and "channel" in foreign.data


# --- CRUD and filters -----------------------------------------------------------------------


def test_create_read_update_delete(api_client, channel):
    created = api_client.post("/api/templates", new_template(channel), format="json")
    assert created.status_code == 201, created.data
    assert created.data["status"] == "PENDING"
    assert created.data["sendable"] is False
    url = f"/api/templates/{created.data['id']}"

    updated = api_client.patch(url, {"status": "APPROVED"}, format="json")
    assert updated.data["sendable"] is True
    assert api_client.get(url).data["components"][0]["type"] == "BODY"

    assert api_client.delete(url).status_code == 204
    assert api_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Order Update"),
        ("name", ""),
        ("language", "english"),
        ("category", "PROMO"),
        ("status", "LIVE"),
        ("components", "BODY"),
        ("channel", "x"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_client, channel, field, value):
    body = {**new_template(channel), field: value}

    response = api_client.post("/api/templates", body, format="json")

    assert response.status_code == 400
    assert field in response.data


def test_same_name_and_language_on_one_channel_is_a_400(api_client, channel):
    api_client.post("/api/templates", new_template(channel), format="json")

    again = api_client.post("/api/templates", new_template(channel), format="json")
    other_language = api_client.post(
        "/api/templates", new_template(channel, language="es"), format="json"
    )

    assert again.status_code == 400
    assert "name" in again.data
    assert other_language.status_code == 201


def test_filters(api_client, company, channel):
    second = WhatsAppChannelFactory(company=company, phone_number="+15550009999")
    TemplateFactory(
        channel=channel, name="order_update", language="en", status="APPROVED"
    )
    TemplateFactory(channel=channel, name="order_update", language="es")
    TemplateFactory(channel=second, name="welcome", language="en", status="APPROVED")

    def names(query: str) -> list[tuple[str, str]]:
        response = api_client.get(f"/api/templates?{query}")
        assert response.status_code == 200, response.data
        return [(t["name"], t["language"]) for t in response.data["results"]]

    assert names("") == [
        ("order_update", "en"),
        ("order_update", "es"),
        ("welcome", "en"),
    ]
    assert names(f"channel={second.id}") == [("welcome", "en")]
    assert names("status=APPROVED&language=en") == [
        ("order_update", "en"),
        ("welcome", "en"),
    ]
    assert names("search=ORDER&language=es") == [("order_update", "es")]
    assert api_client.get("/api/templates?status=LIVE").status_code == 400
    assert "channel" in api_client.get("/api/templates?channel=abc").data


# --- Tenancy and permissions -------------------------------------------------------------------


def test_another_company_sees_none_and_gets_404(channel, other_user):
    template = TemplateFactory(channel=channel)
    client = client_as(other_user)
    url = f"/api/templates/{template.id}"

    assert client.get("/api/templates").data["count"] == 0
    assert client.get(f"/api/templates?channel={channel.id}").data["count"] == 0
    assert [
        client.get(url).status_code,
        client.patch(url, {"status": "APPROVED"}, format="json").status_code,
        client.delete(url).status_code,
    ] == [404, 404, 404]
    created = client.post("/api/templates", new_template(channel), format="json")
    assert created.status_code == 400
    assert "channel" in created.data
    template.refresh_from_db()
    assert template.status == "PENDING"


def test_agents_read_but_only_template_managers_write(company, channel):
    template = TemplateFactory(channel=channel)
    agent = client_as(UserFactory(company=company, role_name="agent"))
    manager = client_as(user_with(company, "templates.manage"))

    assert agent.get("/api/templates").status_code == 200
    assert agent.get(f"/api/templates/{template.id}").status_code == 200
    assert (
        agent.post("/api/templates", new_template(channel), format="json").status_code
        == 403
    )
    assert (
        agent.patch(f"/api/templates/{template.id}", {}, format="json").status_code
        == 403
    )
    assert agent.delete(f"/api/templates/{template.id}").status_code == 403
    assert agent.post(SYNC, {}, format="json").status_code == 403
    assert manager.get("/api/templates").status_code == 200
    assert (
        manager.post(
            "/api/templates", new_template(channel, language="es"), format="json"
        ).status_code
        == 201
    )


def test_a_role_without_reply_or_templates_cannot_read(company):
    client = client_as(user_with(company, "helpdesk.view"))

    assert client.get("/api/templates").status_code == 403
