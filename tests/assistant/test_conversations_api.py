import pytest

from assistant.models import Conversation, InteractionLog, Message
from tests.factories import UserFactory

URL = "/api/assistant/conversations"


@pytest.fixture
def conversation(user):
    return Conversation.objects.create(
        company=user.company, user=user, title="Printers"
    )


class TestConversations:
    def test_create_and_list_newest_first(self, api_client):
        first = api_client.post(URL, {"title": "First"}, format="json")
        second = api_client.post(URL, {}, format="json")
        assert first.status_code == second.status_code == 201
        rows = api_client.get(URL).json()["results"]
        assert [row["id"] for row in rows] == [second.json()["id"], first.json()["id"]]

    def test_search_in_titles_and_messages(self, api_client, conversation, user):
        other = Conversation.objects.create(
            company=user.company, user=user, title="VPN"
        )
        Message.objects.create(
            conversation=other, role="user", content="the printer jams"
        )
        found = {
            row["id"]
            for row in api_client.get(URL, {"search": "print"}).json()["results"]
        }
        assert found == {conversation.id, other.id}
        assert api_client.get(URL, {"search": "vpn"}).json()["count"] == 1

    def test_only_own_conversations_are_listed(self, api_client, company, conversation):
        colleague = UserFactory(company=company)
        Conversation.objects.create(company=company, user=colleague, title="Theirs")
        assert [row["id"] for row in api_client.get(URL).json()["results"]] == [
            conversation.id
        ]

    def test_detail_rename_delete(self, api_client, conversation):
        Message.objects.create(conversation=conversation, role="user", content="hola")
        detail = api_client.get(f"{URL}/{conversation.id}").json()
        assert detail["messages"][0]["content"] == "hola"
        renamed = api_client.patch(
            f"{URL}/{conversation.id}", {"title": "Renamed"}, format="json"
        )
        assert renamed.json()["title"] == "Renamed"
        assert api_client.delete(f"{URL}/{conversation.id}").status_code == 204
        assert not Conversation.objects.filter(id=conversation.id).exists()

    @pytest.mark.parametrize(
        "payload", [{"title": "x" * 201}, {"model": "no-such-model"}, {"title": ["a"]}]
    )
    def test_bad_input_is_400(self, api_client, payload):
        response = api_client.post(URL, payload, format="json")
        assert response.status_code == 400
        assert set(response.json()) & {"title", "model"}

    def test_other_users_and_companies_get_404(
        self, client_for, conversation, company, other_user
    ):
        colleague = UserFactory(company=company)
        for outsider in (colleague, other_user):
            client = client_for(outsider)
            url = f"{URL}/{conversation.id}"
            assert client.get(url).status_code == 404
            assert client.patch(url, {"title": "x"}, format="json").status_code == 404
            assert client.delete(url).status_code == 404
            posted = client.post(f"{url}/messages", {"content": "hi"}, format="json")
            assert posted.status_code == 404
        assert conversation.messages.count() == 0

    def test_needs_assistant_use(self, client_for, company):
        without_role = UserFactory(company=company, role=None)
        assert client_for(without_role).get(URL).status_code == 403


# Replies are saved through Channels' database_sync_to_async, which closes the
# connection that a rolled-back test transaction would live on.
@pytest.mark.django_db(transaction=True)
class TestMessagesJson:
    def test_local_provider_replies_and_everything_is_saved(
        self, api_client, conversation
    ):
        response = api_client.post(
            f"{URL}/{conversation.id}/messages",
            {"content": "What is DNS?"},
            format="json",
        )
        assert response.status_code == 201
        body = response.json()
        assert (
            body["message"]["role"] == "user"
            and body["message"]["content"] == "What is DNS?"
        )
        reply = body["reply"]
        assert reply["role"] == "assistant" and reply["status"] == "complete"
        assert "OPENAI_API_KEY" in reply["content"]
        assert reply["model"] == "local"
        assert reply["completion_tokens"] > 0
        assert conversation.messages.count() == 2
        log = InteractionLog.objects.get()
        assert (log.provider, log.outcome, log.endpoint) == (
            "local",
            "ok",
            "conversation.json",
        )
        assert log.prompt == ""

    def test_first_message_names_the_conversation(self, api_client, user):
        conversation = Conversation.objects.create(company=user.company, user=user)
        api_client.post(
            f"{URL}/{conversation.id}/messages",
            {"content": "¿Cómo reinicio la impresora del tercer piso?\nGracias"},
            format="json",
        )
        conversation.refresh_from_db()
        assert conversation.title == "¿Cómo reinicio la impresora del tercer piso?"

    @pytest.mark.parametrize(
        "payload",
        [
            {},
            {"content": ""},
            {"content": "   "},
            {"content": 5},
            {"content": "hi", "model": "gpt-99"},
            {"content": "hi", "stream": "sometimes"},
        ],
    )
    def test_bad_input_is_400_and_stores_nothing(
        self, api_client, conversation, payload
    ):
        response = api_client.post(
            f"{URL}/{conversation.id}/messages", payload, format="json"
        )
        assert response.status_code == 400
        assert set(response.json()) & {"content", "model", "stream"}
        assert conversation.messages.count() == 0

    def test_huge_content_is_400(self, api_client, conversation, settings):
        settings.ASSISTANT_MAX_CONTENT_CHARS = 100
        response = api_client.post(
            f"{URL}/{conversation.id}/messages", {"content": "x" * 101}, format="json"
        )
        assert response.status_code == 400
        assert "100" in response.json()["content"][0]

    def test_wrong_json_is_400(self, api_client, conversation):
        response = api_client.post(
            f"{URL}/{conversation.id}/messages",
            data="{",
            content_type="application/json",
        )
        assert response.status_code == 400


# Replies are saved through Channels' database_sync_to_async, which closes the
# connection that a rolled-back test transaction would live on.
@pytest.mark.django_db(transaction=True)
class TestModelsAndLogs:
    def test_models_lists_local_as_available(self, api_client):
        models = api_client.get("/api/assistant/models").json()
        local = next(model for model in models if model["provider"] == "local")
        assert local["available"] is True and local["default"] is True
        assert set(local) == {"id", "provider", "name", "default", "available"}

    def test_logs_filter_and_limit(self, api_client, conversation):
        for _ in range(3):
            api_client.post(
                f"{URL}/{conversation.id}/messages", {"content": "hi"}, format="json"
            )
        rows = api_client.get("/api/assistant/logs", {"limit": 2}).json()
        assert len(rows) == 2
        assert set(rows[0]) == {"timestamp", "level", "message", "metadata"}
        assert rows[0]["level"] == "INFO" and rows[0]["metadata"]["provider"] == "local"
        assert api_client.get("/api/assistant/logs", {"level": "ERROR"}).json() == []

    @pytest.mark.parametrize(
        "query", [{"limit": 0}, {"limit": 1001}, {"limit": "x"}, {"level": "DEBUG"}]
    )
    def test_logs_bad_query_is_400(self, api_client, query):
        assert api_client.get("/api/assistant/logs", query).status_code == 400

    def test_logs_need_logs_view(self, client_for, agent):
        assert client_for(agent).get("/api/assistant/logs").status_code == 403

    def test_logs_are_company_scoped(
        self, client_for, api_client, conversation, other_user
    ):
        api_client.post(
            f"{URL}/{conversation.id}/messages", {"content": "hi"}, format="json"
        )
        assert client_for(other_user).get("/api/assistant/logs").json() == []

    def test_prompts_are_logged_only_when_asked(
        self, api_client, conversation, settings
    ):
        settings.LOG_PROMPTS = True
        api_client.post(
            f"{URL}/{conversation.id}/messages",
            {"content": "secret plan"},
            format="json",
        )
        assert "secret plan" in InteractionLog.objects.get().prompt
