"""POST /api/assistant/query and agent answers inside conversations, with real data
from the fake GLPI; offline with the local provider, and with a fake LLM."""

import json

import pytest

from assistant.models import Conversation, InteractionLog
from helpdesk.models import GlpiConnection
from tests.fakes.glpi_server import APP_TOKEN, USER_TOKEN, fake_glpi  # noqa: F401 (fixture)

URL = "/api/assistant/query"


@pytest.fixture
def glpi(company, fake_glpi):  # noqa: F811
    GlpiConnection.objects.create(
        company=company,
        url=fake_glpi.url,
        app_token=APP_TOKEN,
        user_token=USER_TOKEN,
        timeout=2,
    )
    return fake_glpi


def ask(client, query: str, **extra):
    response = client.post(URL, {"query": query, **extra}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


class TestOffline:
    def test_counts_open_tickets_in_spanish(self, api_client, glpi):
        body = ask(api_client, "¿cuántos tickets abiertos hay?")
        assert body["success"] is True
        assert body["intention"] == "consultar_tickets" and body["confidence"] >= 0.6
        assert body["message"].startswith("Hay 3 tickets abiertos.")
        assert body["data"]["count"] == 3

    def test_counts_open_tickets_in_english(self, api_client, glpi):
        assert ask(api_client, "How many open tickets are there?")[
            "message"
        ].startswith("There are 3 open tickets.")

    def test_shows_one_ticket(self, api_client, glpi):
        body = ask(api_client, "show ticket 2")
        assert body["intention"] == "buscar_ticket"
        assert 'Ticket #2 "VPN drops every hour" is assigned' in body["message"]
        assert body["data"]["ticket"]["technician"] == "tech1"

    def test_missing_ticket_is_said_plainly(self, api_client, glpi):
        assert (
            "I couldn't find ticket #77" in ask(api_client, "show ticket 77")["message"]
        )

    def test_finds_equipment_by_name(self, api_client, glpi):
        body = ask(api_client, "busca el equipo PC-ALICE")
        assert body["intention"] == "buscar_equipo"
        assert "PC-ALICE" in body["message"] and "SN-0001" in body["message"]

    def test_counts_inventory(self, api_client, glpi):
        body = ask(api_client, "¿cuántos equipos hay en el inventario?")
        assert body["message"] == "Hay 4 equipos en el inventario."

    def test_report_from_statistics(self, api_client, glpi):
        body = ask(api_client, "give me a report of the helpdesk")
        assert body["intention"] == "generar_reporte"
        assert "5 tickets, 3 open and 2 solved or closed" in body["message"]

    def test_unclear_question_asks_to_rephrase(self, api_client, glpi):
        body = ask(api_client, "asdf")
        assert body["intention"] == "low_confidence" and body["confidence"] < 0.6
        assert "rephrase" in body["message"]

    def test_general_question_says_a_model_is_needed(self, api_client, db):
        body = ask(api_client, "What is the capital of France?")
        assert (
            body["intention"] == "consulta_general"
            and "OPENAI_API_KEY" in body["message"]
        )

    def test_source_restricts_the_data(self, api_client, glpi):
        body = ask(api_client, "¿cuántos tickets abiertos hay?", source="inbox")
        assert body["intention"] == "low_confidence"
        assert (
            ask(api_client, "¿cuántos tickets abiertos hay?", source="general")[
                "intention"
            ]
            == "consulta_general"
        )

    def test_glpi_down_is_an_answer_not_a_crash(self, api_client, glpi):
        glpi.down()
        try:
            body = ask(api_client, "¿cuántos tickets abiertos hay?")
        finally:
            glpi.up()
        assert body["success"] is False
        assert body["data"]["error"]["code"] == "glpi_unavailable"

    def test_without_glpi_configured(self, api_client, db):
        body = ask(api_client, "show ticket 2")
        assert body["success"] is False and "not configured" in body["message"]

    @pytest.mark.parametrize(
        "payload", [{}, {"query": ""}, {"query": "x", "source": "web"}]
    )
    def test_bad_input_is_400(self, api_client, db, payload):
        assert api_client.post(URL, payload, format="json").status_code == 400


class TestWithModel:
    def test_model_extracts_the_intent_in_json_and_writes_the_answer(
        self, api_client, glpi, fake_openai
    ):
        fake_openai.json_reply = {
            "intent": "consultar_tickets",
            "confidence": 0.92,
            "params": {"status": "pending"},
        }
        fake_openai.tokens = ["Hay", " 1", " ticket", " pendiente", "."]
        body = ask(api_client, "¿qué tickets están en espera?")
        assert body["intention"] == "consultar_tickets" and body["confidence"] == 0.92
        assert body["data"]["count"] == 1
        assert body["message"] == "Hay 1 ticket pendiente."
        intent_call, answer_call = fake_openai.chat_requests
        assert intent_call.body["response_format"] == {"type": "json_object"}
        assert '"count": 1' in answer_call.body["messages"][0]["content"]
        assert InteractionLog.objects.filter(endpoint="agent.query").count() == 2

    def test_unusable_json_falls_back_to_the_rules(self, api_client, glpi, fake_openai):
        fake_openai.json_reply = {"nonsense": True}
        body = ask(api_client, "How many open tickets are there?")
        assert body["intention"] == "consultar_tickets" and body["data"]["count"] == 3

    def test_model_down_still_answers_with_the_numbers(
        self, api_client, glpi, fake_openai
    ):
        fake_openai.fail_next(503, times=20)
        body = ask(api_client, "How many open tickets are there?")
        assert body["success"] is True and body["message"].startswith(
            "There are 3 open tickets."
        )
        assert InteractionLog.objects.filter(outcome="error").exists()


# Replies are saved through Channels' database_sync_to_async, which closes the
# connection that a rolled-back test transaction would live on.
@pytest.mark.django_db(transaction=True)
class TestInConversations:
    def test_local_reply_is_built_from_glpi_and_keeps_the_data(
        self, api_client, user, glpi
    ):
        conversation = Conversation.objects.create(company=user.company, user=user)
        response = api_client.post(
            f"/api/assistant/conversations/{conversation.id}/messages",
            {"content": "¿cuántos tickets abiertos hay?"},
            format="json",
        )
        reply = response.json()["reply"]
        assert reply["content"].startswith("Hay 3 tickets abiertos.")
        assert (
            reply["data"]["intention"] == "consultar_tickets"
            and reply["data"]["count"] == 3
        )

    def test_model_gets_the_data_in_its_prompt(
        self, api_client, user, glpi, fake_openai
    ):
        conversation = Conversation.objects.create(company=user.company, user=user)
        api_client.post(
            f"/api/assistant/conversations/{conversation.id}/messages",
            {"content": "show ticket 2"},
            format="json",
        )
        system = fake_openai.chat_requests[-1].body["messages"][0]["content"]
        data = json.loads(system.split("exact numbers):\n", 1)[1])
        assert data["ticket"]["title"] == "VPN drops every hour"

    def test_general_questions_do_not_touch_glpi(self, api_client, user, glpi):
        conversation = Conversation.objects.create(company=user.company, user=user)
        api_client.post(
            f"/api/assistant/conversations/{conversation.id}/messages",
            {"content": "Explain what DNS is"},
            format="json",
        )
        assert glpi.requests == []
