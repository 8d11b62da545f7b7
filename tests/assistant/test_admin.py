import pytest

from assistant.models import Conversation, InteractionLog, Message
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, company):
    client.force_login(UserFactory(company=company, is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def conversation(user):
    conversation = Conversation.objects.create(
        company=user.company, user=user, title="VPN down"
    )
    Message.objects.create(
        conversation=conversation, role="user", content="the VPN is down"
    )
    return conversation


def test_conversation_pages_show_messages_inline(admin_client, conversation):
    assert (
        "VPN down"
        in admin_client.get("/admin/assistant/conversation/").content.decode()
    )
    page = admin_client.get(f"/admin/assistant/conversation/{conversation.id}/change/")
    assert page.status_code == 200
    assert "the VPN is down" in page.content.decode()


def test_conversation_search_by_message_text(admin_client, conversation):
    found = admin_client.get("/admin/assistant/conversation/", {"q": "vpn is down"})
    assert "VPN down" in found.content.decode()


def test_interaction_logs_are_read_only_and_filterable(
    admin_client, conversation, user
):
    log = InteractionLog.objects.create(
        company=user.company,
        user=user,
        provider="openai",
        model="gpt-4o-mini",
        endpoint="ask.json",
        outcome="error",
        level="ERROR",
        error="rate limited",
    )
    listing = admin_client.get(
        "/admin/assistant/interactionlog/", {"level__exact": "ERROR"}
    )
    assert listing.status_code == 200 and "gpt-4o-mini" in listing.content.decode()
    assert admin_client.get("/admin/assistant/interactionlog/add/").status_code == 403
    change = admin_client.post(
        f"/admin/assistant/interactionlog/{log.id}/change/", {"model": "x"}
    )
    assert change.status_code == 403
    log.refresh_from_db()
    assert log.model == "gpt-4o-mini"
