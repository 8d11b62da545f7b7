"""The AI endpoints on chats: queued insights and summaries, drafts, tickets against
the fake GLPI, visibility, tenancy, permissions, validation; and the admin actions."""

import uuid

import pytest

from accounts.models import Role
from assistant.models import InteractionLog
from helpdesk.models import GlpiConnection, TicketChatLink
from messaging.models import ChatInsight, ChatSummary
from tests.factories import UserFactory
from tests.fakes.glpi_server import APP_TOKEN, USER_TOKEN, fake_glpi  # noqa: F401
from tests.fakes.openai_server import fake_llm, fake_openai  # noqa: F401
from tests.messaging.ai_helpers import COMPLAINT_ES, chat_with

pytestmark = pytest.mark.django_db


def url(chat, action: str) -> str:
    return f"/api/chats/{chat.id}/{action}"


@pytest.fixture
def chat(company):
    return chat_with(COMPLAINT_ES, company=company)


# --- API ------------------------------------------------------------------------------


def test_post_insights_queues_the_task_and_get_returns_the_result(
    api_client, chat, django_capture_on_commit_callbacks
):
    assert api_client.get(url(chat, "insights")).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(url(chat, "insights"))

    assert response.status_code == 202
    assert uuid.UUID(response.data["task"])
    result = api_client.get(url(chat, "insights"))
    assert result.status_code == 200
    assert set(result.data) >= {
        "sentiment",
        "sentiment_score",
        "intents",
        "entities",
        "suggested_actions",
        "suggested_replies",
        "churn_risk",
        "created_at",
    }
    assert result.data["sentiment"] == "negative"
    assert {"type": "order", "value": "#4521"} in result.data["entities"]


def test_a_failing_model_does_not_fail_the_request(
    api_client,
    chat,
    fake_openai,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """The task (in-process when Celery is eager, its retries too) reports its
    failure on the inbox socket instead."""
    fake_openai.fail_next(503, times=12)  # 4 attempts, each retried twice by the SDK

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(url(chat, "insights"))

    assert response.status_code == 202
    assert not ChatInsight.objects.exists()
    outcomes = list(InteractionLog.objects.values_list("outcome", flat=True))
    assert outcomes == ["error"] * 4


def test_get_before_any_insight_says_so(api_client, chat):
    response = api_client.get(url(chat, "insights"))

    assert response.status_code == 404
    assert response.data["code"] == "not_generated"
    assert "no insights yet" in response.data["detail"]


def test_post_summary_then_get_it(api_client, chat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(url(chat, "summary"))
    result = api_client.get(url(chat, "summary"))

    assert response.status_code == 202 and response.data["task"]
    assert set(result.data) >= {"summary", "created_at", "message_count"}
    assert result.data["message_count"] == 4
    assert "pedido #4521" in result.data["summary"]


def test_an_empty_chat_has_nothing_to_analyse(api_client, company):
    empty = chat_with([], company=company)

    for action in ("insights", "summary"):
        response = api_client.post(url(empty, action))
        assert response.status_code == 409
        assert response.data["code"] == "chat_empty"


def test_assist_draft_answers_directly(api_client, chat, user):
    response = api_client.post(
        url(chat, "assist-draft"), {"instruction": "shorter"}, format="json"
    )

    assert response.status_code == 200
    assert response.data == {
        "draft": "Hola Ana, sentimos mucho lo ocurrido con el pedido #4521."
    }
    assert InteractionLog.objects.get().user == user


def test_assist_draft_with_a_remote_model(api_client, chat, fake_openai):  # noqa: F811
    fake_openai.tokens = ["Hola Ana, ", "ya lo revisamos."]

    response = api_client.post(
        url(chat, "assist-draft"),
        {"draft": "hola ana lo vemos", "instruction": "más cálido"},
        format="json",
    )

    assert response.data == {"draft": "Hola Ana, ya lo revisamos."}
    prompt = fake_openai.chat_requests[0].body["messages"][1]["content"]
    assert "hola ana lo vemos" in prompt and "más cálido" in prompt


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"instruction": "x" * 501}, "instruction"),
        ({"draft": "x" * 4097}, "draft"),
        ({"draft": ["not", "text"]}, "draft"),
        ({"instruction": "a\x00b"}, "instruction"),
    ],
)
def test_assist_draft_validates_its_input(api_client, chat, body, field):
    response = api_client.post(url(chat, "assist-draft"), body, format="json")

    assert response.status_code == 400
    assert field in response.data
    assert not InteractionLog.objects.exists()


@pytest.mark.parametrize("action", ["insights", "summary", "assist-draft", "ticket"])
def test_another_companys_chat_is_not_found(api_client, other_company, action):
    foreign = chat_with(COMPLAINT_ES, company=other_company)

    response = api_client.post(url(foreign, action), {}, format="json")

    assert response.status_code == 404
    assert not InteractionLog.objects.exists()


def test_an_agent_sees_only_own_and_unassigned_chats(client_for, company, agent):
    someone = UserFactory(company=company, role_name="agent")
    theirs = chat_with(COMPLAINT_ES, company=company, assigned_to=someone)
    unassigned = chat_with(COMPLAINT_ES, company=company)
    client = client_for(agent)

    assert client.post(url(theirs, "assist-draft")).status_code == 404
    assert client.get(url(theirs, "summary")).status_code == 404
    assert client.post(url(unassigned, "assist-draft")).status_code == 200


@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("post", "insights"),
        ("get", "insights"),
        ("post", "summary"),
        ("get", "summary"),
        ("post", "assist-draft"),
    ],
)
def test_ai_needs_the_ai_run_permission(client_for, company, chat, method, action):
    role = Role.objects.create(
        company=company, name="viewer", permissions=["chats.view_all"]
    )
    viewer = UserFactory(company=company, role=role)

    response = getattr(client_for(viewer), method)(url(chat, action))

    assert response.status_code == 403


def test_the_ticket_needs_helpdesk_edit(client_for, agent, chat):
    assert client_for(agent).post(url(chat, "ticket")).status_code == 403


# --- Tickets --------------------------------------------------------------------------


@pytest.fixture
def glpi(company, fake_glpi, settings):  # noqa: F811
    settings.HELPDESK_CACHE_SECONDS = 0
    GlpiConnection.objects.create(
        company=company,
        url=fake_glpi.url,
        app_token=APP_TOKEN,
        user_token=USER_TOKEN,
        timeout=2,
    )
    return fake_glpi


def test_a_ticket_is_written_from_the_summary_and_linked(api_client, chat, glpi, user):
    response = api_client.post(url(chat, "ticket"))

    assert response.status_code == 201
    ticket = response.data
    assert ticket["title"] == (
        "Queja: Estoy muy molesta: el pedido #4521 llegó roto y nadie me responde "
        "desde el 15/03/2024"
    )
    assert "Temas: queja, cancelación." in ticket["description"]
    assert f"Chat del inbox #{chat.id}" in ticket["description"]
    link = TicketChatLink.objects.get()
    assert (link.ticket_id, link.chat, link.created_by) == (ticket["id"], chat, user)
    assert ChatSummary.objects.filter(chat=chat).count() == 1
    endpoints = InteractionLog.objects.values_list("endpoint", flat=True)
    assert sorted(endpoints) == ["chat.summary", "chat.ticket"]


def test_a_remote_model_titles_the_ticket(api_client, chat, glpi, fake_openai):  # noqa: F811
    fake_openai.tokens = ["Ana pide cancelar el pedido #4521, que llegó roto."]
    fake_openai.json_reply = {
        "title": "Pedido #4521 roto: cancelación y reembolso",
        "description": "La clienta pide cancelar y el reembolso de 59,90 €.",
    }

    response = api_client.post(url(chat, "ticket"))

    assert response.status_code == 201
    assert response.data["title"] == "Pedido #4521 roto: cancelación y reembolso"
    assert "reembolso de 59,90 €" in response.data["description"]
    summary_request, ticket_request = fake_openai.chat_requests
    assert "Ana pide cancelar" in ticket_request.body["messages"][1]["content"]


def test_no_glpi_is_a_503_before_any_model_call(api_client, chat):
    response = api_client.post(url(chat, "ticket"))

    assert response.status_code == 503
    assert response.data["code"] == "helpdesk_not_configured"
    assert not InteractionLog.objects.exists()


# --- Admin ----------------------------------------------------------------------------


def test_admin_actions_queue_the_work(
    admin_client, chat, django_capture_on_commit_callbacks
):
    empty = chat_with([], company=chat.company)
    for action in ("generate_insights", "generate_summary"):
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                "/admin/messaging/chat/",
                {"action": action, "_selected_action": [chat.id, empty.id]},
                follow=True,
            )
        page = response.content.decode()
        assert "for 1 chat(s)" in page and "has no messages yet" in page

    assert ChatInsight.objects.get().chat == chat
    assert ChatSummary.objects.get().chat == chat
    for model in ("chatinsight", "chatsummary"):
        assert admin_client.get(f"/admin/messaging/{model}/").status_code == 200
        assert admin_client.get(f"/admin/messaging/{model}/add/").status_code == 403
